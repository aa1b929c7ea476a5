"""Elevator maintenance: contracts, work orders, on-site records and the using unit's answer.

Scope: a maintenance company's people see their company's orders and records; a using unit
its own devices'; an inspector their zone's; the bureau everything. Out of scope is 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Label, Select, case, false, func, select, true
from sqlalchemy.orm import joinedload

from backend.accounts.models import User
from backend.complaints.models import Complaint
from backend.core.auth import MAINTAINERS, REGULATORS, Role
from backend.core.clock import CHINA_TZ, local_day, today, utcnow
from backend.core.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.hashing import payload_hash
from backend.core.history import assign_with_history
from backend.devices.models import Device
from backend.devices.rules import DeviceCategory, DeviceStatus
from backend.devices.services import device_by_token, get_device_for
from backend.evidence.services import append_evidence, row_by_ref
from backend.extensions import db
from backend.maintenance import rules
from backend.maintenance.models import MaintenanceContract, MaintenanceOrder, MaintenanceRecord
from backend.maintenance.rules import MaintenanceKind, OrderStatus, RecordStatus
from backend.notifications.services import Message, notify
from backend.org.models import Certificate, CertificateKind, Enterprise, Person
from backend.org.people import certificate_in_force
from backend.org.scope import Actor
from backend.photos.models import Photo

# --- scope -------------------------------------------------------------------------------


def maintenance_scope(actor: Actor, company_col, enterprise_col, zone_col) -> ColumnElement[bool]:
    """Which orders and records the actor may see."""
    if actor.role == Role.bureau_admin:
        return true()
    if actor.role == Role.inspector:
        return zone_col == actor.zone_id if actor.zone_id is not None else false()
    if actor.enterprise_id is None:
        return false()
    if actor.role in MAINTAINERS:
        return company_col == actor.enterprise_id
    return enterprise_col == actor.enterprise_id


def _order_scope(actor: Actor) -> ColumnElement[bool]:
    return maintenance_scope(
        actor, MaintenanceOrder.company_id, MaintenanceOrder.enterprise_id, MaintenanceOrder.zone_id
    )


def _record_scope(actor: Actor) -> ColumnElement[bool]:
    return maintenance_scope(
        actor, MaintenanceRecord.company_id, MaintenanceRecord.enterprise_id, MaintenanceRecord.zone_id
    )


def visible_orders(actor: Actor, filters: dict) -> Select:
    query = (
        select(MaintenanceOrder)
        .options(
            joinedload(MaintenanceOrder.device).selectinload(Device.position_labels),
            joinedload(MaintenanceOrder.record),
        )
        .where(_order_scope(actor))
    )
    if filters.get("open"):
        query = query.where(MaintenanceOrder.status == OrderStatus.open)
    if filters.get("device_id"):
        query = query.where(MaintenanceOrder.device_id == filters["device_id"])
    return query.order_by(
        MaintenanceOrder.status.desc(), _urgency(), MaintenanceOrder.due_on, MaintenanceOrder.id
    )


def _urgency() -> ColumnElement[int]:
    """Trapped passengers first, then other urgent repairs, then the round: the first page a phone
    pulls carries the call-outs even behind a company's hundred overdue periodic orders."""
    return case(
        (MaintenanceOrder.trapped.is_(True), 0),
        (MaintenanceOrder.kind == MaintenanceKind.urgent, 1),
        else_=2,
    )


def get_order_for(actor: Actor, order_id: int) -> MaintenanceOrder:
    order = db.session.scalar(
        select(MaintenanceOrder).where(MaintenanceOrder.id == order_id, _order_scope(actor))
    )
    if order is None:
        raise NotFound("工单不存在 (no such work order)")
    return order


def visible_records(actor: Actor, filters: dict) -> Select:
    query = (
        select(MaintenanceRecord)
        .options(joinedload(MaintenanceRecord.device), joinedload(MaintenanceRecord.order))
        .where(_record_scope(actor))
    )
    if filters.get("status"):
        query = query.where(MaintenanceRecord.status == filters["status"])
    if filters.get("device_id"):
        query = query.where(MaintenanceRecord.device_id == filters["device_id"])
    return query.order_by(MaintenanceRecord.submitted_at.desc(), MaintenanceRecord.id.desc())


def get_record_for(actor: Actor, record_id: int) -> MaintenanceRecord:
    record = db.session.scalar(
        select(MaintenanceRecord).where(MaintenanceRecord.id == record_id, _record_scope(actor))
    )
    if record is None:
        raise NotFound("维保记录不存在 (no such maintenance record)")
    return record


# --- contracts ----------------------------------------------------------------------------


def active_contract(device_id: int, as_of: date) -> MaintenanceContract | None:
    return db.session.scalar(
        select(MaintenanceContract)
        .where(
            MaintenanceContract.device_id == device_id,
            MaintenanceContract.starts_on <= as_of,
            MaintenanceContract.ends_on >= as_of,
        )
        .order_by(MaintenanceContract.starts_on.desc())
        .limit(1)
    )


