"""Pure report rules: periods, rates and the targets of seed 003 (Jiangmen, DOMAIN.md §4)."""

from __future__ import annotations

import calendar
from datetime import date

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


def due_on(month: str) -> date:
    """The report of a month is due before the 25th of that month (seed 001)."""
    start, _end = month_bounds(month)
    return start.replace(day=REPORT_DUE_DAY)


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def per_10k(count: int, devices: int) -> float | None:
    return round(count * 10_000 / devices, 4) if devices else None


def within_target(value: float | None, target: float) -> bool | None:
    return None if value is None else value < target


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
