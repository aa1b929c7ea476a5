"""The device ledger API."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, Role, require_roles
from backend.core.schemas import BaseSchema, page_schema, text
from backend.devices import services
from backend.devices.schemas import (
    DeviceCreateSchema,
    DeviceListQuerySchema,
    DeviceSchema,
    DeviceUpdateSchema,
)
from backend.extensions import db

bp = Blueprint("devices", __name__, url_prefix="/api/devices", description="设备台账")

EDITORS = (*REGULATORS, Role.safety_manager)


class ReissueSchema(BaseSchema):
    reason = text(200, load_default="")


@bp.get("")
@require_roles()
@bp.arguments(DeviceListQuerySchema, location="query")
@bp.response(200, page_schema(DeviceSchema))
def list_devices(query: dict):  # type: ignore[no-untyped-def]
    """Search the device ledger in scope (category, status, overdue, key-monitored, block…)."""
    return services.list_devices(current_user, query)


@bp.get("/<int:device_id>")
@require_roles()
@bp.response(200, DeviceSchema)
def get_device(device_id: int):  # type: ignore[no-untyped-def]
    return services.show_device(current_user, device_id)


@bp.post("")
@require_roles(*EDITORS)
@bp.arguments(DeviceCreateSchema)
@bp.response(201, DeviceSchema)
def create_device(body: dict):  # type: ignore[no-untyped-def]
    """Register a device in an enterprise's ledger."""
    device = services.create_device(current_user, body)
    db.session.commit()
    return device


@bp.patch("/<int:device_id>")
@require_roles(*EDITORS)
@bp.arguments(DeviceUpdateSchema)
@bp.response(200, DeviceSchema)
def update_device(body: dict, device_id: int):  # type: ignore[no-untyped-def]
    device = services.update_device(current_user, device_id, body)
    db.session.commit()
    return device


@bp.post("/<int:device_id>/qr-token")
@require_roles(*EDITORS)
@bp.arguments(ReissueSchema)
@bp.response(200, DeviceSchema)
def reissue_qr_token(body: dict, device_id: int):  # type: ignore[no-untyped-def]
    """Revoke the device's label and issue a new token (print the new label)."""
    device = services.reissue_qr_token(current_user, device_id, body["reason"])
    db.session.commit()
    return device


