"""`flask evidence verify` catches each way of altering the evidence behind the application's back:
a deleted newest entry, edited times and actors, a forged record, a replaced photo file, a rewritten tail."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, text

from backend.complaints.models import Complaint
from backend.complaints.rules import solve_pow
from backend.core.clock import today
from backend.core.images import sha256_hex
from backend.demo import load_demo
from backend.evidence.models import EvidenceEntry, EvidenceHead
from backend.evidence.rules import link_hash
from backend.extensions import db
from backend.inspections.models import ChecklistTemplate
from backend.inspections.services import install_default_templates
from backend.photos.services import storage
from backend.reports.models import MonthlyFiguresFreeze
from backend.reports.rules import month_due
from backend.reports.submissions import freeze_unsubmitted
from tests.conftest import auth
from tests.factories import new_id


def jpeg(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def upload(client, user, data: bytes) -> str:
    sha = sha256_hex(data)
    response = client.put(
        f"/api/photos/{sha}", data=data, headers=auth(user) | {"Content-Type": "image/jpeg"}
    )
    assert response.status_code in (200, 201), response.json
    return sha


def report(client, city, photos: list[str] | None = None) -> str:
    hazard_id = new_id()
    body = {
        "id": hazard_id,
        "device_id": city.dev_a.id,
        "category": "安全附件",
        "severity": "general",
        "description": "压力表损坏",
        "responsible_person": "王师傅",
        "photos": photos or [],
    }
    assert client.post("/api/hazards", json=body, headers=auth(city.manager)).status_code == 201
    return hazard_id


def step(client, user, hazard_id: str, action: str, photos: list[str] | None = None) -> str:
    event_id = new_id()
    body = {"id": event_id, "action": action, "note": "已处理", "photos": photos or []}
    response = client.post(f"/api/hazards/{hazard_id}/transitions", json=body, headers=auth(user))
    assert response.status_code == 200, response.json
    return event_id


def closed_hazard(client, city) -> tuple[str, str]:
    """A hazard taken through the loop to verified_closed; its id and the verify step's id."""
    hazard_id = report(client, city)
    after = upload(client, city.manager, jpeg((20, 160, 20)))
    step(client, city.manager, hazard_id, "submit_rectification", [after])
    return hazard_id, step(client, city.inspector, hazard_id, "verify")


def verify(app, *args: str):
    return app.test_cli_runner().invoke(args=["evidence", "verify", *args])


def tamper(sql: str, **params) -> None:
    db.session.execute(text(sql), params)
    db.session.commit()


def assert_broken(result, *names: str) -> None:
    assert result.exit_code != 0, result.output
    for name in names:
        assert name in result.output, result.output


def test_untouched_chain_with_every_kind_of_entry_verifies(app, client, city):
    closed_hazard(client, city)
    report(client, city, [upload(client, city.manager, jpeg((200, 30, 30)))])
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "OK:" in result.output


def test_deleting_the_newest_entry_fails_against_the_stored_head(app, client, city):
    report(client, city)
    report(client, city)
    tamper("DELETE FROM evidence_entries WHERE seq = (SELECT max(seq) FROM evidence_entries)")
    assert_broken(verify(app), "[head]", "seq 2", "chain ends at seq 1")


def test_deleting_the_newest_entry_with_its_hazard_fails(app, client, city):
    report(client, city)
    forged_away = report(client, city)
    tamper("DELETE FROM hazard_events WHERE hazard_id = :id", id=forged_away)
    tamper("DELETE FROM hazards WHERE id = :id", id=forged_away)
    tamper("DELETE FROM evidence_entries WHERE ref = :id", id=forged_away)
    assert_broken(verify(app), "[head]")


@pytest.mark.parametrize(
    ("column", "value"),
    [("created_at", "2020-01-01 00:00:00"), ("responsible_person", "张三")],
)
def test_editing_a_hazards_time_or_actor_fails(app, client, city, column, value):
    hazard_id = report(client, city)
    tamper(f"UPDATE hazards SET {column} = :value WHERE id = :id", value=value, id=hazard_id)  # noqa: S608
    assert_broken(verify(app), f"hazard {hazard_id} was altered")


def test_editing_when_a_hazard_was_closed_fails(app, client, city):
    hazard_id, _ = closed_hazard(client, city)
    tamper("UPDATE hazards SET closed_at = '2020-01-01 00:00:00' WHERE id = :id", id=hazard_id)
    assert_broken(verify(app), f"hazard {hazard_id} state")


