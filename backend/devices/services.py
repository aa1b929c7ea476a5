"""The device ledger: scoped search, create, update, QR token re-issue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Label, Row, Select, case, exists, false, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from backend.core.auth import REGULATORS
from backend.core.changes import record_change
from backend.core.clock import today, utcnow
from backend.core.db import prepared
from backend.core.errors import Forbidden, NotFound, ValidationFailed
from backend.core.exports import export_items, yes_no
from backend.core.history import Actor as HistoryActor
from backend.core.history import HistoryEntry, assign_with_history, history_of, plain, record_history
from backend.core.search import (
    Arm,
    covers,
    found_once,
    has_terms,
    holds_words,
    own_terms_arm,
    related_terms_arm,
    starts_with,
)
from backend.core.unique import flush_unique
from backend.devices.models import Device, DeviceLabel, DeviceSearchTerm, QrTokenEvent, new_qr_token
from backend.devices.rules import (
    ALL_STATUS_LABELS,
    CATEGORY_LABELS,
    INSPECTION_STATE_LABELS,
    LONG_IDLE_DAYS,
    REGULATED_LABELS,
    DeviceCategory,
    DeviceStatus,
    categories_matching,
    enforcement_change,
    inspection_state,
    old_elevator_cutoff,
    regulated_changes,
)
from backend.extensions import db
from backend.org.models import Enterprise, EnterpriseSearchTerm, Zone
from backend.org.scope import Actor, enterprise_scope
from backend.org.services import enterprise_holds_words, get_managed_enterprise, safety_managers


class Editor(Actor, HistoryActor, Protocol):
    """Who changes a device: scoped like any actor, named in the device's history."""


def overdue_clause(
    as_of: Any, due: Any = Device.next_inspection_due, accessory_due: Any = Device.accessory_next_due
) -> ColumnElement[bool]:
    """rules.is_overdue (超期未检: the device or one of its safety accessories) in SQL; `due` and
    `accessory_due` may wrap the columns (credit grading does)."""
    accessory_overdue = Device.accessory_next_due.is_not(None) & (accessory_due < as_of)
    return (Device.status == DeviceStatus.in_use) & ((due < as_of) | accessory_overdue)


def _placement_clause(filters: dict):
    column = "block_id" if filters.get("block_id") else "zone_id"
    ids = select(Enterprise.id).where(getattr(Enterprise, column) == filters[column])
    return Device.enterprise_id.in_(ids)


def device_search_clause(q: str, *, as_written: bool = False) -> ColumnElement[bool]:
    """Whether a device row matches `q`, for lists that reach devices through a join (hazards,
    complaints): each arm an index probe for that one device. `as_written`: its words as written,
    not only their character pairs (core.search.holds_words), for the ids a capped search found."""
    q = q.strip()
    clauses = [starts_with(Device.registration_no, q), starts_with(Device.device_code, q)]
    categories = categories_matching(q)
    if categories:
        clauses.append(Device.category.in_(sorted(categories)))
    if has_terms(q) and as_written:
        clauses.append(holds_words((Device.name, Device.location), q))
        clauses.append(enterprise_holds_words(Device.enterprise_id, q))
    elif has_terms(q):
        clauses.append(covers(DeviceSearchTerm, "device_id", Device.id, q))
        clauses.append(covers(EnterpriseSearchTerm, "enterprise_id", Device.enterprise_id, q))
    return or_(*clauses)


def names_matching_device(device_id: Any, q: str, *, as_written: bool = False) -> ColumnElement[bool]:
    """The row names a device (`device_id`, a column of the caller's query) that matches `q`
    (device_search_clause), probed by key from the row: a join could drive from 870k elevators."""
    matches = device_search_clause(q, as_written=as_written)
    return device_id.is_not(None) & exists().where(Device.id == device_id, matches)


def _search_arms(q: str, clauses: list) -> list[Arm]:
    """`q` as people type it, one id query per way a device matches, each ordered by the index it
    walks (so a way that matches nothing costs one index probe, not a walk of the caller's zone):
    a registration number or device code prefix, words of the name or location, a category in
    Chinese ('电梯', '压力') or words of the enterprise's name or address."""
    base = select(Device.id).where(*clauses)
    arms: list[Arm] = [
        (base.where(starts_with(Device.registration_no, q)), (Device.registration_no,)),
        (base.where(starts_with(Device.device_code, q)), (Device.device_code,)),
    ]
    categories = categories_matching(q)
    if categories:
        arms.append(base.where(Device.category.in_(sorted(categories))))
    if has_terms(q):
        arms.append(own_terms_arm(base, DeviceSearchTerm, "device_id", Device.id, q))
        arms.append(
            related_terms_arm(
                base, EnterpriseSearchTerm, "enterprise_id", Device.enterprise_id, q, (Device.id,)
            )
        )
    return arms


