from marshmallow import Schema, ValidationError, fields, validate

from backend.core.clock import today
from backend.core.schemas import BaseSchema, Id, PageQuerySchema, viewer
from backend.hazards.rules import Severity, is_overdue
from backend.hazards.schemas import SHA256
from backend.notices.rules import KIND_TITLES, MAX_HAZARDS, NoticeKind, NoticeStatus, next_kind, notice_status
from backend.notices.services import allowed_actions
from backend.photos.services import signed_photo_url

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


class AcknowledgeSchema(BaseSchema):
    #: sha256 of the drawn signature (a PNG uploaded through PUT /api/photos/<sha256> first)
    signature = fields.String(required=True, validate=SHA256)


class AcknowledgeOpSchema(AcknowledgeSchema):
    notice_id = Id(required=True)


class ReplySchema(BaseSchema):
    text = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=12))


class SuggestionQuerySchema(BaseSchema):
    hazard_id = fields.UUID()
    enterprise_id = Id()
    #: the next step after this notice: its hazards still open
    notice_id = Id()


class SuggestedHazardSchema(Schema):
    id = fields.String()
    description = fields.String()
    severity = fields.String()
    status = fields.String()
    deadline = fields.Date()
    is_overdue = fields.Function(lambda h: is_overdue(h.status, h.deadline, today()))
    device_label = fields.Function(
        lambda h: f"{h.device.name or h.device.category} {h.device.registration_no}" if h.device else None
    )


class NoticeRefSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    kind = fields.String()
    title = fields.String()
    deadline = fields.Date()


class SuggestionSchema(Schema):
    enterprise_id = Id()
    enterprise_name = fields.String()
    kind = fields.String()
    title = fields.Function(lambda s: KIND_TITLES[NoticeKind(s["kind"])])
    deadline = fields.Date()
    hazards = fields.List(fields.Nested(SuggestedHazardSchema))
    overdue_notices = fields.List(fields.Nested(NoticeRefSchema))


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
    #: issued, acknowledged, replied, closed, or overdue (past the deadline, not yet replied)
    status = fields.Function(lambda n: notice_status(n.state, n.deadline, today()).value)
    #: once overdue: the next step of the escalation order (提醒敦促函 → 整改通知书 → 约谈 → 挂牌督办)
    next_kind = fields.Function(lambda n: _next_step(n))
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by = fields.Function(lambda n: n.acknowledged_by.display_name if n.acknowledged_by else None)
    signature_url = fields.Function(
        lambda n: signed_photo_url(n.signature_sha256, "full") if n.signature_sha256 else None
    )
    replied_at = fields.DateTime(allow_none=True)
    replied_by = fields.Function(lambda n: n.replied_by.display_name if n.replied_by else None)
    reply_text = fields.String()
    reply_photos = fields.Function(
        lambda n: [
            {"sha256": p, "thumbnail_url": signed_photo_url(p, "thumb"), "url": signed_photo_url(p, "full")}
            for p in n.reply_photos or []
        ]
    )
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.Function(lambda n: n.closed_by.display_name if n.closed_by else None)
    allowed_actions = fields.Function(lambda n: [a.value for a in allowed_actions(viewer(), n)])


def _next_step(notice) -> str | None:
    if notice_status(notice.state, notice.deadline, today()) != NoticeStatus.overdue:
        return None
    return next_kind(notice.kind).value
