"""An unexpected failure on a page: the site's own error page, logged, nothing half-done shown."""

from __future__ import annotations

from typing import Any

import pytest

from screening.web import orders


def test_an_unexpected_error_on_a_page_renders_the_layouts_500_page(
    as_officer: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(orders, "list_orders", broken)
    response = as_officer.get("/history")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Error 500" in page
    assert "Back to the start page" in page  # the site's layout, not Werkzeug's bare page
    assert "database went away" not in page  # internals stay in the log
    assert any("unhandled error" in record.getMessage() for record in caplog.records)


def test_an_unexpected_error_on_the_api_stays_json(as_exporter: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from screening.api import screenings as api

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "list_orders", broken)
    response = as_exporter.get("/api/v1/screenings")
    assert response.status_code == 500
    assert response.json["code"] == 500
