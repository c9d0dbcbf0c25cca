"""Whole export orders, end to end through ``POST /api/v1/screenings``.

The orders and what a compliance expert expects of each live in
``orders.yaml`` beside this file (with the regulation behind each
expectation). Every order goes through the real API with the Flask test
client, as an exporter with an API key, on SQLite or on PostgreSQL when
``TEST_DATABASE_URL`` is set. Sequences submit several orders in turn for one
exporter, so monthly totals, consignee history and split synthesis routes are
exercised through the service's own history.

Cases marked ``xfail`` name a chemistry or service problem owned elsewhere;
they are strict, so a fix shows up as a failure to un-mark.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
STATUSES = ("clear", "review", "hold")


def load_cases() -> dict[str, Any]:
    with open(os.path.join(HERE, "orders.yaml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


CASES = load_cases()
DEFAULTS: dict[str, Any] = CASES["defaults"]


def build_order(order: dict[str, Any]) -> dict[str, Any]:
    """The request body: the case's fields over the file's defaults."""
    body = copy.deepcopy(DEFAULTS)
    body.update(copy.deepcopy(order))
    return body


def line_entries(line: dict[str, Any]) -> set[str]:
    """Entry ids a line matched, and the listed chemicals its analogue matches lead to."""
    found: set[str] = set()
    for match in line.get("matches") or []:
        found.add(match["entry_id"])
        if match.get("leads_to"):
            found.add(match["leads_to"])
    return found


def describe(body: dict[str, Any]) -> str:
    lines = [
        f"line {line['index']}: {line['classification']} {sorted(line_entries(line))}"
        for line in body.get("lines", [])
    ]
    flags = [f"{flag['code']}({flag['severity']}, line {flag['line']})" for flag in body.get("flags", [])]
    return f"status={body.get('status')}; " + "; ".join(lines) + "; flags: " + ", ".join(flags)


def check(body: dict[str, Any], expect: dict[str, Any], case_id: str) -> None:
    """Assert one screening document against a case's expectations."""
    seen = describe(body)
    status = body["status"]
    if "status" in expect:
        assert status == expect["status"], f"{case_id}: expected {expect['status']}, got {seen}"
    if "status_in" in expect:
        assert status in expect["status_in"], f"{case_id}: expected one of {expect['status_in']}, got {seen}"
    flags = body["flags"]
    for code, severity in (expect.get("flags") or {}).items():
        hits = [flag for flag in flags if flag["code"] == code]
        assert hits, f"{case_id}: flag {code} missing; {seen}"
        if severity is not None:
            assert any(flag["severity"] == severity for flag in hits), (
                f"{case_id}: flag {code} expected at {severity}; {seen}"
            )
    for code in expect.get("absent") or []:
        assert all(flag["code"] != code for flag in flags), f"{case_id}: flag {code} must not appear; {seen}"
    for code in expect.get("absent_hold") or []:
        assert all(flag["code"] != code or flag["severity"] != "hold" for flag in flags), (
            f"{case_id}: flag {code} must not be hold; {seen}"
        )
    actions = [action["code"] for action in body.get("required_actions_detail", [])]
    for code in expect.get("actions") or []:
        assert code in actions, f"{case_id}: required action {code} missing; actions {actions}; {seen}"
    for code in expect.get("absent_actions") or []:
        assert code not in actions, f"{case_id}: required action {code} must not appear; actions {actions}"
    for code, count in (expect.get("action_counts") or {}).items():
        assert actions.count(code) == count, f"{case_id}: expected {count} x {code}; actions {actions}"
    for index, line_expect in (expect.get("lines") or {}).items():
        line = body["lines"][int(index)]
        if "classification" in line_expect:
            assert line["classification"] == line_expect["classification"], (
                f"{case_id}: line {index} expected {line_expect['classification']}; {seen}"
            )
        if "entry" in line_expect:
            assert line_expect["entry"] in line_entries(line), (
                f"{case_id}: line {index} expected entry {line_expect['entry']}; {seen}"
            )
        if "inchikey" in line_expect:
            assert (line["resolved"] or {}).get("inchikey") == line_expect["inchikey"], (
                f"{case_id}: line {index} expected InChIKey {line_expect['inchikey']}, got {line['resolved']}"
            )


def marks_for(case: dict[str, Any]) -> list[Any]:
    if case.get("xfail"):
        return [pytest.mark.xfail(reason=case["xfail"], strict=True)]
    return []


def screen(exporter: Any, order: dict[str, Any], case_id: str) -> dict[str, Any]:
    response = exporter.screen(build_order(order))
    assert response.status_code == 201, f"{case_id}: HTTP {response.status_code} {response.get_json()}"
    body = response.get_json()
    assert body["status"] in STATUSES
    return body


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case["id"], marks=marks_for(case)) for case in CASES["orders"]]
)
def test_order(case: dict[str, Any], as_exporter: Any) -> None:
    body = screen(as_exporter, case["order"], case["id"])
    check(body, case["expect"], case["id"])


@pytest.mark.parametrize(
    "sequence", [pytest.param(seq, id=seq["id"], marks=marks_for(seq)) for seq in CASES["sequences"]]
)
def test_sequence(sequence: dict[str, Any], as_exporter: Any) -> None:
    for number, step in enumerate(sequence["steps"]):
        case_id = f"{sequence['id']} step {number}"
        body = screen(as_exporter, step["order"], case_id)
        check(body, step["expect"], case_id)


@pytest.mark.parametrize("case", [pytest.param(case, id=case["id"]) for case in CASES["invalid"]])
def test_invalid_order_is_refused_naming_the_field(case: dict[str, Any], as_exporter: Any) -> None:
    before = as_exporter.get("/api/v1/screenings").get_json()
    response = as_exporter.screen(build_order(case["order"]))
    assert response.status_code in (400, 422), response.get_json()
    assert case["field"] in json.dumps(response.get_json()), response.get_json()
    assert as_exporter.get("/api/v1/screenings").get_json() == before


def test_the_case_file_is_well_formed() -> None:
    """Every case has an id, a reason and an expectation the runner understands."""
    ids = [case["id"] for case in CASES["orders"]] + [seq["id"] for seq in CASES["sequences"]]
    assert len(ids) == len(set(ids))
    references = [case["order"]["reference"] for case in CASES["orders"]]
    assert len(references) == len(set(references))
    known = {
        "status",
        "status_in",
        "flags",
        "absent",
        "absent_hold",
        "lines",
        "actions",
        "absent_actions",
        "action_counts",
    }
    expectations = [case["expect"] for case in CASES["orders"]]
    expectations += [step["expect"] for seq in CASES["sequences"] for step in seq["steps"]]
    for expect in expectations:
        assert set(expect) <= known
        assert "status" in expect or "status_in" in expect
        assert set(expect.get("status_in") or [expect.get("status")]) <= set(STATUSES)
    for case in CASES["orders"] + CASES["sequences"]:
        assert case.get("why"), case["id"]
