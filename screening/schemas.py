"""What an order and a catalogue check must look like: validated the same way by the API and the web form.

Loading an :class:`OrderSchema` gives the ``order_data`` that
``screening.services.screen_order`` takes. Unknown fields are rejected (a
misspelt ``concentration_percent`` must not silently become 100 %).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_app_context
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

PARTY_KINDS = ("end_user", "distributor", "freight_forwarder", "broker", "other")
IDENTIFIER_FIELDS = ("cas", "smiles", "name", "inchi", "inchikey")
REQUIRED_IDENTIFIERS = ("cas", "smiles", "name")  # the contract's; inchi/inchikey are extensions

# Fallbacks when no app is around (the app's settings win: SCREENING_MAX_LINES, SCREENING_MAX_CHECK_ITEMS).
DEFAULT_MAX_LINES = 200
DEFAULT_MAX_CHECK_ITEMS = 1000
MAX_TRANSIT_COUNTRIES = 20
MAX_QUANTITY = 1e12  # a sanity bound on input size, not a regulatory figure


def setting(name: str, default: int) -> int:
    if has_app_context():
        return int(current_app.config.get(name, default))
    return default


def validate_country(code: str) -> None:
    from rules.countries import is_valid_country

    if not is_valid_country(code):
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 country code.")


MAX_UNIT_LENGTH = 32


class Unit(fields.String):
    """A unit of quantity in any accepted spelling ("lbs", "litros"), kept as the accepted one ("lb", "L")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        from rules.units import UNITS, UnitError, canonical_unit

        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > MAX_UNIT_LENGTH:
            raise ValidationError(f"Longer than {MAX_UNIT_LENGTH} characters: not a unit.")
        try:
            return canonical_unit(text)
        except UnitError:
            raise ValidationError(
                f"Unknown unit {text!r}; use one of: {', '.join(UNITS)} (usual spellings such as lbs, "
                "litres or gallons are read too)."
            ) from None


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code; accepted in any case, stored upper-case."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ValidationError("Must be a two-letter ISO 3166-1 alpha-2 country code.")
        validate_country(code)
        return code


class OptionalText(fields.String):
    """A string that may be omitted, null or blank (blank counts as not given)."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        super().__init__(allow_none=True, validate=validate.Length(max=max_length), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        return (text.strip() or None) if text is not None else None

    def _validate(self, value: Any) -> None:
        if value is not None:  # a blank string became None above: nothing left to measure
            super()._validate(value)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class PartySchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    address = OptionalText(1000)
    country = CountryCode(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PARTY_KINDS))

    @validates("name")
    def validate_name(self, value: str, **_: Any) -> None:
        if not value.strip():
            raise ValidationError("Must not be blank.")


class IdentifiersSchema(StrictSchema):
    cas = OptionalText(64, metadata={"description": "CAS Registry Number, e.g. 67-64-1"})
    smiles = OptionalText(5000, metadata={"description": "SMILES of the chemical as sold (salts allowed)"})
    name = OptionalText(300, metadata={"description": "chemical name (IUPAC, common or trade name)"})
    inchi = OptionalText(5000, metadata={"description": "standard InChI (extension)"})
    inchikey = OptionalText(64, metadata={"description": "InChIKey (extension)"})

    @validates_schema
    def require_identifier(self, data: dict[str, Any], **_: Any) -> None:
        if not any(data.get(f) for f in IDENTIFIER_FIELDS):
            raise ValidationError(f"Give at least one of {', '.join(REQUIRED_IDENTIFIERS)}.")


class LineSchema(IdentifiersSchema):
    product = OptionalText(300, metadata={"description": "the product name on the order"})
    quantity = fields.Float(
        required=True, validate=validate.Range(min=0, min_inclusive=False, max=MAX_QUANTITY)
    )
    unit = Unit(
        required=True,
        metadata={"description": "mg, g, kg, t, lb, mL, L, gal (or spellings such as lbs, litres, gallons)"},
    )
    concentration_percent = fields.Float(
        allow_none=True,
        validate=validate.Range(min=0, min_inclusive=False, max=100),
        metadata={"description": "percent by weight of the chemical in what is shipped; default 100"},
    )


class OrderSchema(StrictSchema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    order_date = fields.Date(
        allow_none=True, metadata={"description": "places the order in its calendar month; default today"}
    )
    destination_country = CountryCode(required=True)
    transit_countries = fields.List(
        CountryCode(),
        load_default=list,
        allow_none=True,  # null: no transit, as when omitted
        validate=validate.Length(max=MAX_TRANSIT_COUNTRIES),
    )
    ship_date = fields.Date(allow_none=True)
    declared_end_use = OptionalText(1000)
    consignee = fields.Nested(PartySchema, required=True)
    end_user = fields.Nested(PartySchema, allow_none=True)
    lines = fields.List(fields.Nested(LineSchema), required=True)

    @validates_schema
    def validate_export(self, data: dict[str, Any], **_: Any) -> None:
        from rules import current_ruleset

        order_date = data.get("order_date") or datetime.now(UTC).date()
        destination = data.get("destination_country")
        if destination and destination in current_ruleset().group_members("domestic", order_date):
            raise ValidationError(
                f"{destination} is in the United States: this service screens exports; give the country"
                " the goods are exported to.",
                "destination_country",
            )
        # Only when both are given: an order without a date is dated today.
        if data.get("order_date") and data.get("ship_date") and data["ship_date"] < data["order_date"]:
            raise ValidationError("Must not be before order_date.", "ship_date")

    @validates("reference")
    def validate_reference(self, value: str, **_: Any) -> None:
        if not value.strip():
            raise ValidationError("Must not be blank.")

    @validates("lines")
    def validate_lines(self, value: list[Any], **_: Any) -> None:
        limit = setting("SCREENING_MAX_LINES", DEFAULT_MAX_LINES)
        if not value:
            raise ValidationError("An order needs at least one line.")
        if len(value) > limit:
            raise ValidationError(f"At most {limit} lines per order; split larger orders.")


class CheckItemSchema(IdentifiersSchema):
    ref = OptionalText(100, metadata={"description": "your own reference for the item, echoed back"})


class CheckRequestSchema(StrictSchema):
    items = fields.List(fields.Nested(CheckItemSchema), required=True)

    @validates("items")
    def validate_items(self, value: list[Any], **_: Any) -> None:
        limit = setting("SCREENING_MAX_CHECK_ITEMS", DEFAULT_MAX_CHECK_ITEMS)
        if not value:
            raise ValidationError("Give at least one item.")
        if len(value) > limit:
            raise ValidationError(f"At most {limit} items per request.")
