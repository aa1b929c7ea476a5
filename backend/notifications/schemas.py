"""The inbox on the wire (API.md, "Notifications and scheduled jobs")."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.core.schemas import BaseSchema, PageQuerySchema, page_schema
from backend.notifications import rules


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


def _hhmm(value: str) -> None:
    if value:
        try:
            rules.parse_hhmm(value)
        except ValueError as error:
            raise ValidationError("格式为 HH:MM (24 小时制)") from error


class PreferencesSchema(BaseSchema):
    """Where and when the caller is told outside the app (API.md, "Notifications")."""

    email = fields.Email(load_default="", validate=validate.Length(max=200))
    phone = fields.String(load_default="", validate=validate.Regexp(r"^(\+?\d{5,20})?$"))
    #: false: in-app only
    outbound = fields.Boolean(load_default=True)
    mode = fields.String(load_default="digest", validate=validate.OneOf(rules.MODES))
    #: China time; both empty for none. Urgent items still go out inside them
    quiet_start = fields.String(load_default="", validate=_hhmm)
    quiet_end = fields.String(load_default="", validate=_hhmm)
    #: {category: [channel, …]}; a category left out takes every channel
    channels = fields.Dict(
        keys=fields.String(validate=validate.OneOf(rules.CATEGORIES)),
        values=fields.List(fields.String(validate=validate.OneOf(rules.CHANNELS))),
        load_default=dict,
    )
    categories = fields.Constant(list(rules.CATEGORIES), dump_only=True)

    @validates_schema
    def _both_ends(self, data: dict, **_kwargs) -> None:
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            raise ValidationError({"quiet_end": ["请同时填写开始和结束时间"]})
