"""Quantities: units, volume to mass with each chemical's density, concentration and base weight.

Thresholds (21 CFR 1310.04) are by base weight, so a line's quantity becomes
``quantity (in kg) x concentration x parent_mass_fraction``; a 40 % methylamine solution counts as 40 %
methylamine, and a salt counts by the weight of its free base. Volumes become mass with the density in
``rules/data/densities.yaml`` (the solution's density when the data has one for that concentration).
Unit factors are exact definitions (NIST SP 811), not regulation, so they live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rules.ruleset import Density, RuleSet, SolutionDensity

# Accepted unit strings (case-insensitive on input); the API schema uses this tuple.
UNITS: tuple[str, ...] = ("mg", "g", "kg", "t", "lb", "mL", "L", "gal")

_MASS_KG = {"mg": 1e-6, "g": 1e-3, "kg": 1.0, "t": 1000.0, "lb": 0.45359237}
_VOLUME_L = {"ml": 1e-3, "l": 1.0, "gal": 3.785411784}  # US liquid gallon
LITRES_PER_GALLON = _VOLUME_L["gal"]
# Tolerance (percentage points) for using a tabulated solution density for a declared concentration.
_SOLUTION_MATCH_POINTS = 1.0
# Water at 25 °C (CRC Handbook of Chemistry and Physics): physical data, not regulation. The tabulated
# solutions (densities.yaml `solutions`) are aqueous, so a concentration between them is read off the line
# from water (0 %) through them to the pure chemical (100 %).
WATER_KG_PER_L = 0.997


class UnitError(ValueError):
    """A quantity that cannot be converted (unknown unit, or a volume of a chemical without a density)."""


# Other spellings order systems send for the same units (English and Spanish, singular and plural, with
# or without a full stop). Deliberately absent: "ton" (a short ton of 907 kg or a metric tonne?), "gr"
# (gram or grain?), "oz" and "qt" (mass or fluid?), imperial gallons: an ambiguous unit is refused with
# the list, never guessed.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "mg": ("milligram", "milligrams", "miligramo", "miligramos"),
    "g": ("gm", "gms", "gram", "grams", "gramme", "grammes", "gramo", "gramos", "grs"),
    "kg": ("kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes", "kilogramo",
           "kilogramos"),
    "t": ("mt", "tonne", "tonnes", "metric ton", "metric tons", "metric tonne", "metric tonnes", "tonelada",
          "toneladas", "tonelada metrica", "toneladas metricas"),
    "lb": ("lbs", "pound", "pounds", "libra", "libras"),
    "mL": ("millilitre", "millilitres", "milliliter", "milliliters", "mililitro", "mililitros", "cc", "cm3"),
    "L": ("lt", "lts", "ltr", "ltrs", "litre", "litres", "liter", "liters", "litro", "litros"),
    "gal": ("gals", "gallon", "gallons", "us gal", "us gallon", "us gallons", "galon", "galones"),
}
_BY_LOWER_CASE = {accepted.lower(): accepted for accepted in UNITS} | {
    spelling: accepted for accepted, spellings in _SPELLINGS.items() for spelling in spellings
}
_ACCENTS = str.maketrans("áéíóú", "aeiou")


def canonical_unit(unit: str) -> str:
    """The accepted spelling of a unit, or raise UnitError.

    >>> canonical_unit("KG"), canonical_unit("ml"), canonical_unit("Gal")
    ('kg', 'mL', 'gal')
    >>> canonical_unit("lbs"), canonical_unit("Litros"), canonical_unit("MT"), canonical_unit("kgs.")
    ('lb', 'L', 't', 'kg')
    """
    text = unit if isinstance(unit, str) else ""
    key = " ".join(text.strip().lower().translate(_ACCENTS).rstrip(".").split())
    accepted = _BY_LOWER_CASE.get(key)
    if accepted is not None:
        return accepted
    raise UnitError(f"unknown unit {unit!r}; accepted: {', '.join(UNITS)} (or spellings such as lbs, litres)")


def is_volume(unit: str) -> bool:
    return canonical_unit(unit).lower() in _VOLUME_L


def to_litres(quantity: float, unit: str) -> float:
    """A volume in litres (raise UnitError for a mass unit).

    >>> round(to_litres(500, "gal"), 3)
    1892.706
    """
    key = canonical_unit(unit).lower()
    if key not in _VOLUME_L:
        raise UnitError(f"{unit!r} is not a volume unit")
    return quantity * _VOLUME_L[key]


@dataclass(frozen=True)
class DensityUsed:
    kg_per_l: float
    citation: str
    verified: bool
    solution: bool  # True when a tabulated solution density was used


def density_for(
    entry_id: str, ruleset: RuleSet, concentration_percent: float | None = None
) -> DensityUsed | None:
    """The density to turn a volume of ``entry_id`` (at that concentration) into mass, or None."""
    density = ruleset.densities.get(entry_id)
    if concentration_percent is not None and concentration_percent < 100:
        rows = sorted(
            (row for row in ruleset.solutions if row.entry_id == entry_id),
            key=lambda row: row.concentration_percent,
        )
        best = None
        for row in rows:
            gap = abs(row.concentration_percent - concentration_percent)
            if gap <= _SOLUTION_MATCH_POINTS and (best is None or gap < best[0]):
                best = (gap, row)
        if best is not None:
            row = best[1]
            return DensityUsed(row.kg_per_l, row.citation, row.verified, True)
        if rows:
            # An aqueous solution at a strength not tabulated (30 % methylamine, 47 % hydriodic acid): the
            # pure liquid's density (liquefied methylamine 0.66, HI 2.5) is far off; interpolate instead.
            return _interpolated(concentration_percent, rows, density)
    if density is None:
        return None
    return DensityUsed(density.kg_per_l, density.citation, density.verified, False)


def _interpolated(percent: float, rows: list[SolutionDensity], pure: Density | None) -> DensityUsed:
    """The density at ``percent`` on the line through water (0 %), the tabulated solutions and the pure
    chemical (100 %, when on file; else the strongest solution's density holds above it)."""
    points: list[tuple[float, float, str]] = [(0.0, WATER_KG_PER_L, "water")]
    points += [(r.concentration_percent, r.kg_per_l, r.citation) for r in rows]
    if pure is not None:
        points.append((100.0, pure.kg_per_l, pure.citation))
    for (c0, d0, s0), (c1, d1, s1) in zip(points, points[1:], strict=False):
        if c0 <= percent <= c1:
            value = d0 + (d1 - d0) * (percent - c0) / (c1 - c0)
            return DensityUsed(value, f"interpolated between {c0:g} % and {c1:g} % ({s0}; {s1})", False, True)
    c, d, source = points[-1]
    return DensityUsed(d, f"as at {c:g} % ({source})", False, True)


def to_kg(
    quantity: float,
    unit: str,
    entry_id: str | None,
    ruleset: RuleSet,
    concentration_percent: float | None = None,
) -> float:
    """The mass in kg of a declared quantity (the whole material, before concentration).

    A volume needs the chemical's density; without one this raises UnitError.

    >>> from rules import load_ruleset
    >>> rs = load_ruleset()
    >>> to_kg(2, "lb", None, rs)
    0.90718474
    >>> round(to_kg(1, "L", "acetone", rs), 4)   # density from the `chemicals` package
    0.7866
    """
    key = canonical_unit(unit)
    if key in _MASS_KG:
        return quantity * _MASS_KG[key]
    if entry_id is None:
        raise UnitError(f"a volume ({unit}) needs a chemical to find its density")
    density = density_for(entry_id, ruleset, concentration_percent)
    if density is None:
        raise UnitError(f"no density on file for {entry_id!r}: declare this line by mass")
    return to_litres(quantity, key) * density.kg_per_l


def base_fraction(concentration_percent: float | None, parent_mass_fraction: float | None) -> float:
    """The fraction of the declared material that counts toward a threshold (base weight).

    An undeclared concentration counts as 100 % (unknown concentration means regulated).

    >>> base_fraction(40, None), base_fraction(None, 0.82), base_fraction(50, 0.5)
    (0.4, 0.82, 0.25)
    """
    concentration = 100.0 if concentration_percent is None else concentration_percent
    fraction = parent_mass_fraction if parent_mass_fraction is not None and parent_mass_fraction > 0 else 1.0
    return concentration / 100.0 * min(fraction, 1.0)
