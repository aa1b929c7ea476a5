from marshmallow import Schema, fields, validate

from backend.core.schemas import BaseSchema
from backend.devicefile.rules import CONCLUSION_LABELS, Conclusion
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
