"""How a request's transaction ends: one that only read commits (on PostgreSQL psycopg forgets
its prepared statements at every rollback), one that wrote and did not commit rolls back, and only the
key lookups of a QR scan are prepared, never a search (a prepared statement may get one generic
plan for terms both common and rare)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event, func, select, text

from backend.config import _engine_options
from backend.core.errors import ValidationFailed
from backend.extensions import db
from backend.org.models import Zone
from tests.conftest import auth


def _endings(engine) -> tuple[list[str], Callable[[], None]]:
    endings: list[str] = []

    def commit(_connection) -> None:
        endings.append("commit")

    def rollback(_connection) -> None:
        endings.append("rollback")

    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)

    def stop() -> None:
        event.remove(engine, "commit", commit)
        event.remove(engine, "rollback", rollback)

    return endings, stop


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.mark.parametrize("then_fail", [True, False], ids=["then_failed", "then_answered"])
def test_a_request_that_flushed_without_committing_keeps_nothing(app, client, then_fail):
    """Views commit once; what a request only flushed (then failed, or answered by mistake
    without its commit) is never kept by the transaction's end."""

    @app.post("/api/test-only/flush")
    def flush_only():
        db.session.add(Zone(name="半途区", code="HALF"))
        db.session.flush()
        if then_fail:
            raise ValidationFailed(details={"fields": {"name": ["rejected after the flush"]}})
        return {"flushed": True}

    answer = client.post("/api/test-only/flush")
    assert answer.status_code == (422 if then_fail else 200)
    db.session.remove()  # as the end of the request's app context does
    assert db.session.scalar(select(func.count()).select_from(Zone).where(Zone.code == "HALF")) == 0


def test_a_request_that_only_read_ends_with_commit_on_postgresql(client, city):
    db.session.commit()
    endings, stop = _endings(db.engine)
    try:
        assert client.get(f"/api/qr/{city.dev_a.qr_token}").status_code == 200
    finally:
        stop()
    if _on_postgresql():
        assert endings == ["commit"]
    else:  # nothing to keep: SQLite's reads end as they always did
        assert "commit" not in endings


def test_qr_lookups_are_prepared_and_searches_never_are(client, city):
    if not _on_postgresql():
        pytest.skip("prepared statements are PostgreSQL's")
    token, headers = city.dev_a.qr_token, auth(city.inspector)
    db.session.commit()
    db.session.remove()
    db.engine.dispose()  # one pooled connection from here on: the requests run one after another
    for _ in range(6):
        assert client.get(f"/api/qr/{token}").status_code == 200
        assert client.get("/api/devices?q=电梯", headers=headers).status_code == 200
    statements = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    db.session.commit()
    assert any("FROM devices" in s and "qr_token" in s for s in statements), statements
    assert not any("search_terms" in s for s in statements), statements


def test_prepared_statements_can_be_switched_off_behind_an_old_pooler(monkeypatch):
    """PgBouncer before 1.21 in transaction mode loses a connection's prepared statements."""
    url = "postgresql+psycopg://sesv@db.example/sesv"
    assert "prepare_threshold" not in _engine_options(url)["connect_args"]
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")
    assert _engine_options(url)["connect_args"]["prepare_threshold"] is None
