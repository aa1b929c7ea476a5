"""A JSON body the API cannot read is a 400 with the envelope, before any view runs.

Python's JSON parser raises RecursionError (not a ValueError) on deeply nested input, which the
argument parser does not catch: without this guard, `[[[[…]]]]` a thousand deep was a 500. A fixed
depth limit, far above any real request and far below the parser's own, keeps the answer the same
however deep the server's call stack happens to be when the body is parsed again.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request

from backend.core.errors import error_response

#: deepest nesting of objects and arrays a request body may have (real ones stay under 10)
MAX_JSON_DEPTH = 64


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


def _unreadable_json():  # type: ignore[no-untyped-def]
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        body = json.loads(raw.decode("utf-8"))
    except RecursionError:
        return _invalid(f"JSON 嵌套过深 (nested deeper than {MAX_JSON_DEPTH})")
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        return _invalid("请求体不是有效的 JSON (invalid JSON body)")
    if json_depth(body) > MAX_JSON_DEPTH:
        return _invalid(f"JSON 嵌套过深 (nested deeper than {MAX_JSON_DEPTH})")
    return None


def _invalid(message: str):  # type: ignore[no-untyped-def]
    return error_response(400, "invalid_json", message)


def register_json_guard(app: Flask) -> None:
    app.before_request(_unreadable_json)
