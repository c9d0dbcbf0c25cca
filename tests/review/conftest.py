"""Fixtures of the review workbench tests: users of every role, signed-in clients, flagged orders.

Vocabulary: ``liaison``/``officer``/``admin`` (users), ``as_liaison``, ``as_other_liaison``,
``as_officer``, ``as_admin`` (test clients signed in through the real sign-in page),
``flag_order(exporter, **fields)`` (screens an order through the API and returns its ids), and
``csrf_of(client, url)`` (the CSRF token of a page's forms).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from screening.db import get_database
from screening.models import Order, ReviewItem
from screening.services import Actor, create_user, get_or_create_organisation

PASSWORD = "correct-horse-battery-staple-42"
CLI = Actor.system("test")

SAFROLE = {"product": "Safrole", "cas": "94-59-7", "quantity": 1, "unit": "kg"}  # review
NPP = {  # hold: a fentanyl precursor to a distributor, named as something else
    "product": "Intermediate X",
    "smiles": "O=C1CCN(CCc2ccccc2)CC1",
    "quantity": 5,
    "unit": "kg",
    "concentration_percent": 98.5,
}
SALT = {"product": "Sodium chloride", "cas": "7647-14-5", "quantity": 10, "unit": "kg"}  # clear
CYCLOHEXANOL = {
    "product": "Cyclohexanol",
    "cas": "108-93-0",
    "quantity": 50,
    "unit": "kg",
}  # clear (unlisted)

ORDER: dict[str, Any] = {
    "reference": "PO-1",
    "order_date": "2026-11-20",
    "destination_country": "MX",
    "declared_end_use": "Pharmaceutical intermediate synthesis",
    "consignee": {
        "name": "Quimica del Norte SA de CV",
        "address": "Av. Industrial 12, Monterrey, NL",
        "country": "MX",
        "kind": "distributor",
    },
    "lines": [SAFROLE],
}


def make_order(**fields: Any) -> dict[str, Any]:
    order = copy.deepcopy(ORDER)
    order.update(copy.deepcopy(fields))
    return order


@dataclass
class Flagged:
    order_id: str
    case_id: int | None
    status: str


@pytest.fixture()
def flag_order(app: Any) -> Any:
    """``flag_order(exporter, **fields)``: screen an order through the API; its order and case ids."""

    def flag(exporter: Any, **fields: Any) -> Flagged:
        response = exporter.screen(make_order(**fields))
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        with get_database(app).session_scope() as session:
            case_id = session.scalar(select(ReviewItem.id).where(ReviewItem.order_id == body["id"]))
            assert session.get(Order, body["id"]) is not None
        return Flagged(body["id"], case_id, body["status"])

    return flag


def make_user(app: Any, email: str, role: str, org: str | None = None) -> Any:
    with get_database(app).session_scope() as session:
        organisation = get_or_create_organisation(session, org, CLI)[0] if org else None
        user = create_user(session, email, role, PASSWORD, CLI, organisation=organisation, name=None)
        return user.id


@pytest.fixture()
def liaison(app: Any) -> int:
    return make_user(app, "liaison@hsi.example", "hsi_liaison")


@pytest.fixture()
def other_liaison(app: Any) -> int:
    return make_user(app, "second.liaison@hsi.example", "hsi_liaison")


@pytest.fixture()
def officer(app: Any) -> int:
    return make_user(app, "officer@acme.example", "compliance_officer", "Acme Exports LLC")


@pytest.fixture()
def admin(app: Any) -> int:
    return make_user(app, "admin@service.example", "admin")


def csrf_of(client: Any, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def sign_in(app: Any, email: str, address: str = "127.0.0.1") -> Any:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_of(client, "/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture()
def as_liaison(app: Any, liaison: int) -> Any:
    return sign_in(app, "liaison@hsi.example")


@pytest.fixture()
def as_other_liaison(app: Any, other_liaison: int) -> Any:
    return sign_in(app, "second.liaison@hsi.example")


@pytest.fixture()
def as_officer(app: Any, officer: int) -> Any:
    return sign_in(app, "officer@acme.example")


@pytest.fixture()
def as_admin(app: Any, admin: int) -> Any:
    return sign_in(app, "admin@service.example")


def post_form(client: Any, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    """POST a form with the CSRF token taken from ``page`` (default: the case page of ``url``)."""
    token = csrf_of(client, page or url.rsplit("/", 1)[0])
    return client.post(url, data={**data, "csrf_token": token})
