from marshmallow import Schema, ValidationError, fields, validate, validates

from backend.core.clock import today
from backend.core.schemas import BaseSchema, Id, PageQuerySchema, PartialSchemaMixin, text
from backend.org.models import CertificateKind, EnterpriseRole, ModelStatus, PublicPlace
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
    pass


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


class CertificateSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    kind = fields.Enum(CertificateKind, by_value=True, required=True)
    number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    issued_on = fields.Date(load_default=None, allow_none=True)
    expires_on = fields.Date(load_default=None, allow_none=True)


class CertificateOutSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    issued_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    valid = fields.Function(lambda c: c.is_valid_on(today()))


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    enterprise_id = Id(allow_none=True)
    zone_id = Id(allow_none=True)
    certificates = fields.List(fields.Nested(CertificateOutSchema))


class PersonCreateSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    phone = fields.String(load_default="", validate=PHONE)
    enterprise_id = Id(load_default=None, allow_none=True)
    certificates = fields.List(fields.Nested(CertificateSchema), load_default=list)


class PersonListQuerySchema(PageQuerySchema):
    enterprise_id = Id()
    certificate = fields.Enum(CertificateKind, by_value=True)
