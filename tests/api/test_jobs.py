"""Scheduled jobs on the demo city: each role's inbox after `jobs run-due`, nothing twice,
one run per due job however many runners race, failures recorded and retried."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.complaints.models import Complaint
from backend.core.clock import today, utcnow
from backend.demo import load_demo
from backend.devices.models import Device
from backend.extensions import db
from backend.inspections.models import Check
from backend.jobs.definitions import Job
from backend.jobs.models import JobLease, JobRun
from backend.jobs.runner import claim, run_due
from backend.notices.models import Notice, NoticeHazard
from backend.notifications.models import Notification
from tests import factories as f
from tests.conftest import auth

from apscheduler.triggers.cron import CronTrigger  # isort: skip

EVERY_MINUTE = CronTrigger(minute="*")


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _inbox(client, user: User) -> dict:
    response = client.get("/api/notifications?per_page=100", headers=auth(user))
    assert response.status_code == 200, response.json
    return response.json


def _kinds(client, user: User) -> set[str]:
    return {n["kind"] for n in _inbox(client, user)["items"]}


def _report(client, user: User, device: Device) -> str:
    body = {"id": f.new_id(), "device_id": device.id, "category": "电梯", "severity": "general"}
    response = client.post(
        "/api/hazards", json=body | {"description": "层门锁紧元件磨损"}, headers=auth(user)
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def _step(client, user: User, hazard_id: str, action: str, **body) -> None:
    payload = {"id": f.new_id(), "action": action, "note": "处理"} | body
    response = client.post(f"/api/hazards/{hazard_id}/transitions", json=payload, headers=auth(user))
    assert response.status_code == 200, response.json


def _submitted(client, inspector: User, manager: User, device: Device) -> str:
    hazard_id = _report(client, inspector, device)
    _step(client, manager, hazard_id, "start_rectification")
    after_photo = f.make_photo("ab" * 32, manager)
    db.session.commit()
    _step(client, manager, hazard_id, "submit_rectification", photos=[after_photo])
    return hazard_id


def _idle_device_in_use_for_ten_days(enterprise_id: int) -> Device:
    yesterday = today() - timedelta(days=1)
    checked = select(Check.device_id).where(Check.performed_on == yesterday, Check.device_id.isnot(None))
    device = db.session.scalars(
        select(Device).where(Device.enterprise_id == enterprise_id, Device.id.not_in(checked)).limit(1)
    ).one()
    device.status = "in_use"
    device.created_at = utcnow() - timedelta(days=10)
    return device


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


def test_each_role_is_told_what_the_issue_lists_and_a_second_run_adds_nothing(client, demo):
    manager, supervisor, admin = _user("manager1"), _user("supervisor1"), _user("admin")
    enterprise = manager.enterprise
    assert enterprise is not None
    inspector = db.session.scalars(
        select(User).where(User.role == "inspector", User.zone_id == enterprise.zone_id).limit(1)
    ).one()
    device = _idle_device_in_use_for_ten_days(enterprise.id)
    db.session.commit()

    returned = _submitted(client, inspector, manager, device)
    _step(client, inspector, returned, "return", reason="照片看不清防护栏")
    # immediate, through the after-commit event seam: no job has run yet
    assert _kinds(client, manager) == {"hazard.returned"}
    assert "照片看不清防护栏" in _inbox(client, manager)["items"][0]["body"]

    _submitted(client, inspector, manager, device)  # waits for the inspector's verification
    db.session.add(
        Complaint(
            ticket_no="TS20261206-0001",
            day=today(),
            seq=1,
            tracking_hash="0" * 64,
            device_id=device.id,
            enterprise_id=enterprise.id,
            category="elevator_trapped",
            description="电梯困人",
        )
    )
    notice = Notice(
        number="特监〔2026〕整改0001",
        seq=1,
        kind="rectification",
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        issued_by_id=inspector.id,
        issued_on=today() - timedelta(days=5),
        deadline=today() - timedelta(days=1),
    )
    notice.items = [NoticeHazard(hazard_id=returned, position=1, hazard_deadline=today())]
    db.session.add(notice)
    db.session.commit()

    results = run_due()
    assert {r.outcome for r in results} == {"ok"}, results

    assert _kinds(client, manager) >= {
        "hazard.returned",
        "hazard.overdue",
        "inspection.due_soon",
        "inspection.overdue",
        "selfcheck.missed",
        "certificate.expired",  # the demo's manager1 holds an expired certificate
        "complaint.received",
        "notice.issued",
    }
    assert "assignment.new" in _kinds(client, supervisor)
    assert _kinds(client, inspector) >= {
        "hazard.awaiting_verification",
        "complaint.awaiting_triage",
        "notice.overdue",
    }
    assert _kinds(client, admin) == set()  # no job failed
    links = {n["kind"]: n["link"] for n in _inbox(client, manager)["items"]}
    assert links["hazard.returned"] == f"/hazards/{returned}"
    assert links["selfcheck.missed"] == "/self-check/daily"

    total = db.session.scalar(select(func.count()).select_from(Notification))
    again = run_due(now=utcnow() + timedelta(hours=2))  # every hourly and 5-minute job due again
    assert {r.job for r in again} >= {"overdue", "reminders"}
    assert db.session.scalar(select(func.count()).select_from(Notification)) == total
    assert run_due() == []  # nothing due right now: the runs moved each job to its next time


def _counting_job(runs: list[str], pause: float = 0.3) -> Job:
    def work(_as_of) -> dict:
        runs.append(threading.current_thread().name)
        time.sleep(pause)
        return {"done": 1}

    return Job("counting", "计数", EVERY_MINUTE, work)


def test_two_runners_racing_for_a_due_job_run_it_once(app):
    runs: list[str] = []
    job = _counting_job(runs)
    start = threading.Barrier(2)
    results: dict[str, list] = {}

    def runner(name: str) -> None:
        with app.app_context():
            start.wait()
            results[name] = run_due([job])
            db.session.remove()

    threads = [threading.Thread(target=runner, args=(n,), name=n) for n in ("worker-a", "worker-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(runs) == 1
    assert sorted(len(r) for r in results.values()) == [0, 1]
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


def test_a_job_first_seen_by_a_racing_runner_a_moment_later_is_still_due_for_us(app, monkeypatch):
    """CI's interleaving: we read the clock, the other runner read it a moment later and inserted
    the new job's lease row first; our claim must not find the job 'not yet due'."""
    runs: list[str] = []
    ours = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    db.session.add(JobLease(name="counting", next_due_at=ours + timedelta(milliseconds=1), holder=""))
    db.session.commit()
    clock = iter([ours, ours + timedelta(milliseconds=2), ours + timedelta(milliseconds=3)])
    monkeypatch.setattr("backend.jobs.runner.utcnow", lambda: next(clock, ours + timedelta(seconds=1)))
    assert [r.outcome for r in run_due([_counting_job(runs, pause=0)])] == ["ok"]
    assert len(runs) == 1


