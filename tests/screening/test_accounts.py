"""Users, passwords and API keys: what administrators and exporters rely on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from screening.models import ApiKey, AuditEntry, User
from screening.services import (
    Actor,
    Conflict,
    InvalidInput,
    authenticate_api_key,
    authenticate_user,
    create_api_key,
    create_user,
    deactivate_user,
    get_or_create_organisation,
    revoke_api_key,
)

ADMIN = Actor.system("test")
PASSWORD = "a long enough passphrase"


@pytest.fixture()
def org(db_session):
    organisation, _ = get_or_create_organisation(db_session, "Quimicos Test SA", ADMIN)
    return organisation


def test_api_key_is_stored_hashed_and_authenticates(db_session, org):
    api_key, key = create_api_key(db_session, org, ADMIN, label="ERP")
    assert key.startswith(api_key.prefix + "_")
    assert key not in (api_key.key_hash, api_key.prefix)
    found = authenticate_api_key(db_session, key)
    assert found is not None and found.id == api_key.id
    assert found.organisation.name == "Quimicos Test SA"
    assert found.last_used_at is not None


@pytest.mark.parametrize("presented", ["", "psk_nothing", "psk_abc_def", "Bearer x", "psk_" + "a" * 300])
def test_unknown_or_malformed_keys_do_not_authenticate(db_session, org, presented):
    create_api_key(db_session, org, ADMIN)
    assert authenticate_api_key(db_session, presented) is None


def test_a_key_with_the_right_prefix_but_wrong_secret_is_refused(db_session, org):
    api_key, key = create_api_key(db_session, org, ADMIN)
    assert authenticate_api_key(db_session, api_key.prefix + "_wrongsecret") is None


def test_revoked_key_stops_working(db_session, org):
    api_key, key = create_api_key(db_session, org, ADMIN)
    revoke_api_key(db_session, api_key, ADMIN)
    assert authenticate_api_key(db_session, key) is None


def test_last_used_is_not_rewritten_on_every_call(db_session, org):
    api_key, key = create_api_key(db_session, org, ADMIN)
    first = authenticate_api_key(db_session, key).last_used_at
    again = authenticate_api_key(db_session, key, now=first + timedelta(seconds=5)).last_used_at
    assert again == first
    later = authenticate_api_key(db_session, key, now=first + timedelta(seconds=120)).last_used_at
    assert later == first + timedelta(seconds=120)


def test_user_password_is_hashed_with_argon2_and_checked(db_session, org):
    user = create_user(
        db_session, "Officer@Example.com", "compliance_officer", PASSWORD, ADMIN, organisation=org
    )
    assert user.email == "officer@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert authenticate_user(db_session, "officer@example.com", PASSWORD, "10.0.0.1").id == user.id
    assert authenticate_user(db_session, "officer@example.com", "wrong password!!", "10.0.0.1") is None
    assert authenticate_user(db_session, "nobody@example.com", PASSWORD) is None
    actions = db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["user.login", "user.login_failed", "user.login_failed"]


def test_deactivated_user_cannot_sign_in(db_session, org):
    user = create_user(db_session, "gone@example.com", "hsi_liaison", PASSWORD, ADMIN)
    deactivate_user(db_session, user, ADMIN)
    assert not user.is_active
    assert authenticate_user(db_session, "gone@example.com", PASSWORD) is None


@pytest.mark.parametrize(
    ("email", "role", "password", "with_org", "field"),
    [
        ("not-an-email", "admin", PASSWORD, False, "email"),
        ("x@example.com", "superuser", PASSWORD, False, "role"),
        ("x@example.com", "admin", "short", False, "password"),
        ("x@example.com", "compliance_officer", PASSWORD, False, "organisation"),
    ],
)
def test_invalid_users_are_refused_naming_the_field(db_session, org, email, role, password, with_org, field):
    with pytest.raises(InvalidInput) as error:
        create_user(db_session, email, role, password, ADMIN, organisation=org if with_org else None)
    assert field in error.value.errors


def test_duplicate_user_is_a_conflict(db_session):
    create_user(db_session, "dup@example.com", "admin", PASSWORD, ADMIN)
    with pytest.raises(Conflict):
        create_user(db_session, "DUP@example.com", "admin", PASSWORD, ADMIN)


def test_account_changes_are_audited_without_secrets(db_session, org):
    _, key = create_api_key(db_session, org, ADMIN)
    create_user(db_session, "audited@example.com", "admin", PASSWORD, ADMIN)
    entries = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    text = " ".join(str(e.detail) for e in entries)
    assert key not in text and PASSWORD not in text
    assert {"api_key.created", "user.created", "organisation.created"} <= {e.action for e in entries}


def test_models_import_without_the_app():
    # Alembic, the CLI and services use the models without building Flask.
    assert User.__tablename__ == "users" and ApiKey.__tablename__ == "api_keys"
