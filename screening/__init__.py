"""The screening service (Flask app, JSON API, pages, services, CLI).

``create_app`` lives in :mod:`screening.app`; it is imported on call so that
``screening.models`` and ``screening.services`` import without Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides settings (see :mod:`screening.config`)."""
    from .app import create_app as build

    return build(config)
