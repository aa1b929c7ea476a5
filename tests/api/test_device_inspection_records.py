"""Periodic-inspection records (API.md, Records regulators rely on): the enterprise's record waits
for a regulator (待核验), a regulator's holds at once, and the device's dates follow the latest
confirmed record, each change in the device's history."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from backend.core.clock import today
from backend.core.errors import Forbidden
from backend.core.images import sha256_hex
from backend.devicefile import services
from backend.devices.models import Device
from backend.extensions import db
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def _photo(client, user) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 90, 160)).save(buffer, "JPEG")
    data = buffer.getvalue()
    sha = sha256_hex(data)
    answer = client.put(f"/api/photos/{sha}", data=data, content_type="image/jpeg", headers=auth(user))
    assert answer.status_code in (200, 201), answer.json
    return sha


def _body(days_ago: int = 10, valid_days: int = 365, **overrides) -> dict:
    inspected = today() - timedelta(days=days_ago)
    return {
        "inspected_on": inspected.isoformat(),
        "agency": "市特种设备检验研究院",
        "report_no": f"DT-{days_ago}-{valid_days}",
        "conclusion": "qualified",
        "next_due": (inspected + timedelta(days=valid_days)).isoformat(),
        "photos": [],
    } | overrides


def _add(client, user, device, body):
    return client.post(f"/api/devices/{device.id}/inspections", json=body, headers=auth(user))


def _confirm(client, user, device, record_id):
    return client.post(f"/api/devices/{device.id}/inspections/{record_id}/confirm", headers=auth(user))


def _device(client, user, device) -> dict:
    answer = client.get(f"/api/devices/{device.id}", headers=auth(user))
    assert answer.status_code == 200, answer.json
    return answer.json


def test_enterprise_record_is_pending_and_moves_no_date(client, city):
    before = _device(client, city.manager, city.dev_a)
    body = _body(photos=[_photo(client, city.manager)])
    answer = _add(client, city.manager, city.dev_a, body)
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "pending"
    assert answer.json["report_photos"][0]["thumbnail_url"].startswith("/api/photos/")
    after = _device(client, city.manager, city.dev_a)
    assert after["next_inspection_due"] == before["next_inspection_due"]
    assert after["pending_inspection_records"] == 1


def test_regulator_confirms_and_the_device_dates_follow(client, city):
    body = _body(days_ago=5, valid_days=730)
    record = _add(client, city.manager, city.dev_a, body).json
    confirmed = _confirm(client, city.inspector, city.dev_a, record["id"])
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["status"] == "confirmed"
    device = _device(client, city.manager, city.dev_a)
    assert device["next_inspection_due"] == body["next_due"]
    assert device["last_inspection_on"] == body["inspected_on"]
    assert device["pending_inspection_records"] == 0
    assert _confirm(client, city.inspector, city.dev_a, record["id"]).status_code == 409


def test_regulator_record_holds_at_once(client, city):
    body = _body(days_ago=3, valid_days=400)
    answer = _add(client, city.inspector, city.dev_a, body)
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "confirmed"
    assert _device(client, city.inspector, city.dev_a)["next_inspection_due"] == body["next_due"]


@pytest.mark.parametrize("who", ["manager", "supervisor", "manager_x"])
def test_only_regulators_in_scope_confirm(client, city, who):
    record = _add(client, city.manager, city.dev_a, _body()).json
    answer = _confirm(client, getattr(city, who), city.dev_a, record["id"])
    assert answer.status_code == 403
    assert _confirm(client, city.other_inspector, city.dev_a, record["id"]).status_code == 404
    db.session.expire_all()
    assert db.session.get(Device, city.dev_a.id).next_inspection_due != today() + timedelta(days=355)


def test_the_confirm_service_itself_refuses_a_non_regulator(client, city):
    """The service holds the rule, not only the view: a job or a sync op calling it as a manager fails."""
    record = _add(client, city.manager, city.dev_a, _body()).json
    with pytest.raises(Forbidden):
        services.confirm_record(city.manager, city.dev_a.id, record["id"])
    db.session.rollback()
    assert _device(client, city.manager, city.dev_a)["pending_inspection_records"] == 1


def test_enterprise_may_not_enter_records_for_others(client, city):
    assert _add(client, city.manager, city.dev_b, _body()).status_code == 404
    assert _add(client, city.manager, city.dev_x, _body()).status_code == 404
    assert _add(client, city.supervisor, city.dev_a, _body()).status_code == 403  # block peer: reads only


def test_dates_come_from_the_latest_confirmed_record_not_the_last_entered(client, city):
    newer = _body(days_ago=20, valid_days=365)
    older = _body(days_ago=400, valid_days=365)
    assert _add(client, city.inspector, city.dev_a, newer).status_code == 201
    late_entry = _add(client, city.manager, city.dev_a, older).json
    assert _confirm(client, city.inspector, city.dev_a, late_entry["id"]).status_code == 200
    device = _device(client, city.manager, city.dev_a)
    assert device["next_inspection_due"] == newer["next_due"]
    history = client.get(f"/api/devices/{city.dev_a.id}/inspections", headers=auth(city.manager)).json
    assert [r["inspected_on"] for r in history] == [newer["inspected_on"], older["inspected_on"]]


def test_date_changes_through_a_record_are_in_the_device_history(client, city):
    body = _body(days_ago=7, valid_days=365, report_no="DT2026-0042")
    record = _add(client, city.manager, city.dev_a, body).json
    _confirm(client, city.inspector, city.dev_a, record["id"])
    history = client.get(f"/api/devices/{city.dev_a.id}/history", headers=auth(city.manager)).json
    by_field = {row["field"]: row for row in history}
    assert by_field["next_inspection_due"]["after"] == body["next_due"]
    assert by_field["last_inspection_on"]["after"] == body["inspected_on"]
    assert by_field["next_inspection_due"]["actor"] == city.inspector.username
    assert "DT2026-0042" in by_field["next_inspection_due"]["reason"]


def test_photos_must_be_uploaded_first(client, city):
    never_uploaded = sha256_hex(b"not a photo anyone sent")
    answer = _add(client, city.manager, city.dev_a, _body(photos=[never_uploaded]))
    assert answer.status_code == 422
    assert "photos" in answer.json["error"]["details"]["fields"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"inspected_on": (today() + timedelta(days=3)).isoformat()}, "inspected_on"),
        ({"next_due": (today() - timedelta(days=30)).isoformat()}, "next_due"),
        ({"conclusion": "fine"}, "conclusion"),
        ({"agency": ""}, "agency"),
    ],
    ids=["future_inspection", "due_before_inspection", "unknown_conclusion", "no_agency"],
)
def test_impossible_records_are_refused(client, city, overrides, field):
    answer = _add(client, city.manager, city.dev_a, _body(days_ago=10) | overrides)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["error"]["details"]["fields"]
    assert client.get(f"/api/devices/{city.dev_a.id}/inspections", headers=auth(city.manager)).json == []


def test_history_is_scoped(client, city):
    _add(client, city.inspector, city.dev_a, _body())
    assert (
        client.get(f"/api/devices/{city.dev_a.id}/inspections", headers=auth(city.manager_x)).status_code
        == 404
    )
    listed = client.get(f"/api/devices/{city.dev_a.id}/inspections", headers=auth(city.supervisor))
    assert listed.status_code == 200 and len(listed.json) == 1
