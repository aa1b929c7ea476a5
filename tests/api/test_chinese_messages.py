"""Every validation message the PWA shows has Chinese text (English defaults translated in one place)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from backend.core.messages import chinese_message
from tests.api.test_errors import WRITES, send
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def assert_all_chinese(error: dict) -> None:
    texts = [error["message"], *_strings(error.get("details", {}))]
    assert len(texts) > 1, error
    english_only = [text for text in texts if not _CJK.search(text)]
    assert english_only == [], error


def _drop(key: str):
    return lambda body: body.pop(key)


def _put(key: str, value: object):
    return lambda body: body.__setitem__(key, value)


#: (write, change) pairs hitting marshmallow's defaults: required, length, type, null, choice, date
INVALID = [
    ("create_enterprise", _drop("name")),
    ("create_enterprise", _put("name", "甲")),
    ("create_enterprise", _put("zone_id", "not a number")),
    ("create_device", _drop("registration_no")),
    ("create_device", _put("category", "spaceship")),
    ("create_device", _put("registration_no", None)),
    ("report_hazard", _put("severity", "catastrophic")),
    ("report_hazard", _put("device_id", [1])),
    ("patch_device", _put("location", {"floor": 2})),
    ("patch_enterprise", _put("address", 42)),
]


@pytest.mark.parametrize(("name", "change"), INVALID, ids=lambda v: v if isinstance(v, str) else "")
def test_refused_write_explains_every_field_in_chinese(client, city, name, change):
    response = send(client, city, name, change)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert_all_chinese(response.json["error"])


def test_refused_query_explains_in_chinese(client, city):
    response = client.get("/api/hazards?per_page=abc&page=-1", headers=auth(city.admin))
    assert response.status_code == 422
    assert_all_chinese(response.json["error"])


def test_rejected_sync_op_explains_in_chinese(client, city):
    _method, path, body, _ok = WRITES["sync_push"](city)
    del body["ops"][0]["payload"]["description"]
    body["ops"][0]["payload"]["severity"] = "catastrophic"
    response = client.post(path, json=body, headers=auth(city.manager))
    result = response.json["results"][0]
    assert result["status"] == "rejected"
    assert_all_chinese(result["error"])


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Missing data for required field.", "必填项 (Missing data for required field.)"),
        ("Length must be between 2 and 100.", "长度须在 2 到 100 之间 (Length must be between 2 and 100.)"),
        ("Not a valid integer.", "不是有效的整数 (Not a valid integer.)"),
        ("Must be greater than or equal to 1.", "须大于或等于 1 (Must be greater than or equal to 1.)"),
        ("请填写名称", "请填写名称"),
    ],
)
def test_default_message_gets_chinese_with_english_in_parentheses(english, chinese):
    assert chinese_message(english) == chinese
