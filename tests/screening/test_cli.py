"""The command line: the contract's commands and the administrative ones."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect, select, text

from screening import create_app
from screening.models import ApiKey, User
from screening.services import authenticate_api_key


def test_api_keys_create_prints_the_key_alone_on_the_last_line(runner, db_session):
    result = runner.invoke(args=["api-keys", "create", "Nuevo Exportador Inc"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert " " not in key and key.startswith("psk_")
    assert authenticate_api_key(db_session, key).organisation.name == "Nuevo Exportador Inc"
    again = runner.invoke(args=["api-keys", "create", "Nuevo Exportador Inc"])
    assert "created organisation" not in again.output  # reused, not duplicated
    assert len(db_session.scalars(select(ApiKey)).all()) == 2


def test_api_keys_list_and_revoke(runner, db_session):
    key = runner.invoke(args=["api-keys", "create", "Listed Org"]).output.strip().splitlines()[-1]
    prefix = "_".join(key.split("_", 2)[:2])
    listing = runner.invoke(args=["api-keys", "list"]).output
    assert prefix in listing and "Listed Org" in listing and key not in listing
    assert runner.invoke(args=["api-keys", "revoke", prefix]).exit_code == 0
    assert "revoked" in runner.invoke(args=["api-keys", "list", "--org", "Listed Org"]).output
    assert authenticate_api_key(db_session, key) is None
    missing = runner.invoke(args=["api-keys", "revoke", "psk_000000000000"])
    assert missing.exit_code != 0 and "no API key" in missing.output


def test_users_create_reads_the_password_from_the_environment(runner, db_session, monkeypatch):
    monkeypatch.setenv("SCREENING_PASSWORD", "correct horse battery staple")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Officer@Exporter.example",
            "--role",
            "compliance_officer",
            "--org",
            "Exporter Inc",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "officer@exporter.example"))
    assert user.organisation.name == "Exporter Inc" and user.password_hash.startswith("$argon2id$")
    assert "officer@exporter.example" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "deactivate", "officer@exporter.example"]).exit_code == 0
    db_session.expire_all()
    assert not db_session.get(User, user.id).active


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "create", "x@example.com", "--role", "boss"], "boss"),
        (["users", "create", "x@example.com", "--role", "compliance_officer"], "organisation"),
        (["users", "create", "not-an-email", "--role", "admin"], "e-mail"),
    ],
)
def test_users_create_refuses_bad_input_clearly(runner, monkeypatch, args, message):
    monkeypatch.setenv("SCREENING_PASSWORD", "correct horse battery staple")
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_users_create_without_a_password_source_fails_cleanly(runner, monkeypatch):
    monkeypatch.delenv("SCREENING_PASSWORD", raising=False)
    result = runner.invoke(args=["users", "create", "y@example.com", "--role", "admin"], input="")
    assert result.exit_code != 0


def test_audit_verify(runner, db_session):
    runner.invoke(args=["api-keys", "create", "Audited Org"])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output
    db_session.execute(text("UPDATE audit_entries SET actor_label = 'someone else' WHERE id = 1"))
    db_session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "entry 1" in broken.output


def test_demo_bootstrap_prints_credentials_once(runner, app):
    first = runner.invoke(args=["demo", "bootstrap"])
    assert first.exit_code == 0, first.output
    assert "API key" in first.output and "liaison@demo.example" in first.output
    assert os.path.exists(app.config["SCREENING_DEMO_MARKER"])
    second = runner.invoke(args=["demo", "bootstrap"])
    assert second.exit_code == 0 and second.output == ""


def test_watchlist_and_rules_commands(runner):
    for group in ("watchlist", "rules"):
        validated = runner.invoke(args=[group, "validate"])
        assert validated.exit_code == 0 and "valid" in validated.output, validated.output
        version = runner.invoke(args=[group, "show-version"]).output.strip()
        assert version
        reloaded = runner.invoke(args=[group, "reload"])
        assert reloaded.exit_code == 0 and version in reloaded.output, reloaded.output


def test_structures_check_writes_csv(runner, tmp_path):
    source = tmp_path / "catalogue.csv"
    source.write_text("sku,cas,smiles,name\nA1,110-89-4,,\nA2,,CCOC(C)=O,\nA3,,,safrole\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    result = runner.invoke(args=["structures", "check", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 4
    assert "piperidine" in rows[1] and "listed" in rows[1]


def test_db_upgrade_creates_the_schema_in_database_url(tmp_path, app_config):
    url = f"sqlite:///{tmp_path / 'fresh' / 'screening.db'}"
    app = create_app({**app_config, "DATABASE_URL": url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    assert {"orders", "screenings", "audit_entries"} <= set(inspect(engine).get_table_names())
    down = app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output
    assert "orders" not in inspect(engine).get_table_names()
    engine.dispose()
