"""The device's technical file API: periodic-inspection records."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, Role, require_roles
from backend.devicefile import services
from backend.devicefile.schemas import InspectionRecordCreateSchema, InspectionRecordSchema
from backend.extensions import db

bp = Blueprint("devicefile", __name__, url_prefix="/api/devices", description="设备技术档案（检验记录）")


@bp.get("/<int:device_id>/inspections")
@require_roles()
@bp.response(200, InspectionRecordSchema(many=True))
def list_inspection_records(device_id: int):
    """The device's periodic-inspection history, newest first; `status` pending (待核验) or confirmed."""
    return services.list_records(current_user, device_id)


@bp.post("/<int:device_id>/inspections")
@require_roles(*REGULATORS, Role.safety_manager)
@bp.arguments(InspectionRecordCreateSchema)
@bp.response(201, InspectionRecordSchema)
def add_inspection_record(body: dict, device_id: int):
    """Enter a periodic-inspection report (date, agency, report number, conclusion, next due, photos).

    Entered by the enterprise it is `pending` (待核验) and moves no date until a regulator confirms
    it; entered by a regulator it holds at once. The device's `last_inspection_on` and
    `next_inspection_due` come from its latest confirmed record, each change in its history.
    """
    record = services.add_record(current_user, device_id, body)
    db.session.commit()
    return record


@bp.post("/<int:device_id>/inspections/<int:record_id>/confirm")
@require_roles(*REGULATORS)
@bp.response(200, InspectionRecordSchema)
def confirm_inspection_record(device_id: int, record_id: int):
    """A regulator confirms an enterprise's record; the device's dates follow it if it is the latest."""
    record = services.confirm_record(current_user, device_id, record_id)
    db.session.commit()
    return record
