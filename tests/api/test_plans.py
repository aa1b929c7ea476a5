"""Random inspection plans over HTTP: draw, reproduce, refuse, publish, track."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from backend.core.clock import today
from backend.credit.models import Accident
from backend.credit.recompute import recompute_grades
from backend.extensions import db
from backend.plans.models import InspectorRecusal
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


@pytest.fixture
def zone_with_grades(city):
    """city.zone with 18 more enterprises: graded A, B and C (six of each)."""
    young = today() - timedelta(days=400)  # under 3 accident-free years: 第十三条 does not lower the C group
    for n in range(18):
        enterprise = f.make_enterprise(city.zone, **({"established_on": young} if n % 3 == 1 else {}))
        if n % 3 == 1:  # C: all devices overdue, a major hazard, no safety manager
            f.make_device(enterprise, next_inspection_due=today() - timedelta(days=5))
            f.make_hazard(enterprise, city.admin, severity="major")
        elif n % 3 == 2:  # B: half the devices overdue, no safety manager
            f.make_device(enterprise)
            f.make_device(enterprise, next_inspection_due=today() - timedelta(days=5))
        else:
            f.make_person(enterprise, ("safety_manager", None))
    f.make_user("inspector", zone=city.zone)
    f.make_user("inspector", zone=city.zone)
    recompute_grades(today())
    db.session.commit()
    return city


def _body(city, **overrides) -> dict:
    return {
        "zone_id": city.zone.id,
        "period_start": today().isoformat(),
        "period_end": (today() + timedelta(days=30)).isoformat(),
        "size": 10,
        "seed": 42,
    } | overrides


def test_same_seed_draws_the_same_plan(client, zone_with_grades):
    city = zone_with_grades
    first = client.post("/api/plans", json=_body(city), headers=auth(city.inspector))
    second = client.post("/api/plans", json=_body(city), headers=auth(city.admin))
    assert first.status_code == 201, first.json
    strip = lambda plan: [(i["enterprise_id"], i["inspector_ids"]) for i in plan["items"]]  # noqa: E731
    assert strip(first.json) == strip(second.json)
    assert first.json["seed"] == 42
    assert first.json["composition"]["C"] >= 5


def test_plan_without_a_seed_records_the_one_it_drew_with(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city, seed=None), headers=auth(city.inspector)).json
    again = client.post("/api/plans", json=_body(city, seed=plan["seed"]), headers=auth(city.inspector))
    assert [i["enterprise_id"] for i in again.json["items"]] == [i["enterprise_id"] for i in plan["items"]]


def _pdf_text(client, plan, user) -> str:
    response = client.get(f"/api/plans/{plan['id']}.pdf", headers=auth(user))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "pdftotext", "-raw", "-", "-"],
        input=response.data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return re.sub(r"\s+", "", text)


def test_size_beyond_the_zone_draws_all_it_can_and_the_plan_says_what_is_missing(client, zone_with_grades):
    city = zone_with_grades
    response = client.post("/api/plans", json=_body(city, size=40), headers=auth(city.inspector))
    assert response.status_code == 201, response.json
    plan = response.json
    assert plan["size"] == plan["quota_total"] == 40
    assert plan["composition"]["C"] == 6 and plan["composition"]["B"] == 6  # every C and B it has
    assert plan["quota"]["C_min"] is False and plan["quota"]["size"] is False
    shortfall = "C 级企业应不少于计划总数的 50%，即 20 家；本辖区只有 6 家，已全部纳入，缺 14 家。"
    assert shortfall in plan["notes"]
    assert client.get(f"/api/plans/{plan['id']}", headers=auth(city.admin)).json["notes"] == plan["notes"]
    assert shortfall.replace(" ", "") in _pdf_text(client, plan, city.inspector)


def test_plan_pdf_is_zone_scoped(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    assert client.get(f"/api/plans/{plan['id']}.pdf", headers=auth(city.other_inspector)).status_code == 404
    assert client.get(f"/api/plans/{plan['id']}.pdf", headers=auth(city.manager)).status_code == 403


def test_preview_gives_the_mandatory_count_and_the_sizes_that_draw_without_a_note(client, zone_with_grades):
    city = zone_with_grades
    city.ent_a.public_place = "school"
    db.session.commit()
    preview = client.get(
        f"/api/plans/preview?zone_id={city.zone.id}&size=40", headers=auth(city.inspector)
    ).json
    assert preview["mandatory"]["total"] == preview["mandatory"]["key"] == 1
    assert preview["quota_total"] == 40 and preview["exact"] is False and preview["notes"]
    assert preview["exact_sizes"]
    for first, last in preview["exact_sizes"]:
        for size in {first, last}:
            plan = client.post("/api/plans", json=_body(city, size=size), headers=auth(city.inspector)).json
            assert plan["notes"] == [] and all(plan["quota"].values()) and plan["total"] == size
    assert (
        client.get(
            f"/api/plans/preview?zone_id={city.other_zone.id}", headers=auth(city.inspector)
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/plans/preview?zone_id={city.zone.id}&size=0", headers=auth(city.inspector)
        ).status_code
        == 422
    )


def test_key_objects_are_always_in_the_plan(client, zone_with_grades):
    city = zone_with_grades
    db.session.add(
        Accident(
            enterprise_id=city.ent_c.id,
            zone_id=city.zone.id,
            occurred_on=today() - timedelta(days=500),
            recorded_by_id=city.admin.id,
        )
    )
    recompute_grades(today())
    db.session.commit()
    for seed in range(5):
        items = client.post("/api/plans", json=_body(city, seed=seed), headers=auth(city.admin)).json["items"]
        keyed = {i["enterprise_id"]: i["key_reasons"] for i in items}
        assert keyed.get(city.ent_c.id) == ["accident"]


def test_linked_inspector_is_never_drawn_for_that_enterprise(client, zone_with_grades):
    city = zone_with_grades
    db.session.add(InspectorRecusal(inspector_id=city.inspector.id, enterprise_id=city.ent_a.id))
    city.ent_a.public_place = "school"  # a key object: in every plan
    db.session.commit()
    for seed in range(8):
        items = client.post(
            "/api/plans", json=_body(city, size=12, seed=seed), headers=auth(city.admin)
        ).json["items"]
        row = next(i for i in items if i["enterprise_id"] == city.ent_a.id)
        assert city.inspector.id not in row["inspector_ids"]


def test_publish_then_public_list_and_execution_rate(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    assert client.get("/api/public/plans").json["items"] == []
    client.post(f"/api/plans/{plan['id']}/publish", json={}, headers=auth(city.inspector))
    mine = next(i for i in plan["items"] if city.inspector.id in i["inspector_ids"])
    other = next(i for i in plan["items"] if city.inspector.id not in i["inspector_ids"])
    done = client.post(
        f"/api/plans/{plan['id']}/items/{mine['id']}/result",
        json={"status": "done", "result": "未发现问题"},
        headers=auth(city.inspector),
    )
    refused = client.post(
        f"/api/plans/{plan['id']}/items/{other['id']}/result",
        json={"status": "done"},
        headers=auth(city.inspector),
    )
    assert done.status_code == 200 and done.json["execution_rate"] == pytest.approx(0.1)
    assert refused.status_code == 403
    public = client.get("/api/public/plans").json["items"][0]
    assert "grade" not in public["items"][0] and "inspector_ids" not in public["items"][0]
    assert {i["status"] for i in public["items"]} == {"done", "pending"}


def test_other_zone_inspector_gets_404_for_plan_and_zone(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    assert client.get(f"/api/plans/{plan['id']}", headers=auth(city.other_inspector)).status_code == 404
    assert client.post("/api/plans", json=_body(city), headers=auth(city.other_inspector)).status_code == 404


# --- key objects named by the regulator (第十二条第四项) ---


def _name(client, city, user, enterprise, **overrides):
    body = {"enterprise_id": enterprise.id, "reason": "节假日人员密集，群众反映多"} | overrides
    return client.post("/api/plans/key-objects", json=body, headers=auth(user))


def test_named_key_object_is_in_every_draw_with_the_reason_on_the_item(client, zone_with_grades):
    city = zone_with_grades
    named = _name(client, city, city.inspector, city.ent_b)
    assert named.status_code == 201, named.json
    assert named.json["in_force"] is True and named.json["enterprise_name"] == city.ent_b.name
    for seed in range(5):
        plan = client.post("/api/plans", json=_body(city, seed=seed), headers=auth(city.admin)).json
        row = next(i for i in plan["items"] if i["enterprise_id"] == city.ent_b.id)
        assert "named" in row["key_reasons"]
        assert row["named_reason"] == "节假日人员密集，群众反映多"


def test_ended_key_object_is_no_longer_forced_into_draws(client, zone_with_grades):
    city = zone_with_grades
    key_object = _name(client, city, city.inspector, city.ent_b).json
    ended = client.post(
        f"/api/plans/key-objects/{key_object['id']}/end", json={}, headers=auth(city.inspector)
    )
    assert ended.status_code == 200 and ended.json["in_force"] is False
    assert ended.json["ends_on"] == (today() - timedelta(days=1)).isoformat()
    for seed in range(5):
        items = client.post("/api/plans", json=_body(city, seed=seed), headers=auth(city.admin)).json["items"]
        assert all("named" not in i["key_reasons"] for i in items)
    listed = client.get("/api/plans/key-objects?in_force=false", headers=auth(city.inspector)).json
    assert [k["id"] for k in listed["items"]] == [key_object["id"]]
    # ended: it can be named again from today
    assert _name(client, city, city.admin, city.ent_b).status_code == 201


def test_key_object_of_a_future_period_applies_to_plans_in_that_period(client, zone_with_grades):
    city = zone_with_grades
    start = today() + timedelta(days=40)
    _name(
        client,
        city,
        city.admin,
        city.ent_b,
        starts_on=start.isoformat(),
        ends_on=(start + timedelta(days=10)).isoformat(),
    )
    now = client.post("/api/plans", json=_body(city, seed=3), headers=auth(city.admin)).json
    then = client.post(
        "/api/plans",
        json=_body(
            city, seed=3, period_start=start.isoformat(), period_end=(start + timedelta(days=5)).isoformat()
        ),
        headers=auth(city.admin),
    ).json
    assert all(i["named_reason"] == "" for i in now["items"])
    assert next(i for i in then["items"] if i["enterprise_id"] == city.ent_b.id)["named_reason"]


def test_inspector_names_key_objects_only_in_their_zone(client, city):
    assert _name(client, city, city.inspector, city.ent_x).status_code == 404
    mine = _name(client, city, city.inspector, city.ent_a).json
    assert client.get("/api/plans/key-objects", headers=auth(city.other_inspector)).json["items"] == []
    assert (
        client.post(
            f"/api/plans/key-objects/{mine['id']}/end", json={}, headers=auth(city.other_inspector)
        ).status_code
        == 404
    )
    assert _name(client, city, city.manager, city.ent_a).status_code == 403


def test_naming_the_same_enterprise_twice_for_overlapping_dates_is_409(client, city):
    assert _name(client, city, city.inspector, city.ent_a).status_code == 201
    twice = _name(client, city, city.admin, city.ent_a, starts_on=(today() + timedelta(days=3)).isoformat())
    assert twice.status_code == 409 and twice.json["error"]["code"] == "conflict"


def test_key_object_ending_before_it_starts_is_422(client, city):
    response = _name(client, city, city.inspector, city.ent_a, starts_on="2026-05-01", ends_on="2026-04-01")
    assert response.status_code == 422
    assert "ends_on" in response.json["error"]["details"]["fields"]
    assert _name(client, city, city.inspector, city.ent_a, reason="").status_code == 422


def test_ending_a_key_object_already_ended_is_409(client, city):
    key_object = _name(client, city, city.inspector, city.ent_a).json
    url = f"/api/plans/key-objects/{key_object['id']}/end"
    assert client.post(url, json={}, headers=auth(city.inspector)).status_code == 200
    response = client.post(url, json={}, headers=auth(city.admin))
    assert response.status_code == 409 and response.json["error"]["code"] == "invalid_state"


def test_ending_a_key_object_in_the_past_is_422(client, city):
    key_object = _name(client, city, city.inspector, city.ent_a, starts_on="2020-01-01").json
    response = client.post(
        f"/api/plans/key-objects/{key_object['id']}/end",
        json={"ends_on": "2021-01-01"},
        headers=auth(city.inspector),
    )
    assert response.status_code == 422 and "ends_on" in response.json["error"]["details"]["fields"]


def test_naming_and_ending_key_objects_are_on_the_evidence_chain(client, city):
    from sqlalchemy import select

    from backend.evidence.models import EvidenceEntry

    key_object = _name(client, city, city.inspector, city.ent_a).json
    client.post(f"/api/plans/key-objects/{key_object['id']}/end", json={}, headers=auth(city.inspector))
    kinds = db.session.scalars(
        select(EvidenceEntry.kind).where(EvidenceEntry.ref == str(key_object["id"]))
    ).all()
    assert {"plan.key_object.name", "plan.key_object.end"} <= set(kinds)


# --- recusals (回避) ---


def _declare(client, user, enterprise, **overrides):
    body = {"enterprise_id": enterprise.id, "kind": "relative", "reason": "配偶在该企业任职"} | overrides
    return client.post("/api/plans/recusals", json=body, headers=auth(user))


def test_declared_recusal_keeps_the_inspector_out_of_draws_until_withdrawn(client, zone_with_grades):
    city = zone_with_grades
    city.ent_a.public_place = "school"  # a key object: in every plan
    db.session.commit()
    recusal = _declare(client, city.inspector, city.ent_a)
    assert recusal.status_code == 201, recusal.json
    assert recusal.json["active"] is True and recusal.json["inspector_id"] == city.inspector.id
    for seed in range(8):
        items = client.post("/api/plans", json=_body(city, seed=seed), headers=auth(city.admin)).json["items"]
        row = next(i for i in items if i["enterprise_id"] == city.ent_a.id)
        assert city.inspector.id not in row["inspector_ids"]
    # three inspectors in the zone, one recused: the third for that enterprise comes from another zone
    three = client.post("/api/plans", json=_body(city, per_item=3), headers=auth(city.admin))
    assert three.status_code == 201, three.json
    row = next(i for i in three.json["items"] if i["enterprise_id"] == city.ent_a.id)
    assert city.other_inspector.id in row["inspector_ids"] and city.inspector.id not in row["inspector_ids"]
    assert any("从其他辖区抽派" in note for note in three.json["notes"])
    # four per enterprise: the city has four inspectors, one of them recused
    four = client.post("/api/plans", json=_body(city, per_item=4), headers=auth(city.admin))
    assert four.status_code == 422 and "inspectors" in four.json["error"]["details"]["quotas"]
    withdrawn = client.post(
        f"/api/plans/recusals/{recusal.json['id']}/withdraw",
        json={"reason": "已离婚"},
        headers=auth(city.inspector),
    )
    assert withdrawn.status_code == 200 and withdrawn.json["active"] is False
    three = client.post("/api/plans", json=_body(city, per_item=3), headers=auth(city.admin))
    row = next(i for i in three.json["items"] if i["enterprise_id"] == city.ent_a.id)
    assert city.inspector.id in row["inspector_ids"]


def test_inspector_declares_only_their_own_recusals_in_their_zone(client, city):
    assert (
        _declare(client, city.inspector, city.ent_a, inspector_id=city.other_inspector.id).status_code == 403
    )
    assert _declare(client, city.inspector, city.ent_x).status_code == 404
    assert _declare(client, city.inspector, city.ent_a, kind="friend").status_code == 422
    assert _declare(client, city.manager, city.ent_a).status_code == 403


def test_bureau_declares_for_a_named_inspector_only(client, city):
    assert _declare(client, city.admin, city.ent_x).status_code == 404  # no inspector named
    assert _declare(client, city.admin, city.ent_x, inspector_id=city.manager.id).status_code == 404
    made = _declare(client, city.admin, city.ent_x, inspector_id=city.other_inspector.id)
    assert made.status_code == 201 and made.json["inspector_name"]


def test_declaring_the_same_link_twice_is_409(client, city):
    assert _declare(client, city.inspector, city.ent_a).status_code == 201
    assert _declare(client, city.inspector, city.ent_a, kind="former_employer").status_code == 409


def test_inspector_lists_and_withdraws_only_their_own_recusals(client, city):
    mine = _declare(client, city.inspector, city.ent_a).json
    theirs = _declare(client, city.other_inspector, city.ent_x).json
    listed = client.get("/api/plans/recusals", headers=auth(city.inspector)).json["items"]
    assert [r["id"] for r in listed] == [mine["id"]]
    everyone = client.get("/api/plans/recusals", headers=auth(city.admin)).json["items"]
    assert {r["id"] for r in everyone} == {mine["id"], theirs["id"]}
    assert (
        client.post(
            f"/api/plans/recusals/{theirs['id']}/withdraw", json={}, headers=auth(city.inspector)
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/plans/recusals/{theirs['id']}/withdraw", json={}, headers=auth(city.admin)
        ).status_code
        == 200
    )
    again = client.post(f"/api/plans/recusals/{theirs['id']}/withdraw", json={}, headers=auth(city.admin))
    assert again.status_code == 409
    active = client.get("/api/plans/recusals?active=true", headers=auth(city.admin)).json["items"]
    assert [r["id"] for r in active] == [mine["id"]]


# --- results, list and public view ---


def _my_item(plan, user):
    return next(i for i in plan["items"] if user.id in i["inspector_ids"])


def test_result_records_date_and_findings(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    item = _my_item(plan, city.inspector)
    done = client.post(
        f"/api/plans/{plan['id']}/items/{item['id']}/result",
        json={"status": "done", "result": "安全阀超期", "findings": 2, "done_on": today().isoformat()},
        headers=auth(city.inspector),
    )
    row = next(i for i in done.json["items"] if i["id"] == item["id"])
    assert (row["status"], row["findings"], row["done_on"]) == ("done", 2, today().isoformat())
    assert done.json["executed"] == 1 and done.json["total"] == 10


@pytest.mark.parametrize("days", [1, -1], ids=["future", "before_period"])
def test_result_dated_outside_period_and_today_is_422(client, zone_with_grades, days):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    item = _my_item(plan, city.inspector)
    response = client.post(
        f"/api/plans/{plan['id']}/items/{item['id']}/result",
        json={"status": "done", "done_on": (today() + timedelta(days=days)).isoformat()},
        headers=auth(city.inspector),
    )
    assert response.status_code == 422 and "done_on" in response.json["error"]["details"]["fields"]


def test_not_found_result_counts_no_findings(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.admin)).json
    item = plan["items"][0]
    response = client.post(
        f"/api/plans/{plan['id']}/items/{item['id']}/result",
        json={"status": "not_found", "findings": 4},
        headers=auth(city.admin),
    )
    assert next(i for i in response.json["items"] if i["id"] == item["id"])["findings"] == 0


def test_plan_shows_quota_check_grade_mix_and_inspector_names(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    assert plan["quota"] == {"size": True, "A_max": True, "B_min": True, "C_min": True}
    assert plan["limits"] == {"A_max": 0, "B_min": 1, "C_min": 5}
    assert sum(plan["composition"].values()) == 10
    assert all(len(i["inspectors"]) == 2 and i["inspectors"][0]["name"] for i in plan["items"])


def test_plan_list_counts_executed_and_filters_by_status(client, zone_with_grades):
    city = zone_with_grades
    first = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    second = client.post("/api/plans", json=_body(city, seed=7), headers=auth(city.inspector)).json
    client.post(f"/api/plans/{second['id']}/publish", json={}, headers=auth(city.inspector))
    listed = client.get("/api/plans", headers=auth(city.inspector)).json
    assert [p["id"] for p in listed["items"]] == [second["id"], first["id"]]
    assert listed["items"][0]["total"] == 10 and listed["items"][0]["executed"] == 0
    assert "items" not in listed["items"][0] and listed["items"][0]["zone_name"] == city.zone.name
    drafts = client.get("/api/plans?status=draft", headers=auth(city.inspector)).json
    assert [p["id"] for p in drafts["items"]] == [first["id"]]
    assert client.get("/api/plans?status=bogus", headers=auth(city.inspector)).status_code == 422
    assert client.get("/api/plans", headers=auth(city.other_inspector)).json["items"] == []


def test_publishing_twice_is_409(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    first = client.post(f"/api/plans/{plan['id']}/publish", json={}, headers=auth(city.inspector))
    assert first.status_code == 200 and first.json["status"] == "published"
    again = client.post(f"/api/plans/{plan['id']}/publish", json={}, headers=auth(city.admin))
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_state"


def test_public_plan_shows_counts_and_findings_but_not_the_grades(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.admin)).json
    client.post(f"/api/plans/{plan['id']}/publish", json={}, headers=auth(city.admin))
    item = plan["items"][0]
    client.post(
        f"/api/plans/{plan['id']}/items/{item['id']}/result",
        json={"status": "done", "findings": 3},
        headers=auth(city.admin),
    )
    public = client.get("/api/public/plans").json["items"][0]
    assert (public["executed"], public["total"], public["zone_name"]) == (1, 10, city.zone.name)
    assert sorted(i["findings"] for i in public["items"])[-1] == 3
    assert not {"grade", "key_reasons", "named_reason", "inspectors"} & set(public["items"][0])


def test_plan_history_names_who_published_it_and_who_recorded_each_result(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    client.post(f"/api/plans/{plan['id']}/publish", json={}, headers=auth(city.inspector))
    mine = next(i for i in plan["items"] if city.inspector.id in i["inspector_ids"])
    client.post(
        f"/api/plans/{plan['id']}/items/{mine['id']}/result",
        json={"status": "done", "result": "未发现问题"},
        headers=auth(city.inspector),
    )
    history = client.get(f"/api/plans/{plan['id']}/history", headers=auth(city.admin))
    assert history.status_code == 200
    name = mine["enterprise_name"]
    rows = {h["field"]: (h["before"], h["after"], h["actor"]) for h in history.json}
    assert rows == {
        f"item.{name}": ("pending", "done", city.inspector.username),
        f"result.{name}": ("", "未发现问题", city.inspector.username),
        "status": ("draft", "published", city.inspector.username),
    }
    assert history.json[-1]["field"] == "status"  # newest first: the publication came before the result
    assert (
        client.get(f"/api/plans/{plan['id']}/history", headers=auth(city.other_inspector)).status_code == 404
    )
    assert client.get(f"/api/plans/{plan['id']}/history", headers=auth(city.manager)).status_code == 403
