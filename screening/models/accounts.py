"""Who uses the service: exporter organisations, web users and API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

COMPLIANCE_OFFICER = "compliance_officer"
HSI_LIAISON = "hsi_liaison"
ADMIN = "admin"
ROLES = (COMPLIANCE_OFFICER, HSI_LIAISON, ADMIN)


class Organisation(Base):
    """An exporting company. API keys and compliance officers belong to one."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")
    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class User(Base):
    """A person signing in to the web pages.

    Compliance officers belong to an organisation and see only its data; HSI
    liaisons and administrators work across organisations (``organisation_id``
    is optional for them). The attributes Flask-Login expects (``is_active``,
    ``is_authenticated``, ``is_anonymous``, ``get_id``) are provided here so the
    model needs no Flask import.
    """

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, PHC string
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return bool(self.active) and (self.organisation is None or self.organisation.active)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiKey(Base):
    """An exporter system's credential.

    Only a SHA-256 hash of the secret is stored (the key is 256 bits of randomness,
    so a fast hash is as good as a slow one and keeps every API call cheap); the
    visible ``prefix`` identifies the key in lists and logs. The full key is shown
    once, when created.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the full key
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(254))  # actor label, e.g. a user's email or "cli"
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="api_keys")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiKey {self.prefix} org={self.organisation_id}>"
