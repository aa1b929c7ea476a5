"""Checklist templates and checks (自查 / 互查 / 监督检查 / 示范单位验收): submit, list, status."""

from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import Select, false, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from backend.accounts.models import User
from backend.core.auth import Role
from backend.core.changes import record_change
from backend.core.clock import today
from backend.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.core.exports import export_items, yes_no
from backend.core.hashing import payload_hash
from backend.core.history import assign_with_history
from backend.core.pagination import Page, paginate
from backend.devices.models import Device
from backend.devices.rules import CATEGORY_LABELS
from backend.devices.services import get_device_for
from backend.evidence.models import EvidenceEntry
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.hazards.services import report_hazard
from backend.inspections import rules
from backend.inspections.defaults import DEFAULT_TEMPLATES
from backend.inspections.models import Check, CheckItem, ChecklistTemplate
from backend.inspections.mutual import get_assignment_for, is_eligible
from backend.inspections.pdf import check_pdf
from backend.inspections.rules import CheckKind, InspectionType, ItemResult, Rhythm
from backend.org.models import Enterprise, ModelStatus
from backend.org.scope import Actor, enterprise_scope
from backend.org.services import get_enterprise_for
from backend.photos.models import Photo
from backend.presence.services import evidence_of, presence_record

HAZARD_IDS = uuid.UUID("6f1d3c1e-8a55-4c55-9d7e-3c1b5a0e9f21")


# --- templates ----------------------------------------------------------------------


def install_default_templates() -> int:
    """Publish version 1 of every shipped checklist not installed yet; returns how many."""
    installed = set(db.session.scalars(select(ChecklistTemplate.code).distinct()))
    added = 0
    for template in DEFAULT_TEMPLATES:
        if template["code"] not in installed:
            db.session.add(ChecklistTemplate(version=1, is_current=True, **template))
            added += 1
    db.session.flush()
    return added


def visible_templates(filters: dict) -> Select:
    query = select(ChecklistTemplate).order_by(ChecklistTemplate.code, ChecklistTemplate.version)
    if not filters.get("all_versions"):
        query = query.where(ChecklistTemplate.is_current.is_(True))
    for key in ("code", "purpose", "device_category"):
        if filters.get(key):
            query = query.where(getattr(ChecklistTemplate, key) == filters[key])
    return query


def list_templates(filters: dict) -> list[ChecklistTemplate]:
    """Read-only: the shipped defaults are installed by `flask checklists install` (make migrate)
    and the demo loader, never as a side effect of a GET."""
    return list(
        db.session.scalars(visible_templates(filters).options(selectinload(ChecklistTemplate.published_by)))
    )


def get_template(template_id: int) -> ChecklistTemplate:
    template = db.session.get(ChecklistTemplate, template_id)
    if template is None:
        raise NotFound("检查表不存在 (template not found)")
    return template


def publish_template(actor: Actor, data: dict) -> ChecklistTemplate:
    """Publish a new version of a checklist (bureau admins); earlier checks keep theirs."""
    _check_unique_codes(data["sections"])
    latest = db.session.scalar(
        select(ChecklistTemplate)
        .where(ChecklistTemplate.code == data["code"])
        .order_by(ChecklistTemplate.version.desc())
        .limit(1)
    )
    if latest is not None and (data.get("purpose") or latest.purpose) != latest.purpose:
        raise ValidationFailed(details={"fields": {"purpose": ["同一检查表不能改变用途"]}})
    db.session.execute(
        update(ChecklistTemplate).where(ChecklistTemplate.code == data["code"]).values(is_current=False)
    )
    template = ChecklistTemplate(
        code=data["code"],
        version=(latest.version + 1) if latest else 1,
        purpose=latest.purpose if latest else data.get("purpose") or rules.ENTERPRISE_PURPOSE,
        device_category=latest.device_category if latest else data.get("device_category"),
        title=data["title"],
        sections=data["sections"],
        is_current=True,
        published_by_id=actor.id,
    )
    db.session.add(template)
    db.session.flush()
    append_evidence(
        "template.publish",
        str(template.id),
        {
            "code": template.code,
            "version": template.version,
            "content": payload_hash([template.title, template.sections]),
        },
    )
    return template


