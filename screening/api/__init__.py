"""The JSON API for exporters' systems (flask-smorest): blueprints, OpenAPI document, docs page."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from . import docs, health, screenings, structures

API_TITLE = "Precursor-chemical export screening API"
API_VERSION = "1"


def init_api(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", API_TITLE)
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "Screen US export orders of chemicals against a watchlist of drug precursors and against "
                    "destination and transaction rules. Authenticate with `Authorization: Bearer <api key>`. "
                    "Results are risk signals for people to act on, not legal advice."
                )
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api = Api(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(screenings.blp)
    api.register_blueprint(structures.blp)
    app.register_blueprint(health.bp)
    app.register_blueprint(docs.bp)
    app.extensions["screening.api"] = api
    return api