def _ledger_clauses(actor: Actor, filters: dict) -> list:
    as_of = today()
    clauses: list = [enterprise_scope(actor, Device.enterprise_id, Device.zone_id)]
    for key in ("category", "status", "enterprise_id", "key_monitored"):
        if filters.get(key) is not None:
            clauses.append(getattr(Device, key) == filters[key])
    if filters.get("block_id") or filters.get("zone_id"):
        clauses.append(_placement_clause(filters))
    if filters.get("overdue") is not None:
        clause = overdue_clause(as_of)
        clauses.append(clause if filters["overdue"] else ~clause)
    if filters.get("old_elevator"):
        cutoff = old_elevator_cutoff(as_of)
        clauses += [Device.category == DeviceCategory.elevator, Device.installed_on <= cutoff]
    if filters.get("long_idle"):
        cutoff = as_of - timedelta(days=LONG_IDLE_DAYS)
        clauses += [Device.status == DeviceStatus.idle, Device.idle_since <= cutoff]
    return clauses


def visible_devices(actor: Actor, filters: dict | None = None, search_limit: int | None = None) -> Select:
    """Devices of the actor's enterprises, filtered as the ledger screens ask; `search_limit`
    bounds how many matches of `q` are read (core.search.found_once)."""
    filters = filters or {}
    clauses = _ledger_clauses(actor, filters)
    if filters.get("q"):
        # every arm of the search holds `clauses` (the caller's scope among them); said again
        # out here, PostgreSQL joins the found ids to the inspector's whole zone (250k index
        # entries) instead of fetching them by key
        q = filters["q"].strip()
        written = device_search_clause(q, as_written=True)
        query = select(Device).where(
            found_once(Device.id, _search_arms(q, clauses), (Device.id,), written, search_limit)
        )
    else:
        query = select(Device).where(*clauses)
    return query.options(
        joinedload(Device.enterprise),
        joinedload(Device.maintenance_company),
        selectinload(Device.position_labels),
    ).order_by(Device.id)


def get_device_for(actor: Actor, device_id: int) -> Device:
    device = db.session.scalar(visible_devices(actor).where(Device.id == device_id))
    if device is None:
        raise NotFound("设备不存在或不在您的管辖范围 (device not found)")
    return device


@dataclass(frozen=True)
class ScannedLabel:
    """What a label token names: the device, and the position of the label on it (None: the default label)."""

    device: Device
    position: str | None
    token: str
    #: the viewer asked about may open the device's record (`get_device_for` would find it)
    in_scope: bool = False
    #: the further columns asked for, by label
    values: Mapping[str, Any] = field(default_factory=dict)


def resolve_label(
    token: str, viewer: Actor | None = None, columns: Sequence[Label] = ()
) -> ScannedLabel | None:
    """The one lookup of a label token (default or position label); None when unknown or revoked.
    With a `viewer`, whether the device is in their scope comes in the same query, and the
    record's position labels with it; `columns` (correlated with Device) come in it too."""
    in_scope = enterprise_scope(viewer, Device.enterprise_id, Device.zone_id) if viewer else false()
    loads = [joinedload(Device.enterprise), joinedload(Device.maintenance_company)]
    if viewer is not None:
        loads.append(joinedload(Device.position_labels))
    row = (
        db.session.execute(
            prepared(
                select(Device, in_scope.label("in_scope"), *columns)
                .options(*loads)
                .where(Device.qr_token == token)
            )
        )
        .unique()
        .first()
    )
    if row is not None:
        return _scanned(row, row.Device, None, token, columns)
    labelled = (
        db.session.execute(
            prepared(
                select(DeviceLabel, in_scope.label("in_scope"), *columns)
                .join(Device, Device.id == DeviceLabel.device_id)
                .options(contains_eager(DeviceLabel.device).options(*loads))
                .where(DeviceLabel.token == token)
            )
        )
        .unique()
        .first()
    )
    if labelled is None:
        return None
    label = labelled.DeviceLabel
    return _scanned(labelled, label.device, label.position, token, columns)


def _scanned(
    row: Row, device: Device, position: str | None, token: str, columns: Sequence[Label]
) -> ScannedLabel:
    values = {c.name: row._mapping[c.name] for c in columns}
    return ScannedLabel(device, position, token, bool(row.in_scope), values)


def device_by_token(token: str) -> Device | None:
    """The device a label token (of any position) names."""
    found = resolve_label(token)
    return found.device if found is not None else None


