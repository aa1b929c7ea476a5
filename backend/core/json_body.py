"""A JSON body is read safely before any view runs: unreadable is a 400, too deep is clipped.

Python's JSON parser raises RecursionError (not a ValueError) on deeply nested input, which the
argument parser does not catch: without this guard, `[[[[…]]]]` a thousand deep was a 500. A
value nested deeper than MAX_JSON_DEPTH is replaced, in the raw text and without recursion, by
TOO_DEEP, a string no schema accepts (core.schemas refuses it on its field). So one deep op in a
sync batch is rejected alone while the good ops beside it apply, and the answer does not depend
on how deep the server's call stack happens to be.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request

from backend.core.errors import error_response

#: deepest nesting of objects and arrays a request body may have (real ones stay under 10)
MAX_JSON_DEPTH = 64
#: what a clipped value becomes; the NUL makes it text no field can hold
TOO_DEEP = "\x00nested-too-deep"

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)
_OPENERS = "[{"


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            pending.extend((child, depth + 1) for child in item)
    return deepest


def clip_deep_json(text: str, max_depth: int = MAX_JSON_DEPTH) -> str:
    """`text` with every array or object nested deeper than `max_depth` replaced by TOO_DEEP.

    Only brackets outside strings count; malformed text stays malformed (the parser says so).
    """
    out: list[str] = []
    depth, kept_until, clip_from = 0, 0, None
    for token in _TOKEN.finditer(text):
        mark = token.group()
        if mark[0] == '"':
            continue
        if mark in _OPENERS:
            depth += 1
            if depth == max_depth + 1 and clip_from is None:
                clip_from = token.start()
        else:
            depth -= 1
            if depth == max_depth and clip_from is not None:
                out.append(text[kept_until:clip_from])
                out.append(json.dumps(TOO_DEEP))
                kept_until, clip_from = token.end(), None
    out.append(text[kept_until:])
    return "".join(out)


def _read_json_body():
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
        body = json.loads(text)
        too_deep = _may_nest_too_deep(text) and json_depth(body) > MAX_JSON_DEPTH
    except RecursionError:
        too_deep = True
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        return _invalid("请求体不是有效的 JSON (invalid JSON body)")
    if too_deep:
        return _clip_request_body(text)
    return None


def _may_nest_too_deep(text: str) -> bool:
    """False when the text has too few brackets to nest past the limit (most bodies): no walk then."""
    return text.count("[") + text.count("{") > MAX_JSON_DEPTH


def _clip_request_body(text: str):
    clipped = clip_deep_json(text)
    try:
        json.loads(clipped)
    except (RecursionError, ValueError):
        return _invalid("请求体不是有效的 JSON (invalid JSON body)")
    request._cached_data = clipped.encode()  # what the argument parser reads next (werkzeug's cache)
    return None


def _invalid(message: str):
    return error_response(400, "invalid_json", message)


def register_json_guard(app: Flask) -> None:
    app.before_request(_read_json_body)
