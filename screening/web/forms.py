"""The order form: read what was typed, turn it into the API's order JSON, validate it with the API's schema.

The form is flat HTML fields (``consignee-name``, ``lines-0-quantity`` ...). :func:`read_order_form`
keeps every value as typed, so a page re-rendered after an error loses nothing;
:func:`validate_order_form` builds the same JSON body an exporter's system would send and loads
it with :class:`screening.schemas.OrderSchema`, mapping each error back to the field it concerns.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from rules.units import UnitError, canonical_unit

from ..schemas import PARTY_KINDS, OrderSchema

LINE_FIELDS = ("product", "cas", "chemical", "kind", "quantity", "unit", "concentration_percent")
PARTY_FIELDS = ("name", "address", "country", "kind")
ORDER_FIELDS = ("reference", "order_date", "ship_date", "destination_country", "declared_end_use")
CHEMICAL_KINDS = (("auto", "Detect"), ("smiles", "SMILES"), ("name", "Name"))
UNITS = ("kg", "g", "mg", "t", "lb", "L", "mL", "gal")
PARTY_KIND_LABELS = {
    "end_user": "End user",
    "distributor": "Distributor",
    "freight_forwarder": "Freight forwarder",
    "broker": "Broker",
    "other": "Other",
}
MAX_FORM_LINES = 500  # a bound on what one form post may carry; the schema applies SCREENING_MAX_LINES

_CAS = re.compile(r"^\s*\d{2,7}-\d{2}-\d\s*$")
# One token of the SMILES alphabet: bracket atoms, two-letter organic-subset halogens, organic-subset
# and aromatic atoms, ring closures, bonds, branches, charges and dots.
_SMILES_TOKEN = r"(?:\[[^\[\]\s]{1,40}\]|Cl|Br|[BCNOSPFI]|[bcnops]|%\d\d|\d|[=#$:/\\()+\-.@*~])"
_SMILES = re.compile(rf"^{_SMILES_TOKEN}+$")
_PLAIN_ATOMS = re.compile(r"^[CNO]+$")


def detect_identifier(text: str) -> str:
    """Whether free text in a line's chemical box is a CAS number, a SMILES or a name.

    A run of capitals such as ``NPP`` or ``PCC`` is read as a name (an abbreviation), except chains
    of C, N and O alone (``CCO``), which are SMILES; the page shows how it was read, and the
    officer can choose SMILES or name explicitly.

    >>> [detect_identifier(t) for t in ("67-64-1", "CC(=O)C", "CCO", "c1ccccc1", "acetone", "NPP",
    ...                                   "Benzyl cyanide", "O=C1CCN(CCc2ccccc2)CC1", "[Na+].[Cl-]")]
    ['cas', 'smiles', 'smiles', 'smiles', 'name', 'name', 'name', 'smiles', 'smiles']
    """
    text = text.strip()
    if _CAS.match(text):
        return "cas"
    if not text or any(c.isspace() for c in text) or not _SMILES.match(text):
        return "name"
    if text.isalpha() and text.isupper() and not _PLAIN_ATOMS.match(text):
        return "name"
    return "smiles"


def line_identifiers(line: Mapping[str, str]) -> dict[str, str]:
    """The identifiers (``cas``, ``smiles``, ``name``) one form line gives, as the API takes them.

    >>> line_identifiers({"cas": "67-64-1", "chemical": "acetone", "kind": "auto"})
    {'cas': '67-64-1', 'name': 'acetone'}
    >>> line_identifiers({"cas": "", "chemical": "103-79-7", "kind": "auto"})
    {'cas': '103-79-7'}
    >>> line_identifiers({"chemical": "CCO", "kind": "name"})
    {'name': 'CCO'}
    """
    ids: dict[str, str] = {}
    cas = (line.get("cas") or "").strip()
    chemical = (line.get("chemical") or "").strip()
    if cas:
        ids["cas"] = cas
    if chemical:
        kind = line.get("kind") or "auto"
        if kind not in ("smiles", "name"):
            kind = detect_identifier(chemical)
        if kind == "cas" and "cas" in ids and ids["cas"] != chemical:
            kind = "name"  # two CAS numbers: the second is sent as a name, and the conflict is reported
        ids[kind] = chemical
    return ids


def blank_line() -> dict[str, str]:
    return {name: "" for name in LINE_FIELDS} | {"kind": "auto", "unit": "kg"}


def line_is_blank(line: Mapping[str, str]) -> bool:
    return not any(
        (line.get(name) or "").strip()
        for name in ("product", "cas", "chemical", "quantity", "concentration_percent")
    )


@dataclass
class OrderForm:
    """What the officer typed, as strings, and the errors to show next to each field."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general_errors: list[str] = field(default_factory=list)
    submission: str = ""

    def value(self, name: str) -> Any:
        return self.values.get(name, "")

    def error(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.general_errors)


