"""Read models over checks: the device record's last checks and the self-check rhythm
(日管控、周排查、月调度) due and missed per enterprise, counted per zone."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Label,
    Select,
    String,
    bindparam,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from backend.core.auth import Role
from backend.core.clock import local_day, today
from backend.devices.models import Device
from backend.devices.rules import DeviceStatus
from backend.extensions import db
from backend.inspections import rules
from backend.inspections.models import Check
from backend.inspections.rules import CheckKind, Rhythm
from backend.org.models import Enterprise
from backend.org.scope import Actor
from backend.org.services import visible_enterprises


def _latest(kind: str, column, keys: BindParameter) -> Select:
    """(kind, key, date, result) of the newest non-superseded check of `kind` per `column` value
    in `keys`; one row per key through a window, not every daily check ever made."""
    newer = select(Check.supersedes_id).where(Check.supersedes_id.isnot(None))
    rank = func.row_number().over(
        partition_by=column, order_by=(Check.performed_on.desc(), Check.created_at.desc())
    )
    ranked = (
        select(column.label("key"), Check.performed_on, Check.result, rank.label("n"))
        .where(Check.kind == kind, column.in_(keys), Check.id.not_in(newer))
        .subquery()
    )
    return select(
        literal(kind, String).label("kind"), ranked.c.key, ranked.c.performed_on, ranked.c.result
    ).where(ranked.c.n == 1)


@cache
def _last_checks_statement() -> CompoundSelect:
    """Built once: every device record shown (a QR scan, each list page) asks it, and building
    the window and union anew cost more than running it."""
    return union_all(
        _latest(CheckKind.self_check, Check.device_id, bindparam("device_ids", expanding=True)),
        _latest(CheckKind.mutual_check, Check.enterprise_id, bindparam("enterprise_ids", expanding=True)),
    )


def last_checks(devices: list) -> dict[int, dict]:
    """Last self-check of each device and last mutual check of its enterprise (date + result),
    both in one query."""
    if not devices:
        return {}
    keys = {
        "device_ids": [d.id for d in devices],
        "enterprise_ids": sorted({d.enterprise_id for d in devices}),
    }
    found: dict[str, dict[int, tuple[date, str]]] = {CheckKind.self_check: {}, CheckKind.mutual_check: {}}
    for kind, key, on, result in db.session.execute(_last_checks_statement(), keys):
        found[kind][key] = (on, result)

    def brief(latest: tuple[date, str] | None) -> dict | None:
        return {"on": latest[0], "result": latest[1]} if latest else None

    return {
        d.id: {
            "self": brief(found[CheckKind.self_check].get(d.id)),
            "mutual": brief(found[CheckKind.mutual_check].get(d.enterprise_id)),
        }
        for d in devices
    }


def _newest(kind: str, column, key: Any) -> Select:
    """The newest non-superseded check of `kind` whose `column` is `key` (a column of the caller's query)."""
    newer = aliased(Check)
    superseded = exists().where(newer.supersedes_id == Check.id)
    return (
        select(Check.performed_on)
        .where(Check.kind == kind, column == key, ~superseded)
        .order_by(Check.performed_on.desc(), Check.created_at.desc(), Check.id.desc())
        .limit(1)
    )


@cache
def device_last_check_columns() -> tuple[Label, ...]:
    """The last checks of one device as columns of a query over Device (correlated with its id and
    enterprise): `last_checks` for a record loaded by itself, with no round trip of its own;
    `brief_checks` reads them back. Built once, like `_last_checks_statement`."""
    columns: list[Label] = []
    for name, newest in (
        ("self", _newest(CheckKind.self_check, Check.device_id, Device.id)),
        ("mutual", _newest(CheckKind.mutual_check, Check.enterprise_id, Device.enterprise_id)),
    ):
        columns += [
            newest.scalar_subquery().label(f"last_{name}_on"),
            newest.with_only_columns(Check.result).scalar_subquery().label(f"last_{name}_result"),
        ]
    return tuple(columns)


def brief_checks(values: Any) -> dict[str, dict | None]:
    """The {"self", "mutual"} of `last_checks` from a row holding `device_last_check_columns`."""

    def brief(name: str) -> dict | None:
        on = values[f"last_{name}_on"]
        return {"on": on, "result": values[f"last_{name}_result"]} if on is not None else None

    return {"self": brief("self"), "mutual": brief("mutual")}


WINDOWS = {
    Rhythm.daily: timedelta(days=6),
    Rhythm.weekly: timedelta(weeks=3),
    Rhythm.monthly: timedelta(days=62),
}


def _since(rhythm: Rhythm, as_of: date, created: date) -> date:
    return max(as_of - WINDOWS[rhythm], created)


def _done_dates(enterprise_ids: list[int], since: date) -> dict[tuple, set[date]]:
    rows = db.session.execute(
        select(Check.enterprise_id, Check.device_id, Check.subkind, Check.performed_on).where(
            Check.kind == CheckKind.self_check,
            Check.enterprise_id.in_(enterprise_ids),
            Check.performed_on >= since,
            Check.late.is_(False),  # 补录 keeps the record, not the period: it stays missed
        )
    )
    done: dict[tuple, set[date]] = {}
    for enterprise_id, device_id, subkind, on in rows:
        key = (device_id,) if subkind == Rhythm.daily else (enterprise_id, subkind)
        done.setdefault(key, set()).add(on)
    return done


def self_check_status(actor: Actor, enterprise_ids: list[int], as_of: date) -> list[dict]:
    """Due and missed self-checks per enterprise (日管控 per device in use, 周排查, 月调度)."""
    if not enterprise_ids:
        return []
    done = _done_dates(enterprise_ids, as_of - WINDOWS[Rhythm.monthly] - timedelta(days=31))
    enterprises = db.session.scalars(
        select(Enterprise).where(Enterprise.id.in_(enterprise_ids)).order_by(Enterprise.id)
    )
    devices = db.session.scalars(
        select(Device)
        .where(Device.enterprise_id.in_(enterprise_ids), Device.status == DeviceStatus.in_use)
        .order_by(Device.id)
    )
    per_enterprise: dict[int, list] = {}
    for device in devices:
        status = rules.rhythm_status(
            Rhythm.daily,
            done.get((device.id,), ()),
            _since(Rhythm.daily, as_of, local_day(device.created_at)),
            as_of,
        )
        per_enterprise.setdefault(device.enterprise_id, []).append((device, status))
    return [_enterprise_status(e, per_enterprise.get(e.id, []), done, as_of) for e in enterprises]


def _enterprise_status(enterprise: Enterprise, devices: list, done: dict, as_of: date) -> dict:
    created = local_day(enterprise.created_at)
    rhythms = {
        rhythm.value: rules.rhythm_status(
            rhythm, done.get((enterprise.id, rhythm.value), ()), _since(rhythm, as_of, created), as_of
        )
        for rhythm in (Rhythm.weekly, Rhythm.monthly)
    }
    return {
        "enterprise_id": enterprise.id,
        "enterprise_name": enterprise.name,
        "zone_id": enterprise.zone_id,
        "as_of": as_of,
        "daily": {
            "due": sum(s.due for _, s in devices),
            "missed": sum(len(s.missed) for _, s in devices),
            "devices": [
                {
                    "device_id": d.id,
                    "name": d.name or d.registration_no,
                    "category": d.category,
                    "due": s.due,
                    "missed": [p.start for p in s.missed],
                    "last_done": s.last_done,
                }
                for d, s in devices
            ],
        },
        **{
            name: {
                "due": s.due,
                "missed": [{"start": p.start, "end": p.end} for p in s.missed],
                "last_done": s.last_done,
            }
            for name, s in rhythms.items()
        },
    }


def self_check_overview(actor: Actor, filters: dict) -> dict:
    """The safety manager's list, or counts per enterprise and per zone for regulators."""
    query = visible_enterprises(actor, filters).with_only_columns(Enterprise.id).limit(500)
    if actor.role == Role.block_supervisor:
        query = query.where(Enterprise.id == actor.enterprise_id)
    statuses = self_check_status(actor, list(db.session.scalars(query)), filters.get("as_of") or today())
    zones: dict[int, dict] = {}
    for row in statuses:
        zone = zones.setdefault(
            row["zone_id"],
            {
                "zone_id": row["zone_id"],
                "daily_due": 0,
                "daily_missed": 0,
                "weekly_missed": 0,
                "monthly_missed": 0,
                "enterprises": 0,
            },
        )
        zone["enterprises"] += 1
        zone["daily_due"] += row["daily"]["due"]
        zone["daily_missed"] += row["daily"]["missed"]
        zone["weekly_missed"] += len(row["weekly"]["missed"])
        zone["monthly_missed"] += len(row["monthly"]["missed"])
    return {"enterprises": statuses, "zones": sorted(zones.values(), key=lambda z: z["zone_id"])}
