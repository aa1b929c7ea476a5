from marshmallow import Schema, fields, validate

from backend.core.auth import Role
from backend.core.schemas import BaseSchema, Id, PageQuerySchema, PartialSchemaMixin, page_schema, text

ROLES = [role.value for role in Role]


class LoginSchema(BaseSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=60))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LogoutSchema(BaseSchema):
    refresh_token = fields.String(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata={"description": "optional; the session of the access token ends whatever is sent"},
    )


class ChangePasswordSchema(BaseSchema):
    old_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "at least 10 characters, not containing the username, not a common password "
            "(else 422 weak_password)"
        },
    )


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    role = fields.String()
    display_name = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    zone_id = fields.Integer(attribute="effective_zone_id", allow_none=True)
    block_id = fields.Integer(allow_none=True)
    enterprise_name = fields.Function(lambda u: u.enterprise.name if u.enterprise else None)
    must_change_password = fields.Boolean(
        metadata={
            "description": "signed in with a one-time password: only POST /api/auth/password works until set"
        }
    )


class TokensSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    user = fields.Nested(UserSchema)


class RefreshedTokensSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String(
        metadata={"description": "the new refresh token; the one sent is spent (reusing it ends the session)"}
    )


class SessionSchema(Schema):
    id = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(metadata={"description": "last sign-in or token refresh"})
    client = fields.String(metadata={"description": "network address (IPv6 by /64)"})
    user_agent = fields.String()
    current = fields.Boolean(metadata={"description": "the session of the token making this request"})


class SessionListSchema(Schema):
    items = fields.List(fields.Nested(SessionSchema))


class EndedSessionsSchema(Schema):
    ended = fields.Integer()


# --- administration -----------------------------------------------------------------


class AdminUserSchema(Schema):
    """A user as an administrator sees it. `zone_id` is the zone assigned to an inspector (null for
    enterprise accounts, whose zone is their enterprise's: `enterprise_zone_id`)."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(metadata={"enum": ROLES})
    zone_id = fields.Integer(allow_none=True)
    enterprise_id = fields.Integer(allow_none=True)
    enterprise_name = fields.Function(lambda u: u.enterprise.name if u.enterprise else None)
    enterprise_zone_id = fields.Function(lambda u: u.enterprise.zone_id if u.enterprise else None)
    #: the person record (and so the certificates) behind an enterprise account
    person_id = fields.Integer(allow_none=True)
    person_name = fields.Function(lambda u: u.person.name if u.person else None)
    zone_name = fields.Function(lambda u: u.zone.name if u.zone else None)
    phone = fields.String()
    active = fields.Boolean()
    must_change_password = fields.Boolean(
        metadata={"description": "has not replaced their one-time password yet"}
    )
    created_at = fields.DateTime()


AdminUserPageSchema = page_schema(AdminUserSchema)


class UserQuerySchema(PageQuerySchema):
    q = text(60, load_default="", metadata={"description": "part of the username or display name"})
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES))
    active = fields.Boolean(load_default=None)


class UserCreateSchema(BaseSchema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=60))
    display_name = text(60, load_default="")
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    zone_id = Id(load_default=None, allow_none=True, metadata={"description": "required for an inspector"})
    enterprise_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "required for a safety manager or block supervisor"},
    )
    person_id = Id(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "the enterprise's person record whose certificates the account holds "
            "(a block supervisor needs one with a valid supervisor certificate to be drawn for mutual checks)"
        },
    )
    phone = text(30, load_default="")


class UserPatchSchema(PartialSchemaMixin, BaseSchema):
    display_name = fields.String(validate=validate.Length(min=1, max=60))
    role = fields.String(validate=validate.OneOf(ROLES))
    zone_id = Id(allow_none=True)
    enterprise_id = Id(allow_none=True)
    person_id = Id(allow_none=True, metadata={"description": "a person of the account's enterprise"})
    phone = text(30)
    active = fields.Boolean(metadata={"description": "false ends the user's sessions at once"})
    reason = text(500, metadata={"description": "why, kept in the user's history"})


class NewUserSchema(Schema):
    user = fields.Nested(AdminUserSchema)
    one_time_password = fields.String(
        metadata={"description": "shown once; the user must replace it at sign-in"}
    )


class NewUserListSchema(Schema):
    items = fields.List(fields.Nested(NewUserSchema))


class OneTimePasswordSchema(Schema):
    one_time_password = fields.String(metadata={"description": "shown once; the user's sessions have ended"})


class BulkQuerySchema(BaseSchema):
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "xlsx"]),
        metadata={"description": "xlsx: the created users with their one-time passwords, to hand out"},
    )
