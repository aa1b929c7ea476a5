from marshmallow import Schema, fields, validate

from backend.core.schemas import BaseSchema


class LoginSchema(BaseSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=60))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LogoutSchema(BaseSchema):
    refresh_token = fields.String(load_default=None, validate=validate.Length(max=2000))


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    role = fields.String()
    display_name = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    zone_id = fields.Integer(attribute="effective_zone_id", allow_none=True)
    block_id = fields.Integer(allow_none=True)
    enterprise_name = fields.Function(lambda u: u.enterprise.name if u.enterprise else None)


class TokensSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    user = fields.Nested(UserSchema)


class AccessTokenSchema(Schema):
    access_token = fields.String()
