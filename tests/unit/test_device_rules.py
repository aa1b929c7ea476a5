"""Periodic-inspection validity and long idleness (pure rules)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.devices.rules import (
    DUE_SOON_DAYS,
    LONG_IDLE_DAYS,
    DeviceStatus,
    InspectionState,
    inspection_state,
    is_long_idle,
    is_overdue,
)

AS_OF = date(2025, 6, 15)
IS = InspectionState


def _days(n: int) -> date:
    return AS_OF + timedelta(days=n)


@pytest.mark.parametrize(
    ("next_due", "status", "expected"),
    [
        (_days(-1), DeviceStatus.in_use, IS.overdue),
        (_days(-400), DeviceStatus.in_use, IS.overdue),
        (_days(-1), DeviceStatus.idle, IS.inspect_before_reuse),
        (_days(1), DeviceStatus.idle, IS.due_soon),
        (AS_OF, DeviceStatus.in_use, IS.due_soon),
        (_days(1), DeviceStatus.in_use, IS.due_soon),
        (_days(30), DeviceStatus.in_use, IS.due_soon),
        (_days(31), DeviceStatus.in_use, IS.valid),
        (_days(3650), DeviceStatus.in_use, IS.valid),
        (None, DeviceStatus.in_use, IS.unknown),
        (None, DeviceStatus.idle, IS.unknown),
        (_days(-1), DeviceStatus.scrapped, IS.not_required),
        (_days(100), DeviceStatus.scrapped, IS.not_required),
        (None, DeviceStatus.scrapped, IS.not_required),
    ],
    ids=[
        "yesterday",
        "long_ago",
        "idle_yesterday",
        "idle_tomorrow",
        "today",
        "tomorrow",
        "in_30_days",
        "in_31_days",
        "in_10_years",
        "none",
        "idle_none",
        "scrapped_overdue",
        "scrapped_valid",
        "scrapped_none",
    ],
)
def test_inspection_state_boundaries(next_due, status, expected):
    assert inspection_state(next_due, status, AS_OF) == expected


def test_due_soon_window_is_30_days():
    assert DUE_SOON_DAYS == 30


@pytest.mark.parametrize(
    ("window", "expected"), [(0, IS.valid), (7, IS.due_soon)], ids=["no_window", "week_window"]
)
def test_due_soon_window_is_configurable(window, expected):
    assert inspection_state(_days(5), DeviceStatus.in_use, AS_OF, due_soon_days=window) == expected


@pytest.mark.parametrize(
    ("next_due", "status", "overdue"),
    [
        (_days(-1), DeviceStatus.in_use, True),
        (_days(-1), DeviceStatus.idle, False),
        (AS_OF, DeviceStatus.in_use, False),
        (_days(-1), DeviceStatus.scrapped, False),
        (None, DeviceStatus.in_use, False),
    ],
    ids=["in_use_past", "idle_past_is_inspected_before_reuse", "today", "scrapped_past", "unknown"],
)
def test_is_overdue(next_due, status, overdue):
    assert is_overdue(next_due, status, AS_OF) is overdue


@pytest.mark.parametrize(
    ("status", "idle_days", "long_idle"),
    [
        (DeviceStatus.idle, 364, False),
        (DeviceStatus.idle, 365, True),
        (DeviceStatus.idle, 3000, True),
        (DeviceStatus.idle, 0, False),
        (DeviceStatus.idle, None, False),
        (DeviceStatus.in_use, 400, False),
        (DeviceStatus.scrapped, 400, False),
    ],
    ids=["idle_364_days", "idle_365_days", "idle_years", "idle_today", "idle_no_date", "in_use", "scrapped"],
)
def test_long_idle_boundary(status, idle_days, long_idle):
    idle_since = None if idle_days is None else AS_OF - timedelta(days=idle_days)
    assert LONG_IDLE_DAYS == 365
    assert is_long_idle(status, idle_since, AS_OF) is long_idle