def visible_contracts(actor: Actor, filters: dict) -> Select:
    query = (
        select(MaintenanceContract)
        .join(Device, Device.id == MaintenanceContract.device_id)
        .options(joinedload(MaintenanceContract.company), joinedload(MaintenanceContract.device))
        .where(maintenance_scope(actor, MaintenanceContract.company_id, Device.enterprise_id, Device.zone_id))
    )
    if filters.get("device_id"):
        query = query.where(MaintenanceContract.device_id == filters["device_id"])
    return query.order_by(MaintenanceContract.starts_on.desc(), MaintenanceContract.id.desc())


def create_contract(actor: Actor, data: dict) -> MaintenanceContract:
    """The using unit (or a regulator) records who maintains a device, from when to when."""
    device = get_device_for(actor, data["device_id"])
    _require_contract_party(actor, device)
    if device.category != DeviceCategory.elevator:
        raise ValidationFailed(details={"fields": {"device_id": ["只有电梯登记维保合同 (elevators only)"]}})
    company = db.session.get(Enterprise, data["company_id"])
    if company is None or "maintainer" not in company.role_list:
        raise ValidationFailed(
            details={"fields": {"company_id": ["不是维保单位 (not a maintenance company)"]}}
        )
    if data["ends_on"] < data["starts_on"]:
        raise ValidationFailed(
            details={"fields": {"ends_on": ["结束日期早于开始日期 (ends before it starts)"]}}
        )
    _refuse_overlap(device.id, data["starts_on"], data["ends_on"])
    contract = MaintenanceContract(
        device_id=device.id,
        company_id=company.id,
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        created_by_id=actor.id,
    )
    db.session.add(contract)
    db.session.flush()
    if contract.starts_on <= today():  # a contract not yet begun leaves the device as it is
        _name_company_in_force(device, actor, "维保合同")
    return contract


def _refuse_overlap(device_id: int, starts_on: date, ends_on: date) -> None:
    """One maintenance company answers for an elevator on any day: a new company's contract
    starts after the old one ends (end the old one first when changing company early)."""
    other = db.session.scalar(
        select(MaintenanceContract)
        .options(joinedload(MaintenanceContract.company))
        .where(
            MaintenanceContract.device_id == device_id,
            MaintenanceContract.starts_on <= ends_on,
            MaintenanceContract.ends_on >= starts_on,
        )
        .limit(1)
    )
    if other is not None:
        raise Conflict(
            f"该电梯在 {other.starts_on}～{other.ends_on} 已有维保合同（{other.company.name}），"
            "请先终止原合同 (another contract covers these dates: end it first)",
            details={"contract_id": other.id},
        )


def _names_its_company(as_of: date) -> ColumnElement[bool]:
    """A contract names its company on the device from its first day until the day before its
    last: on its last day the company still answers for the lift, but the device shows that it
    is leaving (so ending a contract today takes the name off at once)."""
    return (MaintenanceContract.starts_on <= as_of) & (MaintenanceContract.ends_on > as_of)


def _name_company_in_force(device: Device, actor: Actor | None, reason: str) -> None:
    company_id = db.session.scalar(
        select(MaintenanceContract.company_id)
        .where(MaintenanceContract.device_id == device.id, _names_its_company(today()))
        .order_by(MaintenanceContract.starts_on.desc(), MaintenanceContract.id.desc())
        .limit(1)
    )
    assign_with_history(device, "device", {"maintenance_company_id": company_id}, actor, reason)


def name_companies_in_force(as_of: date) -> int:
    """The daily job: a device under contract names the company whose contract is in force, so a
    contract that begins later (a change of company at the year's end) or runs out needs nobody
    to edit the device. Devices with no contract begun yet keep what was entered for them."""
    ranked = (
        select(
            MaintenanceContract.device_id,
            MaintenanceContract.company_id,
            func.row_number()
            .over(
                partition_by=MaintenanceContract.device_id,
                order_by=(MaintenanceContract.starts_on.desc(), MaintenanceContract.id.desc()),
            )
            .label("rank"),
        )
        .where(_names_its_company(as_of))
        .subquery()
    )
    in_force = select(ranked.c.device_id, ranked.c.company_id).where(ranked.c.rank == 1).subquery()
    under_contract = (
        select(MaintenanceContract.id)
        .where(MaintenanceContract.device_id == Device.id, MaintenanceContract.starts_on <= as_of)
        .exists()
    )
    stale = db.session.execute(
        select(Device, in_force.c.company_id)
        .outerjoin(in_force, in_force.c.device_id == Device.id)
        .where(under_contract, Device.maintenance_company_id.is_distinct_from(in_force.c.company_id))
    ).all()
    for device, company_id in stale:
        reason = "维保合同生效" if company_id else "维保合同到期"
        assign_with_history(device, "device", {"maintenance_company_id": company_id}, None, reason)
    db.session.flush()
    return len(stale)


def _require_contract_party(actor: Actor, device: Device) -> None:
    """Who records a device's maintenance contract: its using unit's safety manager, or a regulator
    (never the company: the graded party does not choose what it is graded on)."""
    if actor.role not in REGULATORS and not (
        actor.role == Role.safety_manager and actor.enterprise_id == device.enterprise_id
    ):
        raise Forbidden("只有使用单位或监管人员可以登记维保合同 (the using unit or a regulator only)")


def maintenance_companies() -> list[Enterprise]:
    """The maintenance companies a contract may name (their names are on every lift's public page)."""
    return list(
        db.session.scalars(
            select(Enterprise).where(Enterprise.roles.contains("maintainer")).order_by(Enterprise.name)
        )
    )


