"""Service functions: what the API, the web pages and the CLI do, with no Flask import.

Each takes the SQLAlchemy session and the acting :class:`Actor` explicitly,
flushes but never commits (the caller commits once), and raises a
:class:`ServiceError` subclass for anything the caller should report.
Functions that write take the write lock (``screening.database.lock_for_write``)
before changing anything.
"""

from .accounts import (
    authenticate_api_key,
    authenticate_user,
    create_api_key,
    create_organisation,
    create_user,
    deactivate_organisation,
    deactivate_user,
    find_api_key,
    find_organisation,
    find_user,
    get_or_create_organisation,
    hash_password,
    list_api_keys,
    list_users,
    revoke_api_key,
    set_password,
)
from .actors import Actor
from .audit import ChainReport, record_audit, verify_chain
from .errors import Conflict, IdempotencyConflict, InvalidInput, NotFound, PermissionDenied, ServiceError
from .reviews import add_review_note, claim_review, exporter_review_view, open_review_for, record_decision
from .screenings import (
    OrderPage,
    ScreeningOutcome,
    check_structures,
    get_order,
    list_orders,
    read_history,
    rescreen_order,
    screen_order,
)

__all__ = [
    "Actor",
    "ChainReport",
    "Conflict",
    "IdempotencyConflict",
    "InvalidInput",
    "NotFound",
    "OrderPage",
    "PermissionDenied",
    "ScreeningOutcome",
    "ServiceError",
    "add_review_note",
    "authenticate_api_key",
    "authenticate_user",
    "check_structures",
    "claim_review",
    "create_api_key",
    "create_organisation",
    "create_user",
    "deactivate_organisation",
    "deactivate_user",
    "exporter_review_view",
    "find_api_key",
    "find_organisation",
    "find_user",
    "get_or_create_organisation",
    "get_order",
    "hash_password",
    "list_api_keys",
    "list_orders",
    "list_users",
    "open_review_for",
    "read_history",
    "record_audit",
    "record_decision",
    "rescreen_order",
    "revoke_api_key",
    "screen_order",
    "set_password",
    "verify_chain",
]