def test_editing_a_step_time_fails(app, client, city):
    hazard_id, verified = closed_hazard(client, city)
    tamper("UPDATE hazard_events SET at = '2020-01-01 00:00:00' WHERE id = :id", id=verified)
    assert_broken(verify(app), f"step {verified} of hazard {hazard_id} was altered")


def test_editing_when_a_check_was_signed_fails(app, client, city):
    install_default_templates()
    db.session.commit()
    template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "device_elevator"))
    check_id = new_id()
    body = {
        "id": check_id,
        "kind": "self_check",
        "subkind": "daily",
        "template_id": template.id,
        "device_id": city.dev_a.id,
        "items": [{"code": code, "result": "pass"} for code in template.item_codes],
    }
    assert client.post("/api/checks", json=body, headers=auth(city.manager)).status_code == 201
    assert verify(app).exit_code == 0
    tamper("UPDATE checks SET signed_at = '2020-01-01 00:00:00' WHERE id = :id", id=check_id)
    assert_broken(verify(app), f"check {check_id} was altered")


def test_editing_an_entry_time_fails(app, client, city):
    report(client, city)
    tamper("UPDATE evidence_entries SET at = '2020-01-01 00:00:00' WHERE seq = 1")
    assert_broken(verify(app), "at seq 1", "entry time altered")


def test_a_hazard_inserted_without_a_chain_entry_fails(app, client, city):
    genuine = report(client, city)
    forged = new_id()
    tamper(
        "INSERT INTO hazards (id, enterprise_id, zone_id, device_id, source, category, severity, description,"
        " location, responsible_person, status, deadline, reported_by_id, reporter_role, confirmed,"
        " payload_hash, created_at, updated_at)"
        " SELECT :forged, enterprise_id, zone_id, device_id, source, category, severity, '伪造的隐患',"
        " location, responsible_person, status, deadline, reported_by_id, reporter_role, confirmed,"
        " payload_hash, created_at, updated_at FROM hazards WHERE id = :genuine",
        forged=forged,
        genuine=genuine,
    )
    assert_broken(verify(app), "[unrecorded]", f"hazard {forged} has no chain entry")


def test_a_replaced_photo_file_fails(app, client, city):
    photo = upload(client, city.manager, jpeg((200, 30, 30)))
    report(client, city, [photo])
    assert verify(app).exit_code == 0
    path = storage().open_path(f"{photo}.jpg")
    assert path is not None
    Path(path).write_bytes(jpeg((30, 30, 200)))
    assert_broken(verify(app), "[photo]", f"photo {photo}")


def test_a_consistent_rewrite_of_the_tail_is_caught_by_the_checkpoint(app, client, city, tmp_path):
    report(client, city)
    rewritten = report(client, city)
    checkpoint = app.test_cli_runner().invoke(args=["evidence", "checkpoint"])
    assert checkpoint.exit_code == 0
    saved = tmp_path / "checkpoint.json"
    saved.write_text(checkpoint.output)
    assert json.loads(checkpoint.output)["seq"] == 2
    assert verify(app, "--checkpoint", str(saved)).exit_code == 0

    # Someone with the database drops the last hazard and re-hashes the tail: links, head and records agree.
    _rewrite_tail_without(rewritten)
    assert verify(app).exit_code == 0
    assert_broken(verify(app, "--checkpoint", str(saved)), "[checkpoint]", "seq 2")


def test_an_edited_checkpoint_is_refused(app, client, city, tmp_path):
    report(client, city)
    checkpoint = json.loads(app.test_cli_runner().invoke(args=["evidence", "checkpoint"]).output)
    checkpoint["seq"] = 0
    saved = tmp_path / "checkpoint.json"
    saved.write_text(json.dumps(checkpoint))
    assert_broken(verify(app, "--checkpoint", str(saved)), "signature does not match")


def _rewrite_tail_without(hazard_id: str) -> None:
    """Delete a hazard and its entry, then re-link every later entry and the head: a consistent rewrite."""
    tamper("DELETE FROM hazard_events WHERE hazard_id = :id", id=hazard_id)
    tamper("DELETE FROM hazards WHERE id = :id", id=hazard_id)
    tamper("DELETE FROM evidence_entries WHERE ref = :id", id=hazard_id)
    _relink_chain()


