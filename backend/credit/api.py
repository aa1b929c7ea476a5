"""Credit-risk grades (信用风险分级), accidents, enforcement cases and the grading config."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, Role, require_roles
from backend.core.clock import today
from backend.core.history import HistoryEntrySchema
from backend.core.schemas import EmptySchema, PageQuerySchema, page_schema
from backend.credit import config, reads, records
from backend.credit.recompute import recompute_grades
from backend.credit.schemas import (
    AccidentCreateSchema,
    AccidentSchema,
    CaseCreateSchema,
    CaseSchema,
    CreditConfigSchema,
    CreditListQuerySchema,
    EnterpriseCreditSchema,
    GradeChangeSchema,
    GradeCountQuerySchema,
    GradeCountSchema,
    GradeListQuerySchema,
    GradeSummarySchema,
    RecognitionCreateSchema,
    RecognitionSchema,
    RecomputeSchema,
)
from backend.extensions import db

bp = Blueprint(
    "credit", __name__, url_prefix="/api/credit", description="信用风险分级：等级、事故、立案处罚、分级规则"
)


@bp.get("/grades")
@require_roles()
@bp.arguments(GradeListQuerySchema, location="query")
@bp.response(200, page_schema(GradeSummarySchema))
def list_grades(query: dict):
    """Grades of the enterprises in scope, highest risk first (`q`: name or credit code)."""
    return reads.search_grades(current_user, query)


@bp.get("/grades/counts")
@require_roles()
@bp.arguments(GradeCountQuerySchema, location="query")
@bp.response(200, GradeCountSchema)
def count_grades(query: dict):
    """How many enterprises in scope hold each grade (same zone and name filters as the list)."""
    return reads.grade_counts(current_user, query)


@bp.get("/enterprises/<int:enterprise_id>")
@require_roles()
@bp.response(200, EnterpriseCreditSchema)
def get_enterprise_credit(enterprise_id: int):
    """One enterprise's grade: score breakdown, reasons, what to fix, history."""
    return reads.enterprise_credit(current_user, enterprise_id)


@bp.get("/enterprises/<int:enterprise_id>/changes")
@require_roles()
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, page_schema(GradeChangeSchema))
def list_grade_changes(query: dict, enterprise_id: int):
    """One enterprise's grade changes and why (信用修复 history), newest first."""
    return reads.list_grade_changes(current_user, enterprise_id, query)


@bp.get("/config")
@require_roles(*REGULATORS)
@bp.response(200, CreditConfigSchema)
def get_config():
    """Weights, per-indicator points, grade bands and rule switches in force."""
    return config.current_config()


@bp.put("/config")
@require_roles(Role.bureau_admin)
@bp.arguments(CreditConfigSchema)
@bp.response(200, CreditConfigSchema)
def update_config(body: dict):
    """Change the grading config (given keys replace theirs); applies from the next recompute."""
    new_config = config.update_config(current_user, body)
    db.session.commit()
    return new_config


@bp.get("/config/history")
@require_roles(*REGULATORS)
@bp.response(200, HistoryEntrySchema(many=True))
def config_history():
    """Every change of the grading config (who, when, setting, before, after), newest first."""
    return config.config_history(current_user)


@bp.post("/recompute")
@require_roles(Role.bureau_admin)
@bp.arguments(EmptySchema)
@bp.response(200, RecomputeSchema)
def recompute(_body: dict):
    """Run a full grading cycle now (also `flask credit recompute`)."""
    report = recompute_grades(today())
    db.session.commit()
    return report


@bp.get("/accidents")
@require_roles()
@bp.arguments(CreditListQuerySchema, location="query")
@bp.response(200, page_schema(AccidentSchema))
def list_accidents(query: dict):
    return records.list_accidents(current_user, query)


@bp.post("/accidents")
@require_roles(*REGULATORS)
@bp.arguments(AccidentCreateSchema)
@bp.response(201, AccidentSchema)
def record_accident(body: dict):
    """Record an accident (事故); the enterprise is re-graded at once."""
    accident = records.record_accident(current_user, body)
    db.session.commit()
    return accident


@bp.get("/enforcement-cases")
@require_roles()
@bp.arguments(CreditListQuerySchema, location="query")
@bp.response(200, page_schema(CaseSchema))
def list_cases(query: dict):
    return records.list_cases(current_user, query)


@bp.post("/enforcement-cases")
@require_roles(*REGULATORS)
@bp.arguments(CaseCreateSchema)
@bp.response(201, CaseSchema)
def open_case(body: dict):
    """Record an enforcement case (立案处罚); the enterprise is re-graded at once."""
    case = records.open_case(current_user, body)
    db.session.commit()
    return case


@bp.post("/recognitions")
@require_roles(Role.bureau_admin)
@bp.arguments(RecognitionCreateSchema)
@bp.response(201, RecognitionSchema)
def grant_recognition(body: dict):
    """Dual-prevention benchmark or intrinsic-safety improvement: lowers the score."""
    recognition = records.grant_recognition(current_user, body)
    db.session.commit()
    return recognition
