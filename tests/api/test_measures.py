"""驻点监督 for C and D enterprises and the serious-violation list (seed 002 第十、十一条)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.core.clock import today
from backend.credit.models import CreditGrade
from backend.credit.recompute import recompute_grades
from backend.extensions import db
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def graded(enterprise, grade: str) -> None:
    recompute_grades(today())
    row = db.session.get(CreditGrade, enterprise.id)
    row.grade = grade
    db.session.commit()


def station(client, user, enterprise, **body):
    body = {"ends_on": (today() + timedelta(days=30)).isoformat()} | body
    return client.post(f"/api/enterprises/{enterprise.id}/stationings", json=body, headers=auth(user))


def test_zone_stations_inspectors_at_a_d_enterprise_and_records_findings(client, city):
    graded(city.ent_a, "D")
    response = station(client, city.inspector, city.ent_a, purpose="督促消除事故隐患")
    assert response.status_code == 201, response.json
    assert response.json["inspector_ids"] == [city.inspector.id] and response.json["grade"] == "D"
    finding = client.post(
        f"/api/stationings/{response.json['id']}/findings",
        json={"text": "2号起重机限位失效"},
        headers=auth(city.inspector),
    )
    assert finding.status_code == 201
    listed = client.get(f"/api/enterprises/{city.ent_a.id}/stationings", headers=auth(city.manager)).json
    assert listed[0]["findings"][0]["text"] == "2号起重机限位失效"


def test_stationing_is_refused_for_a_and_b_and_for_the_enterprise(client, city):
    graded(city.ent_a, "B")
    assert station(client, city.inspector, city.ent_a).status_code == 422
    graded(city.ent_a, "C")
    assert station(client, city.manager, city.ent_a).status_code == 403
    assert station(client, city.other_inspector, city.ent_a).status_code == 404
    other = station(client, city.admin, city.ent_a, inspector_ids=[city.other_inspector.id])
    assert other.status_code == 422  # only inspectors of the enterprise's zone
    assert station(client, city.admin, city.ent_a, inspector_ids=[city.inspector.id]).status_code == 201


def list_body(city, **extra):
    return {
        "enterprise_id": city.ent_a.id,
        "ground": "《市场监督管理严重违法失信名单管理办法》第七条",
    } | extra


def test_bureau_lists_and_removes_and_the_public_sees_only_current_entries(client, city):
    response = client.post(
        "/api/serious-violations",
        json=list_body(city, decision_no="特监失〔2026〕1号"),
        headers=auth(city.admin),
    )
    assert response.status_code == 201, response.json
    public = client.get("/api/public/serious-violations").json
    assert public == [
        {
            "enterprise_name": city.ent_a.name,
            "credit_code": city.ent_a.credit_code,
            "ground": "《市场监督管理严重违法失信名单管理办法》第七条",
            "decision_no": "特监失〔2026〕1号",
            "listed_on": today().isoformat(),
        }
    ]
    again = client.post("/api/serious-violations", json=list_body(city), headers=auth(city.admin))
    assert again.status_code == 409
    removed = client.post(
        f"/api/serious-violations/{response.json['id']}/remove",
        json={"reason": "信用修复完成"},
        headers=auth(city.admin),
    )
    assert removed.status_code == 200 and removed.json["removed_on"] == today().isoformat()
    assert client.get("/api/public/serious-violations").json == []
    history = client.get(
        f"/api/serious-violations/{response.json['id']}/history", headers=auth(city.admin)
    ).json
    assert history[0]["field"] == "removed_on" and history[0]["reason"] == "信用修复完成"
    own = client.get("/api/serious-violations", headers=auth(city.manager)).json
    assert own[0]["removal_reason"] == "信用修复完成"


def test_only_the_bureau_keeps_the_list(client, city):
    assert (
        client.post("/api/serious-violations", json=list_body(city), headers=auth(city.inspector)).status_code
        == 403
    )
    assert (
        client.post("/api/serious-violations", json=list_body(city), headers=auth(city.manager)).status_code
        == 403
    )
    future = list_body(city, listed_on=(today() + timedelta(days=1)).isoformat())
    assert client.post("/api/serious-violations", json=future, headers=auth(city.admin)).status_code == 422
    assert (
        client.post(
            "/api/serious-violations", json={"enterprise_id": city.ent_a.id}, headers=auth(city.admin)
        ).status_code
        == 422
    )


def test_stationing_names_its_inspectors_for_the_zone_and_the_enterprise(client, city):
    graded(city.ent_a, "C")
    station(client, city.inspector, city.ent_a)
    shown = client.get(f"/api/enterprises/{city.ent_a.id}/stationings", headers=auth(city.manager)).json
    name = city.inspector.display_name or city.inspector.username
    assert shown[0]["inspectors"] == [{"id": city.inspector.id, "name": name}]
    assert shown[0]["status"] == "active" and shown[0]["closed_on"] is None


def test_the_zone_closes_a_stationing_with_a_summary_and_no_finding_follows(client, city):
    graded(city.ent_a, "D")
    stationing = station(client, city.inspector, city.ent_a).json
    close = f"/api/stationings/{stationing['id']}/close"
    summary = {"summary": "隐患已消除"}
    assert client.post(close, json=summary, headers=auth(city.manager)).status_code == 403
    assert client.post(close, json=summary, headers=auth(city.other_inspector)).status_code == 404
    early = summary | {"closed_on": (today() - timedelta(days=1)).isoformat()}
    refused = client.post(close, json=early, headers=auth(city.inspector))
    assert refused.status_code == 422 and "closed_on" in refused.json["error"]["details"]["fields"]
    assert client.post(close, json={}, headers=auth(city.inspector)).status_code == 422

    closed = client.post(close, json={"summary": "隐患已消除，驻点结束"}, headers=auth(city.inspector))
    assert closed.status_code == 200, closed.json
    assert closed.json["status"] == "closed" and closed.json["closed_on"] == today().isoformat()
    assert closed.json["summary"] == "隐患已消除，驻点结束"
    assert client.post(close, json={"summary": "再次结束"}, headers=auth(city.inspector)).status_code == 409
    findings = f"/api/stationings/{stationing['id']}/findings"
    late = client.post(findings, json={"text": "结束后补记"}, headers=auth(city.inspector))
    assert late.status_code == 409
    shown = client.get(f"/api/enterprises/{city.ent_a.id}/stationings", headers=auth(city.manager)).json
    assert shown[0]["status"] == "closed" and shown[0]["findings"] == []
