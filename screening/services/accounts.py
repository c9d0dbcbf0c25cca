"""Organisations, users, passwords and API keys."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..database import begin_write, lock_for_write
from ..models import COMPLIANCE_OFFICER, ROLES, ApiKey, Organisation, User, utcnow
from .actors import Actor
from .audit import record_audit
from .errors import Conflict, InvalidInput

API_KEY_SCHEME = "psk"
MIN_PASSWORD_LENGTH = 12
MAX_ORGANISATION_NAME = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_password_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# Verified against when the e-mail is unknown, so a failed login takes as long either way.
_DUMMY_HASH = _password_hasher.hash(secrets.token_urlsafe(16))


# --- organisations ---


def find_organisation(session: Session, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == name.strip()))


def create_organisation(session: Session, name: str, actor: Actor) -> Organisation:
    name = name.strip()
    if not name or len(name) > MAX_ORGANISATION_NAME:
        raise InvalidInput("organisation name must be 1 to 200 characters", {"name": ["invalid length"]})
    lock_for_write(session)
    if find_organisation(session, name) is not None:
        raise Conflict(f"organisation {name!r} already exists", {"name": ["already exists"]})
    org = Organisation(name=name)
    session.add(org)
    session.flush()
    record_audit(
        session, actor, "organisation.created", "organisation", org.id, {"name": name}, organisation_id=org.id
    )
    return org


def get_or_create_organisation(session: Session, name: str, actor: Actor) -> tuple[Organisation, bool]:
    """The organisation named ``name``, created if needed; and whether it was created."""
    org = find_organisation(session, name)
    if org is not None:
        return org, False
    return create_organisation(session, name, actor), True


def deactivate_organisation(session: Session, org: Organisation, actor: Actor) -> None:
    """Stop an organisation's keys and users from working (its data stays)."""
    lock_for_write(session)
    org.active = False
    _note_revocation()
    record_audit(
        session,
        actor,
        "organisation.deactivated",
        "organisation",
        org.id,
        {"name": org.name},
        organisation_id=org.id,
    )


# --- users and passwords ---


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters",
            {"password": [f"at least {MIN_PASSWORD_LENGTH} characters"]},
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session,
    email: str,
    role: str,
    password: str,
    actor: Actor,
    organisation: Organisation | None = None,
    name: str | None = None,
) -> User:
    """Create a web user. Compliance officers must belong to an organisation."""
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(f"not an e-mail address: {email!r}", {"email": ["not a valid e-mail address"]})
    if role not in ROLES:
        raise InvalidInput(
            f"unknown role {role!r}; expected one of {', '.join(ROLES)}",
            {"role": [f"must be one of {', '.join(ROLES)}"]},
        )
    if role == COMPLIANCE_OFFICER and organisation is None:
        raise InvalidInput("a compliance officer belongs to an organisation", {"organisation": ["required"]})
    check_password_strength(password)
    password_hash = hash_password(password)  # slow on purpose: before the lock
    lock_for_write(session)
    if find_user(session, email) is not None:
        raise Conflict(f"a user {email} already exists", {"email": ["already exists"]})
    user = User(email=email, role=role, name=name, password_hash=password_hash, organisation=organisation)
    session.add(user)
    session.flush()
    record_audit(
        session,
        actor,
        "user.created",
        "user",
        user.id,
        {"email": email, "role": role, "organisation": organisation.name if organisation else None},
        organisation_id=organisation.id if organisation else None,
    )
    return user


def deactivate_user(session: Session, user: User, actor: Actor) -> None:
    """Stop a user from signing in (their past actions stay attributed to them)."""
    lock_for_write(session)
    if not user.active:
        return
    user.active = False
    user.deactivated_at = utcnow()
    record_audit(
        session,
        actor,
        "user.deactivated",
        "user",
        user.id,
        {"email": user.email},
        organisation_id=user.organisation_id,
    )


def set_password(session: Session, user: User, password: str, actor: Actor) -> None:
    check_password_strength(password)
    password_hash = hash_password(password)
    lock_for_write(session)
    user.password_hash = password_hash
    record_audit(
        session,
        actor,
        "user.password_changed",
        "user",
        user.id,
        {"email": user.email},
        organisation_id=user.organisation_id,
    )


