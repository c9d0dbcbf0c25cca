"""The shipped watchlist loads and holds what the team relies on."""

from __future__ import annotations

from chem_db.watchlist import is_valid_cas, load_watchlist


def test_shipped_watchlist_loads() -> None:
    wl = load_watchlist()
    assert wl.entries
    assert wl.version == f"{wl.label}+{wl.content_hash[:12]}"


def test_every_cas_has_a_valid_check_digit() -> None:
    for entry in load_watchlist().entries:
        for cas in entry.all_cas:
            assert is_valid_cas(cas), (entry.id, cas)
