from marshmallow import Schema, fields, validate

from backend.core.clock import today
from backend.core.schemas import BaseSchema, Day, Id, text
from backend.measures.rules import stationing_status


class DeviceOrderSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    notice_id = fields.Integer()
    notice_number = fields.Function(lambda o: o.notice.number)
    notice_title = fields.Function(lambda o: o.notice.title)
    ordered_at = fields.DateTime()
    reason = fields.String()


class StationingCreateSchema(BaseSchema):
    starts_on = Day(load_default=None, allow_none=True, metadata={"description": "default today"})
    ends_on = Day(required=True)
    inspector_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=10))
    purpose = text(500, load_default="")


class FindingCreateSchema(BaseSchema):
    found_on = Day(load_default=None, allow_none=True)
    text = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class StationingCloseSchema(BaseSchema):
    closed_on = Day(load_default=None, allow_none=True, metadata={"description": "default today"})
    summary = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class FindingSchema(Schema):
    id = fields.Integer()
    found_on = fields.Date()
    text = fields.String()
    recorded_by = fields.Function(lambda f: f.recorded_by.display_name or f.recorded_by.username)


class StationingSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    grade = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    inspector_ids = fields.List(fields.Integer())
    inspectors = fields.Function(
        lambda s: [{"id": u.id, "name": u.display_name or u.username} for u in s.inspectors],
        metadata={"description": "the stationed inspectors' names, in the order of inspector_ids"},
    )
    purpose = fields.String()
    status = fields.Function(
        lambda s: stationing_status(s.starts_on, s.ends_on, s.closed_on, today()),
        metadata={"description": "planned | active | ended | closed"},
    )
    closed_on = fields.Date(allow_none=True)
    summary = fields.String()
    findings = fields.List(fields.Nested(FindingSchema))


class ListingCreateSchema(BaseSchema):
    enterprise_id = Id(required=True)
    ground = fields.String(required=True, validate=validate.Length(min=4, max=300))
    decision_no = text(60, load_default="")
    listed_on = Day(load_default=None, allow_none=True, metadata={"description": "default today"})


class ListingRemoveSchema(BaseSchema):
    removed_on = Day(load_default=None, allow_none=True, metadata={"description": "default today"})
    reason = fields.String(required=True, validate=validate.Length(min=2, max=300))


class ListingQuerySchema(BaseSchema):
    enterprise_id = Id(load_default=None)


class PublicListingSchema(Schema):
    """Public (信息公示): the enterprise's name and credit code, the ground, the dates."""

    enterprise_name = fields.Function(lambda s: s.enterprise.name)
    credit_code = fields.Function(lambda s: s.enterprise.credit_code or "")
    ground = fields.String()
    decision_no = fields.String()
    listed_on = fields.Date()


class ListingSchema(PublicListingSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    removed_on = fields.Date(allow_none=True)
    removal_reason = fields.String()
