"""Complaint closure (seed 001 投诉举报奖励): the tracking page follows the complaint's hazard to
its verified rectification, the bureau records the reward's payment and the complainant sees
it, and a device without a label can be reported by registration number, address or a photo."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.complaints.models import Complaint
from backend.core.clock import today
from backend.core.images import sha256_hex
from backend.evidence.services import verify_chain
from backend.extensions import db
from tests import factories as f
from tests.api.test_complaints import _body, _pow, _submit, _triage, app  # noqa: F401 - the rate-limited app
from tests.conftest import auth

PHONE = "13812345678"
AFTER = f.image_bytes((20, 120, 200))
HAZARD = {"severity": "general", "category": "电梯", "description": "层门门锁回路故障"}


def _track(client, receipt: dict):
    response = client.get(
        f"/api/public/complaints/{receipt['ticket_no']}", query_string={"code": receipt["tracking_code"]}
    )
    assert response.status_code == 200, response.json
    return response.json


def _file(client, token: str | None, **overrides) -> tuple[dict, Complaint]:
    body = _body(token, **overrides)
    if token is None:
        del body["qr_token"]
    body["pow"] = _pow(client)
    response = client.post("/api/public/complaints", json=body)
    assert response.status_code == 201, response.json
    complaint = db.session.scalar(select(Complaint).where(Complaint.ticket_no == response.json["ticket_no"]))
    return response.json, complaint


def _step(client, user, hazard_id: str, action: str, **body):
    payload = {"id": f.new_id(), "action": action, "note": "", "reason": "", "photos": []} | body
    response = client.post(f"/api/hazards/{hazard_id}/transitions", json=payload, headers=auth(user))
    assert response.status_code == 200, response.json
    return response.json


def _upload_after_photo(client) -> str:
    sha = sha256_hex(AFTER)
    assert client.put(f"/api/public/photos/{sha}", data=AFTER, content_type="image/jpeg").status_code == 201
    return sha


def _with_hazard(client, city, **complaint) -> tuple[dict, str]:
    receipt, filed = _file(client, city.dev_a.qr_token, contact_phone=PHONE, **complaint)
    triaged = _triage(client, city.inspector, filed, open_hazard=HAZARD, reward_yuan="200")
    assert triaged.status_code == 200, triaged.json
    return receipt, triaged.json["hazard_id"]


def _rectify_and_verify(client, city, hazard_id: str) -> None:
    _step(client, city.manager, hazard_id, "start_rectification", note="已安排维保单位")
    photo = _upload_after_photo(client)
    _step(client, city.manager, hazard_id, "submit_rectification", note="已更换门锁", photos=[photo])
    _step(client, city.inspector, hazard_id, "verify", note="复查合格")


# --- the tracking page follows the hazard ---------------------------------------------


def test_tracking_stage_follows_the_hazard_to_its_verified_rectification(client, city):
    receipt, _ = _file(client, city.dev_a.qr_token)
    tracked = _track(client, receipt)
    assert (tracked["stage"], tracked["stage_label"]) == ("received", "已受理")
    assert [s["label"] for s in tracked["steps"]] == ["已受理", "已核查", "整改中", "已整改"]

    complaint = db.session.scalar(select(Complaint).where(Complaint.ticket_no == receipt["ticket_no"]))
    hazard_id = _triage(client, city.inspector, complaint, open_hazard=HAZARD).json["hazard_id"]
    assert _track(client, receipt)["stage"] == "rectifying"

    _step(client, city.manager, hazard_id, "start_rectification")
    photo = _upload_after_photo(client)
    _step(client, city.manager, hazard_id, "submit_rectification", photos=[photo])
    submitted = _track(client, receipt)
    assert submitted["stage"] == "rectifying", "the enterprise's own word is not 已整改"

    _step(client, city.inspector, hazard_id, "verify")
    done = _track(client, receipt)
    assert (done["stage"], done["stage_label"]) == ("rectified", "已整改")
    assert done["status_label"] == "经核查属实"


def test_a_complaint_without_hazard_ends_at_the_check(client, city):
    receipt, complaint = _file(client, city.dev_a.qr_token)
    _triage(
        client, city.inspector, complaint, outcome="not_substantiated", public_reply="经核查，电梯运行正常。"
    )
    tracked = _track(client, receipt)
    assert tracked["stage"] == "checked"
    assert [s["stage"] for s in tracked["steps"]] == ["received", "checked"]
    assert tracked["status_label"] == "经核查不属实"


def test_after_photo_is_shown_only_when_the_bureau_allows(client, city, app):  # noqa: F811
    receipt, hazard_id = _with_hazard(client, city)
    _rectify_and_verify(client, city, hazard_id)
    assert _track(client, receipt)["after_photos"] == []

    app.config["COMPLAINT_PUBLIC_AFTER_PHOTOS"] = True
    photos = _track(client, receipt)["after_photos"]
    assert len(photos) == 1
    image = client.get(photos[0]["thumbnail_url"])
    image.close()
    assert image.status_code == 200 and image.mimetype.startswith("image/")


def test_after_photo_waits_for_verification_even_when_allowed(client, city, app):  # noqa: F811
    app.config["COMPLAINT_PUBLIC_AFTER_PHOTOS"] = True
    receipt, hazard_id = _with_hazard(client, city)
    _step(client, city.manager, hazard_id, "submit_rectification", photos=[_upload_after_photo(client)])
    assert _track(client, receipt)["after_photos"] == []


def test_tracking_answer_never_shows_phone_or_identity(client, city, app):  # noqa: F811
    app.config["COMPLAINT_PUBLIC_AFTER_PHOTOS"] = True
    receipt, hazard_id = _with_hazard(client, city)
    _rectify_and_verify(client, city, hazard_id)
    _pay(client, city.admin, _complaint(receipt))
    tracked = _track(client, receipt)
    text = json.dumps(tracked, ensure_ascii=False)
    for private in (PHONE, "5678", city.inspector.username, city.manager.username, city.admin.username):
        assert private not in text
    assert not {"contact_phone", "contact_phone_masked", "phone_masked", "hazard_id", "actor_id"} & set(
        tracked
    )
    assert set(tracked["reward"]) == {"amount_yuan", "status", "paid_on"}


# --- rewards --------------------------------------------------------------------------


def _complaint(receipt: dict) -> Complaint:
    return db.session.scalar(select(Complaint).where(Complaint.ticket_no == receipt["ticket_no"]))


def _pay(client, user, complaint: Complaint, **body):
    payment = {"paid_on": today().isoformat(), "method": "bank_transfer", "reference": "ZF2026-0088"} | body
    return client.post(f"/api/complaints/{complaint.id}/reward/payment", json=payment, headers=auth(user))


def test_bureau_records_reward_payment_and_complainant_sees_it(client, city):
    receipt, _ = _with_hazard(client, city)
    assert _track(client, receipt)["reward"] == {
        "amount_yuan": "200.00",
        "status": "pending",
        "paid_on": None,
    }

    response = _pay(client, city.admin, _complaint(receipt))

    assert response.status_code == 200, response.json
    assert response.json["reward"]["status"] == "paid"
    assert response.json["reward"]["reference"] == "ZF2026-0088"
    tracked = _track(client, receipt)
    assert tracked["reward"] == {"amount_yuan": "200.00", "status": "paid", "paid_on": today().isoformat()}
    history = client.get(
        f"/api/complaints/{_complaint(receipt).id}/reward/history", headers=auth(city.admin)
    ).json
    assert {h["field"] for h in history} >= {"status", "paid_on", "method", "reference"}
    assert {h["actor"] for h in history} == {city.admin.username}


@pytest.mark.parametrize("who", ["inspector", "manager", "supervisor"])
def test_only_the_bureau_records_a_reward_payment(client, city, who):
    receipt, _ = _with_hazard(client, city)
    response = _pay(client, getattr(city, who), _complaint(receipt))
    assert response.status_code == 403
    assert _track(client, receipt)["reward"]["status"] == "pending"


def test_reward_is_paid_once_and_not_in_the_future(client, city):
    receipt, _ = _with_hazard(client, city)
    complaint = _complaint(receipt)
    future = _pay(client, city.admin, complaint, paid_on=(today() + timedelta(days=1)).isoformat())
    assert future.status_code == 422
    assert _pay(client, city.admin, complaint).status_code == 200
    again = _pay(client, city.admin, complaint)
    assert again.status_code == 409


def test_reward_payment_needs_a_reward_and_a_known_method(client, city):
    receipt, complaint = _file(client, city.dev_a.qr_token)
    assert _pay(client, city.admin, complaint).status_code == 409
    receipt, _ = _with_hazard(client, city)
    assert _pay(client, city.admin, _complaint(receipt), method="gold_bars").status_code == 422


# --- a device without a label -----------------------------------------------------------


def test_complaint_without_label_by_registration_number_is_accepted_and_linked_at_triage(client, city):
    reg_no = city.dev_b.registration_no
    receipt, complaint = _file(
        client, None, category="no_inspection_label", registration_no=reg_no, contact_phone=PHONE
    )
    assert complaint.device_id is None and complaint.enterprise_id is None
    tracked = _track(client, receipt)
    assert tracked["registration_no"] == reg_no and tracked["device_category"] is None

    listed = client.get("/api/complaints", headers=auth(city.inspector)).json["items"]
    assert [c["reported_registration_no"] for c in listed] == [reg_no]
    assert client.get("/api/complaints", headers=auth(city.manager)).json["items"] == []

    unlinked = _triage(client, city.inspector, complaint, open_hazard=HAZARD)
    assert unlinked.status_code == 422
    assert "device_id" in unlinked.json["error"]["details"]["fields"]

    out_of_zone = _triage(client, city.inspector, complaint, device_id=city.dev_x.id, open_hazard=HAZARD)
    assert out_of_zone.status_code == 404

    linked = _triage(client, city.inspector, complaint, device_id=city.dev_b.id, open_hazard=HAZARD)
    assert linked.status_code == 200, linked.json
    assert (linked.json["device_id"], linked.json["enterprise_id"]) == (city.dev_b.id, city.ent_b.id)
    hazard = client.get(f"/api/hazards/{linked.json['hazard_id']}", headers=auth(city.inspector)).json
    assert hazard["device_id"] == city.dev_b.id
    assert _track(client, receipt)["stage"] == "rectifying"
    assert verify_chain().ok


def test_complaint_without_label_by_address_may_be_found_not_substantiated_unlinked(client, city):
    receipt, complaint = _file(client, None, registration_no="", address="人民路88号3号楼东侧电梯")
    response = _triage(
        client, city.inspector, complaint, outcome="not_substantiated", public_reply="未发现该设备。"
    )
    assert response.status_code == 200, response.json
    assert response.json["device_id"] is None
    assert _track(client, receipt)["address"] == "人民路88号3号楼东侧电梯"


def test_complaint_without_label_by_a_photo_alone_is_accepted_and_linked_at_triage(client, city):
    photo = f.image_bytes((200, 40, 40))
    sha = sha256_hex(photo)
    assert client.put(f"/api/public/photos/{sha}", data=photo, content_type="image/jpeg").status_code == 201
    receipt, complaint = _file(
        client, None, category="no_inspection_label", registration_no="", address="", photos=[sha]
    )
    assert complaint.device_id is None and complaint.photo_hashes == [sha]
    linked = _triage(client, city.inspector, complaint, device_id=city.dev_b.id, open_hazard=HAZARD)
    assert linked.status_code == 200, linked.json
    assert _track(client, receipt)["stage"] == "rectifying"


def test_complaint_with_neither_label_nor_registration_or_address_is_422(client, city):
    body = _body(None, registration_no=" ", address="") | {"pow": _pow(client)}
    del body["qr_token"]
    response = client.post("/api/public/complaints", json=body)
    assert response.status_code == 422
    assert set(response.json["error"]["details"]["fields"]) >= {"registration_no", "address"}
    assert db.session.scalar(select(Complaint)) is None


def test_complaint_without_label_still_needs_proof_of_work(client, city):
    body = _body(None, registration_no=city.dev_b.registration_no)
    del body["qr_token"]
    response = client.post("/api/public/complaints", json=body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "pow_required"


def test_complaints_without_label_beyond_the_named_devices_quota_are_flagged(client, city, app):  # noqa: F811
    app.config["COMPLAINT_DEVICE_LIMIT"] = "2 per hour"
    reg_no = city.dev_b.registration_no
    for _ in range(2):
        assert not _file(client, None, registration_no=reg_no)[1].flagged
    assert _file(client, None, registration_no=f" {reg_no} ")[1].flagged
    _, other = _file(
        client, None, registration_no="", address="人民路88号"
    )  # another device has its own quota
    assert not other.flagged


def test_label_complaints_keep_the_existing_contract(client, city):
    response = _submit(client, city.dev_a.qr_token)
    assert response.status_code == 201 and set(response.json) == {"ticket_no", "tracking_code"}
    assert _track(client, response.json)["registration_no"] == city.dev_a.registration_no
