"""Measures a grade sets off (seed 002 第十、十一条), each scoped to the acting user.

- orders on devices (查封 / 责令停止使用): a regulator in scope, citing a notice to the device's
  enterprise; lifted only by a regulator with a reason; both in the device's history;
- on-site stationing (驻点监督) of C and D enterprises, started by their zone;
- the serious-violation list (严重违法失信名单), kept by the city bureau, public while listed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from backend.accounts.models import User
from backend.core.auth import REGULATORS, Role
from backend.core.clock import today, utcnow
from backend.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.hashing import payload_hash
from backend.core.history import history_of, record_history
from backend.credit.models import CreditGrade
from backend.devices import services as devices
from backend.devices.models import Device
from backend.devices.rules import ENFORCEMENT_LABELS, ENFORCEMENT_STATUSES
from backend.evidence.services import append_evidence, row_by_ref
from backend.extensions import db
from backend.measures import rules
from backend.measures.models import DeviceOrder, SeriousViolation, Stationing, StationingFinding
from backend.notices.models import Notice
from backend.notices.services import visible_notices
from backend.org.scope import Actor, own_records_scope
from backend.org.services import get_enterprise_for, get_records_enterprise_for


def _require(actor: Actor, roles: tuple, message: str) -> None:
    if actor.role not in roles:
        raise Forbidden(message)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={"fields": {field: [message]}})


# --- orders on devices ----------------------------------------------------------------------------


def update_device(actor: devices.Editor, device_id: int, data: dict) -> Device:
    """`PATCH /api/devices/<id>`: an order or its lifting when the status says so, else a plain edit."""
    device = devices.get_device_for(actor, device_id)
    status: str | None = data.get("status")
    ordering = status in ENFORCEMENT_STATUSES or data.get("notice_id") is not None
    lifting = status is not None and device.status in ENFORCEMENT_STATUSES and status != device.status
    if not (ordering or lifting):
        return devices.update_device(actor, device_id, data)
    _require(actor, REGULATORS, "查封、责令停止使用及其解除只能由监管部门办理 (regulators only)")
    devices.get_managed_enterprise(actor, device.enterprise_id)
    others = {k: v for k, v in data.items() if k not in ("status", "notice_id", "reason")}
    if others:
        devices.update_device(actor, device_id, others)
    if ordering:
        order_device(actor, device, status, data.get("notice_id"), data.get("reason") or "")
    elif status is not None:
        lift_order(actor, device, status, data.get("reason") or "")
    return device


def order_device(
    actor: Actor, device: Device, status: str | None, notice_id: int | None, reason: str
) -> None:
    if status not in ENFORCEMENT_STATUSES:
        raise _invalid("status", "须为 sealed（查封）或 stopped（责令停止使用）")
    if notice_id is None:
        raise _invalid("notice_id", "须注明下达该措施的文书 (notice required)")
    notice = db.session.scalar(visible_notices(actor).where(Notice.id == notice_id))
    if notice is None or notice.enterprise_id != device.enterprise_id:
        raise _invalid("notice_id", "文书不存在或不是发给该设备使用单位的 (notice not for this enterprise)")
    if device.status == status:
        raise InvalidState(f"设备已是“{ENFORCEMENT_LABELS[status]}”状态 (already so)")
    current = _open_order(device.id)
    before = current.status_before if current else device.status
    if current is not None:
        _close(current, actor, f"改为{ENFORCEMENT_LABELS[status]}")
    order = DeviceOrder(
        device_id=device.id,
        enterprise_id=device.enterprise_id,
        status=status,
        status_before=before,
        notice_id=notice.id,
        ordered_by_id=actor.id,
        ordered_at=utcnow(),
        reason=reason,
    )
    db.session.add(order)
    db.session.flush()
    append_evidence("order.issue", str(order.id), order_evidence(order))
    text = f"依据{notice.number}{ENFORCEMENT_LABELS[status]}" + (f"：{reason}" if reason else "")
    devices.set_order_status(actor, device, status, notice.number, text)


def lift_order(actor: Actor, device: Device, status: str, reason: str) -> None:
    if not reason.strip():
        raise _invalid("reason", "解除查封、停止使用须说明理由 (reason required)")
    order = _open_order(device.id)
    if order is not None:
        _close(order, actor, reason)
    devices.set_order_status(
        actor, device, status, None, f"解除{ENFORCEMENT_LABELS[device.status]}：{reason}"
    )


def _open_order(device_id: int) -> DeviceOrder | None:
    return db.session.scalar(
        select(DeviceOrder)
        .where(DeviceOrder.device_id == device_id, DeviceOrder.lifted_at.is_(None))
        .order_by(DeviceOrder.id.desc())
    )


def _close(order: DeviceOrder, actor: Actor, reason: str) -> None:
    order.lifted_at, order.lifted_by_id, order.lift_reason = utcnow(), actor.id, reason[:200]
    db.session.flush()
    append_evidence("order.lift", str(order.id), order_evidence(order))


# --- the evidence chain: an order and its lifting, every field, times and actors included ----------


def order_digest(order: DeviceOrder) -> str:
    """What the order states when made; never changes afterwards."""
    return payload_hash(
        [
            order.id,
            order.device_id,
            order.enterprise_id,
            order.status,
            order.status_before,
            order.notice_id,
            order.ordered_by_id,
            order.ordered_at.isoformat(),
            order.reason,
        ]
    )


def order_state(order: DeviceOrder) -> str:
    """Its lifting (all empty while in force): the newest entry of an order must match its row."""
    lifted_at = order.lifted_at.isoformat() if order.lifted_at else None
    return payload_hash([lifted_at, order.lifted_by_id, order.lift_reason])


def order_evidence(order: DeviceOrder) -> dict:
    return {"content": order_digest(order), "state": order_state(order)}


def order_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    """Does the stored order still state what the chain recorded? (for verify_chain)"""
    order = row_by_ref(DeviceOrder, ref)
    if order is None:
        return f"device order {ref} is missing"
    return None if order_digest(order) == data.get("content") else f"device order {ref} was altered"


def order_state_problem(ref: str, data: dict) -> str | None:
    """Given the newest entry of an order: is it lifted (or in force) as that entry says?"""
    order = row_by_ref(DeviceOrder, ref)
    if order is None or order_state(order) == data.get("state"):
        return None  # a missing order is reported by its entries
    return f"device order {ref} lifting (lifted_at, lifted_by, lift_reason) was altered"


def current_order(actor: Actor, device_id: int) -> DeviceOrder:
    """The order in force on a device in scope; 404 when there is none."""
    device = devices.get_device_for(actor, device_id)
    order = _open_order(device.id) if device.status in ENFORCEMENT_STATUSES else None
    if order is None:
        raise NotFound("该设备没有生效的查封或停用措施 (no order)")
    return order


# --- 驻点监督 --------------------------------------------------------------------------------------


def _grade(enterprise_id: int) -> str | None:
    grade = db.session.get(CreditGrade, enterprise_id)
    return grade.grade if grade else None


def _zone_inspectors(zone_id: int, ids: list[int]) -> list[int]:
    found = set(
        db.session.scalars(
            select(User.id).where(User.id.in_(ids), User.role == Role.inspector, User.zone_id == zone_id)
        )
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise _invalid("inspector_ids", "驻点人员须为该辖区的监察人员 (inspectors of the zone only)")
    return list(dict.fromkeys(ids))


def start_stationing(actor: Actor, enterprise_id: int, data: dict) -> Stationing:
    _require(actor, REGULATORS, "驻点监督由辖区监管部门安排 (regulators only)")
    enterprise = devices.get_managed_enterprise(actor, enterprise_id)
    grade = _grade(enterprise.id)
    starts_on = data.get("starts_on") or today()
    problem = rules.stationing_problem(grade, starts_on, data["ends_on"])
    if problem:
        raise _invalid("ends_on" if grade in rules.STATIONING_GRADES else "enterprise_id", problem)
    ids = data.get("inspector_ids") or ([actor.id] if actor.role == Role.inspector else [])
    if not ids:
        raise _invalid("inspector_ids", "请指定驻点监察人员 (inspectors required)")
    stationing = Stationing(
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        grade=grade,
        starts_on=starts_on,
        ends_on=data["ends_on"],
        inspector_ids=_zone_inspectors(enterprise.zone_id, ids),
        purpose=data.get("purpose") or "",
        created_by_id=actor.id,
    )
    db.session.add(stationing)
    db.session.flush()
    record_history("stationing", stationing.id, actor, {"period": (None, f"{starts_on}~{data['ends_on']}")})
    return stationing


def stationings_of(actor: Actor, enterprise_id: int) -> list[Stationing]:
    """The enterprise's stationing periods, newest first (the enterprise sees its own)."""
    enterprise = get_records_enterprise_for(actor, enterprise_id)
    return list(
        db.session.scalars(
            select(Stationing)
            .options(selectinload(Stationing.findings).selectinload(StationingFinding.recorded_by))
            .where(Stationing.enterprise_id == enterprise.id)
            .order_by(Stationing.starts_on.desc(), Stationing.id.desc())
        )
    )