def _check_unique_codes(sections: list[dict]) -> None:
    codes = [i["code"] for s in sections for i in s["items"]]
    if len(codes) != len(set(codes)) or not codes:
        raise ValidationFailed(details={"fields": {"sections": ["检查项编号须唯一且至少一项"]}})


# --- checks: scope ---------------------------------------------------------------------


def _check_scope(actor: Actor):
    """Enterprise scope, except that a supervisor sees checks of their own enterprise
    and the ones they performed, not every check in the block."""
    if actor.role == Role.block_supervisor:
        own = Check.enterprise_id == actor.enterprise_id if actor.enterprise_id else false()
        return or_(own, Check.performed_by_id == actor.id)
    return enterprise_scope(actor, Check.enterprise_id, Check.zone_id)


def visible_checks(actor: Actor, filters: dict | None = None) -> Select:
    filters = filters or {}
    query = select(Check).where(_check_scope(actor))
    for key in ("kind", "subkind", "enterprise_id", "device_id", "assignment_id", "result"):
        if filters.get(key) is not None:
            query = query.where(getattr(Check, key) == filters[key])
    if filters.get("mine"):
        query = query.where(Check.performed_by_id == actor.id)
    return query.options(selectinload(Check.items)).order_by(
        Check.performed_on.desc(), Check.created_at.desc(), Check.id
    )


def list_checks(actor: Actor, filters: dict) -> Page:
    return paginate(visible_checks(actor, filters), filters["page"], filters["per_page"])


def get_check_for(actor: Actor, check_id: str) -> Check:
    check = db.session.scalar(visible_checks(actor).where(Check.id == str(check_id)))
    if check is None:
        raise NotFound("检查记录不存在或不在您的管辖范围 (check not found)")
    return check


def check_record_pdf(actor: Actor, check_id: str) -> tuple[Check, bytes]:
    """The printable record of a check in scope, with the evidence entry its submission made."""
    check = get_check_for(actor, check_id)
    entry = db.session.scalar(
        select(EvidenceEntry)
        .where(EvidenceEntry.kind == "check.submit", EvidenceEntry.ref == check.id)
        .order_by(EvidenceEntry.seq)
        .limit(1)
    )
    return check, check_pdf(check, entry)


def superseded_by(check: Check) -> str | None:
    return db.session.scalar(select(Check.id).where(Check.supersedes_id == check.id))


# --- checks: submit ----------------------------------------------------------------------


#: app.extensions key of the grade lookup (enterprise id → "A".."D" or None); credit, a higher
#: domain, registers it at app setup (credit.handlers), so inspections never imports credit
GRADE_LOOKUP = "inspections.grade_of"


def _grade_of(enterprise_id: int) -> str | None:
    lookup = current_app.extensions.get(GRADE_LOOKUP)
    return lookup(enterprise_id) if lookup else None


def _digest(data: dict) -> str:
    # an on-site check hashes as before the mode existed: a replayed older op is no conflict
    kept = {k: v for k, v in data.items() if not (k == "mode" and v == rules.InspectionMode.onsite)}
    return payload_hash({k: str(v) if k in ("id", "supersedes_id") and v else v for k, v in kept.items()})


