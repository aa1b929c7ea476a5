"""Random inspection plans: draw input, plan views (regulators) and the public list."""

from marshmallow import Schema, fields, validate

from backend.accounts.models import User
from backend.core.clock import today
from backend.core.schemas import BaseSchema, Day, Id, PageQuerySchema, text
from backend.extensions import db
from backend.plans import rules
from backend.plans.inspection_plans import execution_rate, quota_check
from backend.plans.models import RECUSAL_KINDS, ItemStatus, PlanStatus


class PlanCreateSchema(BaseSchema):
    zone_id = Id(required=True)
    title = text(200, load_default="")
    period_start = Day(required=True)
    period_end = Day(required=True)
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=5000))
    seed = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "omit for a fresh random seed; it is recorded"},
    )
    per_item = fields.Integer(
        load_default=2,
        validate=validate.Range(min=1, max=5),
        metadata={"description": "inspectors per enterprise"},
    )


class PlanPreviewQuerySchema(BaseSchema):
    zone_id = Id(required=True)
    period_start = Day(
        load_default=None,
        allow_none=True,
        metadata={"description": "default today (named key objects in force then)"},
    )
    period_end = Day(load_default=None, allow_none=True)
    size = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=5000),
        metadata={"description": "omit for the zone's figures only"},
    )


class _GradeCounts(Schema):
    A = fields.Integer()
    B = fields.Integer()
    C = fields.Integer()
    D = fields.Integer()


class _Mandatory(Schema):
    total = fields.Integer(metadata={"description": "every D and every key object: always in the plan"})
    D = fields.Integer()
    key = fields.Integer(metadata={"description": "key objects (第十二条) that are not D"})
    by_grade = fields.Nested(_GradeCounts)


class _Limits(Schema):
    A_max = fields.Integer()
    B_min = fields.Integer()
    C_min = fields.Integer()


class PlanPreviewSchema(Schema):
    """The zone's figures before drawing and, for `size`, what the plan would hold (no draw)."""

    zone_id = fields.Integer()
    candidates = fields.Nested(_GradeCounts, metadata={"description": "graded enterprises per grade"})
    mandatory = fields.Nested(_Mandatory)
    exact_sizes = fields.List(
        fields.List(fields.Integer()),
        metadata={"description": "inclusive [from, to] ranges of sizes whose plan meets every quota exactly"},
    )
    inspectors = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": "active inspectors: zone, city_others (sent where the zone lacks unlinked ones)"
        },
    )
    size = fields.Integer()
    quota_total = fields.Integer(metadata={"description": "计划总数 the quotas are shares of"})
    composition = fields.Nested(_GradeCounts)
    limits = fields.Nested(_Limits)
    exact = fields.Boolean()
    notes = fields.List(fields.String())


class PlanListQuerySchema(PageQuerySchema):
    zone_id = Id()
    status = fields.String(validate=validate.OneOf([PlanStatus.draft, PlanStatus.published]))


def _inspectors(item) -> list[dict]:
    users = [db.session.get(User, i) for i in item.inspectors]
    return [{"id": u.id, "name": u.display_name or u.username} for u in users if u is not None]


class PlanItemSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda i: i.enterprise.name)
    grade = fields.String()
    key_reasons = fields.Function(lambda i: [r for r in i.key_reasons.split(",") if r])
    #: the regulator's reason when named a key object (第十二条第四项)
    named_reason = fields.String()
    inspector_ids = fields.Function(lambda i: i.inspectors)
    inspectors = fields.Function(_inspectors)
    status = fields.String()
    result = fields.String()
    done_on = fields.Date(allow_none=True)
    findings = fields.Integer()


def _executed(plan) -> int:
    return sum(1 for i in plan.items if i.status != ItemStatus.pending)


class PlanBriefSchema(Schema):
    """A plan in the list: counts, no items."""

    id = fields.Integer()
    zone_id = fields.Integer()
    zone_name = fields.Function(lambda p: p.zone.name)
    title = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    size = fields.Integer()
    status = fields.String()
    published_at = fields.DateTime(allow_none=True)
    total = fields.Function(lambda p: len(p.items))
    executed = fields.Function(_executed)
    created_at = fields.DateTime()


