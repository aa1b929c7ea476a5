"""Dashboard and monthly-report query and output shapes."""

from marshmallow import Schema, fields, validate

from backend.core.schemas import BaseSchema, Day, Id, Month


class DashboardQuerySchema(BaseSchema):
    zone_id = Id(metadata={"description": "bureau: one zone (default: the whole city)"})
    start = Day(metadata={"description": "default: first day of this month"})
    end = Day(metadata={"description": "default: today"})


class MonthlyQuerySchema(BaseSchema):
    zone_id = Id()
    month = Month(required=True)


class DashboardSchema(Schema):
    zone_id = fields.Integer(allow_none=True)
    zone_name = fields.String()
    start = fields.Date()
    end = fields.Date()
    devices = fields.Dict(
        metadata={"description": "by_category {category: {status: n}}, registered, overdue_inspections"}
    )
    hazards = fields.Dict(
        metadata={"description": "found, closed, open, overdue, major_found, rectification_rate"}
    )
    complaints = fields.Dict()
    grades = fields.Dict(metadata={"description": "enterprises per credit grade A–D"})
    mutual_checks = fields.Dict(
        metadata={
            "description": "mutual-check tasks and done, in total and by_block, for the rounds of the period"
        }
    )
    accidents = fields.Dict(
        metadata={"description": "12 months to `end`, per 10,000 devices, against the targets of seed 003"}
    )


class SubmissionSchema(Schema):
    id = fields.Integer()
    zone_id = fields.Integer()
    month = fields.String()
    summary = fields.String()
    problems = fields.String()
    next_steps = fields.String()
    submitted_by_id = fields.Integer()
    submitted_by_name = fields.String()
    submitted_at = fields.DateTime()
    submitted_on = fields.Date(metadata={"description": "China-time day of submission"})
    late = fields.Boolean(metadata={"description": "submitted after the 25th of the following month"})
    content_hash = fields.String(metadata={"description": "sha256 of narrative and frozen figures"})
    evidence_seq = fields.Integer()


class MonthlyReportSchema(DashboardSchema):
    month = fields.String()
    as_of = fields.Date(metadata={"description": "the day the month's state figures stand at"})
    due_on = fields.Date(
        metadata={"description": "due before this day at the city bureau (25th of next month)"}
    )
    chain_head = fields.Dict(metadata={"description": "evidence chain head at the end of the month"})
    self_checks = fields.Dict(metadata={"description": "daily/weekly/monthly: expected, done, rate"})
    plans = fields.Dict(metadata={"description": "random-inspection plan items, done, execution_rate"})
    notices = fields.Dict(metadata={"description": "notices issued in the month: issued, by_kind"})
    key_devices = fields.Dict(
        metadata={
            "description": "key-monitored devices: registration, inspection and operator-certificate rates"
        }
    )
    frozen = fields.Boolean(
        metadata={"description": "true once the zone submitted the month: figures never change"}
    )
    auto_frozen = fields.Boolean(
        metadata={"description": "not submitted by the due day: the schedule froze the figures"}
    )
    submission = fields.Nested(SubmissionSchema, allow_none=True)


def _narrative(description: str) -> fields.String:
    return fields.String(
        required=True, validate=validate.Length(min=1, max=5000), metadata={"description": description}
    )


class MonthlySubmitSchema(BaseSchema):
    month = Month(required=True)
    zone_id = Id(required=True)
    summary = _narrative("经验做法")
    problems = _narrative("存在问题")
    next_steps = _narrative("意见建议")


class SubmissionsQuerySchema(BaseSchema):
    month = Month(required=True)


class ZoneSubmissionSchema(Schema):
    zone_id = fields.Integer()
    zone_name = fields.String()
    submitted = fields.Boolean()
    overdue = fields.Boolean(metadata={"description": "not submitted and past the due day"})
    auto_frozen = fields.Boolean(metadata={"description": "figures frozen by the schedule, not submitted"})
    submission = fields.Nested(SubmissionSchema, allow_none=True)


class SubmissionsSchema(Schema):
    month = fields.String()
    due_on = fields.Date()
    submitted = fields.Integer()
    missing = fields.Integer()
    late = fields.Integer()
    zones = fields.List(fields.Nested(ZoneSubmissionSchema))