def get_contract_for(actor: Actor, contract_id: int) -> MaintenanceContract:
    contract = db.session.scalar(visible_contracts(actor, {}).where(MaintenanceContract.id == contract_id))
    if contract is None:
        raise NotFound("维保合同不存在 (no such contract)")
    return contract


def end_contract(actor: Actor, contract_id: int, ends_on: date | None) -> MaintenanceContract:
    """End a contract early (on `ends_on`, today by default): the company's periodic orders due
    after that day are cancelled (nobody owes them, they are not graded), and the device no longer
    names the company from the last day on (a later end leaves it named until then)."""
    contract = get_contract_for(actor, contract_id)
    _require_contract_party(actor, contract.device)
    day = ends_on or today()
    if contract.ends_on < today():
        raise InvalidState("该合同已到期 (the contract has already ended)")
    if not contract.starts_on <= day <= contract.ends_on:
        raise ValidationFailed(
            details={"fields": {"ends_on": ["结束日期须在合同期内 (must fall within the contract)"]}}
        )
    contract.ends_on = day
    for order in db.session.scalars(
        select(MaintenanceOrder).where(
            MaintenanceOrder.contract_id == contract.id,
            MaintenanceOrder.status == OrderStatus.open,
            MaintenanceOrder.kind != MaintenanceKind.urgent,
            MaintenanceOrder.due_on > day,
        )
    ):
        order.status = OrderStatus.cancelled
    db.session.flush()
    _name_company_in_force(contract.device, actor, "维保合同终止")
    return contract


# --- work orders -----------------------------------------------------------------------------


def _checklist(kind: MaintenanceKind, device: Device) -> list[dict]:
    return [item.as_dict() for item in rules.checklist(kind, rules.is_escalator(device.name))]


def _done_dates(device_ids: Iterable[int]) -> dict[int, dict[MaintenanceKind, date]]:
    """Per device, the day of the last maintenance of each kind."""
    ids = list(device_ids)
    found: dict[int, dict[MaintenanceKind, date]] = {}
    for start in range(0, len(ids), 1000):
        rows = db.session.execute(
            select(
                MaintenanceRecord.device_id, MaintenanceRecord.kind, func.max(MaintenanceRecord.first_scan_at)
            )
            .where(MaintenanceRecord.device_id.in_(ids[start : start + 1000]))
            .group_by(MaintenanceRecord.device_id, MaintenanceRecord.kind)
        )
        for device_id, kind, at in rows:
            found.setdefault(device_id, {})[MaintenanceKind(kind)] = local_day(at)
    return found


def _devices_with_open_periodic() -> set[int]:
    return set(
        db.session.scalars(
            select(MaintenanceOrder.device_id).where(
                MaintenanceOrder.status == OrderStatus.open, MaintenanceOrder.kind != MaintenanceKind.urgent
            )
        )
    )


def generate_orders(as_of: date) -> int:
    """Open the periodic orders due within the lead time for every in-use elevator under
    contract on `as_of`; running it again the same day opens nothing more."""
    contracts = db.session.scalars(
        select(MaintenanceContract)
        .join(Device, Device.id == MaintenanceContract.device_id)
        .options(joinedload(MaintenanceContract.device))
        .where(
            MaintenanceContract.starts_on <= as_of,
            MaintenanceContract.ends_on >= as_of,
            Device.status == DeviceStatus.in_use,
        )
    ).all()
    done = _done_dates(c.device_id for c in contracts)
    busy = _devices_with_open_periodic()
    opened = 0
    for contract in contracts:
        term = rules.ContractTerm(contract.starts_on, contract.ends_on)
        due = rules.order_to_open(term, done.get(contract.device_id, {}), contract.device_id in busy, as_of)
        if due is None:
            continue
        db.session.add(_new_order(contract.device, contract.company_id, due.kind, due.due_on, contract.id))
        busy.add(contract.device_id)
        opened += 1
    db.session.flush()
    return opened


def _new_order(
    device: Device, company_id: int, kind: MaintenanceKind, due_on: date, contract_id: int | None
) -> MaintenanceOrder:
    return MaintenanceOrder(
        device_id=device.id,
        company_id=company_id,
        enterprise_id=device.enterprise_id,
        zone_id=device.zone_id,
        contract_id=contract_id,
        kind=kind,
        due_on=due_on,
        status=OrderStatus.open,
        items=_checklist(kind, device),
    )


def rescue_limit_minutes() -> int:
    return int(current_app.config.get("MAINTENANCE_RESCUE_LIMIT_MINUTES", rules.DEFAULT_RESCUE_LIMIT_MINUTES))


def report_fault(actor: Actor, data: dict) -> tuple[MaintenanceOrder, bool]:
    """困人/故障: the using unit (or a regulator) opens an urgent order for the contracted company,
    which is told at once; (order, created). While the lift's call-out of the same kind is open, a
    second report (a double tap, a retry, a colleague) joins it: one breakdown counts once."""
    device = get_device_for(actor, data["device_id"])
    if actor.role not in REGULATORS and not (
        actor.role in (Role.safety_manager, Role.block_supervisor)
        and actor.enterprise_id == device.enterprise_id
    ):
        raise Forbidden("只有使用单位或监管人员可以报修 (the using unit or a regulator only)")
    joined = _open_call_out(device.id, data["trapped"])
    if joined is not None:
        return joined, False
    return open_urgent_order(device, data["trapped"], data["description"], actor.id), True


