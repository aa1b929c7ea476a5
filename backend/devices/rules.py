"""Pure device rules: periodic-inspection validity (定期检验) and long idleness."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum


class DeviceCategory(StrEnum):
    boiler = "boiler"
    pressure_vessel = "pressure_vessel"
    gas_cylinder = "gas_cylinder"
    pressure_piping = "pressure_piping"
    elevator = "elevator"
    crane = "crane"
    ropeway = "ropeway"
    amusement_ride = "amusement_ride"
    field_vehicle = "field_vehicle"


#: categories whose operators need the state's certificate (特种设备作业人员证): 司炉, 起重机司机,
#: 叉车司机, 索道 and 游乐设施 operators; elevators, vessels and piping in ordinary use need none
OPERATOR_CATEGORIES = (
    DeviceCategory.boiler,
    DeviceCategory.crane,
    DeviceCategory.field_vehicle,
    DeviceCategory.ropeway,
    DeviceCategory.amusement_ride,
)

CATEGORY_LABELS: dict[str, str] = {
    DeviceCategory.boiler: "锅炉",
    DeviceCategory.pressure_vessel: "压力容器",
    DeviceCategory.gas_cylinder: "气瓶",
    DeviceCategory.pressure_piping: "压力管道",
    DeviceCategory.elevator: "电梯",
    DeviceCategory.crane: "起重机械",
    DeviceCategory.ropeway: "客运索道",
    DeviceCategory.amusement_ride: "大型游乐设施",
    DeviceCategory.field_vehicle: "场（厂）内专用机动车辆",
}


class DeviceStatus(StrEnum):
    in_use = "in_use"
    idle = "idle"
    scrapped = "scrapped"


class InspectionState(StrEnum):
    valid = "valid"
    due_soon = "due_soon"
    overdue = "overdue"
    unknown = "unknown"
    not_required = "not_required"
    #: stopped (停用) past its due date: not overdue while stopped, inspected before it is used again
    inspect_before_reuse = "inspect_before_reuse"


DUE_SOON_DAYS = 30
#: a device stopped this long is a clean-up candidate (Shanghai 2024: 长期停用)
LONG_IDLE_DAYS = 365


def inspection_state(
    next_due: date | None, status: str, as_of: date, due_soon_days: int = DUE_SOON_DAYS
) -> InspectionState:
    """Validity of the periodic inspection; a scrapped device needs none, a stopped one none
    while it stays stopped."""
    if status == DeviceStatus.scrapped:
        return InspectionState.not_required
    if next_due is None:
        return InspectionState.unknown
    if next_due < as_of and status != DeviceStatus.in_use:
        return InspectionState.inspect_before_reuse
    if next_due < as_of:
        return InspectionState.overdue
    if next_due <= as_of + timedelta(days=due_soon_days):
        return InspectionState.due_soon
    return InspectionState.valid


def is_overdue(next_due: date | None, status: str, as_of: date) -> bool:
    """超期未检, the one definition every screen and report counts: in use and past its
    periodic-inspection date (the due day itself is still valid; `as_of` is the China-time day).

    A stopped (停用) device is not counted: it needs no periodic inspection while stopped and
    is inspected before it is used again (TSG 08 停用/启用); seed 004 tracks long-stopped
    devices on their own (长期停用). The SQL form is devices.services.overdue_clause.
    """
    return inspection_state(next_due, status, as_of) == InspectionState.overdue


def is_long_idle(status: str, idle_since: date | None, as_of: date) -> bool:
    return (
        status == DeviceStatus.idle and idle_since is not None and (as_of - idle_since).days >= LONG_IDLE_DAYS
    )


#: inspection dates come from inspection records; only regulators correct them directly (API.md)
INSPECTION_DATE_FIELDS = frozenset({"last_inspection_on", "next_inspection_due"})
#: what the device is graded and supervised on: changed by regulators, never by the graded enterprise
REGULATED_FIELDS = INSPECTION_DATE_FIELDS | {"status", "idle_since", "key_monitored"}
REGULATED_LABELS = {
    "last_inspection_on": "上次检验日期",
    "next_inspection_due": "下次检验日期",
    "status": "设备状态",
    "idle_since": "停用日期",
    "key_monitored": "重点监控",
}


def regulated_changes(changed_fields: Iterable[str], is_regulator: bool) -> list[str]:
    """The changed fields this actor may not change (empty: allowed)."""
    return [] if is_regulator else sorted(set(changed_fields) & REGULATED_FIELDS)
