"""The history of regulated records is in the evidence chain: every history row gets its `history.change`
entry right after the commit, and `flask evidence verify` catches a history row removed, altered or
forged behind the application's back, names a row whose entry is still pending, and passes an old
database once `flask evidence backfill-records` has given its rows their entries."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text, update

from backend.core.db import table_of
from backend.core.events import Event
from backend.core.history import HISTORY_RECORDED, HistoryEntry, history_of
from backend.evidence.history import HISTORY_CHANGE
from backend.evidence.models import EvidenceEntry
from backend.extensions import db
from tests.conftest import auth
from tests.flows.test_evidence_tampering import _relink_chain, assert_broken, tamper, verify


def change_next_inspection(client, city, due: str = "2027-05-01") -> int:
    """An inspector moves dev_a's next inspection date through the API; the id of the history row it made."""
    body = {"next_inspection_due": due, "reason": "按检验报告更正"}
    response = client.patch(f"/api/devices/{city.dev_a.id}", json=body, headers=auth(city.inspector))
    assert response.status_code == 200, response.json
    newest = history_of("device", city.dev_a.id)[0]
    assert (newest.field, newest.after) == ("next_inspection_due", due)
    return newest.id


def history_entries() -> list[EvidenceEntry]:
    query = select(EvidenceEntry).where(EvidenceEntry.kind == HISTORY_CHANGE).order_by(EvidenceEntry.seq)
    return list(db.session.scalars(query))


def test_a_regulated_device_change_is_chained_right_after_its_commit(app, client, city):
    row_id = change_next_inspection(client, city)
    key = client.patch(
        f"/api/devices/{city.dev_a.id}",
        json={"key_monitored": True, "status": "idle", "reason": "列为重点监控"},
        headers=auth(city.inspector),
    )
    assert key.status_code == 200, key.json
    rows = sorted(history_of("device", city.dev_a.id), key=lambda r: r.id)
    assert rows[0].id == row_id and {r.field for r in rows[1:]} >= {"key_monitored", "status"}
    entries = history_entries()
    assert [e.ref for e in entries] == [str(r.id) for r in rows]  # one entry per row, in id order
    data = json.loads(entries[0].body)["data"]
    assert (data["entity"], data["entity_id"], data["field"]) == (
        "device",
        str(city.dev_a.id),
        "next_inspection_due",
    )
    assert "按检验报告更正" not in entries[0].body  # the chain holds the row's hash, not its values
    pending = db.session.scalar(select(Event).where(Event.kind == HISTORY_RECORDED, Event.done_at.is_(None)))
    assert pending is None
    result = verify(app)
    assert result.exit_code == 0, result.output


def test_deleting_a_history_row_fails(app, client, city):
    row_id = change_next_inspection(client, city)
    change_next_inspection(client, city, "2027-06-01")  # the deleted row's entry is not the newest
    tamper("DELETE FROM history_entries WHERE id = :id", id=row_id)
    assert_broken(verify(app), "[record]", f"history entry {row_id} was removed")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("before", "2030-01-01"),
        ("after", "2026-01-01"),
        ("actor", "张三"),
        ("actor_id", 999),
        ("at", "2020-01-01 00:00:00"),
        ("reason", "领导同意"),
    ],
)
def test_editing_a_history_rows_field_fails(app, client, city, column, value):
    row_id = change_next_inspection(client, city)
    assert verify(app).exit_code == 0
    if column in ("before", "after"):  # JSON columns: let the engine's JSON type write the value
        db.session.execute(
            update(table_of(HistoryEntry)).where(table_of(HistoryEntry).c.id == row_id), {column: value}
        )
        db.session.commit()
    else:
        tamper(f"UPDATE history_entries SET {column} = :value WHERE id = :id", value=value, id=row_id)  # noqa: S608
    assert_broken(verify(app), "[record]", f"history entry {row_id} was altered")


