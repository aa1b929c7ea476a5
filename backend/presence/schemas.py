"""The presence fields a check or hazard payload may carry (all optional: older clients send none)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from backend.core.schemas import BaseSchema
from backend.presence.rules import LocationState, PhotoSource

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="照片标识应为64位十六进制 sha256")


class FixSchema(BaseSchema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(required=True, validate=validate.Range(min=0, max=100_000))


class LocationField(fields.Field):
    """`{"lat","lng","accuracy_m"}`, or `"denied"` / `"unavailable"` when the phone gave no position."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict | str:
        if isinstance(value, str):
            if value in tuple(LocationState):
                return value
            raise ValidationError("位置应为坐标或 denied / unavailable")
        if not isinstance(value, dict):
            raise ValidationError("位置应为坐标或 denied / unavailable")
        return FixSchema().load(value)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def location(**kwargs: Any) -> LocationField:
    return LocationField(
        load_default=None,
        allow_none=True,
        metadata={"description": '{"lat","lng","accuracy_m"}, "denied" or "unavailable"'},
        **kwargs,
    )


class PhotoMetaSchema(BaseSchema):
    """Where a photo came from: the in-app camera or the gallery, when it was taken, where the phone was."""

    sha256 = fields.String(required=True, validate=SHA256)
    source = fields.Enum(PhotoSource, by_value=True, required=True)
    taken_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)
    geolocation = location()


class ScanSchema(BaseSchema):
    """A device label scanned during the visit."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=64))
    at = fields.AwareDateTime(required=True, default_timezone=UTC)


class PresenceInSchema(BaseSchema):
    """The optional presence fields a record's create schema inherits (older clients send none)."""

    #: where the phone was when the record was made
    geolocation = location()
    #: provenance of the record's photos
    photo_meta = fields.List(
        fields.Nested(PhotoMetaSchema), load_default=list, validate=validate.Length(max=200)
    )
    #: the device labels scanned during the visit
    scans = fields.List(fields.Nested(ScanSchema), load_default=list, validate=validate.Length(max=20))


class EvidenceSchema(Schema):
    """How strongly the record shows its author was at the device (on site, or the reasons it does not)."""

    on_site = fields.Boolean()
    warnings = fields.List(fields.String())
    #: seconds from the first label scanned to the last (null without a scan)
    time_on_site_s = fields.Integer(allow_none=True)
