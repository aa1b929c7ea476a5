"""Isolated networks (政务外网): nothing the product serves may load from outside.

Every served page, script, style sheet, manifest and the CSP are fetched through the app and
scanned for absolute http(s) URLs and protocol-relative references. A URL is tolerated only when
it matches ALLOWED below, each entry with the reason it is never fetched; anything else fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.config import ROOT
from tests.security.test_headers import fetch, parse_csp

BUILT_DIST = ROOT / "pwa" / "dist"
SCANNED_SUFFIXES = (".html", ".js", ".css", ".webmanifest", ".svg", ".json")

URL = re.compile(r"https?://[^\s\"'`<>()\\,;{}\[\]]+")
#: `//host/...` in a place the browser would load it: an attribute, CSS url() or @import
PROTOCOL_RELATIVE = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])//"""
)


@dataclass(frozen=True)
class Allowed:
    pattern: re.Pattern[str]
    reason: str
    #: the served path must match this too (a vendor quirk is tolerated only in that vendor's file)
    in_path: re.Pattern[str] = re.compile(r".*")


def _allowed(pattern: str, reason: str, in_path: str = r".*") -> Allowed:
    return Allowed(re.compile(pattern), reason, re.compile(in_path))


SWAGGER = r"^/api/docs/static/swagger-ui-bundle\.js$"
ALLOWED = (
    _allowed(
        r"^http://www\.w3\.org/(2000/svg|1999/xhtml|1999/xlink|XML/1998/namespace|1998/Math/MathML|2000/xmlns/)$",
        "XML namespace names (SVG, XHTML, XLink, MathML): identifiers compared as strings, never fetched",
    ),
    _allowed(
        r"^https://vuejs\.org/error-reference/(#runtime-)?$",
        "Vue's production error message text (shown in the console for a developer to open)",
    ),
    _allowed(
        r"^(https://tinyurl\.com/y2uuvskb|http://bit\.ly/2kdckMn)$",
        "Dexie's error message text (IndexedDB missing / premature commit), never fetched",
    ),
    _allowed(
        r"^https://fastly\.jsdelivr\.net/npm/zxing-wasm@[0-9.]+/dist/$",
        "zxing-wasm's default wasm location; src/scan/detector.ts overrides locateFile with the "
        "local asset (checked by test_the_qr_decoder_loads_its_wasm_from_this_origin)",
        in_path=r"^/assets/detector-[\w-]+\.js$",
    ),
    _allowed(
        r"^https?://(reactjs\.org/(docs/error-decoder\.html|link/react-polyfills)|redux\.js\.org/Errors"
        r"|fb\.me/use-check-prop-types|github\.com/(zloirock/core-js|highlightjs/highlight\.js)(/|$))",
        "React/Redux/core-js/highlight.js error and licence text inside the Swagger UI bundle",
        in_path=SWAGGER,
    ),
    _allowed(
        r"^https://(twitter\.com/(hashtag/)?|instagram\.com/(explore/tags/)?|www\.facebook\.com/hashtag/"
        r"|soundcloud\.com/)$",
        "Autolinker's link templates for mentions/hashtags in descriptions: an <a href> a reader may "
        "click, never loaded (our spec has none)",
        in_path=SWAGGER,
    ),
    _allowed(
        r"^https?://([^/.@]+@)?[^/.@]+([/?#].*)?$",
        "core-js's URL feature test parses made-up single-label hosts (http://a, http://тест) with "
        "new URL(): nothing is fetched, and a name without a dot is no Internet host",
        in_path=SWAGGER,
    ),
    _allowed(
        r"^https://bit\.ly/wb-precache$",
        "Workbox's error message text in the service worker runtime, never fetched",
        in_path=r"^/workbox-[0-9a-f]+\.js$",
    ),
    _allowed(
        r"^https://validator\.swagger\.io/validator$",
        "Swagger UI's default validator badge; backend/apidocs_init.js sets validatorUrl: null "
        "(checked by test_api_docs_turn_off_the_remote_validator_and_default_spec)",
        in_path=SWAGGER,
    ),
    _allowed(
        r"^https://petstore\.swagger\.io/v2/swagger\.json$",
        "Swagger UI's default spec URL; backend/apidocs_init.js sets url to /api/openapi.json",
        in_path=SWAGGER,
    ),
)

