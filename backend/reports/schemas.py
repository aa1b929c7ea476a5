"""Dashboard and monthly-report query and output shapes."""

from marshmallow import Schema, fields

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


class MonthlyReportSchema(DashboardSchema):
    month = fields.String()
    due_on = fields.Date()
    chain_head = fields.Dict(metadata={"description": "evidence chain head at the end of the month"})
