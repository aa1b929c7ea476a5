"""The demo city shows checklists, a current mutual-check round and submitted checks."""

from __future__ import annotations

from backend.accounts.models import User
from backend.demo import load_demo
from backend.extensions import db
from tests.conftest import auth
from tests.factories import valid_credit_code


def _login(username: str) -> dict:
    return auth(db.session.query(User).filter_by(username=username).one())


def test_demo_city_has_a_mutual_check_round_with_tasks_and_checks(client, app):
    counts = load_demo()
    db.session.commit()
    assert counts["checks"] > 10
    tasks = client.get("/api/mutual-check-assignments?mine=true", headers=_login("supervisor1")).json
    assert 1 in {t["enterprise_id"] for t in tasks["items"]}
    assert any(t["done"] for t in tasks["items"])
    visits = client.get("/api/mutual-check-assignments", headers=_login("manager1")).json["items"]
    assert [v["supervisor_name"] for v in visits] == ["监督员一"]
    status = client.get("/api/self-checks/status", headers=_login("manager1")).json["enterprises"][0]
    assert status["daily"]["missed"] > 0 and status["weekly"]["last_done"] is not None
    pool = client.get("/api/supervisors", headers=_login("inspector1")).json["items"]
    assert {p["eligible"] for p in pool} == {True, False}


def test_demo_checks_have_ids_derived_from_their_names(client, app):
    from backend.inspections.demo import _demo_id

    load_demo()
    db.session.commit()
    ids = {c["id"] for c in client.get("/api/checks?per_page=100", headers=_login("admin")).json["items"]}
    assert {str(_demo_id("weekly-7")), str(_demo_id("monthly-31"))} <= ids


def test_after_the_demo_city_new_rows_get_fresh_ids(client, app):
    """The demo inserts its rows with fixed ids; PostgreSQL's id sequences must move past them, or
    the first zone, enterprise or person a user adds collides with a demo row."""
    load_demo()
    db.session.commit()
    bureau = _login("admin")
    zone = client.post("/api/zones", json={"name": "新设分局", "code": "Z99"}, headers=bureau)
    assert zone.status_code == 201, zone.json
    enterprise = client.post(
        "/api/enterprises",
        json={
            "name": "新登记的物业公司",
            "credit_code": valid_credit_code(990001),
            "zone_id": zone.json["id"],
        },
        headers=bureau,
    )
    assert enterprise.status_code == 201, enterprise.json
