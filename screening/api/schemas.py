"""What the API returns: the response documents of the published contract, plus documented extensions."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..models import STATUSES
from ..services.pagination import MAX_PAGE


class ResolvedSchema(Schema):
    smiles = fields.String()
    inchikey = fields.String()
    source = fields.String(metadata={"description": "which identifier produced the structure"})
    name = fields.String(allow_none=True)
    formula = fields.String(allow_none=True)
    as_given_smiles = fields.String(allow_none=True)
    components = fields.List(fields.Dict())


class MatchSchema(Schema):
    entry_id = fields.String()
    name = fields.String()
    cas = fields.String(allow_none=True)
    lists = fields.List(fields.String())
    match_type = fields.String(metadata={"description": "exact | salt_or_isomer | class | similarity"})
    score = fields.Float()
    listed = fields.Boolean(metadata={"description": "whether this match makes the chemical itself listed"})
    reason = fields.String()
    citation = fields.String()
    verified = fields.Boolean()
    class_id = fields.String(allow_none=True)
    leads_to = fields.String(allow_none=True)
    step = fields.String(allow_none=True)
    regimes = fields.List(fields.Dict())
    component = fields.Integer()
    atoms = fields.List(fields.Integer())
    bonds = fields.List(fields.Integer())


class FindingSchema(Schema):
    code = fields.String()
    message = fields.String()
    field = fields.String(allow_none=True)
    detail = fields.Dict()


class NearestSchema(Schema):
    entry_id = fields.String()
    name = fields.String()
    score = fields.Float()


class LineResultSchema(Schema):
    index = fields.Integer()
    ref = fields.String(allow_none=True)
    resolved = fields.Nested(ResolvedSchema, allow_none=True)
    classification = fields.String(metadata={"description": "listed | analog | none | unresolved"})
    matches = fields.List(fields.Nested(MatchSchema))
    findings = fields.List(fields.Nested(FindingSchema))
    screened = fields.Boolean(metadata={"description": "false when the structure could not be screened"})
    nearest = fields.Nested(NearestSchema, allow_none=True)
    parent_mass_fraction = fields.Float(allow_none=True)


class FlagSchema(Schema):
    code = fields.String()
    severity = fields.String(metadata={"description": "info | review | hold"})
    line = fields.Integer(allow_none=True)
    message = fields.String()
    citation = fields.String()
    evidence = fields.Dict()
    verified = fields.Boolean(metadata={"description": "false when the flag rests on an unverified figure"})


class RequiredActionSchema(Schema):
    code = fields.String()
    text = fields.String()
    citation = fields.String()
    due_date = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    verified = fields.Boolean()


class DecisionSchema(Schema):
    reason_code = fields.String(
        metadata={
            "description": "cleared | cleared_with_conditions | information_requested | "
            "referred_for_investigation | escalated"
        }
    )
    decided_at = fields.String(metadata={"description": "UTC, ISO 8601"})
    message = fields.String(
        allow_none=True, metadata={"description": "the reviewer's message to the exporter"}
    )


class ReviewStateSchema(Schema):
    state = fields.String(metadata={"description": "open | claimed | decided"})
    updated_at = fields.String(metadata={"description": "UTC, ISO 8601"})
    decision = fields.Nested(DecisionSchema, allow_none=True)


class ScreeningSchema(Schema):
    id = fields.String()
    reference = fields.String()
    status = fields.String(metadata={"description": "clear | review | hold"})
    screened_at = fields.String(metadata={"description": "UTC, ISO 8601"})
    watchlist_version = fields.String()
    rules_version = fields.String()
    engine_version = fields.String()
    screening_id = fields.String(metadata={"description": "id of this screening of the order"})
    trigger = fields.String(metadata={"description": "initial | rescreen"})
    order_date = fields.String(metadata={"description": "ISO 8601 date"})
    destination_country = fields.String()
    lines = fields.List(fields.Nested(LineResultSchema))
    flags = fields.List(fields.Nested(FlagSchema))
    required_actions = fields.List(fields.String())
    required_actions_detail = fields.List(fields.Nested(RequiredActionSchema))
    review = fields.Nested(
        ReviewStateSchema, allow_none=True, metadata={"description": "null until a reviewer has acted"}
    )
    notice = fields.String()


class ScreeningSummarySchema(Schema):
    id = fields.String()
    reference = fields.String()
    status = fields.String()
    screened_at = fields.String()
    order_date = fields.String(metadata={"description": "ISO 8601 date"})
    destination_country = fields.String()
    consignee = fields.String()
    flags = fields.List(fields.String(), metadata={"description": "flag codes"})
    review = fields.Nested(ReviewStateSchema, allow_none=True)


class ScreeningPageSchema(Schema):
    items = fields.List(fields.Nested(ScreeningSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class ListQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1))
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)), load_default=list)
    reference = fields.String(
        validate=validate.Length(max=101),
        metadata={"description": "exact reference, or a prefix ending in *"},
    )
    date_from = fields.Date(metadata={"description": "screened on or after (UTC date)"})
    date_to = fields.Date(metadata={"description": "screened on or before (UTC date)"})
    chemical = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "watchlist entry id matched, e.g. piperidine"},
    )


class CheckResultsSchema(Schema):
    results = fields.List(fields.Nested(LineResultSchema))
    watchlist_version = fields.String()
    notice = fields.String()
