"""Push (apply queued offline ops idempotently) and pull (changes since a cursor)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from marshmallow import Schema, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from backend.core.changes import Change
from backend.core.errors import AppError, ValidationFailed, field_errors
from backend.core.hashing import payload_hash
from backend.core.schemas import MAX_ID
from backend.extensions import db
from backend.hazards import services as hazards
from backend.hazards.schemas import HazardCreateSchema, TransitionOpSchema
from backend.inspections import services as inspections
from backend.inspections.schemas import CheckCreateSchema
from backend.maintenance import services as maintenance
from backend.maintenance.schemas import RecordOpSchema
from backend.notices import services as notices
from backend.notices.schemas import AcknowledgeOpSchema
from backend.org.scope import Actor, enterprise_scope
from backend.sync.entities import load_entities
from backend.sync.models import AppliedOp

PULL_LIMIT = 200
OUT_OF_RANGE = "数值或文本超出允许范围 (value out of range)"


@dataclass(frozen=True)
class OpHandler:
    schema: type[Schema]
    #: applies the op; False when the record already existed with the same content
    apply: Callable[[Actor, dict], bool]


def _handlers() -> dict[str, OpHandler]:
    return {
        "hazard.create": OpHandler(
            HazardCreateSchema, lambda a, p: hazards.report_hazard_from_client(a, p)[1]
        ),
        "hazard.transition": OpHandler(
            TransitionOpSchema,
            lambda a, p: hazards.transition_hazard(a, p.pop("hazard_id"), p) is not None,
        ),
        "check.submit": OpHandler(CheckCreateSchema, lambda a, p: inspections.submit_check(a, p)[1]),
        "notice.acknowledge": OpHandler(AcknowledgeOpSchema, notices.acknowledge_from_client),
        "maintenance.record": OpHandler(RecordOpSchema, maintenance.record_from_client),
    }


def push_ops(actor: Actor, ops: list[dict]) -> list[dict]:
    """Apply each op in its own savepoint; one result per op, in order."""
    handlers = _handlers()
    return [_apply_one(actor, op, handlers) for op in ops]


def _apply_one(actor: Actor, op: dict, handlers: dict[str, OpHandler]) -> dict:
    op_id, digest = str(op["op_id"]), payload_hash([op["type"], op["payload"]])
    previous = db.session.get(AppliedOp, op_id)
    if previous is not None:
        same = previous.payload_hash == digest and previous.user_id == actor.id
        return _result(
            op_id,
            "duplicate" if same else "conflict",
            None if same else ("conflict", "该操作编号已用于其他内容 (op id reused)"),
        )
    handler = handlers.get(op["type"])
    if handler is None:
        return _result(op_id, "rejected", ("unknown_op_type", f"未知操作类型 {op['type']}"))
    try:
        with db.session.begin_nested():
            changed = handler.apply(actor, handler.schema().load(op["payload"]))
            db.session.add(
                AppliedOp(
                    op_id=op_id, user_id=actor.id, op_type=op["type"], payload_hash=digest, status="applied"
                )
            )
    except ValidationError as exc:
        return _result(
            op_id, "rejected", ("validation_failed", "输入有误", {"fields": field_errors(exc.messages)})
        )
    except IntegrityError:
        return _result(op_id, "duplicate" if db.session.get(AppliedOp, op_id) else "conflict", None)
    except AppError as exc:
        status = "conflict" if exc.status == 409 and exc.code == "conflict" else "rejected"
        return _result(op_id, status, (exc.code, exc.message, exc.details))
    except (DataError, OverflowError, UnicodeError):
        # a value the database cannot hold: this op is bad input, the batch's other ops still count
        return _result(op_id, "rejected", ("value_out_of_range", OUT_OF_RANGE))
    return _result(op_id, "applied" if changed else "duplicate", None)


def _result(op_id: str, status: str, error: tuple | None) -> dict:
    result: dict = {"op_id": op_id, "status": status}
    if error:
        result["error"] = {
            "code": error[0],
            "message": error[1],
            "details": error[2] if len(error) > 2 else {},
        }
    return result


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, seq = raw.split(":")
        if version != "v1" or not 0 <= int(seq) <= MAX_ID:
            raise ValueError(version)
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise ValidationFailed(details={"fields": {"cursor": ["无效的同步游标 (bad cursor)"]}}) from exc


def pull_changes(actor: Actor, cursor: str | None) -> dict:
    """Everything in the actor's scope changed since the cursor, in commit order."""
    since = decode_cursor(cursor)
    rows = db.session.scalars(
        select(Change)
        .where(Change.seq > since, enterprise_scope(actor, Change.enterprise_id))
        .order_by(Change.seq)
        .limit(PULL_LIMIT + 1)
    ).all()
    more, rows = len(rows) > PULL_LIMIT, rows[:PULL_LIMIT]
    last = rows[-1].seq if rows else since
    return {"changes": _materialise(actor, rows), "cursor": encode_cursor(last), "more": more}


def _materialise(actor: Actor, rows: Sequence[Change]) -> list[dict]:
    """The changed records the actor may read; a tombstone only for a record that is gone.
    A record in the change scope that the actor may not read (a block peer's check or
    notice) is left out: "deleted" would be untrue, and its id and timing are not theirs."""
    loaded = load_entities(actor, rows)
    changes = []
    for row in rows:
        if row.deleted:
            changes.append({"entity": row.entity, "id": row.entity_id, "deleted": True, "data": None})
            continue
        data = loaded.get((row.entity, row.entity_id))
        if data is not None:
            changes.append({"entity": row.entity, "id": row.entity_id, "deleted": False, "data": data})
    return changes
