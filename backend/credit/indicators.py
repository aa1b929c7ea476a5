"""Set-based grading in SQL: one GROUP BY pass per indicator, then the rules as CASE.

Each `*_indicators` function is one named SQL piece returning (enterprise_id, columns…)
grouped by enterprise; `facts_select` LEFT JOINs them onto the enterprises. To add an
indicator (e.g. missed self-checks), write one more piece, an entry in `PIECES`, a column
in `_GradeColumns`, an entry in rules.ITEMS and its join in `facts_select`.
`grade_select` computes what credit/rules.py `grade()` does, in integers where it can (a
bit per rule that fired, grades as ranks); the tests in tests/api/test_credit.py check
both agree.

The statement does not depend on the day: the dates are the named parameters of `SQL`
(:as_of, :one_year …, values from `Window.params`) and the enterprises of an event
re-grade are `:ids`, so it is built and compiled once per config (credit/recompute.py)
and a re-grade only binds values. Each piece filters on `:ids` before it groups, so a
one-enterprise re-grade reads that enterprise's rows through an index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    TextClause,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.functions import FunctionElement

from backend.complaints.models import Complaint
from backend.complaints.rules import ComplaintStatus
from backend.core.db import UTCDateTime
from backend.credit.models import (
    Accident,
    CreditGrade,
    CreditRecognition,
    EnforcementCase,
)
from backend.credit.rules import GROUPS, ITEMS, LOWERING, REASON_BIT, Kind, Reason, years_before
from backend.devices.models import Device
from backend.devices.rules import OPERATOR_CATEGORIES, DeviceStatus
from backend.devices.services import overdue_clause as device_overdue
from backend.hazards.models import Hazard
from backend.hazards.rules import HazardSource
from backend.hazards.services import major_open_clause
from backend.hazards.services import open_clause as hazard_open
from backend.hazards.services import overdue_clause as hazard_overdue
from backend.org.models import Certificate, CertificateKind, Enterprise, Person, Verification


@dataclass(frozen=True)
class Window:
    """The dates a computation needs, computed once in Python (no date arithmetic in SQL)."""

    as_of: date
    one_year: date
    three_years: date

    @classmethod
    def on(cls, as_of: date) -> Window:
        return cls(as_of, years_before(as_of, 1), years_before(as_of, 3))

    def params(self, config: dict) -> dict[str, date | datetime]:
        """The values of the named parameters of `SQL` on this day under `config`."""
        return {
            "as_of": self.as_of,
            "one_year": self.one_year,
            "three_years": self.three_years,
            # the start of `one_year` (UTC), for timestamp columns
            "one_year_at": datetime.combine(self.one_year, time(), UTC),
            # an accident after this day makes the grade D (accident_d_years; 0: off)
            "d_since": years_before(self.as_of, config["accident_d_years"]),
        }


def _param(name: str, type_) -> ColumnElement:
    """A named parameter left in the compiled SQL (`:name`); bound at each execution."""
    return literal_column(f":{name}", type_)


@dataclass(frozen=True)
class SqlWindow:
    """`Window` as SQL: the named parameters the statements take instead of dates."""

    as_of: ColumnElement[date]
    one_year: ColumnElement[date]
    three_years: ColumnElement[date]
    one_year_at: ColumnElement[datetime]
    d_since: ColumnElement[date]


#: the day-dependent parameters of every grading statement
SQL = SqlWindow(
    _param("as_of", Date),
    _param("one_year", Date),
    _param("three_years", Date),
    _param("one_year_at", UTCDateTime()),
    _param("d_since", Date),
)
#: the expanding parameter (`IN :ids`) of an event re-grade: the enterprises to grade
IDS_PARAM = "ids"


class _PerEngine(FunctionElement):
    """A SQL function written one way on PostgreSQL and another on SQLite (templates with
    `{}` for the arguments); the statements are compiled once per engine."""

    inherit_cache = True
    postgresql = "{}"
    sqlite = "{}"


@compiles(_PerEngine)
def _per_engine_sql(element, compiler, **kw) -> str:
    template = element.sqlite if compiler.dialect.name == "sqlite" else element.postgresql
    return template.format(compiler.process(element.clauses, **kw))


class _Plain(_PerEngine):
    """A date column compared as the text it is stored as (SQLite: `+column`).

    SQLite gives a DATE column NUMERIC affinity, so comparing it with a bound day first
    tries to read the day as a number, on every row; `+column` has no affinity and compares
    the ISO texts directly. Only where an index is not wanted (inside CASE, not in WHERE).
    """

    inherit_cache = True
    sqlite = "+{}"

    def __init__(self, column) -> None:
        super().__init__(column)
        self.type = column.type


class _Least(_PerEngine):
    """The smaller of two numbers."""

    inherit_cache = True
    type = Float()
    postgresql, sqlite = "LEAST({})", "MIN({})"


class _Greatest(_PerEngine):
    inherit_cache = True
    postgresql, sqlite = "GREATEST({})", "MAX({})"


class _RoundedScore(_PerEngine):
    """A score ≥ 0 rounded half up to two decimals in floating point, as rules.round_score:
    no NUMERIC casts (slow on PostgreSQL), and the same digits on both engines. SQLite's
    CAST AS INTEGER truncates, which is floor for a number ≥ 0 (its floor() is optional)."""

    inherit_cache = True
    type = Float()
    postgresql = "(floor(({}) * 100.0 + 0.5) / 100.0)"
    sqlite = "(CAST(({}) * 100.0 + 0.5 AS INTEGER) / 100.0)"


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def only_ids(column) -> ColumnElement[bool]:
    """`column IN :ids` (expanded to the list bound at execution)."""
    return column.op("IN")(literal_column(f":{IDS_PARAM}"))


def _limit(query: Select, column, subset: bool) -> Select:
    return query.where(only_ids(column)) if subset else query


def device_indicators(w: SqlWindow, subset: bool) -> Subquery:
    """Devices in use, those that need certified operators, and those past their periodic
    inspection (超期未检)."""
    in_use = Device.status == DeviceStatus.in_use
    query = select(
        Device.enterprise_id.label("enterprise_id"),
        _count_if(in_use).label("in_use"),
        _count_if(in_use & Device.category.in_(OPERATOR_CATEGORIES)).label("need_operators"),
        _count_if(
            device_overdue(w.as_of, _Plain(Device.next_inspection_due), _Plain(Device.accessory_next_due))
        ).label("overdue"),
    ).group_by(Device.enterprise_id)
    return _limit(query, Device.enterprise_id, subset).subquery("dev")


def certificate_indicators(w: SqlWindow, subset: bool) -> Subquery:
    """Valid safety-manager certificates; operator certificates and the expired ones.

    Only certificates that count: verified by a regulator, not replaced by a verified renewal,
    held by someone still on staff (a self-declared certificate earns nothing)."""
    valid = or_(Certificate.expires_on.is_(None), _Plain(Certificate.expires_on) >= w.as_of)
    operator = Certificate.kind == CertificateKind.operator
    counted = and_(
        Certificate.verification == Verification.verified,
        Certificate.superseded_on.is_(None),
        or_(Person.left_on.is_(None), Person.left_on > w.as_of),
    )
    query = (
        select(
            Person.enterprise_id.label("enterprise_id"),
            _count_if((Certificate.kind == CertificateKind.safety_manager) & valid).label("managers"),
            _count_if(operator).label("operators"),
            _count_if(operator & ~valid).label("operators_expired"),
        )
        .join(Certificate, Certificate.person_id == Person.id)
        .where(counted)
        .group_by(Person.enterprise_id)
    )
    return _limit(query, Person.enterprise_id, subset).subquery("cert")


def hazard_indicators(w: SqlWindow, subset: bool) -> Subquery:
    """Open, overdue and major hazards; mutual-check and inspection findings of the year."""
    this_year = _Plain(Hazard.created_at) >= w.one_year_at
    query = select(
        Hazard.enterprise_id.label("enterprise_id"),
        _count_if(hazard_open()).label("open"),
        _count_if(hazard_overdue(w.as_of, _Plain(Hazard.deadline))).label("overdue"),
        _count_if(major_open_clause()).label("major_open"),
        _count_if(this_year & (Hazard.source == HazardSource.mutual_check)).label("mutual"),
        _count_if(this_year & (Hazard.source == HazardSource.inspection)).label("inspection"),
    ).group_by(Hazard.enterprise_id)
    query = query.where(Hazard.confirmed.is_(True))  # a peer's finding counts once a regulator confirms
    return _limit(query, Hazard.enterprise_id, subset).subquery("haz")


def complaint_indicators(w: SqlWindow, subset: bool) -> Subquery:
    """Substantiated complaints (投诉属实) of the last year."""
    query = (
        select(Complaint.enterprise_id.label("enterprise_id"), func.count().label("substantiated"))
        .where(
            Complaint.status == ComplaintStatus.substantiated,
            Complaint.day >= w.one_year,
        )
        .group_by(Complaint.enterprise_id)
    )
    return _limit(query, Complaint.enterprise_id, subset).subquery("cmp")


def enforcement_indicators(w: SqlWindow, subset: bool) -> Subquery:
    """Enforcement cases of the last year, and those ordered to correct and fined."""
    fined = EnforcementCase.ordered_to_correct & (func.coalesce(EnforcementCase.fine_yuan, 0) > 0)
    query = (
        select(
            EnforcementCase.enterprise_id.label("enterprise_id"),
            func.count().label("cases"),
            _count_if(fined).label("fined"),
        )
        .where(
            EnforcementCase.opened_on > w.one_year,
            EnforcementCase.opened_on <= w.as_of,
        )
        .group_by(EnforcementCase.enterprise_id)
    )
    return _limit(query, EnforcementCase.enterprise_id, subset).subquery("enf")


def accident_indicators(w: SqlWindow, subset: bool) -> Subquery:
    """Accidents of the last three years and the latest accident day."""
    query = (
        select(
            Accident.enterprise_id.label("enterprise_id"),
            _count_if(_Plain(Accident.occurred_on) > w.three_years).label("recent"),
            func.max(Accident.occurred_on).label("last_on"),
        )
        .where(Accident.occurred_on <= w.as_of)
        .group_by(Accident.enterprise_id)
    )
    return _limit(query, Accident.enterprise_id, subset).subquery("acc")


def recognition_indicators(w: SqlWindow, subset: bool) -> Subquery:
    """Recognitions in force: dual-prevention benchmark, intrinsic-safety improvement."""
    in_force = (CreditRecognition.granted_on <= w.as_of) & or_(
        CreditRecognition.expires_on.is_(None), CreditRecognition.expires_on >= w.as_of
    )
    query = (
        select(
            CreditRecognition.enterprise_id.label("enterprise_id"),
            _count_if(CreditRecognition.kind == "benchmark").label("benchmark"),
            _count_if(CreditRecognition.kind == "intrinsic_safety").label("intrinsic"),
        )
        .where(in_force)
        .group_by(CreditRecognition.enterprise_id)
    )
    return _limit(query, CreditRecognition.enterprise_id, subset).subquery("rec")


def _z(column) -> ColumnElement[int]:
    return func.coalesce(column, 0)


PIECES = {
    "dev": device_indicators,
    "cert": certificate_indicators,
    "haz": hazard_indicators,
    "cmp": complaint_indicators,
    "enf": enforcement_indicators,
    "acc": accident_indicators,
    "rec": recognition_indicators,
}
#: the pieces with a row for most enterprises (a full cycle on SQLite keys them, see `keyed`)
LARGE_PIECES = ("dev", "cert", "haz")
Piece = Subquery | Table


def keyed(name: str, piece: Subquery) -> Table:
    """A temporary table for a piece's rows, keyed by enterprise (SQLite: the rowid).

    SQLite LEFT JOINs a grouped subquery by copying its rows aside and building an index on
    them on every run; rows inserted in enterprise order into a table whose rowid is the
    enterprise are one copy, and each join a rowid lookup.
    """
    return Table(
        f"credit_{name}",
        MetaData(),
        *(Column(c.name, Integer, primary_key=c.name == "enterprise_id") for c in piece.c),
        schema="temp",
    )


def facts_select(w: SqlWindow, subset: bool, sources: dict[str, Piece] | None = None) -> Select:
    """Every enterprise (or those in `:ids`) with its facts, the pieces LEFT JOINed (each
    from `sources` when given there, a filled `keyed` table)."""
    pieces: dict[str, Piece] = {name: build(w, subset) for name, build in PIECES.items()}
    pieces |= sources or {}
    dev, cert, haz, cmp = pieces["dev"], pieces["cert"], pieces["haz"], pieces["cmp"]
    enf, acc, rec = pieces["enf"], pieces["acc"], pieces["rec"]
    # per mille, rounded down: integer division, the same on every engine
    share = lambda part, whole: case((_z(whole) > 0, _z(part) * 1000 // whole), else_=0)  # noqa: E731
    # devices that need certified operators and no valid certificate: the whole share
    # (rules.operators_share)
    valid_operators = _z(cert.c.operators) - _z(cert.c.operators_expired)
    no_valid_operator = (_z(dev.c.need_operators) > 0) & (valid_operators <= 0)
    query = select(
        Enterprise.id.label("enterprise_id"),
        Enterprise.zone_id.label("zone_id"),
        Enterprise.established_on.label("established_on"),
        case((_z(cert.c.managers) == 0, 1), else_=0).label("no_safety_manager"),
        case(
            (no_valid_operator, 1000),
            else_=share(cert.c.operators_expired, cert.c.operators),
        ).label("operators_expired_share"),
        _z(haz.c.open).label("hazards_open"),
        _z(haz.c.overdue).label("hazards_overdue"),
        _z(haz.c.major_open).label("major_hazards_open"),
        _z(haz.c.mutual).label("mutual_check_findings"),
        share(dev.c.overdue, dev.c.in_use).label("devices_overdue_share"),
        _z(haz.c.inspection).label("inspection_findings"),
        _z(cmp.c.substantiated).label("complaints_substantiated"),
        _z(enf.c.cases).label("enforcement_cases"),
        _z(enf.c.fined).label("fined_cases"),
        _z(acc.c.recent).label("accidents_3y"),
        acc.c.last_on.label("last_accident_on"),
        (_z(rec.c.benchmark) > 0).label("benchmark"),
        (_z(rec.c.intrinsic) > 0).label("intrinsic_safety"),
    ).select_from(Enterprise)
    for piece in (dev, cert, haz, cmp, enf, acc, rec):
        query = query.outerjoin(piece, piece.c.enterprise_id == Enterprise.id)
    return _limit(query, Enterprise.id, subset)


def _item_sql(name: str, column, points: float) -> ColumnElement[Any]:
    kind = ITEMS[name][1]
    if kind == Kind.flag:
        return case((column > 0, literal(float(points))), else_=literal(0.0))
    if kind == Kind.share:
        return cast(column, Float) * float(points) / 1000.0
    return cast(column, Float) * float(points)


def _within(column, since, years: int) -> ColumnElement[bool]:
    return and_(column.is_not(None), column > since) if years > 0 else false()


def _bits(reasons: tuple[Reason, ...]) -> int:
    return sum(REASON_BIT[r] for r in reasons)


def _has(flags, reasons: tuple[Reason, ...]) -> ColumnElement[bool]:
    """Some of `reasons` are set in the integer `flags`."""
    return flags.bitwise_and(_bits(reasons)) != 0


D_FLOORS = (Reason.d_accident, Reason.d_fined)
NEVER_A = (Reason.never_a_young, Reason.never_a_previous, Reason.never_a_accident, Reason.c_bar)
LOCK = (Reason.accident_lock,)
LOWERED = (Reason.lowered,)
#: a grade as a number: its rank (rules.RANK) is the position in this string
LETTERS = "ABCD"

#: a LIMIT that never bites (largest 64-bit integer): with OFFSET 0 it fences a stage
_NO_LIMIT = 2**63 - 1


def _stage(query: Select, name: str) -> Subquery:
    """One step of the rules whose columns the next steps read many times.

    LIMIT/OFFSET 0 keeps the engine from inlining the step into the next one (SQLite would
    flatten it, PostgreSQL pull it up) and so from evaluating the same expression over and
    over: each column is computed once per row and streamed on (a SQLite co-routine, a
    PostgreSQL subquery scan), with no temporary table.
    """
    return query.limit(_NO_LIMIT).offset(0).subquery(name)


def grade_select(config: dict, *, subset: bool, sources: dict[str, Piece] | None = None) -> Select:
    """New grade rows: facts → group scores, score and conditions → grade, in two steps.

    Of every enterprise, or (`subset`) of those in `:ids`; the dates are parameters (`SQL`).
    The stage s1 computes per row the capped group scores, the score, the previous grade's
    rank and one integer `flags` with a bit per rule whose condition holds (rules.REASON_BIT):
    the grade and the reasons that fired are then integer arithmetic on those columns, and
    grades are compared as ranks, not as strings.
    """
    w = SQL
    f = facts_select(w, subset, sources).subquery("f")
    old = CreditGrade.__table__.alias("old")
    groups = {
        g: _Least(
            sum(
                (_item_sql(n, f.c[n], config["points"][n]) for n, i in ITEMS.items() if i[0] == g),
                literal(0.0),
            ),
            literal(float(config["weights"][g])),
        )
        for g in GROUPS
    }
    established = _Plain(f.c.established_on)
    years = config["accident_d_years"]
    conditions = {  # each rule's condition on the facts (credit/rules.py grade())
        Reason.accident_free: established.is_not(None)
        & (established <= w.three_years)
        & or_(f.c.last_accident_on.is_(None), f.c.last_accident_on <= w.three_years),
        Reason.benchmark: f.c.benchmark == true(),
        Reason.intrinsic_safety: f.c.intrinsic_safety == true(),
        Reason.d_accident: _within(f.c.last_accident_on, w.d_since, years),
        Reason.d_fined: (f.c.fined_cases > 0) if config["fined_d"] else false(),
        Reason.never_a_young: or_(established.is_(None), established > w.three_years),
        Reason.never_a_previous: old.c.grade.in_(("C", "D")),
        Reason.never_a_accident: _within(f.c.last_accident_on, w.one_year, 1),
        Reason.c_bar: _within(_Plain(old.c.last_c_on), w.one_year, 1),
        Reason.accident_lock: _within(f.c.last_accident_on, w.three_years, 3),
    }
    flags = sum(
        (case((condition, literal(REASON_BIT[r])), else_=literal(0)) for r, condition in conditions.items()),
        literal(0),
    )
    deducted = sum(
        (
            case((conditions[r], literal(float(config["deductions"][r.value]))), else_=literal(0.0))
            for r in _deducting(config)
        ),
        literal(0.0),
    )
    # the group scores again inside the score: cheaper than one more stage to read them from
    total = sum(groups.values(), literal(0.0)) - deducted
    score = _RoundedScore(_Greatest(total, literal(0.0)))
    s1 = _stage(
        select(
            f,
            *(expr.label(g) for g, expr in groups.items()),
            score.label("score"),
            flags.label("flags"),
            case({letter: rank for rank, letter in enumerate(LETTERS)}, value=old.c.grade, else_=-1).label(
                "previous_rank"
            ),
            old.c.grade.label("previous_grade"),
            old.c.last_c_on.label("old_last_c_on"),
        )
        .outerjoin(old, old.c.enterprise_id == f.c.enterprise_id)
        # the order the facts come in anyway; said, so that PostgreSQL knows it past the
        # fence and merges the new rows with the current ones without sorting them
        .order_by(f.c.enterprise_id),
        "s1",
    )
    return _final_grade(s1, w, config)


def _deducting(config: dict) -> tuple[Reason, ...]:
    """The lowering conditions the bureau also deducts points for (none by default)."""
    return tuple(r for r in LOWERING if config["deductions"][r.value] > 0)


def _final_grade(s1: Subquery, w: SqlWindow, config: dict) -> Select:
    """Band → D floors → lowering → never A → accident lock, with the reasons that acted
    (rules.grade).

    On ranks (A 0 … D 3): a D floor is 3; else a lowering condition takes one off a band
    above A unless the accident lock holds; a grade that is then A with a never-A condition
    is B; under the accident lock the grade is never lower than the previous one, so it is
    the greater of the two ranks (the previous rank is -1 when there is none).
    """
    a, b, c = (float(x) for x in config["bands"])
    score, flags, previous = s1.c.score, s1.c.flags, s1.c.previous_rank
    d_floor = _has(flags, D_FLOORS)
    locked = _has(flags, LOCK)
    tried = ~d_floor & (score >= a) & _has(flags, LOWERING)  # a lowering meets a band above A
    lowers = tried & ~locked
    pre_a = ~d_floor & ((score < a) | ((score < b) & lowers))  # A before 第七条 is applied
    band = case((score < a, 0), (score < b, 1), (score < c, 2), else_=3)
    ranked = case(
        (d_floor, 3),
        (pre_a, case((_has(flags, NEVER_A), 1), else_=0)),
        else_=band - case((lowers, 1), else_=0),
    )
    final = _Greatest(ranked, case((locked, previous), else_=-1))
    reasons = (
        flags.bitwise_and(case((tried, _bits(LOWERING)), else_=_bits(_deducting(config))) + _bits(D_FLOORS))
        + case((pre_a, flags.bitwise_and(_bits(NEVER_A))), else_=0)
        + case((locked & ((ranked < previous) | tried), _bits(LOCK)), else_=0)
        + case((final < band, _bits(LOWERED)), else_=0)
    )
    fact_columns = [
        s1.c[c.name]
        for c in CreditGrade.__table__.columns
        if c.name in s1.c and c.name not in ("previous_grade", "as_of")
    ]
    return select(
        *fact_columns,
        w.as_of.label("as_of"),
        func.substr(LETTERS, band + 1, 1).label("band_grade"),
        func.substr(LETTERS, final + 1, 1).label("grade"),
        reasons.label("reason_bits"),
        s1.c.previous_grade,
        case((final >= 2, w.as_of), else_=s1.c.old_last_c_on).label("last_c_on"),
    )


def compile_text(statement, dialect: Dialect) -> TextClause:
    """`statement` compiled once for `dialect`: constants inlined, the named parameters
    (`SQL`, `:ids`, `:cause`) kept with their types, so running it again only binds values
    (no expression building, no cache-key walk over hundreds of constants)."""
    return sql_text(compile_sql(statement, dialect))


def compile_sql(statement, dialect: Dialect) -> str:
    """The SQL of `statement` for `dialect`, constants inlined, named parameters kept."""
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def sql_text(sql: str) -> TextClause:
    """`sql` as a statement that binds the named parameters it uses, with their types."""
    types = {name: getattr(SQL, name).type for name in SqlWindow.__dataclass_fields__} | {"cause": String(40)}
    binds = [bindparam(name, type_=t) for name, t in types.items() if re.search(rf":{name}\b", sql)]
    if re.search(rf":{IDS_PARAM}\b", sql):
        binds.append(bindparam(IDS_PARAM, expanding=True))
    return text(sql).bindparams(*binds)