def submit_check(actor: Actor, data: dict) -> tuple[Check, bool]:
    """Record a filled checklist; failed items become hazards (idempotent by client id).

    Returns (check, created). A correction names the check it supersedes.
    """
    data = {**data, "id": str(data["id"]), "performed_on": data.get("performed_on") or today()}
    digest = _digest(data)
    existing = db.session.get(Check, data["id"])
    if existing is not None:
        if existing.payload_hash != digest or existing.performed_by_id != actor.id:
            raise Conflict("该编号的检查记录已存在且内容不同 (id reused with other content)")
        return get_check_for(actor, existing.id), False
    problem = rules.performed_on_problem(
        data["performed_on"], today(), current_app.config["CHECK_MAX_BACKDATE_DAYS"]
    )
    if problem:
        raise ValidationFailed(details={"fields": {"performed_on": [problem]}})
    enterprise, device, assignment = _target(actor, data)
    mode = data.get("mode") or rules.InspectionMode.onsite
    problem = rules.mode_problem(data["kind"], data.get("subkind") or "", mode, _grade_of(enterprise.id))
    if problem:
        raise ValidationFailed(details={"fields": {"mode": [problem]}})
    template = _template_for(data, device)
    problems = rules.answer_problems(template.item_codes, data["items"], template.required_codes)
    if problems:
        raise ValidationFailed(
            "检查表填写不完整 (checklist incomplete)", details={"fields": {"items": problems}}
        )
    previous = _superseded(actor, data, enterprise.id)
    photos = [sha for item in data["items"] for sha in item.get("photos") or []]
    presence = presence_record(data, photos, enterprise.id, device.id if device else None)
    _check_signature(data.get("signature"))
    check = Check(
        id=data["id"],
        kind=data["kind"],
        subkind=data.get("subkind") or "",
        mode=mode,
        template_id=template.id,
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        device_id=device.id if device else None,
        assignment_id=assignment.id if assignment else None,
        performed_by_id=actor.id,
        performed_on=data["performed_on"],
        result=rules.overall_result(data["items"]),
        summary=data.get("summary") or "",
        signed_by=data.get("signed_by") or "",
        late=_recorded_late(data),
        version=previous.version + 1 if previous else 1,
        supersedes_id=previous.id if previous else None,
        payload_hash=digest,
        presence=presence,
        signature_sha256=data.get("signature"),
    )
    check.items = [
        CheckItem(
            code=a["code"],
            result=a["result"],
            note=a.get("note") or "",
            severity=a.get("severity") or "general",
            photos=list(dict.fromkeys(a.get("photos") or [])),
        )
        for a in data["items"]
    ]
    db.session.add(check)
    db.session.flush()
    _raise_hazards(actor, check, template, previous)
    _after_submit(actor, check, assignment, enterprise)
    return check, True


def _check_signature(signature: str | None) -> None:
    if signature is None:
        return
    if db.session.get(Photo, signature) is None:
        problem = "签名图片尚未上传 (signature not uploaded)"
        raise ValidationFailed(details={"fields": {"signature": [problem]}})


def _recorded_late(data: dict) -> bool:
    if data["kind"] != CheckKind.self_check:
        return False
    rhythm = data.get("subkind") or Rhythm.daily
    grace = current_app.config["SELF_CHECK_GRACE_DAYS"][rhythm]
    return rules.is_recorded_late(rhythm, data["performed_on"], today(), grace)


def _after_submit(actor: Actor, check: Check, assignment, enterprise: Enterprise) -> None:
    if assignment is not None:
        if assignment.check_id is None:  # a later correction keeps the first completion's timing
            assignment.late = rules.is_late(check.performed_on, assignment.cycle.due_on)
        assignment.check_id = check.id
    if check.kind == CheckKind.acceptance:
        accepted = check.result == rules.CheckResult.passed
        values = {
            "model_status": ModelStatus.accepted if accepted else ModelStatus.candidate,
            "model_accepted_on": check.performed_on if accepted else None,
        }
        reason = f"示范单位验收{'通过' if accepted else '未通过'} (acceptance check {check.id})"
        assign_with_history(enterprise, "enterprise", values, actor, reason)
        record_change("enterprise", enterprise.id, enterprise.id)
    db.session.flush()
    record_change("check", check.id, check.enterprise_id)
    if check.device_id is not None:  # its record shows the last self-check
        record_change("device", check.device_id, check.enterprise_id)
    append_evidence("check.submit", check.id, {"content": check_digest(check), "facts": check_facts(check)})


def _target(actor: Actor, data: dict):
    """(enterprise, device, assignment) the check is about, with the kind's permission."""
    kind = CheckKind(data["kind"])
    if kind == CheckKind.mutual_check:
        return _mutual_target(actor, data)
    if kind == CheckKind.self_check:
        return _self_target(actor, data)
    allowed = (Role.bureau_admin,) if kind == CheckKind.acceptance else (Role.bureau_admin, Role.inspector)
    if actor.role not in allowed:
        raise Forbidden("当前角色不能进行此类检查 (role may not perform this check)")
    if kind == CheckKind.inspection and data.get("subkind") not in tuple(InspectionType):
        raise ValidationFailed(details={"fields": {"subkind": ["监督检查须为 routine 或 special"]}})
    return (*_enterprise_and_device(actor, data), None)


