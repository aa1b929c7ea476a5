"""bench/build_province.py: the province built in SQL is searchable exactly as the app indexes it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm.attributes import flag_modified

from backend.complaints.models import Complaint, ComplaintSearchTerm
from backend.demo import Scale
from backend.devices.models import Device, DeviceSearchTerm
from backend.extensions import db
from backend.hazards.models import Hazard, HazardSearchTerm
from backend.org.models import Enterprise, EnterpriseSearchTerm
from bench.build_province import build

INDEXED = (
    (Device, DeviceSearchTerm, "device_id", "name"),
    (Enterprise, EnterpriseSearchTerm, "enterprise_id", "name"),
    (Hazard, HazardSearchTerm, "hazard_id", "description"),
    (Complaint, ComplaintSearchTerm, "complaint_id", "description"),
)
SMALL = Scale(zones=4, blocks_per_zone=3, enterprises=60, devices=2000)


@pytest.fixture
def built(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the province is built in PostgreSQL's SQL (generate_series)")
    build(SMALL, date(2026, 5, 1), log=lambda _line: None)
    return app


def _term_rows(term_model, key: str) -> set[tuple[str, object]]:
    return {tuple(r) for r in db.session.execute(select(term_model.term, getattr(term_model, key)))}


def test_built_term_rows_are_those_the_orm_hook_writes_for_the_same_rows(built):
    from_sql = {model: _term_rows(term_model, key) for model, term_model, key, _field in INDEXED}
    for model, term_model, _key, field in INDEXED:
        db.session.execute(term_model.__table__.delete())
        for row in db.session.scalars(select(model)):
            flag_modified(row, field)  # an edit of a searched field: the after-flush hook re-indexes the row
        db.session.flush()
    for model, term_model, key, _field in INDEXED:
        assert from_sql[model], model.__name__
        assert _term_rows(term_model, key) == from_sql[model], model.__name__


def test_built_province_has_the_generators_shapes(built):
    by_category = text("SELECT category, count(*) FROM devices GROUP BY category")
    counts = {category: n for category, n in db.session.execute(by_category)}  # noqa: C416 - rows, not pairs
    assert sum(counts.values()) == SMALL.devices
    assert 0.3 < counts["elevator"] / SMALL.devices < 0.46
    owners = db.session.execute(text("SELECT count(*) FROM devices WHERE enterprise_id % 25 = 0")).scalar()
    assert owners == 0  # maintenance companies own no devices
    assert db.session.scalar(text("SELECT count(*) FROM enterprises WHERE block_id IS NULL")) == 60 // 25
    feed = db.session.scalar(text("SELECT count(*) FROM changes"))
    hazards = db.session.scalar(text("SELECT count(*) FROM hazards"))
    assert feed == SMALL.enterprises + SMALL.devices + hazards
    assert db.session.scalar(text("SELECT value FROM sync_counter WHERE id = 1")) == feed
    demo_users = text("SELECT count(*) FROM users WHERE username IN ('admin', 'inspector1')")
    assert db.session.scalar(demo_users) == 2
