"""`/api/docs`: Swagger UI served from the swagger-ui-bundle package, never from a CDN.

Government networks (政务外网) often reach nothing outside, so the page, its script and style all
come from this origin and the page carries the same CSP as everything else (no inline script).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("api_docs", __name__, url_prefix="/api/docs")

#: the vendored files the page uses; nothing else of the package is served
SWAGGER_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"})
INIT_SCRIPT = Path(__file__).with_name("apidocs_init.js")

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>特种设备安全监管 API</title>
<link rel="icon" href="/api/docs/static/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"""


@bp.get("")
@bp.get("/")
def docs_page() -> Response:
    response = Response(PAGE, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/init.js")
def docs_init() -> Response:
    response = send_from_directory(INIT_SCRIPT.parent, INIT_SCRIPT.name, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/static/<name>")
def docs_static(name: str) -> Response:
    if name not in SWAGGER_FILES:
        abort(404)
    response = send_from_directory(swagger_ui_path, name, max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def register_api_docs(app: Flask) -> None:
    app.register_blueprint(bp)
