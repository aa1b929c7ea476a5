"""Hazards through the API: the rectification loop table, idempotency, mutual checks, lists."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.core.clock import today
from backend.core.images import sha256_hex
from backend.extensions import db
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


AFTER_PHOTO = sha256_hex(b"after rectification")


@pytest.fixture(autouse=True)
def _after_photo_uploaded(city):
    f.make_photo(AFTER_PHOTO)
    db.session.commit()


#: the body each action needs to succeed
STEPS = {
    "start_rectification": {"note": "已安排维保单位"},
    "submit_rectification": {"note": "已更换", "photos": [AFTER_PHOTO]},
    "verify": {"note": "复查合格"},
    "return": {"reason": "整改照片不清晰"},
}
#: how a hazard reaches each status, by real transitions
PATHS = {
    "reported": [],
    "rectifying": ["start_rectification"],
    "rectification_submitted": ["start_rectification", "submit_rectification"],
    "verified_closed": ["start_rectification", "submit_rectification", "verify"],
}
#: action → statuses it may start from, status it leads to
SOURCES = {
    "start_rectification": ({"reported"}, "rectifying"),
    "submit_rectification": ({"reported", "rectifying"}, "rectification_submitted"),
    "verify": ({"rectification_submitted"}, "verified_closed"),
    "return": ({"rectification_submitted"}, "rectifying"),
}
#: a general hazard in ent_a reported by the zone inspector: role → (in scope, rectify, review)
ROLES = {
    "admin": (True, True, True),
    "inspector": (True, True, True),
    "other_inspector": (False, False, False),
    "manager": (True, True, False),
    "manager_x": (False, False, False),
    "supervisor": (True, False, False),  # a block peer: may see, may not act
}


def _expected(role: str, action: str, status: str) -> int:
    in_scope, rectify, review = ROLES[role]
    if not in_scope:
        return 404
    if status not in SOURCES[action][0]:
        return 409
    permitted = rectify if action in ("start_rectification", "submit_rectification") else review
    return 200 if permitted else 403


def _report(client, user, device, **overrides) -> dict:
    body = {
        "id": f.new_id(),
        "device_id": device.id,
        "category": "电梯",
        "severity": "general",
        "description": "门锁回路短接",
    } | overrides
    response = client.post("/api/hazards", json=body, headers=auth(user))
    assert response.status_code == 201, response.json
    return response.json


def _step(client, user, hazard_id: str, action: str, **body):
    payload = {"id": f.new_id(), "action": action} | STEPS[action] | body
    return client.post(f"/api/hazards/{hazard_id}/transitions", json=payload, headers=auth(user))


def _hazard_in(client, city, status: str, reporter=None, device=None, **overrides) -> str:
    hazard = _report(client, reporter or city.inspector, device or city.dev_a, **overrides)
    for action in PATHS[status]:
        assert _step(client, city.admin, hazard["id"], action).status_code == 200
    return hazard["id"]


def _get(client, city, hazard_id: str) -> dict:
    return client.get(f"/api/hazards/{hazard_id}", headers=auth(city.admin)).json


@pytest.mark.parametrize("status", list(PATHS))
@pytest.mark.parametrize("action", list(STEPS))
@pytest.mark.parametrize("role", list(ROLES))
def test_transition_table(client, city, role, action, status):
    hazard_id = _hazard_in(client, city, status)
    events = len(_get(client, city, hazard_id)["events"])
    response = _step(client, getattr(city, role), hazard_id, action)
    expected = _expected(role, action, status)
    assert response.status_code == expected, response.json
    after = _get(client, city, hazard_id)
    if expected == 200:
        assert response.json["status"] == after["status"] == SOURCES[action][1]
        assert len(after["events"]) == events + 1
    else:
        assert (
            response.json["error"]["code"]
            == {404: "not_found", 409: "invalid_state", 403: "forbidden"}[expected]
        )
        assert (after["status"], len(after["events"])) == (status, events)


@pytest.mark.parametrize("status", list(PATHS))
@pytest.mark.parametrize("role", ["admin", "inspector", "manager", "supervisor"])
def test_allowed_actions_in_the_record_match_the_table(client, city, role, status):
    hazard_id = _hazard_in(client, city, status)
    record = client.get(f"/api/hazards/{hazard_id}", headers=auth(getattr(city, role))).json
    expected = [a for a in STEPS if _expected(role, a, status) == 200]
    assert record["allowed_actions"] == expected


def test_events_record_the_whole_loop(client, city):
    hazard_id = _hazard_in(client, city, "verified_closed")
    hazard = _get(client, city, hazard_id)
    assert [(e["action"], e["from_status"], e["to_status"]) for e in hazard["events"]] == [
        ("report", None, "reported"),
        ("start_rectification", "reported", "rectifying"),
        ("submit_rectification", "rectifying", "rectification_submitted"),
        ("verify", "rectification_submitted", "verified_closed"),
    ]
    assert hazard["closed_at"] is not None
    assert [(p["sha256"], p["stage"]) for p in hazard["photos"]] == [(AFTER_PHOTO, "after")]


def test_return_sends_it_back_with_the_reason_and_reopens(client, city):
    hazard_id = _hazard_in(client, city, "rectification_submitted")
    response = _step(client, city.inspector, hazard_id, "return", reason="护栏未加固")
    assert response.json["status"] == "rectifying"
    assert response.json["events"][-1]["reason"] == "护栏未加固"
    assert response.json["closed_at"] is None


# --- idempotency --------------------------------------------------------------------------------


def test_same_hazard_id_and_body_twice_is_200_with_the_first_result(client, city):
    body = {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "轿厢照明不亮",
    }
    first = client.post("/api/hazards", json=body, headers=auth(city.manager))
    again = client.post("/api/hazards", json=body, headers=auth(city.manager))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert again.json["created_at"] == first.json["created_at"]
    assert client.get("/api/hazards", headers=auth(city.manager)).json["total"] == 1


@pytest.mark.parametrize(
    "change",
    [{"description": "另一个问题"}, {"severity": "major"}, {"device_id": None}],
    ids=["description", "severity", "device"],
)
def test_same_hazard_id_with_other_content_is_409(client, city, change):
    body = {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "轿厢照明不亮",
    }
    client.post("/api/hazards", json=body, headers=auth(city.manager))
    response = client.post("/api/hazards", json=body | change, headers=auth(city.manager))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"


def test_same_hazard_id_from_another_user_is_409(client, city):
    body = {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "轿厢照明不亮",
    }
    client.post("/api/hazards", json=body, headers=auth(city.manager))
    assert client.post("/api/hazards", json=body, headers=auth(city.inspector)).status_code == 409


def test_same_transition_id_twice_is_200_without_a_new_event(client, city):
    hazard_id = _hazard_in(client, city, "reported")
    step_id = f.new_id()
    first = _step(client, city.manager, hazard_id, "start_rectification", id=step_id)
    again = _step(client, city.manager, hazard_id, "start_rectification", id=step_id)
    assert (first.status_code, again.status_code) == (200, 200)
    assert len(again.json["events"]) == len(first.json["events"]) == 2
    assert again.json["status"] == "rectifying"


def test_same_transition_id_with_other_content_is_409(client, city):
    hazard_id = _hazard_in(client, city, "reported")
    step_id = f.new_id()
    _step(client, city.manager, hazard_id, "start_rectification", id=step_id)
    response = _step(client, city.manager, hazard_id, "start_rectification", id=step_id, note="改了")
    assert response.status_code == 409


def test_transition_id_reused_on_another_hazard_is_409(client, city):
    first, second = _hazard_in(client, city, "reported"), _hazard_in(client, city, "reported")
    step_id = f.new_id()
    _step(client, city.manager, first, "start_rectification", id=step_id)
    response = _step(client, city.manager, second, "start_rectification", id=step_id)
    assert response.status_code == 409
    assert _get(client, city, second)["status"] == "reported"


# --- required evidence --------------------------------------------------------------------------


@pytest.mark.parametrize("photos", [[], None], ids=["empty", "missing"])
def test_submit_without_after_photos_is_422(client, city, photos):
    hazard_id = _hazard_in(client, city, "rectifying")
    body = {"photos": photos} if photos is not None else {}
    payload = {"id": f.new_id(), "action": "submit_rectification", "note": "已整改"} | body
    response = client.post(f"/api/hazards/{hazard_id}/transitions", json=payload, headers=auth(city.manager))
    assert response.status_code == 422
    assert "photos" in response.json["error"]["details"]["fields"]
    assert _get(client, city, hazard_id)["status"] == "rectifying"


@pytest.mark.parametrize("reason", ["", "   ", None], ids=["empty", "blank", "null"])
def test_return_without_reason_is_422(client, city, reason):
    hazard_id = _hazard_in(client, city, "rectification_submitted")
    response = _step(client, city.inspector, hazard_id, "return", reason=reason)
    assert response.status_code == 422
    assert "reason" in response.json["error"]["details"]["fields"]
    assert _get(client, city, hazard_id)["status"] == "rectification_submitted"


def test_transition_with_null_note_is_accepted(client, city):
    hazard_id = _hazard_in(client, city, "reported")
    response = _step(client, city.manager, hazard_id, "start_rectification", note=None)
    assert response.status_code == 200
    assert response.json["events"][-1]["note"] == ""


# --- mutual checks (互查) ------------------------------------------------------------------------


def _supervisor_finding(client, city, severity: str, device=None) -> str:
    f.assign_mutual_check(city.supervisor, city.ent_a)
    db.session.commit()
    return _hazard_in(
        client,
        city,
        "rectification_submitted",
        reporter=city.supervisor,
        device=device or city.dev_a,
        severity=severity,
        source="mutual_check",
    )


@pytest.mark.parametrize("action", ["verify", "return"])
def test_block_supervisor_reviews_general_hazard_they_found_in_a_peer(client, city, action):
    hazard_id = _supervisor_finding(client, city, "general")
    response = _step(client, city.supervisor, hazard_id, action)
    assert response.status_code == 200, response.json
    assert response.json["status"] == SOURCES[action][1]


def test_block_supervisor_may_not_verify_a_major_hazard_they_found(client, city):
    hazard_id = _supervisor_finding(client, city, "major")
    assert _step(client, city.supervisor, hazard_id, "verify").status_code == 403
    assert _step(client, city.inspector, hazard_id, "verify").status_code == 200


def test_block_supervisor_may_not_verify_in_their_own_enterprise(client, city):
    hazard_id = _supervisor_finding(client, city, "general", device=city.dev_b)
    assert _step(client, city.supervisor, hazard_id, "verify").status_code == 403


def test_block_supervisor_may_not_verify_a_peer_hazard_someone_else_found(client, city):
    hazard_id = _hazard_in(client, city, "rectification_submitted", reporter=city.manager)
    assert _step(client, city.supervisor, hazard_id, "verify").status_code == 403


def test_block_supervisor_may_not_report_outside_the_block(client, city):
    body = {
        "id": f.new_id(),
        "device_id": city.dev_c.id,
        "category": "电梯",
        "severity": "general",
        "description": "区块外设备",
    }
    assert client.post("/api/hazards", json=body, headers=auth(city.supervisor)).status_code == 404


# --- report -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("severity", "days"), [("general", 15), ("major", 30)])
def test_deadline_defaults_by_severity(client, city, severity, days):
    hazard = _report(client, city.inspector, city.dev_a, severity=severity)
    assert hazard["deadline"] == (today() + timedelta(days=days)).isoformat()
    assert hazard["is_overdue"] is False


def test_given_deadline_is_kept(client, city):
    deadline = (today() + timedelta(days=3)).isoformat()
    assert _report(client, city.inspector, city.dev_a, deadline=deadline)["deadline"] == deadline


def _report_status(client, city, **extra) -> int:
    body = {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "离线上报",
        **extra,
    }
    return client.post("/api/hazards", json=body, headers=auth(city.inspector)).status_code


def test_offline_report_may_keep_the_deadline_of_the_day_it_was_recorded(client, city):
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert _report_status(client, city, deadline=yesterday, recorded_on=yesterday) == 201


def test_deadline_before_the_recorded_day_is_422(client, city):
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert _report_status(client, city, deadline=yesterday) == 422
    assert _report_status(client, city, deadline=yesterday, recorded_on=today().isoformat()) == 422


def test_recorded_day_cannot_backdate_a_deadline_beyond_the_grace_window(client, city):
    long_ago = (today() - timedelta(days=60)).isoformat()
    assert _report_status(client, city, deadline=long_ago, recorded_on=long_ago) == 422


def test_report_without_device_goes_to_the_managers_own_enterprise(client, city):
    body = {"id": f.new_id(), "category": "管理", "severity": "general", "description": "未建立台账"}
    response = client.post("/api/hazards", json=body, headers=auth(city.manager))
    assert response.status_code == 201
    assert (response.json["enterprise_id"], response.json["device_id"]) == (city.ent_a.id, None)


def test_report_with_device_of_another_enterprise_id_is_422(client, city):
    body = {
        "id": f.new_id(),
        "device_id": city.dev_a.id,
        "enterprise_id": city.ent_b.id,
        "category": "电梯",
        "severity": "general",
        "description": "企业与设备不符",
    }
    assert client.post("/api/hazards", json=body, headers=auth(city.admin)).status_code == 422


def test_report_counts_as_an_open_hazard_of_the_device(client, city):
    _report(client, city.inspector, city.dev_a)
    device = client.get(f"/api/devices/{city.dev_a.id}", headers=auth(city.manager)).json
    assert device["open_hazards"] == 1


def test_before_photos_come_with_signed_links(client, city):
    photo = sha256_hex(b"before")
    hazard = _report(client, city.manager, city.dev_a, photos=[photo, photo])
    assert [(p["sha256"], p["stage"]) for p in hazard["photos"]] == [(photo, "before")]
    assert hazard["photos"][0]["thumbnail_url"].startswith(f"/api/photos/{photo}/thumb?exp=")


# --- list filters -------------------------------------------------------------------------------


@pytest.fixture
def listed(client, city) -> dict[str, str]:
    late = f.make_hazard(city.ent_a, city.inspector, deadline=today() - timedelta(days=1))
    late_closed = f.make_hazard(
        city.ent_a, city.inspector, deadline=today() - timedelta(days=1), status="verified_closed"
    )
    db.session.commit()
    return {
        "reported": _hazard_in(client, city, "reported"),
        "major": _hazard_in(client, city, "rectifying", severity="major"),
        "submitted": _hazard_in(client, city, "rectification_submitted"),
        "mutual": _supervisor_finding(client, city, "general"),
        "closed": _hazard_in(client, city, "verified_closed"),
        "late": late.id,
        "late_closed": late_closed.id,
    }


def _found(client, user, query: str) -> set[str]:
    response = client.get(f"/api/hazards?{query}", headers=auth(user))
    assert response.status_code == 200, response.json
    return {h["id"] for h in response.json["items"]}


OPEN = {"reported", "major", "submitted", "mutual", "late"}


@pytest.mark.parametrize(
    ("user", "query", "expected"),
    [
        ("admin", "open=true", OPEN),
        ("admin", "open=false", {"closed", "late_closed"}),
        ("admin", "overdue=true", {"late"}),
        ("admin", "severity=major", {"major"}),
        ("admin", "status=rectifying", {"major"}),
        ("inspector", "awaiting_verification=true", {"submitted", "mutual"}),
        ("supervisor", "awaiting_verification=true", {"mutual"}),
        ("manager", "awaiting_verification=true", set()),
        ("other_inspector", "open=true", set()),
        ("manager", "open=true&severity=general", OPEN - {"major"}),
    ],
    ids=[
        "open",
        "closed",
        "overdue",
        "severity",
        "status",
        "awaiting_inspector",
        "awaiting_supervisor",
        "awaiting_manager",
        "out_of_zone",
        "combined",
    ],
)
def test_hazard_list_filters(client, city, listed, user, query, expected):
    assert _found(client, getattr(city, user), query) == {listed[name] for name in expected}


def test_overdue_flag_in_the_record(client, city, listed):
    assert _get(client, city, listed["late"])["is_overdue"] is True
    assert _get(client, city, listed["late_closed"])["is_overdue"] is False


@pytest.mark.parametrize("query", ["status=open", "severity=critical", "open=maybe"])
def test_hazard_list_refuses_bad_filter_with_422(client, city, query):
    assert client.get(f"/api/hazards?{query}", headers=auth(city.admin)).status_code == 422


def test_hazard_list_filters_by_source(client, city):
    from_check = f.make_hazard(city.ent_a, city.manager, source="self_check")
    f.make_hazard(city.ent_a, city.inspector, source="inspection")
    db.session.commit()
    response = client.get("/api/hazards?source=self_check", headers=auth(city.inspector))
    assert [h["id"] for h in response.json["items"]] == [from_check.id]


def test_hazard_list_rejects_an_unknown_source_with_422(client, city):
    response = client.get("/api/hazards?source=gossip", headers=auth(city.inspector))
    assert response.status_code == 422
    assert "source" in response.json["error"]["details"]["fields"]