def _open_call_out(device_id: int, trapped: bool, since: datetime | None = None) -> MaintenanceOrder | None:
    """The lift's urgent order of this kind (困人 or 故障) still open, reported since `since` if given."""
    query = select(MaintenanceOrder).where(
        MaintenanceOrder.device_id == device_id,
        MaintenanceOrder.kind == MaintenanceKind.urgent,
        MaintenanceOrder.trapped.is_(trapped),
        MaintenanceOrder.status == OrderStatus.open,
    )
    if since is not None:
        query = query.where(MaintenanceOrder.reported_at >= since)
    return db.session.scalars(query.limit(1)).first()


#: passengers reporting the same entrapment within this long join the order already open
SAME_ENTRAPMENT = timedelta(hours=2)


def open_order_for_complaint(device_id: int, ticket_no: str, description: str) -> MaintenanceOrder | None:
    """A passenger's 电梯困人 complaint from the label page opens an urgent order for the
    contracted company (once per entrapment; None when the elevator has no maintenance company)."""
    device = db.session.get(Device, device_id)
    if device is None or device.category != DeviceCategory.elevator:
        return None
    if _open_call_out(device_id, trapped=True, since=utcnow() - SAME_ENTRAPMENT) is not None:
        return None
    contract = active_contract(device.id, today())
    if contract is None and device.maintenance_company_id is None:
        return None
    return open_urgent_order(device, True, f"公众投诉 {ticket_no}：{description}"[:500], None)


def open_urgent_order(
    device: Device, trapped: bool, description: str, reported_by_id: int | None
) -> MaintenanceOrder:
    contract = active_contract(device.id, today())
    company_id = contract.company_id if contract else device.maintenance_company_id
    if company_id is None:
        raise ValidationFailed(
            details={"fields": {"device_id": ["该电梯没有维保单位 (no maintenance company)"]}}
        )
    order = _new_order(device, company_id, MaintenanceKind.urgent, today(), contract.id if contract else None)
    order.reported_at = utcnow()
    order.reported_by_id = reported_by_id
    order.trapped = trapped
    order.description = description
    order.rescue_limit_minutes = rescue_limit_minutes() if trapped else None
    db.session.add(order)
    db.session.flush()
    notify(_urgent_messages(order, device))
    return order


def _urgent_messages(order: MaintenanceOrder, device: Device) -> Iterator[Message]:
    what = "困人" if order.trapped else "故障"
    limit = f"，须在 {order.rescue_limit_minutes} 分钟内到达" if order.trapped else ""
    for user_id in company_users(order.company_id):
        yield Message(
            user_id,
            "maintenance.urgent",
            f"maintenance.urgent:{order.id}",
            f"急修（{what}）：{device.registration_no}",
            f"{device.location} {order.description[:60]}{limit}",
            f"/maintenance/orders/{order.id}",
            urgent=True,
        )


# --- the record made on site -------------------------------------------------------------


def _record_digest(data: dict) -> str:
    return payload_hash(
        {
            "items": data["items"],
            "scans": [{"token": s["token"], "at": s["at"].isoformat()} for s in data["scans"]],
            "photos": data["photos"],
            "signature": data["signature"],
            "released_at": data["released_at"].isoformat() if data.get("released_at") else None,
        }
    )


def record_maintenance(actor: Actor, order_id: int, data: dict) -> tuple[MaintenanceRecord, bool]:
    """The worker's record of an order (API or sync op `maintenance.record`).

    One record per order: the same body again returns the first (False), another body is 409.
    Returns (record, created).
    """
    order = get_order_for(actor, order_id)
    digest = _record_digest(data)
    existing = db.session.scalar(select(MaintenanceRecord).where(MaintenanceRecord.order_id == order.id))
    if existing is not None:
        if existing.payload_hash != digest or existing.worker_id != actor.id:
            raise Conflict("该工单已有维保记录 (this order already has a record)")
        return existing, False
    if actor.role != Role.maintenance_worker:
        raise Forbidden("只有维保人员可以填写维保记录 (maintenance workers only)")
    contract = active_contract(order.device_id, today())
    if contract is None or contract.company_id != actor.enterprise_id:
        raise Forbidden("本单位没有该电梯的有效维保合同 (no current contract for your company)")
    scans = _checked_scans(order, data["scans"])
    certificate = _operator_certificate(actor, local_day(scans[0]))
    _check_items(order, data["items"])
    photos = list(dict.fromkeys([*data["photos"], *(p for item in data["items"] for p in item["photos"])]))
    _require_uploaded("photos", photos, "照片尚未上传 (photos not uploaded)")
    _require_uploaded("signature", [data["signature"]], "签名图片尚未上传 (signature not uploaded)")
    _check_release(data.get("released_at"), scans[0])
    record = _new_record(order, actor, data, scans, photos, digest)
    record.certificate_id = certificate.id
    record.certificate_number = certificate.number
    record.certificate_holder = certificate.person.name
    db.session.add(record)
    order.status = OrderStatus.done
    db.session.flush()
    append_evidence("maintenance.record", str(record.id), record_evidence(record))
    return record, True


