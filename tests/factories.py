"""Plain factory functions with defaults: add + flush, unique counters."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

from backend.accounts.models import User
from backend.core.clock import today
from backend.devices.models import Device
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.inspections.models import MutualCheckAssignment, MutualCheckCycle
from backend.org.models import Block, Certificate, Enterprise, Person, Zone
from backend.org.rules import credit_code_check_char
from backend.photos.models import Photo

_counter = itertools.count(1)
PASSWORD = "test-password-1"


def valid_credit_code(n: int | None = None) -> str:
    n = next(_counter) if n is None else n
    first17 = f"91320582MA{n:07d}"
    return first17 + credit_code_check_char(first17)


def make_zone(**overrides) -> Zone:
    n = next(_counter)
    zone = Zone(**({"name": f"分局{n}", "code": f"Z{n}"} | overrides))
    db.session.add(zone)
    db.session.flush()
    return zone


def make_block(zone: Zone, **overrides) -> Block:
    block = Block(**({"zone_id": zone.id, "name": f"区块{next(_counter)}"} | overrides))
    db.session.add(block)
    db.session.flush()
    return block


def make_enterprise(zone: Zone, block: Block | None = None, **overrides) -> Enterprise:
    n = next(_counter)
    values = {
        "name": f"测试企业{n}",
        "credit_code": valid_credit_code(n),
        "zone_id": zone.id,
        "block_id": block.id if block else None,
        "roles": "user",
        "established_on": date(2015, 1, 1),
    }
    enterprise = Enterprise(**(values | overrides))
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def make_device(enterprise: Enterprise, **overrides) -> Device:
    n = next(_counter)
    values = {
        "enterprise_id": enterprise.id,
        "zone_id": enterprise.zone_id,
        "category": "elevator",
        "registration_no": f"梯11苏E{n:07d}",
        "name": f"客梯{n}",
        "next_inspection_due": today() + timedelta(days=200),
    }
    device = Device(**(values | overrides))
    db.session.add(device)
    db.session.flush()
    return device


def make_person(enterprise: Enterprise, *certificates: tuple[str, date | None]) -> Person:
    person = Person(name=f"人员{next(_counter)}", phone="13800000000", enterprise_id=enterprise.id)
    person.certificates = [
        # as a regulator has checked them (the verification flow has its own tests)
        Certificate(kind=kind, number=f"C{next(_counter)}", expires_on=expires, verification="verified")
        for kind, expires in certificates
    ]
    db.session.add(person)
    db.session.flush()
    return person


def make_user(
    role: str, *, enterprise: Enterprise | None = None, zone: Zone | None = None, **overrides
) -> User:
    n = next(_counter)
    user = User(
        username=overrides.pop("username", f"{role}{n}"),
        role=role,
        display_name=f"{role}-{n}",
        enterprise_id=enterprise.id if enterprise else None,
        zone_id=zone.id if zone else None,
        **overrides,
    )
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def new_id() -> str:
    return str(uuid.uuid4())


def make_hazard(enterprise: Enterprise, reporter: User, **overrides) -> Hazard:
    """A hazard inserted directly (no change feed, no evidence), status `reported`."""
    values = {
        "id": new_id(),
        "enterprise_id": enterprise.id,
        "zone_id": enterprise.zone_id,
        "source": "self_check",
        "category": "电梯",
        "severity": "general",
        "description": f"隐患{next(_counter)}",
        "status": "reported",
        "deadline": today() + timedelta(days=15),
        "reported_by_id": reporter.id,
        "reporter_role": reporter.role,
        "payload_hash": "0" * 64,
    }
    hazard = Hazard(**(values | overrides))
    db.session.add(hazard)
    db.session.flush()
    return hazard


def assign_mutual_check(supervisor: User, enterprise: Enterprise, **cycle) -> MutualCheckAssignment:
    """A current mutual-check round in which `supervisor` is to check `enterprise` (互查任务)."""
    round_ = MutualCheckCycle(
        zone_id=enterprise.zone_id,
        name=cycle.pop("name", f"互查{next(_counter)}"),
        starts_on=cycle.pop("starts_on", today() - timedelta(days=1)),
        due_on=cycle.pop("due_on", today() + timedelta(days=14)),
        seed=1,
        created_by_id=supervisor.id,
    )
    db.session.add(round_)
    db.session.flush()
    assignment = MutualCheckAssignment(
        cycle_id=round_.id,
        block_id=enterprise.block_id,
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        supervisor_id=supervisor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def make_photo(sha256: str, uploader: User | None = None) -> str:
    """A stored photo's row (as the upload API leaves it), for steps that cite an uploaded photo."""
    if db.session.get(Photo, sha256) is None:
        db.session.add(
            Photo(
                sha256=sha256,
                width=64,
                height=48,
                size=1000,
                uploaded_by_id=uploader.id if uploader else None,
            )
        )
        db.session.flush()
    return sha256


def image_bytes(
    colour: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (64, 48), fmt: str = "JPEG"
) -> bytes:
    """A small real image made by Pillow (JPEG, PNG or WEBP)."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def record_changes(*objects: Enterprise | Device | Hazard) -> None:
    """Put factory-made rows into the sync change feed (factories bypass it), in order."""
    from backend.core.changes import record_change

    for obj in objects:
        if isinstance(obj, Enterprise):
            record_change("enterprise", obj.id, obj.id)
        elif isinstance(obj, Device):
            record_change("device", obj.id, obj.enterprise_id)
        elif isinstance(obj, Hazard):
            record_change("hazard", obj.id, obj.enterprise_id)
        else:
            raise TypeError(f"no change feed for {type(obj).__name__}")