def new_order_form(blank_lines: int, submission: str) -> OrderForm:
    form = OrderForm(submission=submission)
    form.values = {name: "" for name in ORDER_FIELDS} | {"transit_countries": []}
    for party in ("consignee", "end_user"):
        for name in PARTY_FIELDS:
            form.values[f"{party}-{name}"] = ""
    form.values["consignee-kind"] = "distributor"
    form.values["end_user-kind"] = "end_user"
    form.lines = [blank_line() for _ in range(blank_lines)]
    return form


def read_order_form(data: MultiDict[str, str]) -> OrderForm:
    """Every value of a posted order form, as typed (lines in their order on the page)."""
    form = OrderForm(submission=(data.get("submission") or "")[:64])
    for name in ORDER_FIELDS:
        form.values[name] = data.get(name, "")
    form.values["transit_countries"] = [c for c in data.getlist("transit_countries") if c][:50]
    for party in ("consignee", "end_user"):
        for name in PARTY_FIELDS:
            form.values[f"{party}-{name}"] = data.get(f"{party}-{name}", "")
    indexes = sorted({int(m.group(1)) for key in data.keys() if (m := re.match(r"^lines-(\d{1,4})-", key))})[
        :MAX_FORM_LINES
    ]
    for i in indexes:
        line = blank_line()
        for name in LINE_FIELDS:
            line[name] = data.get(f"lines-{i}-{name}", line[name])
        form.lines.append(line)
    return form


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _party_body(form: OrderForm, party: str) -> dict[str, Any] | None:
    values = {name: _text(form.values.get(f"{party}-{name}")) for name in PARTY_FIELDS}
    if party == "end_user" and not (values["name"] or values["address"] or values["country"]):
        return None  # the end user is optional: a kind alone does not make one
    return {name: value for name, value in values.items() if value or name in ("name", "country", "kind")}


def order_body(form: OrderForm) -> tuple[dict[str, Any], list[int]]:
    """The order JSON the form stands for (as an exporter's system would send it), and for each of its
    lines the index of the form line it came from (blank form lines are left out)."""
    body: dict[str, Any] = {"reference": _text(form.values.get("reference"))}
    for name in ("order_date", "ship_date", "declared_end_use"):
        if _text(form.values.get(name)):
            body[name] = _text(form.values.get(name))
    body["destination_country"] = _text(form.values.get("destination_country"))
    body["transit_countries"] = list(form.values.get("transit_countries") or [])
    body["consignee"] = _party_body(form, "consignee")
    end_user = _party_body(form, "end_user")
    if end_user is not None:
        body["end_user"] = end_user
    lines: list[dict[str, Any]] = []
    origin: list[int] = []
    for i, line in enumerate(form.lines):
        if line_is_blank(line):
            continue
        item: dict[str, Any] = {}
        if _text(line.get("product")):
            item["product"] = _text(line.get("product"))
        item.update(line_identifiers(line))
        item["quantity"] = _text(line.get("quantity"))
        item["unit"] = _text(line.get("unit"))
        if _text(line.get("concentration_percent")):
            item["concentration_percent"] = _text(line.get("concentration_percent"))
        lines.append(item)
        origin.append(i)
    body["lines"] = lines
    return body, origin


_LINE_FIELD_FOR = {
    "cas": "cas",
    "smiles": "chemical",
    "name": "chemical",
    "inchi": "chemical",
    "inchikey": "chemical",
    "_schema": "chemical",
    "product": "product",
    "quantity": "quantity",
    "unit": "unit",
    "concentration_percent": "concentration_percent",
}
_FRIENDLY = {
    "Missing data for required field.": "Required.",
    "Field may not be null.": "Required.",
    "Not a valid number.": "Enter a number.",
    "Not a valid date.": "Enter a date as YYYY-MM-DD.",
}


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    text = str(value)
    if text.startswith("Give at least one of"):
        return ["Enter a CAS number, a SMILES or a chemical name."]
    return [_FRIENDLY.get(text, text)]


def apply_schema_errors(form: OrderForm, messages: Mapping[str, Any], origin: list[int]) -> None:
    """Put the schema's errors next to the fields they concern."""
    for key, value in messages.items():
        if key in ("consignee", "end_user") and isinstance(value, dict):
            for name, inner in value.items():
                target = f"{key}-{name}" if name in PARTY_FIELDS else f"{key}-name"
                for message in _messages(inner):
                    form.add_error(target, message)
        elif key == "lines" and isinstance(value, dict):
            for index, inner in value.items():
                try:
                    row = origin[int(index)]
                except (ValueError, IndexError):
                    form.general_errors.extend(_messages(inner))
                    continue
                entries = inner.items() if isinstance(inner, dict) else [("_schema", inner)]
                for name, problems in entries:
                    target = f"lines-{row}-{_LINE_FIELD_FOR.get(name, 'chemical')}"
                    for message in _messages(problems):
                        form.add_error(target, message)
        elif key == "lines":
            form.general_errors.extend(_messages(value))
        elif key in ORDER_FIELDS or key == "transit_countries":
            for message in _messages(value):
                form.add_error(key, message)
        else:
            form.general_errors.extend(f"{key}: {m}" for m in _messages(value))