def _enterprise_and_device(actor: Actor, data: dict):
    device = get_device_for(actor, data["device_id"]) if data.get("device_id") else None
    enterprise_id = device.enterprise_id if device else data.get("enterprise_id") or actor.enterprise_id
    if enterprise_id is None:
        raise ValidationFailed(details={"fields": {"enterprise_id": ["请选择企业 (required)"]}})
    if device is not None and data.get("enterprise_id") not in (None, device.enterprise_id):
        raise ValidationFailed(details={"fields": {"enterprise_id": ["与设备所属企业不一致"]}})
    return get_enterprise_for(actor, enterprise_id), device


def _self_target(actor: Actor, data: dict):
    if actor.role not in (Role.safety_manager, Role.block_supervisor) or actor.enterprise_id is None:
        raise Forbidden("自查由本单位安全管理员完成 (self-checks are the enterprise's own)")
    rhythm = Rhythm(data.get("subkind") or Rhythm.daily)
    if rhythm == Rhythm.daily and not data.get("device_id"):
        raise ValidationFailed(details={"fields": {"device_id": ["日管控检查须指定设备"]}})
    enterprise, device = _enterprise_and_device(actor, data)
    if enterprise.id != actor.enterprise_id:
        raise Forbidden("只能对本单位进行自查 (own enterprise only)")
    data["subkind"] = rhythm.value
    return enterprise, device if rhythm == Rhythm.daily else None, None


def _mutual_target(actor: Actor, data: dict):
    if not data.get("assignment_id"):
        raise ValidationFailed(details={"fields": {"assignment_id": ["互查须对应互查任务"]}})
    assignment = get_assignment_for(actor, data["assignment_id"])
    if assignment.supervisor_id != actor.id:
        raise Forbidden("该互查任务未分配给您 (not your task)")
    if assignment.check_id is not None and not data.get("supersedes_id"):
        raise Conflict("该互查任务已完成；如需更正请提交更正版本 (task already done)", code="task_done")
    if not (isinstance(actor, User) and is_eligible(actor, data["performed_on"])):
        raise Forbidden(
            "您的监督员证已过期或无效 (supervisor certificate not valid)", code="certificate_invalid"
        )
    data["enterprise_id"] = assignment.enterprise_id
    enterprise, device = _enterprise_and_device(actor, data)
    return enterprise, device, assignment


def _template_for(data: dict, device) -> ChecklistTemplate:
    template = db.session.get(ChecklistTemplate, data["template_id"])
    purpose = rules.template_purpose(data["kind"], data.get("subkind"))
    if template is None or template.purpose != purpose:
        raise ValidationFailed(details={"fields": {"template_id": [f"须使用“{purpose}”类检查表"]}})
    if purpose == "daily_device" and device is not None and template.device_category != device.category:
        raise ValidationFailed(details={"fields": {"template_id": ["检查表与设备类别不符"]}})
    return template


def _superseded(actor: Actor, data: dict, enterprise_id: int) -> Check | None:
    if not data.get("supersedes_id"):
        return None
    previous = get_check_for(actor, str(data["supersedes_id"]))
    same = (previous.kind, previous.enterprise_id, previous.assignment_id) == (
        data["kind"],
        enterprise_id,
        data.get("assignment_id"),
    )
    if not same or previous.performed_by_id != actor.id:
        raise ValidationFailed(details={"fields": {"supersedes_id": ["只能更正本人提交的同一检查"]}})
    if superseded_by(previous) is not None:
        raise Conflict("该检查已被更正过，请更正最新版本 (already superseded)")
    return previous


