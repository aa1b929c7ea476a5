"""The credit screens' reads: grade-change history, grade counts and the name search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.core.clock import today
from backend.credit.recompute import recompute_grades
from backend.extensions import db
from backend.org.models import Enterprise
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def _graded(city) -> None:
    f.make_person(city.ent_a, ("safety_manager", None))
    recompute_grades(today())
    db.session.commit()


def test_grade_changes_list_the_accident_first_with_its_reasons(client, city):
    _graded(city)
    body = {"enterprise_id": city.ent_a.id, "occurred_on": today().isoformat()}
    assert client.post("/api/credit/accidents", json=body, headers=auth(city.inspector)).status_code == 201
    page = client.get(f"/api/credit/enterprises/{city.ent_a.id}/changes", headers=auth(city.manager)).json
    assert page["total"] == 2
    newest, first = page["items"]
    assert (newest["from_grade"], newest["to_grade"], newest["cause"]) == ("A", "D", "accident")
    assert "d_accident" in [r["code"] for r in newest["reasons"]]
    assert all(r["label"] for r in newest["reasons"])
    assert (first["from_grade"], first["to_grade"]) == (None, "A")


def test_grade_changes_are_paginated_newest_first(client, city):
    _graded(city)
    body = {"enterprise_id": city.ent_a.id, "occurred_on": today().isoformat()}
    client.post("/api/credit/accidents", json=body, headers=auth(city.inspector))
    page = client.get(
        f"/api/credit/enterprises/{city.ent_a.id}/changes?per_page=1&page=2", headers=auth(city.admin)
    ).json
    assert (page["page"], page["per_page"], page["total"]) == (2, 1, 2)
    assert [(c["from_grade"], c["to_grade"]) for c in page["items"]] == [(None, "A")]


def test_grade_changes_of_another_enterprise_are_404_for_a_safety_manager(client, city):
    _graded(city)
    response = client.get(f"/api/credit/enterprises/{city.ent_b.id}/changes", headers=auth(city.manager))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_grade_changes_reject_a_bad_page_with_422(client, city):
    response = client.get(f"/api/credit/enterprises/{city.ent_a.id}/changes?page=0", headers=auth(city.admin))
    assert response.status_code == 422
    assert "page" in response.json["error"]["details"]["fields"]


def test_grade_counts_follow_the_scope_and_the_zone_filter(client, city):
    _graded(city)
    body = {"enterprise_id": city.ent_a.id, "occurred_on": today().isoformat()}
    client.post("/api/credit/accidents", json=body, headers=auth(city.inspector))
    inspector = client.get("/api/credit/grades/counts", headers=auth(city.inspector)).json
    admin_zone = client.get(
        f"/api/credit/grades/counts?zone_id={city.other_zone.id}", headers=auth(city.admin)
    ).json
    manager = client.get("/api/credit/grades/counts", headers=auth(city.manager)).json
    assert inspector["D"] == 1 and inspector["total"] == 3  # ent_a, ent_b, ent_c
    assert admin_zone["total"] == 1 and admin_zone["D"] == 0
    assert manager | {"latest_cycle": None} == {
        "A": 0,
        "B": 0,
        "C": 0,
        "D": 1,
        "total": 1,
        "latest_cycle": None,
    }


def test_grade_counts_give_the_latest_cycle_the_grades_hold_as_of(client, city):
    before = client.get("/api/credit/grades/counts", headers=auth(city.admin)).json
    assert before["latest_cycle"] is None
    recompute_grades(today() - timedelta(days=1))
    recompute_grades(today())
    db.session.commit()
    latest = client.get("/api/credit/grades/counts", headers=auth(city.admin)).json["latest_cycle"]
    graded = db.session.scalar(select(func.count()).select_from(Enterprise))
    assert (latest["as_of"], latest["graded"]) == (today().isoformat(), graded)
    assert 0 <= latest["changed"] <= latest["written"] <= graded


def test_grade_list_searches_by_enterprise_name(client, city):
    recompute_grades(today())
    db.session.commit()
    name = city.ent_c.name
    items = client.get("/api/credit/grades", query_string={"q": name}, headers=auth(city.inspector)).json[
        "items"
    ]
    counts = client.get(
        "/api/credit/grades/counts", query_string={"q": name}, headers=auth(city.inspector)
    ).json
    assert [i["enterprise_id"] for i in items] == [city.ent_c.id]
    assert counts["total"] == 1


def test_grade_list_search_never_leaves_the_scope(client, city):
    recompute_grades(today())
    db.session.commit()
    items = client.get(
        "/api/credit/grades", query_string={"q": city.ent_x.name}, headers=auth(city.inspector)
    ).json["items"]
    assert items == []


def test_grade_list_search_that_is_too_long_is_422(client, city):
    response = client.get("/api/credit/grades", query_string={"q": "企" * 101}, headers=auth(city.inspector))
    assert response.status_code == 422


def test_accident_and_case_lists_name_the_enterprise(client, city):
    accident = {"enterprise_id": city.ent_a.id, "occurred_on": today().isoformat()}
    case = {
        "enterprise_id": city.ent_a.id,
        "case_no": "罚1",
        "violation": "超期未检",
        "opened_on": today().isoformat(),
    }
    client.post("/api/credit/accidents", json=accident, headers=auth(city.inspector))
    client.post("/api/credit/enforcement-cases", json=case, headers=auth(city.inspector))
    for path in ("/api/credit/accidents", "/api/credit/enforcement-cases"):
        items = client.get(path, headers=auth(city.inspector)).json["items"]
        assert [i["enterprise_name"] for i in items] == [city.ent_a.name]


def test_block_supervisor_reads_own_credit_records_but_not_a_peers(client, city):
    """Mutual checks open the peers' hazards, not the regulator's judgement of them."""
    _graded(city)
    for enterprise in (city.ent_a, city.ent_b):
        body = {"enterprise_id": enterprise.id, "occurred_on": today().isoformat()}
        assert (
            client.post("/api/credit/accidents", json=body, headers=auth(city.inspector)).status_code == 201
        )
    headers = auth(city.supervisor)  # works at ent_b; ent_a is a peer of the same block
    grades = client.get("/api/credit/grades", headers=headers).json
    assert [g["enterprise_id"] for g in grades["items"]] == [city.ent_b.id]
    accidents = client.get("/api/credit/accidents", headers=headers).json
    assert {a["enterprise_id"] for a in accidents["items"]} == {city.ent_b.id}
    assert client.get(f"/api/credit/enterprises/{city.ent_b.id}", headers=headers).status_code == 200
    assert client.get(f"/api/credit/enterprises/{city.ent_a.id}", headers=headers).status_code == 404
    assert client.get(f"/api/credit/enterprises/{city.ent_a.id}/changes", headers=headers).status_code == 404
