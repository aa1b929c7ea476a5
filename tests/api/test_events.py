"""The after-commit event seam (core.events): a record and its event commit together; credit
re-grades right after the commit, before the user's next read; a failing handler loses no
write and `flask events run-pending` retries it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.core import events
from backend.core.clock import today
from backend.core.events import Event
from backend.credit import handlers as credit_handlers
from backend.credit.recompute import recompute_grades
from backend.credit.regrade import regrade_enterprise
from backend.extensions import db
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


@pytest.fixture
def graded(city):
    recompute_grades(today())
    db.session.commit()
    return city


def _score(client, user, enterprise_id: int) -> float:
    response = client.get(f"/api/credit/enterprises/{enterprise_id}", headers=auth(user))
    assert response.status_code == 200, response.json
    return response.json["score"]


def _report(client, city, severity: str = "major") -> str:
    hazard_id = f.new_id()
    body = {
        "id": hazard_id,
        "enterprise_id": city.ent_a.id,
        "category": "电梯",
        "severity": severity,
        "description": "制动器磨损超标",
        "source": "inspection",
    }
    response = client.post("/api/hazards", json=body, headers=auth(city.inspector))
    assert response.status_code == 201, response.json
    return hazard_id


def _events() -> list[Event]:
    db.session.expire_all()
    rows = list(db.session.scalars(select(Event).order_by(Event.id)))
    for row in rows:
        db.session.expunge(row)
    db.session.rollback()  # end the read: `flask events run-pending` writes from its own session
    return rows


def test_the_grade_read_right_after_a_hazard_report_reflects_it(client, graded):
    before = _score(client, graded.inspector, graded.ent_a.id)
    _report(client, graded)
    assert _score(client, graded.inspector, graded.ent_a.id) > before
    [event] = _events()
    assert (event.kind, event.payload["enterprise_id"]) == ("hazard.create", graded.ent_a.id)
    assert event.done_at is not None and event.attempts == 1


def test_the_grade_read_right_after_a_synced_batch_reflects_every_op(client, graded):
    ops = [
        {
            "op_id": f.new_id(),
            "type": "hazard.create",
            "payload": {
                "id": f.new_id(),
                "device_id": graded.dev_a.id,
                "category": "电梯",
                "severity": "major",
                "description": f"隐患{n}",
            },
        }
        for n in range(2)
    ]
    before = _score(client, graded.manager, graded.ent_a.id)
    response = client.post("/api/sync/push", json={"ops": ops}, headers=auth(graded.manager))
    assert [r["status"] for r in response.json["results"]] == ["applied", "applied"]
    after = _score(client, graded.manager, graded.ent_a.id)
    assert after > before
    assert [e.done_at is not None for e in _events()] == [True, True]


def test_a_failing_handler_keeps_the_write_and_run_pending_retries_it(app, client, graded, monkeypatch):
    def broken(*_args):
        raise RuntimeError("credit is down")

    before = _score(client, graded.inspector, graded.ent_a.id)
    monkeypatch.setattr(credit_handlers, "regrade_enterprise", broken)
    hazard_id = _report(client, graded)
    assert client.get(f"/api/hazards/{hazard_id}", headers=auth(graded.inspector)).status_code == 200
    [event] = _events()
    assert (event.done_at, event.attempts) == (None, 1)
    assert "credit is down" in event.last_error
    assert _score(client, graded.inspector, graded.ent_a.id) == before

    failed = app.test_cli_runner().invoke(args=["events", "run-pending"])
    assert failed.exit_code == 1 and "1 failed" in failed.output
    monkeypatch.setattr(credit_handlers, "regrade_enterprise", regrade_enterprise)
    result = app.test_cli_runner().invoke(args=["events", "run-pending"])
    assert result.exit_code == 0 and "Handled 1 event(s), 0 failed" in result.output, result.output
    assert _score(client, graded.inspector, graded.ent_a.id) > before
    [event] = _events()
    assert event.done_at is not None and event.attempts == 3
    again = app.test_cli_runner().invoke(args=["events", "run-pending"])
    assert "Handled 0 event(s)" in again.output


def test_an_event_of_a_rolled_back_transaction_is_neither_kept_nor_handled(app, city):
    handled: list[str] = []
    events.subscribe(app, "test.*", lambda kind, _payload: handled.append(kind))
    try:
        events.publish("test.rolled_back", {"enterprise_id": city.ent_a.id})
        db.session.rollback()
        events.publish("test.committed", {"enterprise_id": city.ent_a.id})
        db.session.commit()
    finally:
        app.extensions["events"].pop("test.*")
    assert handled == ["test.committed"]
    assert [e.kind for e in _events()] == ["test.committed"]


def test_an_event_published_by_a_handler_is_handled_too(app, city):
    handled: list[str] = []

    def first(kind: str, payload: dict) -> None:
        handled.append(kind)
        events.publish("test.second", payload)

    events.subscribe(app, "test.first", first)
    events.subscribe(app, "test.second", lambda kind, _payload: handled.append(kind))
    try:
        events.publish("test.first", {})
        db.session.commit()
    finally:
        app.extensions["events"].pop("test.first")
        app.extensions["events"].pop("test.second")
    assert handled == ["test.first", "test.second"]
    assert all(e.done_at is not None for e in _events())


def test_a_synced_batch_for_one_enterprise_regrades_it_once_and_right(client, graded, monkeypatch):
    regraded: list[tuple[int, str]] = []

    def counting(enterprise_id: int, cause: str) -> None:
        regraded.append((enterprise_id, cause))
        regrade_enterprise(enterprise_id, cause)

    monkeypatch.setattr(credit_handlers, "regrade_enterprise", counting)
    ops = [
        {
            "op_id": f.new_id(),
            "type": "hazard.create",
            "payload": {
                "id": f.new_id(),
                "device_id": graded.dev_a.id,
                "category": "电梯",
                "severity": "major",
                "description": f"隐患{n}",
            },
        }
        for n in range(50)
    ]
    response = client.post("/api/sync/push", json={"ops": ops}, headers=auth(graded.manager))
    assert {r["status"] for r in response.json["results"]} == {"applied"}
    assert regraded == [(graded.ent_a.id, "hazard.create")]
    after_push = _score(client, graded.manager, graded.ent_a.id)
    recompute_grades(today())  # the whole city graded afresh gives the same grade
    db.session.commit()
    assert _score(client, graded.manager, graded.ent_a.id) == after_push
    assert all(e.done_at is not None and e.attempts == 1 for e in _events())


def test_one_failing_event_of_a_batch_stays_pending_and_the_others_are_done(app, city):
    calls: list[list[str]] = []

    def fussy(batch: list[tuple[str, dict]]) -> None:
        calls.append([payload["name"] for _kind, payload in batch])
        if any(payload["name"] == "bad" for _kind, payload in batch):
            raise RuntimeError("cannot handle bad")

    events.subscribe_batch(app, "test.*", fussy)
    try:
        for name in ("one", "bad", "two"):
            events.publish("test.batch", {"name": name})
        db.session.commit()
    finally:
        app.extensions["events"].pop("test.*")
    assert calls == [["one", "bad", "two"], ["one"], ["bad"], ["two"]]
    state = [(e.payload["name"], e.done_at is not None, e.attempts) for e in _events()]
    assert state == [("one", True, 1), ("bad", False, 1), ("two", True, 1)]
    assert "cannot handle bad" in _events()[1].last_error
