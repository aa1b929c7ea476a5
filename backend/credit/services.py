"""Record accidents and enforcement cases; recompute and read credit grades (信用风险分级)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import (
    Select,
    String,
    Table,
    TextClause,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateTable, DropTable

from backend.core.auth import REGULATORS, Role
from backend.core.clock import today, utcnow
from backend.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.core.hashing import canonical_bytes, payload_hash
from backend.core.pagination import Page, paginate
from backend.credit import rules
from backend.credit.indicators import (
    IDS_PARAM,
    LARGE_PIECES,
    PIECES,
    SQL,
    Window,
    compile_sql,
    compile_text,
    grade_select,
    keyed,
    only_ids,
    sql_text,
)
from backend.credit.models import (
    Accident,
    CreditConfig,
    CreditCycle,
    CreditGrade,
    CreditGradeChange,
    CreditRecognition,
    EnforcementCase,
)
from backend.devices.models import Device
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.org.models import Enterprise
from backend.org.scope import Actor, own_records_scope
from backend.org.services import get_enterprise_for, get_records_enterprise_for

# -- configuration ---------------------------------------------------------------------


def current_config() -> dict:
    """The bureau's grading config, or the documented defaults (rules.DEFAULT_CONFIG) for
    what it does not set."""
    row = db.session.get(CreditConfig, 1)
    return rules.DEFAULT_CONFIG | json.loads(row.data) if row else rules.DEFAULT_CONFIG


def update_config(actor: Actor, data: dict) -> dict:
    """Change weights, bands and rule switches (bureau only); applies from the next recompute."""
    if actor.role != Role.bureau_admin:
        raise Forbidden("只有市局可以修改分级规则 (bureau only)")
    config = current_config() | data
    errors = rules.validate_config(config)
    if errors:
        raise ValidationFailed(details={"fields": errors})
    row = db.session.get(CreditConfig, 1) or CreditConfig(id=1)
    row.data, row.updated_by_id, row.updated_at = canonical_bytes(config).decode(), actor.id, utcnow()
    db.session.add(row)
    db.session.flush()
    append_evidence("credit.config", "1", {"content": payload_hash(config)})
    return config


# -- recompute -------------------------------------------------------------------------


@dataclass
class RecomputeReport:
    as_of: date
    graded: int  #: enterprises graded
    changed: int  #: grades that changed (logged)
    written: int  #: grade rows rewritten: their content changed, or an event re-graded them


@dataclass(frozen=True)
class _Plan:
    """The statements of a recompute under one config, compiled once (indicators.compile_text)."""

    grade: TextClause  #: the new grades over the current ones (an upsert or a MERGE)
    log: TextClause  #: one change row per changed grade
    #: run before `grade` (fill SQLite's keyed pieces) and after the log (drop them)
    before: tuple[TextClause, ...] = ()
    after: tuple[TextClause, ...] = ()


_PLANS: dict[tuple[bytes, str, bool], _Plan] = {}
_UPSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


def _plan(config: dict, *, subset: bool) -> _Plan:
    """The compiled plan of `config` for every enterprise or a subset (`:ids`), cached."""
    dialect = db.session.get_bind().dialect
    key = (canonical_bytes(config), dialect.name, subset)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 32:  # configs come and go; keep the cache small
            _PLANS.clear()
        plan = _PLANS[key] = _build_plan(config, subset, dialect)
    return plan


def _build_plan(config: dict, subset: bool, dialect: Dialect) -> _Plan:
    """Compute straight into credit_grades: each new row keeps the grade it replaces
    (previous_grade, read in the same statement), so the change log is read back from the
    graded rows and no scratch copy of 600k rows is written, logged, deleted and copied.

    A cycle leaves a row whose content is what it was (most rows, most days: writing 600k
    unchanged rows was a third of the cycle) and records itself (CreditCycle), which dates
    the rows it kept (`graded_as_of`); an event re-grade always writes its row.
    """
    g = CreditGrade.__table__
    content = [c.name for c in g.columns if not c.primary_key and c.name != "as_of"]
    sources, before, after = _keyed_pieces(dialect) if not subset else ({}, (), ())
    computed = grade_select(config, subset=subset, sources=sources)
    if not subset and dialect.name == "postgresql" and dialect.server_version_info >= (15,):
        grade = _merge(compile_sql(computed, dialect), g, content)
    else:
        # WHERE true: SQLite needs a WHERE between INSERT … SELECT and ON CONFLICT
        computed = computed.where(true())
        upsert = _UPSERTS[dialect.name](g).from_select(list(computed.selected_columns.keys()), computed)
        upsert = upsert.on_conflict_do_update(
            index_elements=[g.c.enterprise_id],
            set_={c.name: upsert.excluded[c.name] for c in g.columns if not c.primary_key},
            where=None if subset else or_(*(g.c[n].is_distinct_from(upsert.excluded[n]) for n in content)),
        )
        grade = compile_text(upsert, dialect)
    changed = select(
        g.c.enterprise_id,
        g.c.previous_grade,
        g.c.grade,
        g.c.score,
        g.c.reason_bits,
        g.c.as_of,
        literal_column(":cause", String(40)),
    ).where(g.c.previous_grade.is_(None) | (g.c.previous_grade != g.c.grade))
    if subset:
        changed = changed.where(only_ids(g.c.enterprise_id))
    log = insert(CreditGradeChange.__table__).from_select(
        ["enterprise_id", "from_grade", "to_grade", "score", "reason_bits", "changed_on", "cause"], changed
    )
    return _Plan(grade, compile_text(log, dialect), before, after)


def _keyed_pieces(
    dialect: Dialect,
) -> tuple[dict[str, Table], tuple[TextClause, ...], tuple[TextClause, ...]]:
    """SQLite, full cycle: the large indicator pieces go into keyed temporary tables first
    (indicators.keyed); their rows are then joined by rowid."""
    if dialect.name != "sqlite":
        return {}, (), ()
    sources: dict[str, Table] = {}
    before: list[TextClause] = []
    after: list[TextClause] = []
    for name in LARGE_PIECES:
        piece = PIECES[name](SQL, False)
        table = sources[name] = keyed(name, piece)
        before += [
            compile_text(DropTable(table, if_exists=True), dialect),
            compile_text(CreateTable(table), dialect),
            compile_text(insert(table).from_select(list(piece.c.keys()), piece.element), dialect),
        ]
        after.append(compile_text(DropTable(table), dialect))
    return sources, tuple(before), tuple(after)


def _merge(new_rows: str, table: Table, content: list[str]) -> TextClause:
    """PostgreSQL (15+): MERGE the new rows into `table` by enterprise, rewriting a row only
    when its content changed. An upsert would lock (and log) every current row before
    reading its DO UPDATE … WHERE, and goes through the index row by row; MERGE merge-joins
    the new rows, which come in enterprise order, with the current ones."""
    columns = [c.name for c in table.columns]  # names from the model, not from input
    changed = " OR ".join(f"cur.{c} IS DISTINCT FROM new.{c}" for c in content)
    updates = ", ".join(f"{c} = new.{c}" for c in columns if c != "enterprise_id")
    values = ", ".join(f"new.{c}" for c in columns)
    return sql_text(
        f"MERGE INTO {table.name} AS cur USING ({new_rows}) AS new "  # noqa: S608
        f"ON cur.enterprise_id = new.enterprise_id "
        f"WHEN MATCHED AND ({changed}) THEN UPDATE SET {updates} "
        f"WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}) VALUES ({values})"
    )


def recompute_grades(
    as_of: date, *, ids: Sequence[int] | None = None, cause: str = "cycle"
) -> RecomputeReport:
    """Grade every enterprise (or `ids`) set-based: one SQL pass per indicator, no row loop.

    The new grades replace the current ones in one statement, then the changes are logged.
    The statements are compiled once per config; a call binds the day, `ids` and `cause`.
    """
    window, config = Window.on(as_of), current_config()
    plan = _plan(config, subset=ids is not None)
    params = window.params(config) | {"cause": cause[:40]}
    if ids is not None:
        params[IDS_PARAM] = list(ids)
    _tune_postgres(full=ids is None)
    for statement in plan.before:
        db.session.execute(statement, params)
    # an event re-grade (on the hot path of every hazard report) needs no savepoint: it upserts
    written = (
        _rows(db.session.execute(plan.grade, params))
        if ids is not None
        else _write_grades(plan.grade, params)
    )
    changed = _rows(db.session.execute(plan.log, params))
    for statement in plan.after:
        db.session.execute(statement)
    _forget_replaced_grades(ids)
    if ids is not None:
        return RecomputeReport(as_of, written, changed, written)
    graded = db.session.scalar(select(func.count()).select_from(Enterprise)) or 0
    db.session.add(CreditCycle(as_of=as_of, graded=graded, written=written, changed=changed))
    return RecomputeReport(as_of, graded, changed, written)


def _write_grades(statement: TextClause, params: dict) -> int:
    """Run the grading statement; the number of grade rows it wrote.

    A MERGE inserts, it does not upsert: when an event grades a never-graded enterprise
    while the cycle runs, the cycle's insert of that enterprise meets the event's row. Run
    once more then: the new statement sees that row and updates it.
    """
    try:
        with db.session.begin_nested():
            return _rows(db.session.execute(statement, params))
    except IntegrityError:
        return _rows(db.session.execute(statement, params))


def _rows(result) -> int:
    """The rows a statement wrote (a driver may answer -1 when it cannot tell)."""
    return max(result.rowcount or 0, 0)


def latest_cycle() -> CreditCycle | None:
    """The latest full cycle: it confirmed every grade it did not rewrite."""
    return db.session.scalars(select(CreditCycle).order_by(CreditCycle.id.desc()).limit(1)).first()


def latest_cycle_day() -> date | None:
    cycle = latest_cycle()
    return cycle.as_of if cycle else None


def graded_as_of(grade: CreditGrade, cycle_day: date | None) -> date:
    """The day a grade holds as of: written then, or confirmed unchanged by a later cycle."""
    return max(grade.as_of, cycle_day) if cycle_day else grade.as_of


def _forget_replaced_grades(ids: Sequence[int] | None) -> None:
    """Grades loaded in this session were replaced: detach them, as an ORM DELETE would, so
    the next read sees the new row and not the stale object."""
    wanted = None if ids is None else set(ids)
    for key, obj in list(db.session.identity_map.items()):  # key: (class, primary key, token)
        if key[0] is CreditGrade and (wanted is None or key[1][0] in wanted):
            db.session.expunge(obj)


def _tune_postgres(*, full: bool) -> None:
    """PostgreSQL: no JIT (compiling the rule CASEs costs more than running them) and, for
    a full cycle, enough work_mem to sort in memory, and merge joins and sorted grouping:
    every indicator piece comes out of its index ordered by enterprise, so merging them
    beats building a hash table of 600k rows per piece. All last to the end of the
    transaction (SET LOCAL)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(text("SET LOCAL jit = off"))
    if full:
        db.session.execute(text("SET LOCAL work_mem = '256MB'"))
        db.session.execute(text("SET LOCAL enable_hashjoin = off"))
        # group in enterprise order (a sort at most) rather than hash 600k groups and then
        # sort them for the merge join
        db.session.execute(text("SET LOCAL enable_hashagg = off"))


