from marshmallow import Schema, ValidationError, fields, post_dump, post_load, validate, validates_schema

from backend.complaints.keys import may_see_identity
from backend.complaints.rules import (
    CATEGORY_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    ComplaintCategory,
    ComplaintStatus,
    PublicStage,
    RewardMethod,
    RewardStatus,
    TriageOutcome,
    names_a_device,
    normalize_phone,
    public_stage,
    stage_path,
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
    #: the label's token; may be left out when the device has no label, and the complainant
    #: names it by registration number, address or a photo instead
    qr_token = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    registration_no = fields.String(load_default="", validate=validate.Length(max=40))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    category = fields.Enum(ComplaintCategory, by_value=True, required=True)
    description = fields.String(required=True, validate=validate.Length(min=2, max=MAX_DESCRIPTION))
    photos = fields.List(
        fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=MAX_PHOTOS)
    )
    #: optional; mainland mobile or landline. Stored encrypted, never shown to the enterprise
    contact_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=24))
    #: the complainant agrees to an SMS at that phone when the complaint's status changes
    sms_consent = fields.Boolean(load_default=False)
    #: {"challenge", "nonce"} from GET /api/public/challenge, solved by the client
    pow = fields.Nested(PowSolutionSchema, load_default=None, allow_none=True)

    @validates_schema
    def _names_a_device(self, data: dict, **_kwargs) -> None:
        photos = data.get("photos") or ()
        if not names_a_device(data.get("qr_token"), data.get("registration_no"), data.get("address"), photos):
            message = "请扫描设备上的二维码，或填写设备注册代码、地址，或拍一张设备照片"
            raise ValidationError({"registration_no": [message], "address": [message]})

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
    #: the device a complaint made without a label is about (required unless not substantiated)
    device_id = Id(load_default=None, allow_none=True)


class RewardPaymentSchema(BaseSchema):
    paid_on = fields.Date(required=True)
    method = fields.Enum(RewardMethod, by_value=True, required=True)
    reference = fields.String(load_default="", validate=validate.Length(max=60))


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


class PublicRewardSchema(Schema):
    """What the complainant learns of a reward: amount, whether and when it was paid."""

    amount_yuan = fields.Decimal(as_string=True, allow_none=True)
    status = fields.String()
    paid_on = fields.Date(allow_none=True)


def _hazard_status(complaint) -> str | None:
    return complaint.hazard.status if complaint.hazard is not None else None


def _stage(complaint) -> PublicStage:
    return public_stage(complaint.status, _hazard_status(complaint))


def _steps(complaint) -> list[dict]:
    return [
        {"stage": step.value, "label": STAGE_LABELS[step]}
        for step in stage_path(complaint.status, _hazard_status(complaint))
    ]


def _public_reward(complaint) -> dict | None:
    reward = complaint.reward
    if reward is None or (reward.amount_yuan is None and reward.status != RewardStatus.paid):
        return None
    return PublicRewardSchema().dump(reward)


def _device_category(complaint) -> str | None:
    device = complaint.device
    return DEVICE_LABELS.get(device.category, device.category) if device is not None else None


class ComplaintPublicSchema(Schema):
    """What the complainant sees with the tracking code: never the phone, never who handled it.

    `after_photos` is filled by the service only when the bureau allows it.
    """

    ticket_no = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda c: STATUS_LABELS.get(c.status, c.status))
    category = fields.String()
    category_label = fields.Function(lambda c: CATEGORY_LABELS.get(c.category, c.category))
    submitted_on = fields.Date(attribute="day")
    device_category = fields.Function(_device_category)
    registration_no = fields.Function(
        lambda c: c.device.registration_no if c.device is not None else c.reported_registration_no
    )
    address = fields.String(attribute="reported_address")
    stage = fields.Function(_stage)
    stage_label = fields.Function(lambda c: STAGE_LABELS[_stage(c)])
    steps = fields.Function(_steps)
    replies = fields.Function(
        lambda c: PublicReplySchema(many=True).dump([e for e in c.events if e.public_reply])
    )
    reward = fields.Function(_public_reward)
    after_photos = fields.Function(lambda c: [_photo_links(sha) for sha in c.public_after_photos])


class ComplaintPhotoSchema(Schema):
    sha256 = fields.String()
    thumbnail_url = fields.Function(lambda p: _photo_url(p.sha256, "thumb"))
    url = fields.Function(lambda p: _photo_url(p.sha256, "full"))


class RewardSchema(Schema):
    amount_yuan = fields.Decimal(as_string=True, allow_none=True)
    status = fields.String()
    paid_at = fields.DateTime(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    method = fields.String(allow_none=True)
    reference = fields.String()


class ComplaintEventSchema(Schema):
    action = fields.String()
    to_status = fields.String()
    actor_id = fields.Integer(allow_none=True)
    public_reply = fields.String()
    at = fields.DateTime()


def _device_label(complaint) -> str | None:
    device = complaint.device
    if device is None:
        return None
    return f"{DEVICE_LABELS.get(device.category, device.category)} {device.registration_no}"


class ComplaintSummarySchema(Schema):
    """A complaint in a list. Enterprise users get ENTERPRISE_FIELDS only."""

    id = fields.Integer()
    ticket_no = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda c: STATUS_LABELS.get(c.status, c.status))
    category = fields.String()
    category_label = fields.Function(lambda c: CATEGORY_LABELS.get(c.category, c.category))
    description = fields.String()
    device_id = Id(allow_none=True)
    device_label = fields.Function(_device_label)
    reported_registration_no = fields.String()
    reported_address = fields.String()
    enterprise_id = Id(allow_none=True)
    enterprise_name = fields.Function(lambda c: c.enterprise.name if c.enterprise is not None else None)
    contact_phone_masked = fields.String(attribute="phone_masked", allow_none=True)
    flagged = fields.Boolean()
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
    """One complaint: regulators in scope also get the photos; the phone stays masked
    (revealed on request: PhoneRevealSchema)."""

    #: the complainant is texted when the status changes (regulators only, like the phone)
    sms_consent = fields.Boolean()
    photos = fields.List(fields.Nested(ComplaintPhotoSchema))
    events = fields.List(fields.Nested(ComplaintEventSchema))


class PhoneRevealRequestSchema(BaseSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class PhoneRevealSchema(Schema):
    contact_phone = fields.String()


def _viewer_sees_identity() -> bool:
    """Fails closed: no signed-in regulator, no identity."""
    actor = viewer()
    return may_see_identity(actor) if actor else False


def _photo_links(sha256: str) -> dict:
    return {"thumbnail_url": _photo_url(sha256, "thumb"), "url": _photo_url(sha256, "full")}


def _photo_url(sha256: str, variant: str) -> str:
    return signed_photo_url(sha256, variant)
