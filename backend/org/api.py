"""Zones, blocks, enterprises, people, and the two lists (两项清单)."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.core.auth import REGULATORS, Role, require_roles
from backend.core.exports import csv_response, xlsx_response
from backend.core.pagination import paginate
from backend.core.schemas import PageQuerySchema, page_schema
from backend.devices import services as device_services
from backend.extensions import db
from backend.org import overview, services
from backend.org.schemas import (
    BlockCreateSchema,
    BlockListQuerySchema,
    BlockSchema,
    EnterpriseBriefSchema,
    EnterpriseCreateSchema,
    EnterpriseListQuerySchema,
    EnterpriseSchema,
    EnterpriseUpdateSchema,
    PersonCreateSchema,
    PersonListQuerySchema,
    PersonSchema,
    TwoListsQuerySchema,
    ZoneCreateSchema,
    ZoneSchema,
)

bp = Blueprint("org", __name__, url_prefix="/api", description="辖区、区块、企业与人员")


@bp.get("/zones")
@require_roles()
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, page_schema(ZoneSchema))
def list_zones(query: dict):
    """Zones (分局辖区) the caller may see."""
    return paginate(services.visible_zones(current_user), query["page"], query["per_page"])


@bp.post("/zones")
@require_roles(Role.bureau_admin)
@bp.arguments(ZoneCreateSchema)
@bp.response(201, ZoneSchema)
def create_zone(body: dict):
    zone = services.create_zone(current_user, body)
    db.session.commit()
    return zone


@bp.get("/blocks")
@require_roles()
@bp.arguments(BlockListQuerySchema, location="query")
@bp.response(200, page_schema(BlockSchema))
def list_blocks(query: dict):
    """Blocks (块) the caller may see."""
    return paginate(services.visible_blocks(current_user, query), query["page"], query["per_page"])


@bp.post("/blocks")
@require_roles(*REGULATORS)
@bp.arguments(BlockCreateSchema)
@bp.response(201, BlockSchema)
def create_block(body: dict):
    block = services.create_block(current_user, body)
    db.session.commit()
    return block


@bp.get("/enterprises")
@require_roles()
@bp.arguments(EnterpriseListQuerySchema, location="query")
@bp.response(200, page_schema(EnterpriseSchema))
def list_enterprises(query: dict):
    """Enterprises in scope, searchable by name or credit code."""
    return overview.list_enterprises(current_user, query)


@bp.get("/enterprises/<int:enterprise_id>")
@require_roles()
@bp.response(200, EnterpriseSchema)
def get_enterprise(enterprise_id: int):
    return overview.show_enterprise(current_user, enterprise_id)


@bp.post("/enterprises")
@require_roles(*REGULATORS)
@bp.arguments(EnterpriseCreateSchema)
@bp.response(201, EnterpriseSchema)
def create_enterprise(body: dict):
    enterprise = services.create_enterprise(current_user, body)
    db.session.commit()
    return enterprise


@bp.patch("/enterprises/<int:enterprise_id>")
@require_roles(*REGULATORS)
@bp.arguments(EnterpriseUpdateSchema)
@bp.response(200, EnterpriseSchema)
def update_enterprise(body: dict, enterprise_id: int):
    enterprise = overview.update_enterprise(current_user, enterprise_id, body)
    db.session.commit()
    return enterprise


@bp.get("/people")
@require_roles()
@bp.arguments(PersonListQuerySchema, location="query")
@bp.response(200, page_schema(PersonSchema))
def list_people(query: dict):
    """Safety managers, supervisors and operators of enterprises in scope."""
    return paginate(services.visible_people(current_user, query), query["page"], query["per_page"])


@bp.post("/people")
@require_roles(*REGULATORS, Role.safety_manager)
@bp.arguments(PersonCreateSchema)
@bp.response(201, PersonSchema)
def create_person(body: dict):
    person = services.create_person(current_user, body)
    db.session.commit()
    return person


class SafetyManagerSchema(Schema):
    name = fields.String()
    phone = fields.String()
    certificate_no = fields.String()
    expires_on = fields.Date(allow_none=True)


class TwoListsRowSchema(Schema):
    enterprise = fields.Nested(EnterpriseBriefSchema)
    device_count = fields.Integer()
    safety_managers = fields.List(fields.Nested(SafetyManagerSchema))


class TwoListsSchema(Schema):
    items = fields.List(fields.Nested(TwoListsRowSchema))


TWO_LISTS_HEADER = (
    "企业名称",
    "统一社会信用代码",
    "辖区",
    "区块",
    "设备数",
    "安全管理员",
    "证书编号",
    "证书有效期",
)


@bp.get("/enterprises/two-lists")
@require_roles(*REGULATORS)
@bp.arguments(TwoListsQuerySchema, location="query")
@bp.response(200, TwoListsSchema)
def two_lists(query: dict):
    """两项清单: enterprises with ≥ min_devices devices and their certified safety managers.

    `format=csv` or `format=xlsx` downloads the same list as a file.
    """
    rows = device_services.two_lists(current_user, query["min_devices"])
    if query["format"] == "json":
        return {"items": rows}
    table = [_two_lists_row(row, m) for row in rows for m in (row["safety_managers"] or [{}])]
    export = csv_response if query["format"] == "csv" else xlsx_response
    return export("两项清单", TWO_LISTS_HEADER, table, fallback="two-lists")


def _two_lists_row(row: dict, manager: dict) -> list:
    e = row["enterprise"]
    return [
        e.name,
        e.credit_code,
        e.zone.name,
        e.block.name if e.block else "",
        row["device_count"],
        manager.get("name", ""),
        manager.get("certificate_no", ""),
        manager.get("expires_on") or "",
    ]