def _check_maintainer(data: dict) -> None:
    company_id = data.get("maintenance_company_id")
    if company_id is not None and db.session.get(Enterprise, company_id) is None:
        raise ValidationFailed(
            details={"fields": {"maintenance_company_id": ["维保单位不存在 (unknown company)"]}}
        )


def create_device(actor: Actor, data: dict) -> Device:
    enterprise = get_managed_enterprise(actor, data.pop("enterprise_id") or actor.enterprise_id or 0)
    _check_maintainer(data)
    device = Device(enterprise_id=enterprise.id, zone_id=enterprise.zone_id, **data)
    db.session.add(device)
    flush_unique("使用登记证编号已存在 (registration number exists)")
    record_change("device", device.id, enterprise.id)
    return device


def update_device(actor: Editor, device_id: int, data: dict) -> Device:
    """Change a device; regulated fields only by regulators, every change kept in its history."""
    device = get_device_for(actor, device_id)
    get_managed_enterprise(actor, device.enterprise_id)
    values = {k: v for k, v in data.items() if k not in ("enterprise_id", "reason", "notice_id")}
    _check_maintainer(values)
    _check_regulated(actor, device, values)
    if enforcement_change(device.status, values.get("status", device.status)):
        # measures.services.order_device / lift_order are the only way in or out of an order
        raise ValidationFailed(
            "查封、责令停止使用须依据执法文书设定，由监管部门说明理由解除 (an order needs its notice)",
            details={"fields": {"notice_id": ["须注明下达该措施的文书 (notice required)"]}},
        )
    status = values.get("status", device.status)
    if status == DeviceStatus.idle and values.get("idle_since", device.idle_since) is None:
        values["idle_since"] = today()
    with db.session.no_autoflush:  # a duplicate registration number surfaces in flush_unique as 409
        assign_with_history(device, "device", values, actor, data.get("reason") or "")
    flush_unique("使用登记证编号已存在 (registration number exists)")
    record_change("device", device.id, device.enterprise_id)
    return device


def set_order_status(actor: Editor, device: Device, status: str, notice_no: str | None, reason: str) -> None:
    """Set or lift 查封 / 责令停止使用: the caller (measures) has checked the actor and the notice.

    The history keeps the status and the ordering notice's number as two fields of one change."""
    values: dict[str, Any] = {"status": status}
    if status == DeviceStatus.idle and device.idle_since is None:
        values["idle_since"] = today()
    changed = assign_with_history(device, "device", values, actor, reason)
    record_history(
        "device", device.id, actor, {"order_notice": (None, notice_no)} if notice_no else {}, reason
    )
    if changed:
        record_change("device", device.id, device.enterprise_id)


def _check_regulated(actor: Actor, device: Device, values: dict) -> None:
    changed = [k for k, v in values.items() if plain(getattr(device, k)) != plain(v)]
    refused = regulated_changes(changed, actor.role in REGULATORS)
    if refused:
        names = "、".join(REGULATED_LABELS[f] for f in refused)
        raise Forbidden(
            f"{names}须由监管部门变更；检验日期以检验记录为准 (regulated fields: {', '.join(refused)})",
            details={"fields": refused},
        )


def device_history(actor: Actor, device_id: int) -> list[HistoryEntry]:
    """Every recorded change of a device in scope, newest first."""
    device = get_device_for(actor, device_id)
    return history_of("device", device.id)


def reissue_qr_token(actor: Editor, device_id: int, reason: str) -> Device:
    """Revoke the label's token and issue a new one (the old label stops resolving)."""
    device = get_device_for(actor, device_id)
    get_managed_enterprise(actor, device.enterprise_id)
    db.session.add(
        QrTokenEvent(
            device_id=device.id, old_token_hint=device.qr_token[:4], actor_id=actor.id, reason=reason
        )
    )
    old_hint = device.qr_token[:4]
    device.qr_token = new_qr_token()
    device.qr_issued_at = utcnow()
    # hints only: the history is read by more people than may print a label
    record_history("device", device.id, actor, {"qr_token": (old_hint, device.qr_token[:4])}, reason)
    db.session.flush()
    record_change("device", device.id, device.enterprise_id)
    return device


def issue_position_label(actor: Editor, device_id: int, position: str) -> DeviceLabel:
    """Issue the label for one position of the device; an existing one there is revoked and replaced."""
    device = get_device_for(actor, device_id)
    get_managed_enterprise(actor, device.enterprise_id)
    label = next((lb for lb in device.position_labels if lb.position == position), None)
    old_hint = label.token[:4] if label is not None else ""
    if label is None:
        label = DeviceLabel(position=position)
        device.position_labels.append(label)
    else:
        label.token = new_qr_token()
        label.issued_at = utcnow()
    db.session.flush()
    record_history("device", device.id, actor, {f"label:{position}": (old_hint, label.token[:4])}, "")
    record_change("device", device.id, device.enterprise_id)
    return label


