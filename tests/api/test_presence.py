"""Proof of presence through the API: position labels, the labels scanned, photo provenance, the
phone's place, mutual-check signatures, and the evidence strength regulators see."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import text

from backend.core.images import sha256_hex
from backend.evidence.services import verify_chain
from backend.extensions import db
from backend.hazards.services import hazard_evidence_problem
from backend.inspections.models import Check, ChecklistTemplate
from backend.inspections.services import check_evidence_problem, install_default_templates
from tests import factories as f
from tests.api.test_inspections import answers, certify
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


@pytest.fixture
def templates(city):
    install_default_templates()
    db.session.commit()
    return {t.code: t for t in db.session.query(ChecklistTemplate)}


@pytest.fixture
def placed(city):
    """dev_a with a registered place."""
    city.dev_a.latitude, city.dev_a.longitude = 36.6512, 117.1201
    db.session.commit()
    return city.dev_a


NEAR = {"lat": 36.6515, "lng": 117.1203, "accuracy_m": 12}
FAR = {"lat": 36.6700, "lng": 117.1201, "accuracy_m": 20}


def jpeg(colour=(20, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(client, user, data: bytes, mime="image/jpeg") -> str:
    sha = sha256_hex(data)
    response = client.put(f"/api/photos/{sha}", data=data, headers=auth(user) | {"Content-Type": mime})
    assert response.status_code in (200, 201), response.json
    return sha


def now(minutes: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def issue(client, user, device_id: int, position: str):
    return client.post(f"/api/devices/{device_id}/labels", json={"position": position}, headers=auth(user))


def daily(city, templates, photo: str, **overrides) -> dict:
    template = templates["device_elevator"]
    return {
        "id": f.new_id(),
        "kind": "self_check",
        "subkind": "daily",
        "template_id": template.id,
        "device_id": city.dev_a.id,
        "items": answers(template, {template.item_codes[0]: [photo]}),
    } | overrides


# --- position labels -----------------------------------------------------------------------


def test_a_position_label_resolves_to_the_same_device_and_tells_its_position(client, city):
    label = issue(client, city.manager, city.dev_a.id, "machine_room")
    assert label.status_code == 201, label.json
    assert label.json["position_label"] == "机房"
    found = client.get(f"/api/qr/{label.json['token']}", headers=auth(city.manager))
    assert found.status_code == 200
    assert found.json["position"] == "machine_room"
    assert found.json["position_label"] == "机房"
    assert found.json["device"]["id"] == city.dev_a.id
    assert found.json["public"]["registration_no"] == city.dev_a.registration_no


def test_the_default_label_keeps_working_beside_position_labels(client, city):
    issue(client, city.manager, city.dev_a.id, "car")
    found = client.get(f"/api/qr/{city.dev_a.qr_token}")
    assert found.status_code == 200
    assert found.json["position"] is None
    device = client.get(f"/api/devices/{city.dev_a.id}", headers=auth(city.manager)).json
    assert [lb["position"] for lb in device["position_labels"]] == ["car"]


def test_reissuing_or_revoking_a_position_label_retires_its_token(client, city):
    old = issue(client, city.manager, city.dev_a.id, "car_top").json["token"]
    new = issue(client, city.manager, city.dev_a.id, "car_top").json["token"]
    assert old != new
    assert client.get(f"/api/qr/{old}").status_code == 404
    assert client.get(f"/api/qr/{new}").status_code == 200
    gone = client.delete(f"/api/devices/{city.dev_a.id}/labels/car_top", headers=auth(city.manager))
    assert gone.status_code == 204
    assert client.get(f"/api/qr/{new}").status_code == 404


def test_position_labels_are_only_issued_by_the_devices_editors(client, city):
    assert issue(client, city.manager_x, city.dev_a.id, "car").status_code == 404
    assert issue(client, city.supervisor, city.dev_a.id, "car").status_code == 403
    assert issue(client, city.manager, city.dev_a.id, "roof").status_code == 422


def test_position_labels_print_with_their_position(client, city):
    issue(client, city.manager, city.dev_a.id, "machine_room")
    url = f"/api/devices/{city.dev_a.id}/label.png"
    png = client.get(f"{url}?position=machine_room", headers=auth(city.manager))
    assert png.status_code == 200
    assert png.mimetype == "image/png"
    assert "%E6%9C%BA%E6%88%BF" in png.headers["Content-Disposition"]  # 机房 in the file name
    missing = client.get(f"{url}?position=car", headers=auth(city.manager))
    assert missing.status_code == 404
    sheet = client.get(f"/api/enterprises/{city.ent_a.id}/labels.pdf", headers=auth(city.manager))
    assert sheet.status_code == 200


# --- a device's registered place ----------------------------------------------------------


def test_only_regulators_register_a_devices_place(client, city):
    body = {"latitude": 36.65, "longitude": 117.12}
    refused = client.patch(f"/api/devices/{city.dev_a.id}", json=body, headers=auth(city.manager))
    assert refused.status_code == 403
    done = client.patch(f"/api/devices/{city.dev_a.id}", json=body, headers=auth(city.inspector))
    assert done.status_code == 200, done.json
    assert (done.json["latitude"], done.json["longitude"]) == (36.65, 117.12)


# --- checks -----------------------------------------------------------------------------------


def test_a_check_with_scans_live_photos_and_a_matching_place_is_on_site(client, city, templates, placed):
    photo = upload(client, city.manager, jpeg())
    body = daily(
        city,
        templates,
        photo,
        geolocation=NEAR,
        scans=[{"token": city.dev_a.qr_token, "at": now(-25)}, {"token": city.dev_a.qr_token, "at": now(-1)}],
        photo_meta=[{"sha256": photo, "source": "camera", "taken_at": now(-10), "geolocation": NEAR}],
    )
    response = client.post("/api/checks", json=body, headers=auth(city.manager))
    assert response.status_code == 201, response.json
    shown = client.get(f"/api/checks/{body['id']}", headers=auth(city.inspector)).json
    assert shown["evidence"]["on_site"] is True
    assert shown["evidence"]["warnings"] == []
    assert 23 * 60 <= shown["evidence"]["time_on_site_s"] <= 25 * 60
    assert shown["presence"]["photos"][photo]["source"] == "camera"
    assert [s["position"] for s in shown["presence"]["scans"]] == [None, None]
    hazard = client.get(f"/api/hazards/{shown['hazard_ids'][0]}", headers=auth(city.inspector)).json
    assert hazard["evidence"]["on_site"] is True
    assert verify_chain({"check.": check_evidence_problem}).ok


def test_scans_at_several_positions_are_kept_with_their_position(client, city, templates):
    token = issue(client, city.manager, city.dev_a.id, "machine_room").json["token"]
    body = daily(city, templates, upload(client, city.manager, jpeg()))
    body["scans"] = [{"token": token, "at": now(-5)}, {"token": city.dev_a.qr_token, "at": now(-30)}]
    assert client.post("/api/checks", json=body, headers=auth(city.manager)).status_code == 201
    shown = client.get(f"/api/checks/{body['id']}", headers=auth(city.manager)).json
    assert [s["position"] for s in shown["presence"]["scans"]] == [None, "machine_room"]  # in time order


def test_a_gallery_photo_far_away_without_a_scan_gives_plain_warnings(client, city, templates, placed):
    photo = upload(client, city.manager, jpeg())
    body = daily(
        city,
        templates,
        photo,
        geolocation=FAR,
        photo_meta=[{"sha256": photo, "source": "gallery", "taken_at": now(-5)}],
    )
    assert client.post("/api/checks", json=body, headers=auth(city.manager)).status_code == 201
    evidence = client.get(f"/api/checks/{body['id']}", headers=auth(city.inspector)).json["evidence"]
    assert evidence == {
        "on_site": False,
        "warnings": ["no_scan", "gallery_photo", "far_from_device"],
        "time_on_site_s": None,
    }


def test_denied_location_is_accepted_and_recorded_as_denied(client, city, templates):
    photo = upload(client, city.manager, jpeg())
    scans = [{"token": city.dev_a.qr_token, "at": now()}]
    body = daily(city, templates, photo, geolocation="denied", scans=scans)
    body["photo_meta"] = [{"sha256": photo, "source": "camera", "geolocation": "denied"}]
    assert client.post("/api/checks", json=body, headers=auth(city.manager)).status_code == 201
    shown = client.get(f"/api/checks/{body['id']}", headers=auth(city.manager)).json
    assert shown["presence"]["geolocation"] == "denied"
    assert shown["evidence"]["warnings"] == ["location_denied"]


def test_a_years_old_gallery_photo_is_accepted_and_shown_as_old(client, city, templates):
    photo = upload(client, city.manager, jpeg())
    meta = [{"sha256": photo, "source": "gallery", "taken_at": "2019-05-01T08:00:00Z"}]
    body = daily(city, templates, photo, scans=[{"token": city.dev_a.qr_token, "at": now()}], photo_meta=meta)
    body["geolocation"] = NEAR
    assert client.post("/api/checks", json=body, headers=auth(city.manager)).status_code == 201
    evidence = client.get(f"/api/checks/{body['id']}", headers=auth(city.manager)).json["evidence"]
    assert evidence["warnings"] == ["gallery_photo", "old_photo"]


def test_an_old_payload_without_presence_fields_is_still_accepted(client, city, templates):
    body = daily(city, templates, upload(client, city.manager, jpeg()))
    assert client.post("/api/checks", json=body, headers=auth(city.manager)).status_code == 201
    shown = client.get(f"/api/checks/{body['id']}", headers=auth(city.inspector)).json
    assert shown["presence"] is None
    assert shown["evidence"]["warnings"] == ["no_scan", "photo_unrecorded", "no_location"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("geolocation", {"lat": 91, "lng": 117, "accuracy_m": 10}),
        ("geolocation", {"lat": 36, "lng": -181, "accuracy_m": 10}),
        ("geolocation", {"lat": 36, "lng": 117, "accuracy_m": -1}),
        ("geolocation", "somewhere"),
        ("scans", [{"token": "no-such-label", "at": "2026-12-06T09:00:00Z"}]),
        ("photo_meta", [{"sha256": "0" * 64, "source": "screenshot"}]),
    ],
)
def test_out_of_range_presence_is_a_422(client, city, templates, field, value):
    body = daily(city, templates, upload(client, city.manager, jpeg())) | {field: value}
    response = client.post("/api/checks", json=body, headers=auth(city.manager))
    assert response.status_code == 422
    assert field in response.json["error"]["details"]["fields"]


def test_a_scan_from_the_future_or_of_another_device_is_refused(client, city, templates):
    photo = upload(client, city.manager, jpeg())
    future = daily(city, templates, photo, scans=[{"token": city.dev_a.qr_token, "at": now(60 * 25)}])
    other = daily(city, templates, photo, scans=[{"token": city.dev_b.qr_token, "at": now()}])
    for body in (future, other):
        response = client.post("/api/checks", json=body, headers=auth(city.manager))
        assert response.status_code == 422
        assert "scans" in response.json["error"]["details"]["fields"]


def test_check_submit_sync_op_carries_the_presence_fields(client, city, templates, placed):
    photo = upload(client, city.manager, jpeg())
    payload = daily(
        city,
        templates,
        photo,
        geolocation=NEAR,
        scans=[{"token": city.dev_a.qr_token, "at": now(-3)}],
        photo_meta=[{"sha256": photo, "source": "camera", "taken_at": now(-2)}],
    )
    op = {"op_id": f.new_id(), "type": "check.submit", "payload": payload}
    result = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.manager)).json["results"][0]
    assert result["status"] == "applied", result
    assert client.get(f"/api/checks/{payload['id']}", headers=auth(city.manager)).json["evidence"]["on_site"]


# --- mutual-check signatures ------------------------------------------------------------------------


@pytest.fixture
def task(client, city, templates):
    certify(city.supervisor)
    body = {"name": "互查", "starts_on": now()[:10], "due_on": now(60 * 24 * 30)[:10], "seed": 1}
    cycle = client.post("/api/mutual-check-cycles", json=body, headers=auth(city.inspector)).json
    return next(a for a in cycle["assignments"] if a["supervisor_id"])


def mutual(templates, task, **overrides) -> dict:
    template = templates["enterprise_baseline"]
    return {
        "id": f.new_id(),
        "kind": "mutual_check",
        "template_id": template.id,
        "assignment_id": task["id"],
        "signed_by": "李监督",
        "items": answers(template),
    } | overrides


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (255, 255, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_mutual_check_carries_its_drawn_signature_hashed_into_the_record(client, city, templates, task):
    signature = upload(client, city.supervisor, png(), "image/png")
    body = mutual(templates, task, signature=signature)
    response = client.post("/api/checks", json=body, headers=auth(city.supervisor))
    assert response.status_code == 201, response.json
    assert response.json["signature_url"]
    assert verify_chain({"check.": check_evidence_problem}).ok
    db.session.get(Check, body["id"]).signature_sha256 = "f" * 64
    db.session.commit()
    assert not verify_chain({"check.": check_evidence_problem}).ok


def test_a_signature_never_uploaded_is_refused(client, city, templates, task):
    body = mutual(templates, task, signature="e" * 64)
    response = client.post("/api/checks", json=body, headers=auth(city.supervisor))
    assert response.status_code == 422
    assert "signature" in response.json["error"]["details"]["fields"]


# --- hazards -----------------------------------------------------------------------------------


def test_a_hazard_records_its_photos_provenance_and_shows_its_evidence(client, city, placed):
    photo = upload(client, city.manager, jpeg())
    body = {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "category": "安全附件",
        "severity": "general",
        "description": "限速器防护罩缺失",
        "photos": [photo],
        "geolocation": "unavailable",
        "photo_meta": [{"sha256": photo, "source": "gallery", "taken_at": now(-3)}],
    }
    response = client.post("/api/hazards", json=body, headers=auth(city.manager))
    assert response.status_code == 201, response.json
    shown = client.get(f"/api/hazards/{body['id']}", headers=auth(city.inspector)).json
    assert shown["presence"]["photos"][photo]["source"] == "gallery"
    assert shown["evidence"]["warnings"] == ["no_scan", "gallery_photo", "location_unavailable"]
    old = {k: v for k, v in body.items() if k not in ("geolocation", "photo_meta")} | {"id": f.new_id()}
    assert client.post("/api/hazards", json=old, headers=auth(city.manager)).status_code == 201


# --- rectification (after) photos ---------------------------------------------------------------


def reported(client, city) -> str:
    body = {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "category": "安全附件",
        "severity": "general",
        "description": "限速器防护罩缺失",
    }
    assert client.post("/api/hazards", json=body, headers=auth(city.manager)).status_code == 201
    return body["id"]


def rectified(hazard_id: str, photo: str, **presence) -> dict:
    return {
        "id": f.new_id(),
        "action": "submit_rectification",
        "note": "已加装防护罩",
        "photos": [photo],
    } | presence


def rectification_step(shown: dict) -> dict:
    return next(e for e in shown["events"] if e["action"] == "submit_rectification")


def test_rectification_photos_record_their_provenance_and_show_on_site(client, city, placed):
    hazard_id = reported(client, city)
    photo = upload(client, city.manager, jpeg((40, 160, 40)))
    step = rectified(
        hazard_id,
        photo,
        geolocation=NEAR,
        scans=[{"token": city.dev_a.qr_token, "at": now(-4)}],
        photo_meta=[{"sha256": photo, "source": "camera", "taken_at": now(-2), "geolocation": NEAR}],
    )
    response = client.post(f"/api/hazards/{hazard_id}/transitions", json=step, headers=auth(city.manager))
    assert response.status_code == 200, response.json
    shown = rectification_step(client.get(f"/api/hazards/{hazard_id}", headers=auth(city.inspector)).json)
    assert shown["presence"]["photos"][photo]["source"] == "camera"
    assert shown["presence"]["photos"][photo]["taken_at"].startswith(now()[:10])
    assert shown["evidence"] == {"on_site": True, "warnings": [], "time_on_site_s": 0}


def test_a_gallery_rectification_photo_far_away_is_accepted_with_plain_warnings(client, city, placed):
    hazard_id = reported(client, city)
    photo = upload(client, city.manager, jpeg((40, 40, 160)))
    step = rectified(
        hazard_id,
        photo,
        geolocation=FAR,
        photo_meta=[{"sha256": photo, "source": "gallery", "taken_at": now(-60 * 24 * 3)}],
    )
    response = client.post(f"/api/hazards/{hazard_id}/transitions", json=step, headers=auth(city.manager))
    assert response.status_code == 200, response.json
    evidence = rectification_step(response.json)["evidence"]
    assert evidence["on_site"] is False
    assert evidence["warnings"] == ["no_scan", "gallery_photo", "old_photo", "far_from_device"]


def test_denied_location_never_blocks_a_rectification_and_is_recorded(client, city):
    hazard_id = reported(client, city)
    photo = upload(client, city.manager, jpeg((160, 40, 40)))
    step = rectified(
        hazard_id, photo, geolocation="denied", photo_meta=[{"sha256": photo, "source": "camera"}]
    )
    response = client.post(f"/api/hazards/{hazard_id}/transitions", json=step, headers=auth(city.manager))
    assert response.status_code == 200, response.json
    shown = rectification_step(response.json)
    assert shown["presence"]["geolocation"] == "denied"
    assert "location_denied" in shown["evidence"]["warnings"]


def test_a_rectification_from_an_older_app_has_unrecorded_photos_and_replays_as_a_duplicate(client, city):
    hazard_id = reported(client, city)
    photo = upload(client, city.manager, jpeg((160, 160, 40)))
    step = rectified(hazard_id, photo)
    url = f"/api/hazards/{hazard_id}/transitions"
    first = client.post(url, json=step, headers=auth(city.manager))
    assert first.status_code == 200, first.json
    assert rectification_step(first.json)["evidence"]["warnings"][:2] == ["no_scan", "photo_unrecorded"]
    assert client.post(url, json=step, headers=auth(city.manager)).status_code == 200
    assert len([e for e in first.json["events"] if e["action"] == "submit_rectification"]) == 1
    # a step without photos (the review) shows no evidence strength
    verified = client.get(f"/api/hazards/{hazard_id}", headers=auth(city.inspector)).json
    assert next(e for e in verified["events"] if e["action"] == "report")["evidence"] is None


def test_the_hazard_transition_sync_op_carries_the_rectification_photos_provenance(client, city, placed):
    hazard_id = reported(client, city)
    photo = upload(client, city.manager, jpeg((90, 30, 160)))
    payload = rectified(
        hazard_id,
        photo,
        geolocation=NEAR,
        scans=[{"token": city.dev_a.qr_token, "at": now(-30)}],
        photo_meta=[{"sha256": photo, "source": "camera", "taken_at": now(-29)}],
    ) | {"hazard_id": hazard_id}
    op = {"op_id": f.new_id(), "type": "hazard.transition", "payload": payload}
    for _ in range(2):  # the phone retries: the second is the same step
        result = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.manager)).json
        assert result["results"][0]["status"] in ("applied", "duplicate"), result
    shown = client.get(f"/api/hazards/{hazard_id}", headers=auth(city.inspector)).json
    steps = [e for e in shown["events"] if e["action"] == "submit_rectification"]
    assert len(steps) == 1 and steps[0]["evidence"]["on_site"] is True


def test_a_rectification_photos_provenance_is_covered_by_the_evidence_chain(client, city):
    hazard_id = reported(client, city)
    photo = upload(client, city.manager, jpeg((10, 90, 90)))
    step = rectified(hazard_id, photo, photo_meta=[{"sha256": photo, "source": "gallery"}])
    client.post(f"/api/hazards/{hazard_id}/transitions", json=step, headers=auth(city.manager))
    assert verify_chain({"hazard.": hazard_evidence_problem}).ok
    forged = json.dumps({"geolocation": None, "scans": [], "photos": {photo: {"source": "camera"}}})
    db.session.execute(
        text("UPDATE hazard_events SET presence = :p WHERE id = :id"), {"p": forged, "id": step["id"]}
    )
    db.session.commit()
    assert "was altered" in verify_chain({"hazard.": hazard_evidence_problem}).problem


def test_the_app_may_ask_for_the_phones_location(client):
    policy = client.get("/api/health").headers["Permissions-Policy"]
    assert "geolocation=(self)" in policy
    assert "microphone=()" in policy
