"""查封 / 责令停止使用 (seed 002 第十一条第三项, API.md Records regulators rely on): set by a
regulator in scope with the notice that ordered it; nobody else sets or lifts it."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from openpyxl import Workbook

from backend.core.clock import today
from backend.core.history import history_of
from backend.extensions import db
from tests.api.test_notices import issue, report
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def notice_for(client, city, enterprise=None, device=None) -> int:
    enterprise = enterprise or city.ent_a
    hazard = report(client, city.inspector, device=device or city.dev_a)
    response = issue(client, city.inspector, "rectification", enterprise, [hazard])
    assert response.status_code == 201, response.json
    return response.json["id"]


def patch(client, user, device, body):
    return client.patch(f"/api/devices/{device.id}", json=body, headers=auth(user))


def test_inspector_seals_a_device_with_its_notice_and_the_history_names_both(client, city):
    notice_id = notice_for(client, city)
    response = patch(client, city.inspector, city.dev_a, {"status": "sealed", "notice_id": notice_id})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "sealed"
    fields = {h.field: h for h in history_of("device", city.dev_a.id)}
    assert fields["status"].before == "in_use" and fields["status"].after == "sealed"
    assert fields["order_notice"].after.startswith("特监")
    assert fields["order_notice"].after in fields["status"].reason
    order = client.get(f"/api/devices/{city.dev_a.id}/order", headers=auth(city.manager)).json
    assert order["status"] == "sealed" and order["notice_id"] == notice_id


def test_sealing_needs_a_notice_to_the_devices_own_enterprise(client, city):
    assert patch(client, city.inspector, city.dev_a, {"status": "sealed"}).status_code == 422
    other = notice_for(client, city, enterprise=city.ent_b, device=city.dev_b)
    response = patch(client, city.inspector, city.dev_a, {"status": "stopped", "notice_id": other})
    assert response.status_code == 422
    assert "notice_id" in response.json["error"]["details"]["fields"]
    assert (
        patch(client, city.inspector, city.dev_a, {"status": "stopped", "notice_id": 999999}).status_code
        == 422
    )
    db.session.expire_all()
    assert city.dev_a.status == "in_use"


def test_the_enterprise_can_neither_seal_nor_lift(client, city):
    notice_id = notice_for(client, city)
    refused = patch(client, city.manager, city.dev_a, {"status": "sealed", "notice_id": notice_id})
    assert refused.status_code == 403
    assert (
        patch(client, city.inspector, city.dev_a, {"status": "sealed", "notice_id": notice_id}).status_code
        == 200
    )
    for status in ("in_use", "idle", "scrapped"):
        response = patch(client, city.manager, city.dev_a, {"status": status, "reason": "已整改"})
        assert response.status_code == 403, status
    # other fields of a sealed device stay the enterprise's to edit; the status stays sealed
    assert patch(client, city.manager, city.dev_a, {"name": "1号梯"}).json["status"] == "sealed"


def test_out_of_zone_inspector_gets_404(client, city):
    notice_id = notice_for(client, city)
    response = patch(client, city.other_inspector, city.dev_a, {"status": "sealed", "notice_id": notice_id})
    assert response.status_code == 404


def test_lifting_is_a_regulator_action_with_a_reason(client, city):
    notice_id = notice_for(client, city)
    patch(client, city.inspector, city.dev_a, {"status": "stopped", "notice_id": notice_id})
    assert patch(client, city.inspector, city.dev_a, {"status": "in_use"}).status_code == 422
    lifted = patch(client, city.admin, city.dev_a, {"status": "in_use", "reason": "复查合格，解除停用"})
    assert lifted.status_code == 200 and lifted.json["status"] == "in_use"
    latest = history_of("device", city.dev_a.id)[0]
    assert (latest.field, latest.before, latest.after) == ("status", "stopped", "in_use")
    assert "复查合格" in latest.reason
    assert client.get(f"/api/devices/{city.dev_a.id}/order", headers=auth(city.inspector)).status_code == 404


def test_a_device_cannot_be_created_or_imported_sealed(client, city):
    body = {
        "enterprise_id": city.ent_a.id,
        "category": "elevator",
        "registration_no": "梯SEAL01",
        "status": "sealed",
    }
    assert client.post("/api/devices", json=body, headers=auth(city.inspector)).status_code == 422
    sheet = Workbook()
    sheet.active.append(["统一社会信用代码", "设备类别", "使用登记证编号", "状态"])
    for status in ("sealed", "已查封", "责令停止使用"):
        sheet.active.append([city.ent_a.credit_code, "电梯", f"梯IMP{status}", status])
    data = io.BytesIO()
    sheet.save(data)
    response = client.post(
        "/api/devices/import",
        data={"file": (io.BytesIO(data.getvalue()), "ledger.xlsx")},
        headers=auth(city.inspector),
    )
    assert response.status_code == 422
    assert len(response.json["error"]["details"]["rows"]) == 3


def test_no_sync_op_changes_a_device_status(client, city):
    notice_id = notice_for(client, city)
    patch(client, city.inspector, city.dev_a, {"status": "sealed", "notice_id": notice_id})
    op = {
        "op_id": str(uuid.uuid4()),
        "type": "device.update",
        "payload": {"id": city.dev_a.id, "status": "in_use"},
    }
    result = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.manager)).json["results"][0]
    assert result["status"] == "rejected"
    db.session.expire_all()
    assert city.dev_a.status == "sealed"


def test_public_qr_view_shows_the_order(client, city):
    notice_id = notice_for(client, city)
    patch(client, city.inspector, city.dev_a, {"status": "sealed", "notice_id": notice_id})
    public = client.get(f"/api/qr/{city.dev_a.qr_token}").json["public"]
    assert public["status"] == "sealed"
    assert public["status_label"] == "已查封"


def test_a_sealed_device_is_not_counted_overdue(client, city):
    city.dev_a.next_inspection_due = today() - timedelta(days=3)
    db.session.commit()
    patch(client, city.inspector, city.dev_a, {"status": "sealed", "notice_id": notice_for(client, city)})
    listed = client.get("/api/devices?overdue=true", headers=auth(city.inspector)).json["items"]
    assert city.dev_a.id not in [d["id"] for d in listed]
    assert (
        client.get("/api/devices?status=sealed", headers=auth(city.inspector)).json["items"][0]["id"]
        == city.dev_a.id
    )
