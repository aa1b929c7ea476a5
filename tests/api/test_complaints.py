"""Public complaints (投诉举报): anonymous intake with proof of work and rate limits,
tracking, privacy of the complainant, triage into hazards and rewards, retention."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import backend.complaints.models  # noqa: F401 - register the tables before create_all
from backend import create_app
from backend.complaints import rules
from backend.complaints.models import Complaint, Reward
from backend.complaints.schemas import ENTERPRISE_FIELDS
from backend.complaints.services import complaint_evidence_problem, purge_expired_contacts
from backend.core.clock import utcnow
from backend.core.images import sha256_hex
from backend.evidence.models import EvidenceEntry
from backend.evidence.services import verify_chain
from backend.extensions import db, limiter
from backend.hazards.services import hazard_evidence_problem
from backend.jobs.definitions import JOBS
from backend.jobs.runner import run_due
from tests import factories as f
from tests.api.test_notifications import _Receiver, _serve
from tests.conftest import auth

PHONE = "13812345678"
PHOTO = f.image_bytes((30, 160, 60))
NO_LIMIT = "1000 per minute"


@pytest.fixture
def app(tmp_path):
    """tests/conftest.py's app with rate limits on (the public surface's limits are under test)."""
    limiter_was_enabled = limiter.enabled
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SECRET_KEY": "test-secret",
            "JWT_SECRET_KEY": "test-jwt-secret-with-enough-length-0123456789",
            "PUBLIC_BASE_URL": "https://tzsb.example.cn",
            "PWA_DIST": str(tmp_path / "dist"),
            "COMPLAINT_POW_BITS": 8,
            "COMPLAINT_IP_LIMIT": NO_LIMIT,
            "COMPLAINT_DEVICE_LIMIT": NO_LIMIT,
            "COMPLAINT_CHALLENGE_LIMIT": NO_LIMIT,
        }
    )
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            yield app
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    finally:
        limiter.enabled = limiter_was_enabled  # the limiter is a process-wide singleton


def _pow(client, **environ) -> dict:
    response = client.get("/api/public/challenge", environ_base=environ)
    assert response.status_code == 200, response.json
    challenge = response.json["challenge"]
    return {"challenge": challenge, "nonce": rules.solve_pow(challenge, response.json["difficulty"])}


def _body(token: str, **overrides) -> dict:
    return {
        "qr_token": token,
        "category": "elevator_trapped",
        "description": "电梯停在两层之间，有人被困约十分钟",
        "photos": [],
    } | overrides


def _submit(client, token: str, environ: dict | None = None, **overrides):
    environ = environ or {}
    body = _body(token, **overrides)
    body.setdefault("pow", _pow(client, **environ))
    return client.post("/api/public/complaints", json=body, environ_base=environ)


def _filed(client, device, **overrides) -> Complaint:
    response = _submit(client, device.qr_token, **overrides)
    assert response.status_code == 201, response.json
    return db.session.scalar(select(Complaint).where(Complaint.ticket_no == response.json["ticket_no"]))


def _triage(client, user, complaint: Complaint, **body):
    body = {"outcome": "substantiated", "public_reply": "经现场核查属实，已责令整改。"} | body
    return client.post(f"/api/complaints/{complaint.id}/triage", json=body, headers=auth(user))


def _error_code(response) -> str:
    return response.json["error"]["code"]


# --- intake and tracking ----------------------------------------------------------------


def test_anonymous_complaint_with_photo_end_to_end(client, city):
    sha = sha256_hex(PHOTO)
    upload = client.put(f"/api/public/photos/{sha}", data=PHOTO, content_type="image/jpeg")
    assert upload.status_code == 201
    assert client.put(f"/api/public/photos/{sha}", data=PHOTO).status_code == 200

    response = _submit(client, city.dev_a.qr_token, photos=[sha], contact_phone="138 1234 5678")

    assert response.status_code == 201
    assert set(response.json) == {"ticket_no", "tracking_code"}
    ticket, code = response.json["ticket_no"], response.json["tracking_code"]
    assert rules.is_ticket_number(ticket) and ticket.endswith("-0001")
    tracked = client.get(f"/api/public/complaints/{ticket}", query_string={"code": code})
    assert tracked.status_code == 200
    assert tracked.json["status"] == "received"
    assert tracked.json["registration_no"] == city.dev_a.registration_no
    assert tracked.json["replies"] == []
    assert "5678" not in tracked.get_data(as_text=True)
    complaint = db.session.scalar(select(Complaint))
    assert complaint.photo_hashes == [sha]
    assert complaint.phone_masked == "138****5678"


def test_tracking_code_is_forgiving_about_case_and_dashes(client, city):
    receipt = _submit(client, city.dev_a.qr_token).json
    code = receipt["tracking_code"].replace("-", "").lower()
    response = client.get(f"/api/public/complaints/{receipt['ticket_no']}", query_string={"code": code})
    assert response.status_code == 200


@pytest.mark.parametrize("case", ["wrong_code", "unknown_ticket", "not_a_ticket"])
def test_tracking_with_wrong_code_or_ticket_is_404(client, city, case):
    receipt = _submit(client, city.dev_a.qr_token).json
    ticket, code = receipt["ticket_no"], receipt["tracking_code"]
    if case == "wrong_code":
        code = "AAAA-AAAA-AAAA-AAAA"
    elif case == "unknown_ticket":
        ticket = ticket[:-4] + "0999"
    else:
        ticket = "not-a-ticket"
    response = client.get(f"/api/public/complaints/{ticket}", query_string={"code": code})
    assert response.status_code == 404
    assert _error_code(response) == "not_found"


def test_ticket_numbers_count_up_within_the_day(client, city):
    first = _submit(client, city.dev_a.qr_token).json["ticket_no"]
    second = _submit(client, city.dev_b.qr_token).json["ticket_no"]
    assert first.endswith("-0001") and second.endswith("-0002") and first[:10] == second[:10]


def test_unknown_label_token_is_404(client, city):
    response = _submit(client, "no-such-token")
    assert response.status_code == 404
    assert db.session.scalar(select(Complaint)) is None


def test_revoked_label_token_is_404(client, city):
    old_token = city.dev_a.qr_token
    reissue = client.post(
        f"/api/devices/{city.dev_a.id}/qr-token", json={"reason": "标签损坏"}, headers=auth(city.inspector)
    )
    assert reissue.status_code == 200
    assert _submit(client, old_token).status_code == 404
    assert _submit(client, reissue.json["qr_token"]).status_code == 201


def test_photos_must_be_uploaded_before_submitting(client, city):
    response = _submit(client, city.dev_a.qr_token, photos=["a" * 64])
    assert response.status_code == 422
    assert _error_code(response) == "photo_missing"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "长" * 2001}, "description"),
        ({"photos": [f"{i:064x}" for i in range(7)]}, "photos"),
        ({"category": "noise"}, "category"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"qr_token": ""}, "qr_token"),
    ],
)
def test_oversized_or_invalid_fields_are_422(client, city, overrides, field):
    response = _submit(client, city.dev_a.qr_token, **overrides)
    assert response.status_code == 422
    assert field in response.json["error"]["details"]["fields"]
    assert "12345" not in json.dumps(response.json["error"]["details"])


# --- proof of work ----------------------------------------------------------------------


def _unsolved(client) -> dict:
    challenge = client.get("/api/public/challenge").json["challenge"]
    n = 0
    while rules.leading_zero_bits(rules.pow_digest(challenge, str(n))) >= 8:
        n += 1
    return {"challenge": challenge, "nonce": str(n)}


def _forged(client) -> dict:
    challenge = rules.make_challenge(
        b"not-our-key" * 3, now=int(utcnow().timestamp()), ttl=600, bits=8, salt="0"
    )
    return {"challenge": challenge, "nonce": rules.solve_pow(challenge, 8)}


def _expired(client) -> dict:
    client.application.config["COMPLAINT_POW_TTL_SECONDS"] = -1
    try:
        return _pow(client)
    finally:
        client.application.config["COMPLAINT_POW_TTL_SECONDS"] = 600


def _too_easy(client) -> dict:
    solution = _pow(client)
    client.application.config["COMPLAINT_POW_BITS"] = 9
    return solution


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda c: None, "pow_required"),
        (_unsolved, "pow_unsolved"),
        (_forged, "pow_invalid"),
        (lambda c: {"challenge": "garbage", "nonce": "1"}, "pow_invalid"),
        (_expired, "pow_expired"),
        (_too_easy, "pow_too_easy"),
    ],
    ids=["missing", "unsolved", "forged", "garbage", "expired", "too_easy"],
)
def test_bad_proof_of_work_is_400_with_a_clear_code(client, city, make, code):
    response = _submit(client, city.dev_a.qr_token, pow=make(client))
    assert response.status_code == 400
    assert _error_code(response) == code
    assert db.session.scalar(select(Complaint)) is None


def test_proof_of_work_is_single_use(client, city):
    solution = _pow(client)
    assert _submit(client, city.dev_a.qr_token, pow=solution).status_code == 201
    again = _submit(client, city.dev_b.qr_token, pow=solution)
    assert again.status_code == 400
    assert _error_code(again) == "pow_reused"


def test_a_failed_submission_does_not_spend_the_challenge(client, city):
    solution = _pow(client)
    assert _submit(client, "no-such-token", pow=solution).status_code == 404
    assert _submit(client, city.dev_a.qr_token, pow=solution).status_code == 201


# --- rate limits ------------------------------------------------------------------------


def test_rate_limit_per_ip_gives_429_envelope_and_recovers(client, city, app):
    app.config["COMPLAINT_IP_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert _submit(client, city.dev_a.qr_token).status_code == 201
    limited = _submit(client, city.dev_a.qr_token)
    assert limited.status_code == 429
    assert _error_code(limited) == "too_many_requests"
    assert limited.json["error"]["message"]
    assert int(limited.headers["Retry-After"]) > 0
    assert db.session.query(Complaint).count() == 2

    limiter.reset()
    assert _submit(client, city.dev_a.qr_token).status_code == 201


def test_ipv6_clients_share_a_bucket_per_64(client, city, app):
    app.config["COMPLAINT_CHALLENGE_LIMIT"] = "2 per minute"
    same_64 = ["2001:db8:1:2::1", "2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2:aaaa::9"]
    statuses = [
        client.get("/api/public/challenge", environ_base={"REMOTE_ADDR": a}).status_code for a in same_64
    ]
    assert statuses == [200, 200, 429]
    other = client.get("/api/public/challenge", environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"})
    assert other.status_code == 200


def test_complaints_beyond_the_labels_quota_are_queued_flagged_not_refused(client, city, app):
    app.config["COMPLAINT_DEVICE_LIMIT"] = "2 per hour"
    token = city.dev_a.qr_token
    assert _submit(client, token, pow={"challenge": "junk", "nonce": "1"}).status_code == 400
    ips = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
    receipts = [_submit(client, token, environ={"REMOTE_ADDR": ip}) for ip in ips]
    assert [r.status_code for r in receipts] == [201, 201, 201]
    listed = client.get("/api/complaints", headers=auth(city.inspector)).json["items"]
    flags = {item["ticket_no"]: item["flagged"] for item in listed}
    assert [flags[r.json["ticket_no"]] for r in receipts] == [False, False, True]
    assert _submit(client, city.dev_b.qr_token).json["ticket_no"] in {
        item["ticket_no"]
        for item in client.get("/api/complaints", headers=auth(city.inspector)).json["items"]
        if not item["flagged"]
    }


def test_ten_junk_complaints_on_a_label_do_not_silence_a_genuine_one(client, city, app):
    app.config["COMPLAINT_DEVICE_LIMIT"] = "10 per hour"
    token = city.dev_a.qr_token
    for n in range(10):
        junk = _submit(client, token, environ={"REMOTE_ADDR": f"203.0.113.{n + 1}"}, description="测试测试")
        assert junk.status_code == 201
    genuine = _submit(client, token, environ={"REMOTE_ADDR": "198.51.100.77"})
    assert genuine.status_code == 201
    complaint = db.session.scalar(select(Complaint).where(Complaint.ticket_no == genuine.json["ticket_no"]))
    detail = client.get(f"/api/complaints/{complaint.id}", headers=auth(city.inspector)).json
    assert detail["status"] == "received" and detail["flagged"] is True


def test_anonymous_photo_upload_is_rate_limited(client, city, app):
    app.config["COMPLAINT_PHOTO_LIMIT"] = "1 per minute"
    sha = sha256_hex(PHOTO)
    assert client.put(f"/api/public/photos/{sha}", data=PHOTO).status_code == 201
    limited = client.put(f"/api/public/photos/{sha}", data=PHOTO)
    assert limited.status_code == 429
    assert _error_code(limited) == "too_many_requests"


# --- privacy ----------------------------------------------------------------------------


def _assert_no_identity(response) -> None:
    text = response.get_data(as_text=True)
    for fragment in (PHONE, "5678", "138*", "contact", "电梯停在两层之间"):
        assert fragment not in text, fragment


def test_enterprise_never_sees_the_complainant(client, city):
    complaint = _filed(client, city.dev_a, contact_phone=PHONE)
    complaint_id = complaint.id
    for user in (city.manager, city.supervisor):  # nothing before triage
        assert client.get("/api/complaints", headers=auth(user)).json["items"] == []
        assert client.get(f"/api/complaints/{complaint_id}", headers=auth(user)).status_code == 404
    triaged = _triage(
        client,
        city.inspector,
        complaint,
        open_hazard={"severity": "major", "category": "电梯", "description": "电梯困人，门锁回路故障"},
    )
    assert triaged.status_code == 200

    listed = client.get("/api/complaints", headers=auth(city.manager))
    detail = client.get(f"/api/complaints/{complaint_id}", headers=auth(city.manager))
    hazard = client.get(f"/api/hazards/{triaged.json['hazard_id']}", headers=auth(city.manager))
    hazards = client.get("/api/hazards", headers=auth(city.manager))
    for response in (listed, detail, hazard, hazards):
        assert response.status_code == 200
        _assert_no_identity(response)
    assert [c["id"] for c in listed.json["items"]] == [complaint_id]
    assert set(detail.json) <= ENTERPRISE_FIELDS
    assert detail.json["status"] == "substantiated"
    # the block supervisor of another enterprise of the block sees nothing at all
    assert client.get("/api/complaints", headers=auth(city.supervisor)).json["items"] == []
    peer = client.get(f"/api/complaints/{complaint_id}", headers=auth(city.supervisor))
    assert peer.status_code == 404


def test_enterprise_does_not_see_unsubstantiated_complaints(client, city):
    complaint = _filed(client, city.dev_a, contact_phone=PHONE)
    assert _triage(client, city.inspector, complaint, outcome="not_substantiated").status_code == 200
    assert client.get("/api/complaints", headers=auth(city.manager)).json["items"] == []
    assert client.get(f"/api/complaints/{complaint.id}", headers=auth(city.manager)).status_code == 404


def test_regulators_read_the_phone_masked_everywhere(client, city):
    complaint = _filed(client, city.dev_a, contact_phone="+86 138-1234-5678")
    for user in (city.inspector, city.admin):
        detail = client.get(f"/api/complaints/{complaint.id}", headers=auth(user))
        assert detail.status_code == 200
        assert detail.json["contact_phone_masked"] == "138****5678"
        assert detail.json["description"].startswith("电梯停在")
        assert PHONE not in detail.get_data(as_text=True)
    listed = client.get("/api/complaints", headers=auth(city.inspector))
    assert listed.json["items"][0]["contact_phone_masked"] == "138****5678"
    assert PHONE not in listed.get_data(as_text=True)


def _reveal(client, user, complaint: Complaint, reason: str = "回访核实"):
    return client.post(
        f"/api/complaints/{complaint.id}/phone/reveal", json={"reason": reason}, headers=auth(user)
    )


def test_a_regulator_reveals_the_phone_on_request_and_the_bureau_sees_who_and_when(client, city):
    complaint = _filed(client, city.dev_a, contact_phone=PHONE)
    revealed = _reveal(client, city.inspector, complaint)
    assert (revealed.status_code, revealed.json) == (200, {"contact_phone": PHONE})
    log = client.get(f"/api/complaints/{complaint.id}/phone/reveals", headers=auth(city.admin))
    assert log.status_code == 200
    [entry] = log.json
    assert (entry["actor"], entry["field"], entry["reason"]) == (
        city.inspector.username,
        "contact_phone_revealed",
        "回访核实",
    )
    assert entry["at"] and entry["after"] == "138****5678"
    assert PHONE not in log.get_data(as_text=True)
    assert (
        client.get(f"/api/complaints/{complaint.id}/phone/reveals", headers=auth(city.inspector)).status_code
        == 403
    )


def test_the_phone_is_revealed_to_no_one_else(client, city):
    complaint = _filed(client, city.dev_a, contact_phone=PHONE)
    assert _reveal(client, city.other_inspector, complaint).status_code == 404
    for user in (city.manager, city.supervisor):
        assert _reveal(client, user, complaint).status_code == 403
    silent = _filed(client, city.dev_a)
    assert _reveal(client, city.inspector, silent).status_code == 404
    log = client.get(f"/api/complaints/{complaint.id}/phone/reveals", headers=auth(city.admin))
    assert log.json == []


def test_other_zone_inspector_gets_404(client, city):
    complaint = _filed(client, city.dev_a, contact_phone=PHONE)
    headers = auth(city.other_inspector)
    assert client.get(f"/api/complaints/{complaint.id}", headers=headers).status_code == 404
    assert client.get("/api/complaints", headers=headers).json["items"] == []
    assert _triage(client, city.other_inspector, complaint).status_code == 404


def test_phone_is_stored_encrypted_and_kept_out_of_the_evidence_chain(client, city):
    complaint = _filed(client, city.dev_a, contact_phone=PHONE)
    _triage(client, city.inspector, complaint)
    row = db.session.execute(select(Complaint.__table__)).mappings().one()
    assert not any(PHONE in str(value) for value in row.values())
    bodies = db.session.scalars(select(EvidenceEntry.body)).all()
    assert any('"kind":"complaint.create"' in b for b in bodies)
    # neither the phone nor its masked form (a bare "5678" may occur by chance in a hash or a time)
    assert not any(PHONE in b or rules.mask_phone(PHONE) in b or "****" in b for b in bodies)
    report = verify_chain({"complaint.": complaint_evidence_problem, "hazard.": hazard_evidence_problem})
    assert report.ok, report.problem


@pytest.fixture
def sms_gateway(app, monkeypatch):
    gateway = _Receiver()
    gateway.answer = {"ok": True}
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", gateway.url("/sms"))
    yield from _serve(gateway)


@pytest.mark.parametrize(("consent", "texts"), [(True, 1), (False, 0)])
def test_a_status_change_is_texted_only_if_the_complainant_agreed(client, city, sms_gateway, consent, texts):
    complaint = _filed(client, city.dev_a, contact_phone="+86 138-1234-5678", sms_consent=consent)
    assert complaint.sms_consent is consent
    _triage(client, city.inspector, complaint)
    sms_job = [job for job in JOBS if job.name == "complaint_sms"]
    run_due(sms_job)
    run_due(sms_job, now=utcnow() + timedelta(minutes=10))  # due again: sends nothing twice
    assert len(sms_gateway.received) == texts
    if texts:
        [sent] = sms_gateway.received
        assert sent["body"]["to"] == PHONE and complaint.ticket_no in sent["body"]["text"]
        assert "经核查属实" in sent["body"]["text"]


def test_consent_without_a_phone_is_not_kept(client, city):
    complaint = _filed(client, city.dev_a, sms_consent=True)
    assert complaint.sms_consent is False


# --- triage -----------------------------------------------------------------------------


def test_substantiated_triage_opens_a_hazard_and_a_reward(client, city):
    complaint = _filed(client, city.dev_a, contact_phone=PHONE)
    response = _triage(
        client,
        city.inspector,
        complaint,
        reward_yuan="200",
        open_hazard={"severity": "major", "category": "电梯", "description": "电梯困人，门锁回路故障"},
    )
    assert response.status_code == 200
    assert response.json["status"] == "substantiated"
    assert response.json["reward"] == {
        "amount_yuan": "200.00",
        "status": "pending",
        "paid_at": None,
        "paid_on": None,
        "method": None,
        "reference": "",
    }
    hazards = client.get(
        "/api/hazards", query_string={"device_id": city.dev_a.id}, headers=auth(city.inspector)
    ).json["items"]
    assert [(h["id"], h["source"], h["severity"]) for h in hazards] == [
        (response.json["hazard_id"], "complaint", "major")
    ]
    assert hazards[0]["enterprise_id"] == city.ent_a.id
    reward = db.session.scalar(select(Reward))
    assert reward.complaint_id == complaint.id and reward.status == "pending"
    tracked = client.get(f"/api/public/complaints/{complaint.ticket_no}", query_string={"code": "wrong"})
    assert tracked.status_code == 404


def test_complainant_sees_the_public_reply(client, city):
    receipt = _submit(client, city.dev_a.qr_token).json
    complaint = db.session.scalar(select(Complaint))
    _triage(
        client,
        city.inspector,
        complaint,
        outcome="not_substantiated",
        public_reply="经核查，该电梯检验合格标志在有效期内。",
    )
    tracked = client.get(
        f"/api/public/complaints/{receipt['ticket_no']}", query_string={"code": receipt["tracking_code"]}
    ).json
    assert tracked["status"] == "not_substantiated"
    assert [r["text"] for r in tracked["replies"]] == ["经核查，该电梯检验合格标志在有效期内。"]


def test_duplicate_needs_another_complaint_about_the_same_device(client, city):
    first, second = _filed(client, city.dev_a), _filed(client, city.dev_a)
    other_device = _filed(client, city.dev_b)
    assert _triage(client, city.inspector, second, outcome="duplicate").status_code == 422
    assert (
        _triage(client, city.inspector, second, outcome="duplicate", duplicate_of=other_device.id).status_code
        == 422
    )
    assert (
        _triage(client, city.inspector, second, outcome="duplicate", duplicate_of=second.id).status_code
        == 422
    )
    ok = _triage(client, city.inspector, second, outcome="duplicate", duplicate_of=first.id)
    assert ok.status_code == 200
    assert ok.json["duplicate_of_id"] == first.id and ok.json["reward"] is None


def test_triage_happens_once(client, city):
    complaint = _filed(client, city.dev_a)
    assert _triage(client, city.inspector, complaint).status_code == 200
    again = _triage(client, city.admin, complaint, outcome="not_substantiated")
    assert again.status_code == 409
    assert _error_code(again) == "invalid_state"


@pytest.mark.parametrize("who", ["manager", "supervisor"])
def test_enterprise_users_cannot_triage(client, city, who):
    complaint = _filed(client, city.dev_a)
    response = _triage(client, getattr(city, who), complaint)
    assert response.status_code == 403


def test_hazard_only_for_substantiated(client, city):
    complaint = _filed(client, city.dev_a)
    response = _triage(
        client,
        city.inspector,
        complaint,
        outcome="not_substantiated",
        open_hazard={"severity": "general", "category": "电梯", "description": "照明不亮"},
    )
    assert response.status_code == 422
    assert "open_hazard" in response.json["error"]["details"]["fields"]


# --- counts and retention ---------------------------------------------------------------


def test_device_list_counts_each_devices_complaints_and_the_enterprise_only_substantiated(client, city):
    first = _filed(client, city.dev_a)
    _filed(client, city.dev_a)
    _filed(client, city.dev_b)
    _triage(client, city.inspector, first)

    def counts(user) -> dict[int, int]:
        items = client.get("/api/devices?per_page=100", headers=auth(user)).json["items"]
        return {item["id"]: item["complaint_count"] for item in items}

    seen_by_inspector = counts(city.inspector)
    assert (seen_by_inspector[city.dev_a.id], seen_by_inspector[city.dev_b.id]) == (2, 1)
    assert seen_by_inspector[city.dev_c.id] == 0
    assert counts(city.manager)[city.dev_a.id] == 1


def test_purge_wipes_contacts_of_complaints_closed_before_retention(client, city, app):
    closed = _filed(client, city.dev_a, contact_phone=PHONE)
    still_open = _filed(client, city.dev_b, contact_phone=PHONE)
    _triage(client, city.inspector, closed)
    closed_id, open_id = closed.id, still_open.id
    now = utcnow()
    assert purge_expired_contacts(now + timedelta(days=179)) == 0
    assert purge_expired_contacts(now + timedelta(days=181)) == 1
    db.session.commit()
    detail = client.get(f"/api/complaints/{closed_id}", headers=auth(city.inspector)).json
    assert detail["contact_phone_masked"] is None
    assert _reveal(client, city.inspector, closed).status_code == 404
    assert detail["contact_purged_at"] is not None
    kept = client.get(f"/api/complaints/{open_id}", headers=auth(city.inspector)).json
    assert kept["contact_phone_masked"] == "138****5678"
    assert _reveal(client, city.inspector, still_open).json["contact_phone"] == PHONE
    app.config["COMPLAINT_PHONE_RETENTION_DAYS"] = 0
    assert purge_expired_contacts(now + timedelta(seconds=1)) == 0  # nothing left to wipe


def test_device_record_counts_complaints_enterprise_sees_only_substantiated(client, city):
    _filed(client, city.dev_a)
    substantiated = _filed(client, city.dev_a)
    _triage(client, city.inspector, substantiated, outcome="substantiated", public_reply="已责令整改")

    def count(user) -> int:
        return client.get(f"/api/devices/{city.dev_a.id}", headers=auth(user)).json["complaint_count"]

    assert count(city.inspector) == 2
    assert count(city.manager) == 1


def test_enterprise_record_counts_complaints_enterprise_sees_only_substantiated(client, city):
    _filed(client, city.dev_a)
    _triage(client, city.inspector, _filed(client, city.dev_a), outcome="substantiated")

    def count(user) -> int:
        return client.get(f"/api/enterprises/{city.ent_a.id}", headers=auth(user)).json["complaint_count"]

    assert count(city.inspector) == 2
    assert count(city.manager) == 1


def test_closing_day_is_the_china_date_of_the_closing_moment(client, city):
    complaint = _filed(client, city.dev_a)
    assert _triage(client, city.inspector, complaint).status_code == 200
    # 17:30 UTC is already 01:30 the next day in China
    complaint.closed_at = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
    db.session.commit()
    detail = client.get(f"/api/complaints/{complaint.id}", headers=auth(city.inspector)).json
    assert detail["closed_on"] == "2026-11-24"
