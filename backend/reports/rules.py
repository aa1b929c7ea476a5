"""Pure report rules: periods, rates and the targets of seed 003 (Jiangmen, DOMAIN.md §4)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from backend.inspections.rules import period_of, periods_between

#: accidents and deaths per 10,000 devices per year must stay below these (seed 003)
ACCIDENT_RATE_TARGET = 0.20
DEATH_RATE_TARGET = 0.19
#: the monthly report (工作小结) is due at the city bureau before this day of the month
REPORT_DUE_DAY = 25


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-11' → (2026-11-01, 2026-11-30); ValueError when malformed."""
    year, number = (int(part) for part in month.split("-"))
    last = calendar.monthrange(year, number)[1]
    return date(year, number, 1), date(year, number, last)


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def per_10k(count: int, devices: int) -> float | None:
    return round(count * 10_000 / devices, 4) if devices else None


def within_target(value: float | None, target: float) -> bool | None:
    return None if value is None else value < target


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def report_due_on(month: str) -> date:
    """The report of a month is due at the city bureau before the 25th of the next month (seed 001:
    请于每月 25 日前向市局报送工作小结): a month is summarised once it has ended."""
    _start, end = month_bounds(month)
    return (end + timedelta(days=1)).replace(day=REPORT_DUE_DAY)


def is_late(submitted_on: date, month: str) -> bool:
    """Submitted after the due day (the 25th itself is still on time)."""
    return submitted_on > report_due_on(month)


def month_has_ended(month: str, as_of: date) -> bool:
    _start, end = month_bounds(month)
    return end < as_of


def month_due(as_of: date) -> str:
    """The month whose report is due next: the previous month."""
    previous = as_of.replace(day=1) - timedelta(days=1)
    return previous.strftime("%Y-%m")


def periods_done(rhythm: str, done_on: Iterable[date], since: date, as_of: date) -> tuple[int, int]:
    """(periods expected, periods with a check) of one self-check rhythm from `since` to `as_of`;
    only periods that have ended by `as_of` are expected (the current one may still be done)."""
    if since > as_of:
        return 0, 0
    done_periods = {period_of(rhythm, day).start for day in done_on}
    ended = [p for p in periods_between(rhythm, since, as_of) if p.end <= as_of]
    return len(ended), sum(p.start in done_periods for p in ended)


def cohort_periods_done(
    rhythm: str, owners: Mapping[date, int], done: Mapping[tuple[date, date], int], as_of: date
) -> tuple[int, int]:
    """`periods_done` summed over owners counted in cohorts rather than one by one.

    `owners[since]` owners count from `since`; `done[(since, period_start)]` of them have a check in
    the period starting on `period_start`. Each cohort expects the periods `periods_done` expects."""
    expected = completed = 0
    for since, count in owners.items():
        if since > as_of:
            continue
        ended = [p for p in periods_between(rhythm, since, as_of) if p.end <= as_of]
        expected += count * len(ended)
        completed += sum(done.get((since, p.start), 0) for p in ended)
    return expected, completed


#: seed 003: key-monitored devices' registration, inspection and certified-operator rates stay at 100 %
KEY_DEVICE_RATE_TARGET = 1.0
