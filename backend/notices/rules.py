"""Pure escalation-notice rules (三书一函): kinds, numbering, when each may be issued.

Shanghai's toolkit (seed 004) escalates in steps: a rectification notice
(整改通知书) for any open hazard; a reminder letter (提醒敦促函) or an interview
(约谈通知书) once hazards are overdue or keep coming back; listed supervision
(挂牌督办通知书) for major hazards. No Flask, no database, no clock: time is `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from backend.hazards.rules import HazardStatus, Severity
from backend.hazards.rules import is_overdue as hazard_is_overdue


class NoticeKind(StrEnum):
    listed_supervision = "listed_supervision"
    interview = "interview"
    rectification = "rectification"
    reminder = "reminder"


KIND_TITLES: dict[NoticeKind, str] = {
    NoticeKind.listed_supervision: "挂牌督办通知书",
    NoticeKind.interview: "约谈通知书",
    NoticeKind.rectification: "整改通知书",
    NoticeKind.reminder: "提醒敦促函",
}
#: the kind's word inside the document number, e.g. 特监〔2026〕整改第0001号
KIND_NUMBER_WORDS: dict[NoticeKind, str] = {
    NoticeKind.listed_supervision: "督办",
    NoticeKind.interview: "约谈",
    NoticeKind.rectification: "整改",
    NoticeKind.reminder: "提醒",
}
NUMBER_PREFIX = "特监"
#: a hazard "repeats" when the same device (or category) had one this many days before
REPEAT_WINDOW_DAYS = 365
#: hazards one notice may list; a longer list is a sign of a wrong tool
MAX_HAZARDS = 50


@dataclass(frozen=True)
class EscalationFacts:
    """What the rules need to know about one hazard listed on a notice."""

    status: str
    severity: str
    deadline: date
    #: the same enterprise had a hazard on the same device (or category) within the window
    repeated: bool = False


def notice_number(kind: str, year: int, seq: int) -> str:
    """Document number (文号), a per-year, per-kind sequence: 特监〔2026〕整改第0001号."""
    return f"{NUMBER_PREFIX}〔{year}〕{KIND_NUMBER_WORDS[NoticeKind(kind)]}第{seq:04d}号"


def is_overdue(hazard: EscalationFacts, as_of: date) -> bool:
    """Open and past its rectification deadline, as every screen counts it (hazards.rules)."""
    return hazard_is_overdue(hazard.status, hazard.deadline, as_of)


def deadline_problem(deadline: date, as_of: date) -> str | None:
    """The notice's own deadline must leave the enterprise at least one day."""
    if deadline <= as_of:
        return "文书期限必须晚于签发当日 (deadline must be after today)"
    return None


def _hazard_problem(kind: NoticeKind, hazard: EscalationFacts, as_of: date) -> str | None:
    if hazard.status == HazardStatus.verified_closed:
        return "已复查销号，不能再列入文书 (hazard already closed)"
    if kind != NoticeKind.rectification and not (is_overdue(hazard, as_of) or hazard.repeated):
        return (
            f"未逾期且非重复发生，不能发{KIND_TITLES[kind]}，请改发整改通知书 (neither overdue nor repeated)"
        )
    return None


def escalation_problem(kind: str, hazards: list[EscalationFacts], as_of: date, deadline: date) -> str | None:
    """Why a notice of `kind` may not be issued for `hazards` on `as_of`, or None.

    The deadline must be after `as_of`; every hazard must be open; except for a
    rectification notice each must be overdue or repeated; listed supervision needs
    at least one major hazard.
    """
    kind = NoticeKind(kind)
    late = deadline_problem(deadline, as_of)
    if late:
        return late
    if not hazards:
        return "至少列入一项隐患 (no hazards)"
    for index, hazard in enumerate(hazards, start=1):
        problem = _hazard_problem(kind, hazard, as_of)
        if problem:
            return f"第{index}项隐患{problem}"
    if kind == NoticeKind.listed_supervision and not any(h.severity == Severity.major for h in hazards):
        return "挂牌督办须至少包含一项重大隐患 (listed supervision needs a major hazard)"
    return None


def suggested_kind(hazards: list[EscalationFacts], as_of: date) -> NoticeKind:
    """The strongest kind these hazards allow: major overdue → listed supervision,
    repeated → interview, overdue → reminder, otherwise a rectification notice."""
    overdue = [is_overdue(h, as_of) for h in hazards]
    if not hazards or not all(o or h.repeated for o, h in zip(overdue, hazards, strict=True)):
        return NoticeKind.rectification
    if any(o and h.severity == Severity.major for o, h in zip(overdue, hazards, strict=True)):
        return NoticeKind.listed_supervision
    if any(h.repeated for h in hazards):
        return NoticeKind.interview
    return NoticeKind.reminder


def chinese_date(value: date) -> str:
    """2026年1月5日, as official documents write dates."""
    return f"{value.year}年{value.month}月{value.day}日"
