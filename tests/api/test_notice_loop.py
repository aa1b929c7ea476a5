"""A notice's loop (seed 004, API.md Notices): the enterprise signs and replies, the issuing
zone closes; overdue and the next escalation step; the notice's deadline binds its hazards."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.core.changes import Change
from backend.core.clock import today
from backend.core.history import history_of
from backend.evidence.services import verify_chain
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.hazards.services import hazard_evidence_problem
from backend.notices.models import Notice
from backend.notices.services import notice_evidence_problem
from tests.api.test_notices import issue, issue_as_suggested, overdue, report
from tests.conftest import auth
from tests.factories import make_photo, make_user

CHECKS = {"hazard.": hazard_evidence_problem, "notice.": notice_evidence_problem}
SIGNATURE = "5" * 64
PHOTO = "6" * 64


@pytest.fixture
def app(fast_app):
    return fast_app


def issued(client, city, *, kind="rectification", days=10) -> dict:
    hazard = report(client, city.manager, device=city.dev_a)
    response = issue(
        client, city.inspector, kind, city.ent_a, [hazard], deadline=today() + timedelta(days=days)
    )
    assert response.status_code == 201, response.json
    return response.json


def acknowledge(client, user, notice_id, signature=SIGNATURE):
    make_photo(signature, user)
    db.session.commit()
    return client.post(
        f"/api/notices/{notice_id}/acknowledge", json={"signature": signature}, headers=auth(user)
    )


def reply(client, user, notice_id, photos=(PHOTO,)):
    for sha in photos:
        make_photo(sha, user)
    db.session.commit()
    body = {"text": "已更换轿厢照明并自查", "photos": list(photos)}
    return client.post(f"/api/notices/{notice_id}/reply", json=body, headers=auth(user))


def close(client, user, notice_id):
    return client.post(f"/api/notices/{notice_id}/close", json={}, headers=auth(user))


def test_new_notice_is_issued_with_signing_as_the_managers_next_step(client, city):
    notice = issued(client, city)
    assert notice["status"] == "issued"
    read = client.get(f"/api/notices/{notice['id']}", headers=auth(city.manager)).json
    assert read["allowed_actions"] == ["acknowledge"]


def test_full_loop_issued_acknowledged_replied_closed(client, city):
    notice = issued(client, city)
    signed = acknowledge(client, city.manager, notice["id"])
    assert signed.status_code == 200, signed.json
    assert signed.json["status"] == "acknowledged"
    assert signed.json["acknowledged_by"] == city.manager.display_name
    assert signed.json["signature_url"]
    answered = reply(client, city.manager, notice["id"])
    assert answered.status_code == 200, answered.json
    assert answered.json["status"] == "replied"
    assert [p["sha256"] for p in answered.json["reply_photos"]] == [PHOTO]
    closed = close(client, city.inspector, notice["id"])
    assert closed.status_code == 200, closed.json
    assert closed.json["status"] == "closed"
    assert closed.json["closed_by"] == city.inspector.display_name


def test_each_step_is_in_the_evidence_chain_and_an_altered_signature_is_named(client, city):
    notice = issued(client, city)
    acknowledge(client, city.manager, notice["id"])
    reply(client, city.manager, notice["id"])
    close(client, city.inspector, notice["id"])
    assert verify_chain(CHECKS).ok
    stored = db.session.get(Notice, notice["id"])
    stored.signature_sha256 = "7" * 64
    db.session.commit()
    report_ = verify_chain(CHECKS)
    assert not report_.ok
    assert f"notice {notice['id']} was altered" in report_.problem


def test_state_changes_are_recorded_in_history(client, city):
    notice = issued(client, city)
    acknowledge(client, city.manager, notice["id"])
    rows = history_of("notice", notice["id"])
    assert [(r.field, r.before, r.after, r.actor) for r in rows] == [
        ("state", "issued", "acknowledged", city.manager.username)
    ]


def test_signature_must_be_uploaded_first(client, city):
    notice = issued(client, city)
    response = client.post(
        f"/api/notices/{notice['id']}/acknowledge", json={"signature": "8" * 64}, headers=auth(city.manager)
    )
    assert response.status_code == 422
    assert "signature" in response.json["error"]["details"]["fields"]
    assert db.session.get(Notice, notice["id"]).state == "issued"


def test_reply_photos_must_be_uploaded_first(client, city):
    notice = issued(client, city)
    acknowledge(client, city.manager, notice["id"])
    body = {"text": "已整改", "photos": ["9" * 64]}
    response = client.post(f"/api/notices/{notice['id']}/reply", json=body, headers=auth(city.manager))
    assert response.status_code == 422
    assert "photos" in response.json["error"]["details"]["fields"]


@pytest.mark.parametrize(
    ("step", "status"),
    [("acknowledge_twice", 409), ("reply_before_signing", 409), ("close_before_reply", 409)],
)
def test_steps_out_of_order_are_409(client, city, step, status):
    notice = issued(client, city)
    if step == "acknowledge_twice":
        acknowledge(client, city.manager, notice["id"])
        response = acknowledge(client, city.manager, notice["id"], "4" * 64)
    elif step == "reply_before_signing":
        response = reply(client, city.manager, notice["id"])
    else:
        acknowledge(client, city.manager, notice["id"])
        response = close(client, city.inspector, notice["id"])
    assert response.status_code == status
    assert response.json["error"]["code"] == "invalid_state"


def test_regulators_and_other_enterprises_cannot_sign(client, city):
    notice = issued(client, city)
    assert acknowledge(client, city.inspector, notice["id"]).status_code == 403
    assert acknowledge(client, city.admin, notice["id"]).status_code == 403
    assert acknowledge(client, city.manager_x, notice["id"]).status_code == 404
    assert acknowledge(client, city.supervisor, notice["id"]).status_code == 404


def test_only_the_issuing_zone_or_the_bureau_closes(client, city):
    notice = issued(client, city)
    acknowledge(client, city.manager, notice["id"])
    reply(client, city.manager, notice["id"])
    assert close(client, city.manager, notice["id"]).status_code == 403
    assert close(client, city.other_inspector, notice["id"]).status_code == 404
    # the enterprise moved to another zone: its new inspector reads the notice but did not issue it
    moved_inspector = make_user("inspector", zone=city.other_zone)
    city.ent_a.zone_id = city.other_zone.id
    db.session.commit()
    assert client.get(f"/api/notices/{notice['id']}", headers=auth(moved_inspector)).status_code == 200
    assert close(client, moved_inspector, notice["id"]).status_code == 403
    assert close(client, city.admin, notice["id"]).status_code == 200


# --- overdue ------------------------------------------------------------------------------


def _past_deadline(notice_id: int, days: int = 1) -> None:
    """Time passes: the notice's deadline (and so its hazards', which it bound) is `days` ago."""
    notice = db.session.get(Notice, notice_id)
    notice.deadline = today() - timedelta(days=days)
    for item in notice.items:
        item.hazard.deadline = notice.deadline
    db.session.commit()


def test_unanswered_notice_past_its_deadline_is_overdue_and_suggests_the_next_step(client, city):
    notice = issued(client, city)
    _past_deadline(notice["id"])
    read = client.get(f"/api/notices/{notice['id']}", headers=auth(city.inspector)).json
    assert read["status"] == "overdue"
    assert read["next_kind"] == "interview"  # 整改通知书 → 约谈


def test_notice_due_today_is_not_overdue(client, city):
    notice = issued(client, city)
    _past_deadline(notice["id"], days=0)
    read = client.get(f"/api/notices/{notice['id']}", headers=auth(city.inspector)).json
    assert read["status"] == "issued"
    assert read["next_kind"] is None


def test_signed_but_unanswered_notice_becomes_overdue_and_a_reply_ends_it(client, city):
    notice = issued(client, city)
    acknowledge(client, city.manager, notice["id"])
    _past_deadline(notice["id"])
    assert client.get(f"/api/notices/{notice['id']}", headers=auth(city.manager)).json["status"] == "overdue"
    assert reply(client, city.manager, notice["id"]).json["status"] == "replied"


def test_suggestion_for_a_hazard_on_an_overdue_notice_is_the_next_step(client, city):
    notice = issued(client, city)
    hazard_id = notice["hazards"][0]["hazard_id"]
    _past_deadline(notice["id"])
    suggestion = client.get(f"/api/notices/suggestion?hazard_id={hazard_id}", headers=auth(city.inspector))
    assert suggestion.status_code == 200, suggestion.json
    assert suggestion.json["kind"] == "interview"
    assert [n["id"] for n in suggestion.json["overdue_notices"]] == [notice["id"]]
    # and the defaults are accepted as they are
    assert issue_as_suggested(client, city.inspector, suggestion.json).status_code == 201


def test_suggestion_for_a_fresh_hazard_is_a_rectification_notice(client, city):
    hazard_id = report(client, city.manager, device=city.dev_a)
    suggestion = client.get(
        f"/api/notices/suggestion?hazard_id={hazard_id}", headers=auth(city.inspector)
    ).json
    assert suggestion["kind"] == "rectification"
    assert suggestion["deadline"] == (today() + timedelta(days=15)).isoformat()


def test_suggestion_for_an_enterprise_lists_its_open_hazards(client, city):
    first = overdue(report(client, city.manager, device=city.dev_a))
    second = report(client, city.manager, enterprise=city.ent_a, category="锅炉")
    suggestion = client.get(
        f"/api/notices/suggestion?enterprise_id={city.ent_a.id}", headers=auth(city.inspector)
    ).json
    assert [h["id"] for h in suggestion["hazards"]] == [first, second]
    assert suggestion["kind"] == "rectification"  # the second is neither overdue nor repeated


def test_suggestion_needs_a_hazard_or_an_enterprise(client, city):
    response = client.get("/api/notices/suggestion", headers=auth(city.inspector))
    assert response.status_code == 422


# --- the notice's deadline binds its hazards -------------------------------------------------


def test_notice_deadline_binds_a_later_hazard_deadline(client, city):
    hazard_id = report(client, city.manager, device=city.dev_a, severity="general")
    before = db.session.get(Hazard, hazard_id).deadline
    notice_deadline = today() + timedelta(days=3)
    assert notice_deadline < before
    notice = issue(
        client, city.inspector, "rectification", city.ent_a, [hazard_id], deadline=notice_deadline
    ).json
    hazard = client.get(f"/api/hazards/{hazard_id}", headers=auth(city.manager)).json
    assert hazard["deadline"] == notice_deadline.isoformat()
    assert notice["number"] in hazard["events"][-1]["note"]
    assert f"{before.isoformat()} → {notice_deadline.isoformat()}" in hazard["events"][-1]["note"]
    assert notice["hazards"][0]["hazard_deadline"] == before.isoformat()
    assert [(r.field, r.reason) for r in history_of("hazard", hazard_id)] == [("deadline", notice["number"])]
    assert verify_chain(CHECKS).ok  # the report's evidence still matches: it covers the reported deadline


def test_notice_deadline_leaves_an_earlier_hazard_deadline(client, city):
    hazard_id = report(client, city.manager, device=city.dev_a)
    before = db.session.get(Hazard, hazard_id).deadline
    issue(
        client, city.inspector, "rectification", city.ent_a, [hazard_id], deadline=before + timedelta(days=30)
    )
    assert db.session.get(Hazard, hazard_id).deadline == before
    assert history_of("hazard", hazard_id) == []


# --- offline: sync op notice.acknowledge and the pull --------------------------------------


def push(client, user, ops):
    return client.post("/api/sync/push", json={"ops": ops}, headers=auth(user))


def ack_op(notice_id, op_id=None, signature=SIGNATURE):
    payload = {"notice_id": notice_id, "signature": signature}
    return {"op_id": op_id or str(uuid.uuid4()), "type": "notice.acknowledge", "payload": payload}


def test_sync_op_acknowledges_once_however_often_it_is_pushed(client, city):
    notice = issued(client, city)
    make_photo(SIGNATURE, city.manager)
    db.session.commit()
    op = ack_op(notice["id"])
    assert push(client, city.manager, [op]).json["results"][0]["status"] == "applied"
    assert push(client, city.manager, [op]).json["results"][0]["status"] == "duplicate"
    # a second op (the phone lost the first answer and queued again) changes nothing either
    assert push(client, city.manager, [ack_op(notice["id"])]).json["results"][0]["status"] == "duplicate"
    steps = [r for r in history_of("notice", notice["id"]) if r.field == "state"]
    assert len(steps) == 1
    assert db.session.get(Notice, notice["id"]).state == "acknowledged"


def test_sync_op_by_a_regulator_is_rejected_as_forbidden(client, city):
    notice = issued(client, city)
    make_photo(SIGNATURE, city.inspector)
    db.session.commit()
    result = push(client, city.inspector, [ack_op(notice["id"])]).json["results"][0]
    assert (result["status"], result["error"]["code"]) == ("rejected", "forbidden")


def test_sync_op_for_another_enterprises_notice_is_not_found(client, city):
    notice = issued(client, city)
    make_photo(SIGNATURE, city.manager_x)
    db.session.commit()
    result = push(client, city.manager_x, [ack_op(notice["id"])]).json["results"][0]
    assert (result["status"], result["error"]["code"]) == ("rejected", "not_found")


def test_pull_brings_the_enterprise_its_notice_and_each_change(client, city):
    notice = issued(client, city)
    pulled = client.get("/api/sync/pull", headers=auth(city.manager)).json
    notices = [c for c in pulled["changes"] if c["entity"] == "notice"]
    assert [(c["id"], c["data"]["status"]) for c in notices] == [(str(notice["id"]), "issued")]
    assert notices[0]["data"]["allowed_actions"] == ["acknowledge"]
    acknowledge(client, city.manager, notice["id"])
    later = client.get(f"/api/sync/pull?cursor={pulled['cursor']}", headers=auth(city.manager)).json
    assert [(c["entity"], c["data"]["status"]) for c in later["changes"]] == [("notice", "acknowledged")]


def test_pull_does_not_bring_a_notice_to_another_enterprise(client, city):
    issued(client, city)
    changes = db.session.scalars(select(Change).where(Change.entity == "notice")).all()
    assert len(changes) == 1
    pulled = client.get("/api/sync/pull", headers=auth(city.manager_x)).json
    assert not [c for c in pulled["changes"] if c["entity"] == "notice"]