def _managed_stationing(actor: Actor, stationing_id: int) -> Stationing:
    stationing = db.session.get(Stationing, stationing_id)
    if stationing is None:
        raise NotFound("驻点监督不存在 (stationing not found)")
    devices.get_managed_enterprise(actor, stationing.enterprise_id)
    return stationing


def add_finding(actor: Actor, stationing_id: int, data: dict) -> Stationing:
    _require(actor, REGULATORS, "驻点发现由监察人员记录 (regulators only)")
    stationing = _managed_stationing(actor, stationing_id)
    if stationing.closed_on is not None:
        raise InvalidState("驻点监督已结束 (stationing closed)")
    found_on = data.get("found_on") or today()
    if not stationing.starts_on <= found_on <= stationing.ends_on:
        raise _invalid("found_on", "发现日期须在驻点期间内 (outside the period)")
    db.session.add(
        StationingFinding(
            stationing_id=stationing.id, found_on=found_on, text=data["text"], recorded_by_id=actor.id
        )
    )
    db.session.flush()
    db.session.refresh(stationing)
    return stationing


def close_stationing(actor: Actor, stationing_id: int, data: dict) -> Stationing:
    """结束驻点: the day it ended (default today, not before it started) and the summary."""
    _require(actor, REGULATORS, "驻点监督由辖区监管部门结束 (regulators only)")
    stationing = _managed_stationing(actor, stationing_id)
    if stationing.closed_on is not None:
        raise InvalidState("驻点监督已结束 (stationing closed)")
    closed_on = data.get("closed_on") or today()
    problem = rules.closing_problem(stationing.starts_on, closed_on, today())
    if problem:
        raise _invalid("closed_on", problem)
    stationing.closed_on, stationing.summary, stationing.closed_by_id = closed_on, data["summary"], actor.id
    changes = {"closed_on": (None, closed_on)}
    record_history("stationing", stationing.id, actor, changes, data["summary"][:200])
    return stationing


