"""The catalogue check: upload, chunked screening with progress in the database, results, CSV download."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from screening.db import get_database
from screening.models.officer_pages import CatalogueJob

CATALOGUE = (
    "Item,CAS,SMILES,Name\n"
    "A1,67-64-1,,\n"
    "A2,,,safrole\n"
    "A3,,CCO,\n"
    "A4,67-64-2,,\n"
    "A5,,O=C1CCN(CCc2ccccc2)CC1,\n"
    "A6,,CC(C)(C)OC(=O)N1CCC(Nc2ccccc2)CC1,\n"
)


def upload(client, pages, text=CATALOGUE, filename="products.csv"):
    token = pages.form_token(client, "/catalogue")
    return client.post(
        "/catalogue",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), filename)},
        content_type="multipart/form-data",
    )


def step(client, location, token):
    return client.post(location + "/step", headers={"Accept": "application/json", "X-CSRFToken": token})


def test_catalogue_runs_in_chunks_and_lists_flagged_rows(app, as_officer, pages):
    app.config["SCREENING_CATALOGUE_CHUNK"] = 4
    response = upload(as_officer, pages)
    assert response.status_code == 303
    location = response.headers["Location"]
    page = as_officer.get(location).get_data(as_text=True)
    assert '0</span><span class="stat__label">of 6 rows screened' in page.replace("\n", "")
    assert 'src="/static/js/catalogue.js"' in page and "<progress" in page
    token = pages.form_token(as_officer, location)
    first = step(as_officer, location, token).get_json()
    assert first == {"state": "running", "processed": 4, "total": 6, "flagged": 2, "unresolved": 1}
    second = step(as_officer, location, token).get_json()
    assert second["state"] == "done" and second["processed"] == 6 and second["flagged"] == 4
    text = as_officer.get(location).get_data(as_text=True)
    assert "Safrole" in text and "N-Phenethyl-4-piperidone" in text and "CAS_INVALID" in text
    assert "<svg" in text  # depictions of flagged rows
    assert "CCO" not in text.split("catalogue-results", 1)[1]  # rows found clear are not listed by default
    everything = as_officer.get(location + "?show=all").get_data(as_text=True)
    assert "CCO" in everything
    with get_database(app).session_scope() as session:
        job = session.scalar(select(CatalogueJob))
        assert job.finished_at is not None and job.watchlist_version


def test_catalogue_csv_download(app, as_officer, pages):
    location = upload(as_officer, pages).headers["Location"]
    token = pages.form_token(as_officer, location)
    while step(as_officer, location, token).get_json()["state"] != "done":
        pass
    download = as_officer.get(location + ".csv")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert 'filename="products-screened.csv"' in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [r["classification"] for r in rows] == [
        "listed",
        "listed",
        "none",
        "unresolved",
        "listed",
        "listed",
    ]
    assert rows[4]["matched_entries"].startswith("npp")
    assert "CAS_INVALID" in rows[3]["findings"]


def test_step_without_javascript_redirects_back(as_officer, pages):
    location = upload(as_officer, pages).headers["Location"]
    response = pages.post_form(as_officer, location + "/step", {}, page=location)
    assert response.status_code == 303 and response.headers["Location"] == location


def test_bad_files_are_refused_with_a_reason(app, as_officer, pages):
    response = upload(as_officer, pages, "colour,size\nred,big\n", "odd.csv")
    assert response.status_code == 422
    assert "no cas, smiles, name" in response.get_data(as_text=True).lower()
    app.config["SCREENING_CATALOGUE_MAX_ROWS"] = 2
    response = upload(as_officer, pages)
    assert response.status_code == 422 and "at most 2 per file" in response.get_data(as_text=True)
    token = pages.form_token(as_officer, "/catalogue")
    missing = as_officer.post("/catalogue", data={"csrf_token": token}, content_type="multipart/form-data")
    assert missing.status_code == 422


def test_another_organisations_catalogue_is_not_found(client, officer, other_officer, pages):
    pages.sign_in(client, officer)
    location = upload(client, pages).headers["Location"]
    pages.post_form(client, "/logout", {}, page="/catalogue")
    pages.sign_in(client, other_officer)
    assert client.get(location).status_code == 404
    assert client.get(location + ".csv").status_code == 404
    token = pages.form_token(client, "/catalogue")
    assert step(client, location, token).status_code == 404
    assert "products.csv" not in client.get("/catalogue").get_data(as_text=True)
