"""A deterministic demo city (and province-size data for benchmarks), bulk-inserted."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from backend.accounts.models import User
from backend.core.auth import Role
from backend.core.changes import record_changes
from backend.core.clock import today, utcnow
from backend.core.db import advance_id_sequences, chunks
from backend.core.search import rebuild_terms
from backend.credit.models import Accident, EnforcementCase
from backend.credit.recompute import recompute_grades
from backend.credit.records import record_evidence
from backend.devices.models import Device, new_qr_token
from backend.devices.rules import DeviceCategory, DeviceStatus
from backend.evidence.services import append_evidence_batch
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.hazards.services import hazard_evidence
from backend.inspections.demo import load_inspection_demo
from backend.maintenance.demo import load_maintenance_demo
from backend.org.models import Block, Certificate, Enterprise, Person, PublicPlace, Zone
from backend.org.rules import CREDIT_CODE_CHARS, credit_code_check_char

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - documented demo credential
ZONE_NAMES = ("城东分局", "城西分局", "港区分局")
#: category → (share of devices, registration prefix, typical names)
CATEGORY_MIX = {
    DeviceCategory.elevator: (0.38, "梯", ("客梯", "货梯", "自动扶梯")),
    DeviceCategory.pressure_vessel: (0.2, "容", ("储气罐", "反应釜", "换热器")),
    DeviceCategory.field_vehicle: (0.12, "车", ("叉车", "观光车")),
    DeviceCategory.crane: (0.12, "起", ("桥式起重机", "门式起重机")),
    DeviceCategory.boiler: (0.06, "锅", ("燃气锅炉", "蒸汽锅炉")),
    DeviceCategory.pressure_piping: (0.06, "管", ("蒸汽管道", "燃气管道")),
    DeviceCategory.gas_cylinder: (0.04, "瓶", ("液化气瓶组", "氧气瓶组")),
    DeviceCategory.amusement_ride: (0.015, "游", ("摩天轮", "旋转木马")),
    DeviceCategory.ropeway: (0.005, "索", ("客运索道",)),
}
KEY_CATEGORIES = (DeviceCategory.boiler, DeviceCategory.amusement_ride, DeviceCategory.ropeway)
INDUSTRIES = ("机械", "化工", "纺织", "物流", "食品", "电子", "钢铁", "酒店", "商场", "医院", "学校", "物业")


@dataclass(frozen=True)
class Scale:
    zones: int = 3
    blocks_per_zone: int = 4
    enterprises: int = 100
    devices: int = 3000
    change_feed: bool = True


CITY = Scale()
PROVINCE = Scale(zones=16, blocks_per_zone=2000, enterprises=600_000, devices=2_300_000, change_feed=False)


def credit_code(n: int) -> str:
    """A valid, deterministic unified social credit code for demo enterprise n."""
    body = "".join(CREDIT_CODE_CHARS[(n // 31**i) % 31] for i in range(9))
    first17 = "91320582" + body
    return first17 + credit_code_check_char(first17)


def _bulk(model, rows) -> None:
    for chunk in chunks(rows, 20_000):
        db.session.execute(insert(model), chunk)


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Zone))


def load_demo(scale: Scale = CITY, seed: int = 2024) -> dict:
    """Generate the demo city; returns counts. Same seed, same city."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    as_of = today()
    _bulk(
        Zone,
        (
            {
                "id": z + 1,
                "name": _zone_name(z),
                "code": f"Z{z + 1:02d}",
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for z in range(scale.zones)
        ),
    )
    blocks = scale.zones * scale.blocks_per_zone
    _bulk(
        Block,
        (
            {
                "id": b + 1,
                "zone_id": b // scale.blocks_per_zone + 1,
                "name": f"第{b + 1}区块",
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for b in range(blocks)
        ),
    )
    _bulk(Enterprise, (_enterprise(i, scale, blocks, rng, as_of) for i in range(scale.enterprises)))
    _bulk(Person, (_manager(i, scale) for i in range(scale.enterprises)))
    _bulk(Certificate, _certificates(scale, as_of))
    _bulk(Device, (_device(d, scale, rng, as_of) for d in range(scale.devices)))
    _demo_users(scale)
    _credit_events(scale, as_of)
    load_demo_hazards(scale, as_of)
    _chain_bulk_records()
    if scale.change_feed:
        _seed_change_feed()
    db.session.flush()
    checks = _demo_checks(scale, as_of) if scale.change_feed else 0
    if scale.change_feed:
        load_maintenance_demo(as_of)
    for model in (Enterprise, Device, Hazard):  # bulk inserts bypass the ORM's search indexing
        rebuild_terms(model)
    advance_id_sequences(db.session(), db.metadata)
    db.session.execute(text("ANALYZE"))  # fresh planner statistics after a bulk load
    recompute_grades(as_of, cause="demo")
    return {
        "zones": scale.zones,
        "blocks": blocks,
        "enterprises": scale.enterprises,
        "devices": scale.devices,
        "checks": checks,
    }


def _zone_name(z: int) -> str:
    return ZONE_NAMES[z] if z < len(ZONE_NAMES) else f"第{z + 1}分局"


def _enterprise_zone(i: int, scale: Scale) -> int:
    """Zone of demo enterprise i (0-based): its block's zone, or round-robin for maintainers."""
    blocks = scale.zones * scale.blocks_per_zone
    if i % 25 == 24:
        return i % scale.zones + 1
    return (i % blocks) // scale.blocks_per_zone + 1


def _enterprise(i: int, scale: Scale, blocks: int, rng: random.Random, as_of: date) -> dict:
    maintainer = i % 25 == 24
    block = None if maintainer else i % blocks + 1
    zone = _enterprise_zone(i, scale)
    industry = INDUSTRIES[i % len(INDUSTRIES)]
    places = list(PublicPlace)
    address = f"示例市{_zone_name(zone - 1)[:2]}区{rng.randint(1, 999)}号"
    founded_days_ago = rng.randint(200, 9000)
    if i % 16 == 0:  # the hazard-heavy ones (load_demo_hazards): under three years old, so
        founded_days_ago = 200 + founded_days_ago % 800  # not lowered (第十三条): C occurs
    return {
        "id": i + 1,
        "name": f"{'维保' if maintainer else industry}示例企业{i + 1:06d}有限公司",
        "credit_code": credit_code(i + 1),
        "zone_id": zone,
        "block_id": block,
        "address": address,
        "established_on": as_of - timedelta(days=founded_days_ago),
        "roles": "maintainer" if maintainer else "user",
        "public_place": places[i % len(places)] if industry in ("商场", "医院", "学校") else None,
        "model_status": "accepted" if i < scale.zones else "none",
        "model_accepted_on": as_of - timedelta(days=90) if i < scale.zones else None,
        "contact_phone": f"0512-{5800_0000 + i:08d}"[:13],
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _manager(i: int, scale: Scale) -> dict:
    return {
        "id": i + 1,
        "name": f"安全员{i + 1:06d}",
        "phone": f"138{i:08d}"[:11],
        "enterprise_id": i + 1,
        "zone_id": None,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


#: the demo city's certificates were checked by the bureau: they count in its grades and lists
VERIFIED = {"verification": "verified", "verified_by": "demo"}


def _certificates(scale: Scale, as_of: date):
    for i in range(scale.enterprises):
        lapsed = i % 17 == 0 or i % 16 == 0  # about one in eight has no valid safety manager
        expires = as_of - timedelta(days=20) if lapsed else as_of + timedelta(days=30 + (i * 37) % 1400)
        yield {
            "person_id": i + 1,
            "kind": "safety_manager",
            "number": f"TA{i + 1:08d}",
            "issued_on": as_of - timedelta(days=400),
            "expires_on": expires,
            "verified_on": as_of - timedelta(days=400),
            "created_at": utcnow(),
            "updated_at": utcnow(),
        } | VERIFIED
        # the operators' certificates (作业人员证) their boilers, cranes and forklifts need
        yield {
            "person_id": i + 1,
            "kind": "operator",
            "number": f"ZY{i + 1:08d}",
            "issued_on": as_of - timedelta(days=300),
            "expires_on": as_of + timedelta(days=1000 + (i * 53) % 1400),
            "verified_on": as_of - timedelta(days=300),
            "created_at": utcnow(),
            "updated_at": utcnow(),
        } | VERIFIED
        if i % 4 == 1 or i == scale.zones * scale.blocks_per_zone:  # supervisors (监督员证)
            yield {
                "person_id": i + 1,
                "kind": "block_supervisor",
                "number": f"JD{i + 1:08d}",
                "issued_on": as_of - timedelta(days=200),
                "expires_on": as_of + timedelta(days=900),
                "verified_on": as_of - timedelta(days=200),
                "created_at": utcnow(),
                "updated_at": utcnow(),
            } | VERIFIED


def _pick_category(rng: random.Random) -> DeviceCategory:
    roll, total = rng.random(), 0.0
    for category, (share, _prefix, _names) in CATEGORY_MIX.items():
        total += share
        if roll < total:
            return category
    return DeviceCategory.elevator


def _device(d: int, scale: Scale, rng: random.Random, as_of: date) -> dict:
    category = _pick_category(rng)
    _share, prefix, names = CATEGORY_MIX[category]
    enterprise_id = _device_owner(d, scale)
    roll = rng.random()
    status = (
        DeviceStatus.scrapped if roll < 0.02 else DeviceStatus.idle if roll < 0.07 else DeviceStatus.in_use
    )
    # about one device in twenty is overdue (超期未检)
    due = as_of + timedelta(days=rng.randint(-60, 365) if rng.random() < 0.3 else rng.randint(20, 365))
    maintainer = (enterprise_id // 25) * 25 + 25
    return {
        "id": d + 1,
        "enterprise_id": enterprise_id,
        "zone_id": _enterprise_zone(enterprise_id - 1, scale),
        "category": category.value,
        "registration_no": f"{prefix}{10 + d % 90}苏E{d + 1:07d}",
        "device_code": f"{3000 + d % 7000}{d + 1:08d}",
        "name": names[d % len(names)],
        "location": f"{1 + d % 6}号楼{1 + d % 3}层",
        "status": status.value,
        "idle_since": as_of - timedelta(days=rng.randint(30, 800)) if status == DeviceStatus.idle else None,
        "next_inspection_due": due,
        "last_inspection_on": due - timedelta(days=365),
        "key_monitored": category in KEY_CATEGORIES or rng.random() < 0.05,
        "maintenance_company_id": maintainer
        if category == DeviceCategory.elevator and maintainer <= scale.enterprises
        else None,
        "emergency_phone": "96333" if category == DeviceCategory.elevator else "",
        "qr_token": new_qr_token(),
        "qr_issued_at": utcnow(),
        # registered places spread over a few kilometres of Suzhou (no draw: the demo's other data stays)
        "latitude": round(31.25 + (d * 37 % 100) * 0.001, 6),
        "longitude": round(120.55 + (d * 53 % 100) * 0.001, 6),
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _device_owner(d: int, scale: Scale) -> int:
    """Skewed: low-numbered enterprises own many devices (some ≥ 20, most fewer)."""
    owner = min(int(scale.enterprises * (d / scale.devices) ** 2) + 1, scale.enterprises)
    return owner - 1 if owner % 25 == 0 else owner  # maintainers own no devices


#: more inspectors of zone N besides inspectorN (双随机 sends two officers; recusals need a third)
EXTRA_INSPECTORS = (("b", "二"), ("c", "三"))


def _demo_users(scale: Scale) -> None:
    """admin, inspector1..N, manager1 (enterprise 1), supervisor1 (enterprise 2, same block), then
    two more inspectors per zone (inspector1b, inspector1c, …)."""
    password_hash = generate_password_hash(DEMO_PASSWORD)
    blocks = scale.zones * scale.blocks_per_zone
    rows: list[dict[str, object]] = [
        {"username": "admin", "role": Role.bureau_admin, "display_name": "市局管理员"},
        *(
            {
                "username": f"inspector{z + 1}",
                "role": Role.inspector,
                "display_name": f"{_zone_name(z)}监察员",
                "zone_id": z + 1,
            }
            for z in range(scale.zones)
        ),
        {
            "username": "manager1",
            "role": Role.safety_manager,
            "display_name": "安全员一",
            "enterprise_id": 1,
            "person_id": 1,
        },
        {
            "username": "supervisor1",
            "role": Role.block_supervisor,
            "display_name": "监督员一",
            "enterprise_id": 1 + blocks,
            "person_id": 1 + blocks,
        },
        *(
            {
                "username": f"inspector{z + 1}{suffix}",
                "role": Role.inspector,
                "display_name": f"{_zone_name(z)}监察员{number}",
                "zone_id": z + 1,
            }
            for z in range(scale.zones)
            for suffix, number in EXTRA_INSPECTORS
        ),
    ]
    _bulk(
        User,
        (
            {
                "password_hash": password_hash,
                "active": True,
                "created_at": utcnow(),
                "updated_at": utcnow(),
                "zone_id": None,
                "enterprise_id": None,
                "person_id": None,
            }
            | row
            for row in rows
        ),
    )


def _credit_events(scale: Scale, as_of: date) -> None:
    """Accidents (one enterprise in 150) and enforcement cases (one in 60, half fined)."""
    admin = db.session.scalar(select(User.id).where(User.username == "admin"))
    users = [i for i in range(scale.enterprises) if i % 25 != 24]
    _bulk(
        Accident,
        (
            {
                "enterprise_id": i + 1,
                "zone_id": _enterprise_zone(i, scale),
                "occurred_on": as_of - timedelta(days=(i * 13) % 1500 + 1),
                "deaths": 1 if i % 900 == 0 else 0,
                "injuries": i % 3,
                "responsible": i % 4 != 0,
                "description": "起重机械吊物坠落",
                "recorded_by_id": admin,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for i in users
            if i % 150 == 7
        ),
    )
    _bulk(
        EnforcementCase,
        (
            {
                "enterprise_id": i + 1,
                "zone_id": _enterprise_zone(i, scale),
                "case_no": f"特监罚〔{as_of.year}〕{i + 1}号",
                "opened_on": as_of - timedelta(days=(i * 7) % 700 + 1),
                "violation": "使用未经定期检验的特种设备",
                "ordered_to_correct": True,
                "fine_yuan": 30000 if i % 120 == 11 else None,
                "recorded_by_id": admin,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for i in users
            if i % 60 == 11
        ),
    )


HAZARD_TEXTS = (
    "安全阀未按期校验",
    "电梯轿厢应急照明失效",
    "叉车司机无证作业",
    "压力表超期未检",
    "起重机限位器失灵",
    "锅炉水位计模糊不清",
)


def load_demo_hazards(scale: Scale, as_of: date) -> None:
    """Hazards for one user enterprise in four (deterministic): open, overdue, major, closed.

    Enterprises i % 16 == 0 carry several overdue and major ones, so every grade occurs.
    """
    import uuid

    reporter = db.session.scalar(select(User.id).where(User.username == "admin"))
    rows = []
    for i in range(0, scale.enterprises, 4):
        if i % 25 == 24:
            continue
        for k in range(1 + (i // 4) % 3 + (3 if i % 16 == 0 else 0)):
            overdue = k % 2 == 0 and (i % 16 == 0 or (k == 0 and i % 12 == 0))
            status = "verified_closed" if (i + k) % 5 == 4 else ("rectifying" if k % 3 == 1 else "reported")
            rows.append(
                {
                    "id": str(uuid.UUID(int=(i << 8) + k + 1)),
                    "enterprise_id": i + 1,
                    "zone_id": _enterprise_zone(i, scale),
                    "device_id": None,
                    "source": ("self_check", "mutual_check", "inspection")[(i + k) % 3],
                    "category": "一般隐患",
                    "severity": "major" if k == 3 else "general",
                    "description": HAZARD_TEXTS[(i + k) % len(HAZARD_TEXTS)],
                    "location": "",
                    "responsible_person": "",
                    "status": status,
                    "deadline": as_of + timedelta(days=-5 - k if overdue else 10 + k),
                    "reported_by_id": reporter,
                    "reporter_role": Role.bureau_admin,
                    "closed_at": utcnow() if status == "verified_closed" else None,
                    "payload_hash": "0" * 64,
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
            )
    _bulk(Hazard, rows)


def _chain_bulk_records() -> None:
    """The bulk-inserted hazards, accidents and cases enter the evidence chain, as a service's write would."""
    db.session.flush()
    with_photos = select(Hazard).options(selectinload(Hazard.photos))
    hazards = db.session.scalars(with_photos.order_by(Hazard.id)).all()
    credit = [*db.session.scalars(select(Accident).order_by(Accident.id))]
    cases = [*db.session.scalars(select(EnforcementCase).order_by(EnforcementCase.id))]
    append_evidence_batch(
        [
            *(("accident.record", str(a.id), record_evidence(a)) for a in credit),
            *(("enforcement.open", str(c.id), record_evidence(c)) for c in cases),
            *(("hazard.create", h.id, hazard_evidence(h)) for h in hazards),
        ]
    )


def _seed_change_feed() -> None:
    """Every bulk-inserted record the phone pulls enters the change feed, as a service's write would."""
    for entity, id_column, enterprise_column in (
        ("enterprise", Enterprise.id, Enterprise.id),
        ("device", Device.id, Device.enterprise_id),
        ("hazard", Hazard.id, Hazard.enterprise_id),
    ):
        rows = db.session.execute(select(id_column, enterprise_column).order_by(id_column)).all()
        record_changes(entity, rows)


#: extra block supervisors of block 1 (enterprise index, username, certificate still valid)
DEMO_SUPERVISORS = ((36, "supervisor2", True), (60, "supervisor3", True), (84, "supervisor4", False))


def _demo_checks(scale: Scale, as_of: date) -> int:
    """Checklists, a current mutual-check cycle in zone 1 and a few submitted checks."""
    return load_inspection_demo(as_of, DEMO_SUPERVISORS)


DEMO_LOGINS = (
    ("admin", "bureau_admin", "市局管理员"),
    ("inspector1", "inspector", "城东分局监察员"),
    ("inspector1b", "inspector", "城东分局监察员二（双随机派两人）"),
    ("manager1", "safety_manager", "企业安全管理员"),
    ("supervisor1", "block_supervisor", "同区块另一企业的监督员"),
    ("maint1", "maintenance_worker", "维保人员（维保企业1的电梯）"),
    ("maintadmin1", "maintenance_admin", "维保单位管理员"),
)
