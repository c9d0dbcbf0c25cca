"""Failed-sign-in throttling, kept in the database so every app server counts the same failures.

A sign-in is refused without checking the password once an account, or a source address, has too
many recent failures (the limits and the window are settings, passed in by the caller). A success
clears the account's count; the address's count only ages out, so one attacker cannot reset it by
signing in to an account of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..database import begin_write
from ..models import utcnow
from ..models.officer_pages import ACCOUNT, ADDRESS, LoginFailure
from .accounts import normalise_email


@dataclass(frozen=True)
class ThrottlePolicy:
    window_seconds: int = 900
    max_per_account: int = 5
    max_per_address: int = 20


@dataclass(frozen=True)
class Throttled:
    """Why sign-in is refused for now, and for how long."""

    scope: str  # account | address
    retry_after_seconds: int


def _keys(email: str, address: str | None) -> list[tuple[str, str, str]]:
    keys = [(ACCOUNT, normalise_email(email)[:254], "max_per_account")]
    if address:
        keys.append((ADDRESS, address[:254], "max_per_address"))
    return keys


def login_throttled(
    session: Session, email: str, address: str | None, policy: ThrottlePolicy, now: datetime | None = None
) -> Throttled | None:
    """Whether a sign-in for ``email`` from ``address`` must be refused now (read only)."""
    now = now or utcnow()
    since = now - timedelta(seconds=policy.window_seconds)
    for scope, key, limit_name in _keys(email, address):
        count, oldest = session.execute(
            select(func.count(LoginFailure.id), func.min(LoginFailure.failed_at)).where(
                LoginFailure.scope == scope, LoginFailure.key == key, LoginFailure.failed_at > since
            )
        ).one()
        if count and count >= getattr(policy, limit_name):
            # The count drops below the limit when enough of the failures leave the window; the oldest
            # leaving is a lower bound, which is what the message promises ("try again in ...").
            retry = int((oldest + timedelta(seconds=policy.window_seconds) - now).total_seconds()) + 1
            return Throttled(scope, max(1, retry))
    return None


def record_login_failure(
    session: Session, email: str, address: str | None, policy: ThrottlePolicy, now: datetime | None = None
) -> None:
    """Count a failed sign-in against the account and the address; prune what left the window. Flushes."""
    now = now or utcnow()
    begin_write(session)
    session.execute(
        delete(LoginFailure).where(LoginFailure.failed_at <= now - timedelta(seconds=policy.window_seconds))
    )
    for scope, key, _ in _keys(email, address):
        session.add(LoginFailure(scope=scope, key=key, failed_at=now))
    session.flush()


def clear_login_failures(session: Session, email: str) -> None:
    """Forget the account's failures after a successful sign-in. Flushes."""
    begin_write(session)
    session.execute(
        delete(LoginFailure).where(LoginFailure.scope == ACCOUNT, LoginFailure.key == normalise_email(email))
    )
    session.flush()
