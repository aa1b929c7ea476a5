from marshmallow import Schema, fields


class MissedSchema(Schema):
    daily = fields.Integer()
    weekly = fields.Integer()
    monthly = fields.Integer()


class QueueItemSchema(Schema):
    kind = fields.String()
    ref = fields.String()
    title = fields.String()
    subtitle = fields.String()
    due_on = fields.Date()
    urgency = fields.String()
    link = fields.String()
    major = fields.Boolean()
    missed = fields.Nested(MissedSchema, allow_none=True)


class WorkQueueSchema(Schema):
    as_of = fields.Date()
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(QueueItemSchema))
