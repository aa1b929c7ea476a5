"""Random inspection plans (双随机): draw, publish, track; the public list (一公开)."""

from flask import Response
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, require_roles
from backend.core.downloads import file_response
from backend.core.history import HistoryEntrySchema
from backend.core.schemas import EmptySchema, PageQuerySchema, page_schema
from backend.extensions import db
from backend.plans import inspection_plans, key_objects, recusals
from backend.plans.schemas import (
    ItemResultSchema,
    KeyObjectCreateSchema,
    KeyObjectEndSchema,
    KeyObjectListQuerySchema,
    KeyObjectSchema,
    PlanBriefSchema,
    PlanCreateSchema,
    PlanListQuerySchema,
    PlanPreviewQuerySchema,
    PlanPreviewSchema,
    PlanSchema,
    PublicPlanSchema,
    RecusalCreateSchema,
    RecusalListQuerySchema,
    RecusalSchema,
    RecusalWithdrawSchema,
)

bp = Blueprint("plans", __name__, url_prefix="/api/plans", description="双随机检查计划")
public_bp = Blueprint(
    "public_plans",
    __name__,
    url_prefix="/api/public",
    description="一公开：已公开的抽查计划与结果（无需登录）",
)


@bp.get("")
@require_roles(*REGULATORS)
@bp.arguments(PlanListQuerySchema, location="query")
@bp.response(200, page_schema(PlanBriefSchema))
def list_plans(query: dict):
    """Plans of the caller's zone(s), newest first, with executed/total counts."""
    return inspection_plans.list_plans(current_user, query)


@bp.post("")
@require_roles(*REGULATORS)
@bp.arguments(PlanCreateSchema)
@bp.response(201, PlanSchema)
def draw_plan(body: dict):
    """Draw a plan for a zone: quotas by grade, key objects, seeded; 422 plan_impossible."""
    plan = inspection_plans.draw_inspection_plan(current_user, body)
    db.session.commit()
    return plan


@bp.get("/preview")
@require_roles(*REGULATORS)
@bp.arguments(PlanPreviewQuerySchema, location="query")
@bp.response(200, PlanPreviewSchema)
def preview_plan(query: dict):
    """Before drawing: the mandatory objects, the sizes meeting every quota exactly and, for `size`,
    the plan total and the notes the plan would carry (nothing is drawn)."""
    return inspection_plans.preview_plan(current_user, query)


@bp.get("/<int:plan_id>.pdf")
@require_roles(*REGULATORS)
@bp.response(200, content_type="application/pdf")
def plan_pdf(plan_id: int) -> Response:
    """The printable plan (A4) with its notes, shown inline."""
    plan, pdf = inspection_plans.plan_document(current_user, plan_id)
    return file_response(
        pdf, f"{plan.title}.pdf", "application/pdf", inline=True, fallback=f"plan-{plan.id}.pdf"
    )


@bp.get("/<int:plan_id>")
@require_roles(*REGULATORS)
@bp.response(200, PlanSchema)
def get_plan(plan_id: int):
    return inspection_plans.get_plan_for(current_user, plan_id)


@bp.get("/<int:plan_id>/history")
@require_roles(*REGULATORS)
@bp.response(200, HistoryEntrySchema(many=True))
def plan_history(plan_id: int):
    """Who published the plan and recorded each result, and when, newest first."""
    return inspection_plans.plan_history(current_user, plan_id)


@bp.post("/<int:plan_id>/publish")
@require_roles(*REGULATORS)
@bp.arguments(EmptySchema)
@bp.response(200, PlanSchema)
def publish_plan(_body: dict, plan_id: int):
    """Publish the plan on the public list (一公开)."""
    plan = inspection_plans.publish_plan(current_user, plan_id)
    db.session.commit()
    return plan


@bp.post("/<int:plan_id>/items/<int:item_id>/result")
@require_roles(*REGULATORS)
@bp.arguments(ItemResultSchema)
@bp.response(200, PlanSchema)
def record_item_result(body: dict, plan_id: int, item_id: int):
    """Record the inspection of one drawn enterprise (execution tracking)."""
    plan = inspection_plans.record_item_result(current_user, plan_id, item_id, body)
    db.session.commit()
    return plan


@bp.get("/key-objects")
@require_roles(*REGULATORS)
@bp.arguments(KeyObjectListQuerySchema, location="query")
@bp.response(200, page_schema(KeyObjectSchema))
def list_key_objects(query: dict):
    """Key objects named by the regulator (重点监管对象), zone-scoped."""
    return key_objects.list_key_objects(current_user, query)


@bp.post("/key-objects")
@require_roles(*REGULATORS)
@bp.arguments(KeyObjectCreateSchema)
@bp.response(201, KeyObjectSchema)
def name_key_object(body: dict):
    """Name an enterprise a key object: every draw includes it while in force."""
    key_object = key_objects.name_key_object(current_user, body)
    db.session.commit()
    return key_object


@bp.post("/key-objects/<int:key_object_id>/end")
@require_roles(*REGULATORS)
@bp.arguments(KeyObjectEndSchema)
@bp.response(200, KeyObjectSchema)
def end_key_object(body: dict, key_object_id: int):
    """End a named key object (default today)."""
    key_object = key_objects.end_key_object(current_user, key_object_id, body)
    db.session.commit()
    return key_object


@bp.get("/recusals")
@require_roles(*REGULATORS)
@bp.arguments(RecusalListQuerySchema, location="query")
@bp.response(200, page_schema(RecusalSchema))
def list_recusals(query: dict):
    """Recusal declarations (回避): an inspector's own, or all for the bureau."""
    return recusals.list_recusals(current_user, query)


@bp.post("/recusals")
@require_roles(*REGULATORS)
@bp.arguments(RecusalCreateSchema)
@bp.response(201, RecusalSchema)
def declare_recusal(body: dict):
    """Declare an inspector's link to an enterprise: never drawn to inspect it."""
    recusal = recusals.declare_recusal(current_user, body)
    db.session.commit()
    return recusal


@bp.post("/recusals/<int:recusal_id>/withdraw")
@require_roles(*REGULATORS)
@bp.arguments(RecusalWithdrawSchema)
@bp.response(200, RecusalSchema)
def withdraw_recusal(body: dict, recusal_id: int):
    """Withdraw a recusal declaration."""
    recusal = recusals.withdraw_recusal(current_user, recusal_id, body)
    db.session.commit()
    return recusal


@public_bp.get("/plans")
@public_bp.arguments(PageQuerySchema, location="query")
@public_bp.response(200, page_schema(PublicPlanSchema))
def list_public_plans(query: dict):
    """Published random-inspection plans and their results (anonymous)."""
    return inspection_plans.published_plans(query)
