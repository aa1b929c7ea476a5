"""Migrations: one head, and upgrading an empty database gives exactly the models' schema."""

from __future__ import annotations

import logging
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from backend import create_app
from backend.config import ROOT
from backend.extensions import db

MIGRATIONS = ROOT / "migrations"


@pytest.fixture
def _keep_logging():
    """alembic.ini's fileConfig disables existing loggers; put them back afterwards."""
    manager = logging.Logger.manager
    saved = {name: lg.disabled for name, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for name, disabled in saved.items():
        logging.getLogger(name).disabled = disabled
    root.handlers[:], root.level = handlers, level


def _wipe() -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def empty_db_app(tmp_path, _keep_logging):
    """An app on an empty database: a fresh SQLite file, or TEST_DATABASE_URL emptied."""
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret",
            "JWT_SECRET_KEY": "test-jwt-secret-with-enough-length-0123456789",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        _wipe()
        yield app
        db.session.remove()
        _wipe()
        db.engine.dispose()


def test_migrations_have_a_single_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migration_file_names_sort_in_chain_order():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    chain = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
    names = [os.path.basename(script.path) for script in chain]
    assert names == sorted(names)
    assert all(name[:14].replace("_", "").isdigit() for name in names), "YYYYMMDD_HHMM_ prefix"


def test_upgrade_builds_every_model_table(empty_db_app):
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgraded_schema_matches_the_models(empty_db_app):
    upgrade()
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_upgrade_is_at_the_head_revision(empty_db_app):
    upgrade()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head


def test_downgrade_to_base_and_upgrade_again(empty_db_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())


def test_reason_codes_become_bits_and_back(empty_db_app):
    """Migration 8a4f6b2c1d90 keeps every stored reason, in order, both ways."""
    upgrade(revision="7e1d2c3b4a50")
    now = "2026-11-23 00:00:00"
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO zones (id, name, code, created_at, updated_at) VALUES (1, 'z', 'z', :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO enterprises (id, name, credit_code, zone_id, address, roles, model_status, "
                "contact_phone, created_at, updated_at) "
                "VALUES (1, 'e', 'c', 1, '', '', 'none', '', :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO credit_grade_changes (enterprise_id, from_grade, to_grade, score, reasons, "
                "changed_on, cause) VALUES (1, NULL, 'B', 10, :codes, '2026-11-23', 'cycle'), "
                "(1, 'B', 'D', 70, '', '2026-11-24', 'cycle')"
            ),
            {"codes": "accident_free,never_a_young,c_bar,"},
        )
    upgrade()
    with db.engine.connect() as connection:
        bits = connection.execute(text("SELECT reason_bits FROM credit_grade_changes ORDER BY id")).scalars()
        assert list(bits) == [1 | 32 | 256, 0]
    downgrade(revision="7e1d2c3b4a50")
    with db.engine.connect() as connection:
        codes = connection.execute(text("SELECT reasons FROM credit_grade_changes ORDER BY id")).scalars()
        assert list(codes) == ["accident_free,never_a_young,c_bar,", ""]


def test_a_batch_migration_keeps_rows_that_other_rows_reference(empty_db_app):
    """SQLite batch migrations drop and recreate a table: a mutual-check task that a check
    references must survive a downgrade and upgrade across 5b7e0c2d9f41 (foreign keys on)."""
    from backend.core.clock import today
    from backend.inspections.models import Check, ChecklistTemplate, MutualCheckAssignment, MutualCheckCycle
    from backend.inspections.services import install_default_templates
    from tests import factories as f

    upgrade()
    zone = f.make_zone()
    enterprise = f.make_enterprise(zone, f.make_block(zone))
    user = f.make_user("zone_inspector", zone=zone)
    install_default_templates()
    cycle = MutualCheckCycle(
        zone_id=zone.id, name="互查", starts_on=today(), due_on=today(), seed=1, created_by_id=user.id
    )
    db.session.add(cycle)
    db.session.flush()
    task = MutualCheckAssignment(
        cycle_id=cycle.id, block_id=enterprise.block_id, zone_id=zone.id, enterprise_id=enterprise.id
    )
    db.session.add(task)
    db.session.flush()
    template = db.session.scalars(db.select(ChecklistTemplate)).first()
    db.session.add(
        Check(
            id=f.new_id(),
            kind="mutual",
            template_id=template.id,
            enterprise_id=enterprise.id,
            zone_id=zone.id,
            assignment_id=task.id,
            performed_by_id=user.id,
            performed_on=today(),
            result="pass",
            payload_hash="0" * 64,
        )
    )
    db.session.commit()
    db.session.remove()
    downgrade(revision="4931215fd9ee")
    upgrade()
    with db.engine.connect() as connection:
        referenced = "SELECT count(*) FROM checks WHERE assignment_id IS NOT NULL"
        assert connection.execute(text(referenced)).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM mutual_check_assignments")).scalar() == 1
        if connection.dialect.name == "sqlite":  # the pool's connections enforce them again
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
