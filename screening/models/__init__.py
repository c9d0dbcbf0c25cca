"""All tables of the service. Importing this package registers every model on ``Base.metadata``."""

from .accounts import ADMIN, COMPLIANCE_OFFICER, HSI_LIAISON, ROLES, ApiKey, Organisation, User
from .audit import GENESIS_HASH, AuditChainHead, AuditEntry
from .base import NAMING_CONVENTION, Base, JSONDocument, UTCDateTime, new_id, utcnow
from .orders import ConsigneeSpelling, IdempotencyKey, Order, OrderLine
from .reviews import (
    CLAIMED,
    DECIDED,
    FINAL_REASON_CODES,
    OPEN,
    REASON_CODES,
    REVIEW_STATES,
    ReviewDecision,
    ReviewItem,
    ReviewNote,
)
from .screenings import (
    CLEAR,
    HOLD,
    INITIAL,
    RESCREEN,
    REVIEW,
    STATUS_RANK,
    STATUSES,
    TRIGGERS,
    Screening,
    ScreeningFlag,
    ScreeningLine,
    ScreeningMatch,
)

__all__ = [
    "ADMIN",
    "CLAIMED",
    "CLEAR",
    "COMPLIANCE_OFFICER",
    "DECIDED",
    "FINAL_REASON_CODES",
    "GENESIS_HASH",
    "HOLD",
    "HSI_LIAISON",
    "INITIAL",
    "NAMING_CONVENTION",
    "OPEN",
    "REASON_CODES",
    "RESCREEN",
    "REVIEW",
    "REVIEW_STATES",
    "ROLES",
    "STATUSES",
    "STATUS_RANK",
    "TRIGGERS",
    "ApiKey",
    "AuditChainHead",
    "AuditEntry",
    "Base",
    "ConsigneeSpelling",
    "IdempotencyKey",
    "JSONDocument",
    "Order",
    "OrderLine",
    "Organisation",
    "ReviewDecision",
    "ReviewItem",
    "ReviewNote",
    "Screening",
    "ScreeningFlag",
    "ScreeningLine",
    "ScreeningMatch",
    "UTCDateTime",
    "User",
    "new_id",
    "utcnow",
]

# The review workbench's tables (re-screening runs) and its indexes on the tables above.
from ..review import models as _review_models  # noqa: E402, F401  (registers them on Base.metadata)

# The officers' pages' tables (login throttling, catalogue jobs); see migration 0002.
from . import officer_pages as _officer_pages  # noqa: E402, F401  (registers them on Base.metadata)
