"""Elevator maintenance (维保): work orders, on-site records, the using unit's answer."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, require_roles
from backend.core.clock import today
from backend.core.pagination import paginate
from backend.core.schemas import page_schema
from backend.extensions import db
from backend.maintenance import services
from backend.maintenance.schemas import (
    CompanyBriefSchema,
    CompanyRankSchema,
    ContractCreateSchema,
    ContractEndSchema,
    ContractQuerySchema,
    ContractSchema,
    DisputeSchema,
    FaultSchema,
    OrderQuerySchema,
    OrderSchema,
    RankingQuerySchema,
    RecordCreateSchema,
    RecordQuerySchema,
    RecordSchema,
    WorkerCertificateSchema,
)

bp = Blueprint("maintenance", __name__, url_prefix="/api/maintenance", description="电梯维保（无纸化维保）")


@bp.get("/orders")
@require_roles()
@bp.arguments(OrderQuerySchema, location="query")
@bp.response(200, page_schema(OrderSchema))
def list_orders(query: dict):
    """Work orders in scope (a company's people: their company's); `mine=true`: the open ones,
    call-outs first (trapped passengers, then other faults), then soonest due."""
    filters = {"open": query["mine"], "device_id": query.get("device_id")}
    return paginate(services.visible_orders(current_user, filters), query["page"], query["per_page"])


@bp.get("/orders/<int:order_id>")
@require_roles()
@bp.response(200, OrderSchema)
def get_order(order_id: int):
    return services.get_order_for(current_user, order_id)


@bp.get("/me/certificate")
@require_roles()
@bp.response(200, WorkerCertificateSchema)
def my_certificate():
    """The signed-in worker's operator certificate (电梯作业人员证): a record is accepted only when
    a regulator has verified it and it is in force on the day of the visit."""
    return services.worker_certificate(current_user, today())


@bp.post("/orders/<int:order_id>/records")
@require_roles()
@bp.arguments(RecordCreateSchema)
@bp.response(201, RecordSchema)
@bp.alt_response(200, schema=RecordSchema, description="the same record sent again")
def create_record(body: dict, order_id: int):
    """The contracted company's worker records the maintenance done on site (also sync op
    `maintenance.record`): scans of the device's labels, every item, photos, the signature."""
    record, created = services.record_maintenance(current_user, order_id, body)
    db.session.commit()
    return record, 201 if created else 200


@bp.post("/faults")
@require_roles()
@bp.arguments(FaultSchema)
@bp.response(201, OrderSchema)
@bp.alt_response(200, schema=OrderSchema, description="the same call-out already open on this lift")
def report_fault(body: dict):
    """困人/故障报修: the using unit opens an urgent order; the company is told at once. A second
    report while the lift's call-out of the same kind is still open joins it (200)."""
    order, created = services.report_fault(current_user, body)
    db.session.commit()
    return order, 201 if created else 200


@bp.get("/records")
@require_roles()
@bp.arguments(RecordQuerySchema, location="query")
@bp.response(200, page_schema(RecordSchema))
def list_records(query: dict):
    """Maintenance records in scope, newest first; `status=awaiting_confirmation` for the using unit."""
    filters = {"status": query.get("status"), "device_id": query.get("device_id")}
    return paginate(services.visible_records(current_user, filters), query["page"], query["per_page"])


@bp.get("/records/<int:record_id>")
@require_roles()
@bp.response(200, RecordSchema)
def get_record(record_id: int):
    return services.get_record_for(current_user, record_id)


@bp.post("/records/<int:record_id>/confirm")
@require_roles()
@bp.response(200, RecordSchema)
def confirm_record(record_id: int):
    """The using unit's safety manager confirms the maintenance was done (现场确认)."""
    record = services.confirm_record(current_user, record_id)
    db.session.commit()
    return record


@bp.post("/records/<int:record_id>/dispute")
@require_roles()
@bp.arguments(DisputeSchema)
@bp.response(200, RecordSchema)
def dispute_record(body: dict, record_id: int):
    """The using unit's safety manager disputes the record, with a reason (the company is told)."""
    record = services.dispute_record(current_user, record_id, body["reason"])
    db.session.commit()
    return record


@bp.get("/contracts")
@require_roles()
@bp.arguments(ContractQuerySchema, location="query")
@bp.response(200, page_schema(ContractSchema))
def list_contracts(query: dict):
    filters = {"device_id": query.get("device_id")}
    return paginate(services.visible_contracts(current_user, filters), query["page"], query["per_page"])


@bp.post("/contracts")
@require_roles()
@bp.arguments(ContractCreateSchema)
@bp.response(201, ContractSchema)
def create_contract(body: dict):
    """The using unit (or a regulator) records which company maintains an elevator, and for how long.
    Dates already covered by another contract of the elevator are 409 `conflict` (its id in
    `details.contract_id`): one company answers for a lift on any day, so end the old one first.
    The device names the company of the contract in force; the daily job moves the name when a
    contract begins or runs out."""
    contract = services.create_contract(current_user, body)
    db.session.commit()
    return contract


@bp.post("/contracts/<int:contract_id>/end")
@require_roles()
@bp.arguments(ContractEndSchema)
@bp.response(200, ContractSchema)
def end_contract(body: dict, contract_id: int):
    """The using unit (or a regulator) ends a contract early: later periodic orders are cancelled."""
    contract = services.end_contract(current_user, contract_id, body["ends_on"])
    db.session.commit()
    return contract


@bp.get("/companies")
@require_roles()
@bp.response(200, CompanyBriefSchema(many=True))
def list_companies():
    """The maintenance companies a contract may name (id and name only)."""
    return services.maintenance_companies()


@bp.get("/companies/ranking")
@require_roles(*REGULATORS)
@bp.arguments(RankingQuerySchema, location="query")
@bp.response(200, CompanyRankSchema(many=True))
def company_ranking(query: dict):
    """电梯维保单位质量评价: on-time rate, on-site evidence, disputes, entrapments, complaints."""
    return services.company_ranking(current_user, query.get("as_of") or today())
