"""The admin's view of the scheduled jobs on the wire (API.md, "Notifications and scheduled jobs")."""

from __future__ import annotations

from marshmallow import Schema, fields


class JobRunSchema(Schema):
    id = fields.Integer()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    outcome = fields.String(metadata={"description": "running, ok or failed"})
    counts = fields.Dict()
    error = fields.String()


class JobSchema(Schema):
    name = fields.String()
    title = fields.String()
    schedule = fields.String(metadata={"description": "cron fields, China time"})
    next_due_at = fields.DateTime(allow_none=True)
    running = fields.Boolean()
    last_run = fields.Nested(JobRunSchema, allow_none=True)
    #: failed runs among the last 20
    recent_failures = fields.Integer()


class JobListSchema(Schema):
    items = fields.List(fields.Nested(JobSchema))


class RunNowSchema(Schema):
    job = fields.String()
    outcome = fields.String()
    counts = fields.Dict()
    error = fields.String()
