"""The order form, its previews, the result page and its JSON, history: through the Flask client."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from screening.db import get_database
from screening.models import Order, ReviewItem, User
from screening.services import Actor, claim_review, record_decision


def count_orders(app):
    with get_database(app).session_scope() as session:
        return session.scalar(select(func.count()).select_from(Order))


def result_url(response):
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def test_form_offers_every_field_and_countries_by_name(as_officer):
    text = as_officer.get("/screen").get_data(as_text=True)
    for name in (
        "reference",
        "order_date",
        "ship_date",
        "destination_country",
        "transit_countries",
        "declared_end_use",
        "consignee-name",
        "consignee-address",
        "consignee-country",
        "consignee-kind",
        "end_user-name",
        "end_user-country",
        "lines-0-cas",
        "lines-0-chemical",
        "lines-0-quantity",
        "lines-0-unit",
        "lines-0-concentration_percent",
        "lines-2-product",
    ):
        assert f'name="{name}"' in text, name
    assert '<option value="MX">Mexico — MX</option>' in text
    assert 'value="freight_forwarder"' in text
    assert 'src="/static/js/order-form.js"' in text
    assert "<script>" not in text  # no inline scripts (CSP)


def test_screening_an_order_shows_banner_lines_flags_and_actions(app, as_officer, pages):
    location = result_url(pages.submit_order(as_officer))
    page = as_officer.get(location)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert re.search(r"status-banner--(hold|review)", text)
    assert "Do not ship" in text or "A person should look" in text
    assert "N-Phenethyl-4-piperidone" in text and "DEA List I" in text
    assert "Acetone" in text and "DEA List II" in text
    assert "#FF8C33" in text.upper()  # the matched atoms are drawn highlighted
    assert "<script" not in text.split("<body", 1)[1].split('<script src="/static/js/common.js"')[0]
    assert "Form 486" in text and "2026-11-30" in text  # 15 days before the 2026-12-15 ship date
    assert "not legal advice" in text
    assert "Watchlist" in text and "Rules" in text
    assert count_orders(app) == 1


def test_invalid_order_keeps_what_was_typed_and_puts_errors_next_to_fields(app, as_officer, pages):
    response = pages.submit_order(
        as_officer,
        reference="",
        **{
            "consignee-country": "ZZ",
            "lines-1-quantity": "five",
            "lines-2-product": "Mystery drum",
            "lines-2-quantity": "3",
        },
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert count_orders(app) == 0
    assert 'id="f-reference-error"' in text
    assert 'id="f-consignee-country-error"' in text
    assert 'id="f-lines-1-quantity-error"' in text and "Enter a number." in text
    assert (
        'id="f-lines-2-chemical-error"' in text and "Enter a CAS number, a SMILES or a chemical name." in text
    )
    # nothing typed is lost
    assert 'value="O=C1CCN(CCc2ccccc2)CC1"' in text
    assert 'value="five"' in text
    assert 'value="Mystery drum"' in text
    assert 'value="Quimica del Norte SA de CV"' in text
    assert '<option value="PA" selected>' in text
    assert 'aria-invalid="true"' in text
    assert '<a href="#f-lines-1-quantity">Line 2: quantity</a>' in text  # counted as the page shows


def test_form_and_api_validate_alike(as_officer, as_exporter, pages):
    web = pages.submit_order(as_officer, **{"lines-0-unit": "bushel"})
    assert web.status_code == 422
    assert "Unknown unit" in web.get_data(as_text=True)
    api = as_exporter.screen(
        {
            "reference": "X",
            "destination_country": "MX",
            "consignee": {"name": "Q", "country": "MX", "kind": "distributor"},
            "lines": [{"cas": "67-64-1", "quantity": 1, "unit": "bushel"}],
        }
    )
    assert api.status_code == 422
    assert "Unknown unit" in str(api.get_json()["errors"])


def test_lines_can_be_added_removed_and_pasted_without_javascript(as_officer, pages):
    added = pages.submit_order(as_officer, action="add_line")
    assert added.status_code == 200
    assert 'name="lines-3-product"' in added.get_data(as_text=True)
    removed = pages.submit_order(as_officer, action="remove_line-0")
    text = removed.get_data(as_text=True)
    assert 'value="67-64-1"' not in text and 'value="O=C1CCN(CCc2ccccc2)CC1"' in text
    pasted = pages.submit_order(
        as_officer,
        action="paste",
        paste="Product\tChemical\tQty\tUnit\tConc\n"
        "Safrole oil\t94-59-7\t10\tkg\t\nBenzaldehyde FCC\tbenzaldehyde\t25\tL\t99%\n",
    )
    text = pasted.get_data(as_text=True)
    assert pasted.status_code == 200
    assert 'value="94-59-7"' in text and 'value="Safrole oil"' in text
    assert 'value="benzaldehyde"' in text and 'value="99"' in text
    assert '<option value="L" selected>' in text
    assert 'value="67-64-1"' in text  # lines already filled in stay


def test_check_lines_previews_each_line_without_javascript(as_officer, pages):
    response = pages.submit_order(as_officer, action="check", **{"lines-2-cas": "67-64-2"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "read from the CAS number" in text and "read from the SMILES" in text
    assert "CAS_INVALID" in text
    assert "<svg" in text


def test_preview_fragment_shows_what_a_line_resolves_to(as_officer):
    response = as_officer.get("/screen/preview", query_string={"chemical": "O=C1CCN(CCc2ccccc2)CC1"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "N-Phenethyl-4-piperidone" in text and "read from the SMILES" in text
    assert "<svg" in text and "<script" not in text and "style=" not in text
    typo = as_officer.get("/screen/preview", query_string={"cas": "67-64-2"}).get_data(as_text=True)
    assert "CAS_INVALID" in typo and "unresolved" in typo
    assert as_officer.get("/screen/preview").status_code == 204


def test_preview_needs_an_officer(client, admin_user, pages):
    assert client.get("/screen/preview?cas=67-64-1").status_code == 302
    pages.sign_in(client, admin_user)
    assert client.get("/screen/preview?cas=67-64-1").status_code == 403


def test_a_double_submitted_form_stores_one_order(app, as_officer, pages):
    first = result_url(pages.submit_order(as_officer, submission="abc123"))
    second = result_url(pages.submit_order(as_officer, submission="abc123"))
    assert first == second
    assert count_orders(app) == 1
    changed = result_url(pages.submit_order(as_officer, submission="abc123", reference="PO-OTHER"))
    assert changed != first
    assert count_orders(app) == 2


def test_user_text_is_escaped_everywhere(as_officer, pages):
    hostile = "<script>alert(1)</script>"
    location = result_url(
        pages.submit_order(
            as_officer, **{"consignee-name": hostile, "lines-0-product": hostile, "reference": "R<b>1"}
        )
    )
    for url in (location, "/history"):
        text = as_officer.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "R&lt;b&gt;1" in text


def test_another_organisations_screening_is_not_found(client, officer, other_officer, pages):
    pages.sign_in(client, officer)
    location = result_url(pages.submit_order(client))
    pages.post_form(client, "/logout", {}, page="/screen")
    pages.sign_in(client, other_officer)
    assert client.get(location).status_code == 404
    assert client.get(location + ".json").status_code == 404
    assert "PO-2026-0042" not in client.get("/history").get_data(as_text=True)


def test_json_download_is_the_api_document(app, client, make_exporter, make_user, pages):
    exporter = make_exporter("Acme Exports LLC")
    officer = make_user("olga@acme.test")
    order = pages.order_form()
    api_order = {
        "reference": "PO-API-1",
        "order_date": "2026-11-20",
        "destination_country": "MX",
        "consignee": {"name": "Quimica del Norte SA de CV", "country": "MX", "kind": "distributor"},
        "lines": [{"cas": "67-64-1", "quantity": 200, "unit": "kg"}],
    }
    created = exporter.screen(api_order).get_json()
    pages.sign_in(client, officer)
    download = client.get(f"/screenings/{created['id']}.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_json() == exporter.get(f"/api/v1/screenings/{created['id']}").get_json()
    page = client.get(f"/screenings/{created['id']}").get_data(as_text=True)
    assert "PO-API-1" in page and "via api" in page
    assert order  # the form helper stays importable


def test_review_state_shows_once_a_liaison_acts_without_internal_notes(app, as_officer, liaison_user, pages):
    location = result_url(pages.submit_order(as_officer))
    text = as_officer.get(location).get_data(as_text=True)
    assert 'id="review-title"' not in text and "review queue" in text
    with get_database(app).session_scope() as session:
        liaison = session.get(User, liaison_user.id)
        item = session.scalar(select(ReviewItem))
        actor = Actor.for_user(liaison)
        claim_review(session, item, liaison, actor)
        record_decision(
            session,
            item,
            liaison,
            "cleared_with_conditions",
            "INTERNAL: spoke with agent Smith",
            actor,
            message_to_exporter="Ship only with the Mexican import permit attached.",
        )
    text = as_officer.get(location).get_data(as_text=True)
    assert 'id="review-title"' in text and "Cleared with conditions" in text
    assert "Ship only with the Mexican import permit attached." in text
    assert "INTERNAL" not in text


def test_history_lists_newest_first_with_filters_and_pages(app, as_officer, pages):
    app.config["SCREENING_PAGE_SIZE"] = 2
    for n in range(3):
        pages.submit_order(as_officer, reference=f"PO-{n}", submission=f"s{n}")
    pages.submit_order(
        as_officer,
        reference="BENIGN-1",
        submission="s9",
        **{
            "lines-0-cas": "7647-14-5",
            "lines-0-product": "Salt",
            "lines-1-chemical": "",
            "lines-1-product": "",
            "lines-1-quantity": "",
            "lines-1-concentration_percent": "",
        },
    )
    first = as_officer.get("/history").get_data(as_text=True)
    assert first.index("BENIGN-1") < first.index("PO-2")
    assert "Page 1 of 2" in first and "4 results" in first
    second = as_officer.get("/history?page=2").get_data(as_text=True)
    assert "PO-0" in second and "BENIGN-1" not in second
    by_reference = as_officer.get("/history?reference=PO-*").get_data(as_text=True)
    assert "3 results" in by_reference and "BENIGN-1" not in by_reference
    by_status = as_officer.get("/history?status=clear").get_data(as_text=True)
    assert "BENIGN-1" in by_status and "PO-1" not in by_status
    by_chemical = as_officer.get("/history?chemical=npp").get_data(as_text=True)
    assert "BENIGN-1" not in by_chemical and "PO-1" in by_chemical
    # any page number is a page (a number beyond 64 bits once overflowed SQLite with a 500)
    assert as_officer.get("/history?page=35566015834264268079076737024").status_code == 200
    bad = as_officer.get("/history?date_from=yesterday").get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." in bad
    empty = as_officer.get("/history?date_to=2000-01-01").get_data(as_text=True)
    assert "No screenings match these filters." in empty


def test_preview_escapes_what_was_typed(as_officer):
    text = as_officer.get(
        "/screen/preview", query_string={"chemical": "<img src=x onerror=alert(1)>"}
    ).get_data(as_text=True)
    assert "<img" not in text
    assert "&lt;img" in text or "NAME_UNKNOWN" in text
