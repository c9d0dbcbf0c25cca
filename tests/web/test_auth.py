"""Sign-in, sign-out, throttling, CSRF, safe redirects, roles and the headers every response carries."""

from __future__ import annotations

from sqlalchemy import func, select

from screening.db import get_database
from screening.models import AuditEntry, User
from screening.models.officer_pages import LoginFailure


def audit_actions(app, label=None):
    with get_database(app).session_scope() as session:
        query = select(AuditEntry.action).order_by(AuditEntry.id)
        if label:
            query = query.where(AuditEntry.actor_label == label)
        return list(session.scalars(query))


def test_sign_in_page_carries_security_headers_and_safe_cookies(client):
    response = client.get("/login")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_api_responses_carry_the_headers_too(client):
    response = client.get("/api/v1/screenings")
    assert response.status_code == 401
    assert response.is_json
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers


def test_hsts_only_in_production(app_config, db_connection):
    from screening import create_app

    settings = {
        **app_config,
        "SCREENING_ENV": "production",
        "SECRET_KEY": "k" * 20 + "abcdefghijklmnop",
        "SCREENING_ALLOW_SQLITE_IN_PRODUCTION": True,
        "SCREENING_METRICS_TOKEN": "0123456789abcdefghijklmnopqrstuvwxyz",
    }
    production = create_app(settings)
    response = production.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]


def test_officer_signs_in_and_lands_on_the_order_form(app, client, officer, pages):
    response = pages.sign_in(client, officer)
    assert response.status_code == 302
    assert response.headers["Location"] == "/screen"
    assert client.get("/screen").status_code == 200
    assert "user.login" in audit_actions(app, officer.email)


def test_wrong_password_is_refused_counted_and_audited(app, client, officer, pages):
    response = pages.sign_in(client, officer, password="not the password at all")
    assert response.status_code == 401
    assert "not right" in response.get_data(as_text=True)
    assert client.get("/screen").status_code == 302  # still signed out
    assert "user.login_failed" in audit_actions(app, officer.email)
    with get_database(app).session_scope() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 2  # account + address


def test_unknown_account_gets_the_same_answer(client, pages):
    response = pages.post_form(
        client, "/login", {"email": "nobody@nowhere.test", "password": "whatever it is"}
    )
    assert response.status_code == 401
    assert "not right" in response.get_data(as_text=True)


def test_repeated_failures_throttle_the_account_even_with_the_right_password(app, client, officer, pages):
    for _ in range(5):
        assert pages.sign_in(client, officer, password="guess guess guess").status_code == 401
    response = pages.sign_in(client, officer)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    text = response.get_data(as_text=True)
    assert "Too many failed sign-in attempts for this account" in text
    assert "user.login_throttled" in audit_actions(app, officer.email)
    assert client.get("/screen").status_code == 302


def test_throttling_by_address_covers_many_accounts(app, client, pages, app_config):
    app.config["SCREENING_LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for n in range(3):
        pages.post_form(client, "/login", {"email": f"user{n}@x.test", "password": "wrong password"})
    response = pages.post_form(client, "/login", {"email": "user9@x.test", "password": "wrong password"})
    assert response.status_code == 429
    assert "your network address" in response.get_data(as_text=True)


def test_success_clears_the_account_failures(app, client, officer, pages):
    for _ in range(4):
        pages.sign_in(client, officer, password="guess guess guess")
    assert pages.sign_in(client, officer).status_code == 302
    with get_database(app).session_scope() as session:
        accounts = session.scalar(
            select(func.count()).select_from(LoginFailure).where(LoginFailure.scope == "account")
        )
    assert accounts == 0


def test_deactivated_user_cannot_sign_in(app, client, officer, pages):
    with get_database(app).session_scope() as session:
        session.get(User, officer.id).active = False
    response = pages.sign_in(client, officer)
    assert response.status_code == 401


def test_next_is_followed_only_to_local_pages(client, officer, pages):
    response = pages.post_form(
        client, "/login", {"email": officer.email, "password": officer.password, "next": "/history"}
    )
    assert response.headers["Location"] == "/history"
    pages.post_form(client, "/logout", {}, page="/history")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = pages.post_form(
            client, "/login", {"email": officer.email, "password": officer.password, "next": target}
        )
        assert response.headers["Location"] == "/screen", target
        pages.post_form(client, "/logout", {}, page="/history")


def test_anonymous_pages_redirect_to_sign_in_with_next(client):
    response = client.get("/history?page=2")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "history" in response.headers["Location"]


def test_form_posted_without_csrf_token_is_refused(client, officer):
    response = client.post("/login", data={"email": officer.email, "password": officer.password})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/screen").status_code == 302


def test_api_is_exempt_from_csrf(as_exporter):
    response = as_exporter.post("/api/v1/structures/check", json={"items": [{"cas": "67-64-1"}]})
    assert response.status_code == 200


def test_logout_signs_out_and_is_audited(app, as_officer, officer, pages):
    response = pages.post_form(as_officer, "/logout", {}, page="/screen")
    assert response.status_code == 302
    assert as_officer.get("/screen").status_code == 302
    assert "user.logout" in audit_actions(app, officer.email)


def test_logout_needs_a_post_with_token(as_officer):
    assert as_officer.get("/logout").status_code == 405
    assert as_officer.post("/logout").status_code == 400
    assert as_officer.get("/screen").status_code == 200


def test_roles_see_their_own_navigation(client, officer, admin_user, pages):
    pages.sign_in(client, officer)
    text = client.get("/screen").get_data(as_text=True)
    assert "Screen an order" in text and "Catalogue check" in text and 'href="/admin/"' not in text
    assert client.get("/admin/").status_code == 403
    pages.post_form(client, "/logout", {}, page="/screen")
    pages.sign_in(client, admin_user)
    text = client.get("/admin/").get_data(as_text=True)
    assert "Watchlist" in text and "Rules" in text and 'href="/history"' not in text
    assert client.get("/screen").status_code == 403
    assert client.get("/history").status_code == 403


def test_liaison_lands_on_a_page_that_exists(client, liaison_user, pages):
    response = pages.sign_in(client, liaison_user)
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get("/screen").status_code == 403


def test_html_error_pages_and_json_for_the_api(as_officer):
    response = as_officer.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "Not found" in response.get_data(as_text=True)
    api = as_officer.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json


def test_deactivating_the_organisation_ends_its_officers_sessions(app, as_officer, officer):
    from screening.models import Organisation

    assert as_officer.get("/history").status_code == 200
    with get_database(app).session_scope() as session:
        session.get(Organisation, officer.org_id).active = False
    response = as_officer.get("/history")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
