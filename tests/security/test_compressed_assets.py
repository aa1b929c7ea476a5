"""The built PWA goes out compressed: the build's .br/.gz twins (pwa/scripts/precompress.mjs) are sent with
Content-Encoding to a browser that accepts them, the original to one that does not, always with Vary."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from backend.config import ROOT

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="the precompress script needs node")

BUNDLE = ("import{a as b}from'./vendor.js';" * 2000).encode()


def brotli_decompress(data: bytes) -> bytes:
    """Python has no brotli module here; node's zlib decodes it."""
    script = "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    return subprocess.run([NODE, "-e", script], input=data, capture_output=True, check=True).stdout  # noqa: S603


@pytest.fixture
def built(app) -> Path:
    dist = Path(app.config["PWA_DIST"])
    (dist / "assets").mkdir(parents=True)
    (dist / "assets" / "index-abc123.js").write_bytes(BUNDLE)
    shell = "<!doctype html><title>特种设备</title>" + "<p>x</p>" * 300
    (dist / "index.html").write_text(shell, encoding="utf-8")
    script = ROOT / "pwa" / "scripts" / "precompress.mjs"
    subprocess.run([NODE, str(script), str(dist)], check=True, capture_output=True)  # noqa: S603
    return dist


def get(client, path: str, accept: str | None):
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    response = client.get(path, headers=headers)
    body = response.get_data()
    response.close()
    return response, body


def test_a_browser_accepting_brotli_gets_the_bundle_brotli_encoded(client, built):
    response, body = get(client, "/assets/index-abc123.js", "gzip, deflate, br")
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert response.mimetype == "text/javascript"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(body) < len(BUNDLE) / 10
    assert brotli_decompress(body) == BUNDLE


def test_a_browser_accepting_only_gzip_gets_gzip(client, built):
    response, body = get(client, "/assets/index-abc123.js", "gzip")
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(body) == BUNDLE


def test_a_client_accepting_no_encoding_gets_the_original_bytes(client, built):
    for accept in (None, "identity", "br;q=0, gzip;q=0"):
        response, body = get(client, "/assets/index-abc123.js", accept)
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" in response.headers["Vary"]
        assert body == BUNDLE


def test_the_app_shell_is_compressed_too_and_still_never_cached(client, built):
    for path in ("/", "/devices/12", "/q/sometoken"):
        response, body = get(client, path, "br")
        assert response.headers["Content-Encoding"] == "br"
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.mimetype == "text/html"
        assert "特种设备" in brotli_decompress(body).decode()


def test_a_file_replaced_after_the_build_is_served_as_it_is_now_not_as_its_stale_twin(client, built):
    bundle = built / "assets" / "index-abc123.js"
    twin = built / "assets" / "index-abc123.js.br"
    patched = BUNDLE + b"// patched deploy"
    bundle.write_bytes(patched)
    older = twin.stat().st_mtime - 10
    os.utime(twin, (older, older))
    response, body = get(client, "/assets/index-abc123.js", "gzip, deflate, br")
    assert response.headers.get("Content-Encoding") != "br"
    served = gzip.decompress(body) if response.headers.get("Content-Encoding") == "gzip" else body
    assert served == patched


def test_hashed_assets_are_cached_for_a_year_without_revalidation_and_the_worker_list_is_not(client, built):
    response, _ = get(client, "/assets/index-abc123.js", "br")
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    (built / "offline-assets.json").write_text('["/assets/index-abc123.js"]')
    listing, _ = get(client, "/offline-assets.json", None)
    assert listing.headers["Cache-Control"] == "no-cache"