CSP_KEYWORDS = {"'self'", "'none'", "'unsafe-inline'", "'wasm-unsafe-eval'", "blob:", "data:"}


def external_references(path: str, text: str) -> set[str]:
    """Every absolute or protocol-relative reference in ``text`` that ALLOWED does not excuse."""
    # "${" ends a URL built in a template literal: the constant part is what is checked
    found = {m.group(0).rstrip(".").removesuffix("$") for m in URL.finditer(text)}
    bad = {url for url in found if not any(a.pattern.search(url) and a.in_path.search(path) for a in ALLOWED)}
    bad |= {f"protocol-relative at {m.start()}" for m in PROTOCOL_RELATIVE.finditer(text)}
    return bad


def served_text(client, path: str) -> str:
    response = fetch(client, path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def local_references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["'](/[^"']*)["']""", html)


def text_files(paths: list[str]) -> list[str]:
    return [path for path in paths if path.endswith(SCANNED_SUFFIXES)]


@pytest.fixture
def built_pwa(app, monkeypatch) -> Path:
    if not (BUILT_DIST / "index.html").is_file():
        pytest.skip("pwa/dist is not built (make test builds it before the backend suites)")
    monkeypatch.setitem(app.config, "PWA_DIST", str(BUILT_DIST))
    return BUILT_DIST


def built_paths(dist: Path) -> list[str]:
    return sorted(
        "/" + str(path.relative_to(dist))
        for path in dist.rglob("*")
        if path.is_file() and path.suffix in SCANNED_SUFFIXES
    )


def test_every_served_pwa_file_loads_nothing_from_outside(client, built_pwa):
    paths = built_paths(built_pwa)
    index = served_text(client, "/")
    referenced = local_references(index)

    assert "/index.html" in paths and any(p.endswith(".js") for p in referenced)
    assert set(referenced) <= {p for p in referenced if fetch(client, p).status_code == 200}
    problems = {path: external_references(path, served_text(client, path)) for path in ["/", *paths]}
    assert {path: bad for path, bad in problems.items() if bad} == {}


def test_the_qr_decoder_loads_its_wasm_from_this_origin(client, built_pwa):
    (detector,) = built_pwa.glob("assets/detector-*.js")
    text = served_text(client, f"/assets/{detector.name}")

    local_wasm = re.search(r'"(/assets/zxing_reader-[\w-]+\.wasm)"', text)
    assert local_wasm and "locateFile" in text
    assert fetch(client, local_wasm.group(1)).status_code == 200


def test_api_docs_and_their_assets_load_nothing_from_outside(client):
    page = served_text(client, "/api/docs")
    assets = local_references(page)

    assert {"/api/docs/static/swagger-ui-bundle.js", "/api/docs/static/swagger-ui.css"} <= set(assets)
    assert not re.search(r"<script>|<script [^>]*>[^<]", page), "inline script would need a CSP hole"
    paths = ["/api/docs", *text_files(assets)]
    problems = {path: external_references(path, served_text(client, path)) for path in paths}
    assert {path: bad for path, bad in problems.items() if bad} == {}


def test_api_docs_turn_off_the_remote_validator_and_default_spec(client):
    init = served_text(client, "/api/docs/init.js")

    assert re.search(r"validatorUrl:\s*null", init)
    assert re.search(r'url:\s*"/api/openapi\.json"', init)


@pytest.mark.parametrize("path", ["/", "/api/docs", "/api/docs/static/swagger-ui-bundle.js", "/api/health"])
def test_csp_names_no_other_origin(client, path):
    header = fetch(client, path).headers["Content-Security-Policy"]

    sources = set().union(*parse_csp(header).values())
    assert sources <= CSP_KEYWORDS, sources - CSP_KEYWORDS


def test_api_docs_serve_only_the_vendored_files_they_use(client):
    assert fetch(client, "/api/docs/static/index.html").status_code == 404
    assert fetch(client, "/api/docs/static/..%2f__init__.py").status_code == 404


def test_scanner_catches_an_external_script_and_a_protocol_relative_style():
    html = '<script src="https://cdn.jsdelivr.net/npm/x.js"></script><link href="//fonts.example/a.css">'

    assert external_references("/index.html", html) == {
        "https://cdn.jsdelivr.net/npm/x.js",
        "protocol-relative at 63",
    }
    assert external_references("/assets/app.js", '"https://validator.swagger.io/validator"')
