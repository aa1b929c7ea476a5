"""Escalation notices (三书一函): issue, list, read, print."""

from flask import Response
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, dumped_for_current_user, require_roles
from backend.core.downloads import file_response
from backend.core.schemas import page_schema
from backend.extensions import db
from backend.notices import services
from backend.notices.schemas import (
    AcknowledgeSchema,
    NoticeCreateSchema,
    NoticeListQuerySchema,
    NoticeSchema,
    ReplySchema,
    SuggestionQuerySchema,
    SuggestionSchema,
)

bp = Blueprint(
    "notices", __name__, url_prefix="/api/notices", description="三书一函：挂牌督办、约谈、整改通知、提醒敦促"
)


@bp.get("")
@require_roles()
@bp.arguments(NoticeListQuerySchema, location="query")
@dumped_for_current_user
@bp.response(200, page_schema(NoticeSchema))
def list_notices(query: dict):
    """Notices to the enterprises in scope, newest first; filter by kind or enterprise."""
    return services.list_notices(current_user, query)


@bp.post("")
@require_roles(*REGULATORS)
@bp.arguments(NoticeCreateSchema)
@dumped_for_current_user
@bp.response(201, NoticeSchema)
def issue_notice(body: dict):
    """Issue a notice for open hazards of one enterprise (inspectors: own zone)."""
    notice = services.issue_notice(current_user, body)
    db.session.commit()
    return notice


@bp.get("/suggestion")
@require_roles(*REGULATORS)
@bp.arguments(SuggestionQuerySchema, location="query")
@bp.response(200, SuggestionSchema)
def suggestion(query: dict):
    """The issue form's defaults for a hazard (`hazard_id`) or an enterprise (`enterprise_id`):
    its open hazards, the kind the escalation rules suggest, a deadline."""
    return services.issue_suggestion(current_user, query)


@bp.post("/<int:notice_id>/acknowledge")
@require_roles()
@bp.arguments(AcknowledgeSchema)
@dumped_for_current_user
@bp.response(200, NoticeSchema)
def acknowledge(body: dict, notice_id: int):
    """The enterprise's safety manager signs for the notice (also sync op `notice.acknowledge`)."""
    notice = services.acknowledge_notice(current_user, notice_id, body)
    db.session.commit()
    return notice


@bp.post("/<int:notice_id>/reply")
@require_roles()
@bp.arguments(ReplySchema)
@dumped_for_current_user
@bp.response(200, NoticeSchema)
def reply(body: dict, notice_id: int):
    """The enterprise's safety manager answers a signed notice with text and photos."""
    notice = services.reply_to_notice(current_user, notice_id, body)
    db.session.commit()
    return notice


@bp.post("/<int:notice_id>/close")
@require_roles()
@dumped_for_current_user
@bp.response(200, NoticeSchema)
def close(notice_id: int):
    """The issuing zone's inspector (or the bureau) closes an answered notice."""
    notice = services.close_notice(current_user, notice_id)
    db.session.commit()
    return notice


@bp.get("/<int:notice_id>")
@require_roles()
@dumped_for_current_user
@bp.response(200, NoticeSchema)
def get_notice(notice_id: int):
    return services.get_notice_for(current_user, notice_id)


@bp.get("/<int:notice_id>.pdf")
@require_roles()
@bp.response(200, content_type="application/pdf")
def notice_pdf(notice_id: int) -> Response:
    """The printable notice (A4), shown inline."""
    notice, pdf = services.notice_document(current_user, notice_id)
    return file_response(
        pdf, f"{notice.number}.pdf", "application/pdf", inline=True, fallback=f"notice-{notice.id}.pdf"
    )
