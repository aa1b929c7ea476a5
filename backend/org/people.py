"""People of enterprises, their certificates and training: edits, renewals and the regulators' check.

A certificate the state issues (CertificateKind) that an enterprise enters is self-declared
(`pending`) until a regulator verifies it against its photo; only verified certificates that no
verified renewal has replaced count (two lists, credit grade, mutual-check eligibility). Every
change is in the history (core.history), in the same transaction as the change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, or_, select

from backend.core.auth import REGULATORS
from backend.core.clock import today
from backend.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.history import HistoryEntry, assign_with_history, record_history
from backend.extensions import db
from backend.org.models import Certificate, CertificateKind, Person, Training, Verification
from backend.org.scope import Actor, can_manage_enterprise, enterprise_scope, own_records_scope

#: the fields of a certificate its history starts with
CERTIFICATE_FIELDS = (
    "kind",
    "number",
    "issued_on",
    "expires_on",
    "photo_sha256",
    "verification",
    "replaces_id",
)


def get_person_for(actor: Actor, person_id: int) -> Person:
    person = db.session.scalar(
        select(Person).where(Person.id == person_id, enterprise_scope(actor, Person.enterprise_id))
    )
    if person is None:
        raise NotFound("人员不存在或不在您的管辖范围 (person not found)")
    return person


def get_managed_person(actor: Actor, person_id: int) -> Person:
    """A person the actor may edit: 404 outside scope, 403 in a block peer's enterprise."""
    person = get_person_for(actor, person_id)
    if person.enterprise is None or not can_manage_enterprise(actor, person.enterprise):
        raise Forbidden("只能维护本单位的人员 (you may only edit your own enterprise's people)")
    return person


def is_regulator(actor: Actor) -> bool:
    return actor.role in REGULATORS


def update_person(actor: Actor, person_id: int, data: dict[str, Any]) -> Person:
    """Edit name, phone, or the day they left (离职); a left person's certificates count no more."""
    person = get_managed_person(actor, person_id)
    data = dict(data)
    reason = data.pop("reason", "")
    _refuse_renaming_a_certified_person(actor, person, data.get("name"))
    if data.get("left_on") and data["left_on"] > today():
        message = "离职日期不能晚于今天 (date is in the future)"
        raise ValidationFailed(message, details={"fields": {"left_on": [message]}})
    assign_with_history(person, "person", data, actor, reason)
    return person


def _refuse_renaming_a_certified_person(actor: Actor, person: Person, name: str | None) -> None:
    """A regulator verified the certificates against this person: renamed by the enterprise, they
    would vouch for someone else (a certified worker's certificate lent to another)."""
    if is_regulator(actor) or name is None or name == person.name:
        return
    if any(c.verification == Verification.verified for c in person.certificates):
        raise Forbidden(
            "持有已核验证书的人员，姓名变更须由监管部门办理 "
            "(a person with verified certificates is renamed by a regulator)"
        )


def add_certificate(actor: Actor, person_id: int, data: dict[str, Any]) -> Certificate:
    """A new certificate, or (`replaces_id`) the renewal of one, kept apart as history.

    Entered by a regulator it is verified at once; entered by the enterprise it waits for a
    regulator to check it against its photo, which it therefore needs.
    """
    person = get_managed_person(actor, person_id)
    if person.left_on is not None and person.left_on <= today():
        raise InvalidState("该人员已离职，不能登记证书 (the person has left)")
    if not is_regulator(actor) and not data.get("photo_sha256"):
        message = "请上传证书照片，供监管人员核验 (a certificate photo is required)"
        raise ValidationFailed(message, details={"fields": {"photo_sha256": [message]}})
    replaced = _replaced_certificate(person, data)
    certificate = Certificate(
        person_id=person.id,
        kind=data["kind"],
        number=data["number"],
        issued_on=data.get("issued_on"),
        expires_on=data.get("expires_on"),
        photo_sha256=data.get("photo_sha256"),
        replaces_id=replaced.id if replaced else None,
        verification=Verification.pending,
    )
    db.session.add(certificate)
    db.session.flush()
    record_history(
        "certificate",
        certificate.id,
        actor,
        {name: (None, getattr(certificate, name)) for name in CERTIFICATE_FIELDS},
        "换证" if replaced else "",
    )
    if is_regulator(actor):
        _verify(actor, certificate, "监管人员录入 (entered by a regulator)")
    return certificate


def _replaced_certificate(person: Person, data: dict[str, Any]) -> Certificate | None:
    replaces_id = data.get("replaces_id")
    if replaces_id is None:
        return None
    old = next((c for c in person.certificates if c.id == replaces_id), None)
    if old is None or old.kind != data["kind"] or old.superseded_on is not None:
        message = "只能换发该人员同类、仍在用的证书 (renew a current certificate of the same kind)"
        raise ValidationFailed(details={"fields": {"replaces_id": [message]}})
    return old