def test_a_history_row_inserted_behind_the_apps_back_fails(app, client, city):
    genuine = change_next_inspection(client, city)
    tamper(
        "INSERT INTO history_entries (entity, entity_id, at, actor_id, actor, field, before, after, reason)"
        " SELECT entity, entity_id, at, actor_id, actor, 'key_monitored', before, after, '伪造的记录'"
        " FROM history_entries WHERE id = :id",
        id=genuine,
    )
    forged = db.session.scalar(text("SELECT max(id) FROM history_entries"))
    assert_broken(verify(app), "[unrecorded]", f"history entry {forged} has no chain entry")


def crash_before_chaining(row_id: int) -> None:
    """The database as a process that died between the commit and its after-commit run leaves it: the
    history row and its pending event, no chain entry."""
    tamper(
        "DELETE FROM evidence_entries WHERE kind = :kind AND ref = :ref", kind=HISTORY_CHANGE, ref=str(row_id)
    )
    _relink_chain()
    events = table_of(Event)
    db.session.execute(
        update(events).where(events.c.kind == HISTORY_RECORDED).values(done_at=None, attempts=0)
    )
    db.session.commit()


def test_a_row_whose_event_is_pending_is_reported_as_pending_until_run_pending(app, client, city):
    row_id = change_next_inspection(client, city)
    crash_before_chaining(row_id)
    result = verify(app)
    assert_broken(
        result, "[pending]", f"history entry {row_id} has no chain entry yet", "flask events run-pending"
    )
    assert "[unrecorded]" not in result.output
    ran = app.test_cli_runner().invoke(args=["events", "run-pending"])
    assert ran.exit_code == 0 and "Handled 1 event(s)" in ran.output, ran.output
    assert [e.ref for e in history_entries()] == [str(row_id)]
    assert verify(app).exit_code == 0, verify(app).output


def test_run_pending_after_a_backfill_adds_no_second_entry(app, client, city):
    row_id = change_next_inspection(client, city)
    crash_before_chaining(row_id)
    runner = app.test_cli_runner()
    assert "Added 1 record entry." in runner.invoke(args=["evidence", "backfill-records"]).output
    assert runner.invoke(args=["events", "run-pending"]).exit_code == 0
    assert [e.ref for e in history_entries()] == [str(row_id)]
    assert verify(app).exit_code == 0, verify(app).output


def test_backfill_records_gives_an_old_databases_history_its_entries_once(app, client, city):
    first = change_next_inspection(client, city)
    second = change_next_inspection(client, city, "2027-06-01")
    # as stored before the chain covered history: the rows and handled events, no entries
    tamper("DELETE FROM evidence_entries WHERE kind = :kind", kind=HISTORY_CHANGE)
    _relink_chain()
    assert_broken(verify(app), "[unrecorded]", f"history entry {first} has no chain entry")
    runner = app.test_cli_runner()
    added = runner.invoke(args=["evidence", "backfill-records"])
    assert added.exit_code == 0 and "Added 2 record entries." in added.output, added.output
    assert "Added 0 record entries." in runner.invoke(args=["evidence", "backfill-records"]).output
    entries = history_entries()
    assert [e.ref for e in entries] == [str(first), str(second)]
    assert json.loads(entries[0].body)["data"]["backfilled"] is True
    assert verify(app).exit_code == 0, verify(app).output
    tamper("UPDATE history_entries SET actor = '张三' WHERE id = :id", id=second)
    assert_broken(verify(app), f"history entry {second} was altered")


def test_backfill_does_not_chain_a_row_slipped_in_after_the_chain_covered_history(app, client, city):
    change_next_inspection(client, city)
    forged = change_next_inspection(client, city, "2027-06-01")
    tamper(
        "DELETE FROM evidence_entries WHERE kind = :kind AND ref = :ref", kind=HISTORY_CHANGE, ref=str(forged)
    )
    _relink_chain()
    added = app.test_cli_runner().invoke(args=["evidence", "backfill-records"])
    assert "Added 0 record entries." in added.output, added.output
    assert_broken(verify(app), "[unrecorded]", f"history entry {forged} has no chain entry")
