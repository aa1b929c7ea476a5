from marshmallow import Schema, fields, post_load, validate

from backend.core.clock import today
from backend.core.schemas import Id, PageQuerySchema, text, viewer
from backend.hazards.rules import Action, HazardSource, HazardStatus, Severity, is_overdue
from backend.hazards.services import allowed_actions_for, hazard_evidence_strength, step_evidence_strength
from backend.photos.services import signed_photo_url
from backend.presence.schemas import EvidenceSchema, PresenceInSchema

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="照片标识应为64位十六进制 sha256")


class HazardCreateSchema(PresenceInSchema):
    id = fields.UUID(required=True)
    enterprise_id = Id(load_default=None, allow_none=True)
    device_id = Id(load_default=None, allow_none=True)
    source = fields.Enum(HazardSource, by_value=True, load_default=HazardSource.self_check)
    category = fields.String(required=True, validate=validate.Length(min=1, max=60))
    severity = fields.Enum(Severity, by_value=True, required=True)
    description = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    location = text(200, load_default="")
    responsible_person = text(60, load_default="")
    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=12))
    deadline = fields.Date(load_default=None, allow_none=True)
    recorded_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "the phone's date when the report was made (offline)"},
    )


class TransitionSchema(PresenceInSchema):
    """A step; its optional presence fields record where its photos came from (camera or gallery,
    capture time, the phone's place or "denied" / "unavailable")."""

    id = fields.UUID(required=True)
    action = fields.Enum(Action, by_value=True, required=True)
    note = text(2000, load_default="", allow_none=True)
    reason = text(2000, load_default="", allow_none=True)

    @post_load
    def _none_is_empty(self, data: dict, **_kwargs) -> dict:
        return data | {k: data.get(k) or "" for k in ("note", "reason")}

    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=12))


class TransitionOpSchema(TransitionSchema):
    hazard_id = fields.UUID(required=True)


class HazardListQuerySchema(PageQuerySchema):
    #: words: description, category, location, the device (number, name, category) or enterprise
    q = text(60)
    status = fields.Enum(HazardStatus, by_value=True)
    open = fields.Boolean()
    severity = fields.Enum(Severity, by_value=True)
    source = fields.Enum(HazardSource, by_value=True)
    overdue = fields.Boolean()
    awaiting_verification = fields.Boolean()
    enterprise_id = Id()
    device_id = Id()
    zone_id = Id()
    block_id = Id()


class HazardPhotoSchema(Schema):
    sha256 = fields.String()
    stage = fields.String()
    thumbnail_url = fields.Function(lambda p: _photo_url(p.sha256, "thumb"))
    url = fields.Function(lambda p: _photo_url(p.sha256, "full"))


class HazardEventSchema(Schema):
    id = fields.String()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_name = fields.Function(lambda e: e.actor.display_name)
    note = fields.String()
    reason = fields.String()
    at = fields.DateTime()
    #: proof of presence of the step's photos as recorded (null: none sent)
    presence = fields.Raw(allow_none=True)
    #: how strongly the step's photos show they were taken on site (null: a step without photos)
    evidence = fields.Function(lambda e: _step_evidence(e), allow_none=True)


def _step_evidence(event) -> dict | None:
    found = step_evidence_strength(event)
    return EvidenceSchema().dump(found) if found is not None else None


class HazardSchema(Schema):
    id = fields.String()
    enterprise_id = Id()
    enterprise_name = fields.Function(lambda h: h.enterprise.name)
    zone_id = Id()
    device_id = Id(allow_none=True)
    device_label = fields.Function(
        lambda h: f"{h.device.name or h.device.category} {h.device.registration_no}" if h.device else None
    )
    source = fields.String()
    category = fields.String()
    severity = fields.String()
    description = fields.String()
    location = fields.String()
    responsible_person = fields.String()
    status = fields.String()
    deadline = fields.Date()
    is_overdue = fields.Function(lambda h: is_overdue(h.status, h.deadline, today()))
    reported_by = fields.Function(lambda h: h.reported_by.display_name)
    photos = fields.List(fields.Nested(HazardPhotoSchema))
    events = fields.List(fields.Nested(HazardEventSchema))
    allowed_actions = fields.Function(lambda h: _actions_for_viewer(h))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    #: counts in the credit grade (a peer's finding waits for a regulator's confirmation)
    confirmed = fields.Boolean()
    #: proof of presence as recorded: location, labels scanned, each photo's provenance (null: none sent)
    presence = fields.Raw(allow_none=True)
    #: how strongly the report shows its author was at the device ("on site", or the warnings)
    evidence = fields.Function(lambda h: EvidenceSchema().dump(hazard_evidence_strength(h)))


def _photo_url(sha256: str, variant: str) -> str:
    return signed_photo_url(sha256, variant)


def _actions_for_viewer(hazard) -> list[str]:
    actor = viewer()
    return [a.value for a in allowed_actions_for(actor, hazard)] if actor else []
