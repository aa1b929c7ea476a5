"""bench/copy_province_to_sqlite.py: the SQLite copy holds every row and answers as PostgreSQL does."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import inspect, text

from backend.demo import Scale
from backend.extensions import db
from bench.build_province import build
from bench.copy_province_to_sqlite import check, copy

SMALL = Scale(zones=4, blocks_per_zone=3, enterprises=60, devices=2000)


@pytest.fixture
def province_on_postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the copy's source is a PostgreSQL province (bench/build_province.py)")
    build(SMALL, date(2026, 5, 1), log=lambda _line: None)
    return db.engine.url.render_as_string(hide_password=False)


def test_the_copy_holds_every_row_and_the_app_answers_on_it_as_on_postgresql(
    province_on_postgres, tmp_path, monkeypatch
):
    monkeypatch.setenv("SESV_INSTANCE_DIR", str(tmp_path / "instance"))
    target = tmp_path / "province.db"
    copy(province_on_postgres, target)
    with sqlite3.connect(target) as copied:
        for table in inspect(db.engine).get_table_names():
            expected = db.session.scalar(text(f'SELECT count(*) FROM "{table}"'))  # noqa: S608 - schema names
            assert copied.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == expected, table  # noqa: S608
    db.session.rollback()
    assert check(province_on_postgres, target)
