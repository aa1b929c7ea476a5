"""An enterprise moving zone takes every row that carried its zone with it; the models'
metadata is walked so a new zone-scoped table cannot be forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.core.changes import Change
from backend.core.clock import today
from backend.demo import load_demo
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.org.models import Enterprise, Zone
from backend.org.overview import SYNCED_ENTITIES, ZONE_FOLLOWS_ENTERPRISE, ZONE_STAYS
from tests.conftest import auth

#: the rows the issue names; the demo city has them for the enterprise picked below
MUST_MOVE = ("devices", "hazards", "checks", "notices", "accidents", "enforcement_cases", "credit_grades")
#: what the demo city itself holds; the test adds an accident, a case and a notice
IN_DEMO = ("devices", "hazards", "checks", "credit_grades")


def _zone_tables() -> set[str]:
    return {table.name for table in db.metadata.sorted_tables if "zone_id" in table.c}


def test_every_table_with_a_zone_either_follows_the_enterprise_or_says_why_it_stays(app):
    following, staying = set(ZONE_FOLLOWS_ENTERPRISE), set(ZONE_STAYS)
    assert not following & staying
    assert _zone_tables() == following | staying, "list a new zone-scoped table in org/overview.py"
    assert all(reason.strip() for reason in ZONE_STAYS.values())
    for name in following:
        assert "enterprise_id" in db.metadata.tables[name].c


def _rows(table_name: str, enterprise_id: int, zone_id: int) -> int:
    table = db.metadata.tables[table_name]
    query = select(func.count()).where(table.c.enterprise_id == enterprise_id, table.c.zone_id == zone_id)
    return db.session.scalar(query) or 0


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


def _richest_enterprise() -> Enterprise:
    """The demo enterprise with rows in the most of the tables the issue names."""
    enterprises = db.session.scalars(select(Enterprise)).all()
    return max(enterprises, key=lambda e: sum(_rows(name, e.id, e.zone_id) > 0 for name in IN_DEMO))


def _add_accident_case_and_notice(client, admin: User, enterprise_id: int) -> None:
    day, later = today().isoformat(), (today() + timedelta(days=10)).isoformat()
    hazard = db.session.scalar(select(Hazard.id).where(Hazard.enterprise_id == enterprise_id).limit(1))
    case = {"case_no": "测罚〔2026〕9号", "opened_on": day, "violation": "超期未检"}
    for path, body in (
        ("/api/credit/accidents", {"occurred_on": day, "deaths": 0, "description": "吊钩脱落"}),
        ("/api/credit/enforcement-cases", case),
        ("/api/notices", {"kind": "reminder", "hazard_ids": [hazard], "deadline": later}),
    ):
        response = client.post(path, json=body | {"enterprise_id": enterprise_id}, headers=auth(admin))
        assert response.status_code == 201, response.json


def test_moving_an_enterprise_moves_its_checks_accidents_cases_grades_devices_and_hazards(client, demo):
    enterprise = _richest_enterprise()
    old_zone, enterprise_id = enterprise.zone_id, enterprise.id
    new_zone = db.session.scalar(select(Zone.id).where(Zone.id != old_zone))
    before = {name: _rows(name, enterprise_id, old_zone) for name in ZONE_FOLLOWS_ENTERPRISE}
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    _add_accident_case_and_notice(client, admin, enterprise_id)
    before = {name: _rows(name, enterprise_id, old_zone) for name in ZONE_FOLLOWS_ENTERPRISE}
    assert all(before[name] > 0 for name in MUST_MOVE), before
    body = {"zone_id": new_zone, "block_id": None, "reason": "区划调整"}
    response = client.patch(f"/api/enterprises/{enterprise_id}", json=body, headers=auth(admin))
    assert response.status_code == 200, response.json
    db.session.expire_all()

    for name in ZONE_FOLLOWS_ENTERPRISE:
        assert _rows(name, enterprise_id, old_zone) == 0, name
        assert _rows(name, enterprise_id, new_zone) >= before[name], name
    announced = db.session.scalar(select(func.max(Change.seq)).where(Change.enterprise_id == enterprise_id))
    for entity in SYNCED_ENTITIES.values():
        latest = db.session.scalar(
            select(func.max(Change.seq)).where(Change.entity == entity, Change.enterprise_id == enterprise_id)
        )
        assert latest is not None and latest <= (announced or 0)
