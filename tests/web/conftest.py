"""Fixtures for the page tests: signed-in users of each role, and helpers to post forms with their CSRF token.

Vocabulary: ``officer`` (Acme Exports LLC), ``other_officer`` (Other Chemicals Corp), ``admin_user``,
``liaison_user``; ``sign_in(client, user)``; ``as_officer`` (a client signed in as ``officer``),
``as_admin``; ``form_token(client, url)`` reads the CSRF token of the form on a page;
``post_form(client, url, data, page=None)`` posts with the token of ``page`` (default ``url``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from screening.db import get_database
from screening.models import ADMIN, COMPLIANCE_OFFICER, HSI_LIAISON
from screening.services import Actor, create_user, get_or_create_organisation

PASSWORD = "correct horse battery staple"
SETUP = Actor.system("tests")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebUser:
    id: int
    email: str
    role: str
    org_id: int | None
    org_name: str | None
    password: str = PASSWORD


@pytest.fixture()
def make_user(app: Any) -> Any:
    def make(
        email: str, role: str = COMPLIANCE_OFFICER, org_name: str | None = "Acme Exports LLC"
    ) -> WebUser:
        with get_database(app).session_scope() as session:
            org = get_or_create_organisation(session, org_name, SETUP)[0] if org_name else None
            user = create_user(
                session, email, role, PASSWORD, SETUP, organisation=org, name=email.split("@")[0]
            )
            return WebUser(user.id, user.email, role, org.id if org else None, org_name)

    return make


@pytest.fixture()
def officer(make_user: Any) -> WebUser:
    return make_user("olivia@acme.test")


@pytest.fixture()
def other_officer(make_user: Any) -> WebUser:
    return make_user("oscar@other.test", org_name="Other Chemicals Corp")


@pytest.fixture()
def admin_user(make_user: Any) -> WebUser:
    return make_user("ada@hsi.test", ADMIN, None)


@pytest.fixture()
def liaison_user(make_user: Any) -> WebUser:
    return make_user("lee@hsi.test", HSI_LIAISON, None)


def form_token(client: Any, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    match = TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client: Any, url: str, data: dict[str, Any], page: str | None = None, **kwargs: Any) -> Any:
    token = form_token(client, page or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def sign_in(client: Any, user: WebUser, password: str | None = None) -> Any:
    return post_form(client, "/login", {"email": user.email, "password": password or user.password})


@pytest.fixture()
def as_officer(client: Any, officer: WebUser) -> Any:
    response = sign_in(client, officer)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture()
def as_admin(client: Any, admin_user: WebUser) -> Any:
    assert sign_in(client, admin_user).status_code == 302
    return client


def order_form(**overrides: Any) -> dict[str, Any]:
    """The contract's example order as the form posts it (two lines: acetone by CAS, NPP by SMILES)."""
    data: dict[str, Any] = {
        "action": "screen",
        "submission": "",
        "reference": "PO-2026-0042",
        "order_date": "2026-11-20",
        "ship_date": "2026-12-15",
        "destination_country": "MX",
        "transit_countries": ["PA"],
        "declared_end_use": "Pharmaceutical intermediate synthesis",
        "consignee-name": "Quimica del Norte SA de CV",
        "consignee-address": "Av. Industrial 12, Monterrey, NL",
        "consignee-country": "MX",
        "consignee-kind": "distributor",
        "end_user-name": "",
        "end_user-address": "",
        "end_user-country": "",
        "end_user-kind": "end_user",
        "lines-0-product": "Acetone, technical grade",
        "lines-0-cas": "67-64-1",
        "lines-0-chemical": "",
        "lines-0-kind": "auto",
        "lines-0-quantity": "200",
        "lines-0-unit": "kg",
        "lines-0-concentration_percent": "",
        "lines-1-product": "Intermediate X",
        "lines-1-cas": "",
        "lines-1-chemical": "O=C1CCN(CCc2ccccc2)CC1",
        "lines-1-kind": "auto",
        "lines-1-quantity": "5",
        "lines-1-unit": "kg",
        "lines-1-concentration_percent": "98.5",
        "lines-2-product": "",
        "lines-2-cas": "",
        "lines-2-chemical": "",
        "lines-2-kind": "auto",
        "lines-2-quantity": "",
        "lines-2-unit": "kg",
        "lines-2-concentration_percent": "",
    }
    data.update(overrides)
    return data


def submit_order(client: Any, **overrides: Any) -> Any:
    return post_form(client, "/screen", order_form(**overrides))


class Pages:
    """The helpers above, as a fixture (test modules cannot import conftest under importlib mode)."""

    form_token = staticmethod(form_token)
    post_form = staticmethod(post_form)
    sign_in = staticmethod(sign_in)
    order_form = staticmethod(order_form)
    submit_order = staticmethod(submit_order)


@pytest.fixture()
def pages() -> Pages:
    return Pages()
