"""Loading, validating and caching the rule data (rules/data/*.yaml).

A rule set is read once, validated whole (marshmallow schemas, then cross-file checks), and cached by
the SHA-256 of its files' contents; its ``version`` is ``"<label>+<12 hex of that hash>"``. A bad file
is refused whole with a :class:`~rules.errors.RuleError` naming the file, the entry and the field, and
``reload_ruleset`` keeps the previous rule set current when that happens.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError

from rules import countries as country_codes
from rules.errors import RuleError
from rules.schemas import LIST_FILES, MAPPING_FILES, REQUIRED_FILES

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class RuleMeta:
    """Citation, verification mark and period of validity of one rule row."""

    citation: str
    verified: bool
    effective_from: date
    effective_to: date | None = None
    notes: str | None = None

    def in_force(self, on: date) -> bool:
        """True when the rule applies on ``on`` (both ends inclusive)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


def _meta(row: dict[str, Any]) -> RuleMeta:
    return RuleMeta(
        citation=row["citation"],
        verified=row["verified"],
        effective_from=row["effective_from"],
        effective_to=row.get("effective_to"),
        notes=row.get("notes"),
    )


@dataclass(frozen=True)
class RegimeRule:
    regime: str
    meta: RuleMeta


@dataclass(frozen=True)
class ScopeAddition:
    """A scope word added to a listing after the listing itself (e.g. the halides of 4-AP)."""

    scope: str
    elements: tuple[str, ...]
    meta: RuleMeta


@dataclass(frozen=True)
class Chemical:
    id: str
    name: str
    family: str
    synonyms: tuple[str, ...]
    regimes: tuple[RegimeRule, ...]
    scope_additions: tuple[ScopeAddition, ...] = ()

    def regimes_on(self, on: date) -> list[RegimeRule]:
        return [r for r in self.regimes if r.meta.in_force(on)]


@dataclass(frozen=True)
class Threshold:
    id: str
    entry_id: str
    mass_kg: float | None
    volume_gal: float | None
    destinations: str  # "any" or a country group id
    except_countries: tuple[str, ...]
    meta: RuleMeta


@dataclass(frozen=True)
class MixtureRule:
    entry_id: str
    exempt_at_or_below_percent: float | None  # None: regulated at any concentration
    basis: str
    meta: RuleMeta

    def exempts(self, concentration_percent: float | None) -> bool:
        """A line at ``concentration_percent`` is an exempt mixture (None: the pure chemical, never)."""
        limit = self.exempt_at_or_below_percent
        return limit is not None and concentration_percent is not None and concentration_percent <= limit


@dataclass(frozen=True)
class Density:
    entry_id: str
    kg_per_l: float
    citation: str
    verified: bool


@dataclass(frozen=True)
class SolutionDensity:
    entry_id: str
    concentration_percent: float
    kg_per_l: float
    citation: str
    verified: bool


@dataclass(frozen=True)
class CountryGroup:
    id: str
    name: str
    countries: frozenset[str]
    meta: RuleMeta


@dataclass(frozen=True)
class FreeTradeZone:
    id: str
    country: str | None
    name: str
    keywords: tuple[str, ...]
    meta: RuleMeta


@dataclass(frozen=True)
class Restriction:
    id: str
    country: str
    kind: str
    entry_ids: tuple[str, ...]
    description: str
    meta: RuleMeta


@dataclass(frozen=True)
class PreExportNotification:
    country: str
    tables: tuple[str, ...]
    meta: RuleMeta


@dataclass(frozen=True)
class Authority:
    country: str
    name: str
    permit: str
    meta: RuleMeta


@dataclass(frozen=True)
class Obligation:
    code: str
    trigger: str
    days_before_ship: int | None
    days_after_ship: int | None
    text: str
    text_without_date: str
    meta: RuleMeta


@dataclass(frozen=True)
class WaiverGroup:
    id: str
    entry_ids: frozenset[str]
    meta: RuleMeta


@dataclass(frozen=True)
class RouteIdentifier:
    entry_id: str | None = None
    cas: str | None = None
    inchikey: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class RouteComponent:
    role: str
    optional: bool
    any_of: tuple[RouteIdentifier, ...]


@dataclass(frozen=True)
class Route:
    id: str
    name: str
    product: str
    components: tuple[RouteComponent, ...]
    meta: RuleMeta


@dataclass(frozen=True)
class PhraseList:
    phrases: tuple[str, ...]
    meta: RuleMeta


