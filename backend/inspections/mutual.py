"""Block mutual-check cycles (互查), their assignments, and the supervisor pool (监督员库)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from backend.accounts.models import User
from backend.core.auth import Role
from backend.core.clock import today
from backend.core.errors import NotFound, ValidationFailed
from backend.core.pagination import Page, paginate
from backend.extensions import db
from backend.inspections import rules
from backend.inspections.models import MutualCheckAssignment, MutualCheckCycle, SupervisorExam
from backend.org.models import Block, Certificate, CertificateKind, Enterprise, Person, Verification, Zone
from backend.org.people import certificate_in_force
from backend.org.scope import Actor, enterprise_scope, zone_scope
from backend.org.services import get_enterprise_for


def supervisor_certificate(user: User, as_of: date) -> Certificate | None:
    """The user's block-supervisor certificate valid on `as_of` (特种设备安全监督员证)."""
    return certificate_in_force(user.person, CertificateKind.block_supervisor, as_of)


def is_eligible(user: User, as_of: date) -> bool:
    """May this user do mutual checks on `as_of`? A block supervisor with a valid certificate."""
    return user.role == Role.block_supervisor and supervisor_certificate(user, as_of) is not None


def _supervisors_of(enterprise_ids: list[int]) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.block_supervisor,
                User.active.is_(True),
                User.enterprise_id.in_(enterprise_ids),
            )
            .options(joinedload(User.person).selectinload(Person.certificates))
            .order_by(User.id)
        ).unique()
    )


def eligible_supervisors(enterprise_ids: list[int], as_of: date) -> dict[int, list[int]]:
    pool: dict[int, list[int]] = {}
    for user in _supervisors_of(enterprise_ids):
        if is_eligible(user, as_of):
            pool.setdefault(user.enterprise_id, []).append(user.id)  # type: ignore[arg-type]
    return pool


# --- cycles ---------------------------------------------------------------------------


def visible_cycles(actor: Actor) -> Select:
    """Cycles are zone-level: regulators see their zone's, enterprise people their own zone's."""
    return (
        select(MutualCheckCycle)
        .where(zone_scope(actor, MutualCheckCycle.zone_id))
        .options(selectinload(MutualCheckCycle.assignments))
        .order_by(MutualCheckCycle.starts_on.desc(), MutualCheckCycle.id.desc())
    )


def list_cycles(actor: Actor, filters: dict) -> Page:
    return paginate(visible_cycles(actor), filters["page"], filters["per_page"])


def get_cycle_for(actor: Actor, cycle_id: int) -> MutualCheckCycle:
    cycle = db.session.scalar(visible_cycles(actor).where(MutualCheckCycle.id == cycle_id))
    if cycle is None:
        raise NotFound("互查周期不存在或不在您的管辖范围 (cycle not found)")
    return cycle


def open_cycle(actor: Actor, data: dict) -> MutualCheckCycle:
    """Open a mutual-check round for a zone and draw a supervisor for every enterprise."""
    zone_id = actor.zone_id if actor.role == Role.inspector else data.get("zone_id")
    if zone_id is None:
        raise ValidationFailed(details={"fields": {"zone_id": ["请选择辖区 (required)"]}})
    if db.session.get(Zone, zone_id) is None:
        raise ValidationFailed(details={"fields": {"zone_id": ["辖区不存在 (no such zone)"]}})
    if data["due_on"] < data["starts_on"]:
        raise ValidationFailed(details={"fields": {"due_on": ["截止日期不能早于开始日期"]}})
    seed = data.get("seed") if data.get("seed") is not None else secrets.randbelow(2**31)
    cycle = MutualCheckCycle(
        zone_id=zone_id,
        name=data["name"],
        starts_on=data["starts_on"],
        due_on=data["due_on"],
        seed=seed,
        created_by_id=actor.id,
    )
    db.session.add(cycle)
    db.session.flush()
    blocks = db.session.scalars(select(Block).where(Block.zone_id == zone_id).order_by(Block.id))
    for block in blocks:
        _assign_block(cycle, block)
    if not cycle.assignments:
        raise ValidationFailed(
            "该辖区没有区块或企业 (no blocks to check)", details={"fields": {"zone_id": ["没有可互查的区块"]}}
        )
    db.session.flush()
    return cycle