def _checked_scans(order: MaintenanceOrder, scans: list[dict]) -> list[datetime]:
    """Each scanned label must be this device's (the label lookup the public QR page uses)."""
    for scan in scans:
        device = device_by_token(scan["token"])
        if device is None or device.id != order.device_id:
            raise ValidationFailed(
                details={
                    "fields": {"scans": ["扫描的标签不是本工单的设备 (a scanned label is not this device's)"]}
                }
            )
    times = sorted(scan["at"] for scan in scans)
    problem = rules.scan_problems(times, order.created_at, utcnow())
    if problem:
        raise ValidationFailed(details={"fields": {"scans": [problem]}})
    return times


def worker_certificate(actor: Actor, as_of: date) -> dict:
    """The worker's own 电梯作业人员证 as the server counts it, so the phone warns before a visit
    whose record would be refused, and why; the newest declared one when none counts."""
    if actor.role != Role.maintenance_worker:
        raise Forbidden("只有维保人员有作业人员证状态 (maintenance workers only)")
    person = _person_of(actor)
    counted = certificate_in_force(person, CertificateKind.operator, as_of)
    declared = [c for c in (person.certificates if person else []) if c.kind == CertificateKind.operator]
    shown = counted or (declared[-1] if declared else None)
    return {
        "certified": counted is not None,
        "reason": None if counted else _uncertified_reason(shown, person, as_of),
        "number": shown.number if shown else None,
        "expires_on": shown.expires_on if shown else None,
        "verification": shown.verification if shown else None,
    }


def _person_of(actor: Actor) -> Person | None:
    """The worker's person record, whose certificates their records are accepted on."""
    worker = db.session.get(User, actor.id)
    return worker.person if worker else None


def _uncertified_reason(shown: Certificate | None, person: Person | None, as_of: date) -> str:
    facts = rules.CertificateFacts(shown.verification, shown.issued_on, shown.expires_on) if shown else None
    left = person is not None and person.left_on is not None and person.left_on <= as_of
    return rules.uncertified_reason(facts, left, as_of)


def _check_release(released_at: datetime | None, arrived: datetime) -> None:
    """困人: when the passengers were freed, not before the worker arrived nor in the future."""
    if released_at is None:
        return
    problem = None
    if released_at < arrived:
        problem = "解困时间早于到达时间 (released before arrival)"
    elif released_at > utcnow() + rules.CLOCK_SKEW:
        problem = "解困时间晚于当前时间 (released in the future)"
    if problem:
        raise ValidationFailed(details={"fields": {"released_at": [problem]}})


def _operator_certificate(actor: Actor, day: date) -> Certificate:
    """Only a certified worker maintains a lift (电梯作业人员证, TSG Z6001): verified by a regulator,
    in force on the day of the visit. The company's own word that a worker holds one is not enough."""
    certificate = certificate_in_force(_person_of(actor), CertificateKind.operator, day)
    if certificate is None:
        raise ValidationFailed(
            "维保人员没有当日有效且经监管部门核验的电梯作业人员证 "
            "(no operator certificate verified by a regulator and valid on the day of the visit)",
            code="operator_not_certified",
        )
    return certificate


def _check_items(order: MaintenanceOrder, items: list[dict]) -> None:
    problems = rules.item_problems(order.items, items)
    if problems:
        raise ValidationFailed(details={"fields": {"items": problems}})


def _require_uploaded(field: str, photos: list[str], message: str) -> None:
    uploaded = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(photos))))
    if uploaded != set(photos):
        raise ValidationFailed(details={"fields": {field: [message]}})


def _new_record(
    order: MaintenanceOrder, actor: Actor, data: dict, scans: list[datetime], photos: list[str], digest: str
) -> MaintenanceRecord:
    kind = MaintenanceKind(order.kind)
    short = rules.short_visit(kind, scans[0], scans[-1])
    photo_items = [item["code"] for item in order.items if item.get("photo")]
    answered = {item["code"]: item for item in data["items"]}
    with_photos = sum(1 for code in photo_items if answered[code]["photos"])
    strength = rules.evidence_strength(len(photo_items), with_photos, len(scans), True, short)
    return MaintenanceRecord(
        order_id=order.id,
        device_id=order.device_id,
        company_id=order.company_id,
        enterprise_id=order.enterprise_id,
        zone_id=order.zone_id,
        kind=order.kind,
        worker_id=actor.id,
        items=[
            {"code": i["code"], "result": str(i["result"]), "note": i["note"], "photos": i["photos"]}
            for i in data["items"]
        ],
        scans=[{"token_hint": s["token"][:4], "at": s["at"].isoformat()} for s in data["scans"]],
        photos=photos,
        signature_sha256=data["signature"],
        first_scan_at=scans[0],
        last_scan_at=scans[-1],
        released_at=data.get("released_at"),
        short_visit=short,
        evidence_strength=strength,
        payload_hash=digest,
        submitted_at=utcnow(),
        status=RecordStatus.awaiting_confirmation,
    )


def record_from_client(actor: Actor, data: dict) -> bool:
    """Sync op `maintenance.record`: False when this order already has this very record."""
    return record_maintenance(actor, data.pop("order_id"), data)[1]