def regrade_enterprise(enterprise_id: int, cause: str) -> None:
    """An event (hazard closed or reported, accident, case, complaint) re-grades at once."""
    recompute_grades(today(), ids=[enterprise_id], cause=cause)


# -- accidents, enforcement cases, recognitions ------------------------------------------


def _require_regulator(actor: Actor) -> None:
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以登记 (regulators only)")


def _device_of(enterprise: Enterprise, device_id: int | None) -> int | None:
    if device_id is None:
        return None
    device = db.session.get(Device, device_id)
    if device is None or device.enterprise_id != enterprise.id:
        raise ValidationFailed(details={"fields": {"device_id": ["不是该企业的设备"]}})
    return device.id


def _not_future(day: date, name: str) -> None:
    if day > today():
        raise ValidationFailed(details={"fields": {name: ["不能晚于今天 (in the future)"]}})


def record_accident(actor: Actor, data: dict) -> Accident:
    """Record an accident (事故); the enterprise is re-graded (D, three-year lock)."""
    _require_regulator(actor)
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    _not_future(data["occurred_on"], "occurred_on")
    accident = Accident(
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        device_id=_device_of(enterprise, data.get("device_id")),
        occurred_on=data["occurred_on"],
        deaths=data["deaths"],
        injuries=data["injuries"],
        responsible=data["responsible"],
        description=data["description"],
        recorded_by_id=actor.id,
    )
    db.session.add(accident)
    db.session.flush()
    append_evidence("accident.record", str(accident.id), {"content": accident_digest(accident)})
    regrade_enterprise(enterprise.id, "accident")
    return accident


