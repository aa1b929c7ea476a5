"""Dashboard figures and the monthly report (工作小结) in JSON, PDF and XLSX."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from backend.core.clock import today, utcnow
from backend.credit.models import Accident
from backend.credit.recompute import recompute_grades
from backend.evidence.services import append_evidence
from backend.extensions import db
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


@pytest.fixture
def busy_city(city):
    f.make_device(city.ent_a, next_inspection_due=today() - timedelta(days=3))
    f.make_device(city.ent_a, category="boiler", status="idle")
    f.make_hazard(city.ent_a, city.admin, severity="major")
    f.make_hazard(city.ent_a, city.admin, deadline=today() - timedelta(days=2))
    f.make_hazard(city.ent_a, city.admin, status="verified_closed", closed_at=utcnow())
    f.make_hazard(city.ent_x, city.admin)
    db.session.add(
        Accident(
            enterprise_id=city.ent_a.id,
            zone_id=city.zone.id,
            deaths=1,
            occurred_on=today(),
            recorded_by_id=city.admin.id,
        )
    )
    recompute_grades(today())
    db.session.commit()
    return city


def test_inspector_dashboard_covers_only_their_zone(client, busy_city):
    city = busy_city
    body = client.get("/api/reports/dashboard", headers=auth(city.inspector)).json
    assert body["zone_id"] == city.zone.id
    assert body["devices"]["registered"] == 5
    assert body["devices"]["overdue_inspections"] == 1
    assert body["devices"]["by_category"]["boiler"] == {"idle": 1}
    hazards = body["hazards"]
    assert (hazards["found"], hazards["open"], hazards["overdue"], hazards["major_found"]) == (3, 2, 1, 1)
    assert hazards["rectification_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert sum(body["grades"].values()) == 3
    assert body["accidents"]["accidents_12m"] == 1
    assert body["accidents"]["accidents_per_10k"] == pytest.approx(2000)
    assert body["accidents"]["accident_within_target"] is False


def test_bureau_dashboard_covers_the_city_or_one_zone(client, busy_city):
    city = busy_city
    everything = client.get("/api/reports/dashboard", headers=auth(city.admin)).json
    other = client.get(f"/api/reports/dashboard?zone_id={city.other_zone.id}", headers=auth(city.admin)).json
    assert everything["hazards"]["found"] == 4
    assert other["hazards"]["found"] == 1
    assert other["accidents"]["accidents_12m"] == 0


def test_inspector_asking_for_another_zone_gets_404(client, busy_city):
    city = busy_city
    response = client.get(
        f"/api/reports/dashboard?zone_id={city.other_zone.id}", headers=auth(city.inspector)
    )
    assert response.status_code == 404


def test_monthly_report_carries_the_chain_head_of_the_period(client, busy_city):
    city = busy_city
    entry = append_evidence("test.event", "1", {"x": 1})
    db.session.commit()
    month = today().strftime("%Y-%m")
    body = client.get(f"/api/reports/monthly?month={month}", headers=auth(city.inspector)).json
    assert body["chain_head"] == {"seq": entry.seq, "hash": entry.hash}
    assert body["due_on"].endswith("-25")
    old = client.get("/api/reports/monthly?month=2001-01", headers=auth(city.inspector)).json
    assert old["chain_head"]["seq"] == 0


def test_monthly_report_pdf_and_xlsx(client, busy_city):
    city = busy_city
    month = today().strftime("%Y-%m")
    pdf = client.get(f"/api/reports/monthly.pdf?month={month}", headers=auth(city.inspector))
    xlsx = client.get(f"/api/reports/monthly.xlsx?month={month}", headers=auth(city.inspector))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("隐患", "本月发现")] == 3
    assert rows[("设备", "超期未检")] == 1


def test_malformed_month_is_422(client, busy_city):
    response = client.get("/api/reports/monthly?month=2026-13", headers=auth(busy_city.inspector))
    assert response.status_code == 422


def test_dashboard_and_monthly_report_show_mutual_check_completion_by_block(client, city):
    from backend.inspections.models import MutualCheckAssignment, MutualCheckCycle

    cycle = MutualCheckCycle(
        zone_id=city.zone.id,
        name="本月互查",
        starts_on=today().replace(day=1),
        due_on=today(),
        seed=1,
        created_by_id=city.inspector.id,
    )
    db.session.add(cycle)
    db.session.flush()
    for enterprise, check_id in ((city.ent_a, f.new_id()), (city.ent_b, None)):
        db.session.add(
            MutualCheckAssignment(
                cycle_id=cycle.id,
                block_id=city.block.id,
                zone_id=city.zone.id,
                enterprise_id=enterprise.id,
                check_id=check_id,
            )
        )
    db.session.commit()
    body = client.get("/api/reports/dashboard", headers=auth(city.inspector)).json
    assert body["mutual_checks"]["by_block"] == [
        {
            "block_id": city.block.id,
            "block_name": city.block.name,
            "tasks": 2,
            "done": 1,
            "completion_rate": 0.5,
        }
    ]
    other = client.get(f"/api/reports/dashboard?zone_id={city.other_zone.id}", headers=auth(city.admin)).json
    assert other["mutual_checks"] == {"tasks": 0, "done": 0, "completion_rate": None, "by_block": []}
    xlsx = client.get(f"/api/reports/monthly.xlsx?month={today():%Y-%m}", headers=auth(city.inspector))
    cells = [c.value for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows() for c in row]
    assert "1/2" in cells
