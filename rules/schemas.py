"""Marshmallow schemas for the rule data files (one schema per file, one per entry kind).

Every rule row carries ``citation``, ``verified``, ``effective_from`` and ``effective_to`` (see
:class:`RuleMetaSchema`). Unknown fields are refused, so a typo in a field name cannot silently drop a
rule. Cross-file checks (entry ids that exist, country codes, group ids) are in ``rules.ruleset``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

REGIMES = (
    "list_I",
    "list_II",
    "schedule_II_immediate_precursor",
    "schedule_I/II_drug",
    "INCB_table_I",
    "INCB_table_II",
)
FAMILIES = (
    "ats_ephedra",
    "ats_p2p",
    "amine",
    "reductant",
    "mdma",
    "fentanyl",
    "acylating",
    "reagent",
    "methaqualone",
    "ergot",
    "ghb",
    "solvent",
    "acid",
    "oxidant",
    "pcp",
    "opioid",
    "aldehyde",
    "nitroalkane",
)
TRIGGERS = (
    "regulated_export",
    "regular_customer",
    "controlled_export",
    "pre_export_notification",
    "suspicious_order",
)
TEMPLATE_KEYS = (
    "chemical",
    "line",
    "days",
    "due_date",
    "ship_date",
    "country",
    "country_name",
    "authority",
    "consignee",
    "intermediates",
    "table",
    "regime",
)
ENTRY_ID = validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", error="must be a lowercase hyphenated entry id")
NON_EMPTY = validate.Length(min=1)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class RuleMetaSchema(StrictSchema):
    """The fields every rule row carries."""

    citation = fields.String(required=True, validate=NON_EMPTY)
    verified = fields.Boolean(required=True, truthy={True}, falsy={False})
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(load_default=None, allow_none=True)
    notes = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("effective_from"), data.get("effective_to")
        if start is not None and end is not None and end < start:
            raise ValidationError("must not be before effective_from", "effective_to")


class ThresholdComparisonSchema(RuleMetaSchema):
    rule = fields.String(required=True, validate=validate.OneOf(("at_or_above", "above")))


class RulesetFileSchema(StrictSchema):
    label = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]+$"))
    description = fields.String(load_default="")
    threshold_comparison = fields.Nested(ThresholdComparisonSchema, required=True)


class RegimeSchema(RuleMetaSchema):
    regime = fields.String(required=True, validate=validate.OneOf(REGIMES))


class ScopeAdditionSchema(RuleMetaSchema):
    scope = fields.String(required=True, validate=NON_EMPTY)
    elements = fields.List(
        fields.String(validate=validate.OneOf(("F", "Cl", "Br", "I"))), required=True, validate=NON_EMPTY
    )


class ChemicalSchema(StrictSchema):
    id = fields.String(required=True, validate=ENTRY_ID)
    name = fields.String(required=True, validate=NON_EMPTY)
    family = fields.String(required=True, validate=validate.OneOf(FAMILIES))
    synonyms = fields.List(fields.String(validate=NON_EMPTY), load_default=list)
    regimes = fields.List(fields.Nested(RegimeSchema), required=True, validate=NON_EMPTY)
    scope_additions = fields.List(fields.Nested(ScopeAdditionSchema), load_default=list)


class ThresholdSchema(RuleMetaSchema):
    id = fields.String(required=True, validate=NON_EMPTY)
    entry_id = fields.String(required=True, validate=ENTRY_ID)
    mass_kg = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0), allow_nan=False
    )
    volume_gal = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0), allow_nan=False
    )
    destinations = fields.String(required=True, validate=NON_EMPTY)
    except_countries = fields.List(fields.String(), load_default=list)

    @validates_schema
    def _has_a_quantity(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("mass_kg") is None and data.get("volume_gal") is None:
            raise ValidationError("a threshold needs mass_kg or volume_gal", "mass_kg")


class MixtureSchema(RuleMetaSchema):
    entry_id = fields.String(required=True, validate=ENTRY_ID)
    exempt_at_or_below_percent = fields.Float(
        required=True, allow_none=True, validate=validate.Range(min=0, max=100), allow_nan=False
    )
    basis = fields.String(
        load_default="weight", validate=validate.OneOf(("weight", "volume", "weight_or_volume"))
    )


class DensitySchema(StrictSchema):
    entry_id = fields.String(required=True, validate=ENTRY_ID)
    cas = fields.String(load_default=None, allow_none=True)
    kg_per_l = fields.Float(required=True, validate=validate.Range(min=0.01, max=25), allow_nan=False)
    temperature_k = fields.Float(load_default=None, allow_none=True)
    source = fields.String(load_default=None, allow_none=True)
    citation = fields.String(required=True, validate=NON_EMPTY)
    verified = fields.Boolean(required=True, truthy={True}, falsy={False})


class SolutionSchema(StrictSchema):
    entry_id = fields.String(required=True, validate=ENTRY_ID)
    concentration_percent = fields.Float(
        required=True, validate=validate.Range(min=0, max=100, min_inclusive=False)
    )
    kg_per_l = fields.Float(required=True, validate=validate.Range(min=0.01, max=25), allow_nan=False)
    solvent = fields.String(load_default="water")
    citation = fields.String(required=True, validate=NON_EMPTY)
    verified = fields.Boolean(required=True, truthy={True}, falsy={False})


class CountryGroupSchema(RuleMetaSchema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]+$"))
    name = fields.String(required=True, validate=NON_EMPTY)
    countries = fields.List(fields.String(), required=True, validate=NON_EMPTY)


class FreeTradeZoneSchema(RuleMetaSchema):
    id = fields.String(required=True, validate=NON_EMPTY)
    country = fields.String(load_default=None, allow_none=True)
    name = fields.String(required=True, validate=NON_EMPTY)
    keywords = fields.List(fields.String(validate=NON_EMPTY), required=True, validate=NON_EMPTY)


class RestrictionSchema(RuleMetaSchema):
    id = fields.String(required=True, validate=NON_EMPTY)
    country = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("import_ban",)))
    entry_ids = fields.List(fields.String(validate=ENTRY_ID), required=True, validate=NON_EMPTY)
    description = fields.String(required=True, validate=NON_EMPTY)


class PreExportNotificationSchema(RuleMetaSchema):
    country = fields.String(required=True)
    tables = fields.List(
        fields.String(validate=validate.OneOf(("I", "II"))), required=True, validate=NON_EMPTY
    )


class AuthoritySchema(RuleMetaSchema):
    country = fields.String(required=True)
    name = fields.String(required=True, validate=NON_EMPTY)
    permit = fields.String(required=True, validate=NON_EMPTY)


class ObligationSchema(RuleMetaSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9]+(_[A-Z0-9]+)*$"))
    trigger = fields.String(required=True, validate=validate.OneOf(TRIGGERS))
    days_before_ship = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=365)
    )
    days_after_ship = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=365)
    )
    text = fields.String(required=True, validate=NON_EMPTY)
    text_without_date = fields.String(required=True, validate=NON_EMPTY)

    @validates_schema
    def _templates(self, data: dict[str, Any], **_: Any) -> None:
        import string

        for name in ("text", "text_without_date"):
            template = data.get(name) or ""
            try:
                keys = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
            except ValueError as exc:
                raise ValidationError(f"bad template: {exc}", name) from exc
            unknown = sorted(k for k in keys if k not in TEMPLATE_KEYS)
            if unknown:
                raise ValidationError(
                    f"unknown placeholder(s) {unknown}; allowed: {list(TEMPLATE_KEYS)}", name
                )
        if data.get("days_before_ship") is not None and data.get("days_after_ship") is not None:
            raise ValidationError("give days_before_ship or days_after_ship, not both", "days_after_ship")


class WaiverGroupSchema(RuleMetaSchema):
    id = fields.String(required=True, validate=NON_EMPTY)
    entry_ids = fields.List(fields.String(validate=ENTRY_ID), required=True, validate=validate.Length(min=2))


class RouteIdentifierSchema(StrictSchema):
    entry_id = fields.String(load_default=None, allow_none=True, validate=ENTRY_ID)
    cas = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{2,7}-\d{2}-\d$"))
    inchikey = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$")
    )
    name = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _names_something(self, data: dict[str, Any], **_: Any) -> None:
        if not any(data.get(k) for k in ("entry_id", "cas", "inchikey", "name")):
            raise ValidationError("a route component needs an entry_id, cas, inchikey or name", "entry_id")


class RouteComponentSchema(StrictSchema):
    role = fields.String(required=True, validate=NON_EMPTY)
    optional = fields.Boolean(load_default=False)
    any_of = fields.List(fields.Nested(RouteIdentifierSchema), required=True, validate=NON_EMPTY)


class RouteSchema(RuleMetaSchema):
    id = fields.String(required=True, validate=NON_EMPTY)
    name = fields.String(required=True, validate=NON_EMPTY)
    product = fields.String(required=True, validate=NON_EMPTY)
    components = fields.List(
        fields.Nested(RouteComponentSchema),
        required=True,
        validate=validate.Length(min=2, error="a route needs at least two components"),
    )


class HistoryPolicySchema(RuleMetaSchema):
    multiple = fields.Float(required=True, validate=validate.Range(min=1), allow_nan=False)
    window_days = fields.Integer(required=True, validate=validate.Range(min=1, max=3660))


class IntermediariesSchema(RuleMetaSchema):
    kinds = fields.List(fields.String(), required=True)
    name_keywords = fields.List(fields.String(validate=NON_EMPTY), required=True)


class PhraseListSchema(RuleMetaSchema):
    phrases = fields.List(fields.String(validate=NON_EMPTY), required=True, validate=NON_EMPTY)


class VagueEndUsesSchema(PhraseListSchema):
    # Words that carry no meaning of their own ("for", "de", "uso"): an end use made only of vague
    # phrases and these is vague; "paint manufacturing" is not ("paint" is left over).
    filler_words = fields.List(fields.String(validate=NON_EMPTY), load_default=list)


class DisguiseWordsSchema(PhraseListSchema):
    # Per family, words that stay a disguise even though they name one of the family's real uses
    # (GBL really is a cleaning solvent, and "cleaner" is exactly how it is smuggled).
    known_disguises = fields.Dict(
        keys=fields.String(validate=validate.OneOf(FAMILIES)),
        values=fields.List(fields.String(validate=NON_EMPTY), validate=NON_EMPTY),
        load_default=dict,
    )


class PlausibleUsesSchema(RuleMetaSchema):
    families = fields.Dict(
        keys=fields.String(validate=validate.OneOf(FAMILIES)),
        values=fields.List(fields.String(validate=NON_EMPTY), validate=NON_EMPTY),
        required=True,
    )
    # uses of one chemical beyond its family's (phenylacetic esters are flavours; P2P is not)
    chemicals = fields.Dict(
        keys=fields.String(validate=ENTRY_ID),
        values=fields.List(fields.String(validate=NON_EMPTY), validate=NON_EMPTY),
        load_default=dict,
    )
    # uses that fit every listed chemical (laboratory analysis, quality control, reference standards)
    any_chemical = fields.List(fields.String(validate=NON_EMPTY), load_default=list)


class SplittingSchema(RuleMetaSchema):
    established_months = fields.Integer(required=True, validate=validate.Range(min=1, max=120))


class EndUserOnlySchema(RuleMetaSchema):
    entry_ids = fields.List(fields.String(validate=NON_EMPTY), required=True, validate=NON_EMPTY)


class FlagBasisSchema(RuleMetaSchema):
    flag = fields.String(required=True, validate=validate.Regexp(r"^[A-Z][A-Z0-9_]*$"))


class RedFlagsFileSchema(StrictSchema):
    history = fields.Nested(HistoryPolicySchema, required=True)
    intermediaries = fields.Nested(IntermediariesSchema, required=True)
    vague_end_uses = fields.Nested(VagueEndUsesSchema, required=True)
    plausible_end_uses = fields.Nested(PlausibleUsesSchema, required=True)
    disguise_words = fields.Nested(DisguiseWordsSchema, required=True)
    end_user_only = fields.Nested(EndUserOnlySchema, required=True)
    splitting = fields.Nested(SplittingSchema, required=True)


# Files made of lists of entries: file name -> {top-level key: (entry schema, field naming the entry)}.
LIST_FILES: dict[str, dict[str, tuple[type[Schema], str | None]]] = {
    "chemicals.yaml": {"chemicals": (ChemicalSchema, "id")},
    "thresholds.yaml": {"thresholds": (ThresholdSchema, "id")},
    "mixtures.yaml": {"mixtures": (MixtureSchema, "entry_id")},
    "densities.yaml": {"densities": (DensitySchema, "entry_id"), "solutions": (SolutionSchema, "entry_id")},
    "countries.yaml": {
        "groups": (CountryGroupSchema, "id"),
        "free_trade_zones": (FreeTradeZoneSchema, "id"),
        "restrictions": (RestrictionSchema, "id"),
        "pre_export_notification": (PreExportNotificationSchema, "country"),
        "authorities": (AuthoritySchema, "country"),
    },
    "obligations.yaml": {
        "obligations": (ObligationSchema, "code"),
        "waiver_groups": (WaiverGroupSchema, "id"),
    },
    "routes.yaml": {"routes": (RouteSchema, "id")},
    "flag_bases.yaml": {"bases": (FlagBasisSchema, "flag")},
}
# Files that are one mapping.
MAPPING_FILES: dict[str, type[Schema]] = {
    "ruleset.yaml": RulesetFileSchema,
    "red_flags.yaml": RedFlagsFileSchema,
}
REQUIRED_FILES = tuple(sorted(set(LIST_FILES) | set(MAPPING_FILES)))