def authenticate_user(
    session: Session, email: str, password: str, source_address: str | None = None
) -> User | None:
    """The active user with these credentials, or None. Both outcomes go into the audit log."""
    user = find_user(session, email)
    try:
        _password_hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        valid = user is not None
    except (VerificationError, InvalidHashError):
        valid = False
    user_id = user.id if user else None
    rehash = (
        hash_password(password)
        if valid and user and _password_hasher.check_needs_rehash(user.password_hash)
        else None
    )
    lock_for_write(session)  # the password check above ran outside the lock
    user = session.get(User, user_id) if user_id is not None else None
    if not valid or user is None or not user.is_active:
        actor = Actor(
            "user",
            str(user.id) if user else None,
            normalise_email(email)[:254],
            user.organisation_id if user else None,
            None,
            source_address,
        )
        reason = "inactive" if valid else "bad credentials"
        record_audit(session, actor, "user.login_failed", "user", user_id, {"reason": reason})
        return None
    if rehash:
        user.password_hash = rehash
    user.last_login_at = utcnow()
    record_audit(session, Actor.for_user(user, source_address), "user.login", "user", user.id)
    return user


def list_users(session: Session, organisation: Organisation | None = None) -> list[User]:
    query = select(User).options(joinedload(User.organisation)).order_by(User.email)
    if organisation is not None:
        query = query.where(User.organisation_id == organisation.id)
    return list(session.scalars(query))


# --- API keys ---

_revocations = 0  # bumped on every revocation in this process: caches of authenticated keys start over


def revocation_generation() -> int:
    """A number that changes whenever a key or organisation is revoked in this process."""
    return _revocations


def _note_revocation() -> None:
    global _revocations
    _revocations += 1


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(
    session: Session, organisation: Organisation, actor: Actor, label: str | None = None
) -> tuple[ApiKey, str]:
    """A new key for ``organisation``; returns the stored row and the full key (shown once, never stored)."""
    lock_for_write(session)
    while True:
        prefix = f"{API_KEY_SCHEME}_{secrets.token_hex(6)}"
        if session.scalar(select(func.count()).where(ApiKey.prefix == prefix)) == 0:
            break
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(
        organisation=organisation,
        prefix=prefix,
        key_hash=_hash_key(key),
        label=(label or "").strip()[:200] or None,
        created_by=actor.label,
    )
    session.add(api_key)
    session.flush()
    record_audit(
        session,
        actor,
        "api_key.created",
        "api_key",
        api_key.id,
        {"prefix": prefix, "label": api_key.label, "organisation": organisation.name},
        organisation_id=organisation.id,
    )
    return api_key, key


def find_api_key(session: Session, prefix: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.prefix == prefix.strip()))


def revoke_api_key(session: Session, api_key: ApiKey, actor: Actor) -> None:
    """Stop a key from working, at once, in every worker (keys are checked against the database each call)."""
    lock_for_write(session)
    if api_key.revoked_at is not None:
        return
    api_key.revoked_at = utcnow()
    _note_revocation()
    record_audit(
        session,
        actor,
        "api_key.revoked",
        "api_key",
        api_key.id,
        {"prefix": api_key.prefix},
        organisation_id=api_key.organisation_id,
    )


def list_api_keys(session: Session, organisation: Organisation | None = None) -> list[ApiKey]:
    query = select(ApiKey).options(joinedload(ApiKey.organisation)).order_by(ApiKey.created_at, ApiKey.id)
    if organisation is not None:
        query = query.where(ApiKey.organisation_id == organisation.id)
    return list(session.scalars(query))


def authenticate_api_key(
    session: Session, presented: str, *, touch_after_seconds: float = 60, now: datetime | None = None
) -> ApiKey | None:
    """The active key matching ``presented`` (with its organisation loaded), or None.

    The last-used time is rewritten only when older than ``touch_after_seconds``,
    so a busy key costs one indexed read per call, not a write.
    """
    parts = presented.strip().split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != API_KEY_SCHEME or not parts[2] or len(presented) > 200:
        return None
    prefix = f"{parts[0]}_{parts[1]}"
    api_key = session.scalar(
        select(ApiKey).options(joinedload(ApiKey.organisation)).where(ApiKey.prefix == prefix)
    )
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _hash_key(presented.strip())):
        return None
    if api_key.revoked_at is not None or not api_key.organisation.active:
        return None
    now = now or utcnow()
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(seconds=touch_after_seconds):
        key_id = api_key.id
        begin_write(session)  # may end the read transaction (SQLite); reload below
        api_key = session.get(
            ApiKey, key_id, options=[joinedload(ApiKey.organisation)], populate_existing=True
        )
        if api_key is None or api_key.revoked_at is not None:
            return None
        api_key.last_used_at = now
    return api_key
