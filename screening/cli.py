"""Command line: ``flask --app wsgi <group> <command>``.

Every command that changes data runs in one transaction (committed at the end,
rolled back on any error) and is recorded in the audit log as the ``cli`` actor.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from .db import get_database
from .models import ROLES
from .services import (
    Actor,
    ServiceError,
    create_api_key,
    create_user,
    deactivate_user,
    find_api_key,
    find_organisation,
    find_user,
    get_or_create_organisation,
    list_api_keys,
    list_users,
    record_audit,
    revoke_api_key,
    verify_chain,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI_ACTOR = Actor.system("cli")


@contextmanager
def transaction() -> Iterator[Session]:
    """One session for the command, committed once at the end; service errors become clean CLI errors."""
    try:
        with get_database().session_scope() as session:
            yield session
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc


# --- db ---

db_cli = AppGroup("db", help="Create or migrate the database schema (Alembic).")


def alembic_config() -> Any:
    from alembic.config import Config

    config = Config(os.path.join(ROOT, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    return config


def run_alembic(action: str, *args: Any) -> None:
    """Run an Alembic command on the app's database, in one transaction."""
    from alembic import command

    config = alembic_config()
    with get_database().engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, *args)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema up to REVISION (default: the newest)."""
    run_alembic("upgrade", revision)
    click.echo(f"database at revision {revision}: {safe_url(current_app.config['DATABASE_URL'])}")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (default: one step; `base` removes everything)."""
    run_alembic("downgrade", revision)
    click.echo(f"database downgraded to {revision}")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's revision."""
    run_alembic("current")


def safe_url(url: str) -> str:
    """A database URL with its password hidden.

    >>> safe_url("postgresql+psycopg://u:secret@h/db")
    'postgresql+psycopg://u:***@h/db'
    """
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# --- organisations and API keys ---

keys_cli = AppGroup("api-keys", help="Issue, list and revoke exporters' API keys.")


@keys_cli.command("create")
@click.argument("org_name")
@click.option("--label", help="what the key is for, e.g. 'ERP production'")
def api_keys_create(org_name: str, label: str | None) -> None:
    """Create a key for ORG_NAME (creating the organisation if needed); the key is the last line printed."""
    with transaction() as session:
        org, created = get_or_create_organisation(session, org_name, CLI_ACTOR)
        api_key, key = create_api_key(session, org, CLI_ACTOR, label=label)
        prefix = api_key.prefix
    if created:
        click.echo(f"created organisation {org_name!r}")
    click.echo(f"API key {prefix} for {org_name!r} (shown once; store it now):")
    click.echo(key)


@keys_cli.command("list")
@click.option("--org", "org_name", help="only this organisation's keys")
def api_keys_list(org_name: str | None) -> None:
    """List keys: prefix, organisation, label, created, last used, revoked."""
    with transaction() as session:
        org = _organisation(session, org_name) if org_name else None
        for key in list_api_keys(session, org):
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            click.echo(
                f"{key.prefix}\t{key.organisation.name}\t{key.label or '-'}\t"
                f"created {key.created_at:%Y-%m-%d}\tlast used {used}\t{state}"
            )


@keys_cli.command("revoke")
@click.argument("prefix")
def api_keys_revoke(prefix: str) -> None:
    """Revoke the key whose prefix (shown by `api-keys list`) is PREFIX."""
    with transaction() as session:
        api_key = find_api_key(session, prefix)
        if api_key is None:
            raise click.ClickException(f"no API key with prefix {prefix!r}")
        revoke_api_key(session, api_key, CLI_ACTOR)
    click.echo(f"revoked {prefix}")


def _organisation(session: Session, name: str) -> Any:
    org = find_organisation(session, name)
    if org is None:
        raise click.ClickException(f"no organisation named {name!r}")
    return org


# --- users ---

users_cli = AppGroup("users", help="Manage web users (compliance officers, HSI liaisons, administrators).")