# --- the using unit's answer -----------------------------------------------------------------


def _answerable(actor: Actor, record_id: int) -> MaintenanceRecord:
    record = get_record_for(actor, record_id)
    if actor.role != Role.safety_manager or actor.enterprise_id != record.enterprise_id:
        raise Forbidden("只有使用单位安全管理员可以确认维保记录 (the using unit's safety manager only)")
    if record.status != RecordStatus.awaiting_confirmation:
        raise InvalidState("该维保记录已确认或有异议 (already answered)")
    return record


def confirm_record(actor: Actor, record_id: int) -> MaintenanceRecord:
    record = _answerable(actor, record_id)
    return _answer(actor, record, RecordStatus.confirmed, "")


def dispute_record(actor: Actor, record_id: int, reason: str) -> MaintenanceRecord:
    record = _answerable(actor, record_id)
    _answer(actor, record, RecordStatus.disputed, reason)
    notify(_dispute_messages(record))
    return record


def _answer(actor: Actor, record: MaintenanceRecord, status: RecordStatus, reason: str) -> MaintenanceRecord:
    record.status = status
    record.answered_by_id = actor.id
    record.answered_at = utcnow()
    record.dispute_reason = reason
    db.session.flush()
    kind = "maintenance.confirm" if status == RecordStatus.confirmed else "maintenance.dispute"
    append_evidence(kind, str(record.id), answer_evidence(record))
    return record


def _dispute_messages(record: MaintenanceRecord) -> Iterator[Message]:
    for user_id in company_users(record.company_id, admins_only=True):
        yield Message(
            user_id,
            "maintenance.disputed",
            f"maintenance.disputed:{record.id}",
            f"维保记录有异议：{record.device.registration_no}",
            record.dispute_reason[:120],
            f"/maintenance/records/{record.id}",
        )


# --- evidence --------------------------------------------------------------------------------


def record_content(record: MaintenanceRecord) -> str:
    return payload_hash(
        {
            "order": record.order_id,
            "device": record.device_id,
            "company": record.company_id,
            "worker": record.worker_id,
            "kind": record.kind,
            "items": record.items,
            "scans": record.scans,
            "photos": record.photos,
            "signature": record.signature_sha256,
            "first_scan_at": record.first_scan_at.isoformat(),
            "last_scan_at": record.last_scan_at.isoformat(),
            "released_at": record.released_at.isoformat() if record.released_at else None,
        }
        # the certificate joined the record later: a record without one hashes as it always did
        | ({"certificate": record.certificate_number} if record.certificate_number else {})
    )


def record_evidence(record: MaintenanceRecord) -> dict:
    return {"content": record_content(record), "photos": record.photos, "signature": record.signature_sha256}


def answer_evidence(record: MaintenanceRecord) -> dict:
    return {
        "status": record.status,
        "by": record.answered_by_id,
        "reason": payload_hash(record.dispute_reason),
    }


def maintenance_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    """Does the stored record (or its answer) still match what the chain recorded?"""
    record = row_by_ref(MaintenanceRecord, ref)
    if record is None:
        return f"maintenance record {ref} is missing"
    if kind == "maintenance.record":
        return (
            None if record_content(record) == data.get("content") else f"maintenance record {ref} was altered"
        )
    if answer_evidence(record) != data:
        return f"the answer to maintenance record {ref} was altered"
    return None


# --- what the public sees --------------------------------------------------------------------


@dataclass(frozen=True)
class PublicMaintenance:
    last: dict | None
    next_due: date | None


def _newest_record(column) -> Label:
    newest = (MaintenanceRecord.first_scan_at.desc(), MaintenanceRecord.id.desc())
    found = select(column).where(MaintenanceRecord.device_id == Device.id).order_by(*newest).limit(1)
    return found.scalar_subquery().label(f"maintenance_last_{column.key}")


def _active_contract(as_of: date, column) -> Label:
    """`active_contract`'s `column`."""
    found = (
        select(column)
        .where(
            MaintenanceContract.device_id == Device.id,
            MaintenanceContract.starts_on <= as_of,
            MaintenanceContract.ends_on >= as_of,
        )
        .order_by(MaintenanceContract.starts_on.desc(), MaintenanceContract.id.desc())
        .limit(1)
    )
    return found.scalar_subquery().label(f"maintenance_contract_{column.key}")


@lru_cache(maxsize=4)
def public_maintenance_columns(as_of: date) -> tuple[Label, ...]:
    """What `public_maintenance_of` needs, as columns of the query that loads the device (correlated
    with Device): the last record, the earliest open periodic order, the contract in force and the last
    day of each periodic kind, each read through the device's own index entries, none a round trip of
    its own. Built once a day: building them took longer than the query that reads them."""
    open_due = select(func.min(MaintenanceOrder.due_on)).where(
        MaintenanceOrder.device_id == Device.id,
        MaintenanceOrder.status == OrderStatus.open,
        MaintenanceOrder.kind != MaintenanceKind.urgent,
    )
    done = [
        select(func.max(MaintenanceRecord.first_scan_at))
        .where(MaintenanceRecord.device_id == Device.id, MaintenanceRecord.kind == kind)
        .scalar_subquery()
        .label(f"maintenance_done_{kind.value}")
        for kind in rules.PERIODIC
    ]
    return (
        _newest_record(MaintenanceRecord.first_scan_at),
        _newest_record(MaintenanceRecord.kind),
        _newest_record(MaintenanceRecord.status),
        open_due.scalar_subquery().label("maintenance_open_due"),
        _active_contract(as_of, MaintenanceContract.starts_on),
        _active_contract(as_of, MaintenanceContract.ends_on),
        *done,
    )


