"""The device's technical file API: periodic-inspection records, safety accessories,
attachments, installation / alteration / repair / patrol records."""

from flask import Response, request
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, Role, require_roles
from backend.core.downloads import file_response
from backend.devicefile import accessories, attachments, services, worklog
from backend.devicefile.rules import EXTENSIONS
from backend.devicefile.schemas import (
    AccessoryCreateSchema,
    AccessoryRecordCreateSchema,
    AccessoryRecordSchema,
    AccessorySchema,
    AttachmentFormSchema,
    AttachmentSchema,
    InspectionRecordCreateSchema,
    InspectionRecordSchema,
    WorkRecordCreateSchema,
    WorkRecordQuerySchema,
    WorkRecordSchema,
)
from backend.extensions import db

bp = Blueprint("devicefile", __name__, url_prefix="/api/devices", description="设备技术档案")


@bp.get("/<int:device_id>/inspections")
@require_roles()
@bp.response(200, InspectionRecordSchema(many=True))
def list_inspection_records(device_id: int):
    """The device's periodic-inspection history, newest first; `status` pending (待核验) or confirmed."""
    return services.list_records(current_user, device_id)


@bp.post("/<int:device_id>/inspections")
@require_roles(*REGULATORS, Role.safety_manager)
@bp.arguments(InspectionRecordCreateSchema)
@bp.response(201, InspectionRecordSchema)
def add_inspection_record(body: dict, device_id: int):
    """Enter a periodic-inspection report (date, agency, report number, conclusion, next due, photos).

    Entered by the enterprise it is `pending` (待核验) and moves no date until a regulator confirms
    it; entered by a regulator it holds at once. The device's `last_inspection_on` and
    `next_inspection_due` come from its latest confirmed record, each change in its history.
    """
    record = services.add_record(current_user, device_id, body)
    db.session.commit()
    return record


@bp.post("/<int:device_id>/inspections/<int:record_id>/confirm")
@require_roles(*REGULATORS)
@bp.response(200, InspectionRecordSchema)
def confirm_inspection_record(device_id: int, record_id: int):
    """A regulator confirms an enterprise's record; the device's dates follow it if it is the latest."""
    record = services.confirm_record(current_user, device_id, record_id)
    db.session.commit()
    return record


@bp.get("/<int:device_id>/accessories")
@require_roles()
@bp.response(200, AccessorySchema(many=True))
def list_accessories(device_id: int):
    """The device's safety accessories (安全附件), each with its calibration records."""
    return accessories.list_accessories(current_user, device_id)


@bp.post("/<int:device_id>/accessories")
@require_roles(*REGULATORS, Role.safety_manager)
@bp.arguments(AccessoryCreateSchema)
@bp.response(201, AccessorySchema)
def add_accessory(body: dict, device_id: int):
    """Fit a safety accessory (安全阀, 压力表, 爆破片, 限速器 …), optionally with its latest
    calibration record; the record is asserted like an inspection record (the enterprise's is
    待核验 until a regulator confirms it). The device counts as inspected on time only while every
    accessory's confirmed next due date holds (`accessory_next_due`)."""
    accessory = accessories.add_accessory(current_user, device_id, body)
    db.session.commit()
    return accessory


@bp.post("/<int:device_id>/accessories/<int:accessory_id>/records")
@require_roles(*REGULATORS, Role.safety_manager)
@bp.arguments(AccessoryRecordCreateSchema)
@bp.response(201, AccessoryRecordSchema)
def add_accessory_record(body: dict, device_id: int, accessory_id: int):
    """Enter a calibration / inspection of the accessory (校验日期, 机构, 报告编号, 下次校验)."""
    record = accessories.add_accessory_record(current_user, device_id, accessory_id, body)
    db.session.commit()
    return record


@bp.post("/<int:device_id>/accessory-records/<int:record_id>/confirm")
@require_roles(*REGULATORS)
@bp.response(200, AccessoryRecordSchema)
def confirm_accessory_record(device_id: int, record_id: int):
    """A regulator confirms an enterprise's accessory record; the dates follow it."""
    record = accessories.confirm_accessory_record(current_user, device_id, record_id)
    db.session.commit()
    return record


@bp.get("/<int:device_id>/attachments")
@require_roles()
@bp.response(200, AttachmentSchema(many=True))
def list_attachments(device_id: int):
    """Documents of the device file (合格证, 铭牌, 检验报告 …), newest first."""
    return attachments.list_attachments(current_user, device_id)


@bp.post("/<int:device_id>/attachments")
@require_roles(*REGULATORS, Role.safety_manager)
@bp.arguments(AttachmentFormSchema, location="form")
@bp.response(201, AttachmentSchema)
@bp.alt_response(200, schema=AttachmentSchema, description="The same file is already on the device")
def add_attachment(form: dict, device_id: int):
    """Upload a document (multipart `file`, `kind`, `title`): PDF, JPEG, PNG or WebP by its
    first bytes, at most ATTACHMENT_MAX_BYTES (413 above, 415 for other types)."""
    upload = request.files.get("file")
    raw = upload.read() if upload else b""
    attachment, created = attachments.add_attachment(
        current_user, device_id, raw, form["kind"], form["title"]
    )
    db.session.commit()
    return attachment, 201 if created else 200


@bp.get("/<int:device_id>/attachments/<int:attachment_id>/file")
@require_roles()
def attachment_file(device_id: int, attachment_id: int) -> Response:
    """The document's bytes as uploaded, sandboxed (no script runs in our origin)."""
    attachment, data = attachments.open_attachment(current_user, device_id, attachment_id)
    name = f"{attachment.title or attachment.kind}-{attachment.id}.{EXTENSIONS[attachment.media_type]}"
    response = file_response(
        data, name, attachment.media_type, inline=True, fallback=f"attachment-{attachment.id}"
    )
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/<int:device_id>/work-records")
@require_roles()
@bp.arguments(WorkRecordQuerySchema, location="query")
@bp.response(200, WorkRecordSchema(many=True))
def list_work_records(query: dict, device_id: int):
    """Installation, alteration, repair and patrol records (安装、改造、修理、巡查), newest first."""
    return worklog.list_work_records(current_user, device_id, query["kind"])


@bp.post("/<int:device_id>/work-records")
@require_roles(*REGULATORS, Role.safety_manager)
@bp.arguments(WorkRecordCreateSchema)
@bp.response(201, WorkRecordSchema)
def add_work_record(body: dict, device_id: int):
    """Record an installation, alteration, repair or patrol (date, unit, description); the first
    installation record sets the device's install date."""
    record = worklog.add_work_record(current_user, device_id, body)
    db.session.commit()
    return record