@dataclass(frozen=True)
class RedFlagPolicy:
    history_multiple: float
    history_window_days: int
    history_meta: RuleMeta
    intermediary_kinds: frozenset[str]
    intermediary_keywords: tuple[str, ...]
    intermediary_meta: RuleMeta
    vague_end_uses: PhraseList
    plausible_end_uses: dict[str, tuple[str, ...]]
    plausible_meta: RuleMeta
    disguise_words: PhraseList
    # Added: words with no meaning of their own in an end use; per-family disguises that are also real uses.
    end_use_filler_words: tuple[str, ...] = ()
    known_disguises: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plausible_chemical_uses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plausible_uses_of_any: tuple[str, ...] = ()  # uses that fit every listed chemical
    # Added: listed chemicals with no legitimate trade through intermediaries
    # (RESTRICTED_PRECURSOR_NOT_END_USER).
    end_user_only: frozenset[str] = frozenset()
    end_user_only_meta: RuleMeta | None = None
    # Added: earlier calendar months of purchases that make a List II end user's monthly total a
    # consumption pattern rather than splitting (SPLIT_BELOW_THRESHOLD at review instead of hold).
    split_established_months: int | None = None
    split_meta: RuleMeta | None = None


@dataclass
class RuleSet:
    """A validated, immutable-by-convention rule set. Build it with :func:`load_ruleset`."""

    label: str
    digest: str
    directory: str
    description: str
    threshold_comparison: str
    threshold_comparison_meta: RuleMeta
    chemicals: dict[str, Chemical]
    thresholds: list[Threshold]
    mixtures: dict[str, list[MixtureRule]]
    densities: dict[str, Density]
    solutions: list[SolutionDensity]
    groups: list[CountryGroup]
    free_trade_zones: list[FreeTradeZone]
    restrictions: list[Restriction]
    pre_export_notification: list[PreExportNotification]
    authorities: list[Authority]
    obligations: list[Obligation]
    waiver_groups: list[WaiverGroup]
    routes: list[Route]
    red_flags: RedFlagPolicy
    flag_bases: dict[str, RuleMeta]  # flag code -> the legal basis it cites (flag_bases.yaml)
    # Values derived from the data, computed on first use (the data never changes once loaded).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def version(self) -> str:
        """``"<label>+<first 12 hex of the content hash>"``, stamped on every outcome."""
        return f"{self.label}+{self.digest[:12]}"

    def unverified_rules(self) -> list[dict[str, str]]:
        """Every rule row marked ``verified: false`` (file, id, what, citation): the figures to confirm.

        >>> rows = load_ruleset().unverified_rules()
        >>> any(r["file"] == "thresholds.yaml" and r["id"] == "acetone" for r in rows)
        True
        >>> any(r["id"] == "mibk-western-hemisphere" for r in rows)
        False
        """
        rows: list[dict[str, str]] = []

        def add(file: str, ident: str, what: str, meta: RuleMeta) -> None:
            if not meta.verified:
                rows.append({"file": file, "id": ident, "what": what, "citation": meta.citation})

        add("ruleset.yaml", "threshold_comparison", self.threshold_comparison, self.threshold_comparison_meta)
        for chem in self.chemicals.values():
            for r in chem.regimes:
                add("chemicals.yaml", chem.id, r.regime, r.meta)
            for a in chem.scope_additions:
                add("chemicals.yaml", chem.id, f"scope: {a.scope}", a.meta)
        for t in self.thresholds:
            limits = ", ".join(
                f"{v} {u}" for v, u in ((t.mass_kg, "kg"), (t.volume_gal, "gal")) if v is not None
            )
            add("thresholds.yaml", t.id, f"{t.entry_id}: {limits} ({t.destinations})", t.meta)
        for rules in self.mixtures.values():
            for m in rules:
                limit = (
                    "any concentration"
                    if m.exempt_at_or_below_percent is None
                    else f"{m.exempt_at_or_below_percent} %"
                )
                add("mixtures.yaml", m.entry_id, limit, m.meta)
        for d in self.densities.values():
            if not d.verified:
                rows.append(
                    {
                        "file": "densities.yaml",
                        "id": d.entry_id,
                        "what": f"{d.kg_per_l} kg/L",
                        "citation": d.citation,
                    }
                )
        for g in self.groups:
            add("countries.yaml", g.id, ", ".join(sorted(g.countries)), g.meta)
        for z in self.free_trade_zones:
            add("countries.yaml", z.id, z.name, z.meta)
        for restriction in self.restrictions:
            add("countries.yaml", restriction.id, restriction.description, restriction.meta)
        for p in self.pre_export_notification:
            add(
                "countries.yaml",
                f"pre_export_notification {p.country}",
                "Table " + "/".join(p.tables),
                p.meta,
            )
        for authority in self.authorities:
            add("countries.yaml", f"authority {authority.country}", authority.name, authority.meta)
        for o in self.obligations:
            add("obligations.yaml", o.code, o.trigger, o.meta)
        for w in self.waiver_groups:
            add("obligations.yaml", w.id, ", ".join(sorted(w.entry_ids)), w.meta)
        for route in self.routes:
            add("routes.yaml", route.id, route.name, route.meta)
        flags = self.red_flags
        add(
            "red_flags.yaml",
            "history",
            f"{flags.history_multiple}x within {flags.history_window_days} days",
            flags.history_meta,
        )
        add("red_flags.yaml", "intermediaries", "kinds and name words", flags.intermediary_meta)
        add("red_flags.yaml", "vague_end_uses", "phrases", flags.vague_end_uses.meta)
        add("red_flags.yaml", "plausible_end_uses", "families", flags.plausible_meta)
        add("red_flags.yaml", "disguise_words", "phrases", flags.disguise_words.meta)
        if flags.split_meta is not None:
            add(
                "red_flags.yaml",
                "splitting",
                f"established after {flags.split_established_months} earlier months",
                flags.split_meta,
            )
        if flags.end_user_only_meta is not None:
            add(
                "red_flags.yaml",
                "end_user_only",
                ", ".join(sorted(flags.end_user_only)),
                flags.end_user_only_meta,
            )
        for code, meta in self.flag_bases.items():
            add("flag_bases.yaml", code, "legal basis", meta)
        return rows

    # ---- lookups used by the engine ----
    def chemical(self, entry_id: str) -> Chemical | None:
        return self.chemicals.get(entry_id)

    def flag_basis(self, code: str) -> RuleMeta:
        """The legal basis flag ``code`` cites when no rule row supplies one (``flag_bases.yaml``)."""
        try:
            return self.flag_bases[code]
        except KeyError:
            raise KeyError(f"flag_bases.yaml has no legal basis for flag {code}") from None

    def group_members(self, group_id: str, on: date) -> frozenset[str]:
        """Countries in a group on a date (union of the group's rows in force)."""
        members: set[str] = set()
        for group in self.groups:
            if group.id == group_id and group.meta.in_force(on):
                members |= group.countries
        return frozenset(members)

    def group_rows(self, group_id: str, country: str, on: date) -> list[CountryGroup]:
        return [g for g in self.groups if g.id == group_id and country in g.countries and g.meta.in_force(on)]

    def thresholds_for(self, entry_id: str, on: date) -> list[Threshold]:
        return [t for t in self.thresholds if t.entry_id == entry_id and t.meta.in_force(on)]

    def mixture_rule(self, entry_id: str, on: date) -> MixtureRule | None:
        rows = [m for m in self.mixtures.get(entry_id, []) if m.meta.in_force(on)]
        return rows[0] if rows else None

    def authority(self, country: str, on: date) -> Authority | None:
        for row in self.authorities:
            if row.country == country and row.meta.in_force(on):
                return row
        return None

    def pen_request(self, country: str, on: date) -> PreExportNotification | None:
        for row in self.pre_export_notification:
            if row.country == country and row.meta.in_force(on):
                return row
        return None

    def obligations_for(self, trigger: str, on: date) -> list[Obligation]:
        return [o for o in self.obligations if o.trigger == trigger and o.meta.in_force(on)]


