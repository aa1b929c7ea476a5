from datetime import UTC

from marshmallow import Schema, fields, validate

from backend.core.clock import today
from backend.core.schemas import BaseSchema, Day, Id, PageQuerySchema, text
from backend.hazards.schemas import SHA256
from backend.maintenance.rules import (
    DEFAULT_RESCUE_LIMIT_MINUTES,
    KIND_LABELS,
    ItemResult,
    MaintenanceKind,
    RecordStatus,
    is_overdue,
    label_hash,
    rescue,
    shown_status,
)
from backend.photos.services import signed_photo_url
from backend.presence.schemas import ScanSchema


class OrderQuerySchema(PageQuerySchema):
    #: the caller's work waiting to be done: open orders only
    mine = fields.Boolean(load_default=False)
    device_id = Id()


class RecordQuerySchema(PageQuerySchema):
    status = fields.Enum(RecordStatus, by_value=True)
    device_id = Id()


class RecordItemSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    result = fields.Enum(ItemResult, by_value=True, required=True)
    note = text(500, load_default="")
    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=6))


class RecordCreateSchema(BaseSchema):
    items = fields.List(
        fields.Nested(RecordItemSchema), required=True, validate=validate.Length(min=1, max=80)
    )
    scans = fields.List(fields.Nested(ScanSchema), required=True, validate=validate.Length(min=1, max=20))
    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=40))
    #: sha256 of the drawn signature (a PNG uploaded through PUT /api/photos/<sha256> first)
    signature = fields.String(required=True, validate=SHA256)
    #: urgent orders with trapped passengers: when they were freed
    released_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)


class RecordOpSchema(RecordCreateSchema):
    order_id = Id(required=True)


class DisputeSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class FaultSchema(BaseSchema):
    device_id = Id(required=True)
    #: passengers trapped in the car (困人): the rescue clock runs
    trapped = fields.Boolean(load_default=False)
    description = text(500, load_default="")


class ContractCreateSchema(BaseSchema):
    device_id = Id(required=True)
    company_id = Id(required=True)
    starts_on = Day(required=True)
    ends_on = Day(required=True)


class ContractEndSchema(BaseSchema):
    #: the contract's last day; today when not given
    ends_on = Day(load_default=None)


class ContractQuerySchema(PageQuerySchema):
    device_id = Id()


class ChecklistItemSchema(Schema):
    code = fields.String()
    text = fields.String()
    photo = fields.Boolean()


class DeviceBriefSchema(Schema):
    id = Id()
    registration_no = fields.String()
    name = fields.String()
    location = fields.String()
    enterprise_name = fields.Function(lambda d: d.enterprise.name)


def _rescue(record) -> dict | None:
    """The rescue's minutes against the limit, for the record of a 困人 order (None for any other)."""
    order = record.order
    if not order.trapped or order.reported_at is None:
        return None
    found = rescue(
        order.reported_at,
        record.first_scan_at,
        record.released_at,
        order.rescue_limit_minutes or DEFAULT_RESCUE_LIMIT_MINUTES,
    )
    return {
        "arrival_minutes": found.arrival_minutes,
        "release_minutes": found.release_minutes,
        "late": found.late,
    }


def _label_hashes(order) -> list[str]:
    tokens = [order.device.qr_token, *(label.token for label in order.device.position_labels)]
    return [label_hash(token) for token in tokens if token]


class OrderSchema(Schema):
    id = Id()
    device_id = Id()
    device = fields.Nested(DeviceBriefSchema)
    company_id = Id()
    company = fields.Function(lambda o: o.company.name)
    enterprise_id = Id()
    kind = fields.String()
    kind_label = fields.Function(lambda o: KIND_LABELS[MaintenanceKind(o.kind)])
    due_on = fields.Date()
    #: open, overdue (open past its due date) or done
    status = fields.Function(lambda o: shown_status(o.status, o.due_on, today()))
    overdue = fields.Function(lambda o: is_overdue(o.status, o.due_on, today()))
    items = fields.List(fields.Nested(ChecklistItemSchema))
    trapped = fields.Boolean()
    description = fields.String()
    reported_at = fields.DateTime(allow_none=True)
    rescue_limit_minutes = fields.Integer(allow_none=True)
    rescue = fields.Function(lambda o: _rescue(o.record) if o.record else None)
    record_id = fields.Function(lambda o: o.record.id if o.record else None)
    record_status = fields.Function(lambda o: o.record.status if o.record else None)
    created_at = fields.DateTime()
    #: sha256 of each of the device's label tokens (default and positions): the worker's phone
    #: refuses another device's label offline without holding tokens it could claim scans with
    label_hashes = fields.Function(_label_hashes)