def visible_certificates(actor: Actor, filters: dict[str, Any]) -> Select:
    """Certificates of people in the regulator's scope (bureau: all), the queue first."""
    query = (
        select(Certificate)
        .join(Person, Person.id == Certificate.person_id)
        .where(enterprise_scope(actor, Person.enterprise_id))
    )
    if filters.get("verification"):
        query = query.where(Certificate.verification == filters["verification"])
    if filters.get("kind"):
        query = query.where(Certificate.kind == filters["kind"])
    return query.order_by(Certificate.id)


def get_certificate_for(actor: Actor, certificate_id: int) -> Certificate:
    certificate = db.session.scalar(visible_certificates(actor, {}).where(Certificate.id == certificate_id))
    if certificate is None:
        raise NotFound("证书不存在或不在您的管辖范围 (certificate not found)")
    return certificate


def verify_certificate(actor: Actor, certificate_id: int, reason: str = "") -> Certificate:
    certificate = _pending_certificate(actor, certificate_id)
    if not certificate.photo_sha256:
        raise InvalidState("没有证书照片，无法核验；请驳回并要求补传 (no photo to verify against)")
    _verify(actor, certificate, reason or "核对证书照片一致")
    return certificate


def reject_certificate(actor: Actor, certificate_id: int, reason: str) -> Certificate:
    certificate = _pending_certificate(actor, certificate_id)
    values = {"verification": Verification.rejected, "rejection_reason": reason}
    assign_with_history(certificate, "certificate", values, actor, reason)
    return certificate


def _pending_certificate(actor: Actor, certificate_id: int) -> Certificate:
    certificate = get_certificate_for(actor, certificate_id)
    if certificate.verification != Verification.pending:
        raise InvalidState("该证书已核验或已驳回 (the certificate is not waiting for verification)")
    return certificate


def _verify(actor: Actor, certificate: Certificate, reason: str) -> None:
    values = {
        "verification": Verification.verified,
        "verified_by": getattr(actor, "username", ""),
        "verified_on": today(),
    }
    assign_with_history(certificate, "certificate", values, actor, reason)
    if certificate.replaces_id is not None:
        old = db.session.get(Certificate, certificate.replaces_id)
        if old is not None and old.superseded_on is None:
            reason = f"由证书 {certificate.number} 换发替代 (renewed)"
            assign_with_history(old, "certificate", {"superseded_on": today()}, actor, reason)


def add_training(actor: Actor, person_id: int, data: dict[str, Any]) -> Training:
    """A safety-training record (安全培训档案)."""
    person = get_managed_person(actor, person_id)
    training = Training(person_id=person.id, **data)
    db.session.add(training)
    db.session.flush()
    changes = {f"training.{key}": (None, value) for key, value in data.items()}
    record_history("person", person.id, actor, changes)
    return training


def person_history(actor: Actor, person_id: int) -> list[HistoryEntry]:
    """Changes of the person and of their certificates, newest first; not of a block peer's
    people (their phones are in it, and a mutual check does not need their past)."""
    person = db.session.scalar(
        select(Person).where(Person.id == person_id, own_records_scope(actor, Person.enterprise_id))
    )
    if person is None:
        raise NotFound("人员不存在或不在您的管辖范围 (person not found)")
    certificate_ids = [str(c.id) for c in person.certificates]
    query = (
        select(HistoryEntry)
        .where(
            or_(
                and_(HistoryEntry.entity == "person", HistoryEntry.entity_id == str(person.id)),
                and_(HistoryEntry.entity == "certificate", HistoryEntry.entity_id.in_(certificate_ids)),
            )
        )
        .order_by(HistoryEntry.id.desc())
    )
    return list(db.session.scalars(query))


def counted_certificate_clause(as_of_left: Any) -> Any:
    """SQL: a certificate that counts (verified, not replaced, its holder still on staff on the day)."""
    return and_(
        Certificate.verification == Verification.verified,
        Certificate.superseded_on.is_(None),
        or_(Person.left_on.is_(None), Person.left_on > as_of_left),
    )


def on_staff_certificates(person: Person, as_of: date) -> list[Certificate]:
    if person.left_on is not None and person.left_on <= as_of:
        return []
    return [c for c in person.certificates if c.in_force]


def certificate_in_force(person: Person | None, kind: CertificateKind, as_of: date) -> Certificate | None:
    """The person's certificate of `kind` that counts on `as_of`: verified by a regulator, not replaced,
    issued by then and not expired, its holder still on staff."""
    if person is None or (person.left_on is not None and person.left_on <= as_of):
        return None
    for cert in person.certificates:
        # a renewal verified since `as_of` does not undo the old one's force on that day (a visit
        # recorded offline and synced after the renewal)
        in_force_then = cert.superseded_on is None or cert.superseded_on >= as_of
        if cert.kind != kind or cert.verification != Verification.verified or not in_force_then:
            continue
        if (cert.issued_on is None or cert.issued_on <= as_of) and cert.is_valid_on(as_of):
            return cert
    return None
