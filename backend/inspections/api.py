"""Checklists, checks (self / mutual / inspection / acceptance), mutual-check cycles, supervisor pool."""

from flask import Response
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, Role, require_roles
from backend.core.clock import today
from backend.core.downloads import file_response
from backend.core.exports import xlsx_response
from backend.core.schemas import PageQuerySchema, page_schema
from backend.extensions import db
from backend.inspections import mutual, services, status
from backend.inspections.schemas import (
    AssignmentListQuerySchema,
    AssignmentSchema,
    CheckCreateSchema,
    CheckListQuerySchema,
    CheckSchema,
    CycleBriefSchema,
    CycleCreateSchema,
    CycleSchema,
    ExamCreateSchema,
    ExamSchema,
    PoolQuerySchema,
    PoolSchema,
    ReassignSchema,
    SelfCheckOverviewSchema,
    SelfCheckQuerySchema,
    TemplateListQuerySchema,
    TemplateListSchema,
    TemplatePublishSchema,
    TemplateSchema,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
bp = Blueprint("inspections", __name__, url_prefix="/api", description="自查、互查、监督检查与示范单位验收")


@bp.get("/checklist-templates")
@require_roles()
@bp.arguments(TemplateListQuerySchema, location="query")
@bp.response(200, TemplateListSchema)
def list_templates(query: dict):
    """Current checklists (or every version), with who published each."""
    return {"items": services.list_templates(query)}


@bp.get("/checklist-templates/<int:template_id>")
@require_roles()
@bp.response(200, TemplateSchema)
def get_template(template_id: int):
    return services.get_template(template_id)


@bp.post("/checklist-templates")
@require_roles(Role.bureau_admin)
@bp.arguments(TemplatePublishSchema)
@bp.response(201, TemplateSchema)
def publish_template(body: dict):
    """Publish a new version of a checklist (checks already made keep their version)."""
    template = services.publish_template(current_user, body)
    db.session.commit()
    return template


@bp.get("/checks")
@require_roles()
@bp.arguments(CheckListQuerySchema, location="query")
@bp.response(200, page_schema(CheckSchema))
def list_checks(query: dict):
    return services.list_checks(current_user, query)


@bp.get("/checks.xlsx")
@require_roles()
@bp.arguments(CheckListQuerySchema, location="query")
@bp.response(200, content_type=XLSX)
def checks_xlsx(query: dict) -> Response:
    """The caller's check list with the same filters as `GET /api/checks`, as a spreadsheet."""
    rows = services.check_ledger_rows(current_user, query)
    day = today().isoformat()
    return xlsx_response(f"检查记录-{day}", services.CHECK_LEDGER_HEADINGS, rows, fallback=f"checks-{day}")


@bp.get("/checks/<uuid:check_id>")
@require_roles()
@bp.response(200, CheckSchema)
def get_check(check_id):
    return services.get_check_for(current_user, check_id)


@bp.get("/checks/<uuid:check_id>.pdf")
@require_roles()
def check_pdf(check_id) -> Response:
    """The check as a printable A4 record (检查记录): items, findings with photos, the signature and
    the evidence-chain entry of its submission."""
    check, body = services.check_record_pdf(current_user, check_id)
    name = f"检查记录-{check.performed_on.isoformat()}-{check.id[:8]}.pdf"
    return file_response(body, name, "application/pdf", fallback=f"check-{check.id[:8]}.pdf")


@bp.post("/checks")
@require_roles()
@bp.arguments(CheckCreateSchema)
@bp.response(201, CheckSchema)
@bp.alt_response(200, schema=CheckSchema, description="The same id was submitted before")
def submit_check(body: dict):
    """Submit a filled checklist (also the sync op `check.submit`); failed items become hazards."""
    check, created = services.submit_check(current_user, body)
    db.session.commit()
    return check, 201 if created else 200


@bp.get("/self-checks/status")
@require_roles()
@bp.arguments(SelfCheckQuerySchema, location="query")
@bp.response(200, SelfCheckOverviewSchema)
def self_check_status(query: dict):
    """Due and missed daily / weekly / monthly self-checks per enterprise, counted per zone."""
    return status.self_check_overview(current_user, query)


@bp.get("/mutual-check-cycles")
@require_roles()
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, page_schema(CycleBriefSchema))
def list_cycles(query: dict):
    return mutual.list_cycles(current_user, query)


@bp.post("/mutual-check-cycles")
@require_roles(*REGULATORS)
@bp.arguments(CycleCreateSchema)
@bp.response(201, CycleSchema)
def open_cycle(body: dict):
    """Open a mutual-check round for a zone; a supervisor is drawn for every enterprise."""
    cycle = mutual.open_cycle(current_user, body)
    db.session.commit()
    return cycle


@bp.get("/mutual-check-cycles/<int:cycle_id>")
@require_roles()
@bp.response(200, CycleSchema)
def get_cycle(cycle_id: int):
    return mutual.get_cycle_for(current_user, cycle_id)


@bp.get("/mutual-check-assignments")
@require_roles()
@bp.arguments(AssignmentListQuerySchema, location="query")
@bp.response(200, page_schema(AssignmentSchema))
def list_assignments(query: dict):
    """Mutual-check tasks: `mine=true` gives a supervisor their own."""
    return mutual.list_assignments(current_user, query)


@bp.put("/mutual-check-assignments/<int:assignment_id>/supervisor")
@require_roles(*REGULATORS)
@bp.arguments(ReassignSchema)
@bp.response(200, AssignmentSchema)
def reassign_supervisor(body: dict, assignment_id: int):
    """Hand a task to another eligible supervisor (expired certificate: 422 supervisor_not_eligible)."""
    assignment = mutual.reassign_supervisor(current_user, assignment_id, body["supervisor_id"])
    db.session.commit()
    return assignment


@bp.get("/supervisors")
@require_roles()
@bp.arguments(PoolQuerySchema, location="query")
@bp.response(200, PoolSchema)
def supervisor_pool(query: dict):
    """The supervisor pool (监督员库): certificates, exams, eligibility for mutual checks."""
    return {"items": mutual.supervisor_pool(current_user, query.get("as_of") or today())}


@bp.post("/supervisor-exams")
@require_roles(*REGULATORS)
@bp.arguments(ExamCreateSchema)
@bp.response(201, ExamSchema)
def record_exam(body: dict):
    """Record training and exam results; a pass with a number issues the certificate."""
    exam = mutual.record_exam(current_user, body)
    db.session.commit()
    return exam
