"""In Chromium: sign in, fill an order of two lines, see the previews, screen it, read the result."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def fill_order(page, consignee="Quimica del Norte SA de CV"):
    page.fill("#f-reference", "PO-BROWSER-1")
    page.fill("#f-ship_date", "2026-12-15")
    page.select_option("#f-destination_country", "MX")
    page.fill("#f-consignee-name", consignee)
    page.select_option("#f-consignee-country", "MX")
    page.fill("#f-lines-0-product", "Acetone, technical grade")
    page.fill("#f-lines-0-cas", "67-64-1")
    page.fill("#f-lines-0-quantity", "200")
    page.fill("#f-lines-1-product", "Intermediate X")
    page.fill("#f-lines-1-chemical", "O=C1CCN(CCc2ccccc2)CC1")
    page.fill("#f-lines-1-quantity", "5")
    page.fill("#f-lines-1-concentration_percent", "98.5")


def test_officer_screens_a_two_line_order(officer_page):
    page = officer_page
    fill_order(page)
    # live previews, fetched while typing
    page.wait_for_selector("#preview-0 svg")
    page.wait_for_selector("#preview-1 svg")
    assert "Acetone" in page.inner_text("#preview-0")
    assert "read from the SMILES" in page.inner_text("#preview-1")
    assert "N-Phenethyl-4-piperidone" in page.inner_text("#preview-1")
    page.click("button.button--primary:has-text('Screen order')")
    page.wait_for_selector(".status-banner")
    banner = page.locator(".status-banner")
    assert re.search(r"status-banner--(hold|review)", banner.get_attribute("class"))
    assert "ship" in banner.inner_text().lower()
    highlighted = page.locator(".depiction--highlighted svg [fill='#FF8C33']")
    assert highlighted.count() > 0
    assert page.locator(".flag-group").count() >= 1
    assert page.locator(".flag").count() >= 2
    assert "NPP" in page.inner_text("#flags-title ~ *") or "N-Phenethyl" in page.inner_text(".flag-list")
    assert "not legal advice" in page.inner_text("body")
    assert page.errors == []  # no script errors, no Content-Security-Policy violations


def test_lines_are_added_and_removed_in_the_page(officer_page):
    page = officer_page
    assert page.locator("tbody.line").count() == 3
    url = page.url
    page.click("#add-line")
    assert page.locator("tbody.line").count() == 4
    assert page.url == url  # no round trip: the script added it
    page.fill("#f-lines-3-cas", "94-59-7")
    page.wait_for_selector("#preview-3 svg")
    assert "Safrole" in page.inner_text("#preview-3")
    page.click("tbody.line[data-line='0'] [data-remove-line]")
    assert page.locator("tbody.line").count() == 3
    assert page.inner_text("tbody.line >> nth=0 >> .col-n") == "1"
    assert page.errors == []


def test_a_form_posted_without_its_csrf_token_is_refused(officer_page):
    page = officer_page
    fill_order(page)
    page.evaluate("document.querySelector(\"#order-form input[name='csrf_token']\").remove()")
    page.click("button.button--primary:has-text('Screen order')")
    page.wait_for_load_state()
    assert "security token" in page.inner_text("main")
    assert page.locator(".status-banner").count() == 0


def test_a_consignee_named_like_a_script_shows_as_text(officer_page):
    page = officer_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    fill_order(page, consignee="<script>alert(1)</script>")
    page.click("button.button--primary:has-text('Screen order')")
    page.wait_for_selector(".status-banner")
    assert page.get_by_text("<script>alert(1)</script>").first.is_visible()
    page.goto("/history")
    assert page.get_by_text("<script>alert(1)</script>").first.is_visible()
    assert dialogs == []