# --------------------------------------------------------------------------------------------------
# Loading


def _read_files(directory: Path) -> dict[str, bytes]:
    if not directory.is_dir():
        raise RuleError(str(directory), None, None, "rule data directory not found")
    found = {p.name: p for p in directory.glob("*.yaml")}
    missing = [name for name in REQUIRED_FILES if name not in found]
    if missing:
        raise RuleError(str(directory / missing[0]), None, None, "required rule file is missing")
    unknown = sorted(set(found) - set(REQUIRED_FILES))
    if unknown:
        raise RuleError(
            str(directory / unknown[0]), None, None, f"unknown rule file (expected {list(REQUIRED_FILES)})"
        )
    return {name: found[name].read_bytes() for name in REQUIRED_FILES}


def _digest(contents: dict[str, bytes]) -> str:
    sha = hashlib.sha256()
    for name in sorted(contents):
        sha.update(name.encode())
        sha.update(b"\0")
        sha.update(contents[name])
        sha.update(b"\0")
    return sha.hexdigest()


def _first_error(messages: Any) -> tuple[str | None, str]:
    """(field path, message) of the first error in a marshmallow messages structure."""
    path: list[str] = []
    node = messages
    while isinstance(node, dict) and node:
        key = sorted(node, key=str)[0]
        path.append(str(key))
        node = node[key]
    if isinstance(node, list) and node:
        node = node[0]
    text = str(node)
    field_path = ".".join(p for p in path if p != "_schema") or None
    return field_path, text


