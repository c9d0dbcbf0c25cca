"""The direction of dependency (shared/style.md): rules and chem_db never reach up into the app.

Each check imports every module of a package in a fresh interpreter and looks
at ``sys.modules`` afterwards, so an import hidden anywhere in the package shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module({package!r})
failed = []
for info in pkgutil.walk_packages(package.__path__, prefix={package!r} + "."):
    if ".tests" in info.name or info.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(info.name)
    except Exception as exc:  # reported, not hidden: a module that cannot import is a failure too
        failed.append(f"{{info.name}}: {{exc!r}}")
print(json.dumps({{"modules": sorted(sys.modules), "failed": failed}}))
"""

FORBIDDEN = {
    "rules": ("flask", "screening", "chem_db", "sqlalchemy", "rdkit"),
    "chem_db": ("flask", "screening", "rules"),
}


def imported_by(package: str) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=package)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_library_never_imports_what_sits_above_it(package):
    report = imported_by(package)
    assert not report["failed"], report["failed"]
    loaded = {name.split(".")[0] for name in report["modules"]}
    forbidden = sorted(set(FORBIDDEN[package]) & loaded)
    assert not forbidden, f"{package} imports {forbidden}"


def test_services_do_not_import_flask():
    report = imported_by("screening.services")
    assert not report["failed"], report["failed"]
    assert "flask" not in {name.split(".")[0] for name in report["modules"]}