def test_the_untouched_demo_city_verifies(app):
    load_demo()
    db.session.commit()
    result = verify(app)
    assert result.exit_code == 0, result.output
    entries = int(result.output.split("OK: ")[1].split(" ")[0])
    assert entries >= 90


def test_photo_digests_are_of_the_stored_bytes(app, client, city):
    photo = upload(client, city.manager, jpeg((10, 200, 10)))
    entry = db.session.scalar(select(EvidenceEntry).where(EvidenceEntry.ref == photo))
    stored = storage().open_path(f"{photo}.jpg")
    assert stored is not None
    assert json.loads(entry.body)["data"]["file"] == hashlib.sha256(Path(stored).read_bytes()).hexdigest()


def test_entries_in_the_version_1_body_still_verify(app, client, city):
    hazard_id = report(client, city)
    entry = db.session.scalar(select(EvidenceEntry).where(EvidenceEntry.ref == hazard_id))
    data = json.loads(entry.body)["data"]
    old_body = json.dumps(
        {"kind": "hazard.create", "ref": hazard_id, "data": {"content": data["content"]}},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    entry.body, entry.hash = old_body, link_hash(1, entry.prev_hash, old_body)
    db.session.get(EvidenceHead, 1).hash = entry.hash
    db.session.commit()
    result = verify(app)
    assert result.exit_code == 0, result.output


def complaint(app, client, city) -> int:
    app.config["COMPLAINT_POW_BITS"] = 4
    challenge = client.get("/api/public/challenge").json
    pow_ = {
        "challenge": challenge["challenge"],
        "nonce": solve_pow(challenge["challenge"], challenge["difficulty"]),
    }
    body = {
        "qr_token": city.dev_a.qr_token,
        "category": "elevator_trapped",
        "description": "电梯困人",
        "pow": pow_,
    }
    receipt = client.post("/api/public/complaints", json=body)
    assert receipt.status_code == 201, receipt.json
    return db.session.scalar(select(Complaint.id).where(Complaint.ticket_no == receipt.json["ticket_no"]))


@pytest.mark.parametrize("column", ["created_at", "closed_at"])
def test_editing_when_a_complaint_came_in_or_was_triaged_fails(app, client, city, column):
    complaint_id = complaint(app, client, city)
    triage = {"outcome": "not_substantiated", "public_reply": "经核查不属实"}
    response = client.post(
        f"/api/complaints/{complaint_id}/triage", json=triage, headers=auth(city.inspector)
    )
    assert response.status_code == 200, response.json
    assert verify(app).exit_code == 0
    tamper(f"UPDATE complaints SET {column} = '2020-01-01 00:00:00' WHERE id = :id", id=complaint_id)  # noqa: S608
    assert_broken(verify(app), f"complaint {complaint_id} was altered")


def test_editing_when_a_notice_was_issued_fails(app, client, city):
    hazard_id = report(client, city)
    body = {
        "kind": "rectification",
        "enterprise_id": city.ent_a.id,
        "hazard_ids": [hazard_id],
        "deadline": (today() + timedelta(days=10)).isoformat(),
    }
    notice = client.post("/api/notices", json=body, headers=auth(city.inspector))
    assert notice.status_code == 201, notice.json
    assert verify(app).exit_code == 0
    tamper("UPDATE notices SET created_at = '2020-01-01 00:00:00' WHERE id = :id", id=notice.json["id"])
    assert_broken(verify(app), f"notice {notice.json['id']} was altered")


def old_photo(data: bytes) -> str:
    """A photo as stored before the chain hashed photo files: its files and row, no entry."""
    from backend.core.images import process_upload
    from backend.photos.models import Photo

    sha, image = sha256_hex(data), process_upload(data)
    storage().put(f"{sha}.jpg", image.data)
    storage().put(f"{sha}.thumb.jpg", image.thumbnail)
    db.session.add(Photo(sha256=sha, width=image.width, height=image.height, size=len(image.data)))
    db.session.commit()
    return sha


def test_a_photo_row_without_its_chain_entry_fails(app, client, city):
    upload(client, city.manager, jpeg((10, 10, 200)))
    assert verify(app).exit_code == 0
    forged = old_photo(jpeg((120, 60, 200)))  # a row and files added behind the app's back
    assert_broken(verify(app), "[unrecorded]", f"photo {forged} has no chain entry")


def test_a_photo_whose_entry_was_deleted_fails(app, client, city):
    photo = upload(client, city.manager, jpeg((10, 10, 200)))
    report(client, city)  # the photo's entry is not the newest: only the link and coverage catch it
    tamper("DELETE FROM evidence_entries WHERE ref = :ref", ref=photo)
    assert_broken(verify(app), f"photo {photo} has no chain entry")


@pytest.mark.parametrize("variant", ["jpg", "thumb.jpg"])
def test_replaced_photo_bytes_fail(app, client, city, variant):
    photo = upload(client, city.manager, jpeg((200, 30, 30)))
    storage().put(f"{photo}.{variant}", jpeg((30, 30, 200)))
    assert_broken(verify(app), "[photo]", f"photo {photo}: the stored file was replaced")


def test_backfill_gives_old_photos_their_entry_once_and_then_a_replaced_file_fails(app, client, city):
    upload(client, city.manager, jpeg((10, 10, 200)))  # stored with its entry already
    old = old_photo(jpeg((200, 200, 10)))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["evidence", "backfill-photos"])
    assert first.exit_code == 0 and "Added 1 photo entry." in first.output, first.output
    again = runner.invoke(args=["evidence", "backfill-photos"])
    assert "Added 0 photo entries." in again.output
    entry = db.session.scalar(select(EvidenceEntry).where(EvidenceEntry.ref == old))
    assert json.loads(entry.body)["data"]["backfilled"] is True
    assert verify(app).exit_code == 0
    storage().put(f"{old}.jpg", jpeg((0, 0, 0)))
    assert_broken(verify(app), "[photo]", f"photo {old}")


