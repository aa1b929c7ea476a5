from flask import current_app
from marshmallow import Schema, fields, validate

from backend.core.clock import today
from backend.core.schemas import BaseSchema, Id, PageQuerySchema, PartialSchemaMixin, text
from backend.devices.rules import (
    ALL_STATUS_LABELS,
    CATEGORY_LABELS,
    LABEL_POSITIONS,
    STATUS_LABELS,
    DeviceCategory,
    DeviceStatus,
    age_in_years,
    inspection_state,
    is_old_elevator,
)
from backend.org.schemas import PHONE


def qr_url(device) -> str:
    return token_url(device.qr_token)


def token_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/q/{token}"


class PositionLabelSchema(Schema):
    """A further label at one position of the device (机房 / 轿顶 / 轿厢 …)."""

    position = fields.String()
    position_label = fields.Function(lambda lb: LABEL_POSITIONS.get(lb.position, lb.position))
    token = fields.String()
    qr_url = fields.Function(lambda lb: token_url(lb.token))
    issued_at = fields.DateTime()


class PositionLabelCreateSchema(BaseSchema):
    position = fields.String(required=True, validate=validate.OneOf(list(LABEL_POSITIONS)))


def _state(device) -> str:
    return inspection_state(device.next_inspection_due, device.status, today()).value


def _accessory_state(device) -> str:
    """Validity of the safety accessories' calibration (unknown: none has a confirmed record)."""
    return inspection_state(device.accessory_next_due, device.status, today()).value


class LastCheckSchema(Schema):
    on = fields.Date()
    result = fields.String()


class DeviceSchema(Schema):
    id = fields.Integer()
    enterprise_id = Id()
    enterprise_name = fields.Function(lambda d: d.enterprise.name)
    category = fields.String()
    category_label = fields.Function(lambda d: CATEGORY_LABELS.get(d.category, d.category))
    registration_no = fields.String()
    device_code = fields.String()
    name = fields.String()
    location = fields.String()
    status = fields.String()
    idle_since = fields.Date(allow_none=True)
    next_inspection_due = fields.Date(allow_none=True)
    last_inspection_on = fields.Date(allow_none=True)
    inspection_state = fields.Function(_state)
    #: earliest next due of its safety accessories (安全附件), from confirmed records only
    accessory_next_due = fields.Date(allow_none=True)
    accessory_state = fields.Function(_accessory_state)
    installed_on = fields.Date(allow_none=True)
    age_years = fields.Function(lambda d: age_in_years(d.installed_on, today()))
    #: an elevator in service 15 years or more (老旧电梯, seed 004)
    old_elevator = fields.Function(lambda d: is_old_elevator(d.category, d.installed_on, today()))
    key_monitored = fields.Boolean()
    maintenance_company_id = Id(allow_none=True)
    maintenance_company = fields.Function(
        lambda d: d.maintenance_company.name if d.maintenance_company else None
    )
    emergency_phone = fields.String()
    qr_token = fields.String()
    qr_url = fields.Function(qr_url)
    #: labels at further positions, each its own token of this device
    position_labels = fields.List(fields.Nested(PositionLabelSchema))
    #: registered place (WGS-84; set by regulators), null when not registered
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    open_hazards = fields.Integer(attribute="open_hazards", dump_default=0)
    #: complaints about the device (enterprise users: substantiated ones only)
    complaint_count = fields.Integer(attribute="complaint_count", dump_default=0)
    #: {"on": date, "result": "pass"|"fail"} of the device's last daily self-check (自查)
    last_self_check = fields.Nested(LastCheckSchema, allow_none=True, dump_default=None)
    #: the same for the last mutual check (互查) of its enterprise
    last_mutual_check = fields.Nested(LastCheckSchema, allow_none=True, dump_default=None)
    #: inspection records the enterprise entered that await a regulator (待核验)
    pending_inspection_records = fields.Integer(attribute="pending_inspection_records", dump_default=0)
    updated_at = fields.DateTime()


class DevicePublicSchema(Schema):
    """What anyone who scans the label may see: nothing about people or hazards."""

    category = fields.String()
    category_label = fields.Function(lambda d: CATEGORY_LABELS.get(d.category, d.category))
    registration_no = fields.String()
    enterprise_name = fields.Function(lambda d: d.enterprise.name)
    status = fields.String()
    #: 在用 / 停用 / 报废 / 已查封 / 责令停止使用: what a passer-by must read plainly
    status_label = fields.Function(lambda d: ALL_STATUS_LABELS.get(d.status, d.status))
    inspection_state = fields.Function(_state)
    next_inspection_due = fields.Date(allow_none=True)
    maintenance_company = fields.Function(
        lambda d: d.maintenance_company.name if d.maintenance_company else None
    )
    emergency_phone = fields.String()


class DeviceCreateSchema(BaseSchema):
    enterprise_id = Id(load_default=None)
    category = fields.Enum(DeviceCategory, by_value=True, required=True)
    registration_no = fields.String(required=True, validate=validate.Length(min=3, max=40))
    device_code = text(40, load_default="")
    name = text(100, load_default="")
    location = text(200, load_default="")
    #: 查封 / 责令停止使用 are set by an order (PATCH with `notice_id`), never at creation or import
    status = fields.String(load_default=DeviceStatus.in_use, validate=validate.OneOf(list(STATUS_LABELS)))
    idle_since = fields.Date(load_default=None, allow_none=True)
    next_inspection_due = fields.Date(load_default=None, allow_none=True)
    last_inspection_on = fields.Date(load_default=None, allow_none=True)
    key_monitored = fields.Boolean(load_default=False)
    maintenance_company_id = Id(load_default=None, allow_none=True)
    emergency_phone = fields.String(load_default="", validate=PHONE)
    installed_on = fields.Date(load_default=None, allow_none=True)


class DeviceUpdateSchema(PartialSchemaMixin, DeviceCreateSchema):
    #: the registered place: regulators only (field records are compared with it)
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    #: an update may name 查封 / 责令停止使用 too (regulators, with the notice): creation may not
    status = fields.Enum(DeviceStatus, by_value=True)  # type: ignore[assignment]
    #: why (kept in the device's history); required to lift 查封 / 责令停止使用
    reason = text(200)
    #: the notice (三书一函) ordering `sealed` or `stopped`; required with them (regulators only)
    notice_id = Id()


class DeviceListQuerySchema(PageQuerySchema):
    q = text(60)
    category = fields.Enum(DeviceCategory, by_value=True)
    status = fields.Enum(DeviceStatus, by_value=True)
    overdue = fields.Boolean()
    long_idle = fields.Boolean()
    #: elevators installed OLD_ELEVATOR_YEARS (15) or more years ago (老旧电梯)
    old_elevator = fields.Boolean()
    key_monitored = fields.Boolean()
    enterprise_id = Id()
    block_id = Id()
    zone_id = Id()
