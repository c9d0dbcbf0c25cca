"""``/api/v1/screenings``: submit an order for screening, fetch one, list them."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from ..db import get_session
from ..documents import screening_document, screening_summary
from ..schemas import OrderSchema
from ..services import get_order, list_orders, screen_order
from .auth import current_actor, current_organisation, require_api_key
from .common import require_json_body
from .schemas import ListQuerySchema, ScreeningPageSchema, ScreeningSchema

MAX_IDEMPOTENCY_KEY = 255


def json_response(
    document: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The screening document (``screening.documents.screening_document``, in ScreeningSchema's shape) as
    JSON, sent as built: no second pass through the schema."""
    response = current_app.response_class(
        current_app.json.dumps(document), status=status, mimetype="application/json"
    )
    response.headers.update(headers or {})
    return response


blp = Blueprint(
    "screenings",
    __name__,
    url_prefix="/api/v1/screenings",
    description="Screen export orders and read the results. Every call needs an API key.",
)
blp.before_request(require_api_key)
blp.before_request(require_json_body)

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": (
        "A retry with the same key and body returns the first result (200) and stores nothing new;"
        " the same key with a different body is refused (422)."
    ),
}


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        abort(
            400,
            message="Idempotency-Key must be 1 to 255 characters",
            errors={"headers": {"Idempotency-Key": ["must be 1 to 255 characters"]}},
        )
    return key


@blp.route("")
class Screenings(MethodView):
    @blp.arguments(ListQuerySchema(), location="query")
    @blp.response(200, ScreeningPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List your organisation's screenings, newest first.

        Filters: `status` (repeat or comma-separate), `reference` (exact, or a prefix ending in `*`),
        `date_from`/`date_to` (screening date, UTC), `chemical` (a watchlist entry id).
        """
        config = current_app.config
        per_page = min(
            query.get("per_page") or config["SCREENING_PAGE_SIZE"], config["SCREENING_MAX_PAGE_SIZE"]
        )
        statuses = [s for value in query["status"] for s in value.split(",") if s]
        page = list_orders(
            get_session(),
            current_organisation(),
            page=query["page"],
            per_page=per_page,
            status=statuses,
            reference=query.get("reference"),
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
            entry_id=query.get("chemical"),
        )
        return {
            "items": [screening_summary(order, order.review_item) for order in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
        }

    @blp.arguments(OrderSchema())
    @blp.response(201, ScreeningSchema, description="Screened and stored")
    @blp.alt_response(200, schema=ScreeningSchema, description="Idempotent replay: the first result")
    @blp.doc(parameters=[IDEMPOTENCY_PARAMETER])
    def post(self, order_data: dict[str, Any]) -> Response:
        """Screen an export order.

        Each line's chemical is resolved and matched against the watchlist; the order is checked
        against the destination and transaction rules with your history with this consignee.
        """
        session = get_session()
        outcome = screen_order(
            session,
            current_organisation(),
            order_data,
            current_actor(),
            idempotency_key=idempotency_key(),
            raw_body=request.get_json(),
            via="api",
            history_days=int(current_app.config["SCREENING_HISTORY_DAYS"]),
        )
        if not outcome.replayed:
            session.commit()
        order = outcome.order
        document = screening_document(order, outcome.screening, order.review_item)
        location = url_for("screenings.ScreeningById", screening_id=order.id)
        return json_response(document, 200 if outcome.replayed else 201, {"Location": location})


@blp.route("/<string:screening_id>")
class ScreeningById(MethodView):
    @blp.response(200, ScreeningSchema)
    def get(self, screening_id: str) -> Response:
        """Fetch one of your screenings, with the review state once a reviewer has acted."""
        order = get_order(get_session(), screening_id, current_organisation())
        assert order.latest_screening is not None
        return json_response(screening_document(order, order.latest_screening, order.review_item))
