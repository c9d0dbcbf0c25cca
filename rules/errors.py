"""The one error the rules library raises for bad rule data."""

from __future__ import annotations


class RuleError(Exception):
    """A rule data file was refused. Names the file, the entry and the field, and what is wrong.

    >>> str(RuleError("thresholds.yaml", "acetone", "mass_kg", "Not a valid number."))
    "thresholds.yaml: entry 'acetone': field 'mass_kg': Not a valid number."
    """

    def __init__(self, file: str, entry: str | None, field: str | None, problem: str) -> None:
        self.file = file
        self.entry = entry
        self.field = field
        self.problem = problem
        parts = [file]
        if entry is not None:
            parts.append(f"entry {entry!r}")
        if field is not None:
            parts.append(f"field {field!r}")
        parts.append(problem)
        super().__init__(": ".join(parts))
