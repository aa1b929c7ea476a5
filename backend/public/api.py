"""The anonymous surface: what a plain phone camera reaches from a device label."""

from flask import make_response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.core.auth import optional_user
from backend.devices.schemas import DevicePublicSchema, DeviceSchema
from backend.extensions import limiter
from backend.maintenance.schemas import LastMaintenanceSchema
from backend.measures.schemas import PublicListingSchema
from backend.public import disclosure, services

bp = Blueprint("public", __name__, url_prefix="/api", description="公众扫码")


class PublicViewSchema(DevicePublicSchema):
    #: {"on","kind","confirmed"} of the last maintenance (电梯维保): no worker's personal data
    last_maintenance = fields.Nested(LastMaintenanceSchema, allow_none=True, dump_default=None)
    next_maintenance_due = fields.Date(allow_none=True, dump_default=None)


class QrLookupSchema(Schema):
    public = fields.Nested(PublicViewSchema)
    device = fields.Nested(DeviceSchema, allow_none=True)
    #: the position of the label scanned (machine_room, car_top, car …); null for the device's default label
    position = fields.String(allow_none=True)
    position_label = fields.String(allow_none=True)


@bp.get("/qr/<string(maxlength=64):token>")
@limiter.limit("120 per minute")
@bp.response(200, QrLookupSchema)
def qr_lookup(token: str) -> dict:
    """Public view of a labelled device; the full record too for users in scope."""
    return services.qr_lookup(optional_user(), token)


class CategoryCountSchema(Schema):
    category = fields.String()
    label = fields.String()
    count = fields.Integer()


class DisclosureDevicesSchema(Schema):
    registered = fields.Integer()
    by_category = fields.List(fields.Nested(CategoryCountSchema))
    in_use = fields.Integer()
    overdue = fields.Integer()
    inspection_rate = fields.Float(allow_none=True)


class DisclosureAccidentsSchema(Schema):
    accidents_12m = fields.Integer()
    deaths_12m = fields.Integer()
    accidents_per_10k = fields.Float(allow_none=True)
    deaths_per_10k = fields.Float(allow_none=True)
    accident_target = fields.Float()
    death_target = fields.Float()
    accident_within_target = fields.Boolean(allow_none=True)
    death_within_target = fields.Boolean(allow_none=True)


class DisclosureHazardsSchema(Schema):
    since = fields.Date()
    found = fields.Integer()
    rectified = fields.Integer()
    major_found = fields.Integer()
    rectification_rate = fields.Float(allow_none=True)


class DisclosurePlanSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    items = fields.Integer()
    done = fields.Integer()
    findings = fields.Integer()
    execution_rate = fields.Float(allow_none=True)


class DisclosureSchema(Schema):
    as_of = fields.Date()
    devices = fields.Nested(DisclosureDevicesSchema)
    accidents = fields.Nested(DisclosureAccidentsSchema)
    hazards = fields.Nested(DisclosureHazardsSchema)
    plans = fields.List(fields.Nested(DisclosurePlanSchema))
    serious_violations = fields.List(fields.Nested(PublicListingSchema))


@bp.get("/public/disclosure")
@limiter.limit("60 per minute")
@bp.response(200, DisclosureSchema)
def public_disclosure():
    """信息公示 (anonymous): devices by category, periodic-inspection rate, accidents and deaths per
    10,000 devices over 12 months against 0.20 / 0.19 (seed 003), this year's hazards found and
    rectified, published plans' results, the serious-violation list. Aggregates only; cacheable."""
    response = make_response(DisclosureSchema().dump(disclosure.disclosure()))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
