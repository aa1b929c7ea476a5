"""Checks through the API: checklists, self-checks, mutual checks, inspections, acceptance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.core.clock import today
from backend.core.images import sha256_hex
from backend.evidence.services import verify_chain
from backend.extensions import db
from backend.inspections.models import Check, ChecklistTemplate, MutualCheckAssignment
from backend.inspections.services import check_evidence_problem, install_default_templates
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


PHOTO = sha256_hex(b"a worn rope")


def certify(user, expires_on: date | None = None):
    """Give a block supervisor a person record with a supervisor certificate."""
    expires_on = expires_on or today() + timedelta(days=365)
    person = f.make_person(user.enterprise, ("block_supervisor", expires_on))
    user.person_id = person.id
    db.session.commit()
    return user


@pytest.fixture
def templates(city):
    install_default_templates()
    db.session.commit()
    by_code = {t.code: t for t in db.session.query(ChecklistTemplate)}
    return by_code


def answers(template: ChecklistTemplate, failed: dict[str, list[str]] | None = None) -> list[dict]:
    failed = failed or {}
    return [
        {"code": c, "result": "fail", "note": "不符合", "photos": failed[c]}
        if c in failed
        else {"code": c, "result": "pass"}
        for c in template.item_codes
    ]


def daily_body(city, template, **overrides) -> dict:
    return {
        "id": f.new_id(),
        "kind": "self_check",
        "subkind": "daily",
        "template_id": template.id,
        "device_id": city.dev_a.id,
        "items": answers(template),
    } | overrides


@pytest.fixture
def cycle(client, city, templates):
    certify(city.supervisor)
    body = {
        "name": "2026年第一轮互查",
        "starts_on": today().isoformat(),
        "due_on": (today() + timedelta(days=30)).isoformat(),
        "seed": 42,
    }
    response = client.post("/api/mutual-check-cycles", json=body, headers=auth(city.inspector))
    assert response.status_code == 201, response.json
    return response.json


def mutual_body(cycle, templates, failed=None, **overrides) -> dict:
    template = templates["enterprise_baseline"]
    task = next(a for a in cycle["assignments"] if a["supervisor_id"])
    return {
        "id": f.new_id(),
        "kind": "mutual_check",
        "template_id": template.id,
        "assignment_id": task["id"],
        "signed_by": "李监督",
        "items": answers(template, failed),
    } | overrides


def test_default_checklists_cover_the_six_model_requirements_in_chinese(client, city, templates):
    response = client.get("/api/checklist-templates", headers=auth(city.manager))
    assert response.status_code == 200
    by_code = {t["code"]: t for t in response.json["items"]}
    baseline = by_code["enterprise_baseline"]
    assert [s["title"][:2] for s in baseline["sections"]] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert {
        "device_elevator",
        "device_boiler",
        "device_pressure_vessel",
        "device_crane",
        "device_field_vehicle",
        "weekly_investigation",
        "monthly_dispatch",
    } <= set(by_code)


def test_publishing_a_template_makes_a_new_version_and_old_checks_keep_theirs(client, city, templates):
    old = templates["device_elevator"]
    client.post("/api/checks", json=daily_body(city, old), headers=auth(city.manager))
    body = {
        "code": "device_elevator",
        "title": "电梯日常检查表（2026版）",
        "sections": [
            {"code": "e", "title": "日常检查", "items": [{"code": "e.sign", "text": "使用标志在有效期内"}]}
        ],
    }
    response = client.post("/api/checklist-templates", json=body, headers=auth(city.admin))
    assert response.status_code == 201
    assert (response.json["version"], response.json["purpose"]) == (2, "daily_device")
    current = client.get("/api/checklist-templates?code=device_elevator", headers=auth(city.manager)).json
    assert [t["version"] for t in current["items"]] == [2]
    listed = client.get("/api/checks", headers=auth(city.manager)).json["items"]
    assert (listed[0]["template_version"], listed[0]["template_id"]) == (1, old.id)


def test_listing_templates_never_installs_the_defaults(client, city):
    response = client.get("/api/checklist-templates", headers=auth(city.manager))
    assert (response.status_code, response.json["items"]) == (200, [])
    assert db.session.query(ChecklistTemplate).count() == 0


def test_the_install_command_publishes_the_defaults_once(app, city):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["checklists", "install"])
    again = runner.invoke(args=["checklists", "install"])
    assert first.exit_code == 0 and again.exit_code == 0
    codes = [t.code for t in db.session.query(ChecklistTemplate)]
    assert "enterprise_baseline" in codes and len(codes) == len(set(codes))


def test_template_list_says_who_published_each_version(client, city, templates):
    body = {
        "code": "device_elevator",
        "title": "电梯日常检查表（2026版）",
        "sections": [
            {"code": "e", "title": "日常检查", "items": [{"code": "e.sign", "text": "使用标志有效"}]}
        ],
    }
    client.post("/api/checklist-templates", json=body, headers=auth(city.admin))
    items = client.get(
        "/api/checklist-templates?code=device_elevator&all_versions=true", headers=auth(city.admin)
    ).json["items"]
    assert [(t["version"], t["published_by"]) for t in items] == [(1, None), (2, city.admin.display_name)]


def test_an_optional_item_may_be_left_unanswered_but_a_required_one_may_not(client, city, templates):
    body = {
        "code": "device_elevator",
        "title": "电梯日常检查表（2026版）",
        "sections": [
            {
                "code": "e",
                "title": "日常检查",
                "items": [
                    {"code": "e.sign", "text": "使用标志有效"},
                    {"code": "e.extra", "text": "轿厢清洁（选填）", "required": False},
                ],
            }
        ],
    }
    template = client.post("/api/checklist-templates", json=body, headers=auth(city.admin)).json
    assert [i["required"] for i in template["sections"][0]["items"]] == [True, False]
    only_required = daily_body(
        city,
        templates["device_elevator"],
        template_id=template["id"],
        items=[{"code": "e.sign", "result": "pass"}],
    )
    assert client.post("/api/checks", json=only_required, headers=auth(city.manager)).status_code == 201
    only_optional = only_required | {"id": f.new_id(), "items": [{"code": "e.extra", "result": "pass"}]}
    response = client.post("/api/checks", json=only_optional, headers=auth(city.manager))
    assert response.status_code == 422
    assert "e.sign" in response.json["error"]["details"]["fields"]["items"]


def test_only_bureau_admins_publish_templates(client, city, templates):
    body = {
        "code": "x_new",
        "title": "新检查表",
        "sections": [{"code": "a", "title": "一", "items": [{"code": "a.1", "text": "检查项一"}]}],
    }
    response = client.post("/api/checklist-templates", json=body, headers=auth(city.inspector))
    assert response.status_code == 403


def test_daily_self_check_with_a_failed_item_raises_a_hazard_with_its_photos(client, city, templates):
    template = templates["device_elevator"]
    body = daily_body(city, template, items=answers(template, {"elevator.doors": [PHOTO]}))
    response = client.post("/api/checks", json=body, headers=auth(city.manager))
    assert response.status_code == 201, response.json
    assert (response.json["result"], response.json["failed_items"]) == ("fail", 1)
    hazard_id = response.json["hazard_ids"][0]
    hazard = client.get(f"/api/hazards/{hazard_id}", headers=auth(city.manager)).json
    assert (hazard["source"], hazard["device_id"]) == ("self_check", city.dev_a.id)
    assert [p["sha256"] for p in hazard["photos"]] == [PHOTO]
    assert "层门" in hazard["description"]


def test_resubmitting_a_check_is_idempotent_and_other_content_conflicts(client, city, templates):
    body = daily_body(city, templates["device_elevator"])
    first = client.post("/api/checks", json=body, headers=auth(city.manager))
    again = client.post("/api/checks", json=body, headers=auth(city.manager))
    changed = client.post("/api/checks", json=body | {"summary": "改了"}, headers=auth(city.manager))
    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 409)
    assert db.session.query(Check).count() == 1


def test_self_check_of_another_enterprises_device_is_not_found(client, city, templates):
    body = daily_body(city, templates["device_elevator"], device_id=city.dev_b.id)
    assert client.post("/api/checks", json=body, headers=auth(city.manager)).status_code == 404


def test_incomplete_checklist_is_refused_with_the_items_named(client, city, templates):
    template = templates["device_elevator"]
    body = daily_body(city, template, items=answers(template)[1:])
    response = client.post("/api/checks", json=body, headers=auth(city.manager))
    assert response.status_code == 422
    assert list(response.json["error"]["details"]["fields"]["items"]) == [template.item_codes[0]]


def test_daily_checklist_must_match_the_device_category(client, city, templates):
    body = daily_body(city, templates["device_boiler"], items=answers(templates["device_boiler"]))
    response = client.post("/api/checks", json=body, headers=auth(city.manager))
    assert response.status_code == 422
    assert "template_id" in response.json["error"]["details"]["fields"]


def test_self_check_status_shows_due_today_and_counts_per_zone(client, city, templates):
    body = daily_body(city, templates["device_elevator"])
    client.post("/api/checks", json=body, headers=auth(city.manager))
    mine = client.get("/api/self-checks/status", headers=auth(city.manager)).json
    [row] = mine["enterprises"]
    assert row["enterprise_id"] == city.ent_a.id
    assert row["daily"]["due"] == 0 and row["weekly"]["due"] is True and row["monthly"]["due"] is True
    zone = client.get("/api/self-checks/status", headers=auth(city.inspector)).json
    [zone_row] = zone["zones"]
    assert (zone_row["zone_id"], zone_row["enterprises"], zone_row["daily_due"]) == (city.zone.id, 3, 2)


def test_weekly_and_monthly_self_checks_clear_their_due_flags(client, city, templates):
    for code, rhythm in (("weekly_investigation", "weekly"), ("monthly_dispatch", "monthly")):
        template = templates[code]
        body = {
            "id": f.new_id(),
            "kind": "self_check",
            "subkind": rhythm,
            "template_id": template.id,
            "items": answers(template),
        }
        assert client.post("/api/checks", json=body, headers=auth(city.manager)).status_code == 201
    [row] = client.get("/api/self-checks/status", headers=auth(city.manager)).json["enterprises"]
    assert row["weekly"]["due"] is False and row["monthly"]["due"] is False


def test_opening_a_cycle_assigns_the_certified_supervisor_to_the_other_enterprise(client, city, cycle):
    by_enterprise = {a["enterprise_id"]: a["supervisor_id"] for a in cycle["assignments"]}
    assert by_enterprise == {city.ent_a.id: city.supervisor.id, city.ent_b.id: None}
    assert cycle["unassigned"] == [city.ent_b.id]
    tasks = client.get("/api/mutual-check-assignments?mine=true", headers=auth(city.supervisor)).json
    assert [t["enterprise_id"] for t in tasks["items"]] == [city.ent_a.id]


def test_opening_a_cycle_for_an_unknown_zone_is_a_clear_422(client, city):
    day = today().isoformat()
    body = {"name": "第二轮", "zone_id": 99999, "starts_on": day, "due_on": day}
    response = client.post("/api/mutual-check-cycles", json=body, headers=auth(city.admin))
    assert response.status_code == 422
    assert "zone_id" in response.json["error"]["details"]["fields"]


def test_a_supervisor_with_an_expired_certificate_is_not_drawn(client, city, templates):
    certify(city.supervisor, expires_on=today() - timedelta(days=1))
    body = {"name": "第二轮", "starts_on": today().isoformat(), "due_on": today().isoformat()}
    response = client.post("/api/mutual-check-cycles", json=body, headers=auth(city.inspector))
    assert all(a["supervisor_id"] is None for a in response.json["assignments"])


def test_assigning_a_supervisor_with_an_expired_certificate_is_a_clear_422(client, city, cycle):
    other = f.make_user("block_supervisor", enterprise=city.ent_b)
    certify(other, expires_on=today() - timedelta(days=1))
    task = next(a for a in cycle["assignments"] if a["enterprise_id"] == city.ent_a.id)
    response = client.put(
        f"/api/mutual-check-assignments/{task['id']}/supervisor",
        json={"supervisor_id": other.id},
        headers=auth(city.inspector),
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "supervisor_not_eligible"
    assert "过期" in response.json["error"]["message"]


def test_reassigning_a_task_answers_with_the_new_supervisor(client, city, cycle):
    other = f.make_user("block_supervisor", enterprise=city.ent_b)
    other.display_name = "新监督员"
    db.session.commit()
    certify(other, expires_on=today() + timedelta(days=365))
    task = next(a for a in cycle["assignments"] if a["enterprise_id"] == city.ent_a.id)
    assert task["supervisor_name"] != "新监督员"
    response = client.put(
        f"/api/mutual-check-assignments/{task['id']}/supervisor",
        json={"supervisor_id": other.id},
        headers=auth(city.inspector),
    )
    assert response.status_code == 200, response.json
    assert (response.json["supervisor_id"], response.json["supervisor_name"]) == (other.id, "新监督员")


def test_a_supervisor_cannot_be_assigned_to_their_own_enterprise(client, city, cycle):
    task = next(a for a in cycle["assignments"] if a["enterprise_id"] == city.ent_b.id)
    response = client.put(
        f"/api/mutual-check-assignments/{task['id']}/supervisor",
        json={"supervisor_id": city.supervisor.id},
        headers=auth(city.inspector),
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "supervisor_not_eligible"


def test_mutual_check_result_is_signed_and_visible_to_the_inspected_enterprise_and_zone(
    client, city, cycle, templates
):
    codes = templates["enterprise_baseline"].item_codes
    body = mutual_body(cycle, templates, {codes[0]: [PHOTO], codes[5]: [PHOTO]})
    response = client.post("/api/checks", json=body, headers=auth(city.supervisor))
    assert response.status_code == 201, response.json
    assert (response.json["signed_by"], len(response.json["hazard_ids"])) == ("李监督", 2)
    for user, status in (
        (city.manager, 200),
        (city.inspector, 200),
        (city.other_inspector, 404),
        (city.manager_x, 404),
    ):
        assert client.get(f"/api/checks/{body['id']}", headers=auth(user)).status_code == status
    hazards = client.get("/api/hazards", headers=auth(city.manager)).json["items"]
    assert {h["source"] for h in hazards} == {"mutual_check"} and len(hazards) == 2
    assert db.session.get(MutualCheckAssignment, body["assignment_id"]).check_id == body["id"]


def test_mutual_check_needs_the_supervisors_sign_off(client, city, cycle, templates):
    body = mutual_body(cycle, templates, signed_by="")
    response = client.post("/api/checks", json=body, headers=auth(city.supervisor))
    assert response.status_code == 422
    assert "signed_by" in response.json["error"]["details"]["fields"]


def test_a_mutual_check_with_an_unanswered_item_is_refused_and_its_task_stays_open(
    client, city, cycle, templates
):
    codes = templates["enterprise_baseline"].item_codes
    body = mutual_body(cycle, templates)
    body["items"] = [a for a in body["items"] if a["code"] not in (codes[3], codes[-1])]
    response = client.post("/api/checks", json=body, headers=auth(city.supervisor))
    assert response.status_code == 422
    error = response.json["error"]
    assert (error["code"], bool(error["message"])) == ("validation_failed", True)
    assert set(error["details"]["fields"]["items"]) == {codes[3], codes[-1]}
    assert db.session.get(Check, body["id"]) is None
    assert db.session.get(MutualCheckAssignment, body["assignment_id"]).check_id is None


def test_an_unanswered_mutual_check_op_is_rejected_alone_and_the_complete_one_beside_it_applies(
    client, city, cycle, templates
):
    codes = templates["enterprise_baseline"].item_codes
    partial = mutual_body(cycle, templates)
    partial["items"] = partial["items"][:1]
    complete = mutual_body(cycle, templates)
    ops = [{"op_id": f.new_id(), "type": "check.submit", "payload": body} for body in (partial, complete)]
    response = client.post("/api/sync/push", json={"ops": ops}, headers=auth(city.supervisor))
    rejected, applied = response.json["results"]
    assert (response.status_code, rejected["status"], applied["status"]) == (200, "rejected", "applied")
    assert rejected["error"]["code"] == "validation_failed"
    assert set(rejected["error"]["details"]["fields"]["items"]) == set(codes[1:])
    assert db.session.get(Check, partial["id"]) is None
    assert db.session.get(MutualCheckAssignment, partial["assignment_id"]).check_id == complete["id"]


def test_another_supervisors_task_is_not_found(client, city, cycle, templates):
    other = certify(f.make_user("block_supervisor", enterprise=city.ent_b))
    response = client.post("/api/checks", json=mutual_body(cycle, templates), headers=auth(other))
    assert response.status_code == 404


def test_the_inspected_enterprise_cannot_fill_in_its_own_mutual_check(client, city, cycle, templates):
    response = client.post("/api/checks", json=mutual_body(cycle, templates), headers=auth(city.manager))
    assert response.status_code == 403


def test_a_correction_is_a_new_version_and_the_original_stays(client, city, cycle, templates):
    first = mutual_body(cycle, templates)
    client.post("/api/checks", json=first, headers=auth(city.supervisor))
    fix = mutual_body(cycle, templates, supersedes_id=first["id"], summary="补充说明")
    response = client.post("/api/checks", json=fix, headers=auth(city.supervisor))
    assert response.status_code == 201
    assert (response.json["version"], response.json["supersedes_id"]) == (2, first["id"])
    original = client.get(f"/api/checks/{first['id']}", headers=auth(city.inspector)).json
    assert (original["summary"], original["superseded_by"]) == ("", fix["id"])
    again = mutual_body(cycle, templates, supersedes_id=first["id"])
    assert client.post("/api/checks", json=again, headers=auth(city.supervisor)).status_code == 409


def test_checks_enter_the_evidence_chain_and_an_edit_breaks_it(client, city, templates):
    body = daily_body(city, templates["device_elevator"])
    client.post("/api/checks", json=body, headers=auth(city.manager))
    assert verify_chain({"check.": check_evidence_problem}).ok
    db.session.get(Check, body["id"]).result = "fail"
    db.session.commit()
    report = verify_chain({"check.": check_evidence_problem})
    assert not report.ok and "altered" in report.problem


def test_inspectors_do_supervisory_inspections_and_managers_may_not(client, city, templates):
    template = templates["enterprise_baseline"]
    body = {
        "id": f.new_id(),
        "kind": "inspection",
        "subkind": "special",
        "template_id": template.id,
        "enterprise_id": city.ent_a.id,
        "signed_by": "王监察",
        "items": answers(template),
    }
    assert client.post("/api/checks", json=body, headers=auth(city.manager)).status_code == 403
    assert client.post("/api/checks", json=body, headers=auth(city.other_inspector)).status_code == 404
    response = client.post("/api/checks", json=body, headers=auth(city.inspector))
    assert (response.status_code, response.json["subkind"]) == (201, "special")


def test_bureau_acceptance_makes_the_enterprise_a_model_enterprise(client, city, templates):
    template = templates["enterprise_baseline"]
    body = {
        "id": f.new_id(),
        "kind": "acceptance",
        "template_id": template.id,
        "enterprise_id": city.ent_a.id,
        "signed_by": "市局验收组",
        "items": answers(template),
    }
    assert (
        client.post("/api/checks", json=body | {"id": f.new_id()}, headers=auth(city.inspector)).status_code
        == 403
    )
    assert client.post("/api/checks", json=body, headers=auth(city.admin)).status_code == 201
    enterprise = client.get(f"/api/enterprises/{city.ent_a.id}", headers=auth(city.manager)).json
    assert (enterprise["model_status"], enterprise["model_accepted_on"]) == ("accepted", today().isoformat())
    history = client.get(f"/api/enterprises/{city.ent_a.id}/history", headers=auth(city.manager)).json
    status = next(h for h in history if h["field"] == "model_status")
    assert (status["before"], status["after"], status["actor"]) == ("none", "accepted", city.admin.username)
    assert "示范单位验收通过" in status["reason"]


def test_a_mutual_check_done_after_the_due_date_is_accepted_and_marked_late(client, city, templates):
    certify(city.supervisor)
    body = {
        "name": "上一轮互查",
        "starts_on": (today() - timedelta(days=20)).isoformat(),
        "due_on": (today() - timedelta(days=1)).isoformat(),
        "seed": 7,
    }
    cycle = client.post("/api/mutual-check-cycles", json=body, headers=auth(city.inspector)).json
    late = mutual_body(cycle, templates)
    on_time = mutual_body(cycle, templates) | {"performed_on": cycle["due_on"]}
    assert client.post("/api/checks", json=late, headers=auth(city.supervisor)).status_code == 201
    shown = client.get(f"/api/mutual-check-cycles/{cycle['id']}", headers=auth(city.inspector)).json
    task = next(a for a in shown["assignments"] if a["id"] == late["assignment_id"])
    assert (task["done"], task["late"]) == (True, True)
    [brief] = client.get("/api/mutual-check-cycles", headers=auth(city.inspector)).json["items"]
    assert (brief["done"], brief["done_on_time"]) == (1, 0)
    fix = on_time | {"supersedes_id": late["id"]}
    assert client.post("/api/checks", json=fix, headers=auth(city.supervisor)).status_code == 201
    assert db.session.get(MutualCheckAssignment, late["assignment_id"]).late is True


def test_a_mutual_check_done_by_the_due_date_is_on_time_even_if_it_syncs_later(client, city, templates):
    certify(city.supervisor)
    body = {
        "name": "上一轮互查",
        "starts_on": (today() - timedelta(days=20)).isoformat(),
        "due_on": (today() - timedelta(days=1)).isoformat(),
        "seed": 7,
    }
    cycle = client.post("/api/mutual-check-cycles", json=body, headers=auth(city.inspector)).json
    check = mutual_body(cycle, templates) | {"performed_on": cycle["due_on"]}
    assert client.post("/api/checks", json=check, headers=auth(city.supervisor)).status_code == 201
    [brief] = client.get("/api/mutual-check-cycles", headers=auth(city.inspector)).json["items"]
    assert (brief["done"], brief["done_on_time"]) == (1, 1)


def test_device_record_shows_last_self_check_and_last_mutual_check(client, city, cycle, templates):
    before = client.get(f"/api/devices/{city.dev_a.id}", headers=auth(city.manager)).json
    assert (before["last_self_check"], before["last_mutual_check"]) == (None, None)
    yesterday = (today() - timedelta(days=1)).isoformat()
    client.post(
        "/api/checks",
        json=daily_body(city, templates["device_elevator"], performed_on=yesterday),
        headers=auth(city.manager),
    )
    codes = templates["enterprise_baseline"].item_codes
    client.post(
        "/api/checks", json=mutual_body(cycle, templates, {codes[1]: [PHOTO]}), headers=auth(city.supervisor)
    )
    record = client.get(f"/api/devices/{city.dev_a.id}", headers=auth(city.manager)).json
    assert record["last_self_check"] == {"on": yesterday, "result": "pass"}
    assert record["last_mutual_check"] == {"on": today().isoformat(), "result": "fail"}
    scanned = client.get(f"/api/qr/{city.dev_a.qr_token}", headers=auth(city.inspector)).json
    assert scanned["device"]["last_mutual_check"]["result"] == "fail"
    assert "last_self_check" not in scanned["public"]


def test_check_submit_works_as_a_sync_op_and_replays_as_duplicate(client, city, templates):
    body = daily_body(city, templates["device_elevator"])
    op = {"op_id": f.new_id(), "type": "check.submit", "payload": body}
    first = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.manager)).json
    again = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.manager)).json
    assert [r["status"] for r in first["results"] + again["results"]] == ["applied", "duplicate"]
    pulled = client.get("/api/sync/pull", headers=auth(city.manager)).json["changes"]
    assert any(c["entity"] == "check" and c["id"] == op["payload"]["id"] for c in pulled)


def test_supervisor_pool_lists_certificates_exams_and_eligibility(client, city):
    person = f.make_person(city.ent_b)
    city.supervisor.person_id = person.id
    db.session.commit()
    exam = {
        "person_id": person.id,
        "trained_on": "2026-01-05",
        "exam_on": "2026-01-10",
        "score": 88,
        "passed": True,
        "certificate_number": "JD-2026-001",
        "expires_on": "2099-01-10",
    }
    assert client.post("/api/supervisor-exams", json=exam, headers=auth(city.manager)).status_code == 403
    assert client.post("/api/supervisor-exams", json=exam, headers=auth(city.inspector)).status_code == 201
    [row] = client.get("/api/supervisors", headers=auth(city.inspector)).json["items"]
    assert (row["user_id"], row["eligible"], row["certificate"]["number"]) == (
        city.supervisor.id,
        True,
        "JD-2026-001",
    )
    assert row["exams"][0]["score"] == 88
    assert (row["block_id"], row["block_name"]) == (city.block.id, city.block.name)


def test_device_record_shows_the_corrected_result_of_a_self_check(client, city, templates):
    template = templates["device_elevator"]
    first = daily_body(city, template, items=answers(template, {template.item_codes[0]: [PHOTO]}))
    client.post("/api/checks", json=first, headers=auth(city.manager))
    fix = daily_body(city, template, supersedes_id=first["id"], summary="误判，已核实合格")
    assert client.post("/api/checks", json=fix, headers=auth(city.manager)).status_code == 201
    record = client.get(f"/api/devices/{city.dev_a.id}", headers=auth(city.manager)).json
    assert record["last_self_check"] == {"on": today().isoformat(), "result": "pass"}


def test_a_done_task_takes_only_a_correction(client, city, cycle, templates):
    first = mutual_body(cycle, templates)
    client.post("/api/checks", json=first, headers=auth(city.supervisor))
    second = client.post("/api/checks", json=mutual_body(cycle, templates), headers=auth(city.supervisor))
    assert (second.status_code, second.json["error"]["code"]) == (409, "task_done")


def test_a_supervisor_whose_certificate_expired_cannot_submit_the_task(client, city, cycle, templates):
    from backend.org.models import Certificate

    db.session.query(Certificate).update({"expires_on": today() - timedelta(days=1)})
    db.session.commit()
    response = client.post("/api/checks", json=mutual_body(cycle, templates), headers=auth(city.supervisor))
    assert (response.status_code, response.json["error"]["code"]) == (403, "certificate_invalid")


def test_days_without_a_daily_check_count_as_missed(client, city, templates):
    body = daily_body(city, templates["device_elevator"])
    client.post("/api/checks", json=body, headers=auth(city.manager))
    later = (today() + timedelta(days=3)).isoformat()
    status = client.get(f"/api/self-checks/status?as_of={later}", headers=auth(city.manager))
    [row] = status.json["enterprises"]
    [device] = row["daily"]["devices"]
    assert device["missed"] == [(today() + timedelta(days=n)).isoformat() for n in (1, 2)]
    assert (device["due"], device["last_done"]) == (True, today().isoformat())


def test_self_check_counts_stay_inside_the_inspectors_zone(client, city, templates):
    rows = client.get("/api/self-checks/status", headers=auth(city.other_inspector)).json
    assert {r["enterprise_id"] for r in rows["enterprises"]} == {city.ent_x.id}
    assert [z["zone_id"] for z in rows["zones"]] == [city.other_zone.id]


def test_supervisor_pool_dates_are_iso_dates(client, city):
    certify(city.supervisor, expires_on=date(2030, 6, 30))
    [row] = client.get("/api/supervisors?as_of=2030-07-01", headers=auth(city.inspector)).json["items"]
    assert (row["certificate"]["expires_on"], row["eligible"]) == ("2030-06-30", False)


def test_a_new_device_checklist_needs_its_device_category(client, city, templates):
    body = {
        "code": "device_new",
        "title": "新设备检查表",
        "purpose": "daily_device",
        "sections": [{"code": "a", "title": "一", "items": [{"code": "a.1", "text": "检查项一"}]}],
    }
    response = client.post("/api/checklist-templates", json=body, headers=auth(city.admin))
    assert response.status_code == 422
    assert "device_category" in response.json["error"]["details"]["fields"]
