"""GET /api/work-queue: an inspector's open work across domains, most urgent first, in their zone only."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from backend.complaints.models import Complaint
from backend.core.clock import today, utcnow
from backend.extensions import db
from backend.hazards.models import HazardEvent
from backend.notices.models import Notice
from backend.plans.models import InspectionPlan, PlanItem
from tests import factories as f
from tests.conftest import auth

_seq = count(1)


def _submitted_hazard(enterprise, reporter, days_ago: int, **overrides):
    hazard = f.make_hazard(enterprise, reporter, status="rectification_submitted", **overrides)
    db.session.add(
        HazardEvent(
            id=f.new_id(),
            hazard_id=hazard.id,
            action="submit_rectification",
            from_status="rectifying",
            to_status="rectification_submitted",
            actor_id=reporter.id,
            at=utcnow() - timedelta(days=days_ago),
        )
    )
    return hazard


def _complaint(device, days_ago: int, status: str = "received") -> Complaint:
    n = next(_seq)
    complaint = Complaint(
        ticket_no=f"TS20260101-{n:04d}",
        day=today() - timedelta(days=days_ago),
        seq=n,
        tracking_hash="0" * 64,
        device_id=device.id,
        enterprise_id=device.enterprise_id,
        category="elevator_trapped",
        description="电梯困人",
        status=status,
    )
    db.session.add(complaint)
    return complaint


def _notice(enterprise, issuer, deadline_days: int, state: str = "issued") -> Notice:
    n = next(_seq)
    notice = Notice(
        number=f"特监〔2026〕整改第{n:04d}号",
        seq=n,
        kind="rectification",
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        issued_by_id=issuer.id,
        issued_on=today() - timedelta(days=30),
        deadline=today() + timedelta(days=deadline_days),
        state=state,
    )
    db.session.add(notice)
    return notice


def _plan(zone, creator, enterprise, inspector_ids: list[int], ends_in: int) -> InspectionPlan:
    plan = InspectionPlan(
        zone_id=zone.id,
        title="季度双随机计划",
        period_start=today() - timedelta(days=10),
        period_end=today() + timedelta(days=ends_in),
        size=1,
        quota_total=1,
        seed=1,
        candidates_digest="0" * 64,
        created_by_id=creator.id,
        status="published",
    )
    plan.items = [
        PlanItem(enterprise_id=enterprise.id, grade="C", inspector_ids=",".join(map(str, inspector_ids)))
    ]
    db.session.add(plan)
    return plan


def _queue(client, user) -> dict:
    response = client.get("/api/work-queue", headers=auth(user))
    assert response.status_code == 200, response.json
    return response.json


def test_queue_puts_overdue_work_first_then_waiting_oldest_first_then_upcoming(client, city):
    plan = _plan(city.zone, city.admin, city.ent_c, [city.inspector.id], ends_in=20)
    recent = _submitted_hazard(city.ent_a, city.manager, days_ago=1)
    old_complaint = _complaint(city.dev_b, days_ago=4)
    overdue = _notice(city.ent_a, city.inspector, deadline_days=-2)
    major = _submitted_hazard(city.ent_b, city.supervisor, days_ago=4, severity="major")
    db.session.commit()

    items = _queue(client, city.inspector)["items"]

    assert [(i["kind"], i["link"]) for i in items] == [
        ("notice_overdue", f"/notices/{overdue.id}"),
        ("hazard_verification", f"/hazards/{major.id}"),
        ("complaint_triage", f"/complaints/{old_complaint.id}"),
        ("hazard_verification", f"/hazards/{recent.id}"),
        ("plan_item", f"/plans/{plan.id}"),
    ]
    assert [i["urgency"] for i in items] == ["overdue", "waiting", "waiting", "waiting", "upcoming"]
    assert items[0]["due_on"] == str(overdue.deadline)
    assert items[1]["major"] is True
    assert items[1]["subtitle"] == city.ent_b.name


def test_queue_leaves_out_work_already_done(client, city):
    f.make_hazard(city.ent_a, city.manager, status="verified_closed")
    f.make_hazard(city.ent_a, city.manager, status="rectifying")
    _complaint(city.dev_a, days_ago=3, status="substantiated")
    _notice(city.ent_a, city.inspector, deadline_days=-2, state="replied")
    _notice(city.ent_a, city.inspector, deadline_days=5)
    _plan(city.zone, city.admin, city.ent_c, [city.other_inspector.id], ends_in=5)
    db.session.commit()

    queue = _queue(client, city.inspector)

    assert queue["items"] == []
    assert queue["total"] == 0


def test_another_zones_work_never_appears(client, city):
    _submitted_hazard(city.ent_x, city.manager_x, days_ago=2)
    _complaint(city.dev_x, days_ago=2)
    _notice(city.ent_x, city.other_inspector, deadline_days=-1)
    _plan(city.other_zone, city.admin, city.ent_x, [city.inspector.id], ends_in=3)
    city.dev_x.created_at = utcnow() - timedelta(days=5)
    db.session.commit()

    mine = _queue(client, city.inspector)
    theirs = _queue(client, city.other_inspector)

    assert mine["items"] == []
    assert {i["kind"] for i in theirs["items"]} >= {
        "hazard_verification",
        "complaint_triage",
        "notice_overdue",
    }
    assert all(city.ent_x.name in (i["title"], i["subtitle"]) for i in theirs["items"])


def test_missed_self_checks_in_the_zone_are_overdue_with_counts(client, city):
    city.dev_c.created_at = utcnow() - timedelta(days=3)
    db.session.commit()

    items = _queue(client, city.inspector)["items"]

    missed = [i for i in items if i["kind"] == "missed_self_check"]
    assert [i["link"] for i in missed] == [f"/enterprises/{city.ent_c.id}"]
    assert missed[0]["urgency"] == "overdue"
    assert missed[0]["missed"]["daily"] >= 2


def test_plan_items_past_their_period_are_overdue(client, city):
    plan = _plan(city.zone, city.admin, city.ent_a, [city.inspector.id], ends_in=-1)
    db.session.commit()

    (item,) = _queue(client, city.inspector)["items"]

    assert (item["kind"], item["urgency"], item["link"]) == ("plan_item", "overdue", f"/plans/{plan.id}")


def test_enterprise_users_get_403(client, city):
    for user in (city.manager, city.supervisor):
        response = client.get("/api/work-queue", headers=auth(user))
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden_role"


def test_signed_out_is_401(client):
    assert client.get("/api/work-queue").status_code == 401
