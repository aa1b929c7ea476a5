"""The only place that reads the clock."""

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in China Standard Time: deadlines and due dates are local dates."""
    return datetime.now(CHINA_TZ).date()
