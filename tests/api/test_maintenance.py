"""Paperless elevator maintenance: who records, who confirms, who sees, and the public page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.complaints.models import Complaint
from backend.complaints.rules import solve_pow
from backend.core.clock import local_day, today, utcnow
from backend.evidence.models import EvidenceEntry
from backend.evidence.services import verify_chain
from backend.extensions import db
from backend.maintenance.models import MaintenanceContract, MaintenanceOrder, MaintenanceRecord
from backend.maintenance.rules import label_hash
from backend.maintenance.services import (
    company_facts,
    generate_orders,
    maintenance_day,
    name_companies_in_force,
)
from backend.notifications.models import Notification
from backend.org.models import Certificate
from backend.system.evidence_audit import record_checks
from tests import factories as f
from tests.conftest import auth

SIGNATURE = "5" * 64
PHOTOS = [c * 64 for c in "abcdef789"]


@pytest.fixture
def app(fast_app):
    return fast_app


@dataclass
class Maint:
    company: object
    other_company: object
    worker: object
    admin: object
    other_worker: object
    order: MaintenanceOrder


@pytest.fixture
def maint(city) -> Maint:
    company = f.make_enterprise(city.zone, roles="maintainer")
    other = f.make_enterprise(city.zone, roles="maintainer")
    start = today() - timedelta(days=14)
    db.session.add(
        MaintenanceContract(
            device_id=city.dev_a.id,
            company_id=company.id,
            starts_on=start,
            ends_on=start + timedelta(days=365),
        )
    )
    city.dev_a.maintenance_company_id = company.id
    db.session.flush()
    generate_orders(today())
    order = db.session.scalars(select(MaintenanceOrder)).one()
    order.created_at = utcnow() - timedelta(hours=5)
    for sha in [*PHOTOS, SIGNATURE]:
        f.make_photo(sha)
    m = Maint(
        company,
        other,
        certified_worker(company),
        f.make_user("maintenance_admin", enterprise=company),
        certified_worker(other),
        order,
    )
    db.session.commit()
    return m


def certified_worker(company, expires_on=None, verification: str = "verified"):
    """A worker with an elevator operator's certificate (电梯作业人员证), as a regulator checked it."""
    person = f.make_person(company, ("operator", expires_on or today() + timedelta(days=365)))
    person.certificates[0].verification = verification
    return f.make_user("maintenance_worker", enterprise=company, person_id=person.id)


def record_body(city, order, *, minutes: int = 40, token: str | None = None) -> dict:
    arrived = utcnow() - timedelta(hours=1)
    photos = iter(PHOTOS)
    items = [
        {"code": item["code"], "result": "ok", "photos": [next(photos)] if item["photo"] else []}
        for item in order.items
    ]
    token = token or city.dev_a.qr_token
    return {
        "items": items,
        "scans": [
            {"token": token, "at": arrived.isoformat()},
            {"token": token, "at": (arrived + timedelta(minutes=minutes)).isoformat()},
        ],
        "photos": [],
        "signature": SIGNATURE,
    }


def post_record(client, user, order_id, body):
    return client.post(f"/api/maintenance/orders/{order_id}/records", json=body, headers=auth(user))


def test_generated_half_month_order_carries_the_t5002_items(client, city, maint):
    res = client.get("/api/maintenance/orders?mine=true", headers=auth(maint.worker))
    assert res.status_code == 200
    [order] = res.json["items"]
    assert order["kind"] == "half_month" and order["device_id"] == city.dev_a.id
    assert order["due_on"] == (today() + timedelta(days=1)).isoformat()
    assert any(item["photo"] for item in order["items"]) and len(order["items"]) >= 15


def test_running_the_job_again_opens_no_second_order(city, maint):
    assert generate_orders(today()) == 0
    assert db.session.scalar(select(func.count()).select_from(MaintenanceOrder)) == 1


