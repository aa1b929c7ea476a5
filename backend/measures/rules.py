"""Pure rules of the measures a grade sets off (seed 002 第十、十一条): orders on devices,
on-site stationing (驻点监督) and the serious-violation list (严重违法失信名单)."""

from __future__ import annotations

from datetime import date

#: 驻点监督 is for C (第十条第三项: may) and D (第十一条第二项: shall) enterprises
STATIONING_GRADES = frozenset({"C", "D"})


def stationing_problem(grade: str | None, starts_on: date, ends_on: date) -> str | None:
    if grade not in STATIONING_GRADES:
        return "驻点监督限于安全信用风险等级为 C、D 级的单位（第十条、第十一条）"
    if ends_on < starts_on:
        return "结束日期不能早于开始日期"
    return None


def stationing_status(starts_on: date, ends_on: date, closed_on: date | None, as_of: date) -> str:
    """planned before it starts, active in its period, ended past it (not closed), closed with a summary."""
    if closed_on is not None:
        return "closed"
    if as_of < starts_on:
        return "planned"
    return "active" if as_of <= ends_on else "ended"


def closing_problem(starts_on: date, closed_on: date, as_of: date) -> str | None:
    if closed_on > as_of:
        return "结束日期不能晚于今天"
    if closed_on < starts_on:
        return "结束日期不能早于驻点开始日期"
    return None


def period_problem(starts_on: date, ends_on: date | None) -> str | None:
    return "结束日期不能早于开始日期" if ends_on is not None and ends_on < starts_on else None


def listing_problem(listed_on: date, removed_on: date | None, as_of: date) -> str | None:
    """An entry's dates: listed no later than today; removed on or after it was listed."""
    if listed_on > as_of:
        return "列入日期不能晚于今天"
    if removed_on is not None and removed_on < listed_on:
        return "移出日期不能早于列入日期"
    return None
