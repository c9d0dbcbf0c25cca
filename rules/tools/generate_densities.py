"""Generate rules/data/densities.yaml from the `chemicals` package's liquid density data.

Run from the repository root::

    .venv/bin/python -m rules.tools.generate_densities

The rules read only the YAML at run time (no `chemicals` import in the engine). Each row says which
correlation produced it, at 298.15 K, so a reviewer can check it. Density turns a declared volume into
mass (kg/L); it is physical data, not regulation, so rows are `verified: true` when taken from a
tabulated correlation inside its temperature range and `verified: false` for estimates.

Hand-written aqueous solution densities (as sold: 40 % methylamine, 57 % hydriodic acid...) are kept in
SOLUTIONS below and copied into the file.
"""

from __future__ import annotations

import math
import statistics
import sys
from pathlib import Path

import yaml

T_REF = 298.15  # K, 25 °C

# Watchlist entries that can be declared by volume (liquids at 25 °C, or liquefied gases / melts sold by
# volume), with the CAS number used to look them up.
LIQUIDS: dict[str, str] = {
    "acetone": "67-64-1",
    "mek": "78-93-3",
    "mibk": "108-10-1",
    "toluene": "108-88-3",
    "ethyl-ether": "60-29-7",
    "acetic-anhydride": "108-24-7",
    "propionic-anhydride": "123-62-6",
    "benzyl-chloride": "100-44-7",
    "benzaldehyde": "100-52-7",
    "nitroethane": "79-24-3",
    "benzyl-cyanide": "140-29-4",
    "safrole": "94-59-7",
    "isosafrole": "120-58-1",
    "pmk": "4676-39-5",
    "p2p": "103-79-7",
    "piperidine": "110-89-4",
    "gbl": "96-48-0",
    "methylamine": "74-89-5",
    "ethylamine": "75-04-7",
    "hydrochloric-acid": "7647-01-0",
    "hydriodic-acid": "10034-85-2",
    "sulfuric-acid": "7664-93-9",
    "hypophosphorous-acid": "6303-21-5",
}

# Densities of the usual commercial aqueous forms, kg/L at about 20-25 °C. Supplier data sheets,
# from memory: verified false until checked against a current SDS.
SOLUTIONS: list[dict[str, object]] = [
    {"entry_id": "methylamine", "concentration_percent": 40, "kg_per_l": 0.90, "solvent": "water"},
    {"entry_id": "ethylamine", "concentration_percent": 70, "kg_per_l": 0.81, "solvent": "water"},
    {"entry_id": "hydrochloric-acid", "concentration_percent": 37, "kg_per_l": 1.18, "solvent": "water"},
    {"entry_id": "hydrochloric-acid", "concentration_percent": 32, "kg_per_l": 1.16, "solvent": "water"},
    {"entry_id": "hydriodic-acid", "concentration_percent": 57, "kg_per_l": 1.70, "solvent": "water"},
    {"entry_id": "hypophosphorous-acid", "concentration_percent": 50, "kg_per_l": 1.27, "solvent": "water"},
    {"entry_id": "sulfuric-acid", "concentration_percent": 98, "kg_per_l": 1.84, "solvent": "water"},
    {"entry_id": "sulfuric-acid", "concentration_percent": 93, "kg_per_l": 1.83, "solvent": "water"},
]


# Measured densities, kg/L at 25 °C (supplier catalogue values, from memory: verified false until checked),
# used instead of the critical-property estimates, which are 4-7 % low for these aromatic liquids
# (benzyl cyanide 0.959 against 1.015, safrole 1.035 against 1.096, phenylacetone 0.937 against 1.006):
# enough to put a litre of benzyl cyanide on the wrong side of its 1 kg threshold.
MEASURED: dict[str, tuple[float, str]] = {
    "140-29-4": (1.015, "benzyl cyanide, 1.015 g/mL at 25 °C"),
    "94-59-7": (1.096, "safrole, 1.096 g/mL at 25 °C"),
    "120-58-1": (1.12, "isosafrole, 1.12 g/mL at 25 °C"),
    "103-79-7": (1.006, "phenylacetone, 1.006 g/mL at 25 °C"),
}


