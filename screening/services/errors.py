"""Domain errors raised by service functions; the web layer maps each to an HTTP status once."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of the errors a caller can act on. ``errors`` names fields, as validation errors do."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class InvalidInput(ServiceError):
    status = 422


class NotFound(ServiceError):
    status = 404


class PermissionDenied(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class IdempotencyConflict(ServiceError):
    """The Idempotency-Key was already used with a different request body."""

    status = 422