# --- 严重违法失信名单 ------------------------------------------------------------------------------


def visible_listings(actor: Actor) -> Select:
    return (
        select(SeriousViolation)
        .options(selectinload(SeriousViolation.enterprise))
        .where(own_records_scope(actor, SeriousViolation.enterprise_id))
        .order_by(SeriousViolation.listed_on.desc(), SeriousViolation.id.desc())
    )


def list_listings(actor: Actor, enterprise_id: int | None = None) -> list[SeriousViolation]:
    _require(actor, (*REGULATORS, Role.safety_manager), "无权查看 (forbidden)")
    query = visible_listings(actor)
    if enterprise_id:
        query = query.where(SeriousViolation.enterprise_id == enterprise_id)
    return list(db.session.scalars(query))


def _listing_for(actor: Actor, listing_id: int) -> SeriousViolation:
    listing = db.session.scalar(visible_listings(actor).where(SeriousViolation.id == listing_id))
    if listing is None:
        raise NotFound("名单记录不存在 (listing not found)")
    return listing


def list_enterprise(actor: Actor, data: dict) -> SeriousViolation:
    """列入: the city bureau only, with the legal ground and the date of the decision."""
    _require(actor, (Role.bureau_admin,), "严重违法失信名单由市局列入、移出 (city bureau only)")
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    listed_on = data.get("listed_on") or today()
    problem = rules.listing_problem(listed_on, None, today())
    if problem:
        raise _invalid("listed_on", problem)
    if db.session.scalar(_current_listing(enterprise.id)) is not None:
        raise InvalidState("该单位已在名单中 (already listed)")
    listing = SeriousViolation(
        enterprise_id=enterprise.id,
        ground=data["ground"],
        decision_no=data.get("decision_no") or "",
        listed_on=listed_on,
        listed_by_id=actor.id,
    )
    db.session.add(listing)
    db.session.flush()
    changes = {"listed_on": (None, listed_on), "ground": (None, listing.ground)}
    record_history("serious_violation", listing.id, actor, changes, listing.ground)
    return listing


def remove_listing(actor: Actor, listing_id: int, data: dict) -> SeriousViolation:
    """移出: date and reason; the entry stays in the history."""
    _require(actor, (Role.bureau_admin,), "严重违法失信名单由市局列入、移出 (city bureau only)")
    listing = _listing_for(actor, listing_id)
    if listing.removed_on is not None:
        raise InvalidState("已移出名单 (already removed)")
    removed_on = data.get("removed_on") or today()
    problem = rules.listing_problem(listing.listed_on, removed_on, today())
    if problem or removed_on > today():
        raise _invalid("removed_on", problem or "移出日期不能晚于今天")
    listing.removed_on, listing.removal_reason, listing.removed_by_id = removed_on, data["reason"], actor.id
    record_history("serious_violation", listing.id, actor, {"removed_on": (None, removed_on)}, data["reason"])
    return listing


def listing_history(actor: Actor, listing_id: int) -> list:
    return history_of("serious_violation", _listing_for(actor, listing_id).id)


def _current_listing(enterprise_id: int | None = None, as_of: date | None = None) -> Select:
    as_of = as_of or today()
    query = select(SeriousViolation).where(
        SeriousViolation.listed_on <= as_of,
        or_(SeriousViolation.removed_on.is_(None), SeriousViolation.removed_on > as_of),
    )
    if enterprise_id is not None:
        query = query.where(SeriousViolation.enterprise_id == enterprise_id)
    return query


def public_listings() -> list[SeriousViolation]:
    """Everyone listed today (anonymous): name, credit code, ground, decision number, dates."""
    query = (
        _current_listing()
        .options(selectinload(SeriousViolation.enterprise))
        .order_by(SeriousViolation.listed_on.desc(), SeriousViolation.id.desc())
    )
    return list(db.session.scalars(query))