def _parse_yaml(name: str, raw: bytes) -> Any:
    try:
        return yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RuleError(name, None, None, f"not UTF-8 text: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise RuleError(name, None, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc


def _load_entries(
    name: str, key: str, rows: Any, schema: type[Schema], id_field: str | None
) -> list[dict[str, Any]]:
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise RuleError(name, None, key, "must be a list of entries")
    loaded = []
    for position, row in enumerate(rows):
        entry = f"#{position + 1}"
        if isinstance(row, dict) and id_field and isinstance(row.get(id_field), str):
            entry = f"{row[id_field]} (#{position + 1})"
        if not isinstance(row, dict):
            raise RuleError(name, entry, None, "must be a mapping")
        try:
            loaded.append(schema().load(row))
        except ValidationError as exc:
            field_path, text = _first_error(exc.messages)
            raise RuleError(name, entry, field_path, text) from exc
    return loaded


def _parse(contents: dict[str, bytes]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in REQUIRED_FILES:
        document = _parse_yaml(name, contents[name])
        if not isinstance(document, dict):
            raise RuleError(name, None, None, "must be a YAML mapping at the top level")
        if name in MAPPING_FILES:
            try:
                data[name] = MAPPING_FILES[name]().load(document)
            except ValidationError as exc:
                field_path, text = _first_error(exc.messages)
                raise RuleError(name, None, field_path, text) from exc
            continue
        spec = LIST_FILES[name]
        extra = sorted(set(document) - set(spec))
        if extra:
            raise RuleError(name, None, extra[0], f"unknown section (expected {sorted(spec)})")
        for key, (schema, id_field) in spec.items():
            data[f"{name}:{key}"] = _load_entries(name, key, document.get(key), schema, id_field)
    return data


def _check_country(name: str, entry: str, field_name: str, code: str | None) -> None:
    if code is not None and not country_codes.is_valid_country(code):
        raise RuleError(name, entry, field_name, f"{code!r} is not an ISO 3166-1 alpha-2 country code")


def _check_duplicates(name: str, ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise RuleError(name, value, what, "duplicate id")
        seen.add(value)


def _build(data: dict[str, Any], digest: str, directory: str) -> RuleSet:
    head = data["ruleset.yaml"]
    chem_rows = data["chemicals.yaml:chemicals"]
    _check_duplicates("chemicals.yaml", (c["id"] for c in chem_rows), "id")
    chemicals = {
        c["id"]: Chemical(
            id=c["id"],
            name=c["name"],
            family=c["family"],
            synonyms=tuple(s.lower() for s in c["synonyms"]),
            regimes=tuple(RegimeRule(r["regime"], _meta(r)) for r in c["regimes"]),
            scope_additions=tuple(
                ScopeAddition(a["scope"], tuple(a["elements"]), _meta(a)) for a in c["scope_additions"]
            ),
        )
        for c in chem_rows
    }

    def known(file: str, entry: str, field_name: str, entry_id: str) -> None:
        if entry_id not in chemicals:
            raise RuleError(file, entry, field_name, f"unknown entry id {entry_id!r} (not in chemicals.yaml)")

    groups = []
    for g in data["countries.yaml:groups"]:
        for code in g["countries"]:
            _check_country("countries.yaml", g["id"], "countries", code)
        groups.append(CountryGroup(g["id"], g["name"], frozenset(g["countries"]), _meta(g)))
    group_ids = {g.id for g in groups}

    thresholds = []
    _check_duplicates("thresholds.yaml", (t["id"] for t in data["thresholds.yaml:thresholds"]), "id")
    for t in data["thresholds.yaml:thresholds"]:
        known("thresholds.yaml", t["id"], "entry_id", t["entry_id"])
        if t["destinations"] != "any" and t["destinations"] not in group_ids:
            raise RuleError(
                "thresholds.yaml",
                t["id"],
                "destinations",
                f"{t['destinations']!r} is neither 'any' nor a country group in countries.yaml",
            )
        for code in t["except_countries"]:
            _check_country("thresholds.yaml", t["id"], "except_countries", code)
        thresholds.append(
            Threshold(
                t["id"],
                t["entry_id"],
                t["mass_kg"],
                t["volume_gal"],
                t["destinations"],
                tuple(t["except_countries"]),
                _meta(t),
            )
        )

    mixtures: dict[str, list[MixtureRule]] = {}
    for m in data["mixtures.yaml:mixtures"]:
        known("mixtures.yaml", m["entry_id"], "entry_id", m["entry_id"])
        mixtures.setdefault(m["entry_id"], []).append(
            MixtureRule(m["entry_id"], m["exempt_at_or_below_percent"], m["basis"], _meta(m))
        )

    densities: dict[str, Density] = {}
    for d in data["densities.yaml:densities"]:
        known("densities.yaml", d["entry_id"], "entry_id", d["entry_id"])
        if d["entry_id"] in densities:
            raise RuleError("densities.yaml", d["entry_id"], "entry_id", "duplicate density")
        densities[d["entry_id"]] = Density(d["entry_id"], d["kg_per_l"], d["citation"], d["verified"])
    solutions = []
    for s in data["densities.yaml:solutions"]:
        known("densities.yaml", s["entry_id"], "entry_id", s["entry_id"])
        solutions.append(
            SolutionDensity(
                s["entry_id"], s["concentration_percent"], s["kg_per_l"], s["citation"], s["verified"]
            )
        )

    zones = []
    for z in data["countries.yaml:free_trade_zones"]:
        _check_country("countries.yaml", z["id"], "country", z["country"])
        zones.append(
            FreeTradeZone(z["id"], z["country"], z["name"], tuple(k.lower() for k in z["keywords"]), _meta(z))
        )
    restrictions = []
    for r in data["countries.yaml:restrictions"]:
        _check_country("countries.yaml", r["id"], "country", r["country"])
        for entry_id in r["entry_ids"]:
            known("countries.yaml", r["id"], "entry_ids", entry_id)
        restrictions.append(
            Restriction(r["id"], r["country"], r["kind"], tuple(r["entry_ids"]), r["description"], _meta(r))
        )
    pens = []
    for p in data["countries.yaml:pre_export_notification"]:
        _check_country("countries.yaml", p["country"], "country", p["country"])
        pens.append(PreExportNotification(p["country"], tuple(p["tables"]), _meta(p)))
    authorities = []
    for a in data["countries.yaml:authorities"]:
        _check_country("countries.yaml", a["country"], "country", a["country"])
        authorities.append(Authority(a["country"], a["name"], a["permit"], _meta(a)))

    obligations = [
        Obligation(
            o["code"],
            o["trigger"],
            o["days_before_ship"],
            o["days_after_ship"],
            o["text"],
            o["text_without_date"],
            _meta(o),
        )
        for o in data["obligations.yaml:obligations"]
    ]
    waiver_groups = []
    for w in data["obligations.yaml:waiver_groups"]:
        for entry_id in w["entry_ids"]:
            known("obligations.yaml", w["id"], "entry_ids", entry_id)
        waiver_groups.append(WaiverGroup(w["id"], frozenset(w["entry_ids"]), _meta(w)))

    routes = []
    _check_duplicates("routes.yaml", (r["id"] for r in data["routes.yaml:routes"]), "id")
    for r in data["routes.yaml:routes"]:
        components = []
        for c in r["components"]:
            idents = []
            for ident in c["any_of"]:
                if ident["entry_id"] is not None:
                    known("routes.yaml", r["id"], "components.any_of.entry_id", ident["entry_id"])
                idents.append(
                    RouteIdentifier(
                        ident["entry_id"],
                        ident["cas"],
                        ident["inchikey"],
                        ident["name"].lower() if ident["name"] else None,
                    )
                )
            components.append(RouteComponent(c["role"], c["optional"], tuple(idents)))
        if sum(1 for c in components if not c.optional) < 2:
            raise RuleError(
                "routes.yaml", r["id"], "components", "a route needs at least two required components"
            )
        routes.append(Route(r["id"], r["name"], r["product"], tuple(components), _meta(r)))

    _check_duplicates("flag_bases.yaml", (b["flag"] for b in data["flag_bases.yaml:bases"]), "flag")
    flag_bases = {b["flag"]: _meta(b) for b in data["flag_bases.yaml:bases"]}

    flags = data["red_flags.yaml"]
    for entry_id in flags["plausible_end_uses"]["chemicals"]:
        known("red_flags.yaml", "plausible_end_uses", "chemicals", entry_id)
    red_flags = RedFlagPolicy(
        history_multiple=flags["history"]["multiple"],
        history_window_days=flags["history"]["window_days"],
        history_meta=_meta(flags["history"]),
        intermediary_kinds=frozenset(flags["intermediaries"]["kinds"]),
        intermediary_keywords=tuple(k.lower() for k in flags["intermediaries"]["name_keywords"]),
        intermediary_meta=_meta(flags["intermediaries"]),
        vague_end_uses=PhraseList(
            tuple(p.lower() for p in flags["vague_end_uses"]["phrases"]), _meta(flags["vague_end_uses"])
        ),
        plausible_end_uses={
            k: tuple(v.lower() for v in vs) for k, vs in flags["plausible_end_uses"]["families"].items()
        },
        plausible_meta=_meta(flags["plausible_end_uses"]),
        plausible_chemical_uses={
            k: tuple(v.lower() for v in vs) for k, vs in flags["plausible_end_uses"]["chemicals"].items()
        },
        plausible_uses_of_any=tuple(v.lower() for v in flags["plausible_end_uses"]["any_chemical"]),
        disguise_words=PhraseList(
            tuple(p.lower() for p in flags["disguise_words"]["phrases"]), _meta(flags["disguise_words"])
        ),
        end_use_filler_words=tuple(w.lower() for w in flags["vague_end_uses"].get("filler_words", ())),
        split_established_months=flags["splitting"]["established_months"],
        split_meta=_meta(flags["splitting"]),
        end_user_only=frozenset(flags["end_user_only"]["entry_ids"]),
        end_user_only_meta=_meta(flags["end_user_only"]),
        known_disguises={
            k: tuple(v.lower() for v in vs)
            for k, vs in flags["disguise_words"].get("known_disguises", {}).items()
        },
    )

    return RuleSet(
        label=head["label"],
        digest=digest,
        directory=directory,
        description=head["description"],
        threshold_comparison=head["threshold_comparison"]["rule"],
        threshold_comparison_meta=_meta(head["threshold_comparison"]),
        chemicals=chemicals,
        thresholds=thresholds,
        mixtures=mixtures,
        densities=densities,
        solutions=solutions,
        groups=groups,
        free_trade_zones=zones,
        restrictions=restrictions,
        pre_export_notification=pens,
        authorities=authorities,
        obligations=obligations,
        waiver_groups=waiver_groups,
        routes=routes,
        red_flags=red_flags,
        flag_bases=flag_bases,
    )


_LOCK = threading.RLock()
_BY_DIGEST: dict[str, RuleSet] = {}
_CURRENT: RuleSet | None = None


def load_ruleset(directory: str | Path | None = None) -> RuleSet:
    """Read, validate and return the rule set in ``directory`` (default ``rules/data``).

    Cached by content hash: loading unchanged files again returns the same object. Raises
    :class:`RuleError` (file, entry, field, problem) when any file is refused.

    >>> rs = load_ruleset()
    >>> rs.version.startswith(rs.label + "+") and len(rs.version.split("+")[1]) == 12
    True
    """
    path = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    contents = _read_files(path)
    digest = _digest(contents)
    with _LOCK:
        cached = _BY_DIGEST.get(digest)
        if cached is not None:
            return cached
    ruleset = _build(_parse(contents), digest, str(path))
    with _LOCK:
        return _BY_DIGEST.setdefault(digest, ruleset)


def current_ruleset() -> RuleSet:
    """The rule set in force in this process (loaded from ``rules/data`` on first use)."""
    global _CURRENT
    with _LOCK:
        if _CURRENT is None:
            _CURRENT = load_ruleset()
        return _CURRENT


def reload_ruleset(directory: str | Path | None = None) -> RuleSet:
    """Load ``directory`` and make it current. On a bad file raise RuleError and keep the previous set."""
    global _CURRENT
    ruleset = load_ruleset(directory)  # raises before anything changes
    with _LOCK:
        _CURRENT = ruleset
        return ruleset
