"""The recompute engine: grade every enterprise (the cycle) or a few (an event) set-based,
and the cycles it recorded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import String, Table, TextClause, func, insert, literal_column, or_, select, text, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateTable, DropTable

from backend.core.hashing import canonical_bytes
from backend.credit.config import current_config
from backend.credit.indicators import (
    IDS_PARAM,
    LARGE_PIECES,
    PIECES,
    SQL,
    Piece,
    Window,
    compile_sql,
    compile_text,
    grade_select,
    keyed,
    only_ids,
    sql_text,
)
from backend.credit.models import CreditCycle, CreditGrade, CreditGradeChange
from backend.extensions import db
from backend.org.models import Enterprise


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
_UPSERTS: dict[str, Callable[[Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


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
    g = cast(Table, CreditGrade.__table__)
    content = [c.name for c in g.columns if not c.primary_key and c.name != "as_of"]
    sources, before, after = _keyed_pieces(dialect) if not subset else ({}, (), ())
    computed = grade_select(config, subset=subset, sources=sources)
    if not subset and dialect.name == "postgresql" and (dialect.server_version_info or ()) >= (15,):
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
    log = insert(cast(Table, CreditGradeChange.__table__)).from_select(
        ["enterprise_id", "from_grade", "to_grade", "score", "reason_bits", "changed_on", "cause"], changed
    )
    return _Plan(grade, compile_text(log, dialect), before, after)


def _keyed_pieces(
    dialect: Dialect,
) -> tuple[dict[str, Piece], tuple[TextClause, ...], tuple[TextClause, ...]]:
    """SQLite, full cycle: the large indicator pieces go into keyed temporary tables first
    (indicators.keyed); their rows are then joined by rowid."""
    if dialect.name != "sqlite":
        return {}, (), ()
    sources: dict[str, Piece] = {}
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
    params: dict[str, object] = window.params(config) | {"cause": cause[:40]}
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
    identity_map = db.session.identity_map
    for key in list(identity_map.keys()):  # key: (class, primary key, token)
        if key[0] is CreditGrade and (wanted is None or key[1][0] in wanted):
            obj = identity_map.get(key)
            if obj is not None:
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