def open_due_cycles(actor: Actor, as_of: date) -> int:
    """The schedule opens the quarter's round in every zone that has blocks and no round
    overlapping the quarter yet (opened by `actor`, the bureau); the number opened."""
    name, quarter = rules.mutual_check_quarter(as_of)
    covered = select(MutualCheckCycle.zone_id).where(
        MutualCheckCycle.starts_on <= quarter.end, MutualCheckCycle.due_on >= quarter.start
    )
    zones = db.session.scalars(
        select(Zone.id)
        .where(
            Zone.id.not_in(covered),
            Zone.id.in_(select(Enterprise.zone_id).where(Enterprise.block_id.isnot(None))),
        )
        .order_by(Zone.id)
    ).all()
    for zone_id in zones:
        open_cycle(actor, {"name": name, "zone_id": zone_id, "starts_on": as_of, "due_on": quarter.end})
    return len(zones)


def _assign_block(cycle: MutualCheckCycle, block: Block) -> None:
    enterprise_ids = list(
        db.session.scalars(
            select(Enterprise.id).where(Enterprise.block_id == block.id).order_by(Enterprise.id)
        )
    )
    if not enterprise_ids:
        return
    plan = rules.assign_mutual_checks(
        enterprise_ids, eligible_supervisors(enterprise_ids, cycle.starts_on), seed=cycle.seed ^ block.id
    )
    chosen = {a.enterprise_id: a.supervisor_id for a in plan.assignments}
    for enterprise_id in enterprise_ids:
        cycle.assignments.append(
            MutualCheckAssignment(
                block_id=block.id,
                enterprise_id=enterprise_id,
                zone_id=cycle.zone_id,
                supervisor_id=chosen.get(enterprise_id),
            )
        )


# --- assignments ------------------------------------------------------------------------


def visible_assignments(actor: Actor, filters: dict | None = None) -> Select:
    """Regulators: their zone; a supervisor: their tasks and visits to their enterprise;
    a safety manager: visits to their enterprise."""
    filters = filters or {}
    A = MutualCheckAssignment
    if actor.role == Role.block_supervisor:
        clause = or_(A.supervisor_id == actor.id, A.enterprise_id == (actor.enterprise_id or 0))
    else:
        clause = enterprise_scope(actor, A.enterprise_id, A.zone_id)
    query = select(A).where(clause)
    if filters.get("mine"):
        query = query.where(A.supervisor_id == actor.id)
    for key in ("cycle_id", "enterprise_id", "block_id"):
        if filters.get(key):
            query = query.where(getattr(A, key) == filters[key])
    if filters.get("done") is not None:
        query = query.where(A.check_id.isnot(None) if filters["done"] else A.check_id.is_(None))
    return query.options(selectinload(A.cycle), joinedload(A.enterprise), joinedload(A.supervisor)).order_by(
        A.cycle_id.desc(), A.id
    )


def list_assignments(actor: Actor, filters: dict) -> Page:
    return paginate(visible_assignments(actor, filters), filters["page"], filters["per_page"])


def get_assignment_for(actor: Actor, assignment_id: int) -> MutualCheckAssignment:
    found = db.session.scalar(visible_assignments(actor).where(MutualCheckAssignment.id == assignment_id))
    if found is None:
        raise NotFound("互查任务不存在或不在您的管辖范围 (assignment not found)")
    return found


