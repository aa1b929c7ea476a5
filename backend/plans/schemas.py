"""Random inspection plans: draw input, plan views (regulators) and the public list."""

from marshmallow import Schema, fields, validate

from backend.core.schemas import BaseSchema, Id, PageQuerySchema, text
from backend.plans.models import ItemStatus


class PlanCreateSchema(BaseSchema):
    zone_id = Id(required=True)
    title = text(200, load_default="")
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=5000))
    seed = fields.Integer(load_default=None, allow_none=True,
                          validate=validate.Range(min=0, max=2**31 - 1),
                          metadata={"description": "omit for a fresh random seed; it is recorded"})
    per_item = fields.Integer(load_default=2, validate=validate.Range(min=1, max=5),
                              metadata={"description": "inspectors per enterprise"})


class PlanListQuerySchema(PageQuerySchema):
    zone_id = Id()


class PlanItemSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda i: i.enterprise.name)
    grade = fields.String()
    key_reasons = fields.Function(lambda i: [r for r in i.key_reasons.split(",") if r])
    inspector_ids = fields.Function(lambda i: i.inspectors)
    status = fields.String()
    result = fields.String()
    done_on = fields.Date(allow_none=True)


class PlanSchema(Schema):
    id = fields.Integer()
    zone_id = fields.Integer()
    title = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    size = fields.Integer()
    seed = fields.Integer()
    per_item = fields.Integer()
    candidates_digest = fields.String()
    status = fields.String()
    published_at = fields.DateTime(allow_none=True)
    composition = fields.Function(lambda p: {g: sum(1 for i in p.items if i.grade == g) for g in "ABCD"})
    execution_rate = fields.Method("_rate")
    items = fields.List(fields.Nested(PlanItemSchema))

    def _rate(self, plan) -> float:  # type: ignore[no-untyped-def]
        from backend.plans.services import execution_rate

        return execution_rate(plan)


class ItemResultSchema(BaseSchema):
    status = fields.String(required=True, validate=validate.OneOf([ItemStatus.done, ItemStatus.not_found]))
    result = text(2000, load_default="")


class PublicPlanItemSchema(Schema):
    enterprise_name = fields.Function(lambda i: i.enterprise.name)
    status = fields.String()
    result = fields.String()
    done_on = fields.Date(allow_none=True)


class PublicPlanSchema(Schema):
    """What the public sees (一公开): no grades, no inspector ids, no seed internals."""

    id = fields.Integer()
    zone_name = fields.Function(lambda p: p.zone.name)
    title = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    seed = fields.Integer()
    published_at = fields.DateTime()
    items = fields.List(fields.Nested(PublicPlanItemSchema))
