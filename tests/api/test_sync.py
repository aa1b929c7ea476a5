"""Offline sync: pull (scoped change feed, cursors, paging) and push (one result per op)."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import timedelta

import pytest

from backend.core.clock import today
from backend.core.images import sha256_hex
from backend.extensions import db
from backend.sync.services import PULL_LIMIT
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


@pytest.fixture
def feed(city):
    """The city's enterprises and devices in the change feed, as if made through the API."""
    f.record_changes(
        city.ent_a, city.ent_b, city.ent_c, city.ent_x, city.dev_a, city.dev_b, city.dev_c, city.dev_x
    )
    db.session.commit()
    return city


def _pull(client, user, cursor: str | None = None):
    query = "" if cursor is None else f"?cursor={cursor}"
    response = client.get(f"/api/sync/pull{query}", headers=auth(user))
    assert response.status_code == 200, response.json
    return response.json


def _keys(body: dict) -> set[tuple[str, str]]:
    return {(c["entity"], c["id"]) for c in body["changes"]}


def _devices(city, letters: str) -> set[tuple[str, str]]:
    return {("device", str(getattr(city, f"dev_{x}").id)) for x in letters}


def _enterprises(city, letters: str) -> set[tuple[str, str]]:
    return {("enterprise", str(getattr(city, f"ent_{x}").id)) for x in letters}


# --- pull ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("manager", "a"),
        ("supervisor", "ab"),
        ("inspector", "abc"),
        ("other_inspector", "x"),
        ("admin", "abcx"),
        ("manager_x", "x"),
    ],
)
def test_first_pull_holds_everything_in_scope_and_nothing_else(client, feed, user, visible):
    body = _pull(client, getattr(feed, user))
    assert _keys(body) == _devices(feed, visible) | _enterprises(feed, visible)
    assert body["more"] is False


def test_pull_changes_carry_the_records(client, feed):
    body = _pull(client, feed.manager)
    device = next(c for c in body["changes"] if c["entity"] == "device")
    assert device["deleted"] is False
    assert device["data"]["registration_no"] == feed.dev_a.registration_no
    assert device["data"]["qr_url"].endswith(feed.dev_a.qr_token)


def test_pull_is_in_commit_order(client, feed):
    f.record_changes(feed.dev_a)  # dev_a changes again, after ent_a
    db.session.commit()
    body = _pull(client, feed.manager)
    assert [(c["entity"], c["id"]) for c in body["changes"]] == [
        ("enterprise", str(feed.ent_a.id)),
        ("device", str(feed.dev_a.id)),
    ]


def test_cursor_advances_and_second_pull_is_empty(client, feed):
    first = _pull(client, feed.manager)
    second = _pull(client, feed.manager, first["cursor"])
    assert second == {"changes": [], "cursor": first["cursor"], "more": False}


def test_empty_feed_gives_a_cursor_that_works(client, city):
    body = _pull(client, city.manager)
    assert body["changes"] == [] and body["more"] is False
    assert _pull(client, city.manager, body["cursor"])["changes"] == []


def test_pull_pages_with_more_when_over_the_limit(client, feed):
    extra = [f.make_device(feed.ent_a) for _ in range(PULL_LIMIT + 20)]
    f.record_changes(*extra)
    db.session.commit()
    first = _pull(client, feed.admin)
    second = _pull(client, feed.admin, first["cursor"])
    assert (len(first["changes"]), first["more"]) == (PULL_LIMIT, True)
    assert (len(second["changes"]), second["more"]) == (8 + 20, False)
    assert not _keys(first) & _keys(second)
    assert {("device", str(d.id)) for d in extra} <= _keys(first) | _keys(second)


def _hazard_body(city, **overrides) -> dict:
    return {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "层门锁失效",
    } | overrides


def test_new_hazard_appears_in_the_next_pull_with_its_data(client, feed):
    cursor = _pull(client, feed.manager)["cursor"]
    body = _hazard_body(feed)
    assert client.post("/api/hazards", json=body, headers=auth(feed.inspector)).status_code == 201
    changes = _pull(client, feed.manager, cursor)["changes"]
    assert [(c["entity"], c["id"]) for c in changes] == [("hazard", body["id"])]
    assert changes[0]["data"]["description"] == "层门锁失效"
    assert changes[0]["data"]["status"] == "reported"


