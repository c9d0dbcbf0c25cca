"""rules stays a pure library, and its documentation stays in step with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rules.tools.generate_catalogue import README, render

ROOT = Path(__file__).resolve().parents[2]


def test_rules_imports_no_framework_database_or_chemistry():
    code = (
        "import sys, rules, rules.flags, rules.engine, rules.units, rules.countries, rules.parties;"
        "from rules import evaluate, load_ruleset; load_ruleset();"
        "banned = ('flask', 'screening', 'chem_db', 'sqlalchemy', 'rdkit', 'chemicals');"
        "bad = [m for m in banned if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_flags_catalogue_in_readme_is_up_to_date():
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "run: .venv/bin/python -m rules.tools.generate_catalogue"
