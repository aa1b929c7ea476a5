"""App-wide behaviour: health, OpenAPI document, security headers, method errors."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from backend.extensions import db
from tests.conftest import auth


def test_health_reports_ok_and_the_database_kind(client, app):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] in ("sqlite", "postgresql")
    expected = "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"
    assert response.json["database"] == expected


def test_openapi_document_lists_the_public_interfaces(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/hazards",
        "/api/sync/push",
        "/api/sync/pull",
        "/api/qr/{token}",
        "/api/photos/{sha256}",
        "/api/health",
    ):
        assert path in spec["paths"], path
    assert "post" in spec["paths"]["/api/sync/push"]
    assert "put" in spec["paths"]["/api/photos/{sha256}"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/health",
        "/api/openapi.json",
        "/api/nope",
        "/q/some-token",
        "/some/pwa/route",
        "/api/devices",
    ],
    ids=["root", "health", "openapi", "api_404", "qr_landing", "spa_route", "api_401"],
)
def test_every_response_says_nosniff(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/q/some-token"], ids=["root", "qr_landing"])
def test_pages_carry_a_content_security_policy(client, path):
    csp = client.get(path).headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


@pytest.mark.parametrize(
    "path",
    ["/api/health", "/api/nope", "/api/devices", "/api/qr/unknown-token"],
    ids=["health", "api_404", "api_401", "qr_404"],
)
def test_api_json_is_never_cached(client, path):
    response = client.get(path)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"


def test_signed_in_api_json_is_never_cached(client, city):
    response = client.get("/api/devices", headers=auth(city.manager))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_get_on_sync_push_is_405_envelope(client, city):
    response = client.get("/api/sync/push", headers=auth(city.manager))
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert set(response.json["error"]) == {"code", "message", "details"}


def test_anonymous_get_on_sync_push_is_405_not_a_page(client):
    response = client.get("/api/sync/push")
    assert response.status_code == 405
    assert response.mimetype == "application/json"


def test_unknown_api_path_is_json_404_not_the_pwa(client):
    response = client.get("/api/definitely/not/here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_spa_route_serves_the_shell(client):
    response = client.get("/hazards/123")
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_postgresql_sessions_plan_without_jit(app):
    """Compiling a list page's plan took longer than running it (70 of 150 ms at province size)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("JIT is a PostgreSQL setting")
    assert db.session.scalar(text("SHOW jit")) == "off"
