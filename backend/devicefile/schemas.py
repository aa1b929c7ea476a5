from marshmallow import Schema, fields, validate

from backend.core.clock import today
from backend.core.schemas import BaseSchema, text
from backend.devicefile.rules import (
    ACCESSORY_LABELS,
    ATTACHMENT_LABELS,
    CONCLUSION_LABELS,
    WORK_LABELS,
    AccessoryKind,
    AttachmentKind,
    Conclusion,
    WorkKind,
)
from backend.devices.rules import DeviceStatus, inspection_state
from backend.photos.services import signed_photo_url

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="照片标识应为64位十六进制 sha256")


class InspectionRecordCreateSchema(BaseSchema):
    inspected_on = fields.Date(required=True)
    #: the inspection agency (检验机构)
    agency = fields.String(required=True, validate=validate.Length(min=2, max=100))
    report_no = fields.String(required=True, validate=validate.Length(min=2, max=60))
    conclusion = fields.Enum(Conclusion, by_value=True, required=True)
    next_due = fields.Date(required=True)
    #: sha256 of the report's photos, each uploaded first (PUT /api/photos/<sha256>)
    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=12))


class ReportPhotoSchema(Schema):
    sha256 = fields.Function(lambda sha: sha)
    url = fields.Function(lambda sha: signed_photo_url(sha, "full"))
    thumbnail_url = fields.Function(lambda sha: signed_photo_url(sha, "thumb"))


class InspectionRecordSchema(Schema):
    id = fields.Integer()
    device_id = fields.Integer()
    inspected_on = fields.Date()
    agency = fields.String()
    report_no = fields.String()
    conclusion = fields.String()
    conclusion_label = fields.Function(lambda r: CONCLUSION_LABELS.get(r.conclusion, r.conclusion))
    next_due = fields.Date()
    photos = fields.List(fields.String())
    report_photos = fields.Function(lambda r: ReportPhotoSchema(many=True).dump(r.photos))
    #: pending (待核验, entered by the enterprise) or confirmed (by a regulator)
    status = fields.String()
    entered_by = fields.Function(lambda r: r.entered_by.username)
    entered_at = fields.DateTime()
    confirmed_by = fields.Function(lambda r: r.confirmed_by.username if r.confirmed_by else None)
    confirmed_at = fields.DateTime(allow_none=True)


# --- safety accessories ---------------------------------------------------------------------------


class AccessoryRecordCreateSchema(BaseSchema):
    #: calibration / inspection day (校验日期)
    checked_on = fields.Date(required=True)
    agency = fields.String(required=True, validate=validate.Length(min=2, max=100))
    report_no = fields.String(required=True, validate=validate.Length(min=2, max=60))
    next_due = fields.Date(required=True)


class AccessoryCreateSchema(BaseSchema):
    kind = fields.Enum(AccessoryKind, by_value=True, required=True)
    model = text(60, load_default="")
    serial_no = text(60, load_default="")
    #: its latest calibration, entered with it (optional)
    record = fields.Nested(AccessoryRecordCreateSchema, load_default=None, allow_none=True)


class AccessoryRecordSchema(Schema):
    id = fields.Integer()
    accessory_id = fields.Integer()
    checked_on = fields.Date()
    agency = fields.String()
    report_no = fields.String()
    next_due = fields.Date()
    #: pending (待核验, entered by the enterprise) or confirmed (by a regulator)
    status = fields.String()
    entered_by = fields.Function(lambda r: r.entered_by.username)
    entered_at = fields.DateTime()
    confirmed_by = fields.Function(lambda r: r.confirmed_by.username if r.confirmed_by else None)
    confirmed_at = fields.DateTime(allow_none=True)


class AccessorySchema(Schema):
    id = fields.Integer()
    device_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.Function(lambda a: ACCESSORY_LABELS.get(a.kind, a.kind))
    model = fields.String()
    serial_no = fields.String()
    last_checked_on = fields.Date(allow_none=True)
    #: from its latest confirmed record only
    next_due = fields.Date(allow_none=True)
    #: valid / due_soon / overdue / unknown (no confirmed record yet)
    state = fields.Function(lambda a: inspection_state(a.next_due, DeviceStatus.in_use, today()).value)
    records = fields.Function(lambda a: AccessoryRecordSchema(many=True).dump(getattr(a, "record_list", [])))


# --- attachments ----------------------------------------------------------------------------------


class AttachmentFormSchema(BaseSchema):
    kind = fields.Enum(AttachmentKind, by_value=True, required=True)
    title = text(100, load_default="")


class AttachmentSchema(Schema):
    id = fields.Integer()
    device_id = fields.Integer()
    sha256 = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda a: ATTACHMENT_LABELS.get(a.kind, a.kind))
    title = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    uploaded_by = fields.Function(lambda a: a.uploaded_by.username)
    uploaded_at = fields.DateTime()
    #: the file, for a signed-in caller who may see the device (Authorization header)
    url = fields.Function(lambda a: f"/api/devices/{a.device_id}/attachments/{a.id}/file")


# --- installation / alteration / repair / patrol ------------------------------------------------


class WorkRecordCreateSchema(BaseSchema):
    kind = fields.Enum(WorkKind, by_value=True, required=True)
    done_on = fields.Date(required=True)
    #: the unit that did the work (施工单位) or patrolled
    unit = fields.String(required=True, validate=validate.Length(min=2, max=100))
    description = text(2000, load_default="")


class WorkRecordQuerySchema(BaseSchema):
    kind = fields.Enum(WorkKind, by_value=True, load_default=None)


class WorkRecordSchema(Schema):
    id = fields.Integer()
    device_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.Function(lambda r: WORK_LABELS.get(r.kind, r.kind))
    done_on = fields.Date()
    unit = fields.String()
    description = fields.String()
    entered_by = fields.Function(lambda r: r.entered_by.username)
    entered_at = fields.DateTime()
