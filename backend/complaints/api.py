"""Complaints: the anonymous intake and tracking (public_bp), triage by regulators (bp).

Abuse control without a third-party captcha: per-IP limits (IPv6 grouped by /64), a
self-hosted proof of work that each submission must carry, and a per-label quota beyond
which complaints are queued flagged for triage, never refused (services.submit_complaint).
Limits are read from app config at request time (COMPLAINT_*_LIMIT, flask-limiter syntax).
"""

from flask import current_app, request
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.complaints import services
from backend.complaints.photos import store_public_photo
from backend.complaints.pow import issue_challenge
from backend.complaints.rules import ip_rate_key
from backend.complaints.schemas import (
    ChallengeSchema,
    ComplaintListQuerySchema,
    ComplaintPublicSchema,
    ComplaintReceiptSchema,
    ComplaintSchema,
    ComplaintSubmitSchema,
    ComplaintSummarySchema,
    PhoneRevealRequestSchema,
    PhoneRevealSchema,
    RewardPaymentSchema,
    TrackQuerySchema,
    TriageSchema,
)
from backend.core.auth import REGULATORS, Role, dumped_for_current_user, require_roles
from backend.core.history import HistoryEntrySchema
from backend.core.schemas import page_schema
from backend.extensions import db, limiter
from backend.photos.api import PhotoSchema

public_bp = Blueprint(
    "public_complaints",
    __name__,
    url_prefix="/api/public",
    description="公众投诉举报（匿名，限流 + 工作量证明）",
)
bp = Blueprint("complaints", __name__, url_prefix="/api/complaints", description="投诉举报核查与奖励")

DEFAULT_LIMITS = {
    "COMPLAINT_IP_LIMIT": "5 per minute;20 per day",
    "COMPLAINT_PHOTO_LIMIT": "12 per minute;120 per day",
    "COMPLAINT_CHALLENGE_LIMIT": "30 per minute",
    "COMPLAINT_TRACK_LIMIT": "30 per minute",
}


def _limit(name: str):
    return lambda: current_app.config.get(name, DEFAULT_LIMITS[name])


def client_key() -> str:
    """Per-client bucket: the IPv4 address, or the IPv6 /64."""
    return ip_rate_key(request.remote_addr or "")


@public_bp.get("/challenge")
@limiter.limit(_limit("COMPLAINT_CHALLENGE_LIMIT"), key_func=client_key)
@public_bp.response(200, ChallengeSchema)
def get_challenge() -> dict:
    """A proof-of-work challenge for one complaint (valid ~10 minutes, single use)."""
    return issue_challenge()


@public_bp.put("/photos/<string(length=64):sha256>")
@limiter.limit(_limit("COMPLAINT_PHOTO_LIMIT"), key_func=client_key)
@public_bp.response(201, PhotoSchema)
@public_bp.alt_response(200, schema=PhotoSchema, description="Already stored")
def put_public_photo(sha256: str):
    """Upload a complaint photo before submitting (re-encoded, metadata stripped; at most
    24 megapixels). The bytes must match the hash even when the photo is already stored.
    An upload no complaint cites within a day is removed."""
    photo, created = store_public_photo(sha256, request.get_data(cache=False))
    db.session.commit()
    return photo, 201 if created else 200


@public_bp.post("/complaints")
@limiter.limit(_limit("COMPLAINT_IP_LIMIT"), key_func=client_key)
@public_bp.arguments(ComplaintSubmitSchema)
@public_bp.response(201, ComplaintReceiptSchema)
def submit_complaint(body: dict) -> dict:
    """File a complaint about the device behind a label, or without a label by registration
    number or address; keep the tracking code to follow it."""
    complaint, code = services.submit_complaint(body)
    db.session.commit()
    return {"ticket_no": complaint.ticket_no, "tracking_code": code}


@public_bp.get("/complaints/<string(maxlength=20):ticket_no>")
@limiter.limit(_limit("COMPLAINT_TRACK_LIMIT"), key_func=client_key)
@public_bp.arguments(TrackQuerySchema, location="query")
@public_bp.response(200, ComplaintPublicSchema)
def track_complaint(query: dict, ticket_no: str):
    """Status and public replies; a wrong code is 404 like an unknown ticket."""
    return services.track_complaint(ticket_no, query["code"])


@bp.get("")
@require_roles()
@dumped_for_current_user
@bp.arguments(ComplaintListQuerySchema, location="query")
@bp.response(200, page_schema(ComplaintSummarySchema))
def list_complaints(query: dict):
    """Regulators: complaints in their zone (phone masked). Enterprise users: substantiated
    complaints about their own enterprise, without any complainant data."""
    return services.list_complaints(current_user, query)


@bp.get("/<int:complaint_id>")
@require_roles()
@dumped_for_current_user
@bp.response(200, ComplaintSchema)
def get_complaint(complaint_id: int):
    """One complaint; the zone's inspectors and bureau admins see the contact phone masked."""
    return services.get_complaint_for(current_user, complaint_id)


@bp.post("/<int:complaint_id>/triage")
@require_roles(*REGULATORS)
@dumped_for_current_user
@bp.arguments(TriageSchema)
@bp.response(200, ComplaintSchema)
def triage_complaint(body: dict, complaint_id: int):
    """Record the finding once: substantiated (optional hazard, reward), not substantiated,
    or duplicate; the public reply goes to the complainant."""
    complaint = services.triage_complaint(current_user, complaint_id, body)
    db.session.commit()
    return complaint


@bp.post("/<int:complaint_id>/reward/payment")
@require_roles(Role.bureau_admin)
@dumped_for_current_user
@bp.arguments(RewardPaymentSchema)
@bp.response(200, ComplaintSchema)
def pay_reward(body: dict, complaint_id: int):
    """The bureau records that a reward was paid (once); the complainant then sees it
    (amount and date) with the tracking code."""
    complaint = services.pay_reward(current_user, complaint_id, body)
    db.session.commit()
    return complaint


@bp.post("/<int:complaint_id>/phone/reveal")
@require_roles(*REGULATORS)
@bp.arguments(PhoneRevealRequestSchema)
@bp.response(200, PhoneRevealSchema)
def reveal_phone(body: dict, complaint_id: int):
    """The complainant's phone in clear, on request; who asked and when is kept (PIPL)."""
    phone = services.reveal_contact_phone(current_user, complaint_id, body["reason"].strip())
    db.session.commit()
    return {"contact_phone": phone}


@bp.get("/<int:complaint_id>/phone/reveals")
@require_roles(Role.bureau_admin)
@bp.response(200, HistoryEntrySchema(many=True))
def phone_reveals(complaint_id: int):
    """Who saw the complainant's phone in clear, and when (newest first)."""
    return services.phone_reveals(current_user, complaint_id)


@bp.get("/<int:complaint_id>/reward/history")
@require_roles(*REGULATORS)
@bp.response(200, HistoryEntrySchema(many=True))
def reward_history(complaint_id: int):
    """Who recorded the reward's payment, and when (newest first)."""
    return services.reward_history(current_user, complaint_id)
