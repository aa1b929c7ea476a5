"""Input no database can store, JSON too deep to read and impossible dates are 4xx, never a 500.

A lone surrogate ("\\ud800" in the JSON) or NUL in a text field, a body nested a thousand deep, year 0:
each used to answer 500. In a sync batch only the bad op is rejected; the good ops beside it are applied.
"""

from __future__ import annotations

import json

import pytest

from backend.extensions import db
from backend.inspections.models import ChecklistTemplate
from backend.inspections.services import install_default_templates
from tests import factories as f
from tests.conftest import auth

LONE_SURROGATE = "层门\ud800锁"
NUL = "层门\x00锁"
BAD_TEXTS = pytest.mark.parametrize("bad", [LONE_SURROGATE, NUL], ids=["lone_surrogate", "nul"])


@pytest.fixture
def app(fast_app):
    return fast_app


def send(client, path: str, body: object, headers: dict | None = None):
    """POST `body` as JSON with every non-ASCII character escaped: "\\ud800" travels as the 6 characters."""
    raw = json.dumps(body, ensure_ascii=True)
    return client.post(path, data=raw, content_type="application/json", headers=headers or {})


def raw_post(client, path: str, raw: bytes | str, headers: dict | None = None):
    return client.post(path, data=raw, content_type="application/json", headers=headers or {})


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.json
    assert set(response.json["error"]) == {"code", "message", "details"}
    assert response.json["error"]["code"] == code
    return response.json["error"]["details"]


def hazard_body(city, **overrides) -> dict:
    return {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "层门锁失效",
    } | overrides


@pytest.fixture
def elevator_template(city) -> ChecklistTemplate:
    install_default_templates()
    db.session.commit()
    return db.session.query(ChecklistTemplate).filter_by(code="device_elevator").one()


def check_body(city, template: ChecklistTemplate, note: str = "") -> dict:
    items = [{"code": code, "result": "pass"} for code in template.item_codes]
    items[0]["note"] = note
    return {
        "id": f.new_id(),
        "kind": "self_check",
        "subkind": "daily",
        "template_id": template.id,
        "device_id": city.dev_a.id,
        "items": items,
    }


def op(op_type: str, payload: dict) -> dict:
    return {"op_id": f.new_id(), "type": op_type, "payload": payload}


def push(client, user, *ops: dict) -> list[dict]:
    response = send(client, "/api/sync/push", {"ops": list(ops)}, auth(user))
    assert response.status_code == 200, response.json
    return response.json["results"]


def hazard_exists(client, city, hazard_id: str) -> bool:
    return client.get(f"/api/hazards/{hazard_id}", headers=auth(city.manager)).status_code == 200


# --- sync: the bad op is rejected, the good ones are applied ------------------------------------


@BAD_TEXTS
def test_batch_with_bad_text_in_a_hazard_applies_the_good_op_and_rejects_the_bad(client, city, bad):
    good, wrong = hazard_body(city), hazard_body(city, description=bad)
    first, second, third = (op("hazard.create", body) for body in (good, wrong, hazard_body(city)))
    results = push(client, city.manager, first, second, third)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert [r["op_id"] for r in results] == [first["op_id"], second["op_id"], third["op_id"]]
    assert results[1]["error"]["code"] == "validation_failed"
    assert "description" in results[1]["error"]["details"]["fields"]
    assert hazard_exists(client, city, good["id"])
    assert not hazard_exists(client, city, wrong["id"])


@BAD_TEXTS
def test_batch_with_bad_text_in_a_checklist_note_rejects_only_that_check(
    client, city, elevator_template, bad
):
    good, wrong = check_body(city, elevator_template), check_body(city, elevator_template, note=bad)
    hazard = hazard_body(city)
    results = push(
        client, city.manager, op("check.submit", wrong), op("check.submit", good), op("hazard.create", hazard)
    )
    assert [r["status"] for r in results] == ["rejected", "applied", "applied"]
    assert "items" in results[0]["error"]["details"]["fields"]
    checks = client.get("/api/checks", headers=auth(city.manager)).json["items"]
    assert [c["id"] for c in checks] == [good["id"]]