class RecordedItemSchema(Schema):
    code = fields.String()
    #: the item as the order listed it
    text = fields.String()
    result = fields.String()
    note = fields.String()
    photos = fields.List(fields.String())
    photo_urls = fields.Function(lambda i: [signed_photo_url(p, "thumb") for p in i.get("photos", [])])


def _with_texts(record) -> list[dict]:
    texts = {item["code"]: item["text"] for item in record.order.items}
    return [item | {"text": texts.get(item["code"], "")} for item in record.items]


class RecordSchema(Schema):
    id = Id()
    order_id = Id()
    device_id = Id()
    device = fields.Nested(DeviceBriefSchema)
    company_id = Id()
    company = fields.Function(lambda r: r.company.name)
    enterprise_id = Id()
    kind = fields.String()
    kind_label = fields.Function(lambda r: KIND_LABELS[MaintenanceKind(r.kind)])
    worker = fields.Function(lambda r: r.worker.display_name)
    #: the operator certificate the record was accepted on, and its holder as named then
    certificate_number = fields.String(allow_none=True)
    certificate_holder = fields.String(allow_none=True)
    items = fields.Function(lambda r: RecordedItemSchema(many=True).dump(_with_texts(r)))
    scans = fields.List(fields.Dict())
    photos = fields.List(fields.String())
    photo_urls = fields.Function(lambda r: [signed_photo_url(p, "thumb") for p in r.photos])
    signature_url = fields.Function(lambda r: signed_photo_url(r.signature_sha256, "full"))
    first_scan_at = fields.DateTime()
    last_scan_at = fields.DateTime()
    on_site_minutes = fields.Integer()
    released_at = fields.DateTime(allow_none=True)
    #: 困人 on the urgent order: when it was reported, the limit, and the rescue's minutes against it
    trapped = fields.Function(lambda r: r.order.trapped)
    reported_at = fields.Function(lambda r: r.order.reported_at and r.order.reported_at.isoformat())
    rescue_limit_minutes = fields.Function(lambda r: r.order.rescue_limit_minutes)
    rescue = fields.Function(_rescue)
    #: first to last scan shorter than the kind's minimum: flagged, not refused
    short_visit = fields.Boolean()
    evidence_strength = fields.Float()
    submitted_at = fields.DateTime()
    status = fields.String()
    answered_at = fields.DateTime(allow_none=True)
    dispute_reason = fields.String()


class ContractSchema(Schema):
    id = Id()
    device_id = Id()
    device = fields.Nested(DeviceBriefSchema)
    company_id = Id()
    company = fields.Function(lambda c: c.company.name)
    starts_on = fields.Date()
    ends_on = fields.Date()
    #: not_started, active or ended, as of today
    state = fields.Function(
        lambda c: "not_started" if c.starts_on > today() else "ended" if c.ends_on < today() else "active"
    )


class CompanyBriefSchema(Schema):
    id = Id()
    name = fields.String()


class WorkerCertificateSchema(Schema):
    certified = fields.Boolean(
        metadata={"description": "verified by a regulator and in force today: records are accepted"}
    )
    reason = fields.String(
        allow_none=True,
        metadata={
            "description": "when not certified: missing, left, pending, rejected, not_yet_valid, expired"
        },
    )
    number = fields.String(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    verification = fields.String(allow_none=True, metadata={"description": "pending, verified or rejected"})


class RankingQuerySchema(BaseSchema):
    as_of = Day(load_default=None)


class CompanyRankSchema(Schema):
    rank = fields.Integer()
    company_id = Id()
    company = fields.String()
    score = fields.Float()
    grade = fields.String()
    on_time_rate = fields.Float()
    dispute_rate = fields.Float()
    entrapments_per_100 = fields.Float()
    faults_per_100 = fields.Float()
    complaints_per_100 = fields.Float()


class LastMaintenanceSchema(Schema):
    on = fields.Date()
    kind = fields.String()
    confirmed = fields.Boolean()
