"""Who may assert what (issue 18): the graded party never sets what it is graded on, and
no single competitor moves a peer's grade; every device change is kept in its history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.core.clock import today, utcnow
from backend.core.images import sha256_hex
from backend.credit.models import CreditGrade
from backend.credit.recompute import recompute_grades
from backend.extensions import db
from backend.inspections.models import ChecklistTemplate
from backend.inspections.services import install_default_templates
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


BEFORE = sha256_hex(b"worn brake")
AFTER = sha256_hex(b"new brake")


@pytest.fixture
def graded(city):
    """ent_a graded on a clean record, with a safety manager: grade A."""
    f.make_person(city.ent_a, ("safety_manager", None))
    recompute_grades(today())
    db.session.commit()
    return city


def _grade(enterprise_id: int) -> tuple[str, float]:
    db.session.expire_all()
    grade = db.session.get(CreditGrade, enterprise_id)
    assert grade is not None
    return grade.grade, grade.score


def _hazard_body(device, **overrides) -> dict:
    return {
        "id": f.new_id(),
        "device_id": device.id,
        "category": "电梯",
        "severity": "major",
        "description": "制动器失效",
        "source": "inspection",
    } | overrides


def _push(client, user, payloads: list[dict]) -> list[dict]:
    ops = [{"op_id": f.new_id(), "type": "hazard.create", "payload": p} for p in payloads]
    response = client.post("/api/sync/push", json={"ops": ops}, headers=auth(user))
    assert response.status_code == 200, response.json
    return response.json["results"]


# --- hazards: source, assignment, confirmation ----------------------------------------------


def test_supervisor_pushing_six_major_inspection_hazards_on_an_unassigned_peer_leaves_its_grade(
    client, graded
):
    city = graded
    before = _grade(city.ent_a.id)
    results = _push(client, city.supervisor, [_hazard_body(city.dev_a) for _ in range(6)])
    assert {r["status"] for r in results} == {"rejected"}, results
    assert {r["error"]["code"] for r in results} == {"assignment_required"}
    assert client.get("/api/hazards", headers=auth(city.inspector)).json["total"] == 0
    assert _grade(city.ent_a.id) == before


def test_an_assigned_supervisors_finding_counts_in_the_peers_grade_only_after_a_regulator_confirms(
    client, graded
):
    city = graded
    f.assign_mutual_check(city.supervisor, city.ent_a)
    db.session.commit()
    before = _grade(city.ent_a.id)
    response = client.post("/api/hazards", json=_hazard_body(city.dev_a), headers=auth(city.supervisor))
    assert response.status_code == 201, response.json
    hazard = response.json
    assert (hazard["source"], hazard["confirmed"]) == ("mutual_check", False)
    assert _grade(city.ent_a.id) == before

    url = f"/api/hazards/{hazard['id']}/confirm"
    assert client.post(url, headers=auth(city.manager)).status_code == 403
    assert client.post(url, headers=auth(city.supervisor)).status_code == 403
    confirmed = client.post(url, headers=auth(city.inspector))
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["confirmed"] is True
    assert confirmed.json["events"][-1]["action"] == "confirm"
    assert _grade(city.ent_a.id)[1] > before[1]


def test_a_supervisor_needs_a_current_assignment_not_an_old_one(client, city):
    f.assign_mutual_check(
        city.supervisor,
        city.ent_a,
        starts_on=today() - timedelta(days=120),
        due_on=today() - timedelta(days=90),
    )
    db.session.commit()
    response = client.post("/api/hazards", json=_hazard_body(city.dev_a), headers=auth(city.supervisor))
    assert (response.status_code, response.json["error"]["code"]) == (403, "assignment_required")


@pytest.mark.parametrize(
    ("reporter", "device", "sent", "decided"),
    [
        ("manager", "dev_a", "inspection", "self_check"),
        ("manager", "dev_a", "complaint", "self_check"),
        ("supervisor", "dev_b", "mutual_check", "self_check"),
        ("inspector", "dev_a", "self_check", "inspection"),
    ],
)
def test_the_server_decides_a_hazards_source_from_who_reports_where(
    client, city, reporter, device, sent, decided
):
    body = _hazard_body(getattr(city, device), source=sent, severity="general")
    response = client.post("/api/hazards", json=body, headers=auth(getattr(city, reporter)))
    assert response.status_code == 201, response.json
    assert (response.json["source"], response.json["confirmed"]) == (decided, True)


def test_a_safety_managers_self_reported_hazard_moves_the_grade_at_once(client, graded):
    city = graded
    before = _grade(city.ent_a.id)
    body = _hazard_body(city.dev_a, source="self_check")
    assert client.post("/api/hazards", json=body, headers=auth(city.manager)).status_code == 201
    assert _grade(city.ent_a.id)[1] > before[1]


# --- hazards: deadline ---------------------------------------------------------------------------


def test_a_self_reported_deadline_beyond_the_bureaus_days_is_422(client, city):
    for deadline in ("9999-12-31", (today() + timedelta(days=31)).isoformat()):
        body = _hazard_body(city.dev_a, deadline=deadline)
        response = client.post("/api/hazards", json=body, headers=auth(city.manager))
        assert response.status_code == 422, deadline
        assert "deadline" in response.json["error"]["details"]["fields"]
    longest = _hazard_body(city.dev_a, deadline=(today() + timedelta(days=30)).isoformat())
    assert client.post("/api/hazards", json=longest, headers=auth(city.manager)).status_code == 201


def test_a_regulator_may_set_a_longer_deadline(client, city):
    deadline = (today() + timedelta(days=90)).isoformat()
    body = _hazard_body(city.dev_a, deadline=deadline)
    response = client.post("/api/hazards", json=body, headers=auth(city.inspector))
    assert (response.status_code, response.json["deadline"]) == (201, deadline)


# --- hazards: rectification evidence and who verifies -----------------------------------------


def _step(client, user, hazard_id: str, action: str, photos: list[str] | None = None):
    body = {"id": f.new_id(), "action": action, "photos": photos or []}
    return client.post(f"/api/hazards/{hazard_id}/transitions", json=body, headers=auth(user))


def _reported(client, city, reporter, severity: str = "major") -> str:
    f.make_photo(BEFORE)
    db.session.commit()
    body = _hazard_body(city.dev_a, severity=severity, photos=[BEFORE])
    response = client.post("/api/hazards", json=body, headers=auth(reporter))
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_the_hazards_own_before_photo_is_not_an_after_photo(client, city):
    hazard_id = _reported(client, city, city.inspector)
    response = _step(client, city.manager, hazard_id, "submit_rectification", [BEFORE])
    assert response.status_code == 422
    assert "photos" in response.json["error"]["details"]["fields"]
    assert client.get(f"/api/hazards/{hazard_id}", headers=auth(city.manager)).json["status"] == "reported"


def test_an_after_photo_never_uploaded_is_422(client, city):
    hazard_id = _reported(client, city, city.inspector)
    response = _step(client, city.manager, hazard_id, "submit_rectification", [sha256_hex(b"never sent")])
    assert response.status_code == 422
    assert "photos" in response.json["error"]["details"]["fields"]


def test_an_after_photo_uploaded_through_the_photo_api_is_accepted(client, city):
    hazard_id = _reported(client, city, city.inspector)
    image = f.image_bytes((20, 160, 40))
    sha = sha256_hex(image)
    uploaded = client.put(
        f"/api/photos/{sha}", data=image, headers=auth(city.manager) | {"Content-Type": "image/jpeg"}
    )
    assert uploaded.status_code in (200, 201), uploaded.json
    response = _step(client, city.manager, hazard_id, "submit_rectification", [sha])
    assert response.status_code == 200, response.json


def test_the_inspector_who_rectified_a_major_hazard_may_not_verify_it(client, city):
    hazard_id = _reported(client, city, city.inspector)
    f.make_photo(AFTER)
    db.session.commit()
    assert _step(client, city.inspector, hazard_id, "submit_rectification", [AFTER]).status_code == 200
    hazard = client.get(f"/api/hazards/{hazard_id}", headers=auth(city.inspector)).json
    assert "verify" not in hazard["allowed_actions"]
    response = _step(client, city.inspector, hazard_id, "verify")
    assert (response.status_code, response.json["error"]["code"]) == (403, "verifier_is_rectifier")
    assert _step(client, city.admin, hazard_id, "verify").status_code == 200


def test_the_reporting_inspector_verifies_what_the_enterprise_rectified(client, city):
    hazard_id = _reported(client, city, city.inspector)
    f.make_photo(AFTER)
    db.session.commit()
    assert _step(client, city.manager, hazard_id, "submit_rectification", [AFTER]).status_code == 200
    assert _step(client, city.inspector, hazard_id, "verify").status_code == 200


# --- devices: regulated fields and history --------------------------------------------------------


def _patch(client, user, device, **body):
    return client.patch(f"/api/devices/{device.id}", json=body, headers=auth(user))


@pytest.mark.parametrize("field", ["next_inspection_due", "last_inspection_on"])
def test_a_safety_manager_may_not_patch_inspection_dates(client, city, field):
    city.dev_a.next_inspection_due = today() - timedelta(days=10)
    db.session.commit()
    response = _patch(client, city.manager, city.dev_a, **{field: "2036-01-01"})
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")
    device = client.get(f"/api/devices/{city.dev_a.id}", headers=auth(city.manager)).json
    assert device["inspection_state"] == "overdue"
    assert client.get(f"/api/devices/{city.dev_a.id}/history", headers=auth(city.inspector)).json == []


@pytest.mark.parametrize(
    ("field", "value", "label"), [("key_monitored", True, "重点监控"), ("status", "scrapped", "设备状态")]
)
def test_a_safety_manager_may_not_change_key_monitoring_or_status(client, city, field, value, label):
    response = _patch(client, city.manager, city.dev_a, **{field: value})
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")
    assert label in response.json["error"]["message"]


def test_a_safety_manager_may_resend_unchanged_regulated_values_with_a_contact_change(client, city):
    response = _patch(
        client, city.manager, city.dev_a, status="in_use", key_monitored=False, emergency_phone="021-12345678"
    )
    assert response.status_code == 200, response.json
    assert response.json["emergency_phone"] == "021-12345678"


def test_a_regulator_may_correct_inspection_dates_and_status(client, city):
    response = _patch(client, city.inspector, city.dev_a, next_inspection_due="2027-06-30", status="idle")
    assert response.status_code == 200, response.json
    assert (response.json["next_inspection_due"], response.json["status"]) == ("2027-06-30", "idle")


def test_every_device_change_is_in_its_history_newest_first(client, city):
    was = city.dev_a.location
    assert _patch(client, city.manager, city.dev_a, location="二号楼", reason="搬迁").status_code == 200
    due = date(2027, 6, 30)
    assert _patch(client, city.inspector, city.dev_a, next_inspection_due=due.isoformat()).status_code == 200
    response = client.get(f"/api/devices/{city.dev_a.id}/history", headers=auth(city.manager))
    assert response.status_code == 200
    newest, oldest = response.json
    assert (newest["field"], newest["after"], newest["actor"]) == (
        "next_inspection_due",
        due.isoformat(),
        city.inspector.username,
    )
    assert (oldest["field"], oldest["before"], oldest["after"], oldest["reason"]) == (
        "location",
        was,
        "二号楼",
        "搬迁",
    )
    assert oldest["actor"] == city.manager.username and oldest["at"] <= newest["at"]


def test_a_device_label_reissue_is_in_its_history_without_the_token(client, city):
    old = city.dev_a.qr_token
    response = client.post(
        f"/api/devices/{city.dev_a.id}/qr-token", json={"reason": "标签损坏"}, headers=auth(city.manager)
    )
    assert response.status_code == 200
    [entry] = client.get(f"/api/devices/{city.dev_a.id}/history", headers=auth(city.manager)).json
    assert (entry["field"], entry["before"], entry["reason"]) == ("qr_token", old[:4], "标签损坏")
    assert response.json["qr_token"] not in str(entry)


def test_device_history_out_of_scope_is_404(client, city):
    response = client.get(f"/api/devices/{city.dev_a.id}/history", headers=auth(city.manager_x))
    assert response.status_code == 404


# --- self-checks: back-dating and the grace window ------------------------------------------------


@pytest.fixture
def elevator_template(city) -> ChecklistTemplate:
    install_default_templates()
    db.session.commit()
    return db.session.query(ChecklistTemplate).filter_by(code="device_elevator").one()


def _daily(client, city, template, performed_on: date):
    body = {
        "id": f.new_id(),
        "kind": "self_check",
        "subkind": "daily",
        "template_id": template.id,
        "device_id": city.dev_a.id,
        "performed_on": performed_on.isoformat(),
        "items": [{"code": c, "result": "pass"} for c in template.item_codes],
    }
    return client.post("/api/checks", json=body, headers=auth(city.manager))


@pytest.mark.parametrize("performed_on", [date(1990, 1, 1), today() + timedelta(days=1)])
def test_a_self_check_dated_1990_or_in_the_future_is_422(client, city, elevator_template, performed_on):
    response = _daily(client, city, elevator_template, performed_on)
    assert response.status_code == 422
    assert "performed_on" in response.json["error"]["details"]["fields"]


def test_a_daily_check_after_the_grace_window_is_recorded_late_and_the_day_stays_missed(
    client, city, elevator_template
):
    city.dev_a.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    late_day, in_grace = today() - timedelta(days=5), today() - timedelta(days=2)
    late = _daily(client, city, elevator_template, late_day)
    assert (late.status_code, late.json["late"]) == (201, True)
    on_time = _daily(client, city, elevator_template, in_grace)
    assert (on_time.status_code, on_time.json["late"]) == (201, False)
    status = client.get("/api/self-checks/status", headers=auth(city.inspector)).json
    row = next(r for r in status["enterprises"] if r["enterprise_id"] == city.ent_a.id)
    device = next(d for d in row["daily"]["devices"] if d["device_id"] == city.dev_a.id)
    assert late_day.isoformat() in device["missed"]
    assert in_grace.isoformat() not in device["missed"]


def test_a_late_weekly_check_keeps_its_week_missed(client, city, elevator_template):
    install_default_templates()
    template = db.session.query(ChecklistTemplate).filter_by(code="weekly_investigation").one()
    city.ent_a.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    last_week = today() - timedelta(days=today().weekday() + 14)  # Monday two weeks back: past 7 days' grace
    body = {
        "id": f.new_id(),
        "kind": "self_check",
        "subkind": "weekly",
        "template_id": template.id,
        "performed_on": last_week.isoformat(),
        "items": [{"code": c, "result": "pass"} for c in template.item_codes],
    }
    response = client.post("/api/checks", json=body, headers=auth(city.manager))
    assert (response.status_code, response.json["late"]) == (201, True)
    [row] = client.get("/api/self-checks/status", headers=auth(city.manager)).json["enterprises"]
    assert last_week.isoformat() in [p["start"] for p in row["weekly"]["missed"]]