def test_a_held_lease_is_not_taken_until_it_expires(app):
    now = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    db.session.add(JobLease(name="counting", next_due_at=now, holder=""))
    db.session.commit()
    assert claim("counting", "machine-a", now)
    assert not claim("counting", "machine-b", now + timedelta(minutes=5))
    assert claim("counting", "machine-b", now + timedelta(hours=1))  # machine-a died mid-job


def test_a_failing_job_is_recorded_shown_to_the_bureau_and_retried_next_tick(client, city):
    attempts: list[int] = []

    def flaky(_as_of) -> dict:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("数据库连接中断")
        return {"graded": 3}

    job = Job("flaky", "不稳定的任务", CronTrigger(hour=2, minute=0), flaky)
    [first] = run_due([job])
    assert (first.outcome, first.error) == ("failed", "RuntimeError: 数据库连接中断")
    run = db.session.scalars(select(JobRun).where(JobRun.job == "flaky")).one()
    assert (run.outcome, run.finished_at is not None) == ("failed", True)
    [told] = _inbox(client, city.admin)["items"]
    assert told["kind"] == "job.failed" and "数据库连接中断" in told["body"]

    [retry] = run_due([job])  # the next tick: still due
    assert (retry.outcome, retry.counts) == ("ok", {"graded": 3})
    assert run_due([job]) == []  # done until tomorrow 02:00
    assert len(attempts) == 2


def test_jobs_cli_lists_last_runs_and_runs_due_jobs_once(app, city):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "run-due"])
    assert first.exit_code == 0, first.output
    assert "credit_cycle" in first.output and "reminders" in first.output
    second = runner.invoke(args=["jobs", "run-due"])
    assert "Ran 0 due job(s)." in second.output or "credit_cycle" not in second.output
    listing = runner.invoke(args=["jobs", "list"])
    assert listing.exit_code == 0
    assert "credit_cycle" in listing.output and "ok" in listing.output


# --- the admin's jobs screen ------------------------------------------------------------------


def test_the_bureau_lists_every_job_with_its_schedule_and_last_run(client, city):
    run_due()
    listing = client.get("/api/jobs", headers=auth(city.admin))
    assert listing.status_code == 200
    jobs = {j["name"]: j for j in listing.json["items"]}
    assert {"credit_cycle", "reminders", "freeze_month", "mutual_cycles", "prune_events"} <= set(jobs)
    credit = jobs["credit_cycle"]
    assert credit["schedule"] == "hour=2 minute=0" and credit["title"] == "每日信用风险分级"
    assert credit["last_run"]["outcome"] == "ok" and credit["last_run"]["finished_at"]
    assert set(credit["last_run"]["counts"]) == {"graded", "changed"}
    assert credit["recent_failures"] == 0 and credit["running"] is False
    assert client.get("/api/jobs", headers=auth(city.inspector)).status_code == 403


def test_run_now_runs_a_job_at_once_and_records_the_run(client, city):
    run_due()
    before = db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job == "credit_cycle"))
    response = client.post("/api/jobs/credit_cycle/run", headers=auth(city.admin))
    assert response.status_code == 200, response.json
    assert response.json["job"] == "credit_cycle" and response.json["outcome"] == "ok"
    runs = db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job == "credit_cycle"))
    assert runs == before + 1
    assert run_due() == []  # the run moved the job to its next time, as a scheduled run does
    missing = client.post("/api/jobs/no_such_job/run", headers=auth(city.admin))
    assert missing.status_code == 404 and missing.json["error"]["code"]


def test_run_now_while_another_runner_holds_the_job_is_409(client, city):
    run_due()
    assert claim("credit_cycle", "machine-a", utcnow() + timedelta(days=2))
    response = client.post("/api/jobs/credit_cycle/run", headers=auth(city.admin))
    assert response.status_code == 409 and response.json["error"]["code"]
    listing = client.get("/api/jobs", headers=auth(city.admin)).json["items"]
    assert next(j for j in listing if j["name"] == "credit_cycle")["running"] is True
