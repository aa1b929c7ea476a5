"""双随机 plans on the demo city with the draw form's defaults: every zone draws, never a refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.accounts.models import User
from backend.core.clock import today
from backend.demo import load_demo
from backend.extensions import db
from backend.plans.models import InspectorRecusal
from tests.conftest import auth

#: the draw form's defaults (PlanDrawForm.vue): 10 enterprises, 2 inspectors each, from today
FORM_DEFAULTS = {"size": 10, "per_item": 2}


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _draw(client, zone_id: int, user: User):
    body = {
        "zone_id": zone_id,
        "period_start": today().isoformat(),
        "period_end": (today() + timedelta(days=30)).isoformat(),
    } | FORM_DEFAULTS
    return client.post("/api/plans", json=body, headers=auth(user))


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


@pytest.mark.parametrize("zone_id", [1, 2, 3])
def test_every_demo_zone_draws_a_plan_with_the_form_defaults(client, demo, zone_id):
    inspector = _user(f"inspector{zone_id}")
    preview = client.get(f"/api/plans/preview?zone_id={zone_id}&size=10", headers=auth(inspector)).json
    response = _draw(client, zone_id, inspector)
    assert response.status_code == 201, response.json
    plan = response.json
    grades = client.get(f"/api/credit/grades?per_page=100&zone_id={zone_id}", headers=auth(inspector)).json
    d_grade = {g["enterprise_id"] for g in grades["items"] if g["grade"] == "D"}
    keyed = {i["enterprise_id"] for i in plan["items"] if i["key_reasons"]}
    assert d_grade <= {i["enterprise_id"] for i in plan["items"]}
    assert len(d_grade | keyed) == preview["mandatory"]["total"]
    assert plan["quota_total"] == preview["quota_total"] and plan["notes"] == preview["notes"]
    assert plan["quota"]["A_max"]  # the cap on non-key A holds everywhere
    # the demo's zones have too few C enterprises for half of a plan of 10: said in words
    assert any("C 级企业应不少于计划总数的 50%" in note and "已全部纳入" in note for note in plan["notes"])
    zone_staff = set(
        db.session.scalars(select(User.id).where(User.role == "inspector", User.zone_id == zone_id))
    )
    assert len(zone_staff) >= 3
    assert all(len(i["inspector_ids"]) == 2 and set(i["inspector_ids"]) <= zone_staff for i in plan["items"])


def test_demo_zone_3_holds_all_its_mandatory_objects_beyond_the_asked_size(client, demo):
    inspector = _user("inspector3")
    preview = client.get("/api/plans/preview?zone_id=3&size=10", headers=auth(inspector)).json
    assert preview["mandatory"]["total"] > 10 and preview["exact_sizes"] == []
    plan = _draw(client, 3, inspector).json
    assert plan["total"] == plan["quota_total"] == preview["mandatory"]["total"]
    assert plan["notes"][0].startswith("必查对象（D 级")


def test_zone_1_preview_names_the_sizes_that_meet_every_quota(client, demo):
    preview = client.get("/api/plans/preview?zone_id=1", headers=auth(_user("inspector1"))).json
    assert preview["mandatory"]["total"] == 0
    last = preview["exact_sizes"][0][1]
    body = {
        "zone_id": 1,
        "period_start": today().isoformat(),
        "period_end": today().isoformat(),
        "size": last,
        "per_item": 2,
    }
    plan = client.post("/api/plans", json=body, headers=auth(_user("inspector1"))).json
    assert plan["notes"] == [] and all(plan["quota"].values())


def test_recusals_leaving_a_zone_short_send_inspectors_from_another_zone(client, demo):
    admin = _user("admin")
    grades = client.get("/api/credit/grades?per_page=100&zone_id=1", headers=auth(admin)).json["items"]
    b_grade = next(g["enterprise_id"] for g in grades if g["grade"] == "B")  # in every plan of zone 1
    for name in ("inspector1", "inspector1b"):
        db.session.add(InspectorRecusal(inspector_id=_user(name).id, enterprise_id=b_grade))
    db.session.commit()
    plan = _draw(client, 1, _user("inspector1")).json
    row = next(i for i in plan["items"] if i["enterprise_id"] == b_grade)
    others = set(db.session.scalars(select(User.id).where(User.role == "inspector", User.zone_id != 1)))
    assert _user("inspector1c").id in row["inspector_ids"] and set(row["inspector_ids"]) & others
    assert any("从其他辖区抽派监察员" in note for note in plan["notes"])