def open_case(actor: Actor, data: dict) -> EnforcementCase:
    """Record an enforcement case (立案处罚); fined with an order to correct → D."""
    _require_regulator(actor)
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    _not_future(data["opened_on"], "opened_on")
    case = EnforcementCase(
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        case_no=data["case_no"],
        opened_on=data["opened_on"],
        violation=data["violation"],
        ordered_to_correct=data["ordered_to_correct"],
        fine_yuan=data.get("fine_yuan"),
        recorded_by_id=actor.id,
    )
    db.session.add(case)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Conflict("案件编号已存在 (case number exists)") from error
    append_evidence("enforcement.open", str(case.id), {"content": case_digest(case)})
    regrade_enterprise(enterprise.id, "enforcement_case")
    return case


def grant_recognition(actor: Actor, data: dict) -> CreditRecognition:
    """Record a lowering reason (benchmark / intrinsic safety); bureau only."""
    if actor.role != Role.bureau_admin:
        raise Forbidden("只有市局可以认定 (bureau only)")
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    recognition = CreditRecognition(
        enterprise_id=enterprise.id,
        kind=data["kind"],
        granted_on=data.get("granted_on") or today(),
        expires_on=data.get("expires_on"),
        note=data["note"],
        recorded_by_id=actor.id,
    )
    db.session.add(recognition)
    db.session.flush()
    append_evidence(
        "credit.recognition",
        str(recognition.id),
        {"content": payload_hash([enterprise.id, recognition.kind, recognition.granted_on.isoformat()])},
    )
    regrade_enterprise(enterprise.id, "recognition")
    return recognition


