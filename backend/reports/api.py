"""Dashboards and the monthly report (工作小结) as JSON, PDF and XLSX."""

from flask import Response
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, Role, require_roles
from backend.core.downloads import file_response
from backend.core.exports import xlsx_response
from backend.extensions import db
from backend.reports import services, submissions
from backend.reports.pdf import monthly_report_pdf
from backend.reports.schemas import (
    DashboardQuerySchema,
    DashboardSchema,
    MonthlyQuerySchema,
    MonthlyReportSchema,
    MonthlySubmitSchema,
    SubmissionsQuerySchema,
    SubmissionsSchema,
)

bp = Blueprint("reports", __name__, url_prefix="/api/reports", description="统计看板与工作小结")


@bp.get("/dashboard")
@require_roles(*REGULATORS)
@bp.arguments(DashboardQuerySchema, location="query")
@bp.response(200, DashboardSchema)
def get_dashboard(query: dict):
    """Devices, overdue inspections, hazards, complaints, grades, accident rates (zone or city)."""
    return services.dashboard(current_user, query)


@bp.get("/monthly")
@require_roles(*REGULATORS)
@bp.arguments(MonthlyQuerySchema, location="query")
@bp.response(200, MonthlyReportSchema)
def get_monthly_report(query: dict):
    """The month's figures and the evidence-chain head of the period: frozen once submitted."""
    return submissions.monthly_report(current_user, query.get("zone_id"), query["month"])


@bp.post("/monthly/submit")
@require_roles(*REGULATORS)
@bp.arguments(MonthlySubmitSchema)
@bp.response(201, MonthlyReportSchema)
def submit_monthly_report(body: dict):
    """The zone inspector submits the month's report (工作小结); its figures are frozen (409 if already)."""
    submission = submissions.submit_monthly_report(current_user, body)
    db.session.commit()
    return submissions.monthly_report(current_user, submission.zone_id, submission.month)


@bp.get("/monthly/submissions")
@require_roles(Role.bureau_admin)
@bp.arguments(SubmissionsQuerySchema, location="query")
@bp.response(200, SubmissionsSchema)
def list_monthly_submissions(query: dict):
    """Which zones submitted the month's report and when; late ones flagged (bureau)."""
    return submissions.submissions(current_user, query["month"])


@bp.get("/monthly.pdf")
@require_roles(*REGULATORS)
@bp.arguments(MonthlyQuerySchema, location="query")
@bp.response(200, content_type="application/pdf")
def monthly_report_pdf_view(query: dict) -> Response:
    """The monthly report (工作小结) as a printable A4 PDF."""
    report = submissions.monthly_report(current_user, query.get("zone_id"), query["month"])
    return file_response(
        monthly_report_pdf(report),
        f"{_report_name(report)}.pdf",
        "application/pdf",
        inline=True,
        fallback=f"monthly-{query['month']}.pdf",
    )


@bp.get("/monthly.xlsx")
@require_roles(*REGULATORS)
@bp.arguments(MonthlyQuerySchema, location="query")
@bp.response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def monthly_report_xlsx(query: dict) -> Response:
    """The monthly report as a spreadsheet (类别, 指标, 数值)."""
    report = submissions.monthly_report(current_user, query.get("zone_id"), query["month"])
    return xlsx_response(
        _report_name(report),
        ("类别", "指标", "数值"),
        services.report_rows(report),
        fallback=f"monthly-{query['month']}",
    )


def _report_name(report: dict) -> str:
    return f"工作小结-{report['zone_name']}-{report['month']}"
