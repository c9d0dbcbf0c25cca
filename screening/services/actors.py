"""Who is acting: passed into every service function (services never read a logged-in user globally)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import ApiKey, User

USER = "user"
API_KEY = "api_key"
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The person, API key or system process behind an action, and where it came from."""

    kind: str  # user | api_key | system
    id: str | None
    label: str  # e-mail, key prefix or process name: what the audit log shows
    organisation_id: int | None = None
    role: str | None = None
    source_address: str | None = None

    @classmethod
    def for_user(cls, user: User, source_address: str | None = None) -> Actor:
        return cls(USER, str(user.id), user.email, user.organisation_id, user.role, source_address)

    @classmethod
    def for_api_key(cls, key: ApiKey, source_address: str | None = None) -> Actor:
        return cls(API_KEY, str(key.id), key.prefix, key.organisation_id, None, source_address)

    @classmethod
    def system(cls, label: str = "cli", source_address: str | None = None) -> Actor:
        return cls(SYSTEM, None, label, None, None, source_address)
