"""Pure escalation-notice rules (三书一函): kinds, numbering, when each may be issued.

Shanghai's toolkit (seed 004) escalates in steps: a rectification notice
(整改通知书) for any open hazard; a reminder letter (提醒敦促函) or an interview
(约谈通知书) once hazards are overdue or keep coming back; listed supervision
(挂牌督办通知书) for major hazards. No Flask, no database, no clock: time is `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from backend.hazards.rules import HazardStatus, Severity
from backend.hazards.rules import is_overdue as hazard_is_overdue


class NoticeKind(StrEnum):
    listed_supervision = "listed_supervision"
    interview = "interview"
    rectification = "rectification"
    reminder = "reminder"


#: seed 004's escalation order: each overdue notice suggests the next step
ESCALATION_ORDER: tuple[NoticeKind, ...] = (
    NoticeKind.reminder,
    NoticeKind.rectification,
    NoticeKind.interview,
    NoticeKind.listed_supervision,
)


class NoticeState(StrEnum):
    """The stored steps of a notice's loop; `overdue` (NoticeStatus) is computed."""

    issued = "issued"
    acknowledged = "acknowledged"
    replied = "replied"
    closed = "closed"


class NoticeStatus(StrEnum):
    """What API.md's `status` shows: the state, or `overdue` once the deadline passed unanswered."""

    issued = "issued"
    acknowledged = "acknowledged"
    replied = "replied"
    closed = "closed"
    overdue = "overdue"


class NoticeAction(StrEnum):
    acknowledge = "acknowledge"
    reply = "reply"
    close = "close"


#: which stored state each action needs, and the state it leads to
TRANSITIONS: dict[NoticeAction, tuple[NoticeState, NoticeState]] = {
    NoticeAction.acknowledge: (NoticeState.issued, NoticeState.acknowledged),
    NoticeAction.reply: (NoticeState.acknowledged, NoticeState.replied),
    NoticeAction.close: (NoticeState.replied, NoticeState.closed),
}
#: days the issue form proposes for the notice's deadline, by kind
DEFAULT_DEADLINE_DAYS: dict[NoticeKind, int] = {
    NoticeKind.reminder: 7,
    NoticeKind.rectification: 15,
    NoticeKind.interview: 7,
    NoticeKind.listed_supervision: 30,
}

KIND_TITLES: dict[str, str] = {
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


def notice_status(state: str, deadline: date, as_of: date) -> NoticeStatus:
    """Overdue: not yet answered (replied or closed) and past its deadline on `as_of`."""
    answered = state in (NoticeState.replied, NoticeState.closed)
    if not answered and deadline < as_of:
        return NoticeStatus.overdue
    return NoticeStatus(state)


def transition_problem(state: str, action: str) -> str | None:
    """Why `action` cannot follow the stored `state`, or None."""
    needed, _ = TRANSITIONS[NoticeAction(action)]
    if state == needed:
        return None
    return {
        NoticeAction.acknowledge: "文书已签收 (already acknowledged)",
        NoticeAction.reply: "须先签收且只能回复一次 (acknowledge first; one reply)",
        NoticeAction.close: "企业回复后才能结案 (close after the enterprise replied)",
    }[NoticeAction(action)]


def next_state(action: str) -> NoticeState:
    return TRANSITIONS[NoticeAction(action)][1]


def next_kind(kind: str) -> NoticeKind:
    """The step after `kind` in the escalation order (the last step stays the last)."""
    order = ESCALATION_ORDER
    index = order.index(NoticeKind(kind))
    return order[min(index + 1, len(order) - 1)]


def bound_deadline(hazard_deadline: date, notice_deadline: date) -> date:
    """A notice's deadline binds the hazards it cites: theirs becomes no later than its own."""
    return min(hazard_deadline, notice_deadline)


def default_deadline(kind: str, as_of: date) -> date:
    return as_of + timedelta(days=DEFAULT_DEADLINE_DAYS[NoticeKind(kind)])


def escalated_kind(
    hazards: list[EscalationFacts], overdue_kinds: list[str], as_of: date, deadline: date
) -> NoticeKind:
    """The kind the issue form preselects: the strongest of what the hazards allow
    (`suggested_kind`) and the step after each overdue notice already citing them,
    stepped back down the order until the escalation rules allow it."""
    wanted = [suggested_kind(hazards, as_of), *(next_kind(k) for k in overdue_kinds)]
    strongest = max(ESCALATION_ORDER.index(k) for k in wanted)
    for kind in reversed(ESCALATION_ORDER[: strongest + 1]):
        if escalation_problem(kind, hazards, as_of, deadline) is None:
            return kind
    return NoticeKind.rectification
