"""Pure delivery rules: which channels a person wants for a kind of notification, quiet hours,
and when the daily digest goes out (China time)."""

from __future__ import annotations

from datetime import time

#: the personal outbound channels (the bureau's group robots are not a person's choice)
CHANNELS = ("email", "sms")
#: what a person chooses channels for: the first part of a notification's kind
CATEGORIES = (
    "hazard",
    "selfcheck",
    "inspection",
    "certificate",
    "complaint",
    "notice",
    "assignment",
    "plan",
    "report",
    "job",
)
MODES = ("digest", "immediate")
#: the daily digest goes out from this hour (China time), once per person per day
DIGEST_HOUR = 8


def category_of(kind: str) -> str:
    return kind.split(".", 1)[0]


def channels_for(chosen: dict[str, list[str]], kind: str) -> set[str]:
    """The channels a person wants for `kind`: their choice for its category, else every channel."""
    picked = chosen.get(category_of(kind))
    return set(CHANNELS) if picked is None else set(picked) & set(CHANNELS)


def parse_hhmm(value: str) -> time:
    """'22:30' → time(22, 30); ValueError when malformed."""
    hours, minutes = value.split(":")
    if len(hours) != 2 or len(minutes) != 2:
        raise ValueError(value)
    return time(int(hours), int(minutes))


def in_quiet_hours(start: str, end: str, moment: time) -> bool:
    """Is the local `moment` inside the quiet hours [start, end)? They may run past midnight
    (22:00–07:00); none when either is empty or both are equal."""
    if not start or not end or start == end:
        return False
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    if begin < finish:
        return begin <= moment < finish
    return moment >= begin or moment < finish
