"""Catalogue files: read identifiers from CSV or SMILES files, write screening results as CSV.

``flask --app wsgi structures check FILE`` is a thin wrapper over these two functions.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from .results import Identifiers, LineResult

_COLUMNS = {
    "cas": ("cas", "cas number", "cas_number", "casrn", "cas no", "cas_no", "cas rn"),
    "smiles": ("smiles", "structure", "canonical_smiles"),
    "name": ("name", "chemical", "chemical name", "chemical_name", "product", "product name", "nombre"),
    "inchi": ("inchi",),
    "inchikey": ("inchikey", "inchi key", "inchi_key"),
}


class CatalogueError(ValueError):
    """A catalogue file that cannot be read (names the file and the problem)."""


def read_items(path: str | Path) -> list[Identifiers]:
    """Identifiers from a CSV (header with cas / smiles / name / inchi / inchikey columns, any case)
    or a SMILES file (``.smi``: SMILES, then an optional title after whitespace).

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "c.csv")
    >>> _ = open(p, "w").write("CAS,Name\\n67-64-1,acetone\\n,safrole\\n")
    >>> read_items(p)
    [Identifiers(cas='67-64-1', smiles=None, name='acetone', inchi=None, inchikey=None), \
Identifiers(cas=None, smiles=None, name='safrole', inchi=None, inchikey=None)]
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{p}: cannot be read ({exc})") from exc
    if p.suffix.lower() in (".smi", ".smiles"):
        return _read_smi(text)
    return _read_csv(text, str(p))


def _read_smi(text: str) -> list[Identifiers]:
    items = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.strip().split(None, 1)
        # The title is only a label: a name is not used to screen when the structure is given.
        items.append(Identifiers(smiles=parts[0]))
    return items


def _read_csv(text: str, where: str) -> list[Identifiers]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise CatalogueError(f"{where}: the file is empty") from exc
    norm = [h.strip().lower().replace("-", " ") for h in header]
    cols: dict[str, int] = {}
    for fld, aliases in _COLUMNS.items():
        for i, h in enumerate(norm):
            if h in aliases or h.replace("_", " ") in aliases:
                cols.setdefault(fld, i)
    if not cols:
        raise CatalogueError(
            f"{where}: no cas, smiles, name, inchi or inchikey column in the header {header!r}"
        )
    items = []
    for row in reader:
        if not any(c.strip() for c in row):
            continue
        values = {f: (row[i].strip() if i < len(row) and row[i].strip() else None) for f, i in cols.items()}
        items.append(Identifiers(**values))
    return items


OUTPUT_COLUMNS = (
    "index",
    "cas",
    "smiles",
    "name",
    "classification",
    "resolved_smiles",
    "matched_entries",
    "match_types",
    "lists",
    "reasons",
    "findings",
    "watchlist_version",
)


def write_results(
    results: Iterable[LineResult], out: IO[str], items: list[Identifiers] | None = None
) -> None:
    """Write one CSV row per result: identifiers, classification, matched entries, match types, reasons."""
    writer = csv.writer(out)
    writer.writerow(OUTPUT_COLUMNS)
    for i, r in enumerate(results):
        given = dict(r.identifiers_given)
        if items is not None and i < len(items):
            given = {k: v for k, v in vars(items[i]).items() if v}
        writer.writerow(
            [
                i,
                given.get("cas", ""),
                given.get("smiles", ""),
                given.get("name", ""),
                r.classification,
                r.resolved.smiles if r.resolved else "",
                "; ".join(dict.fromkeys(m.entry_id for m in r.matches)),
                "; ".join(f"{m.entry_id}:{m.match_type}" for m in r.matches),
                "; ".join(dict.fromkeys(label for m in r.matches for label in m.lists)),
                " | ".join(m.reason for m in r.matches),
                json.dumps([{"code": f.code, "message": f.message} for f in r.findings])
                if r.findings
                else "",
                r.watchlist_version,
            ]
        )
