from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.core.schemas import BaseSchema, Day, Id, PageQuerySchema, text
from backend.devices.rules import DeviceCategory
from backend.hazards.rules import Severity
from backend.hazards.schemas import SHA256
from backend.inspections.rules import CheckKind, CheckResult, ItemResult
from backend.inspections.services import check_evidence_strength, superseded_by
from backend.photos.services import signed_photo_url
from backend.presence.schemas import EvidenceSchema, PresenceInSchema

CODE = validate.Regexp(r"^[a-z0-9_.]{1,60}$", error="编号只能包含小写字母、数字、下划线和点")


# --- templates ------------------------------------------------------------------------


class TemplateItemSchema(BaseSchema):
    code = fields.String(required=True, validate=CODE)
    text = fields.String(required=True, validate=validate.Length(min=2, max=300))
    #: must be answered on every check (an optional item may be left blank)
    required = fields.Boolean(load_default=True)


class TemplateSectionSchema(BaseSchema):
    code = fields.String(required=True, validate=CODE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    items = fields.List(
        fields.Nested(TemplateItemSchema), required=True, validate=validate.Length(min=1, max=60)
    )


class TemplatePublishSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{2,40}$"))
    title = fields.String(required=True, validate=validate.Length(min=2, max=120))
    purpose = fields.String(
        load_default=None,
        validate=validate.OneOf(["enterprise", "daily_device", "weekly_investigation", "monthly_dispatch"]),
    )
    device_category = fields.Enum(DeviceCategory, by_value=True, load_default=None, allow_none=True)
    sections = fields.List(
        fields.Nested(TemplateSectionSchema), required=True, validate=validate.Length(min=1, max=20)
    )

    @validates_schema
    def _category_for_device_checks(self, data: dict, **_kwargs) -> None:
        if data.get("purpose") == "daily_device" and not data.get("device_category"):
            raise ValidationError({"device_category": ["设备日常检查表须指定设备类别"]})


class TemplateSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    version = fields.Integer()
    purpose = fields.String()
    device_category = fields.String(allow_none=True)
    title = fields.String()
    sections = fields.Raw()
    is_current = fields.Boolean()
    published_at = fields.DateTime()
    published_by = fields.Function(lambda t: t.published_by.display_name if t.published_by else None)


class TemplateListQuerySchema(BaseSchema):
    code = text(40)
    purpose = text(30)
    device_category = fields.Enum(DeviceCategory, by_value=True)
    all_versions = fields.Boolean(load_default=False)


class TemplateListSchema(Schema):
    items = fields.List(fields.Nested(TemplateSchema))


# --- checks -------------------------------------------------------------------------------


class CheckItemInSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=60))
    result = fields.Enum(ItemResult, by_value=True, required=True)
    note = text(1000, load_default="")
    severity = fields.Enum(Severity, by_value=True, load_default=Severity.general)
    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=12))


class CheckCreateSchema(PresenceInSchema):
    id = fields.UUID(required=True)
    kind = fields.Enum(CheckKind, by_value=True, required=True)
    #: daily / weekly / monthly for self-checks; routine / special for inspections
    subkind = fields.String(
        load_default="", validate=validate.OneOf(["", "daily", "weekly", "monthly", "routine", "special"])
    )
    #: onsite (default), remote or electronic: the last two for special inspections of A/B enterprises
    mode = fields.String(load_default="onsite", validate=validate.OneOf(["onsite", "remote", "electronic"]))
    template_id = Id(required=True)
    enterprise_id = Id(load_default=None, allow_none=True)
    device_id = Id(load_default=None, allow_none=True)
    assignment_id = Id(load_default=None, allow_none=True)
    performed_on = fields.Date(load_default=None, allow_none=True)
    summary = text(2000, load_default="")
    #: the signing supervisor's or inspector's name (签字确认)
    signed_by = text(60, load_default="")
    #: sha256 of the drawn signature (a PNG uploaded through PUT /api/photos/<sha256> first)
    signature = fields.String(load_default=None, allow_none=True, validate=SHA256)
    supersedes_id = fields.UUID(load_default=None, allow_none=True)
    items = fields.List(
        fields.Nested(CheckItemInSchema), required=True, validate=validate.Length(min=1, max=200)
    )

    @validates_schema
    def _signed(self, data: dict, **_kwargs) -> None:
        if data.get("kind") != CheckKind.self_check and not data.get("signed_by"):
            raise ValidationError({"signed_by": ["互查、监督检查和验收须签字确认 (sign-off required)"]})


