"""Administration pages: organisations, users, API keys shown once, the watchlist and the rules."""

from __future__ import annotations

import re

from sqlalchemy import select

from screening.db import get_database
from screening.models import ApiKey, AuditEntry, Organisation, User


def actions(app):
    with get_database(app).session_scope() as session:
        return list(session.scalars(select(AuditEntry.action)))


def test_admin_pages_need_the_admin_role(client, officer, pages):
    for url in ("/admin/", "/admin/users", "/admin/api-keys", "/admin/watchlist", "/admin/rules"):
        assert client.get(url).status_code == 302  # signed out: to sign in
    pages.sign_in(client, officer)
    for url in ("/admin/", "/admin/users", "/admin/api-keys", "/admin/watchlist", "/admin/rules"):
        assert client.get(url).status_code == 403
    assert client.post("/admin/organisations", data={"name": "X"}).status_code in (400, 403)


def test_overview_shows_counts_and_versions(as_admin):
    text = as_admin.get("/admin/").get_data(as_text=True)
    assert "Organisations" in text and "Watchlist" in text and "Rules" in text
    assert re.search(r"\d{4}\.\d+[.\-][^<]*\+[0-9a-f]{12}", text)


def test_create_and_deactivate_an_organisation(app, as_admin, pages):
    response = pages.post_form(as_admin, "/admin/organisations", {"name": "Nueva Quimica LLC"})
    assert response.status_code == 303
    assert "Nueva Quimica LLC" in as_admin.get("/admin/organisations").get_data(as_text=True)
    duplicate = pages.post_form(as_admin, "/admin/organisations", {"name": "Nueva Quimica LLC"})
    assert duplicate.status_code == 422 and "already exists" in duplicate.get_data(as_text=True)
    with get_database(app).session_scope() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == "Nueva Quimica LLC"))
    pages.post_form(as_admin, f"/admin/organisations/{org_id}/deactivate", {}, page="/admin/organisations")
    with get_database(app).session_scope() as session:
        assert session.get(Organisation, org_id).active is False
    assert {"organisation.created", "organisation.deactivated"} <= set(actions(app))


def test_create_and_deactivate_a_user_who_can_then_not_sign_in(app, client, admin_user, officer, pages):
    pages.sign_in(client, admin_user)
    with get_database(app).session_scope() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == "Acme Exports LLC"))
    form = {
        "email": "Nina@Acme.test",
        "name": "Nina",
        "role": "compliance_officer",
        "organisation": str(org_id),
        "password": "a long enough password",
    }
    assert pages.post_form(client, "/admin/users", form).status_code == 303
    short = pages.post_form(client, "/admin/users", {**form, "email": "x@acme.test", "password": "short"})
    assert short.status_code == 422 and "12 characters" in short.get_data(as_text=True)
    no_org = pages.post_form(client, "/admin/users", {**form, "email": "y@acme.test", "organisation": ""})
    assert no_org.status_code == 422 and "organisation" in no_org.get_data(as_text=True)
    with get_database(app).session_scope() as session:
        nina = session.scalar(select(User).where(User.email == "nina@acme.test"))
        assert nina.organisation_id == org_id and nina.role == "compliance_officer"
        nina_id = nina.id
    pages.post_form(client, f"/admin/users/{nina_id}/deactivate", {}, page="/admin/users")
    pages.post_form(client, "/logout", {}, page="/admin/users")
    refused = pages.post_form(
        client, "/login", {"email": "nina@acme.test", "password": "a long enough password"}
    )
    assert refused.status_code == 401


def test_admin_cannot_deactivate_themselves(app, as_admin, admin_user, pages):
    response = pages.post_form(as_admin, f"/admin/users/{admin_user.id}/deactivate", {}, page="/admin/users")
    assert response.status_code == 303
    with get_database(app).session_scope() as session:
        assert session.get(User, admin_user.id).active


def test_api_key_is_shown_once_works_and_can_be_revoked(app, as_admin, officer, pages):
    with get_database(app).session_scope() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == "Acme Exports LLC"))
    response = pages.post_form(as_admin, "/admin/api-keys", {"organisation": str(org_id), "label": "ERP"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    key = re.search(r'id="new-api-key">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert as_admin.get("/admin/api-keys").get_data(as_text=True).count(key) == 0
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/screenings", headers=headers).status_code == 200
    with get_database(app).session_scope() as session:
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.label == "ERP"))
    pages.post_form(as_admin, f"/admin/api-keys/{key_id}/revoke", {}, page="/admin/api-keys")
    assert client.get("/api/v1/screenings", headers=headers).status_code == 401
    assert {"api_key.created", "api_key.revoked"} <= set(actions(app))


def test_watchlist_pages_show_structures_regimes_citations_and_verified_marks(as_admin):
    text = as_admin.get("/admin/watchlist").get_data(as_text=True)
    assert "N-Phenethyl-4-piperidone" in text and "DEA List I" in text
    assert "<svg" in text and "verified" in text and "unverified" in text
    assert 'id="classes"' in text and 'id="exclusions"' in text
    found = as_admin.get("/admin/watchlist?q=103-79-7").get_data(as_text=True)
    assert "Phenylacetone" in found or "P2P" in found
    assert "Safrole" not in found
    entry = as_admin.get("/admin/watchlist/npp")
    assert entry.status_code == 200 and "21 CFR" in entry.get_data(as_text=True)
    assert as_admin.get("/admin/watchlist/not-an-entry").status_code == 404


def test_rules_page_shows_thresholds_obligations_and_version(as_admin):
    from rules import current_ruleset

    text = as_admin.get("/admin/rules").get_data(as_text=True)
    assert current_ruleset().version in text
    assert "DEA_FORM_486" in text and "1310.04" in text
