"""Set-based grading in SQL: one GROUP BY pass per indicator, then the rules as CASE.

Each `*_indicators` function is one named SQL piece returning (enterprise_id, columns…)
grouped by enterprise; `facts_select` LEFT JOINs them onto the enterprises. To add an
indicator (e.g. missed self-checks), write one more piece, a column in
`_GradeColumns`, an entry in rules.ITEMS and a LEFT JOIN here.
`grade_select` mirrors credit/rules.py `grade()` expression by expression; the tests in
tests/api/test_credit.py check both agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Numeric,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.sql import Subquery

from backend.complaints.models import Complaint
from backend.complaints.rules import ComplaintStatus
from backend.credit.models import (
    Accident,
    CreditGrade,
    CreditGradeNext,
    CreditRecognition,
    EnforcementCase,
)
from backend.credit.rules import GROUPS, ITEMS, Kind, Reason, years_before
from backend.devices.models import Device
from backend.devices.rules import DeviceStatus
from backend.hazards.models import Hazard
from backend.hazards.rules import HazardSource, HazardStatus, Severity
from backend.org.models import Certificate, CertificateKind, Enterprise, Person

OPEN = (HazardStatus.reported, HazardStatus.rectifying, HazardStatus.rectification_submitted)


@dataclass(frozen=True)
class Window:
    """The dates a computation needs, computed once in Python (no date arithmetic in SQL)."""

    as_of: date
    one_year: date
    two_years: date
    three_years: date

    @classmethod
    def on(cls, as_of: date) -> Window:
        return cls(as_of, years_before(as_of, 1), years_before(as_of, 2), years_before(as_of, 3))

    @property
    def one_year_at(self) -> datetime:
        """The start of `one_year` (UTC), for timestamp columns."""
        return datetime.combine(self.one_year, time(), UTC)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _limit(query: Select, column, ids: Sequence[int] | None) -> Select:  # type: ignore[no-untyped-def]
    return query if ids is None else query.where(column.in_(ids))


def device_indicators(w: Window, ids: Sequence[int] | None) -> Subquery:
    """Devices in use and those past their periodic inspection (超期未检)."""
    in_use = Device.status == DeviceStatus.in_use
    query = select(
        Device.enterprise_id.label("enterprise_id"),
        _count_if(in_use).label("in_use"),
        _count_if(in_use & (Device.next_inspection_due < w.as_of)).label("overdue"),
    ).group_by(Device.enterprise_id)
    return _limit(query, Device.enterprise_id, ids).subquery("dev")


def certificate_indicators(w: Window, ids: Sequence[int] | None) -> Subquery:
    """Valid safety-manager certificates; operator certificates and the expired ones."""
    valid = or_(Certificate.expires_on.is_(None), Certificate.expires_on >= w.as_of)
    operator = Certificate.kind == CertificateKind.operator
    query = select(
        Person.enterprise_id.label("enterprise_id"),
        _count_if((Certificate.kind == CertificateKind.safety_manager) & valid).label("managers"),
        _count_if(operator).label("operators"),
        _count_if(operator & ~valid).label("operators_expired"),
    ).join(Certificate, Certificate.person_id == Person.id).group_by(Person.enterprise_id)
    return _limit(query, Person.enterprise_id, ids).subquery("cert")


def hazard_indicators(w: Window, ids: Sequence[int] | None) -> Subquery:
    """Open, overdue and major hazards; mutual-check and inspection findings of the year."""
    is_open = Hazard.status.in_(OPEN)
    this_year = Hazard.created_at >= w.one_year_at
    query = select(
        Hazard.enterprise_id.label("enterprise_id"),
        _count_if(is_open).label("open"),
        _count_if(is_open & (Hazard.deadline < w.as_of)).label("overdue"),
        _count_if(is_open & (Hazard.severity == Severity.major)).label("major_open"),
        _count_if(this_year & (Hazard.source == HazardSource.mutual_check)).label("mutual"),
        _count_if(this_year & (Hazard.source == HazardSource.inspection)).label("inspection"),
    ).group_by(Hazard.enterprise_id)
    return _limit(query, Hazard.enterprise_id, ids).subquery("haz")


def complaint_indicators(w: Window, ids: Sequence[int] | None) -> Subquery:
    """Substantiated complaints (投诉属实) of the last year."""
    query = select(Complaint.enterprise_id.label("enterprise_id"),
                   func.count().label("substantiated")).where(
        Complaint.status == ComplaintStatus.substantiated, Complaint.day >= w.one_year,
    ).group_by(Complaint.enterprise_id)
    return _limit(query, Complaint.enterprise_id, ids).subquery("cmp")


def enforcement_indicators(w: Window, ids: Sequence[int] | None) -> Subquery:
    """Enforcement cases of the last year, and those ordered to correct and fined."""
    fined = EnforcementCase.ordered_to_correct & (func.coalesce(EnforcementCase.fine_yuan, 0) > 0)
    query = select(EnforcementCase.enterprise_id.label("enterprise_id"),
                   func.count().label("cases"), _count_if(fined).label("fined")).where(
        EnforcementCase.opened_on > w.one_year, EnforcementCase.opened_on <= w.as_of,
    ).group_by(EnforcementCase.enterprise_id)
    return _limit(query, EnforcementCase.enterprise_id, ids).subquery("enf")


def accident_indicators(w: Window, ids: Sequence[int] | None) -> Subquery:
    """Accidents of the last three years and the latest accident day."""
    query = select(Accident.enterprise_id.label("enterprise_id"),
                   _count_if(Accident.occurred_on > w.three_years).label("recent"),
                   func.max(Accident.occurred_on).label("last_on")).where(
        Accident.occurred_on <= w.as_of).group_by(Accident.enterprise_id)
    return _limit(query, Accident.enterprise_id, ids).subquery("acc")


def recognition_indicators(w: Window, ids: Sequence[int] | None) -> Subquery:
    """Recognitions in force: dual-prevention benchmark, intrinsic-safety improvement."""
    in_force = (CreditRecognition.granted_on <= w.as_of) & or_(
        CreditRecognition.expires_on.is_(None), CreditRecognition.expires_on >= w.as_of)
    query = select(
        CreditRecognition.enterprise_id.label("enterprise_id"),
        _count_if(CreditRecognition.kind == "benchmark").label("benchmark"),
        _count_if(CreditRecognition.kind == "intrinsic_safety").label("intrinsic"),
    ).where(in_force).group_by(CreditRecognition.enterprise_id)
    return _limit(query, CreditRecognition.enterprise_id, ids).subquery("rec")


def _z(column) -> ColumnElement[int]:  # type: ignore[no-untyped-def]
    return func.coalesce(column, 0)


def facts_select(w: Window, ids: Sequence[int] | None) -> Select:
    """Every enterprise (or those in `ids`) with its facts, the pieces LEFT JOINed."""
    dev, cert = device_indicators(w, ids), certificate_indicators(w, ids)
    haz, cmp = hazard_indicators(w, ids), complaint_indicators(w, ids)
    enf, acc = enforcement_indicators(w, ids), accident_indicators(w, ids)
    rec = recognition_indicators(w, ids)
    share = lambda part, whole: case((_z(whole) > 0, _z(part) * 1000 / whole), else_=0)  # noqa: E731
    query = select(
        Enterprise.id.label("enterprise_id"), Enterprise.zone_id.label("zone_id"),
        Enterprise.established_on.label("established_on"),
        case((_z(cert.c.managers) == 0, 1), else_=0).label("no_safety_manager"),
        share(cert.c.operators_expired, cert.c.operators).label("operators_expired_share"),
        _z(haz.c.open).label("hazards_open"), _z(haz.c.overdue).label("hazards_overdue"),
        _z(haz.c.major_open).label("major_hazards_open"),
        _z(haz.c.mutual).label("mutual_check_findings"),
        share(dev.c.overdue, dev.c.in_use).label("devices_overdue_share"),
        _z(haz.c.inspection).label("inspection_findings"),
        _z(cmp.c.substantiated).label("complaints_substantiated"),
        _z(enf.c.cases).label("enforcement_cases"), _z(enf.c.fined).label("fined_cases"),
        _z(acc.c.recent).label("accidents_3y"), acc.c.last_on.label("last_accident_on"),
        (_z(rec.c.benchmark) > 0).label("benchmark"), (_z(rec.c.intrinsic) > 0).label("intrinsic_safety"),
    ).select_from(Enterprise)
    for piece in (dev, cert, haz, cmp, enf, acc, rec):
        query = query.outerjoin(piece, piece.c.enterprise_id == Enterprise.id)
    return _limit(query, Enterprise.id, ids)


def _item_sql(name: str, column, points: float) -> ColumnElement[float]:  # type: ignore[no-untyped-def]
    kind = ITEMS[name][1]
    if kind == Kind.flag:
        return case((column > 0, literal(float(points))), else_=literal(0.0))
    if kind == Kind.share:
        return cast(column, Float) * float(points) / 1000.0
    return cast(column, Float) * float(points)


def _capped(value, cap: float) -> ColumnElement[float]:  # type: ignore[no-untyped-def]
    return case((value > cap, literal(float(cap))), else_=value)


def _within(column, since: date, years: int) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    return and_(column.is_not(None), column > since) if years > 0 else false()


def _code(condition, reason: Reason) -> ColumnElement[str]:  # type: ignore[no-untyped-def]
    return case((condition, literal(reason.value + ",")), else_=literal(""))


def grade_select(w: Window, config: dict, ids: Sequence[int] | None) -> Select:
    """New grade rows: facts → group scores → score → band → rules, as nested SELECTs."""
    f = facts_select(w, ids).subquery("f")
    old = CreditGrade.__table__.alias("old")
    groups = {g: sum((_item_sql(n, f.c[n], config["points"][n]) for n, i in ITEMS.items() if i[0] == g),
                     literal(0.0)) for g in GROUPS}
    established = f.c.established_on
    old_enough = established.is_not(None) & (established <= w.three_years)
    no_accident_3y = or_(f.c.last_accident_on.is_(None), f.c.last_accident_on <= w.three_years)
    ded = config["deductions"]
    lowering = {
        Reason.accident_free: old_enough & no_accident_3y,
        Reason.benchmark: f.c.benchmark == true(),
        Reason.intrinsic_safety: f.c.intrinsic_safety == true(),
    }
    deducted = sum((case((cond, literal(float(ded[r.value]))), else_=literal(0.0))
                    for r, cond in lowering.items()), literal(0.0))
    s1 = select(
        f, *(_capped(expr, config["weights"][g]).label(g) for g, expr in groups.items()),
        deducted.label("deducted"),
        func.coalesce(_reason_codes(lowering), "").label("lowering_codes"),
        old.c.grade.label("previous_grade"), old.c.last_c_on.label("old_last_c_on"),
    ).outerjoin(old, old.c.enterprise_id == f.c.enterprise_id).cte("s1").prefix_with("MATERIALIZED")
    total = sum((s1.c[g] for g in GROUPS), literal(0.0)) - s1.c.deducted
    score = func.round(cast(case((total < 0, literal(0.0)), else_=total), Numeric(8, 2)), 2)
    # MATERIALIZED: the rule expressions below refer to the score many times; inlined (SQLite
    # flattens subqueries) the score expression would be evaluated dozens of times per row.
    s2 = select(s1, cast(score, Float).label("score")).cte("s2").prefix_with("MATERIALIZED")
    return _final_grade(s2, w, config)


def _reason_codes(conditions: dict[Reason, ColumnElement[bool]]) -> ColumnElement[str]:
    codes = [_code(cond, r) for r, cond in conditions.items()]
    out = codes[0]
    for code in codes[1:]:
        out = out + code
    return out


def _band_sql(score, bands: list[float]) -> ColumnElement[str]:  # type: ignore[no-untyped-def]
    a, b, c = (float(x) for x in bands)
    return case((score < a, "A"), (score < b, "B"), (score < c, "C"), else_="D")


def _final_grade(s2: Subquery | CTE, w: Window, config: dict) -> Select:
    years = config["accident_d_years"]
    d_since = years_before(w.as_of, years) if years > 0 else w.as_of
    d_accident = _within(s2.c.last_accident_on, d_since, years)
    d_fined = (s2.c.fined_cases > 0) if config["fined_d"] else false()
    banded = _band_sql(s2.c.score, config["bands"])
    g1 = case((or_(d_accident, d_fined), "D"), else_=banded)
    caps = {
        Reason.never_a_young: or_(s2.c.established_on.is_(None), s2.c.established_on > w.three_years),
        Reason.never_a_previous: s2.c.previous_grade.in_(("C", "D")),
        Reason.never_a_accident: _within(s2.c.last_accident_on, w.one_year, 1),
        Reason.c_bar: _within(s2.c.old_last_c_on, w.one_year, 1),
    }
    capped = (g1 == "A") & or_(*caps.values())
    g2 = case((capped, "B"), else_=g1)
    lock = _within(s2.c.last_accident_on, w.three_years, 3) & s2.c.previous_grade.is_not(None) & (
        g2 < s2.c.previous_grade)  # 'A' < 'B' < 'C' < 'D': string order is risk order
    final = case((lock, s2.c.previous_grade), else_=g2)
    reasons = s2.c.lowering_codes + _code(d_accident, Reason.d_accident) + _code(d_fined, Reason.d_fined)
    for reason, condition in caps.items():
        reasons = reasons + _code((g1 == "A") & condition, reason)
    reasons = reasons + _code(lock, Reason.accident_lock)
    last_c = case((final.in_(("C", "D")), literal(w.as_of)), else_=s2.c.old_last_c_on)
    fact_columns = [s2.c[c.name] for c in CreditGradeNext.__table__.columns
                    if c.name in s2.c and c.name not in ("previous_grade", "score", "as_of")]
    return select(
        *fact_columns, literal(w.as_of).label("as_of"), s2.c.score,
        cast(banded, String(1)).label("band_grade"), cast(final, String(1)).label("grade"),
        func.coalesce(reasons, "").label("reasons"), s2.c.previous_grade,
        last_c.label("last_c_on"),
    )