def liquid_density(cas: str) -> tuple[float, str, bool] | None:
    """(kg/L, source, within tabulated range) at T_REF, or None when no correlation has the chemical."""
    from chemicals import dippr, identifiers, volume
    from chemicals.acentric import omega
    from chemicals.critical import Pc, Tc, Vc, Zc

    mw = identifiers.search_chemical(cas).MW  # g/mol
    perry = volume.rho_data_Perry_8E_105_l
    if cas in perry.index:
        row = perry.loc[cas]
        in_range = bool(row["Tmin"] <= T_REF <= row["Tmax"])
        rho_mol = dippr.EQ105(T_REF, row["C1"], row["C2"], row["C3"], row["C4"])  # mol/m3
        if in_range:
            return (
                rho_mol * mw / 1e6,
                "Perry's Handbook 8th ed. table 2-32 (DIPPR eq. 105), via chemicals",
                True,
            )
    vdi = volume.rho_data_VDI_PPDS_2
    if cas in vdi.index:
        row = vdi.loc[cas]
        tc = row["Tc"]
        if T_REF < tc:
            tau = 1.0 - T_REF / tc
            rho = (
                row["rhoc"]
                + row["A"] * tau**0.35
                + row["B"] * tau ** (2 / 3)
                + row["C"] * tau
                + row["D"] * tau ** (4 / 3)
            )
            return rho / 1000.0, "VDI Heat Atlas PPDS 2 correlation, via chemicals", True
    const = volume.rho_data_CRC_inorg_l_const
    if cas in const.index:
        vm = const.loc[cas]["Vm"]  # m3/mol
        return mw / vm / 1e6, "CRC Handbook, inorganic liquid density (constant), via chemicals", True
    if cas in MEASURED:
        kg_per_l, what = MEASURED[cas]
        return kg_per_l, f"supplier catalogue value ({what}; from memory)", False
    # No tabulated correlation: the median of four estimates from critical properties (COSTALD,
    # Rackett, Yen-Woods, Townsend-Hales). Any one of them can be 10 % off for aromatic or
    # heteroatom-rich liquids (COSTALD gives safrole 0.98, Rackett GBL 1.42); the median is steadier.
    tc, pc, vc, zc, om = Tc(cas), Pc(cas), Vc(cas), Zc(cas), omega(cas)
    estimates = []
    for estimate in (
        lambda: volume.COSTALD(T_REF, tc, vc, om),
        lambda: volume.Rackett(T_REF, tc, pc, zc),
        lambda: volume.Yen_Woods_saturation(T_REF, tc, vc, zc),
        lambda: volume.Townsend_Hales(T_REF, tc, vc, om),
    ):
        try:
            vm = estimate()
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if vm and vm > 0:
            estimates.append(mw / vm / 1e6)
    if estimates and tc and T_REF < tc:
        return (
            statistics.median(estimates),
            "median of COSTALD, Rackett, Yen-Woods and Townsend-Hales estimates from critical properties, "
            "via chemicals (estimate)",
            False,
        )
    return None


def build() -> dict[str, object]:
    rows = []
    for entry_id, cas in LIQUIDS.items():
        found = liquid_density(cas)
        if found is None:
            print(f"no density for {entry_id} ({cas})", file=sys.stderr)
            continue
        kg_per_l, source, tabulated = found
        if not math.isfinite(kg_per_l) or kg_per_l <= 0:
            print(f"bad density for {entry_id}: {kg_per_l}", file=sys.stderr)
            continue
        rows.append(
            {
                "entry_id": entry_id,
                "cas": cas,
                "kg_per_l": round(float(kg_per_l), 4),
                "temperature_k": T_REF,
                "source": source,
                "citation": f"chemicals {_chemicals_version()} ({source})"
                if "via chemicals" in source
                else source,
                "verified": tabulated,
            }
        )
    solutions = [
        dict(row, citation="supplier safety data sheets (typical values, from memory)", verified=False)
        for row in SOLUTIONS
    ]
    return {"densities": rows, "solutions": solutions}


def _chemicals_version() -> str:
    from importlib.metadata import version

    return version("chemicals")


HEADER = """\
# Liquid densities for volume -> mass conversion (kg per litre at 25 °C).
# GENERATED by rules/tools/generate_densities.py from the `chemicals` package; edit the script, not this
# file (except `solutions`, which the script copies from its SOLUTIONS table).
# densities: the pure chemical (liquefied gases: saturated liquid).
# solutions: commercial aqueous forms; used when a line's concentration matches within 1 percentage point.
"""


def main() -> None:
    out = Path(__file__).resolve().parents[1] / "data" / "densities.yaml"
    text = HEADER + yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=120)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
