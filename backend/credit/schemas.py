"""Credit grading: accidents, enforcement cases, recognitions, grades and the config."""

from marshmallow import Schema, fields, validate

from backend.core.schemas import BaseSchema, Id, PageQuerySchema, money, text
from backend.credit.rules import GROUPS, ITEMS, Grade


class AccidentCreateSchema(BaseSchema):
    enterprise_id = Id(required=True)
    device_id = Id(load_default=None)
    occurred_on = fields.Date(required=True)
    deaths = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))
    injuries = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))
    responsible = fields.Boolean(load_default=True)
    description = text(2000, load_default="")


class AccidentSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda a: a.enterprise.name)
    zone_id = fields.Integer()
    device_id = fields.Integer(allow_none=True)
    occurred_on = fields.Date()
    deaths = fields.Integer()
    injuries = fields.Integer()
    responsible = fields.Boolean()
    description = fields.String()
    created_at = fields.DateTime()


class CaseCreateSchema(BaseSchema):
    enterprise_id = Id(required=True)
    case_no = fields.String(required=True, validate=validate.Length(min=1, max=60))
    opened_on = fields.Date(required=True)
    violation = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    ordered_to_correct = fields.Boolean(load_default=True)
    fine_yuan = money(10**9)


class CaseSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda c: c.enterprise.name)
    zone_id = fields.Integer()
    case_no = fields.String()
    opened_on = fields.Date()
    violation = fields.String()
    ordered_to_correct = fields.Boolean()
    fine_yuan = fields.Decimal(places=2, as_string=True, allow_none=True)
    closed_on = fields.Date(allow_none=True)


class RecognitionCreateSchema(BaseSchema):
    enterprise_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["benchmark", "intrinsic_safety"]))
    granted_on = fields.Date(load_default=None)
    expires_on = fields.Date(load_default=None)
    note = text(1000, load_default="")


class RecognitionSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    kind = fields.String()
    granted_on = fields.Date()
    expires_on = fields.Date(allow_none=True)


class CreditListQuerySchema(PageQuerySchema):
    enterprise_id = Id()


class GradeListQuerySchema(PageQuerySchema):
    grade = fields.Enum(Grade, by_value=True)
    zone_id = Id()
    q = text(100, metadata={"description": "part of the enterprise name or credit code"})


class GradeCountQuerySchema(BaseSchema):
    zone_id = Id()
    q = text(100)


class CreditCycleSchema(Schema):
    """A full recompute (评级周期): the grades it kept hold as of its day too."""

    as_of = fields.Date()
    graded = fields.Integer()
    written = fields.Integer(metadata={"description": "grade rows rewritten (their content changed)"})
    changed = fields.Integer()
    recorded_at = fields.DateTime()


class GradeCountSchema(Schema):
    """How many enterprises in scope hold each grade (the list's filter chips)."""

    A = fields.Integer()
    B = fields.Integer()
    C = fields.Integer()
    D = fields.Integer()
    total = fields.Integer()
    latest_cycle = fields.Nested(
        CreditCycleSchema,
        allow_none=True,
        metadata={"description": "the latest full recompute; null before the first"},
    )


class ReasonSchema(Schema):
    code = fields.String()
    label = fields.String()


class GradeSummarySchema(Schema):
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    zone_id = fields.Integer()
    grade = fields.String()
    score = fields.Float()
    as_of = fields.Date()
    reasons = fields.List(fields.Nested(ReasonSchema))


class IndicatorSchema(Schema):
    indicator = fields.String()
    value = fields.Integer(metadata={"description": "count, flag (0/1) or share in per mille"})
    points = fields.Float()


class GroupSchema(Schema):
    group = fields.String()
    label = fields.String()
    points = fields.Float()
    weight = fields.Float()
    indicators = fields.List(fields.Nested(IndicatorSchema))


class RepairSchema(Schema):
    indicator = fields.String()
    group = fields.String()
    points = fields.Float(metadata={"description": "what the indicator adds before its group's cap"})
    fix = fields.String()
    gain = fields.Float(
        metadata={
            "description": "points the score really drops once fixed (group caps, "
            "deductions included); 0 when the group stays over its cap"
        }
    )
    score_after = fields.Float(metadata={"description": "the score once fixed"})
    grade_after = fields.String(metadata={"description": "the grade once fixed, through every rule"})
    counts_for_years = fields.Integer(
        allow_none=True,
        metadata={
            "description": "set for records that count this many years whatever is done: the gain comes "
            "when they are that old, not when fixed"
        },
    )


class GradeChangeSchema(Schema):
    from_grade = fields.String(allow_none=True)
    to_grade = fields.String()
    score = fields.Float()
    changed_on = fields.Date()
    cause = fields.String()
    reasons = fields.List(fields.Nested(ReasonSchema))


class EnterpriseCreditSchema(GradeSummarySchema):
    band_grade = fields.String(metadata={"description": "the grade of the score band alone"})
    previous_grade = fields.String(allow_none=True)
    bands = fields.List(fields.Float())
    groups = fields.List(fields.Nested(GroupSchema))
    repair = fields.List(fields.Nested(RepairSchema), metadata={"description": "what to fix (信用修复)"})
    history = fields.List(fields.Nested(GradeChangeSchema))


def _number_map(keys: tuple[str, ...] | list[str]) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(keys))),
        values=fields.Float(validate=validate.Range(min=0, max=100)),
    )


class CreditConfigSchema(BaseSchema):
    """Grading config; documented defaults in backend/credit/rules.py DEFAULT_CONFIG."""

    weights = _number_map(GROUPS)
    points = _number_map(list(ITEMS))
    bands = fields.List(fields.Float(), validate=validate.Length(equal=3))
    deductions = _number_map(["accident_free", "benchmark", "intrinsic_safety"])
    accident_d_years = fields.Integer(validate=validate.Range(min=0, max=10))
    fined_d = fields.Boolean()


class RecomputeSchema(Schema):
    as_of = fields.Date()
    graded = fields.Integer()
    changed = fields.Integer()
    written = fields.Integer(metadata={"description": "grade rows rewritten (their content changed)"})
