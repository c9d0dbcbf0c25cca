"""In Chromium: a catalogue file screened with a progress bar; an administrator's key shown once."""

from __future__ import annotations

import pytest

from .conftest import ADMIN, sign_in

pytestmark = pytest.mark.browser


def test_catalogue_runs_to_the_end_with_progress(officer_page, tmp_path):
    page = officer_page
    rows = ["CAS,SMILES"] + ["67-64-1,"] * 30 + [",O=C1CCN(CCc2ccccc2)CC1", "7732-18-5,"]
    path = tmp_path / "catalogue.csv"
    path.write_text("\n".join(rows) + "\n")
    page.goto("/catalogue")
    page.set_input_files("#f-file", str(path))
    page.click("button:has-text('Upload and check')")
    page.wait_for_selector("#catalogue-results")
    assert page.inner_text("[data-count='processed']") == "32"
    assert page.locator("#catalogue-results svg").count() >= 1
    assert page.locator("a:has-text('Download results (CSV)')").count() == 1
    assert page.errors == []


def test_admin_issues_a_key_shown_once(page):
    sign_in(page, ADMIN)
    page.goto("/admin/api-keys")
    page.select_option("#f-organisation", label="Acme Exports LLC")
    page.fill("#f-label", "browser test")
    page.click("button:has-text('Issue key')")
    key = page.inner_text("#new-api-key")
    assert key.startswith("psk_")
    page.goto("/admin/api-keys")
    assert key not in page.content()
    assert page.errors == []