def seal(client, city) -> int:
    """An inspector seals dev_a with a rectification notice; the order's id."""
    hazard_id = report(client, city)
    body = {
        "kind": "rectification",
        "enterprise_id": city.ent_a.id,
        "hazard_ids": [hazard_id],
        "deadline": (today() + timedelta(days=10)).isoformat(),
    }
    notice = client.post("/api/notices", json=body, headers=auth(city.inspector))
    assert notice.status_code == 201, notice.json
    order = {"status": "sealed", "notice_id": notice.json["id"], "reason": "制动器失效"}
    response = client.patch(f"/api/devices/{city.dev_a.id}", json=order, headers=auth(city.inspector))
    assert response.status_code == 200, response.json
    return client.get(f"/api/devices/{city.dev_a.id}/order", headers=auth(city.inspector)).json["id"]


def lift(client, city) -> None:
    body = {"status": "in_use", "reason": "复查合格"}
    response = client.patch(f"/api/devices/{city.dev_a.id}", json=body, headers=auth(city.inspector))
    assert response.status_code == 200, response.json


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "随意查封"),
        ("ordered_at", "2020-01-01 00:00:00"),
        ("status_before", "scrapped"),
        ("status", "stopped"),
    ],
)
def test_editing_a_device_orders_fields_fails(app, client, city, column, value):
    order_id = seal(client, city)
    assert verify(app).exit_code == 0, verify(app).output
    tamper(f"UPDATE device_orders SET {column} = :value WHERE id = :id", value=value, id=order_id)  # noqa: S608
    assert_broken(verify(app), f"device order {order_id} was altered")


@pytest.mark.parametrize(
    ("column", "value"),
    [("lift_reason", "领导同意"), ("lifted_at", "2020-01-01 00:00:00")],
)
def test_editing_an_orders_lifting_fails(app, client, city, column, value):
    order_id = seal(client, city)
    lift(client, city)
    assert verify(app).exit_code == 0, verify(app).output
    tamper(f"UPDATE device_orders SET {column} = :value WHERE id = :id", value=value, id=order_id)  # noqa: S608
    assert_broken(verify(app), f"device order {order_id} lifting")


def test_lifting_an_order_behind_the_apps_back_fails(app, client, city):
    order_id = seal(client, city)
    tamper(
        "UPDATE device_orders SET lifted_at = '2030-01-01 00:00:00', lift_reason = '已整改' WHERE id = :id",
        id=order_id,
    )
    assert_broken(verify(app), f"device order {order_id} lifting")


