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
