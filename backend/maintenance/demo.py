"""Demo maintenance: the city's four maintenance companies get an admin and workers, contracts for
the elevators they maintain, two months of past maintenance (done, confirmed or disputed, on time
or late as each company's habits go, one entrapment), and the work orders now due (some already
overdue). The companies' habits differ, so the bureau's ranking shows grades A to D.

`maint1` works for the company that maintains enterprise 1's elevators (`manager1`'s), so the
demo logins meet on an order; `maintadmin1` is that company's admin.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

from PIL import Image, ImageDraw
from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from backend.accounts.models import User
from backend.core.auth import Role
from backend.core.clock import CHINA_TZ, local_day, utcnow
from backend.core.hashing import payload_hash
from backend.core.images import sha256_hex
from backend.devices.models import Device
from backend.devices.rules import DeviceCategory, DeviceStatus
from backend.evidence.services import append_evidence_batch
from backend.extensions import db
from backend.maintenance import rules
from backend.maintenance.models import MaintenanceContract, MaintenanceOrder, MaintenanceRecord
from backend.maintenance.rules import LEAD_DAYS, MaintenanceKind, OrderStatus, RecordStatus
from backend.maintenance.services import answer_evidence, generate_orders, record_evidence
from backend.org.models import Certificate, CertificateKind, Enterprise, Person
from backend.photos.services import store_photo

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - documented demo credential
#: workers per company: maintN, maintNb
WORKER_SUFFIXES = (("", "一"), ("b", "二"))


def load_maintenance_demo(as_of: date, seed: int = 2024) -> int:
    """Users, contracts, the past months and today's orders; returns the number of orders opened."""
    companies = list(
        db.session.scalars(
            select(Enterprise).where(Enterprise.roles.contains("maintainer")).order_by(Enterprise.id)
        )
    )
    _add_users(companies, as_of)
    _add_contracts(as_of)
    _add_history(as_of, companies, random.Random(seed))  # noqa: S311 - reproducible demo data
    return generate_orders(as_of)


def _add_users(companies, as_of: date) -> None:
    """Each company's admin and workers; every worker is one of its people, with an elevator
    operator's certificate (电梯作业人员证): the first worker's verified by the bureau, the second's
    declared by the company and still awaiting the bureau's check."""
    password_hash = generate_password_hash(DEMO_PASSWORD)
    next_person = (db.session.scalar(select(func.max(Person.id))) or 0) + 1
    rows: list[dict] = []
    people: list[dict] = []
    certificates: list[dict] = []
    for n, company in enumerate(companies, start=1):
        rows.append(_user(f"maintadmin{n}", Role.maintenance_admin, f"维保单位{n}管理员", company.id))
        for k, (suffix, number) in enumerate(WORKER_SUFFIXES):
            person_id = next_person + len(people)
            name = f"维保工{n}{number}"
            people.append(
                {"id": person_id, "name": name, "phone": "", "enterprise_id": company.id} | _stamps()
            )
            certificates.append(
                _operator_certificate(person_id, f"T{company.id:04d}{k + 1:03d}", k == 0, as_of)
            )
            rows.append(_user(f"maint{n}{suffix}", Role.maintenance_worker, name, company.id, person_id))
    if people:
        db.session.execute(insert(Person), people)
        db.session.execute(insert(Certificate), certificates)
    if rows:
        db.session.execute(insert(User), [row | {"password_hash": password_hash} for row in rows])


def _stamps() -> dict:
    return {"created_at": utcnow(), "updated_at": utcnow()}


def _operator_certificate(person_id: int, number: str, verified: bool, as_of: date) -> dict:
    checked = {"verification": "verified", "verified_by": "demo", "verified_on": as_of - timedelta(days=200)}
    return (
        {
            "person_id": person_id,
            "kind": CertificateKind.operator.value,
            "number": number,
            "issued_on": as_of - timedelta(days=200),
            "expires_on": as_of + timedelta(days=1200),
        }
        | (checked if verified else {"verification": "pending", "verified_by": "", "verified_on": None})
        | _stamps()
    )


