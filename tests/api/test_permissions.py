"""The permission matrix: every API endpoint × every role × in/out-of-scope object.

Scope policy (API.md): bureau_admin sees all; an inspector sees their zone; a safety
manager their own enterprise; a block supervisor their own enterprise plus the other
enterprises of their block (read only). Out of scope answers 404, no token 401, a
wrong role 403. A new endpoint without a row here fails
`test_matrix_covers_every_api_endpoint`.

Scopes in the table, per role:
- ``-``    no object involved;
- ``in``   admin: an enterprise of the *other* zone; inspector, manager: ent_a;
- ``out``  inspector: ent_x (other zone); manager: ent_b (same block, not theirs);
           supervisor: ent_c (same zone, outside the block);
- ``own``  supervisor: their own enterprise ent_b;
- ``peer`` supervisor: ent_a, another enterprise of their block.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from backend.accounts.models import User
from backend.core.clock import today, utcnow
from backend.core.images import sha256_hex
from backend.credit.models import CreditGrade
from backend.credit.recompute import recompute_grades
from backend.devicefile import attachments
from backend.devicefile.models import AccessoryRecord, InspectionRecord, SafetyAccessory
from backend.devices.models import Device, DeviceLabel
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.maintenance.models import MaintenanceContract, MaintenanceOrder, MaintenanceRecord
from backend.measures.models import DeviceOrder, SeriousViolation, Stationing
from backend.notices.models import Notice
from backend.notifications.models import Notification
from backend.notifications.services import Message, notify
from backend.org.models import Block, Certificate, Enterprise
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


ADMIN, INSP, MGR, SUP = "bureau_admin", "inspector", "safety_manager", "block_supervisor"
ANON = "anonymous"
ROLES = (ANON, ADMIN, INSP, MGR, SUP)
PHOTO = f.image_bytes((10, 120, 200))

#: API endpoints that answer anonymous callers on purpose (tested elsewhere).
PUBLIC = {
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/refresh"),  # takes a refresh token; tests/api/test_auth.py
    ("GET", "/api/health"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/qr/<string(maxlength=64):token>"),
    ("GET", "/api/photos/<string(length=64):sha256>"),  # signed links
    ("GET", "/api/photos/<string(length=64):sha256>/thumb"),
}


@dataclass
class Target:
    enterprise: Enterprise
    device: Device
    hazard: Hazard


Request = tuple[str, dict]
Builder = Callable[[Target], Request]


def _json(path: str, body: dict | None = None) -> Builder:
    """A request with a fixed JSON body; `{e}`/`{d}`/`{h}` in the path are filled in."""
    return lambda t: (_fill(path, t), {"json": body if body is not None else {}})


def _get(path: str) -> Builder:
    return lambda t: (_fill(path, t), {})


def _get_zone(path: str) -> Builder:
    return lambda t: (path.format(z=t.enterprise.zone_id), {})


def _fill(path: str, t: Target) -> str:
    return path.format(e=t.enterprise.id, d=t.device.id, h=t.hazard.id)


def _new_zone(_t: Target) -> Request:
    n = f.new_id()[:8]
    return "/api/zones", {"json": {"name": f"新分局{n}", "code": n}}


def _new_block(t: Target) -> Request:
    return "/api/blocks", {"json": {"zone_id": t.enterprise.zone_id, "name": "新区块"}}


def _new_enterprise(t: Target) -> Request:
    body = {"name": "新登记企业", "credit_code": f.valid_credit_code(), "zone_id": t.enterprise.zone_id}
    return "/api/enterprises", {"json": body}


def _new_person(t: Target) -> Request:
    return "/api/people", {"json": {"name": "张三", "enterprise_id": t.enterprise.id}}


def _new_device(t: Target) -> Request:
    body = {
        "enterprise_id": t.enterprise.id,
        "category": "boiler",
        "registration_no": f"锅新{f.new_id()[:8]}",
    }
    return "/api/devices", {"json": body}


def _new_hazard(t: Target) -> Request:
    body = {
        "id": f.new_id(),
        "device_id": t.device.id,
        "category": "电梯",
        "severity": "general",
        "description": "轿厢照明不亮",
    }
    return "/api/hazards", {"json": body}


def _inspection_record_body() -> dict:
    inspected = today() - timedelta(days=5)
    return {
        "inspected_on": inspected.isoformat(),
        "agency": "市特种设备检验研究院",
        "report_no": f"DT{f.new_id()[:8]}",
        "conclusion": "qualified",
        "next_due": (inspected + timedelta(days=365)).isoformat(),
    }


def _new_inspection_record(t: Target) -> Request:
    return f"/api/devices/{t.device.id}/inspections", {"json": _inspection_record_body()}


def _confirm_inspection_record(t: Target) -> Request:
    """A record the target's enterprise entered (pending), then its confirm URL."""
    body = _inspection_record_body()
    record = InspectionRecord(
        device_id=t.device.id,
        enterprise_id=t.enterprise.id,
        inspected_on=date.fromisoformat(body["inspected_on"]),
        agency=body["agency"],
        report_no=body["report_no"],
        conclusion="qualified",
        next_due=date.fromisoformat(body["next_due"]),
        photos=[],
        entered_by_id=t.hazard.reported_by_id,
    )
    db.session.add(record)
    db.session.commit()
    return f"/api/devices/{t.device.id}/inspections/{record.id}/confirm", {}


def _start_rectification(t: Target) -> Request:
    body = {"id": f.new_id(), "action": "start_rectification"}
    return f"/api/hazards/{t.hazard.id}/transitions", {"json": body}


def _import_ledger(t: Target) -> Request:
    ledger = (
        f"credit_code,category,registration_no\n{t.enterprise.credit_code},crane,起新{f.new_id()[:8]}\n"
    ).encode()
    form = {"file": (io.BytesIO(ledger), "ledger.csv")}
    return "/api/devices/import", {"data": form, "content_type": "multipart/form-data"}


def _new_notice(t: Target) -> Request:
    body = {
        "kind": "rectification",
        "enterprise_id": t.enterprise.id,
        "hazard_ids": [t.hazard.id],
        "deadline": (today() + timedelta(days=10)).isoformat(),
    }
    return "/api/notices", {"json": body}


def _notice(suffix: str = "", body: dict | None = None, state: str = "issued") -> Builder:
    def build(t: Target) -> Request:
        notice = Notice(
            state=state,
            number=f"特监〔2000〕整改{t.hazard.id[:8]}",
            seq=1,
            kind="rectification",
            enterprise_id=t.enterprise.id,
            zone_id=t.enterprise.zone_id,
            issued_by_id=t.hazard.reported_by_id,
            issued_on=date(2000, 1, 1),
            deadline=date(2000, 1, 15),
        )
        db.session.add(notice)
        db.session.commit()
        return f"/api/notices/{notice.id}{suffix}", {"json": body} if body is not None else {}

    return build


def _target_user(suffix: str = "", method_body: dict | None = None) -> Builder:
    """A safety manager of the target enterprise, then `/api/users/<id><suffix>`."""

    def build(t: Target) -> Request:
        user = f.make_user("safety_manager", enterprise=t.enterprise)
        db.session.commit()
        return f"/api/users/{user.id}{suffix}", ({"json": method_body} if method_body is not None else {})

    return build


def _new_user(t: Target) -> Request:
    body = {"username": f"new{f.new_id()[:8]}", "role": "safety_manager", "enterprise_id": t.enterprise.id}
    return "/api/users", {"json": body}


