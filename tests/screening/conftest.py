"""Order builders for the screening tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

ACETONE_LINE = {"product": "Acetone, technical grade", "cas": "67-64-1", "quantity": 200, "unit": "kg"}
NPP_LINE = {
    "product": "Intermediate X",
    "smiles": "O=C1CCN(CCc2ccccc2)CC1",
    "quantity": 5,
    "unit": "kg",
    "concentration_percent": 98.5,
}
BENIGN_LINE = {"product": "Sodium chloride", "cas": "7647-14-5", "quantity": 10, "unit": "kg"}

BASE_ORDER: dict[str, Any] = {
    "reference": "PO-2026-0042",
    "order_date": "2026-11-20",
    "destination_country": "MX",
    "transit_countries": ["PA"],
    "ship_date": "2026-12-15",
    "declared_end_use": "Pharmaceutical intermediate synthesis",
    "consignee": {
        "name": "Quimica del Norte SA de CV",
        "address": "Av. Industrial 12, Monterrey, NL",
        "country": "MX",
        "kind": "distributor",
    },
    "end_user": {
        "name": "Farmaceutica Ejemplo SA",
        "address": "Monterrey",
        "country": "MX",
        "kind": "end_user",
    },
    "lines": [ACETONE_LINE, NPP_LINE],
}


def make_order(**overrides: Any) -> dict[str, Any]:
    """The contract's example order, with fields replaced."""
    order = copy.deepcopy(BASE_ORDER)
    order.update(copy.deepcopy(overrides))
    return order


@pytest.fixture()
def order() -> Any:
    return make_order
