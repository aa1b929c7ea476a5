"""Serve the built PWA from the same process, and set security headers."""

from __future__ import annotations

import gzip
import mimetypes
import re
from pathlib import Path

from flask import Flask, Response, current_app, request, send_from_directory
from werkzeug.exceptions import HTTPException

from backend.core.db import write_intent
from backend.core.errors import error_response

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>特种设备安全监管</title>
<p>前端尚未构建。请运行 <code>make run</code>。(The PWA is not built: run make run.)</p>"""


#: the precompressed twins the build writes next to a file (pwa/scripts/precompress.mjs), best first
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def _dist() -> Path:
    return Path(current_app.config["PWA_DIST"])


def _fresh_twin(original: Path, suffix: str) -> bool:
    """A precompressed twin that is not older than its file; a file replaced after the build
    (a patched deploy) is served as it is now, never as its stale twin."""
    twin = original.with_name(original.name + suffix)
    try:
        return twin.is_file() and twin.stat().st_mtime >= original.stat().st_mtime
    except OSError:
        return False


#: JSON answers below this go out as they are: gzip's own header and the CPU would eat the saving
GZIP_MIN_BYTES = 1024


def _gzip_json(response: Response) -> Response:
    """A JSON answer goes out gzipped to a client that accepts it (issue 22: a first-sync page of ~190 KB is
    ~4 s at 50 KB/s, ~20 KB once compressed). Tokens travel in the Authorization header, never in cookies, so
    a cross-site page cannot make a browser fetch a secret-bearing answer to measure its size (BREACH)."""
    if response.mimetype != "application/json" or response.direct_passthrough or response.is_streamed:
        return response
    if "Content-Encoding" in response.headers or request.method == "HEAD":
        return response
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if len(body) < GZIP_MIN_BYTES or not request.accept_encodings["gzip"]:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    return response


def _send_built(path: str, max_age: int) -> Response:
    """A built file, as its .br or .gz twin when there is one and the browser accepts that encoding."""
    dist = _dist()
    twins = [(e, f"{path}{suffix}") for e, suffix in ENCODINGS if _fresh_twin(dist / path, suffix)]
    chosen = next(((e, twin) for e, twin in twins if request.accept_encodings[e]), None)
    if chosen is None:
        response = send_from_directory(dist, path, max_age=max_age)
    else:
        encoding, twin = chosen
        mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        response = send_from_directory(dist, twin, max_age=max_age, mimetype=mimetype)
        response.headers["Content-Encoding"] = encoding
    if twins:
        response.vary.add("Accept-Encoding")
    return response


def _index() -> Response:
    index = _dist() / "index.html"
    if not index.exists():
        return Response(NOT_BUILT, status=200, mimetype="text/html")
    response = _send_built("index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


#: the complaint form a label's QR code opens (not the tracking page, nor the form for a device with no label)
COMPLAINT_FORM = re.compile(r"complaint/(?!track/?$|new/?$)([A-Za-z0-9_-]{1,64})/?")


def _with_lookup_preload(response: Response, path: str) -> Response:
    """Issue 25: the complaint form draws once its label's device has answered; the browser asks for the
    device while it parses the page and downloads the scripts, instead of one round trip after they ran."""
    form = COMPLAINT_FORM.fullmatch(path)
    if form:
        response.headers.add("Link", f"</api/qr/{form.group(1)}>; rel=preload; as=fetch; crossorigin")
    return response


def serve_pwa(path: str = "") -> Response:
    """A built file if it exists, else the SPA shell (client-side routes)."""
    if path.startswith("api/"):
        return _api_miss(path)
    target = _dist() / path
    if path and target.is_file() and _dist().resolve() in target.resolve().parents:
        immutable = path.startswith("assets/")
        response = _send_built(path, max_age=31536000 if immutable else 0)
        # hashed names never change content: no revalidation on a slow network
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
        return response
    return _with_lookup_preload(_index(), path)


def _api_miss(path: str) -> Response:
    """An /api URL reached the PWA route: 405 if it exists for other methods, else 404."""
    adapter = current_app.url_map.bind("localhost")
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        try:
            adapter.match(f"/{path}", method=method)
        except HTTPException:
            continue
        return error_response(405, "method_not_allowed", "不支持该请求方法 (method not allowed)")
    return error_response(404, "not_found", "未找到 (not found)")


def device_landing(token: str) -> Response:
    """GET /q/<token>: what a phone camera opens; the PWA shows that device."""
    return _index()


def _mark_write_intent() -> None:
    write_intent.set(request.method not in SAFE_METHODS)


def _clear_write_intent(_exc: BaseException | None) -> None:
    write_intent.set(False)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
    if request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("Content-Security-Policy", CSP)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def register_web(app: Flask) -> None:
    app.before_request(_mark_write_intent)
    app.teardown_request(_clear_write_intent)
    app.after_request(_security_headers)
    app.after_request(_gzip_json)
    app.add_url_rule("/q/<token>", "device_landing", device_landing)
    app.add_url_rule("/", "pwa_index", serve_pwa)
    app.add_url_rule("/<path:path>", "pwa_file", serve_pwa)
