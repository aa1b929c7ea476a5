"""Credit grading over HTTP and the set-based recompute (SQL agrees with credit/rules.py)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from backend.core.clock import today
from backend.credit import rules
from backend.credit.models import (
    Accident,
    CreditGrade,
    CreditGradeChange,
    CreditRecognition,
    EnforcementCase,
)
from backend.credit.reads import facts_of
from backend.credit.recompute import recompute_grades
from backend.devices.models import Device
from backend.extensions import db
from backend.org.models import Enterprise
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def _grade(enterprise_id: int) -> CreditGrade:
    db.session.expire_all()
    return db.session.get(CreditGrade, enterprise_id)


def test_clean_old_enterprise_with_a_safety_manager_is_graded_a(city):
    f.make_person(city.ent_a, ("safety_manager", None))
    recompute_grades(today())
    assert _grade(city.ent_a.id).grade == "A"


def test_missing_safety_manager_and_overdue_devices_raise_the_score(city):
    f.make_device(city.ent_a, next_inspection_due=today() - timedelta(days=3))
    recompute_grades(today())
    grade = _grade(city.ent_a.id)
    assert grade.no_safety_manager == 1
    assert grade.devices_overdue_share == 500
    assert grade.score == 15 + 20
    # band C, lowered one level for three accident-free years (第十三条)
    assert (grade.band_grade, grade.grade) == ("C", "B")
    assert rules.reasons_of(grade.reason_bits) == [rules.Reason.accident_free, rules.Reason.lowered]


def test_hazard_facts_count_open_overdue_major_and_findings(city):
    f.make_hazard(city.ent_a, city.admin, severity="major", source="inspection")
    f.make_hazard(city.ent_a, city.admin, deadline=today() - timedelta(days=1), source="mutual_check")
    f.make_hazard(city.ent_a, city.admin, status="verified_closed")
    recompute_grades(today())
    grade = _grade(city.ent_a.id)
    assert (grade.hazards_open, grade.hazards_overdue, grade.major_hazards_open) == (2, 1, 1)
    assert (grade.inspection_findings, grade.mutual_check_findings) == (1, 1)


def test_operator_certificates_expired_share(city):
    f.make_person(city.ent_a, ("operator", today() - timedelta(days=1)), ("operator", None))
    recompute_grades(today())
    assert _grade(city.ent_a.id).operators_expired_share == 500


def test_recompute_logs_each_grade_change_once(city):
    recompute_grades(today())
    recompute_grades(today())
    changes = db.session.scalars(
        select(CreditGradeChange).where(CreditGradeChange.enterprise_id == city.ent_a.id)
    ).all()
    assert [(c.from_grade, c.cause) for c in changes] == [(None, "cycle")]


def test_recording_an_accident_regrades_the_enterprise_to_d_at_once(client, city):
    recompute_grades(today())
    db.session.commit()
    body = {
        "enterprise_id": city.ent_a.id,
        "occurred_on": today().isoformat(),
        "deaths": 1,
        "description": "起重机倾覆",
    }
    response = client.post("/api/credit/accidents", json=body, headers=auth(city.inspector))
    assert response.status_code == 201, response.json
    credit = client.get(f"/api/credit/enterprises/{city.ent_a.id}", headers=auth(city.manager)).json
    assert credit["grade"] == "D"
    assert "d_accident" in [r["code"] for r in credit["reasons"]]
    assert credit["history"][0]["cause"] == "accident"


def test_fined_enforcement_case_makes_grade_d_and_duplicate_case_no_is_409(client, city):
    body = {
        "enterprise_id": city.ent_a.id,
        "case_no": "苏特监罚〔2026〕1号",
        "opened_on": today().isoformat(),
        "violation": "超期未检",
        "fine_yuan": "30000",
    }
    first = client.post("/api/credit/enforcement-cases", json=body, headers=auth(city.inspector))
    again = client.post("/api/credit/enforcement-cases", json=body, headers=auth(city.inspector))
    assert (first.status_code, again.status_code) == (201, 409)
    assert _grade(city.ent_a.id).grade == "D"


def test_enterprise_sees_breakdown_and_what_to_fix(client, city):
    f.make_hazard(city.ent_a, city.admin, severity="major")
    recompute_grades(today())
    db.session.commit()
    credit = client.get(f"/api/credit/enterprises/{city.ent_a.id}", headers=auth(city.manager)).json
    risk = next(g for g in credit["groups"] if g["group"] == "risk_control")
    assert risk["points"] == 12
    assert credit["repair"][0]["indicator"] == "no_safety_manager"
    assert {"major_hazards_open", "hazards_open"} <= {r["indicator"] for r in credit["repair"]}


def test_a_benchmark_lowers_the_grade_one_level_at_once_and_keeps_the_score(client, city):
    young = f.make_enterprise(city.zone, established_on=today() - timedelta(days=400))
    f.make_person(young, ("safety_manager", None))
    for _ in range(3):  # 3 × (2 + 5 + 10) = 51 points, capped at 25: band B
        f.make_hazard(young, city.admin, severity="major", deadline=today() - timedelta(days=1))
    f.make_device(young, next_inspection_due=today() - timedelta(days=1))  # + 20: band C
    recompute_grades(today())
    db.session.commit()
    before = client.get(f"/api/credit/enterprises/{young.id}", headers=auth(city.admin)).json
    body = {"enterprise_id": young.id, "kind": "benchmark", "note": "双重预防机制标杆企业"}
    assert client.post("/api/credit/recognitions", json=body, headers=auth(city.admin)).status_code == 201
    after = client.get(f"/api/credit/enterprises/{young.id}", headers=auth(city.admin)).json
    assert (before["grade"], before["score"]) == ("C", 45)
    assert (after["band_grade"], after["grade"], after["score"]) == ("C", "B", 45)
    assert [r["code"] for r in after["reasons"]] == ["benchmark", "lowered"]
    assert "下调一级" in after["reasons"][1]["label"]
    assert after["history"][0]["cause"] == "recognition"


def test_what_to_fix_shows_the_real_gain_of_a_capped_group_and_the_grade_it_gives(client, city):
    f.make_person(city.ent_a, ("safety_manager", None))
    for _ in range(12):  # 12 open hazards: 24 points
        f.make_hazard(city.ent_a, city.admin)
    f.make_hazard(city.ent_a, city.admin, deadline=today() - timedelta(days=1))  # + 2 + 5: 31 > 25
    recompute_grades(today())
    db.session.commit()
    credit = client.get(f"/api/credit/enterprises/{city.ent_a.id}", headers=auth(city.manager)).json
    overdue = next(r for r in credit["repair"] if r["indicator"] == "hazards_overdue")
    assert (overdue["points"], overdue["gain"], overdue["score_after"]) == (5, 1, 24)
    assert overdue["counts_for_years"] is None
    open_ = next(r for r in credit["repair"] if r["indicator"] == "hazards_open")
    assert (open_["points"], open_["gain"], open_["grade_after"]) == (26, 25, "A")
    assert credit["repair"][0]["indicator"] == "hazards_open"  # the largest gain first
    # band B (25), lowered one level for three accident-free years
    assert (credit["score"], credit["grade"]) == (25, "A")


def test_accident_in_the_future_is_422(client, city):
    body = {"enterprise_id": city.ent_a.id, "occurred_on": (today() + timedelta(days=2)).isoformat()}
    response = client.post("/api/credit/accidents", json=body, headers=auth(city.admin))
    assert response.status_code == 422


def test_bureau_changes_bands_and_an_invalid_config_is_422(client, city):
    ok = client.put("/api/credit/config", json={"bands": [10, 30, 50]}, headers=auth(city.admin))
    bad = client.put("/api/credit/config", json={"weights": {"risk_control": 100}}, headers=auth(city.admin))
    assert ok.status_code == 200 and ok.json["bands"] == [10, 30, 50]
    assert bad.status_code == 422
    assert "weights" in bad.json["error"]["details"]["fields"]


def test_grade_list_is_scoped_to_the_inspector_zone(client, city):
    recompute_grades(today())
    db.session.commit()
    items = client.get("/api/credit/grades", headers=auth(city.inspector)).json["items"]
    assert city.ent_x.id not in {i["enterprise_id"] for i in items}
    assert city.ent_a.id in {i["enterprise_id"] for i in items}


def test_grade_list_puts_the_riskiest_first_d_then_c_b_a_and_the_highest_score_within_a_grade(client, city):
    recompute_grades(today())
    for enterprise, grade, score in (
        (city.ent_a, "B", 20.0),
        (city.ent_b, "D", 12.0),
        (city.ent_c, "D", 60.0),
    ):
        row = _grade(enterprise.id)
        row.grade, row.score = grade, score
    db.session.commit()
    items = client.get("/api/credit/grades", headers=auth(city.inspector)).json["items"]
    assert [(i["enterprise_id"], i["grade"]) for i in items] == [
        (city.ent_c.id, "D"),
        (city.ent_b.id, "D"),
        (city.ent_a.id, "B"),
    ]


def _random_history(rng: random.Random, enterprise: Enterprise, reporter, as_of: date) -> None:
    for _ in range(rng.randint(0, 4)):
        f.make_hazard(
            enterprise,
            reporter,
            severity=rng.choice(["general", "major"]),
            source=rng.choice(["self_check", "mutual_check", "inspection"]),
            status=rng.choice(["reported", "rectifying", "verified_closed"]),
            deadline=as_of + timedelta(days=rng.randint(-20, 20)),
        )
    if rng.random() < 0.3:
        db.session.add(
            Accident(
                enterprise_id=enterprise.id,
                zone_id=enterprise.zone_id,
                occurred_on=as_of - timedelta(days=rng.randint(0, 1500)),
                recorded_by_id=reporter.id,
            )
        )
    if rng.random() < 0.2:
        db.session.add(
            EnforcementCase(
                enterprise_id=enterprise.id,
                zone_id=enterprise.zone_id,
                case_no=f.new_id(),
                opened_on=as_of - timedelta(days=rng.randint(0, 500)),
                violation="违规",
                fine_yuan=rng.choice([None, 5000]),
                recorded_by_id=reporter.id,
            )
        )
    if rng.random() < 0.5:
        f.make_person(enterprise, ("safety_manager", None))
    if rng.random() < 0.3:
        db.session.add(
            CreditRecognition(
                enterprise_id=enterprise.id,
                kind=rng.choice(["benchmark", "intrinsic_safety"]),
                granted_on=as_of - timedelta(days=rng.randint(0, 400)),
                recorded_by_id=reporter.id,
            )
        )


def _assert_sql_agrees_with_the_rules(
    city, seed: int, count: int, rounds: int, config: dict = rules.DEFAULT_CONFIG
) -> set[rules.Reason]:
    """Random histories graded by SQL over `rounds` cycles 200 days apart; each grade, score
    and reason list is what credit/rules.py grade() says for the stored facts. Returns the
    reasons seen."""
    seen: set[rules.Reason] = set()
    rng, as_of = random.Random(seed), today()
    enterprises = [
        f.make_enterprise(city.zone, established_on=as_of - timedelta(days=rng.randint(100, 3000)))
        for _ in range(count)
    ]
    for enterprise in enterprises:
        _random_history(rng, enterprise, city.admin, as_of)
    db.session.flush()
    for round_ in range(rounds):  # later rounds see previous grades and the one-year bar
        previous = {g.enterprise_id: g for g in db.session.scalars(select(CreditGrade))}
        recompute_grades(as_of + timedelta(days=200 * round_))
        for enterprise in enterprises:
            new, old = _grade(enterprise.id), previous.get(enterprise.id)
            facts = facts_of(new, enterprise.established_on)
            expected = rules.grade(
                rules.Facts(
                    **(
                        facts.__dict__
                        | {
                            "previous_grade": rules.Grade(old.grade) if old else None,
                            "last_c_on": old.last_c_on if old else None,
                        }
                    )
                ),
                new.as_of,
                config,
            )
            assert (new.grade, new.score) == (expected.grade, pytest.approx(expected.score))
            assert rules.reasons_of(new.reason_bits) == expected.reasons
            seen.update(expected.reasons)
    return seen


def test_sql_recompute_agrees_with_the_pure_rules(city):
    seen = _assert_sql_agrees_with_the_rules(city, seed=8, count=40, rounds=3)
    # the lowering met a band above A, and 第七条 after it
    assert {rules.Reason.lowered, rules.Reason.benchmark, rules.Reason.never_a_young} <= seen


def test_reporting_and_verifying_a_hazard_regrades_at_once(client, city):
    f.make_person(city.ent_a, ("safety_manager", None))
    recompute_grades(today())
    db.session.commit()
    hazard_id = f.new_id()
    body = {
        "id": hazard_id,
        "enterprise_id": city.ent_a.id,
        "category": "电梯",
        "severity": "major",
        "description": "制动器磨损超标",
        "source": "inspection",
    }
    assert client.post("/api/hazards", json=body, headers=auth(city.inspector)).status_code == 201
    raised = _grade(city.ent_a.id)
    assert (raised.major_hazards_open, raised.score) == (1, 12 + 3)
    f.make_photo("a" * 64)
    db.session.commit()
    steps = [("submit_rectification", city.manager, ["a" * 64]), ("verify", city.inspector, [])]
    for action, user, photos in steps:
        response = client.post(
            f"/api/hazards/{hazard_id}/transitions",
            headers=auth(user),
            json={"id": f.new_id(), "action": action, "photos": photos},
        )
        assert response.status_code == 200, response.json
    lowered = _grade(city.ent_a.id)
    assert (lowered.major_hazards_open, lowered.hazards_open) == (0, 0)
    assert lowered.inspection_findings == 1


def test_substantiated_complaint_counts_against_the_enterprise(client, city):
    from backend.complaints.models import Complaint

    complaint = Complaint(
        ticket_no="TS20261123-0001",
        day=today(),
        seq=1,
        tracking_hash="0" * 64,
        device_id=city.dev_a.id,
        enterprise_id=city.ent_a.id,
        category="elevator_trapped",
        description="电梯困人",
    )
    db.session.add(complaint)
    db.session.commit()
    response = client.post(
        f"/api/complaints/{complaint.id}/triage",
        headers=auth(city.inspector),
        json={"outcome": "substantiated", "public_reply": "经核查属实"},
    )
    assert response.status_code == 200, response.json
    assert _grade(city.ent_a.id).complaints_substantiated == 1


def test_evidence_chain_detects_an_altered_accident(client, city):
    from backend.credit.records import credit_evidence_problem
    from backend.evidence.services import verify_chain

    body = {"enterprise_id": city.ent_a.id, "occurred_on": today().isoformat(), "deaths": 0}
    accident_id = client.post("/api/credit/accidents", json=body, headers=auth(city.admin)).json["id"]
    checks = {"accident.": credit_evidence_problem}
    assert verify_chain(checks).ok
    db.session.get(Accident, accident_id).deaths = 0 + 2
    db.session.commit()
    assert "altered" in verify_chain(checks).problem


@pytest.mark.parametrize(
    "change",
    [
        {"accident_d_years": 0, "fined_d": False},
        {"accident_d_years": 1, "bands": [5, 10, 20]},
        {"deductions": {"accident_free": 3, "benchmark": 10, "intrinsic_safety": 0}},
    ],
    ids=["d_floors_off", "one_year_floor_narrow_bands", "points_deducted_too"],
)
def test_sql_recompute_agrees_with_the_pure_rules_under_another_config(city, change):
    from backend.credit.config import update_config

    config = update_config(city.admin, change)
    seen = _assert_sql_agrees_with_the_rules(city, seed=15, count=30, rounds=2, config=config)
    assert rules.Reason.lowered in seen


@pytest.mark.parametrize("raw", [0.0, 0.004, 0.005, 0.125, 1.115, 2.675, 14.995, 34.994999, 59.995, 99.999])
def test_sql_rounds_a_score_to_the_same_two_decimals_as_the_rules(app, raw):
    from sqlalchemy import literal

    from backend.credit.indicators import _RoundedScore

    rounded = db.session.scalar(select(_RoundedScore(literal(raw))))
    assert rounded == rules.round_score(raw)


def test_a_share_is_per_mille_rounded_down(city):
    f.make_device(city.ent_a, next_inspection_due=today() - timedelta(days=1))
    f.make_device(city.ent_a)
    recompute_grades(today())
    devices = db.session.scalar(
        select(func.count())
        .select_from(Device)
        .where(Device.enterprise_id == city.ent_a.id, Device.status == "in_use")
    )
    overdue = db.session.scalar(
        select(func.count())
        .select_from(Device)
        .where(
            Device.enterprise_id == city.ent_a.id,
            Device.status == "in_use",
            Device.next_inspection_due < today(),
        )
    )
    assert overdue * 1000 % devices  # a share that is not a whole per mille
    assert _grade(city.ent_a.id).devices_overdue_share == overdue * 1000 // devices


def test_a_cycle_rewrites_only_the_grades_whose_content_changed(city):
    from backend.credit.models import CreditCycle

    first = recompute_grades(today())
    assert first.written == first.graded > 1
    # the second cycle fills in each previous grade (none before), the third has nothing to do
    assert recompute_grades(today()).written == first.graded
    assert recompute_grades(today()).written == 0
    f.make_hazard(city.ent_a, city.admin, severity="major")
    again = recompute_grades(today())
    assert (again.graded, again.written) == (first.graded, 1)
    assert _grade(city.ent_a.id).major_hazards_open == 1
    cycles = db.session.scalars(select(CreditCycle).order_by(CreditCycle.id)).all()
    assert [c.written for c in cycles] == [first.graded, first.graded, 0, 1]
    assert {c.graded for c in cycles} == {first.graded}


def test_every_grade_holds_as_of_the_latest_cycle_though_its_row_was_not_rewritten(client, city):
    recompute_grades(today() - timedelta(days=2))
    recompute_grades(today() - timedelta(days=1))
    report = recompute_grades(today())
    db.session.commit()
    assert report.written < report.graded
    kept = db.session.scalars(
        select(CreditGrade).where(CreditGrade.as_of == today() - timedelta(days=1))
    ).all()
    assert kept, "some rows were left as they were"
    items = client.get("/api/credit/grades", headers=auth(city.admin)).json["items"]
    assert {i["as_of"] for i in items} == {today().isoformat()}
    one = client.get(f"/api/credit/enterprises/{kept[0].enterprise_id}", headers=auth(city.admin)).json
    assert one["as_of"] == today().isoformat()


def test_a_d_grade_is_rewritten_each_cycle_so_its_last_c_day_moves_on(city):
    db.session.add(
        Accident(
            enterprise_id=city.ent_a.id,
            zone_id=city.ent_a.zone_id,
            occurred_on=today() - timedelta(days=30),
            recorded_by_id=city.admin.id,
        )
    )
    recompute_grades(today() - timedelta(days=1))
    recompute_grades(today())
    grade = _grade(city.ent_a.id)
    assert (grade.grade, grade.last_c_on, grade.as_of) == ("D", today(), today())


def test_a_grade_change_is_logged_once_though_the_next_cycle_rewrites_its_previous_grade(city):
    recompute_grades(today() - timedelta(days=2))
    f.make_hazard(city.ent_a, city.admin, severity="major", deadline=today() - timedelta(days=1))
    f.make_hazard(city.ent_a, city.admin, severity="major", deadline=today() - timedelta(days=1))
    recompute_grades(today() - timedelta(days=1))
    recompute_grades(today())
    changes = db.session.scalars(
        select(CreditGradeChange)
        .where(CreditGradeChange.enterprise_id == city.ent_a.id)
        .order_by(CreditGradeChange.id)
    ).all()
    assert len(changes) == 2, [(c.from_grade, c.to_grade, c.changed_on) for c in changes]
    assert changes[1].from_grade == changes[0].to_grade != changes[1].to_grade
    assert _grade(city.ent_a.id).previous_grade == changes[1].to_grade


def test_a_cycle_on_postgresql_before_15_upserts_instead_of_merging(city, monkeypatch):
    from backend.credit import recompute

    dialect = db.session.get_bind().dialect
    if dialect.name != "postgresql":
        pytest.skip("MERGE is chosen on PostgreSQL 15+ only")
    monkeypatch.setattr(dialect, "server_version_info", (14, 9))
    monkeypatch.setattr(recompute, "_PLANS", {})
    assert "MERGE" not in recompute._plan(recompute.current_config(), subset=False).grade.text
    first = recompute_grades(today())
    recompute_grades(today())
    f.make_hazard(city.ent_a, city.admin, severity="major")
    again = recompute_grades(today())
    assert (again.graded, again.written) == (first.graded, 1)
    assert _grade(city.ent_a.id).major_hazards_open == 1


def test_a_cycle_on_postgresql_completes_when_an_event_grades_a_new_enterprise_meanwhile(city):
    import threading

    from sqlalchemy import insert

    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's cycle upserts, and its writers take turns")
    recompute_grades(today())
    newcomer = f.make_enterprise(city.zone)
    db.session.commit()
    with db.engine.connect() as event:  # an event's re-grade of the newcomer, not committed yet
        event.execute(
            insert(CreditGrade).values(
                enterprise_id=newcomer.id, zone_id=city.zone.id, as_of=today(), band_grade="A", grade="A"
            )
        )
        committing = threading.Timer(0.5, event.commit)  # while the cycle waits on that row
        committing.start()
        report = recompute_grades(today())
        committing.join()
    db.session.commit()
    assert report.graded == db.session.scalar(select(func.count()).select_from(Enterprise))
    grade = _grade(newcomer.id)
    assert (grade.no_safety_manager, grade.previous_grade) == (1, "A")


def test_a_config_change_is_kept_in_its_history_with_who_and_the_old_value(client, city):
    before = client.get("/api/credit/config", headers=auth(city.admin)).json["bands"]
    client.put("/api/credit/config", json={"bands": [10, 30, 50]}, headers=auth(city.admin))
    client.put(
        "/api/credit/config", json={"bands": [10, 30, 50]}, headers=auth(city.admin)
    )  # no change: no row
    history = client.get("/api/credit/config/history", headers=auth(city.inspector))
    assert history.status_code == 200
    assert [(h["field"], h["actor"]) for h in history.json] == [("bands", city.admin.username)]
    assert history.json[0]["before"] == before and history.json[0]["after"] == [10, 30, 50]
    assert client.get("/api/credit/config/history", headers=auth(city.manager)).status_code == 403
