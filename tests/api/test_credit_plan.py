"""The event re-grade reads only the graded enterprise's rows (SQLite query plan guard).

Every hazard report, transition and substantiated complaint re-grades its enterprise inside
the write transaction, so that path must never scan a whole table: each indicator piece is
filtered by the enterprise before it groups and reaches the rows through an index. This
checks the plan SQLite chooses, not a timing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from backend.core.clock import today
from backend.credit import recompute
from backend.credit.config import current_config
from backend.credit.indicators import IDS_PARAM, Window
from backend.extensions import db
from tests import factories as f

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def app(fast_app):
    return fast_app


def _query_plan(clause, params: dict) -> list[str]:
    explain = text("EXPLAIN QUERY PLAN " + clause.text).bindparams(*clause._bindparams.values())
    return [row[-1] for row in db.session.execute(explain, params)]


def _full_scans(lines: list[str]) -> list[str]:
    tables = set(db.metadata.tables)
    return [line for line in lines if line.startswith("SCAN ") and line.split()[1] in tables]


def test_event_regrade_reads_the_enterprise_rows_through_indexes_only(city):
    f.make_device(city.ent_a)
    f.make_hazard(city.ent_a, city.admin)
    f.make_person(city.ent_a, ("safety_manager", None))
    config = current_config()
    plan = recompute._plan(config, subset=True)
    params = Window.on(today()).params(config) | {"cause": "test", IDS_PARAM: [city.ent_a.id]}
    for clause in (plan.grade, plan.log):
        lines = _query_plan(clause, params)
        assert lines, "no query plan"
        assert _full_scans(lines) == [], "\n".join(lines)
    assert any("devices USING" in line and "INDEX" in line for line in _query_plan(plan.grade, params))


def test_full_recompute_plan_does_scan_the_tables(city):
    """The guard can fail: the full cycle's plan reads whole tables and is reported."""
    config = current_config()
    plan = recompute._plan(config, subset=False)
    params = Window.on(today()).params(config) | {"cause": "test"}
    lines = []
    for clause in (*plan.before, plan.grade):  # the large pieces fill keyed tables first
        db.session.execute(clause, params)
        if clause.text.startswith(("INSERT", "MERGE")):
            lines += _query_plan(clause, params)
    assert {"enterprises", "hazards", "devices"} <= {line.split()[1] for line in _full_scans(lines)}
