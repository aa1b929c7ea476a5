"""The device ledger API."""

from flask import Response, request
from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from backend.core.auth import REGULATORS, Role, require_roles
from backend.core.clock import today
from backend.core.downloads import file_response
from backend.core.errors import ValidationFailed
from backend.core.exports import xlsx_response
from backend.core.history import HistoryEntrySchema
from backend.core.schemas import BaseSchema, Id, page_schema, text
from backend.devices import importer, labels, overview, services
from backend.devices.schemas import (
    DeviceCreateSchema,
    DeviceListQuerySchema,
    DeviceSchema,
    DeviceUpdateSchema,
    PositionLabelCreateSchema,
    PositionLabelSchema,
)
from backend.extensions import db
from backend.measures import services as measures

bp = Blueprint("devices", __name__, url_prefix="/api/devices", description="设备台账")

EDITORS = (*REGULATORS, Role.safety_manager)


class ReissueSchema(BaseSchema):
    reason = text(200, load_default="")


@bp.get("")
@require_roles()
@bp.arguments(DeviceListQuerySchema, location="query")
@bp.response(200, page_schema(DeviceSchema))
def list_devices(query: dict):
    """Search the device ledger in scope (category, status, overdue, key-monitored, block…)."""
    return overview.list_devices(current_user, query)


class ZoneAttentionSchema(BaseSchema):
    zone_id = fields.Integer()
    zone_name = fields.String()
    overdue = fields.Integer()
    long_idle = fields.Integer()


class EnterpriseAttentionSchema(BaseSchema):
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    overdue = fields.Integer()
    long_idle = fields.Integer()


class AttentionSummarySchema(BaseSchema):
    as_of = fields.Date()
    zones = fields.List(fields.Nested(ZoneAttentionSchema))
    enterprises = fields.List(fields.Nested(EnterpriseAttentionSchema))


@bp.get("/attention")
@require_roles()
@bp.response(200, AttentionSummarySchema)
def attention_summary() -> dict:
    """Overdue periodic inspections (超期未检) and long-idle devices per zone and enterprise.

    The devices themselves: `GET /api/devices?overdue=true` or `?long_idle=true`.
    """
    return services.attention_summary(current_user)


@bp.get("/<int:device_id>")
@require_roles()
@bp.response(200, DeviceSchema)
def get_device(device_id: int):
    return overview.show_device(current_user, device_id)


@bp.post("")
@require_roles(*EDITORS)
@bp.arguments(DeviceCreateSchema)
@bp.response(201, DeviceSchema)
def create_device(body: dict):
    """Register a device in an enterprise's ledger."""
    device = services.create_device(current_user, body)
    db.session.commit()
    return device


@bp.patch("/<int:device_id>")
@require_roles(*EDITORS)
@bp.arguments(DeviceUpdateSchema)
@bp.response(200, DeviceSchema)
def update_device(body: dict, device_id: int):
    """Edit a device. Inspection dates, status, idle date and key monitoring are regulated: anyone
    but a regulator gets 403 `forbidden`. Each change is kept in `GET /api/devices/<id>/history`.

    `{"status":"sealed"|"stopped","notice_id":N}` orders 查封 / 责令停止使用 (a regulator in scope,
    a notice to the device's enterprise); another `status` with a `reason` lifts it (regulators
    only); `GET /api/devices/<id>/order` shows the order in force."""
    device = measures.update_device(current_user, device_id, body)
    db.session.commit()
    return device


@bp.get("/<int:device_id>/history")
@require_roles()
@bp.response(200, HistoryEntrySchema(many=True))
def device_history(device_id: int):
    """Every change of the device (`at`, `actor`, `field`, `before`, `after`, `reason`), newest first."""
    return services.device_history(current_user, device_id)


@bp.post("/<int:device_id>/qr-token")
@require_roles(*EDITORS)
@bp.arguments(ReissueSchema)
@bp.response(200, DeviceSchema)
def reissue_qr_token(body: dict, device_id: int):
    """Revoke the device's label and issue a new token (print the new label)."""
    device = services.reissue_qr_token(current_user, device_id, body["reason"])
    db.session.commit()
    return device


