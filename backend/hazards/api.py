"""Hazards: report, list, and the rectification loop as commands."""

from flask import Response
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, dumped_for_current_user, require_roles
from backend.core.clock import today
from backend.core.exports import xlsx_response
from backend.core.schemas import page_schema
from backend.extensions import db
from backend.hazards import services
from backend.hazards.schemas import (
    HazardCreateSchema,
    HazardListQuerySchema,
    HazardSchema,
    TransitionSchema,
)

bp = Blueprint("hazards", __name__, url_prefix="/api/hazards", description="隐患与整改闭环")


@bp.get("")
@require_roles()
@dumped_for_current_user
@bp.arguments(HazardListQuerySchema, location="query")
@bp.response(200, page_schema(HazardSchema))
def list_hazards(query: dict):
    """Hazards in scope: open, overdue, awaiting my verification, by status or severity."""
    return services.list_hazards(current_user, query)


ledgers = Blueprint("hazard_ledger", __name__, url_prefix="/api", description="隐患清单导出")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@ledgers.get("/hazards.xlsx")
@require_roles()
@ledgers.arguments(HazardListQuerySchema, location="query")
@ledgers.response(200, content_type=XLSX)
def hazards_xlsx(query: dict) -> Response:
    """The caller's hazard list with the same filters as `GET /api/hazards`, as a spreadsheet."""
    rows = services.hazard_ledger_rows(current_user, query)
    day = today().isoformat()
    return xlsx_response(f"隐患清单-{day}", services.HAZARD_LEDGER_HEADINGS, rows, fallback=f"hazards-{day}")


@bp.get("/<uuid:hazard_id>")
@require_roles()
@dumped_for_current_user
@bp.response(200, HazardSchema)
def get_hazard(hazard_id):
    return services.get_hazard_for(current_user, hazard_id)


@bp.post("")
@require_roles()
@dumped_for_current_user
@bp.arguments(HazardCreateSchema)
@bp.response(201, HazardSchema)
@bp.alt_response(200, schema=HazardSchema, description="The same id was reported before")
def report_hazard(body: dict):
    """Report a hazard with a client-generated id (idempotent: repeat gives 200).

    The server decides `source` from who reports and where; a sent `source` is ignored. On another
    enterprise a non-regulator needs a mutual-check assignment, and the finding counts in its credit
    grade once a regulator confirms it (`confirmed`).
    """
    hazard, created = services.report_hazard_from_client(current_user, body)
    db.session.commit()
    return hazard, 201 if created else 200


@bp.post("/<uuid:hazard_id>/confirm")
@require_roles(*REGULATORS)
@dumped_for_current_user
@bp.response(200, HazardSchema)
def confirm_hazard(hazard_id):
    """A regulator confirms a block peer's mutual-check finding, so it counts in the credit grade."""
    hazard = services.confirm_hazard(current_user, hazard_id)
    db.session.commit()
    return hazard


@bp.post("/<uuid:hazard_id>/transitions")
@require_roles()
@dumped_for_current_user
@bp.arguments(TransitionSchema)
@bp.response(200, HazardSchema)
def transition_hazard(body: dict, hazard_id):
    """start_rectification, submit_rectification (after-photos), verify, or return (reason)."""
    hazard = services.transition_hazard(current_user, hazard_id, body)
    db.session.commit()
    return hazard