def test_an_order_inserted_without_a_chain_entry_fails(app, client, city):
    genuine = seal(client, city)
    lift(client, city)
    tamper(
        "INSERT INTO device_orders (device_id, enterprise_id, status, status_before, notice_id,"
        " ordered_by_id, ordered_at, reason, lift_reason) SELECT device_id, enterprise_id, status,"
        " status_before, notice_id, ordered_by_id, ordered_at, reason, '' FROM device_orders WHERE id = :id",
        id=genuine,
    )
    forged = db.session.scalar(text("SELECT max(id) FROM device_orders"))
    assert_broken(verify(app), "[unrecorded]", f"device order {forged} has no chain entry")


def frozen_month(app, city) -> int:
    past_due = today().replace(day=26)
    assert freeze_unsubmitted(past_due) >= 1
    db.session.commit()
    return db.session.scalar(
        select(MonthlyFiguresFreeze.id).where(
            MonthlyFiguresFreeze.zone_id == city.zone.id, MonthlyFiguresFreeze.month == month_due(past_due)
        )
    )


def test_editing_an_auto_frozen_figure_fails(app, client, city):
    report(client, city)
    freeze_id = frozen_month(app, city)
    assert verify(app).exit_code == 0, verify(app).output
    freeze = db.session.get(MonthlyFiguresFreeze, freeze_id)
    figures = dict(freeze.figures)
    counted = [k for k, v in figures.items() if isinstance(v, int) and not isinstance(v, bool)]
    figures[counted[0]] += 7
    tamper(
        "UPDATE monthly_figure_freezes SET figures = :figures WHERE id = :id",
        figures=json.dumps(figures),
        id=freeze_id,
    )
    assert_broken(verify(app), f"frozen figures {freeze_id} were altered")


def test_editing_when_figures_were_frozen_or_a_forged_freeze_fails(app, client, city):
    freeze_id = frozen_month(app, city)
    tamper("UPDATE monthly_figure_freezes SET frozen_at = '2020-01-01 00:00:00' WHERE id = :id", id=freeze_id)
    assert_broken(verify(app), f"frozen figures {freeze_id} were altered")
    tamper(
        "INSERT INTO monthly_figure_freezes (zone_id, month, figures, frozen_at)"
        " SELECT zone_id, '2001-01', figures, frozen_at FROM monthly_figure_freezes WHERE id = :id",
        id=freeze_id,
    )
    forged = db.session.scalar(text("SELECT max(id) FROM monthly_figure_freezes"))
    assert_broken(verify(app), f"frozen monthly figures {forged} has no chain entry")


def test_backfill_records_covers_old_orders_and_freezes_once_and_then_edits_fail(app, client, city):
    order_id = seal(client, city)
    freeze_id = frozen_month(app, city)
    # as stored before the chain covered them: the rows, no entries
    tamper("DELETE FROM evidence_entries WHERE kind IN ('order.issue', 'report.frozen')")
    _relink_chain()
    assert_broken(verify(app), f"device order {order_id} has no chain entry")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["evidence", "backfill-records"])
    records = 1 + db.session.scalar(text("SELECT count(*) FROM monthly_figure_freezes"))
    assert first.exit_code == 0 and f"Added {records} record entries." in first.output, first.output
    assert "Added 0 record entries." in runner.invoke(args=["evidence", "backfill-records"]).output
    assert verify(app).exit_code == 0, verify(app).output
    tamper("UPDATE monthly_figure_freezes SET frozen_at = '2020-01-01 00:00:00' WHERE id = :id", id=freeze_id)
    assert_broken(verify(app), f"frozen figures {freeze_id} were altered")


def _relink_chain() -> None:
    """Re-number and re-link what is left, as a chain that never held the deleted entries."""
    entries = db.session.scalars(select(EvidenceEntry).order_by(EvidenceEntry.seq)).all()
    rows = [(e.kind, e.ref, e.body, e.at) for e in entries]
    tamper("DELETE FROM evidence_entries")
    prev = "0" * 64
    for seq, (kind, ref, body, at) in enumerate(rows, start=1):
        digest = link_hash(seq, prev, body)
        db.session.add(
            EvidenceEntry(seq=seq, kind=kind, ref=ref, body=body, prev_hash=prev, hash=digest, at=at)
        )
        prev = digest
    head = db.session.get(EvidenceHead, 1)
    head.seq, head.hash = len(rows), prev
    db.session.commit()
