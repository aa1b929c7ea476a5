"""Random inspection plans over HTTP: draw, reproduce, refuse, publish, track."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.core.clock import today
from backend.credit.models import Accident
from backend.credit.services import recompute_grades
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
    for n in range(18):
        enterprise = f.make_enterprise(city.zone)
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
    return {"zone_id": city.zone.id, "period_start": today().isoformat(),
            "period_end": (today() + timedelta(days=30)).isoformat(), "size": 10, "seed": 42} | overrides


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


def test_impossible_quota_is_422_naming_the_quota(client, zone_with_grades):
    city = zone_with_grades
    response = client.post("/api/plans", json=_body(city, size=40), headers=auth(city.inspector))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "plan_impossible"
    assert response.json["error"]["details"]["quotas"]


def test_key_objects_are_always_in_the_plan(client, zone_with_grades):
    city = zone_with_grades
    db.session.add(Accident(enterprise_id=city.ent_c.id, zone_id=city.zone.id,
                            occurred_on=today() - timedelta(days=500), recorded_by_id=city.admin.id))
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
        items = client.post("/api/plans", json=_body(city, size=12, seed=seed),
                            headers=auth(city.admin)).json["items"]
        row = next(i for i in items if i["enterprise_id"] == city.ent_a.id)
        assert city.inspector.id not in row["inspector_ids"]


def test_publish_then_public_list_and_execution_rate(client, zone_with_grades):
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    assert client.get("/api/public/plans").json["items"] == []
    client.post(f"/api/plans/{plan['id']}/publish", json={}, headers=auth(city.inspector))
    mine = next(i for i in plan["items"] if city.inspector.id in i["inspector_ids"])
    other = next(i for i in plan["items"] if city.inspector.id not in i["inspector_ids"])
    done = client.post(f"/api/plans/{plan['id']}/items/{mine['id']}/result",
                       json={"status": "done", "result": "未发现问题"}, headers=auth(city.inspector))
    refused = client.post(f"/api/plans/{plan['id']}/items/{other['id']}/result",
                          json={"status": "done"}, headers=auth(city.inspector))
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