def test_a_pulled_hazard_carries_the_actions_the_puller_may_take(client, feed):
    cursor = _pull(client, feed.manager)["cursor"]
    body = _hazard_body(feed)
    assert client.post("/api/hazards", json=body, headers=auth(feed.inspector)).status_code == 201
    pulled = _pull(client, feed.manager, cursor)["changes"][0]["data"]
    detail = client.get(f"/api/hazards/{body['id']}", headers=auth(feed.manager)).json
    assert pulled["allowed_actions"] == detail["allowed_actions"] != []


def test_hazard_of_another_enterprise_does_not_reach_the_manager(client, feed):
    cursors = {u: _pull(client, getattr(feed, u))["cursor"] for u in ("manager", "supervisor")}
    body = _hazard_body(feed, device_id=feed.dev_b.id)
    client.post("/api/hazards", json=body, headers=auth(feed.inspector))
    assert _pull(client, feed.manager, cursors["manager"])["changes"] == []
    assert _keys(_pull(client, feed.supervisor, cursors["supervisor"])) == {("hazard", body["id"])}


def test_device_edit_appears_once_with_the_latest_data(client, feed):
    cursor = _pull(client, feed.manager)["cursor"]
    for place in ("一号楼", "二号楼"):
        client.patch(f"/api/devices/{feed.dev_a.id}", json={"location": place}, headers=auth(feed.manager))
    changes = _pull(client, feed.manager, cursor)["changes"]
    assert len(changes) == 1
    assert changes[0]["data"]["location"] == "二号楼"


def test_deletion_is_a_tombstone(client, feed):
    from backend.core.changes import record_change

    cursor = _pull(client, feed.manager)["cursor"]
    record_change("device", feed.dev_a.id, feed.ent_a.id, deleted=True)
    db.session.commit()
    changes = _pull(client, feed.manager, cursor)["changes"]
    assert changes == [{"entity": "device", "id": str(feed.dev_a.id), "deleted": True, "data": None}]


def test_bulk_recorded_changes_follow_earlier_ones_and_move_records_already_in_the_feed(client, feed):
    from backend.core.changes import record_change, record_changes

    cursor = _pull(client, feed.manager)["cursor"]
    hazard = f.make_hazard(feed.ent_a, feed.manager)
    assert record_changes("hazard", [(hazard.id, feed.ent_a.id)]) == 1
    assert record_changes("device", [(feed.dev_a.id, feed.ent_a.id), (feed.dev_b.id, feed.ent_b.id)]) == 2
    record_change("enterprise", feed.ent_a.id, feed.ent_a.id)
    db.session.commit()
    changes = _pull(client, feed.manager, cursor)["changes"]
    assert [(c["entity"], c["id"]) for c in changes] == [
        ("hazard", hazard.id),
        ("device", str(feed.dev_a.id)),
        ("enterprise", str(feed.ent_a.id)),
    ]
    assert changes[0]["data"]["description"] == hazard.description


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "v2:1",
        _b64("v2:1"),
        _b64("v1:99999999999999999999"),
        _b64("v1:-1"),
        _b64("v1:abc"),
        _b64("v1"),
        _b64("v1:1:2"),
        "%FF%FE",
        "A" * 101,
    ],
    ids=[
        "garbage",
        "raw_v2",
        "v2",
        "huge_seq",
        "negative_seq",
        "text_seq",
        "no_seq",
        "extra_part",
        "not_utf8",
        "too_long",
    ],
)
def test_bad_cursor_is_422(client, city, cursor):
    response = client.get(f"/api/sync/pull?cursor={cursor}", headers=auth(city.manager))
    assert response.status_code == 422, response.json
    assert "cursor" in response.json["error"]["details"]["fields"]


# --- push ---------------------------------------------------------------------------------------


def _push(client, user, *ops: dict):
    response = client.post("/api/sync/push", json={"ops": list(ops)}, headers=auth(user))
    assert response.status_code == 200, response.json
    return response.json["results"]


def _op(op_type: str, payload: dict, op_id: str | None = None) -> dict:
    return {"op_id": op_id or f.new_id(), "type": op_type, "payload": payload}