def validate_order_form(form: OrderForm) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The loaded ``order_data`` for ``screen_order`` (None when invalid; errors then sit on ``form``),
    and the JSON body it was loaded from."""
    body, origin = order_body(form)
    for i, line in enumerate(form.lines):
        chemical = _text(line.get("chemical"))
        cas = _text(line.get("cas"))
        if (
            chemical
            and cas
            and _CAS.match(chemical)
            and (line.get("kind") or "auto") == "auto"
            and chemical != cas
        ):
            form.add_error(
                f"lines-{i}-chemical", "Two different CAS numbers on one line: keep one in the CAS box."
            )
    try:
        order_data = OrderSchema().load(body)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        apply_schema_errors(form, messages, origin)
        return None, body
    if form.has_errors:
        return None, body
    return order_data, body


# --- pasting an order from a spreadsheet ---

PASTE_COLUMNS = ("product", "chemical", "quantity", "unit", "concentration_percent")


def parse_paste(text: str, max_lines: int) -> tuple[list[dict[str, str]], list[str]]:
    """Lines from tab-separated rows: product, CAS/SMILES/name, quantity, unit, concentration (%).

    A header row (a quantity column that is not a number) is skipped. Returns the lines and the
    problems found (by row number); rows with problems are still returned, so nothing is lost.

    >>> rows = "Product\\tChemical\\tQty\\tUnit\\nAcetone tech\\t67-64-1\\t200\\tkg\\n"
    >>> lines, problems = parse_paste(rows + "X\\tO=C1CCNCC1\\t5\\tkg\\t98.5", 200)
    >>> [(l["product"], l["cas"], l["chemical"], l["quantity"], l["concentration_percent"]) for l in lines]
    [('Acetone tech', '67-64-1', '', '200', ''), ('X', '', 'O=C1CCNCC1', '5', '98.5')]
    >>> problems
    []
    """
    lines: list[dict[str, str]] = []
    problems: list[str] = []
    rows = [row for row in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if row.strip()]
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row.split("\t")]
        if len(cells) == 1 and row.count(",") >= 2:
            cells = [cell.strip() for cell in row.split(",")]  # comma-separated text pasted by hand
        if number == 1 and len(cells) > 2 and not _looks_numeric(cells[2]):
            continue  # a header row
        line = blank_line()
        for name, cell in zip(PASTE_COLUMNS, cells, strict=False):
            line[name] = cell
        if detect_identifier(line["chemical"]) == "cas":
            line["cas"], line["chemical"] = line["chemical"], ""
        if line["unit"]:
            with contextlib.suppress(UnitError):  # an unknown unit stays as pasted, for the schema to refuse
                line["unit"] = canonical_unit(line["unit"])
        else:
            line["unit"] = "kg"
        if len(cells) < 3:
            problems.append(
                f"Row {number}: expected product, chemical, quantity, unit, concentration (tab-separated)."
            )
        if line["concentration_percent"].endswith("%"):
            line["concentration_percent"] = line["concentration_percent"].rstrip("%").strip()
        lines.append(line)
        if len(lines) >= max_lines:
            problems.append(
                f"Only the first {max_lines} rows were taken (the most lines one order may have)."
            )
            break
    if not lines:
        problems.append("Nothing to paste: copy rows from the spreadsheet, one order line per row.")
    return lines, problems


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def party_kind_options() -> list[tuple[str, str]]:
    return [(kind, PARTY_KIND_LABELS.get(kind, kind)) for kind in PARTY_KINDS]


FIELD_LABELS = {
    "reference": "Reference",
    "order_date": "Order date",
    "ship_date": "Ship date",
    "destination_country": "Destination country",
    "transit_countries": "Transit countries",
    "declared_end_use": "Declared end use",
    "paste": "Pasted rows",
    "product": "product",
    "cas": "CAS number",
    "chemical": "SMILES or name",
    "kind": "read as",
    "quantity": "quantity",
    "unit": "unit",
    "concentration_percent": "concentration",
    "name": "name",
    "address": "address",
    "country": "country",
}


def field_label(name: str) -> str:
    """How the error summary names a form field (lines counted from 1, as the page shows them).

    >>> field_label("lines-1-quantity"), field_label("consignee-country"), field_label("ship_date")
    ('Line 2: quantity', 'Consignee: country', 'Ship date')
    """
    line = re.match(r"^lines-(\d+)-(\w+)$", name)
    if line:
        return f"Line {int(line.group(1)) + 1}: {FIELD_LABELS.get(line.group(2), line.group(2))}"
    party, _, part = name.partition("-")
    if part:
        who = "Consignee" if party == "consignee" else "End user"
        return f"{who}: {FIELD_LABELS.get(part, part)}"
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