def _items(check) -> list[dict]:
    return [
        {
            "code": i.code,
            "text": check.template.item_text(i.code),
            "result": i.result,
            "note": i.note,
            "severity": i.severity,
            "photos": i.photos,
            "hazard_id": i.hazard_id,
        }
        for i in check.items
    ]


class CheckSchema(Schema):
    id = fields.String()
    kind = fields.String()
    subkind = fields.String()
    mode = fields.String()
    template_id = Id()
    template_code = fields.Function(lambda c: c.template.code)
    template_version = fields.Function(lambda c: c.template.version)
    template_title = fields.Function(lambda c: c.template.title)
    enterprise_id = Id()
    enterprise_name = fields.Function(lambda c: c.enterprise.name)
    device_id = Id(allow_none=True)
    assignment_id = Id(allow_none=True)
    performed_by = fields.Function(lambda c: c.performed_by.display_name)
    performed_on = fields.Date()
    result = fields.String()
    summary = fields.String()
    signed_by = fields.String()
    #: 补录: received after the self-check period's grace window; its period stays missed
    late = fields.Boolean()
    signed_at = fields.DateTime()
    version = fields.Integer()
    supersedes_id = fields.String(allow_none=True)
    superseded_by = fields.Function(lambda c: _superseded_by(c))
    failed_items = fields.Function(lambda c: sum(i.result == "fail" for i in c.items))
    hazard_ids = fields.Function(lambda c: [i.hazard_id for i in c.items if i.hazard_id])
    items = fields.Function(_items)
    created_at = fields.DateTime()
    #: proof of presence as recorded: location, labels scanned, each photo's provenance (null: none sent)
    presence = fields.Raw(allow_none=True)
    signature_url = fields.Function(
        lambda c: signed_photo_url(c.signature_sha256, "full") if c.signature_sha256 else None
    )
    #: how strongly the check shows its author was there ("on site", or the warnings)
    evidence = fields.Function(lambda c: EvidenceSchema().dump(check_evidence_strength(c)))


def _superseded_by(check) -> str | None:
    return superseded_by(check)


class CheckListQuerySchema(PageQuerySchema):
    kind = fields.Enum(CheckKind, by_value=True)
    subkind = text(20)
    result = fields.Enum(CheckResult, by_value=True)
    enterprise_id = Id()
    device_id = Id()
    assignment_id = Id()
    mine = fields.Boolean()


class SelfCheckQuerySchema(BaseSchema):
    enterprise_id = Id()
    zone_id = Id()
    block_id = Id()
    as_of = Day(load_default=None)


class PeriodSchema(Schema):
    start = fields.Date()
    end = fields.Date()


class RhythmStatusSchema(Schema):
    #: the current week / month still lacks its check
    due = fields.Boolean()
    #: finished periods without a check (漏检)
    missed = fields.List(fields.Nested(PeriodSchema))
    last_done = fields.Date(allow_none=True)


class DeviceRhythmSchema(Schema):
    device_id = fields.Integer()
    name = fields.String()
    category = fields.String()
    due = fields.Boolean()
    missed = fields.List(fields.Date())
    last_done = fields.Date(allow_none=True)


class DailyStatusSchema(Schema):
    due = fields.Integer()
    missed = fields.Integer()
    devices = fields.List(fields.Nested(DeviceRhythmSchema))


class EnterpriseSelfCheckSchema(Schema):
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    zone_id = fields.Integer()
    as_of = fields.Date()
    daily = fields.Nested(DailyStatusSchema)
    weekly = fields.Nested(RhythmStatusSchema)
    monthly = fields.Nested(RhythmStatusSchema)


