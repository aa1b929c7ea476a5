"""The scheduled jobs beyond the daily reminders, on the demo city: inspectors told of their plan
items and the monthly report, the bureau of zones that did not report by the 25th; the month's
figures frozen for those zones; mutual-check rounds opened each quarter; old events pruned."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.core.clock import today, utcnow
from backend.core.events import Event, prune_handled
from backend.demo import load_demo
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.inspections.models import MutualCheckCycle
from backend.jobs.runner import run_due
from backend.notifications.models import Notification
from backend.reports.models import MonthlyFiguresFreeze
from backend.reports.rules import month_due
from backend.reports.submissions import freeze_unsubmitted
from tests.conftest import auth

#: the 26th of this month: last month's report is past due
PAST_DUE = today().replace(day=26)
LAST_MONTH = month_due(PAST_DUE)


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _inspector_of(zone_id: int) -> User:
    return db.session.scalars(
        select(User).where(User.role == "inspector", User.zone_id == zone_id).order_by(User.id).limit(1)
    ).one()


def _inbox(client, user: User) -> list[dict]:
    response = client.get("/api/notifications?per_page=100", headers=auth(user))
    assert response.status_code == 200, response.json
    return response.json["items"]


def _kinds(client, user: User) -> set[str]:
    return {n["kind"] for n in _inbox(client, user)}


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


@pytest.fixture
def on_the_26th(monkeypatch):
    monkeypatch.setattr("backend.jobs.runner.today", lambda: PAST_DUE)
    monkeypatch.setattr("backend.reports.submissions.today", lambda: PAST_DUE)


def _published_plan(client, inspector: User) -> dict:
    body = {
        "zone_id": inspector.zone_id,
        "period_start": today().isoformat(),
        "period_end": (today() + timedelta(days=60)).isoformat(),
        "size": 10,
        "per_item": 2,
    }
    plan = client.post("/api/plans", json=body, headers=auth(inspector))
    assert plan.status_code == 201, plan.json
    published = client.post(f"/api/plans/{plan.json['id']}/publish", json={}, headers=auth(inspector))
    assert published.status_code == 200, published.json
    return published.json


def _submit_report(client, inspector: User) -> None:
    body = {
        "zone_id": inspector.zone_id,
        "month": LAST_MONTH,
        "summary": "本月工作正常开展",
        "problems": "部分企业自查不及时",
        "next_steps": "加强督促",
    }
    response = client.post("/api/reports/monthly/submit", json=body, headers=auth(inspector))
    assert response.status_code == 201, response.json


def test_on_the_26th_inspectors_and_the_bureau_are_told_and_a_second_run_adds_nothing(
    client, demo, on_the_26th
):
    zone1, zone2, admin = _inspector_of(1), _inspector_of(2), _user("admin")
    plan = _published_plan(client, zone1)
    _submit_report(client, zone1)

    results = run_due()
    assert {r.outcome for r in results} == {"ok"}, results

    assert "plan.assigned" in _kinds(client, zone1)
    drawn = {i for item in plan["items"] for i in item["inspector_ids"]}
    for inspector_id in drawn:
        links = [
            n["link"]
            for n in _inbox(client, db.session.get(User, inspector_id))
            if n["kind"] == "plan.assigned"
        ]
        assert links and set(links) == {f"/plans/{plan['id']}"}
    assert "report.overdue" not in _kinds(client, zone1)  # zone 1 submitted
    overdue = [n for n in _inbox(client, zone2) if n["kind"] == "report.overdue"]
    assert len(overdue) == 1 and LAST_MONTH in overdue[0]["title"] and overdue[0]["urgent"]
    [missing] = [n for n in _inbox(client, admin) if n["kind"] == "report.missing"]
    zone_names = missing["body"].removeprefix("未报送：").split("、")
    assert missing["urgent"] and missing["title"].startswith(f"{len(zone_names)} 个辖区")
    assert zone2.zone.name in zone_names and zone1.zone.name not in zone_names

    # the month's figures: frozen for the zones that never submitted, not for zone 1
    frozen = set(
        db.session.scalars(
            select(MonthlyFiguresFreeze.zone_id).where(MonthlyFiguresFreeze.month == LAST_MONTH)
        )
    )
    assert zone2.zone_id in frozen and zone1.zone_id not in frozen

    total = db.session.scalar(select(func.count()).select_from(Notification))
    again = run_due(now=utcnow() + timedelta(hours=2))
    assert {r.job for r in again} >= {"reminders"}
    assert freeze_unsubmitted(PAST_DUE) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == total


def test_an_auto_frozen_month_never_moves_and_a_late_report_carries_its_figures(client, demo, on_the_26th):
    inspector = _inspector_of(2)
    assert freeze_unsubmitted(PAST_DUE) >= 1
    db.session.commit()
    url = f"/api/reports/monthly?month={LAST_MONTH}&zone_id={inspector.zone_id}"
    before = client.get(url, headers=auth(inspector)).json
    assert before["frozen"] is True and before["auto_frozen"] is True
    # a closure back-dated into that month, recorded only now, does not change the frozen month
    hazard = db.session.scalars(
        select(Hazard).where(Hazard.zone_id == inspector.zone_id, Hazard.closed_at.is_(None)).limit(1)
    ).one()
    hazard.closed_at = datetime.combine(date.fromisoformat(f"{LAST_MONTH}-15"), time(), UTC)
    db.session.commit()
    after = client.get(url, headers=auth(inspector)).json
    assert after["hazards"] == before["hazards"]
    _submit_report(client, inspector)
    submitted = client.get(url, headers=auth(inspector)).json
    assert submitted["submission"]["late"] is True and submitted["auto_frozen"] is False
    assert submitted["hazards"] == before["hazards"]
    listing = client.get(
        f"/api/reports/monthly/submissions?month={LAST_MONTH}", headers=auth(_user("admin"))
    ).json
    zones = {z["zone_id"]: z for z in listing["zones"]}
    assert zones[inspector.zone_id]["auto_frozen"] is False
    assert any(z["auto_frozen"] for z in listing["zones"])


def test_nothing_is_frozen_before_the_due_day_passes(demo):
    assert freeze_unsubmitted(PAST_DUE.replace(day=25)) == 0


def test_each_zone_with_blocks_gets_the_quarters_mutual_check_round_once(client, demo):
    before = {c.zone_id for c in db.session.scalars(select(MutualCheckCycle))}
    [result] = [r for r in run_due() if r.job == "mutual_cycles"]
    opened = db.session.scalars(select(MutualCheckCycle).where(MutualCheckCycle.zone_id.not_in(before))).all()
    assert result.counts == {"opened": len(opened)} and len(opened) >= 1
    assert all("季度区块互查" in c.name and c.due_on.month in (3, 6, 9, 12) for c in opened)
    supervisors = {a.supervisor_id for c in opened for a in c.assignments if a.supervisor_id}
    # the new rounds' supervisors are told at the next reminder run
    run_due(now=utcnow() + timedelta(hours=2))
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "assignment.new")).all()
    assert supervisors <= set(told)
    again = run_due(now=utcnow() + timedelta(days=1, hours=2))
    assert [r.counts for r in again if r.job == "mutual_cycles"] == [{"opened": 0}]


def test_pruning_keeps_pending_and_recent_events(app):
    old = utcnow() - timedelta(days=40)
    db.session.add_all(
        [
            Event(kind="hazard.report", payload={}, created_at=old, done_at=old, attempts=1),
            Event(kind="hazard.report", payload={}, created_at=old, done_at=None, attempts=3),
            Event(kind="hazard.report", payload={}, created_at=utcnow(), done_at=utcnow(), attempts=1),
        ]
    )
    db.session.commit()
    [result] = [r for r in run_due() if r.job == "prune_events"]
    assert result.counts == {"pruned": 1}
    left = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert [(e.done_at is None) for e in left] == [True, False]
    assert prune_handled(utcnow() - timedelta(days=30)) == 0