def _user(
    username: str, role: Role, display_name: str, company_id: int, person_id: int | None = None
) -> dict:
    return {
        "username": username,
        "role": role.value,
        "display_name": display_name,
        "enterprise_id": company_id,
        "zone_id": None,
        "person_id": person_id,
        "active": True,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _add_contracts(as_of: date) -> None:
    """One contract per maintained elevator, begun two months ago (a fortnight apart, so the
    elevators' half-monthly rounds fall on different days)."""
    devices = db.session.execute(
        select(Device.id, Device.maintenance_company_id).where(
            Device.category == DeviceCategory.elevator, Device.maintenance_company_id.isnot(None)
        )
    ).all()
    rows = [
        {
            "device_id": device_id,
            "company_id": company_id,
            "starts_on": as_of - timedelta(days=HISTORY_DAYS + device_id % 15),
            "ends_on": as_of + timedelta(days=365 * 2),
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        for device_id, company_id in devices
    ]
    if rows:
        db.session.execute(insert(MaintenanceContract), rows)


# --- the past: done maintenance over the last months --------------------------------------------


@dataclass(frozen=True)
class Habits:
    """How one demo company works: the share of its orders done late, of visits cut short, of
    photo items dodged as "not applicable", and of records the using unit disputes."""

    late: float
    short: float
    no_photo: float
    disputed: float


#: the four companies in id order, from the careful to the careless
HABITS = (
    Habits(late=0.01, short=0.0, no_photo=0.0, disputed=0.005),
    Habits(late=0.1, short=0.05, no_photo=0.3, disputed=0.02),
    Habits(late=0.18, short=0.25, no_photo=0.4, disputed=0.05),
    Habits(late=0.3, short=0.35, no_photo=0.7, disputed=0.1),
)
HISTORY_DAYS = 60
DISPUTE_REASONS = (
    "当天未见维保人员到场，轿厢照明仍不亮",
    "维保记录称已调整平层，实际仍有台阶",
    "底坑积水未清理即签字离开",
)
#: the demo's entrapment (困人): the third company's elevator, a month ago, reached after the limit
ENTRAPMENT_COMPANY, ENTRAPMENT_DAYS_AGO, ARRIVAL_MINUTES, RELEASE_MINUTES = 2, 33, 41, 55
#: the company whose lifts broke down (故障报修, no one trapped) and how many days ago
FAULT_COMPANY, FAULT_DAYS_AGO = 3, (61, 19)
#: the first is the workers' signature, the others the items' live photos (a record needs six at most)
DEMO_PHOTOS = 8


@dataclass(frozen=True)
class _Company:
    habits: Habits
    workers: list[int]


@dataclass(frozen=True)
class _Elevator:
    contract: MaintenanceContract
    name: str
    enterprise_id: int
    zone_id: int
    token: str


def _add_history(as_of: date, companies: list[Enterprise], rng: random.Random) -> None:
    """Every in-use maintained elevator's periodic orders since its contract began, each done (on
    time or late, as its company's habits go) with a record the using unit confirmed or disputed.
    The order due now is left to the scheduled job, as on any day."""
    workers = _ids_by(User.enterprise_id, User.role == Role.maintenance_worker)
    managers = _ids_by(User.enterprise_id, User.role == Role.safety_manager)
    firms = {c.id: _Company(HABITS[n % len(HABITS)], workers.get(c.id, [])) for n, c in enumerate(companies)}
    rows = db.session.execute(
        select(MaintenanceContract, Device.name, Device.enterprise_id, Device.zone_id, Device.qr_token)
        .join(Device, Device.id == MaintenanceContract.device_id)
        .where(Device.status == DeviceStatus.in_use)
        .order_by(MaintenanceContract.id)
    ).all()
    elevators = [_Elevator(*row) for row in rows]
    photos = _demo_photos()
    visits = []
    for elevator in elevators:
        firm = firms[elevator.contract.company_id]
        if firm.workers:
            visits.extend(_periodic_visits(elevator, firm, managers, photos, as_of, rng))
    trapped = [
        e for e in elevators if companies[ENTRAPMENT_COMPANY % len(companies)].id == e.contract.company_id
    ]
    if trapped and firms[trapped[0].contract.company_id].workers:
        visits.append(_entrapment(trapped[0], firms[trapped[0].contract.company_id], managers, photos, as_of))
    broken = [e for e in elevators if companies[FAULT_COMPANY % len(companies)].id == e.contract.company_id]
    for elevator, days_ago in zip(broken, FAULT_DAYS_AGO, strict=False):
        firm = firms[elevator.contract.company_id]
        if firm.workers:
            visits.append(_fault(elevator, firm, managers, photos, as_of - timedelta(days=days_ago)))
    _insert(visits)


def _ids_by(key, condition) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for owner, user_id in db.session.execute(select(key, User.id).where(condition).order_by(User.id)):
        found.setdefault(owner, []).append(user_id)
    return found


def _demo_photos() -> list[str]:
    """A few real photos the demo records cite (and sign with), stored as an upload would be."""
    shas = []
    for n in range(DEMO_PHOTOS):
        image = Image.new("RGB", (480, 360), (70 + n * 20, 90, 110))
        draw = ImageDraw.Draw(image)
        for k in range(5):
            draw.rectangle(
                (30 + k * 90, 40 + n * 10, 90 + k * 90, 320), fill=(190 - k * 25, 170, 140 + n * 10)
            )
        raw = BytesIO()
        image.save(raw, "JPEG", quality=70)
        data = raw.getvalue()
        store_photo(None, sha256_hex(data), data)
        shas.append(sha256_hex(data))
    return shas


def _periodic_visits(
    elevator: _Elevator,
    firm: _Company,
    managers: dict[int, list[int]],
    photos: list[str],
    as_of: date,
    rng: random.Random,
) -> list[tuple[dict, dict]]:
    contract = elevator.contract
    term = rules.ContractTerm(contract.starts_on, contract.ends_on)
    done: dict[MaintenanceKind, date] = {}
    day = term.starts_on
    visits = []
    while day < as_of:
        due = rules.order_to_open(term, done, False, day)
        if due is None:
            day = min(rules.next_due(k, done, term.starts_on) for k in rules.PERIODIC) - timedelta(
                days=LEAD_DAYS
            )
            continue
        if due.due_on >= as_of - timedelta(days=2):
            break
        late = rng.random() < firm.habits.late
        shift = rng.randint(1, 6) if late else -rng.randint(0, 3)
        done_on = min(due.due_on + timedelta(days=shift), as_of - timedelta(days=1))
        arrived = datetime.combine(done_on, time(8 + rng.randint(0, 8), rng.randint(0, 59)), CHINA_TZ)
        minimum = rules.MIN_ON_SITE_MINUTES[due.kind]
        minutes = (
            rng.randint(5, minimum - 1) if rng.random() < firm.habits.short else minimum + rng.randint(0, 40)
        )
        order = _order_row(elevator, due.kind, due.due_on)
        record = _record_row(elevator, order, rng.choice(firm.workers), arrived, minutes)
        _fill_items(record, order["items"], photos, firm.habits, rng)
        _answer(record, managers.get(elevator.enterprise_id), firm.habits, rng)
        visits.append((order, record))
        done[due.kind] = done_on
        day = done_on
    return visits


def _order_row(elevator: _Elevator, kind: MaintenanceKind, due_on: date) -> dict:
    opened = datetime.combine(due_on - timedelta(days=LEAD_DAYS), time(1), CHINA_TZ)
    return {
        "device_id": elevator.contract.device_id,
        "company_id": elevator.contract.company_id,
        "enterprise_id": elevator.enterprise_id,
        "zone_id": elevator.zone_id,
        "contract_id": elevator.contract.id,
        "kind": kind.value,
        "due_on": due_on,
        "status": OrderStatus.done.value,
        "items": [item.as_dict() for item in rules.checklist(kind, rules.is_escalator(elevator.name))],
        "reported_at": None,
        "reported_by_id": None,
        "description": "",
        "trapped": False,
        "rescue_limit_minutes": None,
        "created_at": opened,
        "updated_at": opened,
    }


def _record_row(elevator: _Elevator, order: dict, worker_id: int, arrived: datetime, minutes: int) -> dict:
    left = arrived + timedelta(minutes=minutes)
    hint = (elevator.token or "")[:4]
    return {
        "device_id": order["device_id"],
        "company_id": order["company_id"],
        "enterprise_id": order["enterprise_id"],
        "zone_id": order["zone_id"],
        "kind": order["kind"],
        "worker_id": worker_id,
        "scans": [{"token_hint": hint, "at": at.isoformat()} for at in (arrived, left)],
        "first_scan_at": arrived,
        "last_scan_at": left,
        "released_at": None,
        "short_visit": rules.short_visit(MaintenanceKind(order["kind"]), arrived, left),
        "submitted_at": left + timedelta(minutes=3),
    }


def _fill_items(
    record: dict, items: list[dict], photos: list[str], habits: Habits, rng: random.Random
) -> None:
    """Every item answered; photo items with a live photo, unless the worker dodged it as "not
    applicable" (the evidence strength shows it)."""
    answered, cited = [], []
    pool = iter(rng.sample(photos[1:], len(photos) - 1) * 2)
    for item in items:
        if item["photo"] and rng.random() < habits.no_photo:
            answered.append({"code": item["code"], "result": "not_applicable", "note": "", "photos": []})
        elif item["photo"]:
            photo = next(pool)
            cited.append(photo)
            answered.append({"code": item["code"], "result": "ok", "note": "", "photos": [photo]})
        else:
            adjusted = rng.random() < 0.03
            note = "已调整至标准值" if adjusted else ""
            answered.append(
                {"code": item["code"], "result": "adjusted" if adjusted else "ok", "note": note, "photos": []}
            )
    photo_items = sum(1 for item in items if item["photo"])
    record |= {
        "items": answered,
        "photos": list(dict.fromkeys(cited)),
        "signature_sha256": photos[0],
        "evidence_strength": rules.evidence_strength(photo_items, len(cited), 2, True, record["short_visit"]),
        "payload_hash": payload_hash({"items": answered, "scans": record["scans"]}),
    }


def _answer(record: dict, managers: list[int] | None, habits: Habits, rng: random.Random) -> None:
    disputed = rng.random() < habits.disputed
    record |= {
        "status": (RecordStatus.disputed if disputed else RecordStatus.confirmed).value,
        "answered_by_id": managers[0] if managers else None,
        "answered_at": record["last_scan_at"] + timedelta(hours=rng.randint(1, 30)),
        "dispute_reason": rng.choice(DISPUTE_REASONS) if disputed else "",
    }


@dataclass(frozen=True)
class _Call:
    """An urgent call-out: when the using unit reported what, and when the worker arrived and left."""

    reported: datetime
    description: str
    trapped: bool
    arrived_after: int
    on_site: int


def _entrapment(
    elevator: _Elevator, firm: _Company, managers: dict[int, list[int]], photos: list[str], as_of: date
) -> tuple[dict, dict]:
    """困人: the using unit reported it, the worker arrived after the limit and freed them."""
    day = as_of - timedelta(days=ENTRAPMENT_DAYS_AGO)
    call = _Call(
        datetime.combine(day, time(18, 12), CHINA_TZ),
        "轿厢停在3、4层之间，2人被困",
        True,
        ARRIVAL_MINUTES,
        20,
    )
    order, record = _urgent_visit(elevator, firm, managers, photos, call)
    record["released_at"] = call.reported + timedelta(minutes=RELEASE_MINUTES)
    return order, record


def _fault(
    elevator: _Elevator, firm: _Company, managers: dict[int, list[int]], photos: list[str], day: date
) -> tuple[dict, dict]:
    """故障报修: the using unit reported a lift out of order (no one inside); the worker came and fixed it."""
    call = _Call(
        datetime.combine(day, time(9, 40), CHINA_TZ), "电梯运行中异响，平层不准，已停梯", False, 70, 35
    )
    return _urgent_visit(elevator, firm, managers, photos, call)


def _urgent_visit(
    elevator: _Elevator, firm: _Company, managers: dict[int, list[int]], photos: list[str], call: _Call
) -> tuple[dict, dict]:
    order = _order_row(elevator, MaintenanceKind.urgent, local_day(call.reported)) | {
        "reported_at": call.reported,
        "reported_by_id": next(iter(managers.get(elevator.enterprise_id, [])), None),
        "description": call.description,
        "trapped": call.trapped,
        "rescue_limit_minutes": rules.DEFAULT_RESCUE_LIMIT_MINUTES if call.trapped else None,
        "created_at": call.reported,
        "updated_at": call.reported,
    }
    arrived = call.reported + timedelta(minutes=call.arrived_after)
    record = _record_row(elevator, order, firm.workers[0], arrived, call.on_site)
    seed = 0 if call.trapped else 1
    _fill_items(record, order["items"], photos, HABITS[0], random.Random(seed))  # noqa: S311 - demo data
    _answer(record, managers.get(elevator.enterprise_id), HABITS[0], random.Random(seed))  # noqa: S311
    return order, record


def _insert(visits: list[tuple[dict, dict]]) -> None:
    """Orders, then their records, then the records and answers into the evidence chain."""
    if not visits:
        return
    order_ids = db.session.scalars(
        insert(MaintenanceOrder).returning(MaintenanceOrder.id, sort_by_parameter_order=True),
        [order for order, _record in visits],
    ).all()
    db.session.execute(
        insert(MaintenanceRecord),
        [record | {"order_id": oid} for (_o, record), oid in zip(visits, order_ids, strict=True)],
    )
    records = db.session.scalars(select(MaintenanceRecord).order_by(MaintenanceRecord.id)).all()
    append_evidence_batch(
        event
        for record in records
        for event in (
            ("maintenance.record", str(record.id), record_evidence(record)),
            (
                f"maintenance.{'confirm' if record.status == RecordStatus.confirmed else 'dispute'}",
                str(record.id),
                answer_evidence(record),
            ),
        )
    )