def public_maintenance_of(values: Any) -> PublicMaintenance:
    """The last maintenance (day, kind, confirmed on site) and the next due, no worker's data, from a
    row mapping holding `public_maintenance_columns`."""
    last_at = values["maintenance_last_first_scan_at"]
    shown = (
        {
            "on": local_day(last_at),
            "kind": values["maintenance_last_kind"],
            "confirmed": values["maintenance_last_status"] == RecordStatus.confirmed,
        }
        if last_at is not None
        else None
    )
    open_due = values["maintenance_open_due"]
    return PublicMaintenance(shown, open_due if open_due is not None else _next_due(values))


def _next_due(values: Any) -> date | None:
    starts_on, ends_on = values["maintenance_contract_starts_on"], values["maintenance_contract_ends_on"]
    term = rules.ContractTerm(starts_on, ends_on) if starts_on is not None else None
    done = {
        kind: local_day(at)
        for kind in rules.PERIODIC
        if (at := values[f"maintenance_done_{kind.value}"]) is not None
    }
    return rules.next_maintenance_due(term, done)


# --- reminders ---------------------------------------------------------------------------------


def company_users(company_id: int, admins_only: bool = False) -> list[int]:
    roles = (Role.maintenance_admin,) if admins_only else MAINTAINERS
    return list(
        db.session.scalars(
            select(User.id).where(
                User.enterprise_id == company_id, User.role.in_(roles), User.active.is_(True)
            )
        )
    )