def _raise_hazards(actor: Actor, check: Check, template: ChecklistTemplate, previous: Check | None) -> None:
    """Each failed item becomes a hazard with its photos; a correction keeps the earlier one."""
    carried = {i.code: i.hazard_id for i in previous.items if i.hazard_id} if previous else {}
    for item in check.items:
        if item.result != ItemResult.failed:
            continue
        if item.code in carried:
            item.hazard_id = carried[item.code]
            continue
        hazard_id = uuid.uuid5(HAZARD_IDS, f"{check.id}:{item.code}")
        text = template.item_text(item.code)
        description = f"【{template.title}】{text}" + (f"：{item.note}" if item.note else "")
        report_hazard(
            actor,
            {
                "id": hazard_id,
                "enterprise_id": check.enterprise_id,
                "device_id": check.device_id,
                "source": rules.hazard_source(check.kind),
                "category": _hazard_category(check)[:60],
                "severity": item.severity,
                "description": description[:2000],
                "location": "",
                "responsible_person": "",
                "photos": item.photos,
                "deadline": None,
                "presence": _hazard_presence(check.presence, item.photos),
            },
        )
        item.hazard_id = str(hazard_id)
    db.session.flush()


def _hazard_presence(presence: dict | None, photos: list[str]) -> dict | None:
    """A failed item's hazard was found in the check's visit: its place, scans and the item's photos."""
    if presence is None:
        return None
    meta = presence.get("photos") or {}
    return presence | {"photos": {sha: meta[sha] for sha in photos if sha in meta}}


def _hazard_category(check: Check) -> str:
    if check.device is not None:
        return CATEGORY_LABELS.get(check.device.category, check.device.category)
    return {
        "self_check": "自查",
        "mutual_check": "互查",
        "inspection": "监督检查",
        "acceptance": "示范单位验收",
    }[check.kind]


def check_digest(check: Check) -> str:
    """Digest of what a check states; any later edit breaks the evidence chain."""
    items = [[i.code, i.result, i.note, i.severity, sorted(i.photos), i.hazard_id] for i in check.items]
    return payload_hash(
        [
            check.id,
            check.kind,
            check.subkind,
            check.template_id,
            check.enterprise_id,
            check.device_id,
            check.assignment_id,
            check.performed_by_id,
            check.performed_on.isoformat(),
            check.result,
            check.summary,
            check.signed_by,
            check.version,
            check.supersedes_id,
            items,
        ]
        # checks made before presence and signatures were recorded keep their digest
        + ([check.presence, check.signature_sha256] if check.presence or check.signature_sha256 else [])
    )


def check_evidence_strength(check: Check) -> dict:
    """On site, or the plain warnings; a check of a whole enterprise is compared with the scanned device."""
    photos = [sha for item in check.items for sha in item.photos]
    device = check.device
    scans = (check.presence or {}).get("scans") or []
    if device is None and scans:
        device = db.session.get(Device, scans[0]["device_id"])
    return evidence_of(check.presence, photos, device, check.created_at)


def check_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    check = db.session.get(Check, ref)
    if check is None:
        return f"check {ref} is missing"
    facts = data.get("facts")  # entries made before v2 carry no facts
    altered = check_digest(check) != data.get("content") or (
        facts is not None and facts != check_facts(check)
    )
    return f"check {ref} was altered" if altered else None


CHECK_LEDGER_HEADINGS = (
    "检查日期",
    "检查类型",
    "企业名称",
    "使用登记证编号",
    "检查表",
    "结论",
    "不合格项数",
    "检查人",
    "签名",
    "补录",
    "摘要",
)


def check_ledger_rows(actor: Actor, filters: dict) -> list[list]:
    """The check list with the list's filters, one spreadsheet row per check."""
    query = visible_checks(actor, filters).options(
        joinedload(Check.enterprise),
        joinedload(Check.device),
        joinedload(Check.template),
        joinedload(Check.performed_by),
    )
    return [
        [
            c.performed_on,
            rules.KIND_LABELS.get(c.kind, c.kind),
            c.enterprise.name,
            c.device.registration_no if c.device else "",
            c.template.title,
            rules.RESULT_LABELS.get(c.result, c.result),
            sum(1 for item in c.items if item.result == ItemResult.failed),
            c.performed_by.username,
            c.signed_by,
            yes_no(c.late),
            c.summary,
        ]
        for c in export_items(query)
    ]


def check_facts(check: Check) -> str:
    """Evidence body v2: the check's times (entries made before carry no facts)."""
    return payload_hash([check.signed_at.isoformat(), check.created_at.isoformat(), check.late])
