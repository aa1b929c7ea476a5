"""Demo inspections: templates, zone 1's current mutual-check round and some submitted checks.

Deterministic: fixed seeds and uuid5 ids; the draw's seed is the first one that sends
`supervisor1` to `manager1`'s enterprise, so the demo logins meet on a task.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from backend.accounts.models import User
from backend.core.auth import Role
from backend.devices.models import Device
from backend.extensions import db
from backend.inspections import rules
from backend.inspections.models import ChecklistTemplate, MutualCheckAssignment
from backend.inspections.mutual import eligible_supervisors, open_cycle
from backend.inspections.services import install_default_templates, submit_check
from backend.org.models import Certificate, Enterprise

DEMO_IDS = uuid.UUID("0b6c1f3e-5d2a-4e8b-9a71-2f4c6d8e0a13")
DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - documented demo credential


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _demo_id(name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_IDS, name)


def _add_supervisors(as_of: date, supervisors: tuple) -> None:
    password_hash = generate_password_hash(DEMO_PASSWORD)
    for index, username, valid in supervisors:
        expires = as_of + timedelta(days=700) if valid else as_of - timedelta(days=15)
        db.session.add(
            Certificate(
                person_id=index + 1,
                kind="block_supervisor",
                number=f"JD{index + 1:08d}",
                issued_on=as_of - timedelta(days=1100),
                expires_on=expires,
                verification="verified",
                verified_by="demo",
                verified_on=as_of - timedelta(days=1100),
            )
        )
        db.session.add(
            User(
                username=username,
                role=Role.block_supervisor,
                password_hash=password_hash,
                display_name=f"监督员{username[-1]}",
                enterprise_id=index + 1,
                person_id=index + 1,
                active=True,
            )
        )
    db.session.flush()


def _seed_for(block_id: int, target: int, supervisor_id: int, starts_on: date) -> int:
    members = list(db.session.scalars(select(Enterprise.id).where(Enterprise.block_id == block_id)))
    pool = eligible_supervisors(members, starts_on)
    for seed in range(1000):
        plan = rules.assign_mutual_checks(members, pool, seed ^ block_id)
        if any(a.enterprise_id == target and a.supervisor_id == supervisor_id for a in plan.assignments):
            return seed
    return 0


def _answers(template: ChecklistTemplate, failed: dict[str, str]) -> list[dict]:
    return [
        {"code": c, "result": "fail", "note": failed[c]} if c in failed else {"code": c, "result": "pass"}
        for c in template.item_codes
    ]


def load_inspection_demo(as_of: date, supervisors: tuple) -> int:
    install_default_templates()
    _add_supervisors(as_of, supervisors)
    inspector, manager, supervisor = _user("inspector1"), _user("manager1"), _user("supervisor1")
    enterprise = manager.enterprise
    assert enterprise is not None and enterprise.block_id is not None  # noqa: S101 - demo manager is in a block
    starts_on = as_of - timedelta(days=10)
    seed = _seed_for(enterprise.block_id, enterprise.id, supervisor.id, starts_on)
    cycle = open_cycle(
        inspector,
        {
            "name": f"{as_of.year}年第{(as_of.month - 1) // 3 + 1}季度区块互查",
            "zone_id": 1,
            "starts_on": starts_on,
            "due_on": as_of + timedelta(days=20),
            "seed": seed,
        },
    )
    templates = {t.code: t for t in db.session.scalars(select(ChecklistTemplate))}
    count = _self_checks(manager, templates, as_of)
    done = next(
        (
            a
            for a in cycle.assignments
            if a.supervisor_id == supervisor.id and a.enterprise_id != manager.enterprise_id
        ),
        None,
    )
    if done is not None:
        count += _mutual_check(supervisor, done, templates["enterprise_baseline"], as_of)
    return count


def _self_checks(manager: User, templates: dict, as_of: date) -> int:
    """Daily checks of manager1's first devices on most recent days (some missed), last week's
    investigation and last month's dispatch meeting."""
    devices = list(
        db.session.scalars(
            select(Device)
            .where(Device.enterprise_id == manager.enterprise_id, Device.status == "in_use")
            .order_by(Device.id)
            .limit(6)
        )
    )
    # on the ledger for a month, so the days without a check count as missed (漏检)
    registered = datetime.combine(as_of - timedelta(days=30), time(9), tzinfo=UTC)
    if manager.enterprise is not None:
        manager.enterprise.created_at = registered
    for device in devices:
        device.created_at = registered
    count = 0
    for n, device in enumerate(devices):
        template = templates[f"device_{device.category}"]
        for days_ago in (1, 2, 4) if n % 2 == 0 else (1, 3):
            failed = {template.item_codes[0]: "标志过期，已联系更换"} if (n, days_ago) == (0, 4) else {}
            _submit(
                manager,
                {
                    "kind": "self_check",
                    "subkind": "daily",
                    "template_id": template.id,
                    "device_id": device.id,
                    "performed_on": as_of - timedelta(days=days_ago),
                    "items": _answers(template, failed),
                },
                f"daily-{device.id}-{days_ago}",
            )
            count += 1
    rhythms = (("weekly_investigation", "weekly", 7), ("monthly_dispatch", "monthly", 31))
    for code, rhythm, days_ago in rhythms:
        _submit(
            manager,
            {
                "kind": "self_check",
                "subkind": rhythm,
                "template_id": templates[code].id,
                "performed_on": as_of - timedelta(days=days_ago),
                "summary": "已召开，纪要存档" if rhythm == "monthly" else "",
                "items": _answers(templates[code], {}),
            },
            f"{rhythm}-{days_ago}",
        )
        count += 1
    return count


def _mutual_check(
    supervisor: User, task: MutualCheckAssignment, template: ChecklistTemplate, as_of: date
) -> int:
    failed = {
        "periodic_inspection.accessories": "2台储气罐压力表超期未校验",
        "rules.emergency_plan": "应急预案未见本年度演练记录",
    }
    _submit(
        supervisor,
        {
            "kind": "mutual_check",
            "template_id": template.id,
            "assignment_id": task.id,
            "performed_on": as_of - timedelta(days=3),
            "signed_by": supervisor.display_name,
            "summary": "整体管理较规范，两项问题限期整改",
            "items": _answers(template, failed),
        },
        f"mutual-{task.id}",
    )
    return 1


def _submit(actor: User, data: dict, name: str) -> None:
    submit_check(actor, {"id": _demo_id(name), "summary": "", "signed_by": "", **data})
