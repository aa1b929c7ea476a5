from marshmallow import Schema, ValidationError, fields, validate

from backend.core.schemas import BaseSchema, Id, PageQuerySchema
from backend.hazards.rules import Severity
from backend.notices.rules import MAX_HAZARDS, NoticeKind

SEVERITY_LABELS = {Severity.general: "一般", Severity.major: "重大"}
#: ids beyond a signed 64-bit integer are a 422, not a database overflow


def _no_nul(value: str) -> None:
    """PostgreSQL text refuses NUL characters."""
    if "\x00" in value:
        raise ValidationError("不能包含空字符 (NUL character)")


class NoticeCreateSchema(BaseSchema):
    kind = fields.Enum(NoticeKind, by_value=True, required=True)
    enterprise_id = Id(required=True)
    hazard_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=MAX_HAZARDS))
    deadline = fields.Date(required=True)
    remarks = fields.String(load_default="", validate=[validate.Length(max=1000), _no_nul])


class NoticeListQuerySchema(PageQuerySchema):
    kind = fields.Enum(NoticeKind, by_value=True)
    enterprise_id = Id()


class NoticeHazardSchema(Schema):
    position = fields.Integer()
    hazard_id = fields.String()
    place = fields.String()
    description = fields.Function(lambda i: i.hazard.description)
    severity = fields.Function(lambda i: i.hazard.severity)
    severity_label = fields.Function(lambda i: SEVERITY_LABELS.get(i.hazard.severity, i.hazard.severity))
    #: the hazard's deadline when the notice was issued
    hazard_deadline = fields.Date()
    #: the hazard's status now
    status = fields.Function(lambda i: i.hazard.status)


class NoticeSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    kind = fields.String()
    title = fields.String()
    enterprise_id = Id()
    enterprise_name = fields.Function(lambda n: n.enterprise.name)
    zone_id = Id()
    zone_name = fields.Function(lambda n: n.zone.name)
    issued_by = fields.Function(lambda n: n.issued_by.display_name)
    issued_on = fields.Date()
    deadline = fields.Date()
    remarks = fields.String()
    hazards = fields.List(fields.Nested(NoticeHazardSchema), attribute="items")
    pdf_url = fields.Function(lambda n: f"/api/notices/{n.id}.pdf")
    created_at = fields.DateTime()
