"""A hazard from report to verified close, through REST and through sync push."""

from __future__ import annotations

import io

from PIL import Image

from backend.core.images import sha256_hex
from tests.conftest import auth
from tests.factories import new_id


def jpeg_bytes(colour: tuple[int, int, int] = (200, 30, 30), size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def upload(client, user, data: bytes) -> str:
    sha = sha256_hex(data)
    headers = auth(user) | {"Content-Type": "image/jpeg"}
    response = client.put(f"/api/photos/{sha}", data=data, headers=headers)
    assert response.status_code in (200, 201), response.json
    return sha


def test_major_hazard_goes_from_report_to_verified_close(client, city):
    before = upload(client, city.manager, jpeg_bytes())
    hazard_id = new_id()
    body = {
        "id": hazard_id,
        "device_id": city.dev_a.id,
        "category": "安全附件",
        "severity": "major",
        "description": "安全阀超期未校验",
        "photos": [before],
    }
    created = client.post("/api/hazards", json=body, headers=auth(city.manager))
    assert created.status_code == 201
    assert created.json["status"] == "reported"
    assert created.json["photos"][0]["sha256"] == before

    after = upload(client, city.manager, jpeg_bytes((20, 160, 20)))
    step = {"id": new_id(), "action": "submit_rectification", "note": "已更换", "photos": [after]}
    submitted = client.post(f"/api/hazards/{hazard_id}/transitions", json=step, headers=auth(city.manager))
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "rectification_submitted"

    supervisor_try = client.post(
        f"/api/hazards/{hazard_id}/transitions",
        json={"id": new_id(), "action": "verify"},
        headers=auth(city.supervisor),
    )
    assert supervisor_try.status_code == 403

    verified = client.post(
        f"/api/hazards/{hazard_id}/transitions",
        json={"id": new_id(), "action": "verify"},
        headers=auth(city.inspector),
    )
    assert verified.status_code == 200
    assert verified.json["status"] == "verified_closed"
    assert [e["action"] for e in verified.json["events"]] == ["report", "submit_rectification", "verify"]


def test_sync_push_replayed_after_lost_response_creates_one_hazard(client, city):
    op = {
        "op_id": new_id(),
        "type": "hazard.create",
        "payload": {
            "id": new_id(),
            "device_id": city.dev_a.id,
            "category": "电梯",
            "severity": "general",
            "description": "轿厢照明不亮",
        },
    }
    first = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.manager))
    again = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.manager))
    assert first.json["results"] == [{"op_id": op["op_id"], "status": "applied"}]
    assert again.json["results"] == [{"op_id": op["op_id"], "status": "duplicate"}]
    listed = client.get(f"/api/hazards?device_id={city.dev_a.id}", headers=auth(city.manager))
    assert listed.json["total"] == 1


def test_rejected_op_does_not_block_the_ones_after_it(client, city):
    bad = {
        "op_id": new_id(),
        "type": "hazard.create",
        "payload": {
            "id": new_id(),
            "device_id": city.dev_x.id,
            "category": "x",
            "severity": "general",
            "description": "别的辖区的设备",
        },
    }
    good = {
        "op_id": new_id(),
        "type": "hazard.create",
        "payload": {
            "id": new_id(),
            "device_id": city.dev_a.id,
            "category": "x",
            "severity": "general",
            "description": "本单位设备",
        },
    }
    response = client.post("/api/sync/push", json={"ops": [bad, good]}, headers=auth(city.manager))
    statuses = [r["status"] for r in response.json["results"]]
    assert statuses == ["rejected", "applied"]
    assert response.json["results"][0]["error"]["code"] == "not_found"


def test_same_hazard_pushed_under_a_new_op_id_is_a_duplicate_not_a_second_hazard(client, city):
    payload = {
        "id": new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "层门关闭不严",
    }
    ops = [{"op_id": new_id(), "type": "hazard.create", "payload": payload} for _ in range(2)]
    response = client.post("/api/sync/push", json={"ops": ops}, headers=auth(city.manager))
    assert [r["status"] for r in response.json["results"]] == ["applied", "duplicate"]
    listed = client.get(f"/api/hazards?device_id={city.dev_a.id}", headers=auth(city.manager))
    assert listed.json["total"] == 1