def test_push_answers_each_op_in_order(client, city):
    create = _op("hazard.create", _hazard_body(city))
    reused = _op("hazard.create", _hazard_body(city), op_id=create["op_id"])
    invalid = _op("hazard.create", _hazard_body(city, severity="catastrophic"))
    unknown = _op("hazard.delete", {"id": f.new_id()})
    out_of_scope = _op("hazard.create", _hazard_body(city, device_id=city.dev_x.id))
    ops = [create, create, reused, invalid, unknown, out_of_scope]
    results = _push(client, city.manager, *ops)
    assert [r["op_id"] for r in results] == [op["op_id"] for op in ops]
    assert [r["status"] for r in results] == [
        "applied",
        "duplicate",
        "conflict",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert [r.get("error", {}).get("code") for r in results[3:]] == [
        "validation_failed",
        "unknown_op_type",
        "not_found",
    ]
    assert "severity" in results[3]["error"]["details"]["fields"]


def test_push_applies_the_op_once(client, city):
    create = _op("hazard.create", _hazard_body(city))
    _push(client, city.manager, create, create)
    assert _push(client, city.manager, create)[0]["status"] == "duplicate"
    listed = client.get(f"/api/hazards?device_id={city.dev_a.id}", headers=auth(city.manager))
    assert listed.json["total"] == 1


def test_push_same_op_id_from_another_user_is_conflict(client, city):
    create = _op("hazard.create", _hazard_body(city))
    _push(client, city.manager, create)
    assert _push(client, city.inspector, create)[0]["status"] == "conflict"


def test_push_new_op_reusing_a_hazard_id_with_other_content_is_conflict(client, city):
    body = _hazard_body(city)
    _push(client, city.manager, _op("hazard.create", body))
    results = _push(client, city.manager, _op("hazard.create", body | {"description": "另一个隐患"}))
    assert results[0]["status"] == "conflict"


def test_push_new_op_repeating_the_same_hazard_is_applied_idempotently(client, city):
    body = _hazard_body(city)
    _push(client, city.manager, _op("hazard.create", body))
    assert _push(client, city.manager, _op("hazard.create", body))[0]["status"] in ("applied", "duplicate")
    assert client.get("/api/hazards", headers=auth(city.manager)).json["total"] == 1


def _hazard(client, city) -> str:
    body = _hazard_body(city)
    assert _push(client, city.manager, _op("hazard.create", body))[0]["status"] == "applied"
    return body["id"]


def _status(client, city, hazard_id: str) -> str:
    return client.get(f"/api/hazards/{hazard_id}", headers=auth(city.admin)).json["status"]


@pytest.mark.parametrize("note", ["开始整改", None, ""], ids=["note", "note_null", "note_empty"])
def test_push_transition_op(client, city, note):
    hazard_id = _hazard(client, city)
    step = {"hazard_id": hazard_id, "id": f.new_id(), "action": "start_rectification", "note": note}
    assert _push(client, city.manager, _op("hazard.transition", step))[0]["status"] == "applied"
    assert _status(client, city, hazard_id) == "rectifying"


def test_push_create_then_transitions_in_one_batch(client, city):
    body = _hazard_body(city)
    after = f.make_photo(sha256_hex(b"after photo"))  # the phone uploads photos before its ops
    db.session.commit()
    ops = [
        _op("hazard.create", body),
        _op(
            "hazard.transition", {"hazard_id": body["id"], "id": f.new_id(), "action": "start_rectification"}
        ),
        _op(
            "hazard.transition",
            {"hazard_id": body["id"], "id": f.new_id(), "action": "submit_rectification", "photos": [after]},
        ),
    ]
    assert [r["status"] for r in _push(client, city.manager, *ops)] == ["applied"] * 3
    assert _status(client, city, body["id"]) == "rectification_submitted"


@pytest.mark.parametrize(
    ("step", "code"),
    [
        ({"action": "verify"}, "invalid_state"),
        ({"action": "submit_rectification"}, "validation_failed"),
        ({"action": "fly"}, "validation_failed"),
        ({}, "validation_failed"),
    ],
    ids=["wrong_state", "no_photos", "unknown_action", "no_action"],
)
def test_push_rejects_a_bad_transition_and_keeps_the_hazard(client, city, step, code):
    hazard_id = _hazard(client, city)
    payload = {"hazard_id": hazard_id, "id": f.new_id()} | step
    [result] = _push(client, city.manager, _op("hazard.transition", payload))
    assert (result["status"], result["error"]["code"]) == ("rejected", code)
    assert _status(client, city, hazard_id) == "reported"


def test_push_transition_by_read_only_supervisor_is_rejected_forbidden(client, city):
    hazard_id = _hazard(client, city)
    payload = {"hazard_id": hazard_id, "id": f.new_id(), "action": "start_rectification"}
    [result] = _push(client, city.supervisor, _op("hazard.transition", payload))
    assert (result["status"], result["error"]["code"]) == ("rejected", "forbidden")


def test_push_transition_of_unseen_hazard_is_rejected_not_found(client, city):
    hazard_id = _hazard(client, city)
    payload = {"hazard_id": hazard_id, "id": f.new_id(), "action": "start_rectification"}
    [result] = _push(client, city.manager_x, _op("hazard.transition", payload))
    assert (result["status"], result["error"]["code"]) == ("rejected", "not_found")


def test_rejected_op_is_not_remembered_and_may_be_retried(client, city):
    body = _hazard_body(city, device_id=2_000_000)
    op = _op("hazard.create", body)
    assert _push(client, city.manager, op)[0]["status"] == "rejected"
    op["payload"]["device_id"] = city.dev_a.id
    assert _push(client, city.manager, op)[0]["status"] == "applied"


def test_push_with_more_than_200_ops_is_422(client, city):
    ops = [_op("hazard.create", _hazard_body(city)) for _ in range(201)]
    response = client.post("/api/sync/push", json={"ops": ops}, headers=auth(city.manager))
    assert response.status_code == 422
    assert "ops" in response.json["error"]["details"]["fields"]


@pytest.mark.parametrize(
    "op",
    [
        {"op_id": "not-a-uuid", "type": "hazard.create", "payload": {}},
        {"op_id": "00000000-0000-4000-8000-000000000001", "type": "hazard.create"},
        {"op_id": "00000000-0000-4000-8000-000000000002", "type": "hazard.create", "payload": [1]},
    ],
    ids=["bad_op_id", "no_payload", "payload_not_object"],
)
def test_push_with_malformed_op_envelope_is_422(client, city, op):
    response = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.manager))
    assert response.status_code == 422
    assert "ops" in response.json["error"]["details"]["fields"]


