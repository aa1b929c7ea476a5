"""File downloads: every response that sends a file names it here (RFC 6266).

HTTP headers are Latin-1: a raw Chinese file name in Content-Disposition makes gunicorn drop the
response ("Invalid HTTP Header"). So the name goes out twice: an ASCII `filename="…"` for old
clients and `filename*=UTF-8''…` (RFC 5987 percent-encoding) with the real name.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response

#: characters an ASCII fallback name may keep; every other run becomes one "_"
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_fallback(filename: str) -> str:
    """'monthly-全市-2026-11.xlsx' → 'monthly-_-2026-11.xlsx'; never empty, never quoting trouble."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    plain_stem = _NOT_PLAIN.sub("_", stem).strip("_-.") or "download"
    plain_extension = _NOT_PLAIN.sub("", extension)
    return f"{plain_stem}.{plain_extension}" if plain_extension else plain_stem


def content_disposition(filename: str, *, inline: bool = False, fallback: str | None = None) -> str:
    """`attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (or `inline; …`)."""
    kind = "inline" if inline else "attachment"
    plain = ascii_fallback(fallback or filename)
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def name_file(
    response: Response, filename: str, *, inline: bool = False, fallback: str | None = None
) -> Response:
    """Name the file a response carries (for responses built elsewhere, e.g. send_file)."""
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline, fallback=fallback)
    return response


def file_response(
    body: bytes, filename: str, mimetype: str, *, inline: bool = False, fallback: str | None = None
) -> Response:
    """A download: the bytes, their type and their (possibly Chinese) file name."""
    return name_file(Response(body, mimetype=mimetype), filename, inline=inline, fallback=fallback)