class ZoneSelfCheckSchema(Schema):
    zone_id = fields.Integer()
    enterprises = fields.Integer()
    daily_due = fields.Integer()
    daily_missed = fields.Integer()
    weekly_missed = fields.Integer()
    monthly_missed = fields.Integer()


class SelfCheckOverviewSchema(Schema):
    enterprises = fields.List(fields.Nested(EnterpriseSelfCheckSchema))
    zones = fields.List(fields.Nested(ZoneSelfCheckSchema))


# --- cycles, assignments, pool ------------------------------------------------------------


class CycleCreateSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    zone_id = Id(load_default=None)
    starts_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    seed = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**31 - 1))


class AssignmentSchema(Schema):
    id = fields.Integer()
    cycle_id = Id()
    cycle_name = fields.Function(lambda a: a.cycle.name)
    due_on = fields.Function(lambda a: a.cycle.due_on.isoformat())
    block_id = Id()
    enterprise_id = Id()
    enterprise_name = fields.Function(lambda a: a.enterprise.name)
    supervisor_id = Id(allow_none=True)
    supervisor_name = fields.Function(lambda a: a.supervisor.display_name if a.supervisor else None)
    supervisor_enterprise_id = fields.Function(lambda a: a.supervisor.enterprise_id if a.supervisor else None)
    check_id = fields.String(allow_none=True)
    done = fields.Function(lambda a: a.check_id is not None)
    #: done after the cycle's due date (逾期完成)
    late = fields.Boolean()


class CycleSchema(Schema):
    id = fields.Integer()
    zone_id = Id()
    name = fields.String()
    starts_on = fields.Date()
    due_on = fields.Date()
    seed = fields.Integer()
    assignments = fields.List(fields.Nested(AssignmentSchema))
    unassigned = fields.Function(
        lambda c: [a.enterprise_id for a in c.assignments if a.supervisor_id is None]
    )
    created_at = fields.DateTime()


class CycleBriefSchema(Schema):
    id = fields.Integer()
    zone_id = Id()
    name = fields.String()
    starts_on = fields.Date()
    due_on = fields.Date()
    total = fields.Function(lambda c: len(c.assignments))
    done = fields.Function(lambda c: sum(a.check_id is not None for a in c.assignments))
    done_on_time = fields.Function(
        lambda c: sum(a.check_id is not None and not a.late for a in c.assignments)
    )


class AssignmentListQuerySchema(PageQuerySchema):
    cycle_id = Id()
    enterprise_id = Id()
    block_id = Id()
    mine = fields.Boolean()
    done = fields.Boolean()


class ReassignSchema(BaseSchema):
    supervisor_id = Id(required=True)


class PoolQuerySchema(BaseSchema):
    as_of = Day(load_default=None)


class PoolCertificateSchema(Schema):
    number = fields.String()
    issued_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)


class PoolExamSchema(Schema):
    exam_on = fields.Date()
    trained_on = fields.Date(allow_none=True)
    score = fields.Integer()
    passed = fields.Boolean()


class PoolEntrySchema(Schema):
    user_id = fields.Integer()
    display_name = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    enterprise_name = fields.String(allow_none=True)
    block_id = fields.Integer(allow_none=True)
    block_name = fields.String(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    certificate = fields.Nested(PoolCertificateSchema, allow_none=True)
    exams = fields.List(fields.Nested(PoolExamSchema))
    #: may do mutual checks on the day asked (valid block-supervisor certificate)
    eligible = fields.Boolean()


class PoolSchema(Schema):
    items = fields.List(fields.Nested(PoolEntrySchema))


class ExamCreateSchema(BaseSchema):
    person_id = Id(required=True)
    trained_on = fields.Date(load_default=None, allow_none=True)
    exam_on = fields.Date(required=True)
    score = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    passed = fields.Boolean(required=True)
    certificate_number = text(60, load_default="")
    issued_on = fields.Date(load_default=None, allow_none=True)
    expires_on = fields.Date(load_default=None, allow_none=True)


class ExamSchema(Schema):
    id = fields.Integer()
    person_id = Id()
    trained_on = fields.Date(allow_none=True)
    exam_on = fields.Date()
    score = fields.Integer()
    passed = fields.Boolean()
