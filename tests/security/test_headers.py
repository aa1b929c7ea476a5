"""Security headers: a CSP that admits the PWA and nothing else, HSTS only over TLS, no-store on API data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import request
from flask_jwt_extended import create_access_token

from backend import create_app
from backend.config import ROOT
from backend.core.images import sha256_hex
from backend.extensions import db
from tests import factories as f

# Everything the PWA needs: its own origin, blob:/data: for camera previews and compressed photos,
# WebAssembly for the QR decoder, inline styles that Vant sets on elements. No other origin, no eval.
ALLOWED_SOURCES = {
    "default-src": {"'self'"},
    "script-src": {"'self'", "'wasm-unsafe-eval'"},
    "style-src": {"'self'", "'unsafe-inline'"},
    "img-src": {"'self'", "blob:", "data:"},
    "media-src": {"'self'", "blob:"},
    "connect-src": {"'self'"},
    "worker-src": {"'self'", "blob:"},
    "manifest-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def fetch(client, path: str, **kwargs):
    """GET and close at once (files are streamed; an open one is a ResourceWarning)."""
    response = client.get(path, **kwargs)
    response.get_data()
    response.close()
    return response


def parse_csp(header: str) -> dict[str, set[str]]:
    directives: dict[str, set[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


@pytest.fixture
def pwa_dist(app, tmp_path):
    dist = Path(app.config["PWA_DIST"])
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "index.html").write_text('<!doctype html><script type="module" src="/assets/a.js"></script>')
    return dist


@pytest.mark.parametrize("path", ["/", "/q/some-label-token", "/hazards/new", "/api/health"])
def test_every_page_and_api_answer_carries_the_pwa_csp(client, city, pwa_dist, path):
    response = fetch(client, path)
    assert response.status_code == 200
    assert parse_csp(response.headers["Content-Security-Policy"]) == ALLOWED_SOURCES


def test_csp_names_no_other_origin_and_allows_no_eval_or_inline_script(client, city, pwa_dist):
    csp = fetch(client, "/").headers["Content-Security-Policy"]
    assert not re.search(r"https?:|\*|wss?:", csp)
    scripts = parse_csp(csp)["script-src"]
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts


def test_pages_cannot_be_framed_or_sniffed(client, city, pwa_dist):
    headers = fetch(client, "/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def _same_origin_refs(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', html)


@pytest.mark.parametrize(
    "index", [ROOT / "pwa" / "index.html", ROOT / "pwa" / "dist" / "index.html"], ids=["source", "built"]
)
def test_pwa_shell_needs_nothing_the_csp_refuses(index):
    """No inline script and no other origin in the shell, so the CSP above lets it run."""
    if not index.exists():
        pytest.skip(f"{index.relative_to(ROOT)} not built (cd pwa && npm run build)")
    html = index.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script would be blocked by the CSP: {tag}"
    for ref in _same_origin_refs(html):
        assert ref.startswith("/") and not ref.startswith("//"), ref


def _app(tmp_path, **config):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'h.db'}",
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "s",
            "PWA_DIST": str(tmp_path / "dist"),
            "JWT_SECRET_KEY": "test-jwt-secret-with-enough-length-0123456789",
            **config,
        }
    )


def test_no_hsts_over_plain_http(client, city, pwa_dist):
    assert "Strict-Transport-Security" not in fetch(client, "/").headers


def test_hsts_when_served_over_tls(client, city, pwa_dist):
    response = fetch(client, "/", base_url="https://tzsb.example.cn")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_forwarded_https_is_ignored_without_a_trusted_proxy(tmp_path):
    """A client cannot claim https (or another address) by sending X-Forwarded-* itself."""
    response = fetch(_app(tmp_path).test_client(), "/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_behind_a_trusted_tls_proxy(tmp_path):
    client = _app(tmp_path, TRUSTED_PROXIES=1).test_client()
    assert "Strict-Transport-Security" not in fetch(client, "/").headers
    response = fetch(client, "/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_trusted_proxy_gives_the_client_address_for_rate_limits(tmp_path):
    app = _app(tmp_path, TRUSTED_PROXIES=1)
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    fetch(app.test_client(), "/", headers={"X-Forwarded-For": "203.0.113.9"})
    fetch(
        app.test_client(),
        "/",
        headers={"X-Forwarded-For": "203.0.113.9"},
        environ_overrides={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert seen == ["203.0.113.9", "203.0.113.9"]


def test_untrusted_forwarded_for_does_not_change_the_client_address(tmp_path):
    app = _app(tmp_path)
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    fetch(app.test_client(), "/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen == ["127.0.0.1"]


def _personal_data_paths(city) -> list[str]:
    hazard = f.make_hazard(city.ent_a, city.manager)
    person = f.make_person(city.ent_a)
    db.session.commit()
    return [
        "/api/auth/me",
        "/api/people",
        f"/api/people?enterprise_id={person.enterprise_id}",
        "/api/enterprises",
        f"/api/enterprises/{city.ent_a.id}",
        "/api/devices",
        f"/api/devices/{city.dev_a.id}",
        "/api/devices/attention",
        "/api/hazards",
        f"/api/hazards/{hazard.id}",
        "/api/complaints",
        "/api/notices",
        "/api/sync/pull",
        "/api/zones",
        "/api/blocks",
        "/api/enterprises/two-lists",
    ]


def test_api_answers_with_personal_data_are_no_store(client, city):
    headers = {"Authorization": f"Bearer {create_access_token(identity=city.admin)}"}
    for path in _personal_data_paths(city):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/api/auth/login", 401),
        ("GET", "/api/hazards", 401),
        ("GET", "/api/devices/999999", 401),
        ("GET", "/api/public/complaints/T0000?code=x", 404),
        ("GET", "/api/nowhere", 404),
    ],
)
def test_api_errors_are_no_store_too(client, city, method, path, status):
    body = {"json": {"username": "nobody", "password": "wrong-password"}} if method == "POST" else {}
    response = client.open(path, method=method, **body)
    assert response.status_code == status
    assert response.headers["Cache-Control"] == "no-store"


def test_login_tokens_are_never_cached(client, city):
    response = client.post("/api/auth/login", json={"username": city.admin.username, "password": f.PASSWORD})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_signed_photo_links_may_be_cached_only_by_the_browser(client, city):
    """Photos are immutable and behind signed links: private (never a shared cache), not no-store."""
    data = f.image_bytes()
    headers = {"Authorization": f"Bearer {create_access_token(identity=city.admin)}"}
    url = client.put(f"/api/photos/{sha256_hex(data)}", data=data, headers=headers).get_json()["url"]
    cache = fetch(client, url).headers["Cache-Control"]
    assert "private" in cache
    assert "public" not in cache
