"""``/api/v1/structures/check``: screen catalogue items without an order (nothing is stored)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..documents import NOTICE, check_document
from ..schemas import CheckRequestSchema
from ..services import check_structures
from .auth import require_api_key
from .common import require_json_body
from .schemas import CheckResultsSchema

blp = Blueprint(
    "structures",
    __name__,
    url_prefix="/api/v1/structures",
    description="Check chemicals (a product catalogue, say) with the same chemistry as order lines.",
)
blp.before_request(require_api_key)
blp.before_request(require_json_body)


@blp.route("/check")
class StructureCheck(MethodView):
    @blp.arguments(CheckRequestSchema())
    @blp.response(200, CheckResultsSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Screen up to 1,000 items (each with at least one of `cas`, `smiles`, `name`)."""
        items = body["items"]
        results = check_structures(items)
        return {
            "results": [
                check_document(i, result.to_dict(), item.get("ref"))
                for i, (item, result) in enumerate(zip(items, results, strict=True))
            ],
            "watchlist_version": results[0].watchlist_version if results else "",
            "notice": NOTICE,
        }