def reassign_supervisor(actor: Actor, assignment_id: int, supervisor_id: int) -> MutualCheckAssignment:
    """Hand a task to another supervisor of the block: never of the inspected enterprise,
    and only with a valid supervisor certificate (4xx otherwise)."""
    assignment = get_assignment_for(actor, assignment_id)
    supervisor = db.session.get(User, supervisor_id)
    fields: dict[str, list[str]] = {"supervisor_id": []}
    in_block = supervisor is not None and supervisor.block_id == assignment.block_id
    if supervisor is None or supervisor.role != Role.block_supervisor or not in_block:
        fields["supervisor_id"].append("须为本区块的监督员 (not a supervisor of this block)")
    elif supervisor.enterprise_id == assignment.enterprise_id:
        fields["supervisor_id"].append("监督员不能检查本单位 (cannot inspect own enterprise)")
    elif not is_eligible(supervisor, max(assignment.cycle.starts_on, today())):
        raise ValidationFailed(
            "该监督员的监督员证已过期或无效 (supervisor certificate expired or missing)",
            code="supervisor_not_eligible",
            details={"fields": {"supervisor_id": ["监督员证已过期或无效"]}},
        )
    if fields["supervisor_id"]:
        raise ValidationFailed(code="supervisor_not_eligible", details={"fields": fields})
    if assignment.check_id is not None:
        raise ValidationFailed(details={"fields": {"supervisor_id": ["该任务已完成，不能改派"]}})
    assert supervisor is not None  # noqa: S101 - refused above when missing
    assignment.supervisor_id = supervisor.id
    db.session.flush()
    return assignment


# --- supervisor pool ------------------------------------------------------------------


def supervisor_pool(actor: Actor, as_of: date) -> list[dict]:
    """Block supervisors in scope with certificate, exams and eligibility (监督员库)."""
    query = select(User.enterprise_id).where(User.role == Role.block_supervisor)
    enterprise_ids = list(
        db.session.scalars(
            select(Enterprise.id).where(enterprise_scope(actor, Enterprise.id), Enterprise.id.in_(query))
        )
    )
    users = _supervisors_of(enterprise_ids)
    exams = _exams([u.person_id for u in users if u.person_id])
    return [_pool_row(u, exams.get(u.person_id or 0, []), as_of) for u in users]


def _exams(person_ids: list[int]) -> dict[int, list[SupervisorExam]]:
    rows = db.session.scalars(
        select(SupervisorExam)
        .where(SupervisorExam.person_id.in_(person_ids))
        .order_by(SupervisorExam.exam_on)
    )
    found: dict[int, list[SupervisorExam]] = {}
    for exam in rows:
        found.setdefault(exam.person_id, []).append(exam)
    return found


def _pool_row(user: User, exams: list[SupervisorExam], as_of: date) -> dict:
    certs = [
        c
        for c in (user.person.certificates if user.person else [])
        if c.kind == CertificateKind.block_supervisor
    ]
    latest = max(certs, key=lambda c: c.expires_on or date.max, default=None)
    return {
        "user_id": user.id,
        "display_name": user.display_name,
        "enterprise_id": user.enterprise_id,
        "enterprise_name": user.enterprise.name if user.enterprise else None,
        "block_id": user.block_id,
        "block_name": user.enterprise.block.name if user.enterprise and user.enterprise.block else None,
        "person_id": user.person_id,
        "certificate": {
            "number": latest.number,
            "issued_on": latest.issued_on,
            "expires_on": latest.expires_on,
        }
        if latest
        else None,
        "exams": [
            {"exam_on": e.exam_on, "trained_on": e.trained_on, "score": e.score, "passed": e.passed}
            for e in exams
        ],
        "eligible": is_eligible(user, as_of),
    }


def record_exam(actor: Actor, data: dict) -> SupervisorExam:
    """Record a training/exam result; a pass with certificate dates issues the certificate."""
    person = db.session.get(Person, data["person_id"])
    if person is None or person.enterprise_id is None:
        raise NotFound("人员不存在 (person not found)")
    get_enterprise_for(actor, person.enterprise_id)
    exam = SupervisorExam(
        person_id=person.id,
        trained_on=data.get("trained_on"),
        exam_on=data["exam_on"],
        score=data["score"],
        passed=data["passed"],
        recorded_by_id=actor.id,
    )
    db.session.add(exam)
    if data["passed"] and data.get("certificate_number"):
        person.certificates.append(
            Certificate(
                kind=CertificateKind.block_supervisor,
                # issued by the bureau on the exam it recorded: nothing to check
                verification=Verification.verified,
                verified_by=actor.username,
                verified_on=data["exam_on"],
                number=data["certificate_number"],
                issued_on=data.get("issued_on") or data["exam_on"],
                expires_on=data.get("expires_on"),
            )
        )
    db.session.flush()
    return exam