def read_password() -> str:
    password = os.environ.get("SCREENING_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise click.ClickException(
            "set SCREENING_PASSWORD or run interactively to be prompted for a password"
        )
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise click.ClickException("the passwords do not match")
    return first


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org_name", help="the user's organisation (required for compliance officers)")
@click.option("--name", help="the user's display name")
def users_create(email: str, role: str, org_name: str | None, name: str | None) -> None:
    """Create a web user; the password comes from SCREENING_PASSWORD or a prompt."""
    password = read_password()
    with transaction() as session:
        org = get_or_create_organisation(session, org_name, CLI_ACTOR)[0] if org_name else None
        user = create_user(session, email, role, password, CLI_ACTOR, organisation=org, name=name)
        summary = f"created {role} {user.email}" + (f" of {org_name!r}" if org_name else "")
    click.echo(summary)


@users_cli.command("list")
def users_list() -> None:
    """List users: e-mail, role, organisation, active, last login."""
    with transaction() as session:
        for user in list_users(session):
            last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
            click.echo(
                f"{user.email}\t{user.role}\t{user.organisation.name if user.organisation else '-'}\t"
                f"{'active' if user.active else 'deactivated'}\tlast login {last}"
            )


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Stop EMAIL from signing in."""
    with transaction() as session:
        user = find_user(session, email)
        if user is None:
            raise click.ClickException(f"no user {email}")
        deactivate_user(session, user, CLI_ACTOR)
    click.echo(f"deactivated {email}")


# --- watchlist and rules ---

watchlist_cli = AppGroup("watchlist", help="Validate and load the bundled watchlist (chem_db/data).")


@watchlist_cli.command("validate")
def watchlist_validate() -> None:
    """Load and check every watchlist file; name the file, entry and field of the first problem."""
    from chem_db import WatchlistError
    from chem_db.watchlist import load_watchlist

    try:
        watchlist = load_watchlist()
    except WatchlistError as exc:
        raise click.ClickException(f"watchlist invalid: {exc}") from exc
    click.echo(f"watchlist valid: {len(watchlist.entries)} entries, version {watchlist.version}")


@watchlist_cli.command("reload")
def watchlist_reload() -> None:
    """Validate and load the watchlist in this process, and record its version in the audit log.

    Running servers pick up new data when their workers restart (gunicorn: `kill -HUP <master pid>`).
    """
    from chem_db import WatchlistError, get_engine, reload_engine

    before = _version(lambda: get_engine().version)
    try:
        reload_engine()
    except WatchlistError as exc:
        raise click.ClickException(f"watchlist invalid, nothing changed: {exc}") from exc
    _record_reload("watchlist", before, get_engine().version)


@watchlist_cli.command("show-version")
def watchlist_show_version() -> None:
    from chem_db import get_engine

    click.echo(get_engine().version)


rules_cli = AppGroup("rules", help="Validate and load the bundled rule data (rules/data).")


@rules_cli.command("validate")
def rules_validate() -> None:
    """Load and check the rule data; name the file and field of the first problem."""
    from rules import RuleError, load_ruleset

    try:
        ruleset = load_ruleset()
    except RuleError as exc:
        raise click.ClickException(f"rules invalid: {exc}") from exc
    click.echo(f"rules valid: version {ruleset.version}")


@rules_cli.command("reload")
def rules_reload() -> None:
    """Validate and load the rules in this process, and record the version in the audit log."""
    from rules import RuleError, current_ruleset, reload_ruleset

    before = _version(lambda: current_ruleset().version)
    try:
        after = reload_ruleset().version
    except RuleError as exc:
        raise click.ClickException(f"rules invalid, nothing changed: {exc}") from exc
    _record_reload("rules", before, after)


@rules_cli.command("show-version")
def rules_show_version() -> None:
    from rules import current_ruleset

    click.echo(current_ruleset().version)


def _record_reload(kind: str, before: str | None, after: str) -> None:
    """Audit a reload of the watchlist or the rules, then re-screen open cases and recent orders with it."""
    with transaction() as session:
        record_audit(session, CLI_ACTOR, f"{kind}.reloaded", kind, after, {"from": before, "to": after})
    click.echo(f"{kind} loaded: version {after}")
    from .review.cli import rescreen_after_reload

    rescreen_after_reload(f"{kind}.reloaded")


def _version(get: Any) -> str | None:
    try:
        return str(get())
    except Exception:  # noqa: BLE001 - the previous version is informational only
        return None


# --- structures ---

structures_cli = AppGroup("structures", help="Screen chemicals without an order.")


@structures_cli.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    help="CSV file for the results (default: standard output)",
)
def structures_check(file: str, out: str | None) -> None:
    """Screen every item of FILE (CSV with cas, smiles or name columns) and write the results as CSV."""
    from chem_db import get_engine
    from chem_db.catalogue import read_items, write_results

    items = list(read_items(file))
    engine = get_engine()
    with click.progressbar(length=len(items), label="screening", file=sys.stderr) as bar:
        done = [0]

        def progress(count: int, *_: Any) -> None:
            bar.update(count - done[0])
            done[0] = count

        results = engine.screen_many(items, progress=progress)
    if out:
        with open(out, "w", newline="", encoding="utf-8") as handle:
            write_results(results, handle)
        click.echo(f"{len(results)} items screened; results in {out}", err=True)
    else:
        write_results(results, sys.stdout)
    flagged = sum(1 for r in results if r.classification != "none")
    click.echo(f"{flagged} of {len(results)} need attention (listed, analog or unresolved)", err=True)


# --- audit ---

audit_cli = AppGroup("audit", help="Check the audit log.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the whole hash chain; name the first broken link and exit 1 if there is one."""
    with transaction() as session:
        report = verify_chain(session)
    if not report.ok:
        click.echo(report.describe(), err=True)
        sys.exit(1)
    click.echo(report.describe())


