"""Bad input is a 4xx in the error envelope, never a 500 (API.md, General)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


HUGE = "长" * 100_000
BIG_INT = 2**70  # beyond any database integer


def _hazard_body(city) -> dict:
    return {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "轿厢照明不亮",
    }


#: name → (method, path, valid body, success status); the caller is bureau_admin
WRITES: dict[str, Callable] = {
    "create_enterprise": lambda c: (
        "POST",
        "/api/enterprises",
        {"name": "新登记企业", "credit_code": f.valid_credit_code(), "zone_id": c.zone.id},
        201,
    ),
    "create_device": lambda c: (
        "POST",
        "/api/devices",
        {"enterprise_id": c.ent_a.id, "category": "elevator", "registration_no": f"梯新{f.new_id()[:8]}"},
        201,
    ),
    "report_hazard": lambda c: ("POST", "/api/hazards", _hazard_body(c), 201),
    "sync_push": lambda c: (
        "POST",
        "/api/sync/push",
        {"ops": [{"op_id": f.new_id(), "type": "hazard.create", "payload": _hazard_body(c)}]},
        200,
    ),
    "patch_enterprise": lambda c: (
        "PATCH",
        f"/api/enterprises/{c.ent_a.id}",
        {"address": "新地址 1 号"},
        200,
    ),
    "patch_device": lambda c: ("PATCH", f"/api/devices/{c.dev_a.id}", {"location": "二号楼"}, 200),
}


def send(
    client,
    city,
    name: str,
    change: Callable[[dict], object] | None = None,
    raw: str | None = None,
    content_type: str = "application/json",
):
    """Send WRITES[name] as admin, its body changed in place by `change` (or `raw`)."""
    method, path, body, _ok = WRITES[name](city)
    if change:
        change(body)
    data = raw if raw is not None else json.dumps(body)
    return client.open(path, method=method, data=data, content_type=content_type, headers=auth(city.admin))


def assert_envelope(response, status: int, code: str = "validation_failed"):
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    assert set(response.json["error"]) == {"code", "message", "details"}
    assert response.json["error"]["code"] == code
    return response.json["error"]["details"]


def _op(body: dict) -> dict:
    return body["ops"][0]


def _set(key: str, value: object, *, in_op: bool = False) -> Callable[[dict], None]:
    def change(body: dict) -> None:
        target = _op(body)["payload"] if in_op else body
        target[key] = value

    return change


ALL = list(WRITES)


@pytest.mark.parametrize("name", ALL)
def test_write_succeeds_with_valid_body(client, city, name):
    _method, _path, _body, ok = WRITES[name](city)
    assert send(client, city, name).status_code == ok


@pytest.mark.parametrize("name", ALL)
def test_write_ignores_unknown_fields(client, city, name):
    _method, _path, _body, ok = WRITES[name](city)
    response = send(client, city, name, _set("no_such_field", {"x": [1, 2]}))
    assert response.status_code == ok


WRONG_TYPES = {
    "create_enterprise": ("zone_id", "abc"),
    "create_device": ("category", 12),
    "report_hazard": ("photos", "not-a-list"),
    "sync_push": ("ops", "not-a-list"),
    "patch_enterprise": ("established_on", 20200101),
    "patch_device": ("key_monitored", "maybe"),
}


@pytest.mark.parametrize("name", ALL)
def test_write_refuses_wrong_type_with_422_and_field(client, city, name):
    field, value = WRONG_TYPES[name]
    details = assert_envelope(send(client, city, name, _set(field, value)), 422)
    assert field in details["fields"]


HUGE_FIELDS = {
    "create_enterprise": "name",
    "create_device": "location",
    "report_hazard": "description",
    "patch_enterprise": "address",
    "patch_device": "name",
}


@pytest.mark.parametrize("name", list(HUGE_FIELDS))
def test_write_refuses_100k_string_with_422(client, city, name):
    field = HUGE_FIELDS[name]
    details = assert_envelope(send(client, city, name, _set(field, HUGE)), 422)
    assert field in details["fields"]


def test_push_refuses_100k_op_type_with_422(client, city):
    response = send(client, city, "sync_push", lambda b: _op(b).update(type=HUGE))
    assert "ops" in assert_envelope(response, 422)["fields"]


def test_push_rejects_op_with_100k_description(client, city):
    response = send(client, city, "sync_push", _set("description", HUGE, in_op=True))
    result = response.json["results"][0]
    assert result["status"] == "rejected"
    assert "description" in result["error"]["details"]["fields"]


BAD_DATES = {
    "create_enterprise": ("established_on", "2024-02-30"),
    "create_device": ("next_inspection_due", "not-a-date"),
    "report_hazard": ("deadline", "2024-13-01"),
    "patch_enterprise": ("model_accepted_on", "31/12/2024"),
    "patch_device": ("idle_since", "2024-1-1T25:00"),
}


@pytest.mark.parametrize("name", list(BAD_DATES))
def test_write_refuses_bad_date_with_422(client, city, name):
    field, value = BAD_DATES[name]
    details = assert_envelope(send(client, city, name, _set(field, value)), 422)
    assert field in details["fields"]


def test_push_rejects_op_with_bad_date(client, city):
    response = send(client, city, "sync_push", _set("deadline", "2024-02-30", in_op=True))
    result = response.json["results"][0]
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "validation_failed"


NULLS = {
    "create_enterprise": "credit_code",
    "create_device": "name",
    "report_hazard": "category",
    "patch_enterprise": "name",
    "patch_device": "registration_no",
}


@pytest.mark.parametrize("name", list(NULLS))
def test_write_refuses_null_for_required_field_with_422(client, city, name):
    details = assert_envelope(send(client, city, name, _set(NULLS[name], None)), 422)
    assert NULLS[name] in details["fields"]


@pytest.mark.parametrize("name", ALL)
def test_write_refuses_json_array_body_with_422(client, city, name):
    assert_envelope(send(client, city, name, raw="[1, 2, 3]"), 422)


@pytest.mark.parametrize("raw", ['"just a string"', "42", "null"], ids=["string", "number", "null"])
@pytest.mark.parametrize("name", ["create_device", "patch_device", "sync_push"])
def test_write_refuses_json_scalar_body(client, city, name, raw):
    response = send(client, city, name, raw=raw)
    assert response.status_code in (400, 422)
    assert "error" in response.json


@pytest.mark.parametrize("name", ALL)
def test_write_answers_malformed_json_with_4xx_envelope(client, city, name):
    response = send(client, city, name, raw='{"name": "x",')
    assert response.status_code in (400, 422)
    assert response.json["error"]["code"]


@pytest.mark.parametrize("name", ["create_enterprise", "create_device", "report_hazard", "sync_push"])
def test_create_with_non_json_body_is_422(client, city, name):
    response = send(
        client, city, name, raw="name=x&zone_id=1", content_type="application/x-www-form-urlencoded"
    )
    assert_envelope(response, 422)


@pytest.mark.parametrize("name", ["patch_enterprise", "patch_device"])
def test_patch_with_non_json_body_changes_nothing(client, city, name):
    response = send(client, city, name, raw="location=x", content_type="text/plain")
    assert response.status_code in (200, 415, 422)
    if response.status_code == 200:
        assert response.json.get("location") != "x"


HUGE_IDS = {
    "create_enterprise": ("zone_id", (422,)),
    "create_device": ("enterprise_id", (404, 422)),
    "report_hazard": ("device_id", (404, 422)),
    "patch_enterprise": ("block_id", (422,)),
    "patch_device": ("maintenance_company_id", (422,)),
}


@pytest.mark.parametrize("name", list(HUGE_IDS))
def test_write_with_id_beyond_64_bits_is_4xx_not_500(client, city, name):
    field, statuses = HUGE_IDS[name]
    response = send(client, city, name, _set(field, BIG_INT))
    assert response.status_code in statuses, response.json


def test_push_rejects_op_with_id_beyond_64_bits(client, city):
    response = send(client, city, "sync_push", _set("device_id", BIG_INT, in_op=True))
    assert response.status_code == 200, response.json
    assert response.json["results"][0]["status"] == "rejected"


NUL_FIELDS = {
    "create_enterprise": "name",
    "create_device": "location",
    "report_hazard": "description",
    "patch_enterprise": "address",
    "patch_device": "name",
}


@pytest.mark.parametrize("name", list(NUL_FIELDS))
def test_write_with_nul_character_is_not_500(client, city, name):
    """PostgreSQL refuses NUL in text: it must be a 422 (or stripped), not a 500."""
    _method, _path, _body, ok = WRITES[name](city)
    response = send(client, city, name, _set(NUL_FIELDS[name], "一号\x00楼"))
    assert response.status_code in (ok, 422), response.json


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",
        "91350100M000100Y4",
        "91350100M000100Y433",
        "9135O100M000100Y43",
        "91350100M000100I43",
        "",
        "  ",
    ],
    ids=["check_digit", "17_chars", "19_chars", "letter_O", "letter_I", "empty", "blank"],
)
def test_create_enterprise_refuses_invalid_credit_code(client, city, code):
    details = assert_envelope(send(client, city, "create_enterprise", _set("credit_code", code)), 422)
    assert "credit_code" in details["fields"]


def test_patch_enterprise_refuses_invalid_credit_code(client, city):
    response = send(client, city, "patch_enterprise", _set("credit_code", "911101080828461727"))
    assert "credit_code" in assert_envelope(response, 422)["fields"]


def test_create_enterprise_accepts_lowercase_credit_code_and_uppercases_it(client, city):
    response = send(client, city, "create_enterprise", _set("credit_code", "91350100m000100y43"))
    assert response.status_code == 201
    assert response.json["credit_code"] == "91350100M000100Y43"


def test_create_enterprise_with_taken_credit_code_is_409(client, city):
    response = send(client, city, "create_enterprise", _set("credit_code", city.ent_b.credit_code))
    assert_envelope(response, 409, "duplicate")


def test_create_enterprise_refuses_future_founding_date(client, city):
    response = send(client, city, "create_enterprise", _set("established_on", "2999-01-01"))
    assert "established_on" in assert_envelope(response, 422)["fields"]


def test_report_hazard_refuses_past_deadline(client, city):
    response = send(client, city, "report_hazard", _set("deadline", "2000-01-01"))
    assert "deadline" in assert_envelope(response, 422)["fields"]


LISTS = ["/api/devices", "/api/enterprises", "/api/hazards", "/api/people", "/api/zones", "/api/blocks"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=1000", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("per_page=1.5", "per_page"),
    ],
    ids=["per_page_1000", "per_page_0", "page_0", "page_negative", "page_text", "per_page_float"],
)
@pytest.mark.parametrize("path", LISTS)
def test_list_refuses_bad_pagination_with_422(client, city, path, query, field):
    response = client.get(f"{path}?{query}", headers=auth(city.admin))
    assert field in assert_envelope(response, 422)["fields"]


@pytest.mark.parametrize(
    "query",
    [
        "enterprise_id=99999999999999999999999",
        "block_id=99999999999999999999999",
        "zone_id=99999999999999999999999",
    ],
    ids=["enterprise_id", "block_id", "zone_id"],
)
@pytest.mark.parametrize("path", ["/api/devices", "/api/hazards", "/api/people"])
def test_list_filter_with_huge_id_is_not_500(client, city, path, query):
    response = client.get(f"{path}?{query}", headers=auth(city.admin))
    assert response.status_code in (200, 422), response.json
    if response.status_code == 200:
        assert response.json["total"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/devices/2147483648",
        "/api/devices/99999999999999999999999",
        "/api/enterprises/99999999999999999999999",
        "/api/devices/99999999999999999999999/label.png",
        "/api/enterprises/99999999999999999999999/labels.pdf",
    ],
    ids=["device_int32_plus_one", "device", "enterprise", "label", "label_sheet"],
)
def test_object_with_huge_id_is_404(client, city, path):
    assert_envelope(client.get(path, headers=auth(city.admin)), 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/api/devices?q=%00", "/api/enterprises?q=a%00b"], ids=["devices", "enterprises"]
)
def test_search_with_nul_character_is_not_500(client, city, path):
    response = client.get(path, headers=auth(city.admin))
    assert response.status_code in (200, 422), response.json


@pytest.mark.parametrize(
    "path",
    ["/api/nope", "/api/devices/abc", "/api/hazards/not-a-uuid", "/api/devices/1/nothing"],
    ids=["unknown", "non_int_id", "non_uuid_id", "unknown_subpath"],
)
def test_unknown_api_url_is_404_envelope(client, city, path):
    assert_envelope(client.get(path, headers=auth(city.admin)), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/devices"),
        ("PUT", "/api/hazards"),
        ("DELETE", "/api/enterprises/1"),
        ("GET", "/api/sync/push"),
        ("POST", "/api/health"),
    ],
    ids=["delete_devices", "put_hazards", "delete_enterprise", "get_push", "post_health"],
)
def test_wrong_method_is_405_envelope(client, city, method, path):
    response = client.open(path, method=method, headers=auth(city.admin))
    assert_envelope(response, 405, "method_not_allowed")