@BAD_TEXTS
def test_batch_with_bad_text_in_a_transition_note_keeps_the_hazard_it_created(client, city, bad):
    hazard = hazard_body(city)
    transition = {"hazard_id": hazard["id"], "id": f.new_id(), "action": "start_rectification", "note": bad}
    results = push(client, city.manager, op("hazard.create", hazard), op("hazard.transition", transition))
    assert [r["status"] for r in results] == ["applied", "rejected"]
    seen = client.get(f"/api/hazards/{hazard['id']}", headers=auth(city.manager)).json
    assert seen["status"] == "reported"


def test_rejected_op_is_not_recorded_so_its_corrected_retry_applies(client, city):
    wrong = op("hazard.create", hazard_body(city, description=LONE_SURROGATE))
    assert push(client, city.manager, wrong)[0]["status"] == "rejected"
    assert push(client, city.manager, wrong)[0]["status"] == "rejected"
    fixed = op("hazard.create", wrong["payload"] | {"description": "层门锁失效"})
    assert push(client, city.manager, fixed)[0]["status"] == "applied"


def test_bad_text_in_an_unknown_payload_field_is_ignored_like_the_field(client, city):
    payload = hazard_body(city) | {"from_a_newer_app": LONE_SURROGATE}
    assert push(client, city.manager, op("hazard.create", payload))[0]["status"] == "applied"


def _nested(depth: int) -> object:
    value: object = "底"
    for _ in range(depth):
        value = [value]
    return value


def test_batch_with_a_nested_value_in_an_op_rejects_only_that_op(client, city):
    good, wrong = hazard_body(city), hazard_body(city, location=_nested(40))
    results = push(client, city.manager, op("hazard.create", wrong), op("hazard.create", good))
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert "location" in results[0]["error"]["details"]["fields"]
    assert hazard_exists(client, city, good["id"])


@pytest.mark.parametrize("depth", [100, 1_000, 100_000])
def test_push_with_an_op_nested_too_deep_to_read_rejects_only_that_op(client, city, depth):
    raw = _deep_body(city, depth)
    response = raw_post(client, "/api/sync/push", raw, auth(city.manager))
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert "location" in results[1]["error"]["details"]["fields"]
    assert client.get("/api/hazards", headers=auth(city.manager)).json["total"] == 1


def test_body_that_is_only_nesting_is_a_4xx(client, city):
    raw = "[" * 5_000 + "]" * 5_000
    assert raw_post(client, "/api/sync/push", raw, auth(city.manager)).status_code == 422


def _deep_body(city, depth: int) -> str:
    """A push whose second op has a value `depth` arrays deep, written as text (json.dumps would recurse)."""
    good, deep = hazard_body(city), hazard_body(city, location="@")
    body = {"ops": [op("hazard.create", good), op("hazard.create", deep)]}
    return json.dumps(body).replace('"@"', "[" * depth + "]" * depth)


@pytest.mark.parametrize(
    "raw",
    ['{"ops": [', b'{"ops": ["\xff\xfe"]}', '{"ops": []]'],
    ids=["truncated", "not_utf8", "extra_bracket"],
)
def test_push_with_unreadable_body_is_400_envelope(client, city, raw):
    assert_envelope(raw_post(client, "/api/sync/push", raw, auth(city.manager)), 400, "invalid_json")


# --- the same text in ordinary writes: 422 on the field -----------------------------------------


@BAD_TEXTS
def test_hazard_with_bad_text_is_422_on_the_field(client, city, bad):
    response = send(client, "/api/hazards", hazard_body(city, location=bad), auth(city.manager))
    assert "location" in assert_envelope(response, 422, "validation_failed")["fields"]


@BAD_TEXTS
def test_check_with_bad_text_is_422_on_the_item(client, city, elevator_template, bad):
    response = send(client, "/api/checks", check_body(city, elevator_template, note=bad), auth(city.manager))
    assert assert_envelope(response, 422, "validation_failed")["fields"]["items"]["0"]["note"]


