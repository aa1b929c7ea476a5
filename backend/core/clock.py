"""The only place that reads the clock."""

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in China Standard Time: deadlines and due dates are local dates."""
    return datetime.now(CHINA_TZ).date()


def local_day(moment: datetime) -> date:
    """The China-time date of a stored moment (naive values are UTC): what a person there calls that day."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA_TZ).date()
