"""信息公示 (seed 004 item 10, seed 002): the city's aggregate safety status for anyone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from backend.core.clock import today
from backend.extensions import db
from tests import factories as f
from tests.api.test_notices import report
from tests.api.test_plans import _body, zone_with_grades  # noqa: F401 (a fixture)
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def test_anonymous_disclosure_gives_aggregates_and_is_cacheable(client, city):
    f.make_device(city.ent_a, next_inspection_due=today() - timedelta(days=2))
    f.make_device(city.ent_a, category="boiler", status="scrapped")
    db.session.commit()
    report(client, city.manager, device=city.dev_a, description="门锁回路短接")
    response = client.get("/api/public/disclosure")
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"]
    body = response.json
    assert body["devices"]["registered"] == 5
    elevators = next(c for c in body["devices"]["by_category"] if c["category"] == "elevator")
    assert elevators == {"category": "elevator", "label": "电梯", "count": 5}
    assert body["devices"]["overdue"] == 1 and body["devices"]["inspection_rate"] == pytest.approx(0.8)
    assert body["accidents"]["accident_target"] == 0.20 and body["accidents"]["death_target"] == 0.19
    assert body["hazards"]["found"] == 1 and body["hazards"]["rectified"] == 0
    text = json.dumps(body, ensure_ascii=False)
    for private in ("门锁回路短接", city.dev_a.registration_no, city.ent_a.name, city.manager.username):
        assert private not in text


def test_only_published_plans_and_current_listings_are_shown(client, city):
    listing = {"enterprise_id": city.ent_b.id, "ground": "《市场监督管理严重违法失信名单管理办法》第七条"}
    client.post("/api/serious-violations", json=listing, headers=auth(city.admin))
    body = client.get("/api/public/disclosure").json
    assert [s["enterprise_name"] for s in body["serious_violations"]] == [city.ent_b.name]
    assert body["plans"] == []


def test_a_plan_appears_once_published_with_its_execution(client, zone_with_grades):  # noqa: F811
    city = zone_with_grades
    plan = client.post("/api/plans", json=_body(city), headers=auth(city.inspector)).json
    assert client.get("/api/public/disclosure").json["plans"] == []
    client.post(f"/api/plans/{plan['id']}/publish", json={}, headers=auth(city.inspector))
    mine = next(i for i in plan["items"] if city.inspector.id in i["inspector_ids"])
    body = {"status": "done", "result": "发现2处问题", "findings": 2}
    client.post(f"/api/plans/{plan['id']}/items/{mine['id']}/result", json=body, headers=auth(city.inspector))
    shown = client.get("/api/public/disclosure").json["plans"]
    assert [(p["id"], p["done"], p["findings"]) for p in shown] == [(plan["id"], 1, 2)]
    assert shown[0]["items"] == len(plan["items"])