def revoke_position_label(actor: Editor, device_id: int, position: str) -> None:
    """Take one position's label out of use (its token stops resolving)."""
    device = get_device_for(actor, device_id)
    get_managed_enterprise(actor, device.enterprise_id)
    label = next((lb for lb in device.position_labels if lb.position == position), None)
    if label is None:
        raise NotFound("该位置没有标签 (no label at this position)")
    device.position_labels.remove(label)
    db.session.flush()
    record_history("device", device.id, actor, {f"label:{position}": (label.token[:4], "")}, "")
    record_change("device", device.id, device.enterprise_id)


def attention_summary(actor: Actor, limit: int = 50) -> dict:
    """超期未检 and long-idle devices counted per zone and per enterprise, worst first."""
    as_of = today()
    overdue = func.sum(case((overdue_clause(as_of), 1), else_=0))
    idle_cutoff = as_of - timedelta(days=LONG_IDLE_DAYS)
    long_idle = func.sum(
        case(((Device.status == DeviceStatus.idle) & (Device.idle_since <= idle_cutoff), 1), else_=0)
    )
    scoped = enterprise_scope(actor, Device.enterprise_id, Device.zone_id)
    zones = db.session.execute(
        select(Zone.id, Zone.name, overdue, long_idle)
        .join(Zone, Zone.id == Device.zone_id)
        .where(scoped)
        .group_by(Zone.id, Zone.name)
        .order_by(Zone.id)
    ).all()
    enterprises = db.session.execute(
        select(Enterprise.id, Enterprise.name, overdue.label("overdue"), long_idle.label("long_idle"))
        .join(Enterprise, Enterprise.id == Device.enterprise_id)
        .where(scoped)
        .group_by(Enterprise.id, Enterprise.name)
        .having((overdue > 0) | (long_idle > 0))
        .order_by(overdue.desc(), long_idle.desc(), Enterprise.id)
        .limit(limit)
    ).all()
    return {
        "as_of": as_of,
        "zones": [
            {"zone_id": z, "zone_name": n, "overdue": o or 0, "long_idle": i or 0} for z, n, o, i in zones
        ],
        "enterprises": [
            {"enterprise_id": e, "enterprise_name": n, "overdue": o or 0, "long_idle": i or 0}
            for e, n, o, i in enterprises
        ],
    }


def two_lists(actor: Actor, min_devices: int) -> list[dict]:
    """两项清单: enterprises with ≥ N devices in use, with their certified safety managers."""
    counts = (
        select(Device.enterprise_id, func.count().label("n"))
        .where(Device.status != DeviceStatus.scrapped)
        .group_by(Device.enterprise_id)
        .having(func.count() >= min_devices)
        .subquery()
    )
    query = (
        select(Enterprise, counts.c.n)
        .join(counts, counts.c.enterprise_id == Enterprise.id)
        .where(enterprise_scope(actor, Enterprise.id))
        .order_by(counts.c.n.desc(), Enterprise.id)
    )
    rows = db.session.execute(query).all()
    managers = safety_managers([e.id for e, _ in rows], today())
    return [{"enterprise": e, "device_count": n, "safety_managers": managers.get(e.id, [])} for e, n in rows]


DEVICE_LEDGER_HEADINGS = (
    "使用登记证编号",
    "设备类别",
    "设备名称",
    "设备代码",
    "使用单位",
    "安装位置",
    "状态",
    "上次检验日期",
    "下次检验日期",
    "检验状态",
    "重点监控",
    "维保单位",
    "应急电话",
)


def device_ledger_rows(actor: Actor, filters: dict) -> list[list]:
    """The device list with the list's filters, one spreadsheet row per device."""
    as_of = today()
    return [
        [
            d.registration_no,
            CATEGORY_LABELS.get(d.category, d.category),
            d.name,
            d.device_code,
            d.enterprise.name,
            d.location,
            ALL_STATUS_LABELS.get(d.status, d.status),
            d.last_inspection_on,
            d.next_inspection_due,
            INSPECTION_STATE_LABELS[inspection_state(d.next_inspection_due, d.status, as_of)],
            yes_no(d.key_monitored),
            d.maintenance_company.name if d.maintenance_company else "",
            d.emergency_phone,
        ]
        for d in export_items(visible_devices(actor, filters))
    ]
