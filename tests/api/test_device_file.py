"""The device file beyond inspection records: safety accessories counted in "inspected on time",
attachments stored by sha256 and checked by their first bytes, installation / alteration / repair /
patrol records and the old-elevator filter."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from backend.core.clock import today
from backend.core.images import sha256_hex
from backend.devices.rules import OLD_ELEVATOR_YEARS
from backend.extensions import db
from tests.conftest import auth

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def app(fast_app):
    return fast_app


def _record(days_ago: int, valid_days: int, report_no: str = "JY-2026-001") -> dict:
    checked = today() - timedelta(days=days_ago)
    return {
        "checked_on": checked.isoformat(),
        "agency": "市计量检定所",
        "report_no": report_no,
        "next_due": (checked + timedelta(days=valid_days)).isoformat(),
    }


def _add_accessory(client, user, device, record=None, kind="safety_valve"):
    body = {"kind": kind, "model": "A48Y-16C", "serial_no": "SV-001", "record": record}
    return client.post(f"/api/devices/{device.id}/accessories", json=body, headers=auth(user))


def _device(client, user, device) -> dict:
    return client.get(f"/api/devices/{device.id}", headers=auth(user)).json


def _overdue_ids(client, user) -> set[int]:
    answer = client.get("/api/devices?overdue=true&per_page=100", headers=auth(user))
    return {d["id"] for d in answer.json["items"]}


def _valid_inspection(device) -> None:
    device.next_inspection_due = today() + timedelta(days=200)
    db.session.commit()


# --- safety accessories -------------------------------------------------------------------------


def test_enterprise_accessory_record_waits_for_a_regulator(client, city):
    _valid_inspection(city.dev_a)
    answer = _add_accessory(client, city.manager, city.dev_a, _record(400, 365))
    assert answer.status_code == 201, answer.json
    record = answer.json["records"][0]
    assert record["status"] == "pending"
    assert answer.json["next_due"] is None  # an unconfirmed claim moves no date
    assert _device(client, city.manager, city.dev_a)["accessory_next_due"] is None
    assert city.dev_a.id not in _overdue_ids(client, city.inspector)


def test_a_late_accessory_makes_its_device_late_once_confirmed(client, city):
    _valid_inspection(city.dev_a)
    accessory = _add_accessory(client, city.manager, city.dev_a, _record(400, 365)).json
    record_id = accessory["records"][0]["id"]
    confirm = f"/api/devices/{city.dev_a.id}/accessory-records/{record_id}/confirm"
    assert client.post(confirm, headers=auth(city.manager)).status_code == 403
    assert client.post(confirm, headers=auth(city.other_inspector)).status_code == 404
    answer = client.post(confirm, headers=auth(city.inspector))
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "confirmed"
    device = _device(client, city.inspector, city.dev_a)
    assert device["inspection_state"] == "valid"
    assert device["accessory_state"] == "overdue"
    assert city.dev_a.id in _overdue_ids(client, city.inspector)
    dashboard = client.get("/api/reports/dashboard", headers=auth(city.inspector)).json
    assert dashboard["devices"]["overdue_inspections"] >= 1
    assert client.post(confirm, headers=auth(city.inspector)).status_code == 409


def test_device_is_on_time_again_when_every_accessory_is(client, city):
    _valid_inspection(city.dev_a)
    late = _add_accessory(client, city.inspector, city.dev_a, _record(400, 365)).json
    _add_accessory(client, city.inspector, city.dev_a, _record(10, 180), kind="pressure_gauge")
    assert city.dev_a.id in _overdue_ids(client, city.inspector)
    fresh = _record(2, 365, "JY-2026-099")
    answer = client.post(
        f"/api/devices/{city.dev_a.id}/accessories/{late['id']}/records",
        json=fresh,
        headers=auth(city.inspector),
    )
    assert answer.status_code == 201, answer.json
    device = _device(client, city.inspector, city.dev_a)
    assert device["accessory_next_due"] == (today() + timedelta(days=170)).isoformat()  # the gauge's
    assert city.dev_a.id not in _overdue_ids(client, city.inspector)
    history = client.get(f"/api/devices/{city.dev_a.id}/history", headers=auth(city.manager)).json
    assert any(h["field"] == "accessory_next_due" and "JY-2026-099" in h["reason"] for h in history)


def test_enterprise_may_not_set_the_accessory_date_itself(client, city):
    far = (today() + timedelta(days=900)).isoformat()
    answer = client.patch(
        f"/api/devices/{city.dev_a.id}", json={"accessory_next_due": far}, headers=auth(city.manager)
    )
    assert answer.status_code == 200  # an unknown field is ignored, never stored
    assert _device(client, city.manager, city.dev_a)["accessory_next_due"] is None


def test_accessory_records_are_checked_and_scoped(client, city):
    future = _record(-3, 365)
    answer = _add_accessory(client, city.manager, city.dev_a, future)
    assert answer.status_code == 422
    assert "checked_on" in answer.json["error"]["details"]["fields"]
    assert client.get(f"/api/devices/{city.dev_a.id}/accessories", headers=auth(city.manager)).json == []
    assert _add_accessory(client, city.manager, city.dev_x).status_code == 404
    assert _add_accessory(client, city.supervisor, city.dev_a).status_code == 403


# --- attachments --------------------------------------------------------------------------------


def _upload(client, user, device, data: bytes, kind="certificate", title="产品合格证"):
    return client.post(
        f"/api/devices/{device.id}/attachments",
        data={"kind": kind, "title": title, "file": (io.BytesIO(data), "scan.pdf", "application/pdf")},
        headers=auth(user),
        content_type="multipart/form-data",
    )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_pdf_attachment_is_stored_by_hash_listed_and_downloadable(client, city):
    answer = _upload(client, city.manager, city.dev_a, PDF)
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert (body["sha256"], body["media_type"], body["size"]) == (
        sha256_hex(PDF),
        "application/pdf",
        len(PDF),
    )
    assert body["uploaded_by"] == city.manager.username
    again = _upload(client, city.manager, city.dev_a, PDF)
    assert (again.status_code, again.json["id"]) == (200, body["id"])
    listed = client.get(f"/api/devices/{city.dev_a.id}/attachments", headers=auth(city.inspector)).json
    assert [a["kind_label"] for a in listed] == ["产品合格证"]
    file = client.get(body["url"], headers=auth(city.inspector))
    assert file.status_code == 200
    assert file.data == PDF
    assert file.headers["Content-Type"] == "application/pdf"
    assert file.headers["Content-Security-Policy"] == "sandbox"
    assert client.get(body["url"], headers=auth(city.manager_x)).status_code == 404


def test_attachment_type_comes_from_its_bytes_not_its_name(client, city):
    png = _upload(client, city.manager, city.dev_a, _png(), kind="nameplate")
    assert (png.status_code, png.json["media_type"]) == (201, "image/png")
    html = _upload(client, city.manager, city.dev_a, b"<html><script>alert(1)</script></html>")
    assert html.status_code == 415
    assert html.json["error"]["code"] == "unsupported_type"
    assert _upload(client, city.manager, city.dev_a, b"").status_code == 422


def test_oversized_attachment_is_refused(app, client, city, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    answer = _upload(client, city.manager, city.dev_a, PDF + b"0" * 2048)
    assert answer.status_code == 413
    assert client.get(f"/api/devices/{city.dev_a.id}/attachments", headers=auth(city.manager)).json == []


def test_only_those_who_keep_the_file_upload(client, city):
    assert _upload(client, city.supervisor, city.dev_a, PDF).status_code == 403
    assert _upload(client, city.manager, city.dev_b, PDF).status_code == 404


# --- installation / alteration / repair / patrol; old elevators ---------------------------------


def _work(client, user, device, kind: str, done_on: date, unit="某电梯安装有限公司"):
    body = {"kind": kind, "done_on": done_on.isoformat(), "unit": unit, "description": "更换曳引钢丝绳"}
    return client.post(f"/api/devices/{device.id}/work-records", json=body, headers=auth(user))


def test_installation_record_sets_the_install_date_and_age(client, city):
    installed = today().replace(year=today().year - 16, day=1)
    assert _work(client, city.manager, city.dev_a, "installation", installed).status_code == 201
    assert _work(client, city.manager, city.dev_a, "repair", today() - timedelta(days=3)).status_code == 201
    device = _device(client, city.manager, city.dev_a)
    assert device["installed_on"] == installed.isoformat()
    assert device["age_years"] == 16
    records = client.get(f"/api/devices/{city.dev_a.id}/work-records", headers=auth(city.inspector)).json
    assert [r["kind_label"] for r in records] == ["修理", "安装"]
    repairs = client.get(f"/api/devices/{city.dev_a.id}/work-records?kind=repair", headers=auth(city.manager))
    assert [r["kind"] for r in repairs.json] == ["repair"]


def test_work_records_refuse_future_dates_and_strangers(client, city):
    assert _work(client, city.manager, city.dev_a, "patrol", today() + timedelta(days=1)).status_code == 422
    assert _work(client, city.manager_x, city.dev_a, "patrol", today()).status_code == 404


def test_old_elevator_filter_uses_the_fifteen_year_threshold(client, city):
    as_of = today()
    old, young, crane = city.dev_a, city.dev_b, city.dev_c
    old.category, young.category, crane.category = "elevator", "elevator", "crane"
    old.installed_on = as_of.replace(year=as_of.year - OLD_ELEVATOR_YEARS) - timedelta(days=1)
    young.installed_on = as_of.replace(year=as_of.year - OLD_ELEVATOR_YEARS) + timedelta(days=1)
    crane.installed_on = date(1990, 1, 1)
    db.session.commit()
    answer = client.get("/api/devices?old_elevator=true", headers=auth(city.inspector))
    assert [d["id"] for d in answer.json["items"]] == [old.id]
    assert answer.json["items"][0]["old_elevator"] is True
