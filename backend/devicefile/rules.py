"""Pure rules of the device's technical file: periodic-inspection records (定期检验记录)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class RecordStatus(StrEnum):
    #: entered by the enterprise: waits for a regulator (待核验), moves no date
    pending = "pending"
    #: entered or confirmed by a regulator: the device's dates follow it
    confirmed = "confirmed"


class Conclusion(StrEnum):
    qualified = "qualified"
    basically_qualified = "basically_qualified"
    unqualified = "unqualified"


CONCLUSION_LABELS: dict[str, str] = {
    Conclusion.qualified: "合格",
    Conclusion.basically_qualified: "基本合格",
    Conclusion.unqualified: "不合格",
}


@dataclass(frozen=True)
class RecordFacts:
    id: int
    status: str
    inspected_on: date
    next_due: date


def status_when_entered(by_regulator: bool) -> RecordStatus:
    """A regulator's record holds at once; the graded enterprise's waits for confirmation."""
    return RecordStatus.confirmed if by_regulator else RecordStatus.pending


def governing_record(records: Iterable[RecordFacts]) -> RecordFacts | None:
    """The record the device's dates come from: the latest confirmed inspection (a later entry
    of an older report does not move the dates back)."""
    confirmed = [r for r in records if r.status == RecordStatus.confirmed]
    return max(confirmed, key=lambda r: (r.inspected_on, r.id), default=None)


def record_problems(inspected_on: date, next_due: date, as_of: date) -> dict[str, list[str]]:
    """Field → Chinese messages for dates no report can carry."""
    problems: dict[str, list[str]] = {}
    if inspected_on > as_of:
        problems["inspected_on"] = ["检验日期不能晚于今天"]
    if next_due <= inspected_on:
        problems["next_due"] = ["下次检验日期须晚于检验日期"]
    return problems


# --- safety accessories (安全附件) -----------------------------------------------------------------


class AccessoryKind(StrEnum):
    safety_valve = "safety_valve"
    pressure_gauge = "pressure_gauge"
    bursting_disc = "bursting_disc"
    overspeed_governor = "overspeed_governor"
    level_gauge = "level_gauge"
    thermometer = "thermometer"
    emergency_shutoff = "emergency_shutoff"
    other = "other"


ACCESSORY_LABELS: dict[str, str] = {
    AccessoryKind.safety_valve: "安全阀",
    AccessoryKind.pressure_gauge: "压力表",
    AccessoryKind.bursting_disc: "爆破片",
    AccessoryKind.overspeed_governor: "限速器",
    AccessoryKind.level_gauge: "液（水）位计",
    AccessoryKind.thermometer: "温度计",
    AccessoryKind.emergency_shutoff: "紧急切断阀",
    AccessoryKind.other: "其他",
}


def earliest_due(dues: Iterable[date | None]) -> date | None:
    """The device's accessory date: the earliest next due among its accessories (one late
    accessory makes the device late; accessories without a confirmed record count for nothing)."""
    return min((d for d in dues if d is not None), default=None)


def accessory_record_problems(checked_on: date, next_due: date, as_of: date) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if checked_on > as_of:
        problems["checked_on"] = ["校验日期不能晚于今天"]
    if next_due <= checked_on:
        problems["next_due"] = ["下次校验日期须晚于校验日期"]
    return problems


# --- attachments (合格证、铭牌、检验报告 …) -----------------------------------------------------


class AttachmentKind(StrEnum):
    certificate = "certificate"
    nameplate = "nameplate"
    inspection_report = "inspection_report"
    registration = "registration"
    maintenance = "maintenance"
    other = "other"


ATTACHMENT_LABELS: dict[str, str] = {
    AttachmentKind.certificate: "产品合格证",
    AttachmentKind.nameplate: "铭牌",
    AttachmentKind.inspection_report: "检验报告",
    AttachmentKind.registration: "使用登记证",
    AttachmentKind.maintenance: "维保记录",
    AttachmentKind.other: "其他",
}

#: what the first bytes must be; the client's Content-Type and file name are never trusted
_MAGIC: tuple[tuple[str, bytes, int], ...] = (
    ("application/pdf", b"%PDF-", 0),
    ("image/jpeg", b"\xff\xd8\xff", 0),
    ("image/png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/webp", b"WEBP", 8),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def sniff_media_type(data: bytes) -> str | None:
    """The document's type from its magic bytes (PDF, JPEG, PNG, WebP), None for anything else."""
    for media_type, magic, offset in _MAGIC:
        if data[offset : offset + len(magic)] == magic and (offset == 0 or data[:4] == b"RIFF"):
            return media_type
    return None


# --- installation, alteration, repair, patrol ----------------------------------------------------


class WorkKind(StrEnum):
    installation = "installation"
    alteration = "alteration"
    repair = "repair"
    patrol = "patrol"


WORK_LABELS: dict[str, str] = {
    WorkKind.installation: "安装",
    WorkKind.alteration: "改造",
    WorkKind.repair: "修理",
    WorkKind.patrol: "巡查",
}
