"""The only place that reads the clock."""

from datetime import UTC, date, datetime, time, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in China Standard Time: deadlines and due dates are local dates."""
    return datetime.now(CHINA_TZ).date()


def local_day(moment: datetime) -> date:
    """The China-time date of a stored moment (naive values are UTC): what a person there calls that day."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA_TZ).date()


def local_midnight(day: date) -> datetime:
    """The moment (UTC) a China-time day begins: `local_day(m) < day` exactly when
    `m < local_midnight(day)`."""
    return datetime.combine(day, time(), CHINA_TZ).astimezone(UTC)
