"""Escalation notices (三书一函): issue, list, read, print."""

from flask import Response
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, require_roles
from backend.core.downloads import file_response
from backend.core.schemas import page_schema
from backend.extensions import db
from backend.notices import services
from backend.notices.schemas import NoticeCreateSchema, NoticeListQuerySchema, NoticeSchema

bp = Blueprint(
    "notices", __name__, url_prefix="/api/notices", description="三书一函：挂牌督办、约谈、整改通知、提醒敦促"
)


@bp.get("")
@require_roles()
@bp.arguments(NoticeListQuerySchema, location="query")
@bp.response(200, page_schema(NoticeSchema))
def list_notices(query: dict):
    """Notices to the enterprises in scope, newest first; filter by kind or enterprise."""
    return services.list_notices(current_user, query)


@bp.post("")
@require_roles(*REGULATORS)
@bp.arguments(NoticeCreateSchema)
@bp.response(201, NoticeSchema)
def issue_notice(body: dict):
    """Issue a notice for open hazards of one enterprise (inspectors: own zone)."""
    notice = services.issue_notice(current_user, body)
    db.session.commit()
    return notice


@bp.get("/<int:notice_id>")
@require_roles()
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
