from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from backend.maintenance import rules
from backend.maintenance.rules import CompanyFacts, ContractTerm
from backend.maintenance.rules import MaintenanceKind as K

START = date(2026, 1, 1)
TERM = ContractTerm(START, date(2026, 12, 31))


def test_a_bigger_maintenance_includes_the_smaller_ones_items():
    half_month = {i.code for i in rules.checklist(K.half_month)}
    quarter = {i.code for i in rules.checklist(K.quarter)}
    year = {i.code for i in rules.checklist(K.year)}
    assert half_month < quarter < year
    assert all(code.startswith("u") for code in (i.code for i in rules.checklist(K.urgent)))


def test_escalators_get_their_own_items():
    assert rules.is_escalator("自动扶梯")
    assert {i.code for i in rules.checklist(K.half_month, escalator=True)}.isdisjoint(
        {i.code for i in rules.checklist(K.half_month)}
    )


def test_the_first_half_month_is_due_fifteen_days_into_the_contract():
    assert rules.next_due(K.half_month, {}, START) == START + timedelta(days=15)


def test_a_quarterly_maintenance_counts_for_the_half_monthly_one():
    done = {K.quarter: date(2026, 3, 1), K.half_month: date(2026, 2, 20)}
    assert rules.next_due(K.half_month, done, START) == date(2026, 3, 16)
    assert rules.next_due(K.quarter, done, START) == date(2026, 5, 30)


def test_no_order_before_the_lead_time():
    assert rules.order_to_open(TERM, {}, False, START + timedelta(days=11)) is None
    opened = rules.order_to_open(TERM, {}, False, START + timedelta(days=12))
    assert opened == rules.OrderToOpen(K.half_month, START + timedelta(days=15))


def test_when_several_kinds_fall_due_the_biggest_is_opened_at_the_earliest_date():
    done = {K.half_month: date(2026, 3, 20)}
    opened = rules.order_to_open(TERM, done, False, date(2026, 4, 1))
    assert opened == rules.OrderToOpen(K.quarter, date(2026, 4, 1))


def test_one_open_periodic_order_at_a_time_and_none_outside_the_contract():
    assert rules.order_to_open(TERM, {}, True, date(2026, 6, 1)) is None
    assert rules.order_to_open(TERM, {}, False, date(2027, 1, 2)) is None
    late_term = ContractTerm(START, START + timedelta(days=10))
    assert rules.order_to_open(late_term, {}, False, START + timedelta(days=10)) is None


def test_overdue_is_an_open_order_past_its_day():
    assert rules.is_overdue("open", date(2026, 1, 1), date(2026, 1, 2))
    assert not rules.is_overdue("open", date(2026, 1, 2), date(2026, 1, 2))
    assert not rules.is_overdue("done", date(2026, 1, 1), date(2026, 1, 5))
    assert rules.shown_status("open", date(2026, 1, 1), date(2026, 1, 5)) == "overdue"


def test_next_maintenance_due_needs_a_contract():
    assert rules.next_maintenance_due(None, {}) is None
    assert rules.next_maintenance_due(TERM, {K.half_month: date(2026, 2, 1)}) == date(2026, 2, 16)
    # a quarterly one never done is due 90 days into the contract, before the next half-monthly
    assert rules.next_maintenance_due(TERM, {K.half_month: date(2026, 5, 1)}) == date(2026, 4, 1)


EXPECTED = [{"code": "a", "text": "", "photo": True}, {"code": "b", "text": "", "photo": False}]


def test_every_item_answered_failed_ones_explained_photos_where_asked():
    ok = [{"code": "a", "result": "ok", "photos": ["x"]}, {"code": "b", "result": "ok", "photos": []}]
    assert rules.item_problems(EXPECTED, ok) == {}
    assert set(rules.item_problems(EXPECTED, ok[:1])) == {"b"}
    no_photo = [{"code": "a", "result": "ok", "photos": []}, ok[1]]
    assert set(rules.item_problems(EXPECTED, no_photo)) == {"a"}
    not_there = [{"code": "a", "result": "not_applicable", "photos": []}, ok[1]]
    assert rules.item_problems(EXPECTED, not_there) == {}
    failed = [ok[0], {"code": "b", "result": "failed", "note": "", "photos": []}]
    assert set(rules.item_problems(EXPECTED, failed)) == {"b"}
    assert "zz" in rules.item_problems(EXPECTED, [*ok, {"code": "zz", "result": "ok", "photos": []}])


def test_one_photo_cannot_prove_two_items():
    expected = [{"code": "a", "text": "", "photo": True}, {"code": "b", "text": "", "photo": True}]
    same = [{"code": "a", "result": "ok", "photos": ["x"]}, {"code": "b", "result": "ok", "photos": ["x"]}]
    assert set(rules.item_problems(expected, same)) == {"photos"}


NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def test_scans_lie_between_the_order_and_the_upload():
    created = NOW - timedelta(days=3)
    assert rules.scan_problems([], created, NOW)
    assert rules.scan_problems([NOW - timedelta(hours=1)], created, NOW) is None
    assert rules.scan_problems([created - timedelta(hours=1)], created, NOW)
    assert rules.scan_problems([NOW + timedelta(hours=1)], created, NOW)
    assert rules.scan_problems([NOW + timedelta(minutes=5)], created, NOW) is None  # clock skew