def _users_sheet(t: Target) -> Request:
    book = Workbook()
    book.active.append(["用户名", "姓名", "角色", "辖区", "企业统一社会信用代码", "电话"])
    book.active.append([f"bulk{f.new_id()[:8]}", "张三", "safety_manager", "", t.enterprise.credit_code, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return "/api/users/bulk", {"data": buffer.getvalue()}


def _change_password(_t: Target) -> Request:
    body = {"old_password": f.PASSWORD, "new_password": "Quiet-harbour-lantern-42"}
    return "/api/auth/password", {"json": body}


def _put_photo(_t: Target) -> Request:
    headers = {"Content-Type": "image/jpeg"}
    return f"/api/photos/{sha256_hex(PHOTO)}", {"data": PHOTO, "headers": headers}


def _person(suffix: str, body: dict | None = None) -> Builder:
    def build(t: Target) -> Request:
        person = f.make_person(t.enterprise)
        db.session.commit()
        return f"/api/people/{person.id}{suffix}", ({"json": body} if body is not None else {})

    return build


def _pending_certificate(action: str) -> Builder:
    def build(t: Target) -> Request:
        person = f.make_person(t.enterprise)
        certificate = Certificate(kind="operator", number="Z-2", photo_sha256=sha256_hex(PHOTO))
        person.certificates.append(certificate)
        db.session.commit()
        return f"/api/certificates/{certificate.id}/{action}", {"json": {"reason": "照片与证书不符"}}

    return build


ALL_200 = {ADMIN: "200", INSP: "200", MGR: "200", SUP: "200"}
READ_ONE = {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:200 out:404", SUP: "own:200 peer:200 out:404"}
EDIT_LEDGER = {
    ADMIN: "in:200",
    INSP: "in:200 out:404",
    MGR: "in:200 out:404",
    SUP: "own:403 peer:403 out:403",
}
CREATE_IN_LEDGER = {
    ADMIN: "in:201",
    INSP: "in:201 out:404",
    MGR: "in:201 out:404",
    SUP: "own:403 peer:403 out:403",
}
#: the regulator's documents and judgements: a block supervisor reads only their own enterprise's
READ_OWN_DOCUMENT = {**READ_ONE, SUP: "own:200 peer:404 out:404"}
REGULATORS_ONLY = {
    ADMIN: "in:200",
    INSP: "in:200 out:404",
    MGR: "in:403 out:403",
    SUP: "own:403 peer:403 out:403",
}

#: (method, url rule) → (request builder, expected status per role and scope)
MATRIX: dict[tuple[str, str], tuple[Builder, dict[str, str]]] = {
    ("POST", "/api/auth/logout"): (_json("/api/auth/logout"), ALL_200),
    ("GET", "/api/auth/me"): (_get("/api/auth/me"), ALL_200),
    ("POST", "/api/auth/password"): (_change_password, ALL_200),
    ("GET", "/api/auth/sessions"): (_get("/api/auth/sessions"), ALL_200),
    ("DELETE", "/api/auth/sessions"): (_get("/api/auth/sessions"), ALL_200),
    ("DELETE", "/api/auth/sessions/<string:session_id>"): (
        _get("/api/auth/sessions/no-such-session"),
        {ADMIN: "404", INSP: "404", MGR: "404", SUP: "404"},
    ),
    ("GET", "/api/users"): (_get("/api/users"), {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"}),
    ("POST", "/api/users"): (_new_user, {**REGULATORS_ONLY, ADMIN: "in:201", INSP: "in:201 out:422"}),
    ("POST", "/api/users/bulk"): (_users_sheet, {**REGULATORS_ONLY, ADMIN: "in:201", INSP: "in:201 out:422"}),
    ("GET", "/api/users/<int:user_id>"): (_target_user(), REGULATORS_ONLY),
    ("PATCH", "/api/users/<int:user_id>"): (_target_user("", {"display_name": "李四"}), REGULATORS_ONLY),
    ("POST", "/api/users/<int:user_id>/reset-password"): (_target_user("/reset-password"), REGULATORS_ONLY),
    ("GET", "/api/users/<int:user_id>/history"): (_target_user("/history"), REGULATORS_ONLY),
    ("GET", "/api/zones"): (_get("/api/zones"), ALL_200),
    ("POST", "/api/zones"): (_new_zone, {ADMIN: "201", INSP: "403", MGR: "403", SUP: "403"}),
    ("GET", "/api/blocks"): (_get("/api/blocks"), ALL_200),
    ("POST", "/api/blocks"): (_new_block, {ADMIN: "201", INSP: "201", MGR: "403", SUP: "403"}),
    ("GET", "/api/enterprises"): (_get("/api/enterprises"), ALL_200),
    ("POST", "/api/enterprises"): (_new_enterprise, {ADMIN: "201", INSP: "201", MGR: "403", SUP: "403"}),
    ("GET", "/api/enterprises/<int:enterprise_id>"): (_get("/api/enterprises/{e}"), READ_ONE),
    # contact details: the enterprise's own safety manager too (graded facts: test_people_and_facts)
    ("PATCH", "/api/enterprises/<int:enterprise_id>"): (
        _json("/api/enterprises/{e}", {"address": "新地址 1 号"}),
        EDIT_LEDGER,
    ),
    ("GET", "/api/enterprises/<int:enterprise_id>/history"): (
        _get("/api/enterprises/{e}/history"),
        READ_OWN_DOCUMENT,
    ),
    ("GET", "/api/zones/<int:zone_id>/unblocked-enterprises"): (
        _get_zone("/api/zones/{z}/unblocked-enterprises"),
        REGULATORS_ONLY,
    ),
    ("GET", "/api/people/<int:person_id>"): (_person(""), READ_ONE),
    # a peer's person's history holds their phone: not for the block's supervisor
    ("GET", "/api/people/<int:person_id>/history"): (_person("/history"), READ_OWN_DOCUMENT),
    ("PATCH", "/api/people/<int:person_id>"): (_person("", {"phone": "13900000000"}), EDIT_LEDGER),
    ("POST", "/api/people/<int:person_id>/certificates"): (
        _person("/certificates", {"kind": "operator", "number": "Z-1", "photo_sha256": sha256_hex(PHOTO)}),
        CREATE_IN_LEDGER,
    ),
    ("POST", "/api/people/<int:person_id>/trainings"): (
        _person("/trainings", {"trained_on": "2026-01-05", "topic": "电梯安全管理"}),
        CREATE_IN_LEDGER,
    ),
    ("GET", "/api/certificates"): (
        _get("/api/certificates?verification=pending"),
        {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"},
    ),
    ("POST", "/api/certificates/<int:certificate_id>/verify"): (
        _pending_certificate("verify"),
        REGULATORS_ONLY,
    ),
    ("POST", "/api/certificates/<int:certificate_id>/reject"): (
        _pending_certificate("reject"),
        REGULATORS_ONLY,
    ),
    ("GET", "/api/enterprises/<int:enterprise_id>/labels.pdf"): (
        _get("/api/enterprises/{e}/labels.pdf"),
        READ_ONE,
    ),
    ("GET", "/api/enterprises/two-lists"): (
        _get("/api/enterprises/two-lists"),
        {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"},
    ),
    ("GET", "/api/people"): (_get("/api/people"), ALL_200),
    ("POST", "/api/people"): (_new_person, CREATE_IN_LEDGER),
    ("GET", "/api/devices"): (_get("/api/devices"), ALL_200),
    ("POST", "/api/devices"): (_new_device, CREATE_IN_LEDGER),
    # a bulk import reports out-of-scope rows row by row (422), it has no single object
    ("POST", "/api/devices/import"): (
        _import_ledger,
        {ADMIN: "in:200", INSP: "in:200 out:422", MGR: "in:200 out:422", SUP: "own:403 peer:403 out:403"},
    ),
    ("GET", "/api/devices/<int:device_id>"): (_get("/api/devices/{d}"), READ_ONE),
    ("GET", "/api/devices/attention"): (_get("/api/devices/attention"), ALL_200),
    ("GET", "/api/devices/<int:device_id>/history"): (_get("/api/devices/{d}/history"), READ_ONE),
    ("PATCH", "/api/devices/<int:device_id>"): (
        _json("/api/devices/{d}", {"location": "一号楼"}),
        EDIT_LEDGER,
    ),
    ("GET", "/api/devices/<int:device_id>/inspections"): (_get("/api/devices/{d}/inspections"), READ_ONE),
    ("POST", "/api/devices/<int:device_id>/inspections"): (_new_inspection_record, CREATE_IN_LEDGER),
    ("POST", "/api/devices/<int:device_id>/inspections/<int:record_id>/confirm"): (
        _confirm_inspection_record,
        REGULATORS_ONLY,
    ),
    ("GET", "/api/devices/import/template.xlsx"): (
        _get("/api/devices/import/template.xlsx"),
        {ADMIN: "200", INSP: "200", MGR: "200", SUP: "403"},
    ),
    ("GET", "/api/devices.xlsx"): (_get("/api/devices.xlsx"), ALL_200),
    ("GET", "/api/hazards.xlsx"): (_get("/api/hazards.xlsx"), ALL_200),
    ("GET", "/api/checks.xlsx"): (_get("/api/checks.xlsx"), ALL_200),
    ("GET", "/api/devices/<int:device_id>/label.png"): (_get("/api/devices/{d}/label.png"), READ_ONE),
    ("GET", "/api/devices/<int:device_id>/label.svg"): (_get("/api/devices/{d}/label.svg"), READ_ONE),
    ("POST", "/api/devices/<int:device_id>/qr-token"): (
        _json("/api/devices/{d}/qr-token", {"reason": "标签损坏"}),
        EDIT_LEDGER,
    ),
    ("GET", "/api/hazards"): (_get("/api/hazards"), ALL_200),
    ("POST", "/api/hazards"): (
        _new_hazard,
        # a peer only through a mutual check assigned to them (tests/api/test_who_may_assert.py)
        {ADMIN: "in:201", INSP: "in:201 out:404", MGR: "in:201 out:404", SUP: "own:201 peer:403 out:404"},
    ),
    ("GET", "/api/hazards/<uuid:hazard_id>"): (_get("/api/hazards/{h}"), READ_ONE),
    ("POST", "/api/hazards/<uuid:hazard_id>/confirm"): (
        _json("/api/hazards/{h}/confirm"),
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:403 out:403", SUP: "own:403 peer:403 out:403"},
    ),
    ("POST", "/api/hazards/<uuid:hazard_id>/transitions"): (
        _start_rectification,
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:200 out:404", SUP: "own:200 peer:403 out:404"},
    ),
    ("PUT", "/api/photos/<string(length=64):sha256>"): (
        _put_photo,
        {ADMIN: "201", INSP: "201", MGR: "201", SUP: "201"},
    ),
    ("GET", "/api/notices"): (_get("/api/notices"), ALL_200),
    ("POST", "/api/notices"): (
        _new_notice,
        {ADMIN: "in:201", INSP: "in:201 out:404", MGR: "in:403 out:403", SUP: "own:403 peer:403 out:403"},
    ),
    ("GET", "/api/notices/<int:notice_id>"): (_notice(), READ_OWN_DOCUMENT),
    ("GET", "/api/notices/<int:notice_id>.pdf"): (_notice(".pdf"), READ_OWN_DOCUMENT),
    ("GET", "/api/notices/suggestion"): (
        _get("/api/notices/suggestion?hazard_id={h}"),
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:403 out:403", SUP: "own:403 peer:403 out:403"},
    ),
    # the enterprise's safety manager signs and replies; nobody else, and nobody outside scope sees it
    ("POST", "/api/notices/<int:notice_id>/acknowledge"): (
        _notice("/acknowledge", {"signature": "a" * 64}),
        {ADMIN: "in:403", INSP: "in:403 out:404", MGR: "in:422 out:404", SUP: "own:403 peer:404 out:404"},
    ),
    ("POST", "/api/notices/<int:notice_id>/reply"): (
        _notice("/reply", {"text": "已整改完毕"}, state="acknowledged"),
        {ADMIN: "in:403", INSP: "in:403 out:404", MGR: "in:200 out:404", SUP: "own:403 peer:404 out:404"},
    ),
    # the issuing zone (or the bureau) closes
    ("POST", "/api/notices/<int:notice_id>/close"): (
        _notice("/close", {}, state="replied"),
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:403 out:404", SUP: "own:403 peer:404 out:404"},
    ),
    ("GET", "/api/sync/pull"): (_get("/api/sync/pull"), ALL_200),
    ("POST", "/api/sync/push"): (_json("/api/sync/push", {"ops": []}), ALL_200),
}


def _complaint(
    status: str, suffix: str = "", body: dict | None = None, reward: str | None = None, phone: str = ""
) -> Builder:
    """A complaint about the target's device, in `status` (made directly, not via the public form),
    with a pending reward of `reward` yuan and a contact `phone` when given."""

    def build(t: Target) -> Request:
        from backend.complaints.keys import seal_phone
        from backend.complaints.models import Complaint, Reward

        closed = None if status == "received" else utcnow()
        complaint = Complaint(
            ticket_no=f"TS-{f.new_id()[:12]}",
            day=date(2000, 1, 1),
            seq=1,
            tracking_hash="0" * 64,
            device_id=t.device.id,
            enterprise_id=t.enterprise.id,
            category="elevator_trapped",
            description="电梯困人",
            status=status,
            closed_at=closed,
        )
        if reward is not None:
            complaint.reward = Reward(amount_yuan=reward)
        if phone:
            complaint.phone_enc, complaint.phone_masked = seal_phone(phone), phone[:3] + "****" + phone[-4:]
        db.session.add(complaint)
        db.session.commit()
        return f"/api/complaints/{complaint.id}{suffix}", {} if body is None else {"json": body}

    return build


PUBLIC |= {
    ("GET", "/api/public/challenge"),  # tests/api/test_complaints.py
    ("PUT", "/api/public/photos/<string(length=64):sha256>"),
    ("POST", "/api/public/complaints"),
    ("GET", "/api/public/complaints/<string(maxlength=20):ticket_no>"),
}
MATRIX |= {
    ("GET", "/api/complaints"): (_get("/api/complaints"), ALL_200),
    # enterprise people see only substantiated complaints about their own enterprise
    ("GET", "/api/complaints/<int:complaint_id>"): (
        _complaint("substantiated"),
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:200 out:404", SUP: "own:200 peer:404 out:404"},
    ),
    ("POST", "/api/complaints/<int:complaint_id>/triage"): (
        _complaint("received", "/triage", {"outcome": "not_substantiated", "public_reply": "经核查不属实"}),
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:403 out:403", SUP: "own:403 peer:403 out:403"},
    ),
    # the bureau pays rewards (tests/api/test_complaint_closure.py)
    ("POST", "/api/complaints/<int:complaint_id>/reward/payment"): (
        _complaint(
            "substantiated",
            "/reward/payment",
            {"paid_on": "2000-01-02", "method": "bank_transfer"},
            reward="100",
        ),
        {ADMIN: "in:200", INSP: "in:403 out:403", MGR: "in:403 out:403", SUP: "own:403 peer:403 out:403"},
    ),
    # the phone in clear on request, for regulators in scope; who asked, for the bureau
    ("POST", "/api/complaints/<int:complaint_id>/phone/reveal"): (
        _complaint("received", "/phone/reveal", {"reason": "回访"}, phone="13812345678"),
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:403 out:403", SUP: "own:403 peer:403 out:403"},
    ),
    ("GET", "/api/complaints/<int:complaint_id>/phone/reveals"): (
        _complaint("received", "/phone/reveals", phone="13812345678"),
        {ADMIN: "in:200", INSP: "in:403 out:403", MGR: "in:403 out:403", SUP: "own:403 peer:403 out:403"},
    ),
    ("GET", "/api/complaints/<int:complaint_id>/reward/history"): (
        _complaint("substantiated", "/reward/history", reward="100"),
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:403 out:403", SUP: "own:403 peer:403 out:403"},
    ),
}


def _template_id() -> int:
    from backend.inspections.models import ChecklistTemplate
    from backend.inspections.services import install_default_templates

    install_default_templates()
    db.session.commit()
    return db.session.query(ChecklistTemplate).filter_by(code="device_elevator").one().id


def _template(_t: Target) -> Request:
    return f"/api/checklist-templates/{_template_id()}", {}


def _new_template(_t: Target) -> Request:
    body = {
        "code": "device_elevator",
        "title": "电梯日常检查表",
        "sections": [
            {"code": "e", "title": "日常检查", "items": [{"code": "e.sign", "text": "使用标志在有效期内"}]}
        ],
    }
    return "/api/checklist-templates", {"json": body}


def _check(t: Target) -> Request:
    return f"/api/checks/{_stored_check(t)}", {}


def _check_pdf(t: Target) -> Request:
    return f"/api/checks/{_stored_check(t)}.pdf", {}


def _stored_check(t: Target) -> str:
    """A daily self-check of the target's device, stored directly; its id."""
    from backend.inspections.models import Check

    check = Check(
        id=f.new_id(),
        kind="self_check",
        subkind="daily",
        template_id=_template_id(),
        enterprise_id=t.enterprise.id,
        zone_id=t.enterprise.zone_id,
        device_id=t.device.id,
        performed_by_id=t.hazard.reported_by_id,
        performed_on=date(2000, 1, 1),
        result="pass",
        payload_hash="0" * 64,
    )
    db.session.add(check)
    db.session.commit()
    return check.id


def _new_check(t: Target) -> Request:
    from backend.inspections.models import ChecklistTemplate

    template = db.session.get(ChecklistTemplate, _template_id())
    items = [{"code": code, "result": "pass"} for code in template.item_codes]
    body = {
        "id": f.new_id(),
        "kind": "self_check",
        "subkind": "daily",
        "template_id": template.id,
        "device_id": t.device.id,
        "items": items,
    }
    return "/api/checks", {"json": body}


def _new_cycle(t: Target) -> Request:
    body = {"name": "第一轮互查", "starts_on": "2026-01-01", "due_on": "2026-01-31"}
    return "/api/mutual-check-cycles", {"json": body | {"zone_id": t.enterprise.zone_id}}


def _make_cycle(t: Target):
    from backend.inspections.models import MutualCheckCycle

    cycle = MutualCheckCycle(
        zone_id=t.enterprise.zone_id,
        name="互查",
        starts_on=today(),
        due_on=today(),
        seed=1,
        created_by_id=t.hazard.reported_by_id,
    )
    db.session.add(cycle)
    db.session.flush()
    return cycle


def _cycle(t: Target) -> Request:
    cycle = _make_cycle(t)
    db.session.commit()
    return f"/api/mutual-check-cycles/{cycle.id}", {}


def _reassign(t: Target) -> Request:
    """A task on the target enterprise, handed to a certified supervisor of its block."""
    from backend.inspections.models import MutualCheckAssignment

    enterprise = t.enterprise
    if enterprise.block_id is None:
        enterprise.block_id = f.make_block(enterprise.zone).id
    other = f.make_enterprise(enterprise.zone, db.session.get(Block, enterprise.block_id))
    person = f.make_person(other, ("block_supervisor", today() + timedelta(days=30)))
    supervisor = f.make_user(SUP, enterprise=other, person_id=person.id)
    task = MutualCheckAssignment(
        cycle_id=_make_cycle(t).id,
        block_id=enterprise.block_id,
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
    )
    db.session.add(task)
    db.session.commit()
    return f"/api/mutual-check-assignments/{task.id}/supervisor", {"json": {"supervisor_id": supervisor.id}}


def _new_exam(t: Target) -> Request:
    person = f.make_person(t.enterprise)
    db.session.commit()
    body = {"person_id": person.id, "exam_on": "2026-01-10", "score": 90, "passed": True}
    return "/api/supervisor-exams", {"json": body}


ADMIN_ONLY = {ADMIN: "201", INSP: "403", MGR: "403", SUP: "403"}
#: a supervisor sees checks of their own enterprise and the ones they made, not the block's
READ_CHECK = {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:200 out:404", SUP: "own:200 peer:404 out:404"}
MATRIX |= {
    ("GET", "/api/checklist-templates"): (_get("/api/checklist-templates"), ALL_200),
    ("GET", "/api/checklist-templates/<int:template_id>"): (_template, ALL_200),
    ("POST", "/api/checklist-templates"): (_new_template, ADMIN_ONLY),
    ("GET", "/api/checks"): (_get("/api/checks"), ALL_200),
    ("GET", "/api/checks/<uuid:check_id>"): (_check, READ_CHECK),
    # the printable record: whoever may read the check, nobody else
    ("GET", "/api/checks/<uuid:check_id>.pdf"): (_check_pdf, READ_CHECK),
    # a self-check is the enterprise's own: regulators inspect with kind=inspection instead
    ("POST", "/api/checks"): (
        _new_check,
        {ADMIN: "in:403", INSP: "in:403 out:403", MGR: "in:201 out:404", SUP: "own:201 peer:403 out:404"},
    ),
    ("GET", "/api/self-checks/status"): (_get("/api/self-checks/status"), ALL_200),
    ("GET", "/api/mutual-check-cycles"): (_get("/api/mutual-check-cycles"), ALL_200),
    ("POST", "/api/mutual-check-cycles"): (_new_cycle, {ADMIN: "201", INSP: "201", MGR: "403", SUP: "403"}),
    # cycles are zone-level: every enterprise of the zone sees its zone's rounds
    ("GET", "/api/mutual-check-cycles/<int:cycle_id>"): (
        _cycle,
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:200 out:200", SUP: "own:200 peer:200 out:200"},
    ),
    ("GET", "/api/mutual-check-assignments"): (_get("/api/mutual-check-assignments"), ALL_200),
    ("PUT", "/api/mutual-check-assignments/<int:assignment_id>/supervisor"): (_reassign, REGULATORS_ONLY),
    ("GET", "/api/supervisors"): (_get("/api/supervisors"), ALL_200),
    ("POST", "/api/supervisor-exams"): (
        _new_exam,
        {ADMIN: "in:201", INSP: "in:201 out:404", MGR: "in:403 out:403", SUP: "own:403 peer:403 out:403"},
    ),
}


def _graded(t: Target) -> Request:
    from backend.credit.recompute import recompute_grades

    recompute_grades(today(), ids=[t.enterprise.id])
    db.session.commit()
    return f"/api/credit/enterprises/{t.enterprise.id}", {}


def _new_accident(t: Target) -> Request:
    return "/api/credit/accidents", {
        "json": {"enterprise_id": t.enterprise.id, "occurred_on": today().isoformat()}
    }


def _new_case(t: Target) -> Request:
    body = {
        "enterprise_id": t.enterprise.id,
        "case_no": f"罚{f.new_id()[:12]}",
        "opened_on": today().isoformat(),
        "violation": "超期未检",
    }
    return "/api/credit/enforcement-cases", {"json": body}


REGULATOR_CREATE = {
    ADMIN: "in:201",
    INSP: "in:201 out:404",
    MGR: "in:403 out:403",
    SUP: "own:403 peer:403 out:403",
}
BUREAU_ONLY = {ADMIN: "200", INSP: "403", MGR: "403", SUP: "403"}
MATRIX |= {
    ("GET", "/api/credit/grades"): (_get("/api/credit/grades"), ALL_200),
    ("GET", "/api/credit/enterprises/<int:enterprise_id>"): (_graded, READ_OWN_DOCUMENT),
    ("GET", "/api/credit/enterprises/<int:enterprise_id>/changes"): (
        _get("/api/credit/enterprises/{e}/changes"),
        READ_OWN_DOCUMENT,
    ),
    ("GET", "/api/credit/grades/counts"): (_get("/api/credit/grades/counts"), ALL_200),
    ("GET", "/api/credit/config"): (
        _get("/api/credit/config"),
        {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"},
    ),
    ("PUT", "/api/credit/config"): (_json("/api/credit/config", {"bands": [15, 35, 60]}), BUREAU_ONLY),
    ("POST", "/api/credit/recompute"): (_json("/api/credit/recompute"), BUREAU_ONLY),
    ("GET", "/api/credit/accidents"): (_get("/api/credit/accidents"), ALL_200),
    ("POST", "/api/credit/accidents"): (_new_accident, REGULATOR_CREATE),
    ("GET", "/api/credit/enforcement-cases"): (_get("/api/credit/enforcement-cases"), ALL_200),
    ("POST", "/api/credit/enforcement-cases"): (_new_case, REGULATOR_CREATE),
    ("POST", "/api/credit/recognitions"): (
        lambda t: (
            "/api/credit/recognitions",
            {"json": {"enterprise_id": t.enterprise.id, "kind": "benchmark"}},
        ),
        {ADMIN: "in:201", INSP: "in:403", MGR: "in:403", SUP: "own:403"},
    ),
}


def _graded_zone(t: Target) -> Request:
    """Two graded enterprises (B and C) in the target's zone: a plan of two can be drawn."""
    from backend.credit.models import CreditGrade

    for grade in "BC":
        enterprise = f.make_enterprise(t.enterprise.zone)
        db.session.add(
            CreditGrade(
                enterprise_id=enterprise.id,
                zone_id=enterprise.zone_id,
                as_of=today(),
                band_grade=grade,
                grade=grade,
            )
        )
    db.session.commit()
    body = {
        "zone_id": t.enterprise.zone_id,
        "period_start": today().isoformat(),
        "period_end": today().isoformat(),
        "size": 2,
        "per_item": 1,
        "seed": 1,
    }
    return "/api/plans", {"json": body}


def _plan(suffix: str = "", body: dict | None = None) -> Builder:
    def build(t: Target) -> Request:
        from sqlalchemy import select

        from backend.accounts.models import User
        from backend.plans.models import InspectionPlan, PlanItem

        inspectors = db.session.scalars(select(User.id).where(User.role == INSP)).all()
        plan = InspectionPlan(
            zone_id=t.enterprise.zone_id,
            title="计划",
            period_start=today(),
            period_end=today(),
            size=1,
            quota_total=1,
            seed=1,
            candidates_digest="0" * 64,
            created_by_id=t.hazard.reported_by_id,
        )
        plan.items = [
            PlanItem(enterprise_id=t.enterprise.id, grade="C", inspector_ids=",".join(map(str, inspectors)))
        ]
        db.session.add(plan)
        db.session.commit()
        path = suffix.format(p=plan.id, i=plan.items[0].id) or f"/api/plans/{plan.id}"
        return path, {} if body is None else {"json": body}

    return build


PUBLIC |= {("GET", "/api/public/plans")}  # tests/api/test_plans.py
MATRIX |= {
    ("GET", "/api/plans"): (_get("/api/plans"), {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"}),
    ("POST", "/api/plans"): (_graded_zone, REGULATOR_CREATE),
    ("GET", "/api/plans/<int:plan_id>"): (_plan(), REGULATORS_ONLY),
    ("GET", "/api/plans/<int:plan_id>.pdf"): (_plan("/api/plans/{p}.pdf"), REGULATORS_ONLY),
    ("GET", "/api/plans/<int:plan_id>/history"): (_plan("/api/plans/{p}/history"), REGULATORS_ONLY),
    ("GET", "/api/plans/preview"): (_get_zone("/api/plans/preview?zone_id={z}&size=2"), REGULATORS_ONLY),
    ("POST", "/api/plans/<int:plan_id>/publish"): (_plan("/api/plans/{p}/publish", {}), REGULATORS_ONLY),
    ("POST", "/api/plans/<int:plan_id>/items/<int:item_id>/result"): (
        _plan("/api/plans/{p}/items/{i}/result", {"status": "done"}),
        REGULATORS_ONLY,
    ),
}


def _zone_inspector_id(t: Target) -> int:
    from sqlalchemy import select

    from backend.accounts.models import User

    return db.session.scalar(
        select(User.id).where(User.role == INSP, User.zone_id == t.enterprise.zone_id).order_by(User.id)
    )


def _key_object(t: Target) -> Request:
    from backend.plans.models import KeyObject

    key_object = KeyObject(
        enterprise_id=t.enterprise.id,
        zone_id=t.enterprise.zone_id,
        reason="学校周边",
        named_by_id=t.hazard.reported_by_id,
        starts_on=today(),
    )
    db.session.add(key_object)
    db.session.commit()
    return f"/api/plans/key-objects/{key_object.id}/end", {"json": {}}


def _recusal(t: Target) -> Request:
    """A recusal of the target zone's inspector (the caller, for an inspector in scope)."""
    from backend.plans.models import InspectorRecusal

    recusal = InspectorRecusal(
        inspector_id=_zone_inspector_id(t),
        enterprise_id=t.enterprise.id,
        kind="relative",
        reason="配偶在该企业任职",
    )
    db.session.add(recusal)
    db.session.commit()
    return f"/api/plans/recusals/{recusal.id}/withdraw", {"json": {}}


MATRIX |= {
    ("GET", "/api/plans/key-objects"): (
        _get("/api/plans/key-objects"),
        {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"},
    ),
    ("POST", "/api/plans/key-objects"): (
        lambda t: (
            "/api/plans/key-objects",
            {"json": {"enterprise_id": t.enterprise.id, "reason": "节假日人员密集"}},
        ),
        REGULATOR_CREATE,
    ),
    ("POST", "/api/plans/key-objects/<int:key_object_id>/end"): (_key_object, REGULATORS_ONLY),
    ("GET", "/api/plans/recusals"): (
        _get("/api/plans/recusals"),
        {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"},
    ),
    # the body names the target zone's inspector: the caller itself for an inspector in scope
    ("POST", "/api/plans/recusals"): (
        lambda t: (
            "/api/plans/recusals",
            {
                "json": {
                    "enterprise_id": t.enterprise.id,
                    "kind": "relative",
                    "inspector_id": _zone_inspector_id(t),
                }
            },
        ),
        REGULATOR_CREATE,
    ),
    # an inspector sees (and withdraws) only their own recusals: another zone's is 404
    ("POST", "/api/plans/recusals/<int:recusal_id>/withdraw"): (_recusal, REGULATORS_ONLY),
}


REGULATORS_READ = {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"}
MATRIX[("GET", "/api/credit/config/history")] = (_get("/api/credit/config/history"), REGULATORS_READ)
MATRIX |= {
    ("GET", "/api/reports/dashboard"): (_get("/api/reports/dashboard"), REGULATORS_READ),
    ("GET", "/api/reports/monthly"): (_get("/api/reports/monthly?month=2026-01"), REGULATORS_READ),
    ("GET", "/api/reports/monthly.pdf"): (_get("/api/reports/monthly.pdf?month=2026-01"), REGULATORS_READ),
    ("GET", "/api/reports/monthly.xlsx"): (_get("/api/reports/monthly.xlsx?month=2026-01"), REGULATORS_READ),
    # only the zone's own inspector submits its report (工作小结); the bureau reads, never writes it
    ("POST", "/api/reports/monthly/submit"): (
        lambda t: (
            "/api/reports/monthly/submit",
            {
                "json": {
                    "month": "2026-01",
                    "zone_id": t.enterprise.zone_id,
                    "summary": "经验",
                    "problems": "问题",
                    "next_steps": "建议",
                }
            },
        ),
        {ADMIN: "in:403", INSP: "in:201 out:404", MGR: "in:403 out:403", SUP: "in:403 out:403"},
    ),
    ("GET", "/api/reports/monthly/submissions"): (
        _get("/api/reports/monthly/submissions?month=2026-01"),
        {ADMIN: "200", INSP: "403", MGR: "403", SUP: "403"},
    ),
}


def _admins_notification(t: Target) -> Request:
    """A notification in the inbox of the hazard's reporter (the bureau admin): only theirs to read."""
    notify([Message(t.hazard.reported_by_id, "hazard.overdue", f"perm:{t.hazard.id}", "标题")])
    db.session.commit()
    [notification_id] = db.session.scalars(
        select(Notification.id).where(Notification.dedupe_key == f"perm:{t.hazard.id}")
    )
    return f"/api/notifications/{notification_id}/read", {}


MATRIX |= {
    ("GET", "/api/notifications"): (_get("/api/notifications?unread=true"), ALL_200),
    ("POST", "/api/notifications/<int:notification_id>/read"): (
        _admins_notification,
        {ADMIN: "200", INSP: "404", MGR: "404", SUP: "404"},
    ),
    ("GET", "/api/notifications/preferences"): (_get("/api/notifications/preferences"), ALL_200),
    ("PUT", "/api/notifications/preferences"): (
        lambda _t: ("/api/notifications/preferences", {"json": {"mode": "immediate"}}),
        ALL_200,
    ),
    ("GET", "/api/jobs"): (_get("/api/jobs"), {ADMIN: "200", INSP: "403", MGR: "403", SUP: "403"}),
    ("POST", "/api/jobs/<name>/run"): (
        lambda _t: ("/api/jobs/prune_events/run", {}),
        {ADMIN: "200", INSP: "403", MGR: "403", SUP: "403"},
    ),
    ("GET", "/api/work-queue"): (
        _get("/api/work-queue"),
        {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"},
    ),
}


# --- measures a grade sets off (seed 002 第十、十一条) and public disclosure ---------------------


def _sealed_device(t: Target) -> Request:
    notice = Notice(
        state="issued",
        number=f"特监〔2000〕封{t.hazard.id[:8]}",
        seq=1,
        kind="rectification",
        enterprise_id=t.enterprise.id,
        zone_id=t.enterprise.zone_id,
        issued_by_id=t.hazard.reported_by_id,
        issued_on=date(2000, 1, 1),
        deadline=date(2000, 1, 15),
    )
    db.session.add(notice)
    db.session.flush()
    db.session.add(
        DeviceOrder(
            device_id=t.device.id,
            enterprise_id=t.enterprise.id,
            status="sealed",
            status_before="in_use",
            notice_id=notice.id,
            ordered_by_id=t.hazard.reported_by_id,
        )
    )
    t.device.status = "sealed"
    db.session.commit()
    return f"/api/devices/{t.device.id}/order", {}


def _graded_c(t: Target) -> Request:
    recompute_grades(today())
    db.session.get(CreditGrade, t.enterprise.id).grade = "C"
    db.session.commit()
    body = {"ends_on": (today() + timedelta(days=30)).isoformat(), "inspector_ids": [_zone_inspector_id(t)]}
    return f"/api/enterprises/{t.enterprise.id}/stationings", {"json": body}


def _stationing(t: Target, suffix: str = "/findings", body: dict | None = None) -> Request:
    stationing = Stationing(
        enterprise_id=t.enterprise.id,
        zone_id=t.enterprise.zone_id,
        grade="D",
        starts_on=today(),
        ends_on=today() + timedelta(days=30),
        inspector_ids=[],
        created_by_id=t.hazard.reported_by_id,
    )
    db.session.add(stationing)
    db.session.commit()
    return f"/api/stationings/{stationing.id}{suffix}", {"json": body or {"text": "安全阀未校验"}}


def _listing(suffix: str, body: dict | None = None) -> Builder:
    def build(t: Target) -> Request:
        listing = SeriousViolation(
            enterprise_id=t.enterprise.id,
            ground="《市场监督管理严重违法失信名单管理办法》第七条",
            listed_on=today(),
            listed_by_id=t.hazard.reported_by_id,
        )
        db.session.add(listing)
        db.session.commit()
        return f"/api/serious-violations/{listing.id}{suffix}", {} if body is None else {"json": body}

    return build


def _maintained(t: Target) -> tuple[Enterprise, MaintenanceOrder]:
    """The target's device under contract with a new maintenance company, with an open order."""
    company = f.make_enterprise(db.session.get(Enterprise, t.enterprise.id).zone, roles="maintainer")
    db.session.add(
        MaintenanceContract(
            device_id=t.device.id,
            company_id=company.id,
            starts_on=today() - timedelta(days=20),
            ends_on=today() + timedelta(days=300),
        )
    )
    t.device.maintenance_company_id = company.id
    order = MaintenanceOrder(
        device_id=t.device.id,
        company_id=company.id,
        enterprise_id=t.enterprise.id,
        zone_id=t.enterprise.zone_id,
        kind="half_month",
        due_on=today(),
        items=[{"code": "hm01", "text": "机房", "photo": False}],
    )
    db.session.add(order)
    db.session.flush()
    return company, order


def _maintenance_order(suffix: str = "", body: dict | None = None) -> Builder:
    def build(t: Target) -> Request:
        _company, order = _maintained(t)
        db.session.commit()
        return f"/api/maintenance/orders/{order.id}{suffix}", {"json": body} if body is not None else {}

    return build


def _maintenance_record(suffix: str = "", body: dict | None = None) -> Builder:
    def build(t: Target) -> Request:
        company, order = _maintained(t)
        worker = f.make_user("maintenance_worker", enterprise=company)
        record = MaintenanceRecord(
            order_id=order.id,
            device_id=t.device.id,
            company_id=company.id,
            enterprise_id=t.enterprise.id,
            zone_id=t.enterprise.zone_id,
            kind="half_month",
            worker_id=worker.id,
            items=[{"code": "hm01", "result": "ok", "note": "", "photos": []}],
            scans=[],
            photos=[],
            signature_sha256="a" * 64,
            first_scan_at=utcnow(),
            last_scan_at=utcnow(),
            payload_hash="0" * 64,
        )
        db.session.add(record)
        db.session.commit()
        return f"/api/maintenance/records/{record.id}{suffix}", {"json": body} if body is not None else {}

    return build


BUREAU_CREATE = {
    ADMIN: "in:201",
    INSP: "in:403 out:403",
    MGR: "in:403 out:403",
    SUP: "own:403 peer:403 out:403",
}
PUBLIC |= {("GET", "/api/public/serious-violations"), ("GET", "/api/public/disclosure")}  # test_measures.py
MATRIX |= {
    ("GET", "/api/devices/<int:device_id>/order"): (_sealed_device, READ_ONE),
    ("GET", "/api/enterprises/<int:enterprise_id>/stationings"): (
        _get("/api/enterprises/{e}/stationings"),
        READ_OWN_DOCUMENT,
    ),
    ("POST", "/api/enterprises/<int:enterprise_id>/stationings"): (_graded_c, REGULATOR_CREATE),
    ("POST", "/api/stationings/<int:stationing_id>/findings"): (_stationing, REGULATOR_CREATE),
    ("POST", "/api/stationings/<int:stationing_id>/close"): (
        lambda t: _stationing(t, "/close", {"summary": "隐患已消除，驻点结束"}),
        REGULATORS_ONLY,
    ),
    ("GET", "/api/serious-violations"): (
        _get("/api/serious-violations"),
        {ADMIN: "200", INSP: "200", MGR: "200", SUP: "403"},
    ),
    ("POST", "/api/serious-violations"): (
        lambda t: (
            "/api/serious-violations",
            {
                "json": {
                    "enterprise_id": t.enterprise.id,
                    "ground": "《市场监督管理严重违法失信名单管理办法》第七条",
                }
            },
        ),
        BUREAU_CREATE,
    ),
    ("POST", "/api/serious-violations/<int:listing_id>/remove"): (
        _listing("/remove", {"reason": "信用修复完成"}),
        {**BUREAU_CREATE, ADMIN: "in:200"},
    ),
    ("GET", "/api/serious-violations/<int:listing_id>/history"): (_listing("/history"), REGULATORS_ONLY),
}


def _report_fault(t: Target) -> Request:
    _maintained(t)
    db.session.commit()
    return "/api/maintenance/faults", {"json": {"device_id": t.device.id, "trapped": True}}


def _new_contract(t: Target) -> Request:
    company = f.make_enterprise(db.session.get(Enterprise, t.enterprise.id).zone, roles="maintainer")
    db.session.commit()
    body = {
        "device_id": t.device.id,
        "company_id": company.id,
        "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=365)).isoformat(),
    }
    return "/api/maintenance/contracts", {"json": body}


def _end_contract(t: Target) -> Request:
    _maintained(t)
    db.session.commit()
    contract = db.session.scalars(
        select(MaintenanceContract).where(MaintenanceContract.device_id == t.device.id)
    ).one()
    return f"/api/maintenance/contracts/{contract.id}/end", {"json": {}}


_RECORD_BODY = {
    "items": [{"code": "hm01", "result": "ok"}],
    "scans": [{"token": "not-a-label", "at": "2026-01-01T08:00:00+08:00"}],
    "signature": "a" * 64,
}
#: only the using unit's safety manager answers a maintenance record
USING_UNIT_ANSWERS = {
    ADMIN: "in:403",
    INSP: "in:403 out:404",
    MGR: "in:200 out:404",
    SUP: "own:403 peer:404 out:404",
}

# elevator maintenance (维保): the contracted company records, the using unit confirms or disputes
MATRIX |= {
    ("GET", "/api/maintenance/orders"): (_get("/api/maintenance/orders?mine=true"), ALL_200),
    ("GET", "/api/maintenance/orders/<int:order_id>"): (_maintenance_order(), READ_OWN_DOCUMENT),
    ("POST", "/api/maintenance/orders/<int:order_id>/records"): (
        _maintenance_order("/records", _RECORD_BODY),
        {ADMIN: "in:403", INSP: "in:403 out:404", MGR: "in:403 out:404", SUP: "own:403 peer:404 out:404"},
    ),
    ("POST", "/api/maintenance/faults"): (
        _report_fault,
        {ADMIN: "in:201", INSP: "in:201 out:404", MGR: "in:201 out:404", SUP: "own:201 peer:403 out:404"},
    ),
    ("GET", "/api/maintenance/records"): (_get("/api/maintenance/records"), ALL_200),
    ("GET", "/api/maintenance/records/<int:record_id>"): (_maintenance_record(), READ_OWN_DOCUMENT),
    ("POST", "/api/maintenance/records/<int:record_id>/confirm"): (
        _maintenance_record("/confirm", {}),
        USING_UNIT_ANSWERS,
    ),
    ("POST", "/api/maintenance/records/<int:record_id>/dispute"): (
        _maintenance_record("/dispute", {"reason": "未见维保人员到场"}),
        USING_UNIT_ANSWERS,
    ),
    ("GET", "/api/maintenance/contracts"): (_get("/api/maintenance/contracts"), ALL_200),
    ("POST", "/api/maintenance/contracts"): (
        _new_contract,
        {ADMIN: "in:201", INSP: "in:201 out:404", MGR: "in:201 out:404", SUP: "own:403 peer:403 out:404"},
    ),
    ("POST", "/api/maintenance/contracts/<int:contract_id>/end"): (
        _end_contract,
        {ADMIN: "in:200", INSP: "in:200 out:404", MGR: "in:200 out:404", SUP: "own:403 peer:404 out:404"},
    ),
    ("GET", "/api/maintenance/companies"): (_get("/api/maintenance/companies"), ALL_200),
    # the worker's own certificate status (tests/api/test_maintenance.py reads it as a worker)
    ("GET", "/api/maintenance/me/certificate"): (
        _get("/api/maintenance/me/certificate"),
        {ADMIN: "403", INSP: "403", MGR: "403", SUP: "403"},
    ),
    ("GET", "/api/maintenance/companies/ranking"): (
        _get("/api/maintenance/companies/ranking"),
        {ADMIN: "200", INSP: "200", MGR: "403", SUP: "403"},
    ),
}


# --- position labels and the device file (technical documents, accessories, work records) -------


def _position_label(t: Target) -> Request:
    """A car-top label on the target's device, then its URL."""
    t.device.position_labels.append(DeviceLabel(position="car_top"))
    db.session.commit()
    return f"/api/devices/{t.device.id}/labels/car_top", {}


def _accessory(t: Target) -> SafetyAccessory:
    accessory = SafetyAccessory(
        device_id=t.device.id,
        enterprise_id=t.enterprise.id,
        kind="safety_valve",
        serial_no="SV-001",
        created_by_id=t.hazard.reported_by_id,
    )
    db.session.add(accessory)
    db.session.flush()
    return accessory


def _accessory_record_body() -> dict:
    checked = today() - timedelta(days=30)
    return {
        "checked_on": checked.isoformat(),
        "agency": "市计量检定所",
        "report_no": f"JY{f.new_id()[:8]}",
        "next_due": (checked + timedelta(days=365)).isoformat(),
    }


def _new_accessory(t: Target) -> Request:
    body = {"kind": "safety_valve", "serial_no": "SV-002", "record": _accessory_record_body()}
    return f"/api/devices/{t.device.id}/accessories", {"json": body}


def _new_accessory_record(t: Target) -> Request:
    accessory = _accessory(t)
    db.session.commit()
    return f"/api/devices/{t.device.id}/accessories/{accessory.id}/records", {
        "json": _accessory_record_body()
    }


def _confirm_accessory_record(t: Target) -> Request:
    """A calibration record the target's enterprise entered (pending), then its confirm URL."""
    accessory = _accessory(t)
    body = _accessory_record_body()
    record = AccessoryRecord(
        accessory_id=accessory.id,
        device_id=t.device.id,
        checked_on=date.fromisoformat(body["checked_on"]),
        agency=body["agency"],
        report_no=body["report_no"],
        next_due=date.fromisoformat(body["next_due"]),
        entered_by_id=t.hazard.reported_by_id,
    )
    db.session.add(record)
    db.session.commit()
    return f"/api/devices/{t.device.id}/accessory-records/{record.id}/confirm", {}


def _pdf() -> bytes:
    """A small real PDF, different each time (the same bytes on a device answer 200, not 201)."""
    return (
        f"%PDF-1.4\n% {f.new_id()}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".encode()
    )


def _new_attachment(t: Target) -> Request:
    form = {
        "kind": "certificate",
        "title": "产品合格证",
        "file": (io.BytesIO(_pdf()), "scan.pdf", "application/pdf"),
    }
    return f"/api/devices/{t.device.id}/attachments", {"data": form, "content_type": "multipart/form-data"}


def _attachment_file(t: Target) -> Request:
    """A certificate the bureau admin uploaded to the target's device, then its file URL."""
    uploader = db.session.get(User, t.hazard.reported_by_id)
    attachment, _created = attachments.add_attachment(
        uploader, t.device.id, _pdf(), "certificate", "产品合格证"
    )
    db.session.commit()
    return f"/api/devices/{t.device.id}/attachments/{attachment.id}/file", {}


def _new_work_record(t: Target) -> Request:
    body = {"kind": "repair", "done_on": (today() - timedelta(days=3)).isoformat(), "unit": "市电梯维修公司"}
    return f"/api/devices/{t.device.id}/work-records", {"json": body}


MATRIX |= {
    # the enterprise posts the labels on its own devices (like the default label's re-issue); the
    # device's registered place stays the regulators' (tests/api/test_presence.py)
    ("POST", "/api/devices/<int:device_id>/labels"): (
        _json("/api/devices/{d}/labels", {"position": "machine_room"}),
        CREATE_IN_LEDGER,
    ),
    ("DELETE", "/api/devices/<int:device_id>/labels/<string(maxlength=20):position>"): (
        _position_label,
        {**EDIT_LEDGER, ADMIN: "in:204", INSP: "in:204 out:404", MGR: "in:204 out:404"},
    ),
    # the device file is read like the device; its keepers (regulators, the enterprise) write it,
    # a block supervisor never writes into a device file, their own or a peer's
    ("GET", "/api/devices/<int:device_id>/accessories"): (_get("/api/devices/{d}/accessories"), READ_ONE),
    ("POST", "/api/devices/<int:device_id>/accessories"): (_new_accessory, CREATE_IN_LEDGER),
    # the enterprise's calibration record is 待核验 until a regulator confirms it
    ("POST", "/api/devices/<int:device_id>/accessories/<int:accessory_id>/records"): (
        _new_accessory_record,
        CREATE_IN_LEDGER,
    ),
    ("POST", "/api/devices/<int:device_id>/accessory-records/<int:record_id>/confirm"): (
        _confirm_accessory_record,
        REGULATORS_ONLY,
    ),
    ("GET", "/api/devices/<int:device_id>/attachments"): (_get("/api/devices/{d}/attachments"), READ_ONE),
    ("POST", "/api/devices/<int:device_id>/attachments"): (_new_attachment, CREATE_IN_LEDGER),
    ("GET", "/api/devices/<int:device_id>/attachments/<int:attachment_id>/file"): (
        _attachment_file,
        READ_ONE,
    ),
    ("GET", "/api/devices/<int:device_id>/work-records"): (_get("/api/devices/{d}/work-records"), READ_ONE),
    ("POST", "/api/devices/<int:device_id>/work-records"): (_new_work_record, CREATE_IN_LEDGER),
}


def _cases() -> list:
    cases = []
    for (method, rule), (_builder, expected) in MATRIX.items():
        cases.append(pytest.param(method, rule, ANON, "-", 401, id=f"{method} {rule} {ANON} 401"))
        for role, spec in expected.items():
            for item in spec.split():
                scope, _, status = item.rpartition(":")
                scope = scope or "-"
                cases.append(
                    pytest.param(
                        method, rule, role, scope, int(status), id=f"{method} {rule} {role} {scope} {status}"
                    )
                )
    return cases


def _actor(city, role: str):
    return {ADMIN: city.admin, INSP: city.inspector, MGR: city.manager, SUP: city.supervisor}.get(role)


def _target(city, role: str, scope: str) -> Target:
    enterprise = {
        (ADMIN, "in"): city.ent_x,
        (INSP, "out"): city.ent_x,
        (MGR, "out"): city.ent_b,
        (SUP, "own"): city.ent_b,
        (SUP, "out"): city.ent_c,
    }.get((role, scope), city.ent_a)
    devices = {
        city.ent_a.id: city.dev_a,
        city.ent_b.id: city.dev_b,
        city.ent_c.id: city.dev_c,
        city.ent_x.id: city.dev_x,
    }
    hazard = f.make_hazard(enterprise, city.admin)
    db.session.commit()
    return Target(enterprise, devices[enterprise.id], hazard)


EXPECTED_CODES = {
    401: {"token_missing"},
    403: {"forbidden_role", "forbidden", "assignment_required"},
    404: {"not_found"},
    422: {"import_failed", "validation_failed", "bulk_rejected"},
}


@pytest.mark.parametrize(("method", "rule", "role", "scope", "status"), _cases())
def test_endpoint_answers_role_and_scope_with_exact_status(client, city, method, rule, role, scope, status):
    builder, _expected = MATRIX[(method, rule)]
    path, kwargs = builder(_target(city, role, scope))
    actor = _actor(city, role)
    headers = kwargs.pop("headers", {}) | (auth(actor) if actor else {})
    response = client.open(path, method=method, headers=headers, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status >= 400:
        assert response.json["error"]["code"] in EXPECTED_CODES[status]


def test_matrix_covers_every_api_endpoint(app):
    registered = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and not rule.rule.startswith("/api/docs")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert registered - PUBLIC == set(MATRIX)


def test_matrix_gives_every_role_a_row_for_every_endpoint():
    for key, (_builder, expected) in MATRIX.items():
        assert set(expected) == set(ROLES) - {ANON}, key
