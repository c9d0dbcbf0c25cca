"""Every salt and hydrate form the watchlist records carries its structure, so a line given by that
form's CAS number is listed with the parent's share of the mass (thresholds count base weight)."""

from __future__ import annotations

import pytest

from chem_db import Identifiers
from chem_db.watchlist import load_watchlist

_FORMS = [(e.id, sf) for e in load_watchlist().entries for sf in e.salt_forms]


def test_every_salt_form_records_its_smiles():
    missing = [f"{eid}: {sf.form} ({sf.cas})" for eid, sf in _FORMS if not sf.smiles]
    assert not missing


@pytest.mark.parametrize("entry_id, form", _FORMS, ids=[f"{eid}-{sf.cas}" for eid, sf in _FORMS])
def test_a_salt_form_by_cas_is_listed_with_a_mass_fraction(engine, entry_id, form):
    result = engine.screen(Identifiers(cas=form.cas))
    assert result.classification == "listed"
    assert entry_id in {m.entry_id for m in result.matches}
    assert result.parent_mass_fraction is not None and 0 < result.parent_mass_fraction <= 1


def test_sodium_permanganate_monohydrate_counts_the_anhydrous_salt(engine):
    # NaMnO4 141.92 / NaMnO4.H2O 159.94
    result = engine.screen(Identifiers(cas="79048-36-5"))
    assert result.parent_mass_fraction == pytest.approx(0.8874, abs=1e-3)
