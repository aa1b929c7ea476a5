"""A writing request holds SQLite's one write lock only for its own transaction.

Everything under the lock is serialised across gunicorn workers, so the token check before
it and the serialisation of the answer after the commit must not queue for it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from backend.extensions import db
from tests.conftest import auth
from tests.factories import new_id


def _statements_of(app, send) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_rest):
        seen.append(statement.split()[0].upper() + (" IMMEDIATE" if "IMMEDIATE" in statement else ""))

    engine = db.engine
    db.session.rollback()  # start clean, as a request's session does in production
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = send()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 201, response.get_json()
    return seen


@pytest.mark.sqlite_only
def test_hazard_report_takes_the_write_lock_for_its_record_and_its_handlers_after_the_token_check(
    app, client, city
):
    body = {
        "id": new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "锁测试",
        "location": "机房",
    }
    seen = _statements_of(app, lambda: client.post("/api/hazards", json=body, headers=auth(city.manager)))

    # once for the record (its rows, evidence and event), once for the after-commit handlers (re-grade)
    assert seen.count("BEGIN IMMEDIATE") == 2
    first_write_lock = seen.index("BEGIN IMMEDIATE")
    assert seen[0] == "BEGIN" and first_write_lock > 1  # token and account read before it
    assert all(verb != "BEGIN" for verb in seen[first_write_lock + 1 :])  # no read-back after commit


def test_hazard_answer_after_commit_still_shows_enterprise_and_device(app, client, city):
    body = {
        "id": new_id(),
        "device_id": city.dev_a.id,
        "category": "电梯",
        "severity": "general",
        "description": "回显",
        "location": "机房",
    }
    answer = client.post("/api/hazards", json=body, headers=auth(city.manager)).get_json()

    assert answer["enterprise_name"] == city.dev_a.enterprise.name
    assert city.dev_a.registration_no in answer["device_label"]
