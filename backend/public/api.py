"""The anonymous surface: what a plain phone camera reaches from a device label."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.core.auth import optional_user
from backend.devices.schemas import DevicePublicSchema, DeviceSchema
from backend.extensions import limiter
from backend.maintenance.schemas import LastMaintenanceSchema
from backend.public import services

bp = Blueprint("public", __name__, url_prefix="/api", description="公众扫码")


class PublicViewSchema(DevicePublicSchema):
    #: {"on","kind","confirmed"} of the last maintenance (电梯维保): no worker's personal data
    last_maintenance = fields.Nested(LastMaintenanceSchema, allow_none=True, dump_default=None)
    next_maintenance_due = fields.Date(allow_none=True, dump_default=None)


class QrLookupSchema(Schema):
    public = fields.Nested(PublicViewSchema)
    device = fields.Nested(DeviceSchema, allow_none=True)


@bp.get("/qr/<string(maxlength=64):token>")
@limiter.limit("120 per minute")
@bp.response(200, QrLookupSchema)
def qr_lookup(token: str) -> dict:
    """Public view of a labelled device; the full record too for users in scope."""
    return services.qr_lookup(optional_user(), token)