def _users(role: Role, column, keys: set[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if not keys:
        return found
    rows = db.session.execute(
        select(column, User.id).where(User.role == role, User.active.is_(True), column.in_(keys))
    )
    for key, user_id in rows:
        found.setdefault(key, []).append(user_id)
    return found


def overdue_messages(as_of: date) -> Iterator[Message]:
    """Overdue orders: one message per using unit naming its overdue elevators (again only when
    another order falls overdue); counted per company to its people and per zone to its inspectors
    (once a day)."""
    orders = db.session.scalars(
        select(MaintenanceOrder)
        .options(joinedload(MaintenanceOrder.device))
        .where(MaintenanceOrder.status == OrderStatus.open, MaintenanceOrder.due_on < as_of)
    ).all()
    managers = _users(Role.safety_manager, User.enterprise_id, {o.enterprise_id for o in orders})
    by_unit: dict[int, list[MaintenanceOrder]] = {}
    for order in orders:
        by_unit.setdefault(order.enterprise_id, []).append(order)
    for enterprise_id, late in by_unit.items():
        for user_id in managers.get(enterprise_id, ()):
            yield _unit_message(user_id, enterprise_id, late)
    yield from _counted(orders, as_of)


def _unit_message(user_id: int, enterprise_id: int, late: list[MaintenanceOrder]) -> Message:
    """A using unit hears of its overdue maintenance once, not once per elevator (36 at a time on the
    demo city); a newly overdue order makes a new subject, so it is told again."""
    first = min(late, key=lambda o: o.due_on)
    names = "、".join(o.device.registration_no for o in late[:3]) + (" 等" if len(late) > 3 else "")
    return Message(
        user_id,
        "maintenance.overdue",
        f"maintenance.overdue:unit:{enterprise_id}:{max(o.id for o in late)}:{len(late)}",
        f"{len(late)} 台电梯维保超期" if len(late) > 1 else f"电梯维保超期：{first.device.registration_no}",
        f"{names}：{rules.KIND_LABELS[MaintenanceKind(first.kind)]}最早应于 {first.due_on} 前完成，"
        "请督促维保单位。",
        f"/devices/{first.device_id}" if len(late) == 1 else "/maintenance/records",
        urgent=True,
    )


def _counted(orders: Sequence[MaintenanceOrder], as_of: date) -> Iterator[Message]:
    by_company: dict[int, int] = {}
    by_zone: dict[int, int] = {}
    for order in orders:
        by_company[order.company_id] = by_company.get(order.company_id, 0) + 1
        by_zone[order.zone_id] = by_zone.get(order.zone_id, 0) + 1
    for company_id, count in by_company.items():
        for user_id in company_users(company_id):
            yield Message(
                user_id,
                "maintenance.overdue",
                f"maintenance.overdue:company:{company_id}:{as_of}",
                f"{count} 张维保工单已超期",
                "请尽快安排维保人员到场。",
                "/maintenance/orders",
                urgent=True,
            )
    inspectors = _users(Role.inspector, User.zone_id, set(by_zone))
    for zone_id, count in by_zone.items():
        for user_id in inspectors.get(zone_id, ()):
            yield Message(
                user_id,
                "maintenance.overdue",
                f"maintenance.overdue:zone:{zone_id}:{as_of}",
                f"辖区 {count} 台电梯维保超期",
                "维保单位未按期维保，请督促。",
                "/maintenance/orders",
            )


def maintenance_day(as_of: date) -> dict:
    """The scheduled job: open the orders now due, then tell who must know of overdue ones."""
    renamed = name_companies_in_force(as_of)
    opened = generate_orders(as_of)
    return {"opened": opened, "renamed": renamed, "notified": notify(overdue_messages(as_of))}


# --- grading ----------------------------------------------------------------------------------


GRADING_WINDOW_DAYS = 365


def company_facts(company_id: int, as_of: date) -> rules.CompanyFacts:
    since = as_of - timedelta(days=GRADING_WINDOW_DAYS)
    elevators = db.session.scalar(
        select(func.count(func.distinct(MaintenanceContract.device_id))).where(
            MaintenanceContract.company_id == company_id,
            MaintenanceContract.starts_on <= as_of,
            MaintenanceContract.ends_on >= as_of,
        )
    )
    orders = db.session.scalars(
        select(MaintenanceOrder)
        .options(joinedload(MaintenanceOrder.record))
        .where(
            MaintenanceOrder.company_id == company_id,
            MaintenanceOrder.due_on >= since,
            MaintenanceOrder.due_on < as_of,
            MaintenanceOrder.kind != MaintenanceKind.urgent,
            MaintenanceOrder.status != OrderStatus.cancelled,
        )
    ).all()
    on_time = sum(1 for o in orders if o.record and local_day(o.record.first_scan_at) <= o.due_on)
    records = db.session.scalars(
        select(MaintenanceRecord).where(
            MaintenanceRecord.company_id == company_id, MaintenanceRecord.submitted_at >= _start_of(since)
        )
    ).all()
    urgent = db.session.scalars(
        select(MaintenanceOrder)
        .options(joinedload(MaintenanceOrder.record))
        .where(
            MaintenanceOrder.company_id == company_id,
            MaintenanceOrder.kind == MaintenanceKind.urgent,
            MaintenanceOrder.status != OrderStatus.cancelled,
            MaintenanceOrder.due_on >= since,
            MaintenanceOrder.due_on <= as_of,
        )
    ).all()
    entrapments = [o for o in urgent if o.trapped]
    late = sum(1 for o in entrapments if _late_rescue(o, as_of))
    strengths = [r.evidence_strength for r in records]
    return rules.CompanyFacts(
        elevators=elevators or 0,
        orders_due=len(orders),
        orders_on_time=on_time,
        mean_evidence_strength=sum(strengths) / len(strengths) if strengths else 0.0,
        records=len(records),
        disputed=sum(1 for r in records if r.status == RecordStatus.disputed),
        entrapments=len(entrapments),
        late_rescues=late,
        faults=len(urgent) - len(entrapments),
        complaints=_complaints_against(company_id, as_of),
    )


def _complaints_against(company_id: int, as_of: date) -> int:
    """Complaints about the elevators the company maintained, on the days it maintained them."""
    since = as_of - timedelta(days=GRADING_WINDOW_DAYS)
    terms: dict[int, list[rules.ContractTerm]] = {}
    contracts = select(
        MaintenanceContract.device_id, MaintenanceContract.starts_on, MaintenanceContract.ends_on
    ).where(
        MaintenanceContract.company_id == company_id,
        MaintenanceContract.starts_on <= as_of,
        MaintenanceContract.ends_on >= since,
    )
    for device_id, starts_on, ends_on in db.session.execute(contracts):
        terms.setdefault(device_id, []).append(rules.ContractTerm(starts_on, ends_on))
    if not terms:
        return 0
    complaints = db.session.execute(
        select(Complaint.device_id, Complaint.day, Complaint.category, Complaint.status).where(
            Complaint.device_id.in_(
                select(MaintenanceContract.device_id).where(MaintenanceContract.company_id == company_id)
            ),
            Complaint.day >= since,
            Complaint.day <= as_of,
        )
    )
    facts = (
        rules.ComplaintFact(device_id, day, category, status)
        for device_id, day, category, status in complaints
        if device_id is not None
    )
    return rules.complaints_against(facts, terms, as_of, GRADING_WINDOW_DAYS)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA_TZ)


def _late_rescue(order: MaintenanceOrder, as_of: date) -> bool:
    limit = order.rescue_limit_minutes or rules.DEFAULT_RESCUE_LIMIT_MINUTES
    if order.record is None or order.reported_at is None:
        return order.due_on < as_of
    if order.record.status == RecordStatus.disputed:
        # the arrival time is the company's phone's word: disputed by the using unit, it stands for nothing
        return True
    return rules.rescue(order.reported_at, order.record.first_scan_at, order.record.released_at, limit).late


def company_ranking(actor: Actor, as_of: date) -> list[dict]:
    """电梯维保单位质量评价, best first (regulators only; an inspector sees the companies of their zone)."""
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以查看维保单位排名 (regulators only)")
    query = select(Enterprise).where(Enterprise.roles.contains("maintainer"))
    if actor.role == Role.inspector:
        query = query.where(Enterprise.zone_id == actor.zone_id)
    companies = {c.id: c for c in db.session.scalars(query)}
    graded = rules.ranked((cid, rules.grade_company(company_facts(cid, as_of))) for cid in companies)
    return [
        {"rank": n, "company_id": cid, "company": companies[cid].name} | vars(grade)
        for n, (cid, grade) in enumerate(graded, start=1)
    ]
