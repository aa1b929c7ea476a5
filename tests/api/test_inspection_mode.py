"""专项监督检查 may be remote or electronic for A and B enterprises (seed 002 第八、九条第二项)."""

from __future__ import annotations

import pytest

from backend.core.clock import today
from backend.credit.models import CreditGrade
from backend.credit.recompute import recompute_grades
from backend.extensions import db
from backend.inspections.models import ChecklistTemplate
from tests import factories as f
from tests.api.test_inspections import answers, templates  # noqa: F401 (a fixture)
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def graded(enterprise, grade: str) -> None:
    recompute_grades(today())
    db.session.get(CreditGrade, enterprise.id).grade = grade
    db.session.commit()


def inspection(city, subkind="special", mode="remote") -> dict:
    template = db.session.query(ChecklistTemplate).filter_by(code="enterprise_baseline").one()
    return {
        "id": f.new_id(),
        "kind": "inspection",
        "subkind": subkind,
        "mode": mode,
        "template_id": template.id,
        "enterprise_id": city.ent_a.id,
        "items": answers(template),
        "signed_by": "检查员甲",
    }


@pytest.mark.parametrize("grade", ["A", "B"])
def test_special_inspection_of_a_and_b_may_be_remote(client, city, templates, grade):  # noqa: F811
    graded(city.ent_a, grade)
    response = client.post("/api/checks", json=inspection(city), headers=auth(city.inspector))
    assert response.status_code == 201, response.json
    assert response.json["mode"] == "remote"


@pytest.mark.parametrize("grade", ["C", "D"])
def test_c_and_d_are_inspected_on_site(client, city, templates, grade):  # noqa: F811
    graded(city.ent_a, grade)
    response = client.post(
        "/api/checks", json=inspection(city, mode="electronic"), headers=auth(city.inspector)
    )
    assert response.status_code == 422
    assert "mode" in response.json["error"]["details"]["fields"]
    on_site = client.post("/api/checks", json=inspection(city, mode="onsite"), headers=auth(city.inspector))
    assert on_site.status_code == 201 and on_site.json["mode"] == "onsite"


def test_a_routine_inspection_is_on_site_whatever_the_grade(client, city, templates):  # noqa: F811
    graded(city.ent_a, "A")
    response = client.post(
        "/api/checks", json=inspection(city, subkind="routine"), headers=auth(city.inspector)
    )
    assert response.status_code == 422


def test_a_check_without_a_mode_is_on_site(client, city, templates):  # noqa: F811
    body = inspection(city)
    del body["mode"]
    response = client.post("/api/checks", json=body, headers=auth(city.inspector))
    assert response.status_code == 201 and response.json["mode"] == "onsite"