def test_enterprise_zone_move_reaches_the_new_zones_inspector_in_the_next_pull(client, feed):
    hazard = f.make_hazard(feed.ent_a, feed.manager)
    f.record_changes(hazard, feed.dev_x)  # dev_x moves other_inspector's cursor past the hazard
    db.session.commit()
    cursor = _pull(client, feed.other_inspector)["cursor"]
    body = {"zone_id": feed.other_zone.id, "block_id": None, "reason": "区划调整"}
    assert (
        client.patch(f"/api/enterprises/{feed.ent_a.id}", json=body, headers=auth(feed.admin)).status_code
        == 200
    )
    changes = _pull(client, feed.other_inspector, cursor)["changes"]
    assert {(c["entity"], c["id"]) for c in changes} >= {
        ("enterprise", str(feed.ent_a.id)),
        ("device", str(feed.dev_a.id)),
        ("hazard", hazard.id),
    }
    moved = next(c for c in changes if c["entity"] == "hazard")
    assert moved["data"]["zone_id"] == feed.other_zone.id


def test_a_peers_notice_reaches_a_supervisor_neither_as_record_nor_as_untrue_tombstone(client, feed):
    cursor = _pull(client, feed.supervisor)["cursor"]
    hazard = _hazard_body(feed, severity="major")
    assert client.post("/api/hazards", json=hazard, headers=auth(feed.inspector)).status_code == 201
    deadline = (today() + timedelta(days=10)).isoformat()
    body = {
        "kind": "rectification",
        "enterprise_id": feed.ent_a.id,
        "hazard_ids": [hazard["id"]],
        "deadline": deadline,
    }
    notice = client.post("/api/notices", json=body, headers=auth(feed.inspector))
    assert notice.status_code == 201, notice.json
    changes = _pull(client, feed.supervisor, cursor)["changes"]
    assert not any(c["deleted"] for c in changes)
    assert ("notice", str(notice.json["id"])) not in _keys({"changes": changes})
    assert ("hazard", hazard["id"]) in _keys({"changes": changes})  # a mutual check needs the peer's hazards
    assert ("notice", str(notice.json["id"])) in _keys(_pull(client, feed.manager, None))


# --- on the wire --------------------------------------------------------------------------------


def test_pull_goes_out_gzipped_to_a_phone_that_accepts_it_and_reads_the_same(client, feed):
    headers = auth(feed.inspector)
    plain = client.get("/api/sync/pull", headers=headers)
    zipped = client.get("/api/sync/pull", headers={**headers, "Accept-Encoding": "gzip, deflate, br"})
    assert len(plain.data) > 1024
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data) / 3
    assert json.loads(gzip.decompress(zipped.data)) == plain.json


def test_a_small_json_answer_goes_out_as_it_is(client, feed):
    response = client.get("/api/auth/me", headers={**auth(feed.manager), "Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.json["username"] == feed.manager.username