def accident_digest(a: Accident) -> str:
    return payload_hash(
        [
            a.id,
            a.enterprise_id,
            a.device_id,
            a.occurred_on.isoformat(),
            a.deaths,
            a.injuries,
            a.responsible,
            a.description,
        ]
    )


def case_digest(c: EnforcementCase) -> str:
    return payload_hash(
        [
            c.id,
            c.enterprise_id,
            c.case_no,
            c.opened_on.isoformat(),
            c.violation,
            c.ordered_to_correct,
            str(c.fine_yuan) if c.fine_yuan is not None else None,
        ]
    )


def visible_accidents(actor: Actor, filters: dict) -> Select:
    query = select(Accident).where(own_records_scope(actor, Accident.enterprise_id, Accident.zone_id))
    if filters.get("enterprise_id"):
        query = query.where(Accident.enterprise_id == filters["enterprise_id"])
    return query.order_by(Accident.occurred_on.desc(), Accident.id.desc())


def list_accidents(actor: Actor, filters: dict) -> Page:
    return paginate(visible_accidents(actor, filters), filters["page"], filters["per_page"])


def visible_cases(actor: Actor, filters: dict) -> Select:
    query = select(EnforcementCase).where(
        own_records_scope(actor, EnforcementCase.enterprise_id, EnforcementCase.zone_id)
    )
    if filters.get("enterprise_id"):
        query = query.where(EnforcementCase.enterprise_id == filters["enterprise_id"])
    return query.order_by(EnforcementCase.opened_on.desc(), EnforcementCase.id.desc())


def list_cases(actor: Actor, filters: dict) -> Page:
    return paginate(visible_cases(actor, filters), filters["page"], filters["per_page"])


# -- reading grades ----------------------------------------------------------------------


def visible_grades(actor: Actor, filters: dict) -> Select:
    query = select(CreditGrade).where(
        own_records_scope(actor, CreditGrade.enterprise_id, CreditGrade.zone_id)
    )
    for key in ("grade", "zone_id"):
        if filters.get(key):
            query = query.where(getattr(CreditGrade, key) == filters[key])
    return query.order_by(CreditGrade.score.desc(), CreditGrade.enterprise_id)


def _summary(grade: CreditGrade, name: str, cycle_day: date | None) -> dict:
    return {
        "enterprise_id": grade.enterprise_id,
        "enterprise_name": name,
        "zone_id": grade.zone_id,
        "grade": grade.grade,
        "score": grade.score,
        "as_of": graded_as_of(grade, cycle_day),
        "reasons": _reason_list(grade.reason_bits),
    }


def _reason_list(bits: int) -> list[dict]:
    return [{"code": r.value, "label": rules.REASON_LABELS[r]} for r in rules.reasons_of(bits)]


def facts_of(grade: CreditGrade, established_on: date | None) -> rules.Facts:
    values = {name: getattr(grade, name) for name in rules.ITEMS}
    return rules.Facts(
        established_on=established_on,
        last_accident_on=grade.last_accident_on,
        benchmark=bool(grade.benchmark),
        intrinsic_safety=bool(grade.intrinsic_safety),
        **values,
    )


