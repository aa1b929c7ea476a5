"""The demo city shows checklists, a current mutual-check round and submitted checks."""

from __future__ import annotations

from backend.accounts.models import User
from backend.demo import load_demo
from backend.extensions import db
from tests.conftest import auth


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
