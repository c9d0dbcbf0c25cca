"""Small helpers shared by the page views: the session, the acting user, their organisation."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy.orm import Session

from ..db import get_session
from ..models import Organisation, User
from ..services import Actor


def session() -> Session:
    return get_session()


def user() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def actor() -> Actor:
    return Actor.for_user(user(), request.remote_addr)


def organisation() -> Organisation:
    """The signed-in officer's organisation (officers always have one; anything else is refused)."""
    org = user().organisation
    if org is None:
        abort(403)
    return org


def setting(name: str) -> Any:
    return current_app.config[name]


def sentence(message: str) -> str:
    """A service message as a sentence: capitalised, with a full stop.

    >>> sentence("a user x@y.org already exists")
    'A user x@y.org already exists.'
    """
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."
