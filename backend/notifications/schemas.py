"""The inbox on the wire (API.md, "Notifications and scheduled jobs")."""

from __future__ import annotations

from marshmallow import Schema, fields

from backend.core.schemas import PageQuerySchema, page_schema


class InboxQuerySchema(PageQuerySchema):
    unread = fields.Boolean(load_default=False)


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    link = fields.String(metadata={"description": "a PWA route"})
    urgent = fields.Boolean()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxSchema(page_schema(NotificationSchema)):  # type: ignore[misc]
    unread_count = fields.Integer()