@BAD_TEXTS
def test_person_with_bad_text_is_422_on_the_field(client, city, bad):
    body = {"name": "李四", "certificates": [{"kind": "operator", "number": bad}]}
    response = send(client, "/api/people", body, auth(city.manager))
    assert "certificates" in assert_envelope(response, 422, "validation_failed")["fields"]
    response = send(client, "/api/people", {"name": bad}, auth(city.manager))
    assert "name" in assert_envelope(response, 422, "validation_failed")["fields"]


@BAD_TEXTS
@pytest.mark.parametrize("field", ["username", "password"])
def test_login_with_bad_text_is_422(client, city, bad, field):
    body = {"username": city.manager.username, "password": "demo-password-1"} | {field: bad}
    assert field in assert_envelope(send(client, "/api/auth/login", body), 422, "validation_failed")["fields"]


@BAD_TEXTS
def test_bad_text_inside_a_free_form_value_is_422_too(client, city, bad):
    response = send(client, "/api/hazards", hazard_body(city, photos=[bad]), auth(city.manager))
    assert "photos" in assert_envelope(response, 422, "validation_failed")["fields"]


def test_surrogate_pair_is_an_ordinary_character(client, city):
    body = hazard_body(city, description="层门锁失效 \U0001f6a8")  # escaped as "\ud83d\udea8": a valid pair
    response = send(client, "/api/hazards", body, auth(city.manager))
    assert response.status_code == 201, response.json
    assert response.json["description"].endswith("\U0001f6a8")


@pytest.mark.parametrize("depth", [100, 1_000])
@pytest.mark.parametrize("path", ["/api/hazards", "/api/people", "/api/auth/login"])
def test_write_nested_too_deep_to_read_is_422(client, city, path, depth):
    raw = '{"name": ' + "[" * depth + "]" * depth + "}"
    assert_envelope(raw_post(client, path, raw, auth(city.manager)), 422, "validation_failed")


# --- impossible dates in queries ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "start=0000-01-01",
        "start=0001-01-01",
        "start=0001-01-01&end=0001-01-01",
        "end=9999-12-31",
        "start=2026-00-01",
        "end=2026-13-01",
    ],
)
def test_dashboard_with_impossible_period_is_422(client, city, query):
    response = client.get(f"/api/reports/dashboard?{query}", headers=auth(city.admin))
    assert assert_envelope(response, 422, "validation_failed")["fields"]


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "9999-12", "2026-00", "2026-13", "0-0", "26-1"])
@pytest.mark.parametrize("form", ["", ".pdf", ".xlsx"])
def test_monthly_report_with_impossible_month_is_422(client, city, month, form):
    response = client.get(f"/api/reports/monthly{form}?month={month}", headers=auth(city.admin))
    assert "month" in assert_envelope(response, 422, "validation_failed")["fields"]


@pytest.mark.parametrize("path", ["/api/self-checks/status", "/api/supervisors"])
@pytest.mark.parametrize("as_of", ["0000-01-01", "0001-01-01", "9999-12-31"])
def test_as_of_day_out_of_range_is_422(client, city, path, as_of):
    response = client.get(f"{path}?as_of={as_of}", headers=auth(city.admin))
    assert "as_of" in assert_envelope(response, 422, "validation_failed")["fields"]


def test_reports_of_ordinary_dates_still_work(client, city):
    for url in (
        "/api/reports/dashboard?start=2026-01-01&end=2026-01-31",
        "/api/reports/monthly?month=2026-01",
        "/api/self-checks/status?as_of=2026-01-15",
        "/api/supervisors?as_of=2026-01-15",
    ):
        assert client.get(url, headers=auth(city.admin)).status_code == 200, url


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_plan_dates_out_of_range_are_422(client, city, day):
    query = f"zone_id={city.zone.id}&period_start={day}"
    preview = client.get(f"/api/plans/preview?{query}", headers=auth(city.admin))
    assert "period_start" in assert_envelope(preview, 422, "validation_failed")["fields"]
    body = {"zone_id": city.zone.id, "period_start": day, "period_end": day, "size": 2}
    drawn = send(client, "/api/plans", body, auth(city.admin))
    assert assert_envelope(drawn, 422, "validation_failed")["fields"]