def enterprise_credit(actor: Actor, enterprise_id: int) -> dict:
    """The grade with its breakdown, reasons, what to fix (信用修复) and its history."""
    enterprise = get_records_enterprise_for(actor, enterprise_id)
    grade = db.session.get(CreditGrade, enterprise.id)
    if grade is None:
        raise NotFound("该企业尚未评级，下一轮评级后可见 (not graded yet)", code="not_graded")
    config = current_config()
    # what a re-grade after a fix would see: this grade as the previous one
    facts = replace(
        facts_of(grade, enterprise.established_on),
        previous_grade=rules.Grade(grade.grade),
        last_c_on=grade.last_c_on,
    )
    groups = [
        {
            "group": g,
            "label": rules.GROUP_LABELS[g],
            "points": getattr(grade, g),
            "weight": config["weights"][g],
            "indicators": [
                {
                    "indicator": n,
                    "value": getattr(grade, n),
                    "points": round(rules.item_points(n, getattr(grade, n), config), 2),
                }
                for n, item in rules.ITEMS.items()
                if item[0] == g
            ],
        }
        for g in rules.GROUPS
    ]
    history = db.session.scalars(
        select(CreditGradeChange)
        .where(CreditGradeChange.enterprise_id == enterprise.id)
        .order_by(CreditGradeChange.id.desc())
        .limit(20)
    ).all()
    return _summary(grade, enterprise.name, latest_cycle_day()) | {
        "band_grade": grade.band_grade,
        "previous_grade": grade.previous_grade,
        "bands": config["bands"],
        "groups": groups,
        "repair": rules.repair_hints(facts, today(), config),
        "history": [
            {
                "from_grade": h.from_grade,
                "to_grade": h.to_grade,
                "score": h.score,
                "changed_on": h.changed_on,
                "cause": h.cause,
                "reasons": _reason_list(h.reason_bits),
            }
            for h in history
        ],
    }


def credit_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    """Does the stored accident or enforcement case still match what the chain recorded?"""
    model, digest = (
        (Accident, accident_digest) if kind.startswith("accident.") else (EnforcementCase, case_digest)
    )
    record = db.session.get(model, int(ref))
    if record is None:
        return f"{kind} {ref} is missing"
    return None if digest(record) == data.get("content") else f"{kind} {ref} was altered"


# -- grade list search, distribution and change history (PWA credit screens, issue #8) ----


def _grades_matching(actor: Actor, filters: dict) -> Select:
    """Grades in scope, filtered by grade, zone and part of the enterprise name or credit code."""
    query = visible_grades(actor, filters)
    if filters.get("q"):
        pattern = f"%{filters['q']}%"
        query = query.where(
            CreditGrade.enterprise_id.in_(
                select(Enterprise.id).where(
                    Enterprise.name.like(pattern) | Enterprise.credit_code.like(pattern)
                )
            )
        )
    return query


def search_grades(actor: Actor, filters: dict) -> Page:
    """Grades in scope matching the filters, highest risk first, with enterprise names."""
    page = paginate(_grades_matching(actor, filters), filters["page"], filters["per_page"])
    ids = [g.enterprise_id for g in page.items]
    names = dict(
        db.session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all()
    )
    cycle_day = latest_cycle_day()
    page.items = [_summary(g, names.get(g.enterprise_id, ""), cycle_day) for g in page.items]
    return page


def grade_counts(actor: Actor, filters: dict) -> dict:
    """How many enterprises in scope hold each grade (A/B/C/D), under the same zone and name
    filters, and the latest full cycle (the day every grade holds as of)."""
    matching = _grades_matching(actor, filters | {"grade": None}).order_by(None).subquery()
    rows = db.session.execute(select(matching.c.grade, func.count()).group_by(matching.c.grade))
    counts = dict.fromkeys([g.value for g in rules.Grade], 0) | dict(rows.all())
    return counts | {"total": sum(counts.values()), "latest_cycle": latest_cycle()}


def list_grade_changes(actor: Actor, enterprise_id: int, filters: dict) -> Page:
    """One enterprise's grade changes (信用修复 history), newest first; 404 out of scope."""
    enterprise = get_records_enterprise_for(actor, enterprise_id)
    query = (
        select(CreditGradeChange)
        .where(CreditGradeChange.enterprise_id == enterprise.id)
        .order_by(CreditGradeChange.changed_on.desc(), CreditGradeChange.id.desc())
    )
    page = paginate(query, filters["page"], filters["per_page"])
    page.items = [
        {
            "from_grade": h.from_grade,
            "to_grade": h.to_grade,
            "score": h.score,
            "changed_on": h.changed_on,
            "cause": h.cause,
            "reasons": _reason_list(h.reason_bits),
        }
        for h in page.items
    ]
    return page
