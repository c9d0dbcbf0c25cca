"""Browser tests: the real app on a free loopback port, driven by Playwright through the system Chromium.

They need ``/usr/bin/chromium`` (Debian's ``chromium`` package; Playwright's own browser download
does not work here) and are skipped, with that reason, when it is absent. The server is the app
served by werkzeug in a thread, on its own SQLite file built by the migrations (not the rolled-back
test transaction the view tests use), with an officer and an administrator.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

CHROMIUM = os.environ.get("SCREENING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
OFFICER = "olivia@acme.test"
ADMIN = "ada@hsi.test"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    app: Any


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests skipped: {CHROMIUM} is absent (install Debian's chromium package)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("browser tests skipped: the playwright package is not installed")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from werkzeug.serving import make_server

    from screening import create_app
    from screening.cli import run_alembic
    from screening.db import get_database
    from screening.models import ADMIN as ADMIN_ROLE
    from screening.models import COMPLIANCE_OFFICER
    from screening.services import Actor, create_user, get_or_create_organisation

    database = tmp_path_factory.mktemp("browser") / "browser.db"
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
            "SCREENING_ENV": "testing",
            "SCREENING_DEMO_MARKER": str(database.parent / "demo-bootstrapped"),
            "WTF_CSRF_ENABLED": True,
            # Chemistry in this process: worker processes forked after Playwright started would
            # inherit its driver's pipes and keep it from exiting at the end of the session.
            "SCREENING_CHEM_ISOLATE": False,
            "SCREENING_CATALOGUE_CHUNK": 10,  # several steps, so the progress loop runs
        }
    )
    setup = Actor.system("browser-tests")
    with app.app_context():
        run_alembic("upgrade", "head")
        with get_database(app).session_scope() as session:
            org, _ = get_or_create_organisation(session, "Acme Exports LLC", setup)
            create_user(
                session, OFFICER, COMPLIANCE_OFFICER, PASSWORD, setup, organisation=org, name="Olivia"
            )
            create_user(session, ADMIN, ADMIN_ROLE, PASSWORD, setup, name="Ada")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        get_database(app).engine.dispose()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context (no cookies) with a page; console errors are collected on ``page.errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(60_000)
    tab = context.new_page()
    tab.errors = []  # type: ignore[attr-defined]
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()


def sign_in(page: Any, email: str = OFFICER) -> None:
    page.goto("/login")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture()
def officer_page(page: Any) -> Any:
    sign_in(page)
    assert page.url.endswith("/screen"), page.url
    return page
