"""Pure device rules: periodic-inspection validity (定期检验) and long idleness."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
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
    #: 查封 and 责令停止使用 (seed 002 第十一条第三项): ordered by a regulator with a notice, lifted
    #: only by a regulator (measures.services); never set by an edit, an import or a sync op
    sealed = "sealed"
    stopped = "stopped"


#: the statuses a regulator's order sets (ENFORCEMENT_LABELS names them)
ENFORCEMENT_STATUSES = frozenset({DeviceStatus.sealed, DeviceStatus.stopped})


class InspectionState(StrEnum):
    valid = "valid"
    due_soon = "due_soon"
    overdue = "overdue"
    unknown = "unknown"
    not_required = "not_required"
    #: stopped (停用) past its due date: not overdue while stopped, inspected before it is used again
    inspect_before_reuse = "inspect_before_reuse"


INSPECTION_STATE_LABELS: dict[str, str] = {
    InspectionState.valid: "有效",
    InspectionState.due_soon: "即将到期",
    InspectionState.overdue: "超期未检",
    InspectionState.unknown: "未知",
    InspectionState.not_required: "无需检验",
    InspectionState.inspect_before_reuse: "启用前须检验",
}

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


def is_overdue(next_due: date | None, status: str, as_of: date, accessory_due: date | None = None) -> bool:
    """超期未检, the one definition every screen and report counts: in use and past its
    periodic-inspection date, or one of its safety accessories (安全附件) past its calibration
    date (seed 001: devices and their accessories inspected on time); the due day itself is still
    valid; `as_of` is the China-time day.

    A stopped (停用) device is not counted: it needs no periodic inspection while stopped and
    is inspected before it is used again (TSG 08 停用/启用); seed 004 tracks long-stopped
    devices on their own (长期停用). The SQL form is devices.services.overdue_clause.
    """
    if inspection_state(next_due, status, as_of) == InspectionState.overdue:
        return True
    return status == DeviceStatus.in_use and accessory_due is not None and accessory_due < as_of


#: seed 004 (item 12) asks for the safety assessment of 老旧住宅电梯 but gives no age; 15 years in
#: service is the age Chinese elevator practice (and the 老旧电梯安全评估 programmes behind seed 004)
#: calls an elevator old, so the list's "old elevators" filter uses it. One constant to change.
OLD_ELEVATOR_YEARS = 15


def age_in_years(installed_on: date | None, as_of: date) -> int | None:
    """Whole years since installation (None when the date is unknown)."""
    if installed_on is None:
        return None
    years = as_of.year - installed_on.year
    return years - ((as_of.month, as_of.day) < (installed_on.month, installed_on.day))


def old_elevator_cutoff(as_of: date) -> date:
    """Installed on or before this day: at least OLD_ELEVATOR_YEARS old on `as_of`."""
    try:
        return as_of.replace(year=as_of.year - OLD_ELEVATOR_YEARS)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - OLD_ELEVATOR_YEARS, day=28)


def is_old_elevator(category: str, installed_on: date | None, as_of: date) -> bool:
    return (
        category == DeviceCategory.elevator
        and installed_on is not None
        and installed_on <= old_elevator_cutoff(as_of)
    )


def is_long_idle(status: str, idle_since: date | None, as_of: date) -> bool:
    return (
        status == DeviceStatus.idle and idle_since is not None and (as_of - idle_since).days >= LONG_IDLE_DAYS
    )


#: inspection dates come from inspection records; only regulators correct them directly (API.md)
INSPECTION_DATE_FIELDS = frozenset({"last_inspection_on", "next_inspection_due", "accessory_next_due"})
#: what the device is graded and supervised on: changed by regulators, never by the graded enterprise
REGULATED_FIELDS = INSPECTION_DATE_FIELDS | {"status", "idle_since", "key_monitored", "latitude", "longitude"}
REGULATED_LABELS = {
    "last_inspection_on": "上次检验日期",
    "next_inspection_due": "下次检验日期",
    "accessory_next_due": "安全附件下次校验日期",
    "status": "设备状态",
    "idle_since": "停用日期",
    "key_monitored": "重点监控",
    "latitude": "登记位置",
    "longitude": "登记位置",
}

#: label positions a device may carry besides its default label (an elevator: machine room, car top, car)
LABEL_POSITIONS: dict[str, str] = {
    "machine_room": "机房",
    "car_top": "轿顶",
    "car": "轿厢",
    "pit": "底坑",
    "landing": "层站",
}


def regulated_changes(changed_fields: Iterable[str], is_regulator: bool) -> list[str]:
    """The changed fields this actor may not change (empty: allowed)."""
    return [] if is_regulator else sorted(set(changed_fields) & REGULATED_FIELDS)


# --- ledgers in: the values people type --------------------------------------------------------

STATUS_LABELS: dict[str, str] = {
    DeviceStatus.in_use: "在用",
    DeviceStatus.idle: "停用",
    DeviceStatus.scrapped: "报废",
}
#: set by an order only, so not among the values a ledger import accepts
ENFORCEMENT_LABELS: dict[str, str] = {
    DeviceStatus.sealed: "已查封",
    DeviceStatus.stopped: "责令停止使用",
}
ALL_STATUS_LABELS: dict[str, str] = STATUS_LABELS | ENFORCEMENT_LABELS


def enforcement_change(before: str, after: str) -> bool:
    """Does this status change set or lift an order (查封 / 责令停止使用)?"""
    return before != after and (before in ENFORCEMENT_STATUSES or after in ENFORCEMENT_STATUSES)


#: other words people write for a status
_STATUS_WORDS = {"使用": DeviceStatus.in_use, "正常": DeviceStatus.in_use, "闲置": DeviceStatus.idle}
YES_WORDS = frozenset({"是", "yes", "y", "true", "1", "√", "✓", "重点"})
NO_WORDS = frozenset({"否", "no", "n", "false", "0", "", "×"})
LEDGER_DATE_FIELDS = frozenset({"next_inspection_due", "last_inspection_on", "idle_since"})
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class LedgerValueError(ValueError):
    """A typed value the ledger cannot read; the message is what the row report shows."""


def parse_category(text: str) -> str:
    """'电梯' or 'elevator' → 'elevator'."""
    value = text.strip()
    if value in DeviceCategory.__members__:
        return value
    for code, label in CATEGORY_LABELS.items():
        if value in (label, label.replace("（", "(").replace("）", ")")):
            return code
    raise LedgerValueError(f"设备类别无效，可填：{'、'.join(CATEGORY_LABELS.values())}")


def parse_status(text: str) -> str:
    value = text.strip()
    if value in STATUS_LABELS:  # not an order's status: an import never seals a device
        return value
    for code, label in STATUS_LABELS.items():
        if value == label:
            return code
    if value in _STATUS_WORDS:
        return _STATUS_WORDS[value]
    raise LedgerValueError(f"状态无效，可填：{'、'.join(STATUS_LABELS.values())}")


def parse_yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in YES_WORDS:
        return True
    if value in NO_WORDS:
        return False
    raise LedgerValueError("请填“是”或“否”")


def parse_ledger_date(text: str) -> date:
    """'2027-03-01', '2027/03/01', '2027.3.1' or '2027年3月1日' (a spreadsheet date cell arrives as ISO)."""
    match = _DATE.match(text.strip())
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise LedgerValueError("日期无效，请按 2027-03-01、2027/03/01 或 2027年3月1日 填写")


_PARSERS: dict[str, Callable[[str], object]] = {
    "category": parse_category,
    "status": parse_status,
    "key_monitored": parse_yes_no,
    **dict.fromkeys(LEDGER_DATE_FIELDS, parse_ledger_date),
}


def parse_ledger_row(row: Mapping[str, str]) -> tuple[dict[str, object], dict[str, list[str]]]:
    """One spreadsheet row as the schema reads it: Chinese values turned into codes, plus the
    fields that could not be read (field → Chinese messages)."""
    values: dict[str, object] = {}
    problems: dict[str, list[str]] = {}
    for field, raw in row.items():
        parser = _PARSERS.get(field)
        if parser is None or not isinstance(raw, str):
            values[field] = raw
            continue
        try:
            parsed = parser(raw)
        except LedgerValueError as exc:
            problems[field] = [str(exc)]
            continue
        values[field] = parsed.isoformat() if isinstance(parsed, date) else parsed
    return values, problems


# --- search in Chinese ---------------------------------------------------------------------------

#: words people search with for a whole category, beside its label (subtypes like 客梯 are not
#: here: they are device names, and 客梯 must not find every 货梯)
_CATEGORY_ALIASES: dict[str, tuple[str, ...]] = {
    DeviceCategory.elevator: ("电梯", "升降机"),
    DeviceCategory.crane: ("起重机", "起重设备", "行车"),
    DeviceCategory.field_vehicle: ("场车", "厂车", "厂内车辆", "场内车辆", "专用机动车辆"),
    DeviceCategory.amusement_ride: ("游乐设施", "游乐设备"),
    DeviceCategory.ropeway: ("索道",),
    DeviceCategory.pressure_piping: ("管道",),
    DeviceCategory.pressure_vessel: ("容器",),
}


def categories_matching(query: str) -> set[str]:
    """The categories a search word names: its code, its label, a part of the label (two
    characters or more, '压力' → vessels and piping) or a common alias ('场车')."""
    word = query.strip().lower()
    if not word:
        return set()
    if word in DeviceCategory.__members__:
        return {word}
    found = set()
    for code, label in CATEGORY_LABELS.items():
        names = (label, *_CATEGORY_ALIASES.get(code, ()))
        if any(word == name or (len(word) >= 2 and word in name) for name in names):
            found.add(str(code))
    return found