class PlanSchema(Schema):
    id = fields.Integer()
    zone_id = fields.Integer()
    zone_name = fields.Function(lambda p: p.zone.name)
    title = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    size = fields.Integer(metadata={"description": "the size asked for (计划规模)"})
    quota_total = fields.Integer(
        metadata={"description": "计划总数: the quotas' base; above size when the mandatory objects need it"}
    )
    notes = fields.Function(
        lambda p: p.note_lines,
        metadata={"description": "shortfalls and other departures from the asked size, in plain words"},
    )
    pdf_url = fields.Function(lambda p: f"/api/plans/{p.id}.pdf")
    seed = fields.Integer()
    per_item = fields.Integer()
    candidates_digest = fields.String()
    status = fields.String()
    published_at = fields.DateTime(allow_none=True)
    composition = fields.Function(lambda p: {g: sum(1 for i in p.items if i.grade == g) for g in "ABCD"})
    execution_rate = fields.Method("_rate")
    #: quota bounds of the plan's size and whether the drawn items meet them
    limits = fields.Function(lambda p: rules.limits(p.quota_total))
    quota = fields.Method("_quota")
    total = fields.Function(lambda p: len(p.items))
    executed = fields.Function(_executed)
    items = fields.List(fields.Nested(PlanItemSchema))

    def _rate(self, plan) -> float:
        return execution_rate(plan)

    def _quota(self, plan) -> dict:
        return quota_check(plan)


class ItemResultSchema(BaseSchema):
    status = fields.String(required=True, validate=validate.OneOf([ItemStatus.done, ItemStatus.not_found]))
    result = text(2000, load_default="")
    done_on = Day(
        load_default=None, allow_none=True, metadata={"description": "day of the inspection; default today"}
    )
    findings = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=999),
        metadata={"description": "problems found (0 for not_found)"},
    )


class PublicPlanItemSchema(Schema):
    enterprise_name = fields.Function(lambda i: i.enterprise.name)
    status = fields.String()
    result = fields.String()
    done_on = fields.Date(allow_none=True)
    findings = fields.Integer()


class PublicPlanSchema(Schema):
    """What the public sees (一公开): no grades, no inspector ids, no seed internals."""

    id = fields.Integer()
    zone_name = fields.Function(lambda p: p.zone.name)
    title = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    seed = fields.Integer()
    published_at = fields.DateTime()
    total = fields.Function(lambda p: len(p.items))
    executed = fields.Function(_executed)
    items = fields.List(fields.Nested(PublicPlanItemSchema))


class KeyObjectCreateSchema(BaseSchema):
    enterprise_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))
    starts_on = Day(load_default=None, allow_none=True, metadata={"description": "default today"})
    ends_on = Day(
        load_default=None,
        allow_none=True,
        metadata={"description": "last day in force; omit for until ended"},
    )


class KeyObjectEndSchema(BaseSchema):
    ends_on = Day(
        load_default=None,
        allow_none=True,
        metadata={"description": "last day in force; default yesterday (ends now)"},
    )


class KeyObjectListQuerySchema(PageQuerySchema):
    zone_id = Id()
    enterprise_id = Id()
    in_force = fields.Boolean()


class KeyObjectSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda k: k.enterprise.name)
    zone_id = fields.Integer()
    reason = fields.String()
    named_by_id = fields.Integer()
    named_by_name = fields.Function(lambda k: k.named_by.display_name or k.named_by.username)
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    in_force = fields.Method("_in_force")
    created_at = fields.DateTime()

    def _in_force(self, key_object) -> bool:
        return key_object.in_force(today())


class RecusalCreateSchema(BaseSchema):
    enterprise_id = Id(required=True)
    inspector_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "bureau only; an inspector declares their own"},
    )
    kind = fields.String(required=True, validate=validate.OneOf(RECUSAL_KINDS))
    reason = text(200, load_default="")


class RecusalWithdrawSchema(BaseSchema):
    reason = text(200, load_default="")


class RecusalListQuerySchema(PageQuerySchema):
    inspector_id = Id()
    enterprise_id = Id()
    active = fields.Boolean()


class RecusalSchema(Schema):
    id = fields.Integer()
    inspector_id = fields.Integer()
    inspector_name = fields.Function(lambda r: r.inspector.display_name or r.inspector.username)
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda r: r.enterprise.name)
    kind = fields.String()
    reason = fields.String()
    declared_at = fields.DateTime(allow_none=True)
    active = fields.Boolean()
    withdrawn_at = fields.DateTime(allow_none=True)
    withdraw_reason = fields.String()