def test_a_visit_shorter_than_the_kinds_minimum_is_short():
    assert rules.short_visit(K.half_month, NOW, NOW + timedelta(minutes=19))
    assert not rules.short_visit(K.half_month, NOW, NOW + timedelta(minutes=20))
    assert not rules.short_visit(K.urgent, NOW, NOW)


def test_the_rescue_clock_runs_from_the_report():
    found = rules.rescue(NOW, NOW + timedelta(minutes=31), NOW + timedelta(minutes=40), 30)
    assert found == rules.Rescue(31, 40, True)
    assert not rules.rescue(NOW, NOW + timedelta(minutes=30), None, 30).late


def test_evidence_strength_counts_photos_scans_signature_and_time():
    assert rules.evidence_strength(4, 4, 2, True, False) == 1.0
    assert rules.evidence_strength(4, 2, 1, True, True) < rules.evidence_strength(4, 4, 2, True, True)


GOOD = CompanyFacts(
    elevators=100,
    orders_due=200,
    orders_on_time=200,
    mean_evidence_strength=1.0,
    records=200,
    disputed=0,
    entrapments=0,
    late_rescues=0,
    faults=0,
    complaints=0,
)


def test_a_punctual_well_evidenced_company_is_graded_a():
    assert rules.grade_company(GOOD).grade == "A"


def test_late_orders_disputes_and_entrapments_lower_the_grade():

    late = rules.grade_company(replace(GOOD, orders_on_time=100))
    disputed = rules.grade_company(replace(GOOD, disputed=40))
    trapped = rules.grade_company(replace(GOOD, entrapments=8, late_rescues=2))
    for worse in (late, disputed, trapped):
        assert worse.score < rules.grade_company(GOOD).score
    assert late.grade in ("C", "D")
    ranking = rules.ranked([(2, late), (1, rules.grade_company(GOOD))])
    assert [cid for cid, _ in ranking] == [1, 2]


def _complaint(
    day: date, category: str = "abnormal_operation", status: str = "substantiated", device: int = 1
) -> rules.ComplaintFact:
    return rules.ComplaintFact(device, day, category, status)


def test_a_true_maintenance_complaint_under_contract_counts_against_the_company():
    terms = {1: [ContractTerm(date(2026, 3, 1), date(2026, 12, 31))]}
    as_of = date(2026, 6, 1)
    counted = [_complaint(date(2026, 4, 1)), _complaint(date(2026, 5, 1), "elevator_trapped")]
    assert rules.complaints_against(counted, terms, as_of, 365) == 2


def test_complaints_the_company_cannot_answer_for_do_not_count():
    terms = {1: [ContractTerm(date(2026, 3, 1), date(2026, 12, 31))]}
    as_of = date(2026, 6, 1)
    not_counted = [
        _complaint(date(2026, 2, 1)),  # before the contract: another company's elevator then
        _complaint(date(2026, 7, 1)),  # after as_of
        _complaint(date(2026, 4, 1), status="received"),  # not yet checked: anyone's word
        _complaint(date(2026, 4, 1), status="not_substantiated"),
        _complaint(date(2026, 4, 1), "overdue_inspection"),  # the using unit's duty
        _complaint(date(2026, 4, 1), device=2),  # not a device under its contract
    ]
    assert rules.complaints_against(not_counted, terms, as_of, 365) == 0


def test_old_complaints_leave_the_window():
    terms = {1: [ContractTerm(date(2024, 1, 1), date(2026, 12, 31))]}
    old = [_complaint(date(2025, 5, 1))]
    assert rules.complaints_against(old, terms, date(2026, 6, 1), 365) == 0
    assert rules.complaints_against(old, terms, date(2026, 4, 1), 365) == 1


def test_faults_lower_the_grade_less_than_as_many_entrapments():
    good = rules.grade_company(GOOD)
    faults = rules.grade_company(replace(GOOD, faults=5))
    entrapments = rules.grade_company(replace(GOOD, entrapments=5))
    assert entrapments.score < faults.score < good.score
    assert faults.faults_per_100 == 5.0 and good.faults_per_100 == 0.0


def test_complaints_lower_the_grade():
    assert rules.grade_company(replace(GOOD, complaints=5)).score < rules.grade_company(GOOD).score


def test_the_phone_gets_a_label_hash_not_the_token():
    token = "AbCdEfGh12345678"
    assert rules.label_hash(token) == rules.label_hash(token) != token
    assert token not in rules.label_hash(token) and len(rules.label_hash(token)) == 64


def test_the_worker_is_told_why_their_certificate_does_not_count():
    day = date(2026, 6, 1)

    def facts(verification="verified", issued=date(2025, 1, 1), expires=date(2027, 1, 1)):
        return rules.CertificateFacts(verification, issued, expires)

    assert rules.uncertified_reason(None, False, day) == "missing"
    assert rules.uncertified_reason(facts(), True, day) == "left"
    assert rules.uncertified_reason(facts("pending"), False, day) == "pending"
    assert rules.uncertified_reason(facts("rejected"), False, day) == "rejected"
    assert rules.uncertified_reason(facts(issued=date(2026, 7, 1)), False, day) == "not_yet_valid"
    assert rules.uncertified_reason(facts(expires=date(2026, 5, 31)), False, day) == "expired"
