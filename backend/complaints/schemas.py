from marshmallow import Schema, ValidationError, fields, post_dump, post_load, validate

from backend.complaints.keys import may_see_identity, reveal_phone
from backend.complaints.rules import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    ComplaintCategory,
    ComplaintStatus,
    TriageOutcome,
    normalize_phone,
)
from backend.core.clock import local_day
from backend.core.schemas import BaseSchema, Id, PageQuerySchema, money, text, viewer
from backend.devices.rules import CATEGORY_LABELS as DEVICE_LABELS
from backend.hazards.rules import Severity
from backend.photos.services import signed_photo_url

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="照片标识应为64位十六进制 sha256")
MAX_PHOTOS = 6
MAX_DESCRIPTION = 2000

#: what an enterprise's own people may read of a (substantiated) complaint: no contact,
#: no description or photos (they may identify the complainant), no submission time
ENTERPRISE_FIELDS = frozenset(
    {
        "id",
        "status",
        "status_label",
        "category",
        "category_label",
        "device_id",
        "device_label",
        "enterprise_id",
        "enterprise_name",
        "public_reply",
        "hazard_id",
        "closed_on",
    }
)


# --- input ----------------------------------------------------------------------------


class PowSolutionSchema(BaseSchema):
    challenge = fields.String(required=True, validate=validate.Length(min=1, max=200))
    nonce = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ComplaintSubmitSchema(BaseSchema):
    qr_token = fields.String(required=True, validate=validate.Length(min=1, max=64))
    category = fields.Enum(ComplaintCategory, by_value=True, required=True)
    description = fields.String(required=True, validate=validate.Length(min=2, max=MAX_DESCRIPTION))
    photos = fields.List(
        fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=MAX_PHOTOS)
    )
    #: optional; mainland mobile or landline. Stored encrypted, never shown to the enterprise
    contact_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=24))
    #: {"challenge", "nonce"} from GET /api/public/challenge, solved by the client
    pow = fields.Nested(PowSolutionSchema, load_default=None, allow_none=True)

    @post_load
    def _normalize_phone(self, data: dict, **_kwargs) -> dict:
        raw = data.get("contact_phone")
        if not raw:
            return data | {"contact_phone": None}
        phone = normalize_phone(raw)
        if phone is None:  # the message never echoes the number
            raise ValidationError({"contact_phone": ["请填写有效的手机号或带区号的固定电话"]})
        return data | {"contact_phone": phone}


class TrackQuerySchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class ComplaintListQuerySchema(PageQuerySchema):
    #: ticket number prefix, words of the complaint, its device (number, name, category) or enterprise
    q = text(60)
    status = fields.Enum(ComplaintStatus, by_value=True)
    category = fields.Enum(ComplaintCategory, by_value=True)
    device_id = Id()
    enterprise_id = Id()


class OpenHazardSchema(BaseSchema):
    severity = fields.Enum(Severity, by_value=True, required=True)
    category = fields.String(required=True, validate=validate.Length(min=1, max=60))
    description = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    #: copy the complaint's photos onto the hazard (the enterprise will see them)
    attach_photos = fields.Boolean(load_default=False)


class TriageSchema(BaseSchema):
    outcome = fields.Enum(TriageOutcome, by_value=True, required=True)
    #: shown to the complainant on the tracking page
    public_reply = fields.String(required=True, validate=validate.Length(min=2, max=1000))
    duplicate_of = Id(load_default=None, allow_none=True)
    open_hazard = fields.Nested(OpenHazardSchema, load_default=None, allow_none=True)
    reward_yuan = money(1_000_000)


# --- output ---------------------------------------------------------------------------


class ChallengeSchema(Schema):
    challenge = fields.String()
    #: leading zero bits required of sha256(challenge + nonce)
    difficulty = fields.Integer()
    expires_at = fields.DateTime()
    algorithm = fields.Constant("sha256(challenge + nonce) has >= difficulty leading zero bits")


class ComplaintReceiptSchema(Schema):
    ticket_no = fields.String()
    tracking_code = fields.String()


class PublicReplySchema(Schema):
    at = fields.DateTime()
    text = fields.String(attribute="public_reply")


class ComplaintPublicSchema(Schema):
    """What the complainant sees with the tracking code: never the phone."""

    ticket_no = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda c: STATUS_LABELS.get(c.status, c.status))
    category = fields.String()
    category_label = fields.Function(lambda c: CATEGORY_LABELS.get(c.category, c.category))
    submitted_on = fields.Date(attribute="day")
    device_category = fields.Function(lambda c: DEVICE_LABELS.get(c.device.category, c.device.category))
    registration_no = fields.Function(lambda c: c.device.registration_no)
    replies = fields.Function(
        lambda c: PublicReplySchema(many=True).dump([e for e in c.events if e.public_reply])
    )


class ComplaintPhotoSchema(Schema):
    sha256 = fields.String()
    thumbnail_url = fields.Function(lambda p: _photo_url(p.sha256, "thumb"))
    url = fields.Function(lambda p: _photo_url(p.sha256, "full"))


class RewardSchema(Schema):
    amount_yuan = fields.Decimal(as_string=True, allow_none=True)
    status = fields.String()
    paid_at = fields.DateTime(allow_none=True)


class ComplaintEventSchema(Schema):
    action = fields.String()
    to_status = fields.String()
    actor_id = fields.Integer(allow_none=True)
    public_reply = fields.String()
    at = fields.DateTime()


class ComplaintSummarySchema(Schema):
    """A complaint in a list. Enterprise users get ENTERPRISE_FIELDS only."""

    id = fields.Integer()
    ticket_no = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda c: STATUS_LABELS.get(c.status, c.status))
    category = fields.String()
    category_label = fields.Function(lambda c: CATEGORY_LABELS.get(c.category, c.category))
    description = fields.String()
    device_id = Id()
    device_label = fields.Function(
        lambda c: f"{DEVICE_LABELS.get(c.device.category, c.device.category)} {c.device.registration_no}"
    )
    enterprise_id = Id()
    enterprise_name = fields.Function(lambda c: c.enterprise.name)
    contact_phone_masked = fields.String(attribute="phone_masked", allow_none=True)
    contact_purged_at = fields.DateTime(allow_none=True)
    public_reply = fields.String()
    duplicate_of_id = fields.Integer(allow_none=True)
    hazard_id = fields.String(allow_none=True)
    reward = fields.Nested(RewardSchema, allow_none=True)
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    closed_on = fields.Function(lambda c: local_day(c.closed_at).isoformat() if c.closed_at else None)

    @post_dump
    def _redact_for_enterprise(self, data: dict, **_kwargs) -> dict:
        if _viewer_sees_identity():
            return data
        return {k: v for k, v in data.items() if k in ENTERPRISE_FIELDS}


class ComplaintSchema(ComplaintSummarySchema):
    """One complaint: regulators in scope also get the phone in clear and the photos."""

    contact_phone = fields.Method("_contact_phone", allow_none=True)
    photos = fields.List(fields.Nested(ComplaintPhotoSchema))
    events = fields.List(fields.Nested(ComplaintEventSchema))

    def _contact_phone(self, complaint) -> str | None:
        return reveal_phone(complaint) if _viewer_sees_identity() else None


def _viewer_sees_identity() -> bool:
    """Fails closed: no signed-in regulator, no identity."""
    actor = viewer()
    return may_see_identity(actor) if actor else False


def _photo_url(sha256: str, variant: str) -> str:
    return signed_photo_url(sha256, variant)