@bp.post("/<int:device_id>/labels")
@require_roles(*EDITORS)
@bp.arguments(PositionLabelCreateSchema)
@bp.response(201, PositionLabelSchema)
def issue_position_label(body: dict, device_id: int):
    """Issue the label for one position of the device (机房 / 轿顶 / 轿厢 …); again re-issues it (the old one
    stops resolving). Each position label is its own token of the same device."""
    label = services.issue_position_label(current_user, device_id, body["position"])
    db.session.commit()
    return label


@bp.delete("/<int:device_id>/labels/<string(maxlength=20):position>")
@require_roles(*EDITORS)
@bp.response(204)
def revoke_position_label(device_id: int, position: str) -> None:
    """Take one position's label out of use."""
    services.revoke_position_label(current_user, device_id, position)
    db.session.commit()


class LabelQuerySchema(BaseSchema):
    #: a position label (machine_room, car_top, car …); the default label when absent
    position = text(20, load_default=None)


@bp.get("/<int:device_id>/label.png")
@require_roles()
@bp.arguments(LabelQuerySchema, location="query")
@bp.response(200, content_type="image/png")
def device_label_png(query: dict, device_id: int) -> Response:
    """The printable label: QR code, category, registration number, enterprise (and position, if asked)."""
    made = labels.device_label_png(current_user, device_id, query["position"])
    return _image(*made, "image/png", f"label-{device_id}.png")


@bp.get("/<int:device_id>/label.svg")
@require_roles()
@bp.response(200, content_type="image/svg+xml")
def device_label_svg(device_id: int) -> Response:
    """The QR code alone as SVG, for sign makers."""
    return _image(*labels.device_label_svg(current_user, device_id), "image/svg+xml", f"qr-{device_id}.svg")


def _image(filename: str, body: bytes, mimetype: str, fallback: str) -> Response:
    response = file_response(body, filename, mimetype, inline=True, fallback=fallback)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


class LabelSheetQuerySchema(BaseSchema):
    device_ids = fields.List(Id(), load_default=None)


sheets = Blueprint("labels", __name__, url_prefix="/api/enterprises", description="标签打印")


@sheets.get("/<int:enterprise_id>/labels.pdf")
@require_roles()
@sheets.arguments(LabelSheetQuerySchema, location="query")
@sheets.response(200, content_type="application/pdf")
def enterprise_labels_pdf(query: dict, enterprise_id: int) -> Response:
    """A4 label sheet for the enterprise's devices (or `device_ids`), each position label included."""
    filename, pdf = labels.enterprise_labels_pdf(current_user, enterprise_id, query["device_ids"])
    return file_response(
        pdf, filename, "application/pdf", inline=True, fallback=f"labels-{enterprise_id}.pdf"
    )


class ImportQuerySchema(BaseSchema):
    dry_run = fields.Boolean(load_default=False)


class ImportResultSchema(BaseSchema):
    rows = fields.Integer()
    dry_run = fields.Boolean()
    created = fields.Dict()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/import/template.xlsx")
@require_roles(*EDITORS)
@bp.response(200, content_type=XLSX)
def import_template() -> Response:
    """The ledger import template: Chinese headings, an example row, allowed values (sheet 填写说明)."""
    return file_response(
        importer.template_workbook(), "设备台账导入模板.xlsx", XLSX, fallback="device-import-template.xlsx"
    )


ledgers = Blueprint("device_ledger", __name__, url_prefix="/api", description="设备台账导出")


@ledgers.get("/devices.xlsx")
@require_roles()
@ledgers.arguments(DeviceListQuerySchema, location="query")
@ledgers.response(200, content_type=XLSX)
def devices_xlsx(query: dict) -> Response:
    """The caller's device list with the same filters as `GET /api/devices`, as a spreadsheet."""
    rows = services.device_ledger_rows(current_user, query)
    day = today().isoformat()
    return xlsx_response(f"设备台账-{day}", services.DEVICE_LEDGER_HEADINGS, rows, fallback=f"devices-{day}")


@bp.post("/import")
@require_roles(*EDITORS)
@bp.arguments(ImportQuerySchema, location="query")
@bp.response(200, ImportResultSchema)
def import_ledger(query: dict) -> dict:
    """Import a device ledger (CSV or XLSX in form field `file`); all rows or none.

    Errors come back row by row in `error.details.rows`. `dry_run=true` only checks.
    """
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed(details={"fields": {"file": ["请选择文件 (file required)"]}})
    result = importer.import_ledger(
        current_user, upload.filename or "", upload.read(), dry_run=query["dry_run"]
    )
    db.session.commit()
    return result
