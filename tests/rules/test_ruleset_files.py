"""Loading the rule data: validation, refusals that name file/entry/field, caching, reload."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rules import RuleError, current_ruleset, load_ruleset, reload_ruleset
from rules.ruleset import DEFAULT_DIRECTORY


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def _edit(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_committed_data_loads_and_is_versioned():
    rs = load_ruleset()
    label, digest = rs.version.split("+")
    assert label == rs.label and len(digest) == 12 and int(digest, 16) >= 0
    assert load_ruleset() is rs  # cached by content hash


def test_same_content_elsewhere_has_the_same_version(data_dir):
    assert load_ruleset(data_dir).version == load_ruleset().version


def test_changed_content_changes_the_version(data_dir):
    _edit(data_dir, "ruleset.yaml", "Seeded from", "Seeded (copy) from")
    assert load_ruleset(data_dir).version != load_ruleset().version


# (file, old text, new text, expected entry fragment, expected field fragment, expected problem fragment)
REFUSALS = [
    (
        "thresholds.yaml",
        "entry_id: mibk, mass_kg: 1523",
        "entry_id: mibk, mass_kg: lots",
        "mibk-western-hemisphere",
        "mass_kg",
        "number",
    ),
    (
        "thresholds.yaml",
        "entry_id: acetone, mass_kg: 1500",
        "entry_id: acetone, mass_kg: -1",
        "acetone",
        "mass_kg",
        "greater than or equal",
    ),
    (
        "thresholds.yaml",
        "entry_id: benzaldehyde, mass_kg: 4",
        "entry_id: benzaldehide, mass_kg: 4",
        "benzaldehyde",
        "entry_id",
        "unknown entry id",
    ),
    (
        "thresholds.yaml",
        "destinations: western_hemisphere,",
        "destinations: west_hemisphere,",
        "mibk-western-hemisphere",
        "destinations",
        "country group",
    ),
    (
        "thresholds.yaml",
        "except_countries: [CA]",
        "except_countries: [CAN]",
        "mibk-western-hemisphere",
        "except_countries",
        "ISO 3166",
    ),
    (
        "thresholds.yaml",
        "{id: safrole, entry_id: safrole, mass_kg: 4, destinations: any,",
        "{id: safrole, entry_id: safrole, destinations: any,",
        "safrole",
        "mass_kg",
        "needs mass_kg or volume_gal",
    ),
    (
        "thresholds.yaml",
        "verified: true, effective_from: 2023-05-12}",
        "verified: yes please, effective_from: 2023-05-12}",
        "4-piperidone-none",
        "verified",
        "boolean",
    ),
    (
        "thresholds.yaml",
        '{id: mapa-none, entry_id: mapa, mass_kg: 0, destinations: any, citation: "FR Doc. 2021-24952 (no threshold)",',  # noqa: E501
        "{id: mapa-none, entry_id: mapa, mass_kg: 0, destinations: any,",
        "mapa-none",
        "citation",
        "Missing data",
    ),
    (
        "thresholds.yaml",
        "effective_from: 1989-01-01, effective_to: 2006-03-08",
        "effective_from: 1989-01-01, effective_to: 1988-03-08",
        "pseudoephedrine-2001",
        "effective_to",
        "before effective_from",
    ),
    (
        "thresholds.yaml",
        "{id: pmk, entry_id: pmk, mass_kg: 4,",
        "{id: pmk, entry_id: pmk, mass_kg: 4, threshhold: 3,",
        "pmk",
        "threshhold",
        "Unknown field",
    ),
    (
        "thresholds.yaml",
        "{id: piperonal, entry_id: piperonal,",
        "{id: safrole, entry_id: piperonal,",
        "safrole",
        "id",
        "duplicate",
    ),
    (
        "chemicals.yaml",
        "  - id: acetone\n    name: Acetone\n    family: solvent",
        "  - id: acetone\n    name: Acetone\n    family: paint",
        "acetone",
        "family",
        "Must be one of",
    ),
    (
        "chemicals.yaml",
        '{regime: list_II, citation: "21 CFR 1310.02(b) (code 6532)"',
        '{regime: list_2, citation: "21 CFR 1310.02(b) (code 6532)"',
        "acetone",
        "regimes.0.regime",
        "Must be one of",
    ),
    ("chemicals.yaml", "  - id: mek\n", "  - id: MEK\n", "MEK", "id", "lowercase hyphenated"),
    (
        "mixtures.yaml",
        "{entry_id: iodine, exempt_at_or_below_percent: 2.2,",
        "{entry_id: iodine, exempt_at_or_below_percent: 250,",
        "iodine",
        "exempt_at_or_below_percent",
        "less than or equal to 100",
    ),
    (
        "countries.yaml",
        "countries: [AR, BO, BR, CL, CO,",
        "countries: [AR, BO, BR, CL, XX,",
        "designated_countries",
        "countries",
        "ISO 3166",
    ),
    (
        "countries.yaml",
        "{id: mx-ephedra-ban, country: MX, kind: import_ban, entry_ids: [pseudoephedrine, ephedrine],",
        "{id: mx-ephedra-ban, country: MX, kind: import_ban, entry_ids: [pseudo-ephedrine, ephedrine],",
        "mx-ephedra-ban",
        "entry_ids",
        "unknown entry id",
    ),
    (
        "countries.yaml",
        "  - {country: MX, tables: [I, II],",
        "  - {country: MX, tables: [I, III],",
        "MX",
        "tables",
        "Must be one of",
    ),
    (
        "obligations.yaml",
        'no later than {due_date} for shipment on {ship_date}."',
        'no later than {due_date} for shipment on {shipdate}."',
        "DEA_FORM_486",
        "text",
        "unknown placeholder",
    ),
    (
        "obligations.yaml",
        "    days_before_ship: 15\n",
        "    days_before_ship: fifteen\n",
        "DEA_FORM_486",
        "days_before_ship",
        "integer",
    ),
    (
        "obligations.yaml",
        "    trigger: regulated_export\n    days_before_ship: 15",
        "    trigger: whenever\n    days_before_ship: 15",
        "DEA_FORM_486",
        "trigger",
        "Must be one of",
    ),
    (
        "routes.yaml",
        '      - {role: nitroalkane, any_of: [{entry_id: nitroethane}]}\n    citation: "UNODC',
        '    citation: "UNODC',
        "p2np-henry",
        "components",
        "at least two",
    ),
    (
        "routes.yaml",
        "{cas: 62-53-3, inchikey: PAYRUJLWNCNPSJ-UHFFFAOYSA-N, name: aniline}",
        "{cas: 62-53-3, inchikey: not-a-key, name: aniline}",
        "siegfried-fentanyl",
        "inchikey",
        "match",
    ),
    (
        "red_flags.yaml",
        "  multiple: 5\n",
        "  multiple: 0.5\n",
        None,
        "history.multiple",
        "greater than or equal",
    ),
    (
        "densities.yaml",
        "kg_per_l: 0.7866",
        "kg_per_l: 786.6",
        "acetone",
        "kg_per_l",
        "less than or equal to 25",
    ),
    (
        "ruleset.yaml",
        "  rule: at_or_above",
        "  rule: roughly",
        None,
        "threshold_comparison.rule",
        "Must be one of",
    ),
    (
        "flag_bases.yaml",
        "  - flag: NEW_CONSIGNEE\n    citation:",
        "  - flag: NEW_CONSIGNEE\n    citation: ''\n    old_citation:",
        "NEW_CONSIGNEE",
        "citation",
        "",
    ),
    (
        "flag_bases.yaml",
        "  - flag: STRUCTURAL_ANALOG",
        "  - flag: NEW_CONSIGNEE",
        "NEW_CONSIGNEE",
        "flag",
        "duplicate",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "entry", "field", "problem"),
    REFUSALS,
    ids=[f"{r[0]}:{r[4]}:{i}" for i, r in enumerate(REFUSALS)],
)
def test_bad_rule_file_is_refused_naming_file_entry_and_field(
    data_dir, name, old, new, entry, field, problem
):
    _edit(data_dir, name, old, new)
    with pytest.raises(RuleError) as caught:
        load_ruleset(data_dir)
    error = caught.value
    assert error.file.endswith(name)
    if entry is not None:
        assert error.entry is not None and entry in error.entry
    assert error.field is not None and field in error.field
    assert problem.lower() in error.problem.lower()
    assert name in str(error) and field in str(error)


def test_invalid_yaml_names_the_line(data_dir):
    _edit(data_dir, "routes.yaml", "routes:\n", "routes:\n  - [unclosed\n")
    with pytest.raises(RuleError, match=r"routes.yaml: not valid YAML at line \d+"):
        load_ruleset(data_dir)


def test_missing_file_is_refused(data_dir):
    (data_dir / "mixtures.yaml").unlink()
    with pytest.raises(RuleError, match="mixtures.yaml: required rule file is missing"):
        load_ruleset(data_dir)


def test_unknown_file_is_refused(data_dir):
    (data_dir / "extra.yaml").write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(RuleError, match="extra.yaml: unknown rule file"):
        load_ruleset(data_dir)


def test_unknown_section_is_refused(data_dir):
    _edit(data_dir, "mixtures.yaml", "mixtures:\n", "mixturez:\n")
    with pytest.raises(RuleError) as caught:
        load_ruleset(data_dir)
    assert caught.value.field == "mixturez"


def test_top_level_must_be_a_mapping(data_dir):
    (data_dir / "routes.yaml").write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(RuleError, match="routes.yaml: must be a YAML mapping"):
        load_ruleset(data_dir)


def test_reload_with_a_bad_file_keeps_the_previous_rule_set(data_dir):
    before = current_ruleset()
    _edit(data_dir, "thresholds.yaml", "entry_id: mibk, mass_kg: 1523", "entry_id: mibk, mass_kg: lots")
    with pytest.raises(RuleError):
        reload_ruleset(data_dir)
    assert current_ruleset() is before


def test_reload_with_good_files_switches_the_current_set(data_dir):
    before = current_ruleset()
    _edit(data_dir, "ruleset.yaml", f'label: "{before.label}"', 'label: "2026.11-test"')
    try:
        after = reload_ruleset(data_dir)
        assert current_ruleset() is after and after.version.startswith("2026.11-test+")
    finally:
        reload_ruleset(before.directory)
    assert current_ruleset().version == before.version


def test_every_rule_row_carries_citation_verified_and_dates(ruleset):
    metas = [t.meta for t in ruleset.thresholds] + [
        r.meta for c in ruleset.chemicals.values() for r in c.regimes
    ]
    metas += [m.meta for rows in ruleset.mixtures.values() for m in rows] + [g.meta for g in ruleset.groups]
    metas += [o.meta for o in ruleset.obligations] + [r.meta for r in ruleset.routes]
    for meta in metas:
        assert meta.citation and isinstance(meta.verified, bool) and meta.effective_from is not None


def test_designated_countries_are_data_and_exclude_mexico_and_central_america(ruleset):
    from datetime import date

    designated = ruleset.group_members("designated_countries", date(2026, 1, 1))
    assert designated, "the 1310.08(b) list must be in the data"
    assert "MX" not in designated
    assert not designated & ruleset.group_members("central_america", date(2026, 1, 1))


def test_every_watchlist_id_in_team_vocabulary_is_known(ruleset):
    vocabulary = """ephedrine pseudoephedrine phenylpropanolamine norpseudoephedrine n-methylephedrine
    n-methylpseudoephedrine phenylacetic-acid benzyl-cyanide benzaldehyde nitroethane methylamine ethylamine
    hydriodic-acid red-phosphorus white-phosphorus hypophosphorous-acid iodine
    apaan apaa mapa safrole isosafrole
    piperonal pmk pmk-glycidate pmk-glycidic-acid npp 4-ap 1-boc-4-ap benzylfentanyl 4-piperidone
    1-boc-4-piperidone propionic-anhydride piperidine anthranilic-acid n-acetylanthranilic-acid ergonovine
    ergotamine gbl acetic-anhydride acetone benzyl-chloride ethyl-ether hydrochloric-acid mibk mek
    potassium-permanganate sodium-permanganate sulfuric-acid toluene
    p2p anpp norfentanyl 1-phenylcyclohexylamine
    pcc fentanyl bmk-glycidic-acid bmk-methyl-glycidate bmk-ethyl-glycidate bmk-propyl-glycidate
    bmk-isopropyl-glycidate bmk-butyl-glycidate bmk-isobutyl-glycidate bmk-sec-butyl-glycidate
    bmk-tert-butyl-glycidate pmk-ethyl-glycidate
    pmk-propyl-glycidate pmk-isopropyl-glycidate pmk-butyl-glycidate
    pmk-isobutyl-glycidate pmk-sec-butyl-glycidate pmk-tert-butyl-glycidate lysergic-acid""".split()
    assert sorted(set(vocabulary) - set(ruleset.chemicals)) == []


def test_every_legal_basis_a_flag_cites_is_in_the_data_and_names_a_flag():
    """flags.py looks its fallback citations up in flag_bases.yaml: each one must be there, and each row
    there must belong to a flag that exists (no stale rows)."""
    import re

    from rules.flags import CHECKS

    source = (Path(__file__).resolve().parents[2] / "rules" / "flags.py").read_text(encoding="utf-8")
    cited = set(re.findall(r'flag_basis\("([A-Z_]+)"\)', source))
    bases = load_ruleset().flag_bases
    assert cited and cited <= set(bases)
    assert set(bases) <= {c.code for c in CHECKS}
    assert all(basis.citation.strip() for basis in bases.values())