# --- demo ---

demo_cli = AppGroup("demo", help="Demo data for a first run on a laptop.")

DEMO_ORG = "Demo Chemical Exports Inc."


@demo_cli.command("bootstrap")
def demo_bootstrap() -> None:
    """On the first run only: a demo organisation, API key and three users, printed once."""
    marker = current_app.config["SCREENING_DEMO_MARKER"]
    if os.path.exists(marker):
        return
    credentials: list[tuple[str, str, str]] = []
    with transaction() as session:
        org, _ = get_or_create_organisation(session, DEMO_ORG, CLI_ACTOR)
        _, key = create_api_key(session, org, CLI_ACTOR, label="demo")
        for role, email in (
            ("compliance_officer", "officer@demo.example"),
            ("hsi_liaison", "liaison@demo.example"),
            ("admin", "admin@demo.example"),
        ):
            if find_user(session, email) is not None:
                continue
            password = secrets.token_urlsafe(12)
            create_user(
                session,
                email,
                role,
                password,
                CLI_ACTOR,
                organisation=org if role == "compliance_officer" else None,
            )
            credentials.append((role, email, password))
    os.makedirs(os.path.dirname(os.path.abspath(marker)), exist_ok=True)
    with open(marker, "w", encoding="utf-8") as handle:
        json.dump({"organisation": DEMO_ORG, "users": [c[1] for c in credentials]}, handle)
    click.echo("Demo accounts (shown once; nothing here is stored in clear):")
    click.echo(f"  organisation   {DEMO_ORG}")
    click.echo(f"  API key        {key}")
    for role, email, password in credentials:
        click.echo(f"  {role:<18} {email}  password: {password}")


def register_commands(app: Flask) -> None:
    for group in (db_cli, keys_cli, users_cli, watchlist_cli, rules_cli, structures_cli, audit_cli, demo_cli):
        app.cli.add_command(group)
