"""A re-screening judges an order by what came before it, never by orders submitted later."""

from __future__ import annotations

from typing import Any

import pytest

from screening.db import get_database
from screening.models import Order
from screening.services import Actor, rescreen_order
from screening.services import screenings as screening_service

MIBK_800_KG = {"product": "Methyl isobutyl ketone", "cas": "108-10-1", "quantity": 800, "unit": "kg"}
MONTHLY_FLAGS = {"CUMULATIVE_THRESHOLD_MET", "SPLIT_BELOW_THRESHOLD"}


def _flag_codes(document: dict[str, Any]) -> set[str]:
    return {flag["code"] for flag in document["flags"]}


def test_rescreening_an_earlier_order_ignores_later_orders(
    app: Any, as_exporter: Any, order: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two 800 kg MIBK orders in one month to one consignee: together over the 1,523 kg threshold
    # (60 FR 19509), so only the second one crosses it.
    first = as_exporter.screen(order(reference="MIBK-1", transit_countries=[], lines=[MIBK_800_KG]))
    second = as_exporter.screen(order(reference="MIBK-2", transit_countries=[], lines=[MIBK_800_KG]))
    assert first.status_code == second.status_code == 201
    assert not _flag_codes(first.json) & MONTHLY_FLAGS
    assert _flag_codes(second.json) & MONTHLY_FLAGS

    # Pretend the watchlist changed so the first order is screened again.
    monkeypatch.setattr(screening_service, "_same_versions", lambda *args: False)
    with get_database(app).session_scope() as session:
        stored = session.get(Order, first.json["id"])
        again = rescreen_order(session, stored, Actor.system("test"))
        assert again is not None
        codes = {flag.code for flag in again.flags}
    assert not codes & MONTHLY_FLAGS
