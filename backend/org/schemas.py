from marshmallow import Schema, ValidationError, fields, post_dump, validate, validates

from backend.core.auth import Role
from backend.core.clock import today
from backend.core.schemas import BaseSchema, Id, PageQuerySchema, PartialSchemaMixin, text, viewer
from backend.org.models import CertificateKind, EnterpriseRole, ModelStatus, PublicPlace, Verification
from backend.org.rules import credit_code_problem

PHONE = validate.Regexp(r"^(?:[0-9+\-() ]{3,30})?$", error="电话号码格式不正确 (invalid phone)")


class CreditCodeField(fields.String):
    """A unified social credit code with its GB 32100 check digit verified."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        problem = credit_code_problem(code)
        if problem:
            raise ValidationError(problem)
        return code


class ZoneSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    code = fields.String()


class ZoneCreateSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))


class BlockSchema(Schema):
    id = fields.Integer()
    zone_id = Id()
    name = fields.String()
    zone_name = fields.Function(lambda b: b.zone.name)
    enterprise_count = fields.Integer(dump_default=0)
    #: set when the block holds fewer than the 5 enterprises a block should (seed 001)
    warning = fields.String(allow_none=True, dump_default=None)


class BlockCreateSchema(BaseSchema):
    zone_id = Id(load_default=None)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class BlockListQuerySchema(PageQuerySchema):
    zone_id = Id()


class EnterpriseSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String()
    zone_id = Id()
    zone_name = fields.Function(lambda e: e.zone.name)
    block_id = Id(allow_none=True)
    block_name = fields.Function(lambda e: e.block.name if e.block else None)
    address = fields.String()
    established_on = fields.Date(allow_none=True)
    roles = fields.List(fields.String(), attribute="role_list")
    public_place = fields.String(allow_none=True)
    model_status = fields.String()
    model_accepted_on = fields.Date(allow_none=True)
    contact_phone = fields.String()
    #: complaints about its devices (enterprise users: substantiated ones only)
    complaint_count = fields.Integer(dump_default=0)
    updated_at = fields.DateTime()


class EnterpriseCreateSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    credit_code = CreditCodeField(required=True)
    zone_id = Id(load_default=None)
    block_id = Id(load_default=None, allow_none=True)
    address = text(300, load_default="")
    established_on = fields.Date(load_default=None, allow_none=True)
    roles = fields.List(
        fields.Enum(EnterpriseRole, by_value=True),
        load_default=lambda: [EnterpriseRole.user],
        validate=validate.Length(min=1, max=3),
    )
    public_place = fields.Enum(PublicPlace, by_value=True, load_default=None, allow_none=True)
    model_status = fields.Enum(ModelStatus, by_value=True, load_default=ModelStatus.none)
    model_accepted_on = fields.Date(load_default=None, allow_none=True)
    contact_phone = fields.String(load_default="", validate=PHONE)

    @validates("established_on")
    def _not_in_future(self, value, **_kwargs):
        if value is not None and value > today():
            raise ValidationError("成立日期不能晚于今天 (date is in the future)")


class EnterpriseUpdateSchema(PartialSchemaMixin, EnterpriseCreateSchema):
    #: why a regulator changes a graded fact (kept in the history); required for anything but contact details
    reason = text(300, load_default="")


class EnterpriseBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String()
    zone_name = fields.Function(lambda e: e.zone.name)
    block_name = fields.Function(lambda e: e.block.name if e.block else None)


class EnterpriseListQuerySchema(PageQuerySchema):
    q = text(100)
    zone_id = Id()
    block_id = Id()
    public_place = fields.Boolean()
    model_status = fields.Enum(ModelStatus, by_value=True)


class TwoListsQuerySchema(BaseSchema):
    min_devices = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100_000))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="照片标识应为64位小写十六进制 sha256 (bad sha256)")


class CertificateSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    kind = fields.Enum(CertificateKind, by_value=True, required=True)
    number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    issued_on = fields.Date(load_default=None, allow_none=True)
    expires_on = fields.Date(load_default=None, allow_none=True)
    #: the certificate's photo (PUT /api/photos/<sha256>): required from enterprises, checked by a regulator
    photo_sha256 = fields.String(load_default=None, allow_none=True, validate=SHA256)
    #: renewal (换证): the certificate of the same person and kind this one replaces
    replaces_id = Id(load_default=None, allow_none=True)


class CertificateDecisionSchema(BaseSchema):
    reason = text(300, load_default="")


class CertificateRejectSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=300))


class CertificateQuerySchema(PageQuerySchema):
    verification = fields.Enum(Verification, by_value=True)
    kind = fields.Enum(CertificateKind, by_value=True)


class CertificateOutSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    issued_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    valid = fields.Function(lambda c: c.is_valid_on(today()))
    photo_sha256 = fields.String(allow_none=True)
    verification = fields.String()
    verified_by = fields.String()
    verified_on = fields.Date(allow_none=True)
    rejection_reason = fields.String()
    replaces_id = Id(allow_none=True)
    superseded_on = fields.Date(allow_none=True)
    #: counts in the two lists and the grade: verified, not replaced, not expired
    counts = fields.Function(lambda c: c.in_force and c.is_valid_on(today()))


class TrainingSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    trained_on = fields.Date(required=True)
    topic = fields.String(required=True, validate=validate.Length(min=1, max=200))
    hours = fields.Float(load_default=0, validate=validate.Range(min=0, max=1000))
    provider = text(200, load_default="")
    passed = fields.Boolean(load_default=None, allow_none=True)

    @validates("trained_on")
    def _not_in_future(self, value, **_kwargs):
        if value > today():
            raise ValidationError("培训日期不能晚于今天 (date is in the future)")


class PersonSchema(Schema):
    """A person; a block supervisor sees of a peer's people only what a mutual check needs
    (name and certificates), not their phone or trainings (dump under `dumping_for`)."""

    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    enterprise_id = Id(allow_none=True)
    zone_id = Id(allow_none=True)
    left_on = fields.Date(allow_none=True)
    certificates = fields.List(fields.Nested(CertificateOutSchema))
    trainings = fields.List(fields.Nested(TrainingSchema))

    @post_dump(pass_original=True)
    def _only_what_a_mutual_check_needs(self, data: dict, person, **_kwargs) -> dict:
        reader = viewer()
        if reader is None or reader.role != Role.block_supervisor:
            return data
        if person.enterprise_id != reader.enterprise_id:
            return data | {"phone": "", "trainings": []}
        return data


class PersonUpdateSchema(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=60))
    phone = fields.String(validate=PHONE)
    #: the day they left (离职); null when they are back
    left_on = fields.Date(allow_none=True)
    reason = text(300, load_default="")


class PersonCreateSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    phone = fields.String(load_default="", validate=PHONE)
    enterprise_id = Id(load_default=None, allow_none=True)
    certificates = fields.List(fields.Nested(CertificateSchema), load_default=list)


class PersonListQuerySchema(PageQuerySchema):
    enterprise_id = Id()
    certificate = fields.Enum(CertificateKind, by_value=True)
