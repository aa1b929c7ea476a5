"""Submitting the monthly report (工作小结, seed 001): the zone inspector's narrative freezes the month's
figures; the bureau sees which zones submitted and when; key figures of seeds 001 and 003."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from backend.core.clock import today
from backend.evidence.models import EvidenceEntry
from backend.evidence.services import verify_chain
from backend.extensions import db
from backend.notices.models import Notice
from backend.reports import rules
from backend.reports.models import MonthlyReportSubmission
from backend.reports.submissions import report_evidence_problem
from tests import factories as f
from tests.conftest import auth

LAST_MONTH = rules.month_due(today())
START, END = rules.month_bounds(LAST_MONTH)
IN_LAST_MONTH = datetime.combine(START + timedelta(days=9), datetime.min.time(), UTC)


@pytest.fixture
def app(fast_app):
    return fast_app


def _body(zone_id: int, month: str = LAST_MONTH) -> dict:
    return {
        "month": month,
        "zone_id": zone_id,
        "summary": "区块互查全覆盖，经验可推广。",
        "problems": "两台电梯超期未检。",
        "next_steps": "建议市局统一维保考核口径。",
    }


def _submit(client, user, zone_id, month=LAST_MONTH):
    return client.post("/api/reports/monthly/submit", json=_body(zone_id, month), headers=auth(user))


def _report(client, user, zone_id=None, month=LAST_MONTH):
    query = f"month={month}" + (f"&zone_id={zone_id}" if zone_id else "")
    return client.get(f"/api/reports/monthly?{query}", headers=auth(user))


def test_submission_freezes_the_month_a_later_hazard_changes_nothing(client, city):
    f.make_hazard(city.ent_a, city.admin, created_at=IN_LAST_MONTH)
    db.session.commit()
    assert _report(client, city.inspector).json["frozen"] is False

    answer = _submit(client, city.inspector, city.zone.id)
    assert answer.status_code == 201, answer.json
    assert answer.json["frozen"] is True
    assert answer.json["hazards"]["found"] == 1

    f.make_hazard(city.ent_a, city.admin, created_at=IN_LAST_MONTH, severity="major")
    db.session.commit()
    frozen = _report(client, city.inspector).json
    assert frozen["frozen"] is True
    assert frozen["hazards"]["found"] == 1
    assert frozen["hazards"]["major"]["found"] == 0
    assert frozen["submission"]["summary"] == "区块互查全覆盖，经验可推广。"
    # the live figures of the same month (the whole city, never frozen) do count the new hazard
    assert _report(client, city.admin).json["hazards"]["found"] == 2


def test_the_frozen_month_is_in_the_evidence_chain_and_tampering_shows(client, city):
    _submit(client, city.inspector, city.zone.id)
    submission = db.session.query(MonthlyReportSubmission).one()
    entry = db.session.get(EvidenceEntry, submission.evidence_seq)
    assert entry.kind == "report.monthly" and submission.content_hash in entry.body
    assert verify_chain({"report.": report_evidence_problem}).ok

    submission.figures = submission.figures | {"hazards": {"found": 0}}
    db.session.commit()
    report = verify_chain({"report.": report_evidence_problem})
    assert not report.ok and "altered" in report.problem


def test_second_submission_of_a_month_is_409_and_changes_nothing(client, city):
    assert _submit(client, city.inspector, city.zone.id).status_code == 201
    again = client.post(
        "/api/reports/monthly/submit",
        json=_body(city.zone.id) | {"summary": "改过的"},
        headers=auth(city.inspector),
    )
    assert again.status_code == 409
    assert _report(client, city.inspector).json["submission"]["summary"] == "区块互查全覆盖，经验可推广。"


@pytest.mark.parametrize(
    ("who", "zone", "status"),
    [
        ("other_inspector", "zone", 404),
        ("admin", "zone", 403),
        ("manager", "zone", 403),
        ("inspector", "other_zone", 404),
    ],
)
def test_only_the_zone_inspector_submits_their_zone(client, city, who, zone, status):
    answer = _submit(client, getattr(city, who), getattr(city, zone).id)
    assert answer.status_code == status
    assert db.session.query(MonthlyReportSubmission).count() == 0


def test_a_month_that_has_not_ended_cannot_be_submitted(client, city):
    answer = _submit(client, city.inspector, city.zone.id, today().strftime("%Y-%m"))
    assert answer.status_code == 422
    assert "month" in answer.json["error"]["details"]["fields"]


def test_empty_narrative_is_422(client, city):
    answer = client.post(
        "/api/reports/monthly/submit",
        json=_body(city.zone.id) | {"problems": "  "},
        headers=auth(city.inspector),
    )
    assert answer.status_code == 422


@pytest.mark.parametrize(("submitted_on", "late"), [(date(2026, 11, 25), False), (date(2026, 11, 26), True)])
def test_a_report_after_the_25th_of_the_next_month_is_late(client, city, monkeypatch, submitted_on, late):
    monkeypatch.setattr("backend.reports.submissions.today", lambda: submitted_on)
    answer = _submit(client, city.inspector, city.zone.id, "2026-10")
    assert answer.status_code == 201
    assert answer.json["submission"]["late"] is late
    assert answer.json["due_on"] == "2026-11-25"


def test_bureau_sees_which_zones_submitted_when_and_late_ones(client, city, monkeypatch):
    monkeypatch.setattr("backend.reports.submissions.today", lambda: date(2026, 11, 27))
    _submit(client, city.inspector, city.zone.id, "2026-10")
    listing = client.get("/api/reports/monthly/submissions?month=2026-10", headers=auth(city.admin)).json
    zones = {z["zone_id"]: z for z in listing["zones"]}
    assert zones[city.zone.id]["submitted"] is True
    assert zones[city.zone.id]["submission"]["late"] is True
    assert zones[city.zone.id]["submission"]["submitted_at"]
    assert zones[city.other_zone.id] | {"zone_name": None} == {
        "zone_id": city.other_zone.id,
        "zone_name": None,
        "submitted": False,
        "submission": None,
        "overdue": True,
        "auto_frozen": False,
    }
    assert (listing["submitted"], listing["missing"], listing["late"]) == (1, 1, 1)
    own = _report(client, city.admin, city.zone.id, "2026-10").json
    assert own["frozen"] is True and own["submission"]["problems"] == "两台电梯超期未检。"


def test_only_the_bureau_lists_submissions(client, city):
    answer = client.get(f"/api/reports/monthly/submissions?month={LAST_MONTH}", headers=auth(city.inspector))
    assert answer.status_code == 403


def test_frozen_pdf_and_xlsx_carry_the_narrative_and_the_frozen_figures(client, city):
    f.make_hazard(city.ent_a, city.admin, created_at=IN_LAST_MONTH)
    db.session.commit()
    _submit(client, city.inspector, city.zone.id)
    f.make_hazard(city.ent_a, city.admin, created_at=IN_LAST_MONTH)
    db.session.commit()
    xlsx = client.get(f"/api/reports/monthly.xlsx?month={LAST_MONTH}", headers=auth(city.inspector))
    rows = {
        (r[0], r[1]): r[2] for r in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True)
    }
    assert rows[("工作小结", "存在问题")] == "两台电梯超期未检。"
    assert rows[("隐患", "本月发现")] == 1
    pdf = client.get(f"/api/reports/monthly.pdf?month={LAST_MONTH}", headers=auth(city.inspector))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_monthly_figures_cover_seed_001_and_003(client, city):
    long_ago = datetime(2025, 1, 1, tzinfo=UTC)
    city.ent_a.created_at = long_ago
    f.make_device(
        city.ent_a, key_monitored=True, next_inspection_due=START - timedelta(days=1), created_at=long_ago
    )
    f.make_device(city.ent_a, status="idle", idle_since=END - timedelta(days=400))
    f.make_person(city.ent_a, ("operator", None), ("operator", START - timedelta(days=1)))
    f.make_hazard(city.ent_a, city.admin, created_at=IN_LAST_MONTH, source="mutual_check", severity="major")
    db.session.add(
        Notice(
            number="特监〔2026〕整改第9001号",
            seq=9001,
            kind="rectification",
            enterprise_id=city.ent_a.id,
            zone_id=city.zone.id,
            issued_by_id=city.inspector.id,
            issued_on=START + timedelta(days=3),
            deadline=END,
        )
    )
    db.session.commit()
    body = _report(client, city.inspector).json
    assert body["as_of"] == END.isoformat()
    assert body["devices"]["long_idle"] == 1
    assert body["key_devices"]["devices"] == 1
    assert body["key_devices"]["inspection_rate"] == 0
    assert body["key_devices"]["registration_rate"] == 1
    assert body["key_devices"]["certification_rate"] == 0.5
    assert body["hazards"]["by_source"]["mutual_check"]["found"] == 1
    assert body["hazards"]["major"] == {"found": 1, "closed": 0, "rectification_rate": 0}
    assert body["notices"]["by_kind"]["rectification"] == 1
    days = (END - START).days + 1
    assert body["self_checks"]["daily"] == {"expected": days, "done": 0, "rate": 0}
    assert body["self_checks"]["monthly"] == {"expected": 1, "done": 0, "rate": 0}
    assert body["plans"] == {"items": 0, "done": 0, "execution_rate": None}
    assert body["accidents"]["accident_target"] == 0.2 and body["accidents"]["death_target"] == 0.19