def test_worker_records_on_site_and_the_record_is_chained(client, city, maint):
    res = post_record(client, maint.worker, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 201, res.json
    assert res.json["status"] == "awaiting_confirmation"
    assert res.json["on_site_minutes"] == 40 and res.json["short_visit"] is False
    entry = db.session.scalar(select(EvidenceEntry).where(EvidenceEntry.kind == "maintenance.record"))
    assert entry is not None and entry.ref == str(res.json["id"])
    assert city.dev_a.qr_token not in str(res.json["scans"])  # hints only


def test_a_short_visit_is_flagged_not_refused(client, city, maint):
    res = post_record(client, maint.worker, maint.order.id, record_body(city, maint.order, minutes=5))
    assert res.status_code == 201
    assert res.json["short_visit"] is True and res.json["evidence_strength"] < 1


def test_a_label_of_another_device_is_refused(client, city, maint):
    body = record_body(city, maint.order, token=city.dev_b.qr_token)
    res = post_record(client, maint.worker, maint.order.id, body)
    assert res.status_code == 422 and "scans" in res.json["error"]["details"]["fields"]


def test_an_unknown_label_is_refused(client, city, maint):
    res = post_record(client, maint.worker, maint.order.id, record_body(city, maint.order, token="nope"))
    assert res.status_code == 422


def test_an_item_that_needs_a_photo_without_one_is_refused(client, city, maint):
    body = record_body(city, maint.order)
    photo_item = next(i for i in body["items"] if i["photos"])
    photo_item["photos"] = []
    res = post_record(client, maint.worker, maint.order.id, body)
    assert res.status_code == 422
    assert photo_item["code"] in res.json["error"]["details"]["fields"]["items"]


def test_scans_from_the_future_are_refused(client, city, maint):
    body = record_body(city, maint.order)
    body["scans"][1]["at"] = (utcnow() + timedelta(hours=2)).isoformat()
    assert post_record(client, maint.worker, maint.order.id, body).status_code == 422


def test_a_worker_of_another_company_gets_404(client, city, maint):
    res = post_record(client, maint.other_worker, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 404
    listed = client.get("/api/maintenance/orders", headers=auth(maint.other_worker)).json
    assert listed["items"] == []


def test_the_using_unit_cannot_record(client, city, maint):
    res = post_record(client, city.manager, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 403


def test_no_record_once_the_contract_has_ended(client, city, maint):
    contract = db.session.scalars(select(MaintenanceContract)).one()
    contract.ends_on = today() - timedelta(days=1)
    db.session.commit()
    res = post_record(client, maint.worker, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 403


def test_double_push_of_the_same_op_creates_one_record(client, city, maint):
    payload = record_body(city, maint.order) | {"order_id": maint.order.id}
    op = {"op_id": str(uuid.uuid4()), "type": "maintenance.record", "payload": payload}
    first = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(maint.worker))
    again = client.post("/api/sync/push", json={"ops": [op, op]}, headers=auth(maint.worker))
    assert first.json["results"][0]["status"] == "applied"
    assert [r["status"] for r in again.json["results"]] == ["duplicate", "duplicate"]
    other_op = op | {"op_id": str(uuid.uuid4())}  # the outbox lost its ledger: a new op id, same body
    res = client.post("/api/sync/push", json={"ops": [other_op]}, headers=auth(maint.worker)).json
    assert res["results"][0]["status"] == "duplicate"
    assert db.session.scalar(select(func.count()).select_from(MaintenanceRecord)) == 1


@pytest.mark.parametrize(
    "certificate",
    [
        pytest.param({"verification": "pending"}, id="declared-by-the-company-not-yet-verified"),
        pytest.param({"expires_on": today() - timedelta(days=1)}, id="expired-before-the-visit"),
        pytest.param(None, id="no-certificate"),
    ],
)
def test_a_worker_without_a_verified_certificate_in_force_cannot_record(client, city, maint, certificate):
    if certificate is None:
        worker = f.make_user("maintenance_worker", enterprise=maint.company)
    else:
        worker = certified_worker(maint.company, **certificate)
    db.session.commit()
    res = post_record(client, worker, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 422, res.json
    assert res.json["error"]["code"] == "operator_not_certified"
    assert "电梯作业人员证" in res.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(MaintenanceRecord)) == 0
    assert db.session.get(MaintenanceOrder, maint.order.id).status == "open"


def test_an_uncertified_workers_synced_record_is_refused_and_kept_on_the_phone(client, city, maint):
    worker = certified_worker(maint.company, verification="pending")
    db.session.commit()
    payload = record_body(city, maint.order) | {"order_id": maint.order.id}
    op = {"op_id": str(uuid.uuid4()), "type": "maintenance.record", "payload": payload}
    [result] = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(worker)).json["results"]
    assert result["status"] == "rejected" and result["error"]["code"] == "operator_not_certified"
    assert db.session.scalar(select(func.count()).select_from(MaintenanceRecord)) == 0


def test_the_record_keeps_the_certificate_it_was_accepted_on(client, city, maint):
    [certificate] = db.session.get(User, maint.worker.id).person.certificates
    res = post_record(client, maint.worker, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 201, res.json
    assert res.json["certificate_number"] == certificate.number
    assert res.json["certificate_holder"] == certificate.person.name
    record = db.session.get(MaintenanceRecord, res.json["id"])
    record.certificate_number = "T-LENT-0001"  # rewritten behind the app's back: the chain no longer agrees
    db.session.commit()
    assert not verify_chain(record_checks()).ok


def test_a_visit_on_the_old_certificates_last_day_is_accepted_after_the_renewal_is_verified(
    client, city, maint
):
    """Offline in the shaft on day D with certificate C1; the renewal is verified before the phone syncs."""
    [old] = db.session.get(User, maint.worker.id).person.certificates
    old.superseded_on = today()
    db.session.add(
        Certificate(
            person_id=old.person_id,
            kind="operator",
            number="T-RENEWED",
            issued_on=today() + timedelta(days=1),
            expires_on=today() + timedelta(days=1500),
            verification="verified",
            replaces_id=old.id,
        )
    )
    db.session.commit()
    res = post_record(client, maint.worker, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 201, res.json
    assert res.json["certificate_number"] == old.number


def test_the_company_cannot_lend_a_certified_person_to_another_account_or_rename_them(client, city, maint):
    helper = f.make_person(maint.company)
    db.session.commit()
    relink = client.patch(
        f"/api/users/{maint.worker.id}", json={"person_id": helper.id}, headers=auth(maint.admin)
    )
    assert relink.status_code == 403
    unlink = client.patch(
        f"/api/users/{maint.worker.id}", json={"person_id": None}, headers=auth(maint.admin)
    )
    assert unlink.status_code == 403
    rename = client.patch(
        f"/api/people/{maint.worker.person_id}", json={"name": "另一个人"}, headers=auth(maint.admin)
    )
    assert rename.status_code == 403
    phone = client.patch(
        f"/api/people/{maint.worker.person_id}", json={"phone": "13911112222"}, headers=auth(maint.admin)
    )
    assert phone.status_code == 200
    assert db.session.get(User, maint.worker.id).person_id != helper.id


def test_the_worker_sees_whether_the_server_counts_their_certificate(client, city, maint):
    mine = client.get("/api/maintenance/me/certificate", headers=auth(maint.worker)).json
    assert mine["certified"] is True and mine["verification"] == "verified"
    pending = certified_worker(maint.company, verification="pending")
    none = f.make_user("maintenance_worker", enterprise=maint.company)
    db.session.commit()
    declared = client.get("/api/maintenance/me/certificate", headers=auth(pending)).json
    assert declared["certified"] is False and declared["verification"] == "pending" and declared["number"]
    assert declared["reason"] == "pending"
    missing = client.get("/api/maintenance/me/certificate", headers=auth(none)).json
    assert missing == {
        "certified": False,
        "reason": "missing",
        "number": None,
        "expires_on": None,
        "verification": None,
    }


def test_a_second_different_record_for_the_same_order_is_a_conflict(client, city, maint):
    assert (
        post_record(client, maint.worker, maint.order.id, record_body(city, maint.order)).status_code == 201
    )
    body = record_body(city, maint.order, minutes=50)
    assert post_record(client, maint.worker, maint.order.id, body).status_code == 409


def _recorded(client, city, maint) -> int:
    res = post_record(client, maint.worker, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 201
    return res.json["id"]


def test_the_safety_manager_confirms_and_the_public_page_shows_it(client, city, maint):
    record_id = _recorded(client, city, maint)
    waiting = client.get("/api/maintenance/records?status=awaiting_confirmation", headers=auth(city.manager))
    assert [r["id"] for r in waiting.json["items"]] == [record_id]
    res = client.post(f"/api/maintenance/records/{record_id}/confirm", headers=auth(city.manager))
    assert res.status_code == 200 and res.json["status"] == "confirmed"
    public = client.get(f"/api/qr/{city.dev_a.qr_token}").json["public"]
    done_on = local_day(db.session.get(MaintenanceRecord, record_id).first_scan_at)  # China time
    assert public["last_maintenance"] == {"on": done_on.isoformat(), "kind": "half_month", "confirmed": True}
    assert public["next_maintenance_due"] == (done_on + timedelta(days=15)).isoformat()
    assert "worker" not in str(public) and maint.worker.display_name not in str(public)
    assert (
        client.post(f"/api/maintenance/records/{record_id}/confirm", headers=auth(city.manager)).status_code
        == 409
    )


def test_the_public_page_before_any_maintenance_shows_the_due_date(client, city, maint):
    public = client.get(f"/api/qr/{city.dev_a.qr_token}").json["public"]
    assert public["last_maintenance"] is None
    assert public["next_maintenance_due"] == maint.order.due_on.isoformat()


def test_a_dispute_needs_a_reason_and_tells_the_company_admin(client, city, maint):
    record_id = _recorded(client, city, maint)
    url = f"/api/maintenance/records/{record_id}/dispute"
    assert client.post(url, json={}, headers=auth(city.manager)).status_code == 422
    res = client.post(url, json={"reason": "未见维保人员到场"}, headers=auth(city.manager))
    assert res.status_code == 200 and res.json["status"] == "disputed"
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == maint.admin.id)).all()
    assert "maintenance.disputed" in kinds


def test_a_supervisor_cannot_confirm_another_enterprises_record(client, city, maint):
    record_id = _recorded(client, city, maint)
    res = client.post(f"/api/maintenance/records/{record_id}/confirm", headers=auth(city.supervisor))
    assert res.status_code in (403, 404)
    res = client.post(f"/api/maintenance/records/{record_id}/confirm", headers=auth(city.manager_x))
    assert res.status_code == 404


def test_the_worker_cannot_confirm_their_own_record(client, city, maint):
    record_id = _recorded(client, city, maint)
    res = client.post(f"/api/maintenance/records/{record_id}/confirm", headers=auth(maint.worker))
    assert res.status_code == 403


def test_regulators_read_in_their_zone_only(client, city, maint):
    _recorded(client, city, maint)
    assert len(client.get("/api/maintenance/records", headers=auth(city.inspector)).json["items"]) == 1
    assert client.get("/api/maintenance/records", headers=auth(city.other_inspector)).json["items"] == []
    res = client.get(f"/api/maintenance/orders/{maint.order.id}", headers=auth(city.other_inspector))
    assert res.status_code == 404


def test_trapped_passengers_open_an_urgent_order_and_the_rescue_clock(client, city, maint):
    res = client.post(
        "/api/maintenance/faults",
        json={"device_id": city.dev_a.id, "trapped": True, "description": "3楼困1人"},
        headers=auth(city.manager),
    )
    assert res.status_code == 201
    order = db.session.get(MaintenanceOrder, res.json["id"])
    assert order.kind == "urgent" and order.rescue_limit_minutes == 30
    order.reported_at = order.created_at = utcnow() - timedelta(minutes=50)
    db.session.commit()
    urgent = [n for n in db.session.scalars(select(Notification)) if n.kind == "maintenance.urgent"]
    assert {n.user_id for n in urgent} == {maint.worker.id, maint.admin.id}
    body = record_body(city, order, minutes=20)
    arrived = utcnow() - timedelta(minutes=10)
    body["scans"] = [{"token": city.dev_a.qr_token, "at": arrived.isoformat()}]
    body["released_at"] = (arrived + timedelta(minutes=5)).isoformat()
    assert post_record(client, maint.worker, order.id, body).status_code == 201
    shown = client.get(f"/api/maintenance/orders/{order.id}", headers=auth(city.manager)).json
    assert shown["rescue"] == {"arrival_minutes": 40, "release_minutes": 45, "late": True}


def test_a_fault_on_another_enterprises_elevator_is_404(client, city, maint):
    res = client.post(
        "/api/maintenance/faults", json={"device_id": city.dev_a.id}, headers=auth(city.manager_x)
    )
    assert res.status_code == 404


def test_overdue_orders_tell_the_company_the_using_unit_and_the_zone_inspector(city, maint):
    maint.order.due_on = today() - timedelta(days=2)
    db.session.commit()
    first = maintenance_day(today())
    assert first["notified"] >= 4
    told = set(
        db.session.scalars(select(Notification.user_id).where(Notification.kind == "maintenance.overdue"))
    )
    assert {maint.worker.id, maint.admin.id, city.manager.id, city.inspector.id} <= told
    assert maintenance_day(today())["notified"] == 0


def test_the_company_admin_manages_its_own_workers_only(client, city, maint):
    body = {"username": "worker-new", "display_name": "新维保工", "role": "maintenance_worker"}
    ok = client.post("/api/users", json=body | {"enterprise_id": maint.company.id}, headers=auth(maint.admin))
    assert ok.status_code == 201, ok.json
    other = body | {"username": "worker-x", "enterprise_id": maint.other_company.id}
    assert client.post("/api/users", json=other, headers=auth(maint.admin)).status_code == 422
    manager = body | {"username": "mgr-x", "role": "safety_manager", "enterprise_id": maint.company.id}
    assert client.post("/api/users", json=manager, headers=auth(maint.admin)).status_code == 403
    names = {u["username"] for u in client.get("/api/users", headers=auth(maint.admin)).json["items"]}
    assert "worker-new" in names and maint.other_worker.username not in names
    assert client.get(f"/api/users/{city.manager.id}", headers=auth(maint.admin)).status_code == 404


def test_the_company_admin_enters_its_workers_certificates_for_the_bureau_to_verify(client, city, maint):
    cert = {"kind": "operator", "number": "T-2026-0042", "expires_on": "2030-01-01"} | {
        "photo_sha256": PHOTOS[0]
    }
    url = f"/api/people/{maint.worker.person_id}/certificates"
    res = client.post(url, json=cert, headers=auth(maint.admin))
    assert res.status_code == 201, res.json
    assert res.json["verification"] == "pending"  # the company's word: counts only once a regulator checks it
    other = f"/api/people/{maint.other_worker.person_id}/certificates"
    assert client.post(other, json=cert, headers=auth(maint.admin)).status_code in (403, 404)
    assert client.post(url, json=cert, headers=auth(maint.worker)).status_code == 403
    person = {"name": "新维保工", "phone": "13900000000", "enterprise_id": maint.company.id} | {
        "certificates": [cert]
    }
    added = client.post("/api/people", json=person, headers=auth(maint.admin))
    assert added.status_code == 201, added.json
    stranger = person | {"enterprise_id": city.ent_a.id}
    assert client.post("/api/people", json=stranger, headers=auth(maint.admin)).status_code in (403, 404)


def test_a_worker_cannot_be_placed_in_a_using_unit(client, city):
    body = {"username": "w-bad", "role": "maintenance_worker", "enterprise_id": city.ent_a.id}
    res = client.post("/api/users", json=body, headers=auth(city.admin))
    assert res.status_code == 422 and "enterprise_id" in res.json["error"]["details"]["fields"]


def test_the_bureau_ranks_the_companies(client, city, maint):
    _recorded(client, city, maint)
    res = client.get("/api/maintenance/companies/ranking", headers=auth(city.admin))
    assert res.status_code == 200
    assert {row["company_id"] for row in res.json} == {maint.company.id, maint.other_company.id}
    assert client.get("/api/maintenance/companies/ranking", headers=auth(maint.admin)).status_code == 403


def test_scan_times_are_stored_as_sent(city, maint, client):
    body = record_body(city, maint.order)
    res = post_record(client, maint.worker, maint.order.id, body)
    first = datetime.fromisoformat(res.json["first_scan_at"])
    assert first == datetime.fromisoformat(body["scans"][0]["at"]).astimezone(UTC)


def _complain(client, token: str, category: str = "elevator_trapped"):
    challenge = client.get("/api/public/challenge").json
    pow_ = {
        "challenge": challenge["challenge"],
        "nonce": solve_pow(challenge["challenge"], challenge["difficulty"]),
    }
    body = {"qr_token": token, "category": category, "description": "电梯停在两层之间有人被困", "photos": []}
    return client.post("/api/public/complaints", json=body | {"pow": pow_})


def test_a_passenger_reporting_trapped_people_opens_one_urgent_order(client, city, maint):
    assert _complain(client, city.dev_a.qr_token).status_code == 201
    assert _complain(client, city.dev_a.qr_token).status_code == 201  # a second passenger, same entrapment
    assert _complain(client, city.dev_a.qr_token, category="other").status_code == 201
    urgent = db.session.scalars(select(MaintenanceOrder).where(MaintenanceOrder.kind == "urgent")).all()
    assert len(urgent) == 1 and urgent[0].trapped and urgent[0].company_id == maint.company.id
    assert urgent[0].description.startswith("公众投诉")


def test_a_using_unit_hears_of_its_overdue_elevators_in_one_message(city, maint):
    maint.order.due_on = today() - timedelta(days=2)
    second = MaintenanceOrder(
        device_id=city.dev_b.id,
        enterprise_id=maint.order.enterprise_id,
        company_id=maint.order.company_id,
        zone_id=maint.order.zone_id,
        kind="half_month",
        due_on=today() - timedelta(days=1),
        items=maint.order.items,
    )
    db.session.add(second)
    db.session.commit()
    maintenance_day(today())
    told = db.session.scalars(
        select(Notification).where(
            Notification.kind == "maintenance.overdue", Notification.user_id == city.manager.id
        )
    ).all()
    assert [n.title for n in told] == ["2 台电梯维保超期"]


def _triaged_complaint(device, outcome: str, category: str = "abnormal_operation", n: int = 1) -> None:
    db.session.add(
        Complaint(
            ticket_no=f"TS20260101-{n:04d}",
            day=today() - timedelta(days=1),
            seq=n,
            tracking_hash="0" * 64,
            device_id=device.id,
            enterprise_id=device.enterprise_id,
            category=category,
            description="电梯运行异常，抖动",
            status=outcome,
        )
    )
    db.session.commit()


def test_true_complaints_about_a_maintained_elevator_count_in_the_company_grade(client, city, maint):
    _triaged_complaint(city.dev_a, "substantiated", n=1)
    _triaged_complaint(city.dev_a, "not_substantiated", n=2)
    _triaged_complaint(city.dev_b, "substantiated", n=3)  # not under this company's contract
    assert company_facts(maint.company.id, today()).complaints == 1
    assert company_facts(maint.other_company.id, today()).complaints == 0
    ranking = client.get("/api/maintenance/companies/ranking", headers=auth(city.admin)).json
    row = next(r for r in ranking if r["company_id"] == maint.company.id)
    assert row["complaints_per_100"] == 100.0


def test_the_using_units_fault_reports_count_in_the_company_grade_apart_from_entrapments(client, city, maint):
    before = company_facts(maint.company.id, today())
    statuses = []
    for trapped in (False, False, True):  # the second is the same breakdown reported again
        body = {"device_id": city.dev_a.id, "trapped": trapped, "description": "电梯异响，停梯"}
        res = client.post("/api/maintenance/faults", json=body, headers=auth(city.manager))
        statuses.append(res.status_code)
    assert statuses == [201, 200, 201]
    after = company_facts(maint.company.id, today())
    assert (after.faults, after.entrapments) == (before.faults + 1, before.entrapments + 1)
    assert company_facts(maint.other_company.id, today()).faults == 0
    ranking = client.get("/api/maintenance/companies/ranking", headers=auth(city.admin)).json
    row = next(r for r in ranking if r["company_id"] == maint.company.id)
    assert row["faults_per_100"] == 100.0 and row["entrapments_per_100"] >= 100.0
    clean = next(r for r in ranking if r["company_id"] == maint.other_company.id)
    assert row["score"] < clean["score"]


def test_the_workers_list_puts_call_outs_before_the_round(client, city, maint):
    maint.order.due_on = today() - timedelta(days=3)  # an overdue periodic order, due first
    db.session.commit()
    for trapped in (False, True):
        body = {"device_id": city.dev_a.id, "trapped": trapped, "description": "电梯停梯"}
        assert (
            client.post("/api/maintenance/faults", json=body, headers=auth(city.manager)).status_code == 201
        )
    items = client.get("/api/maintenance/orders?mine=true", headers=auth(maint.worker)).json["items"]
    assert [(o["kind"], o["trapped"]) for o in items] == [
        ("urgent", True),
        ("urgent", False),
        ("half_month", False),
    ]


def test_the_worker_gets_the_label_hashes_of_the_orders_device(client, city, maint):
    [order] = client.get("/api/maintenance/orders?mine=true", headers=auth(maint.worker)).json["items"]
    assert order["label_hashes"] == [label_hash(city.dev_a.qr_token)]
    assert city.dev_a.qr_token not in str(order)


def _contract_id(client, user) -> int:
    [contract] = client.get("/api/maintenance/contracts", headers=auth(user)).json["items"]
    return contract["id"]


def test_the_using_unit_ends_a_contract_and_later_orders_are_cancelled(client, city, maint):
    contract_id = _contract_id(client, city.manager)
    maint.order.due_on = today() + timedelta(days=2)
    db.session.commit()
    res = client.post(f"/api/maintenance/contracts/{contract_id}/end", json={}, headers=auth(city.manager))
    assert res.status_code == 200, res.json
    assert res.json["ends_on"] == today().isoformat() and res.json["state"] == "active"
    db.session.expire_all()
    assert db.session.get(MaintenanceOrder, maint.order.id).status == "cancelled"
    assert city.dev_a.maintenance_company_id is None
    assert client.get("/api/maintenance/orders?mine=true", headers=auth(maint.worker)).json["items"] == []
    assert company_facts(maint.company.id, today() + timedelta(days=5)).orders_due == 0
    again = client.post(
        f"/api/maintenance/contracts/{contract_id}/end",
        json={"ends_on": (today() + timedelta(days=3)).isoformat()},
        headers=auth(city.manager),
    )
    assert again.status_code == 422 and "ends_on" in again.json["error"]["details"]["fields"]


def _new_contract(client, city, company, starts_on, ends_on):
    body = {
        "device_id": city.dev_a.id,
        "company_id": company.id,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
    }
    return client.post("/api/maintenance/contracts", json=body, headers=auth(city.manager))


def test_a_second_company_for_days_already_under_contract_is_refused_naming_the_contract(client, city, maint):
    contract_id = _contract_id(client, city.manager)
    res = _new_contract(
        client, city, maint.other_company, today() + timedelta(days=30), today() + timedelta(days=400)
    )
    assert res.status_code == 409, res.json
    assert res.json["error"]["details"]["contract_id"] == contract_id
    assert "请先终止原合同" in res.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(MaintenanceContract)) == 1


def test_at_a_change_of_company_the_device_names_the_new_company_the_day_its_contract_begins(
    client, city, maint
):
    old = db.session.scalars(select(MaintenanceContract)).one()
    first_day = old.ends_on + timedelta(days=1)
    res = _new_contract(client, city, maint.other_company, first_day, first_day + timedelta(days=365))
    assert res.status_code == 201, res.json
    db.session.expire_all()
    assert city.dev_a.maintenance_company_id == maint.company.id  # the new one has not begun

    assert name_companies_in_force(old.ends_on - timedelta(days=1)) == 0
    assert name_companies_in_force(first_day) == 1
    assert city.dev_a.maintenance_company_id == maint.other_company.id
    assert name_companies_in_force(first_day) == 0  # a second run changes nothing
    [latest, *_] = client.get(f"/api/devices/{city.dev_a.id}/history", headers=auth(city.manager)).json
    assert (latest["field"], latest["after"], latest["reason"]) == (
        "maintenance_company_id",
        maint.other_company.id,
        "维保合同生效",
    )


def test_a_contract_run_out_with_no_successor_takes_the_company_off_the_device(city, maint):
    old = db.session.scalars(select(MaintenanceContract)).one()
    assert maintenance_day(old.ends_on + timedelta(days=1))["renamed"] == 1
    assert city.dev_a.maintenance_company_id is None


def test_the_maintenance_company_cannot_end_its_own_contract(client, city, maint):
    contract_id = _contract_id(client, maint.admin)
    res = client.post(f"/api/maintenance/contracts/{contract_id}/end", json={}, headers=auth(maint.admin))
    assert res.status_code == 403
    other = client.post(
        f"/api/maintenance/contracts/{contract_id}/end", json={}, headers=auth(maint.other_worker)
    )
    assert other.status_code == 404


def test_a_contract_ending_before_it_starts_is_refused_with_a_field_error(client, city, maint):
    device = f.make_device(city.ent_a)
    db.session.commit()
    body = {
        "device_id": device.id,
        "company_id": maint.company.id,
        "starts_on": today().isoformat(),
        "ends_on": (today() - timedelta(days=1)).isoformat(),
    }
    res = client.post("/api/maintenance/contracts", json=body, headers=auth(city.manager))
    assert res.status_code == 422 and "ends_on" in res.json["error"]["details"]["fields"]


def test_the_using_unit_can_pick_any_maintenance_company_for_a_contract(client, city, maint):
    res = client.get("/api/maintenance/companies", headers=auth(city.manager))
    assert res.status_code == 200
    assert {c["id"] for c in res.json} == {maint.company.id, maint.other_company.id}
    assert set(res.json[0]) == {"id", "name"}


# --- 困人: the rescue on the record ----------------------------------------------------------


def _trapped_order(client, city, reported_minutes_ago: int) -> MaintenanceOrder:
    res = client.post(
        "/api/maintenance/faults",
        json={"device_id": city.dev_a.id, "trapped": True, "description": "2楼困2人"},
        headers=auth(city.manager),
    )
    assert res.status_code == 201, res.json
    order = db.session.get(MaintenanceOrder, res.json["id"])
    order.reported_at = order.created_at = utcnow() - timedelta(minutes=reported_minutes_ago)
    db.session.commit()
    return order


def _record_trapped(client, city, maint, order, arrived_minutes_ago: int, released_after: int | None):
    body = record_body(city, order)
    arrived = utcnow() - timedelta(minutes=arrived_minutes_ago)
    body["scans"] = [{"token": city.dev_a.qr_token, "at": arrived.isoformat()}]
    if released_after is not None:
        body["released_at"] = (arrived + timedelta(minutes=released_after)).isoformat()
    res = post_record(client, maint.worker, order.id, body)
    assert res.status_code == 201, res.json
    return res.json


def test_the_record_of_a_rescue_within_the_limit_shows_arrival_and_release_minutes(client, city, maint):
    order = _trapped_order(client, city, reported_minutes_ago=40)
    created = _record_trapped(client, city, maint, order, arrived_minutes_ago=22, released_after=6)
    shown = client.get(f"/api/maintenance/records/{created['id']}", headers=auth(city.manager)).json
    assert shown["trapped"] is True
    assert shown["rescue_limit_minutes"] == 30
    assert shown["reported_at"].startswith(order.reported_at.isoformat()[:16])
    assert shown["released_at"] is not None
    assert shown["rescue"] == {"arrival_minutes": 18, "release_minutes": 24, "late": False}


def test_a_late_arrival_is_flagged_on_the_record(client, city, maint):
    order = _trapped_order(client, city, reported_minutes_ago=50)
    created = _record_trapped(client, city, maint, order, arrived_minutes_ago=10, released_after=5)
    assert created["rescue"] == {"arrival_minutes": 40, "release_minutes": 45, "late": True}


def test_a_periodic_record_has_no_rescue(client, city, maint):
    res = post_record(client, maint.worker, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 201, res.json
    assert res.json["trapped"] is False
    assert res.json["reported_at"] is None
    assert res.json["rescue"] is None


def test_a_release_before_arrival_or_in_the_future_is_refused_on_the_field(client, city, maint):
    order = _trapped_order(client, city, reported_minutes_ago=40)
    body = record_body(city, order)
    arrived = utcnow() - timedelta(minutes=20)
    body["scans"] = [{"token": city.dev_a.qr_token, "at": arrived.isoformat()}]
    body["released_at"] = (arrived - timedelta(seconds=30)).isoformat()
    res = post_record(client, maint.worker, order.id, body)
    assert res.status_code == 422
    assert "released_at" in res.json["error"]["details"]["fields"]
    body["released_at"] = (utcnow() + timedelta(hours=1)).isoformat()
    res = post_record(client, maint.worker, order.id, body)
    assert res.status_code == 422
    assert "当前时间" in res.json["error"]["details"]["fields"]["released_at"][0]
    assert db.session.scalar(select(func.count()).select_from(MaintenanceRecord)) == 0


def test_a_rescue_the_using_unit_disputes_counts_as_late(client, city, maint):
    """The arrival time is the company's phone's word; the using unit, which saw the rescue, can deny it."""
    order = _trapped_order(client, city, reported_minutes_ago=40)
    created = _record_trapped(client, city, maint, order, arrived_minutes_ago=30, released_after=5)
    assert created["rescue"]["late"] is False
    assert company_facts(maint.company.id, today()).late_rescues == 0
    url = f"/api/maintenance/records/{created['id']}/dispute"
    res = client.post(url, json={"reason": "维保人员50分钟后才到"}, headers=auth(city.manager))
    assert res.status_code == 200
    assert company_facts(maint.company.id, today()).late_rescues == 1
