"""Zones, blocks, enterprises, people, and the two lists (两项清单)."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.core.auth import REGULATORS, Role, dumped_for_current_user, require_roles
from backend.core.exports import csv_response, xlsx_response
from backend.core.history import HistoryEntrySchema, history_of
from backend.core.pagination import paginate
from backend.core.schemas import PageQuerySchema, page_schema
from backend.devices import services as device_services
from backend.extensions import db
from backend.org import overview, people, services
from backend.org.schemas import (
    BlockCreateSchema,
    BlockListQuerySchema,
    BlockSchema,
    CertificateDecisionSchema,
    CertificateOutSchema,
    CertificateQuerySchema,
    CertificateRejectSchema,
    CertificateSchema,
    EnterpriseBriefSchema,
    EnterpriseCreateSchema,
    EnterpriseListQuerySchema,
    EnterpriseSchema,
    EnterpriseUpdateSchema,
    PersonCreateSchema,
    PersonListQuerySchema,
    PersonSchema,
    PersonUpdateSchema,
    TrainingSchema,
    TwoListsQuerySchema,
    ZoneCreateSchema,
    ZoneSchema,
)
from backend.photos.services import signed_photo_url

ENTERPRISE_PAGE = page_schema(EnterpriseSchema)

bp = Blueprint("org", __name__, url_prefix="/api", description="辖区、区块、企业与人员")
#: who keeps an enterprise's people and certificates: the regulators, and its own safety manager (a
#: maintenance company: its admin, for its workers' 电梯作业人员证); the services scope each to its own
PEOPLE_KEEPERS = (*REGULATORS, Role.safety_manager, Role.maintenance_admin)


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
    """Blocks (块) the caller may see, each with its size and a warning below five enterprises."""
    page = paginate(services.visible_blocks(current_user, query), query["page"], query["per_page"])
    services.annotate_blocks(page.items)
    return page


@bp.post("/blocks")
@require_roles(*REGULATORS)
@bp.arguments(BlockCreateSchema)
@bp.response(201, BlockSchema)
def create_block(body: dict):
    block = services.create_block(current_user, body)
    db.session.commit()
    return services.annotate_blocks([block])[0]


@bp.get("/zones/<int:zone_id>/unblocked-enterprises")
@require_roles(*REGULATORS)
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, ENTERPRISE_PAGE)
def unblocked_enterprises(query: dict, zone_id: int):
    """Enterprises of the zone that belong to no block yet (a block holds 5–10)."""
    return paginate(services.unblocked_enterprises(current_user, zone_id), query["page"], query["per_page"])


@bp.get("/enterprises")
@require_roles()
@bp.arguments(EnterpriseListQuerySchema, location="query")
@bp.response(200, ENTERPRISE_PAGE)
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
@require_roles(*REGULATORS, Role.safety_manager)
@bp.arguments(EnterpriseUpdateSchema)
@bp.response(200, EnterpriseSchema)
def update_enterprise(body: dict, enterprise_id: int):
    """Its safety manager edits the contact details (address, phone); regulators the rest, with a
    `reason`. Model status changes only through the bureau's acceptance check (kind `acceptance`)."""
    enterprise = overview.update_enterprise(current_user, enterprise_id, body)
    db.session.commit()
    return enterprise


@bp.get("/enterprises/<int:enterprise_id>/history")
@require_roles()
@bp.response(200, HistoryEntrySchema(many=True))
def enterprise_history(enterprise_id: int):
    """Every change of the enterprise record (who, when, field, before, after, reason), newest first."""
    enterprise = services.get_records_enterprise_for(current_user, enterprise_id)
    return history_of("enterprise", enterprise.id)


@bp.get("/people")
@require_roles()
@dumped_for_current_user
@bp.arguments(PersonListQuerySchema, location="query")
@bp.response(200, page_schema(PersonSchema))
def list_people(query: dict):
    """Safety managers, supervisors and operators of enterprises in scope."""
    return paginate(services.visible_people(current_user, query), query["page"], query["per_page"])


@bp.post("/people")
@require_roles(*PEOPLE_KEEPERS)
@bp.arguments(PersonCreateSchema)
@bp.response(201, PersonSchema)
def create_person(body: dict):
    person = services.create_person(current_user, body)
    db.session.commit()
    return person


@bp.patch("/people/<int:person_id>")
@require_roles(*PEOPLE_KEEPERS)
@bp.arguments(PersonUpdateSchema)
@bp.response(200, PersonSchema)
def update_person(body: dict, person_id: int):
    """Edit a person; `left_on` marks them as left (离职), their certificates then count no more."""
    person = people.update_person(current_user, person_id, body)
    db.session.commit()
    return person


@bp.get("/people/<int:person_id>")
@require_roles()
@dumped_for_current_user
@bp.response(200, PersonSchema)
def get_person(person_id: int):
    return people.get_person_for(current_user, person_id)


@bp.get("/people/<int:person_id>/history")
@require_roles()
@bp.response(200, HistoryEntrySchema(many=True))
def person_history(person_id: int):
    """Changes of the person and of their certificates, newest first."""
    return people.person_history(current_user, person_id)


@bp.post("/people/<int:person_id>/certificates")
@require_roles(*PEOPLE_KEEPERS)
@bp.arguments(CertificateSchema)
@bp.response(201, CertificateOutSchema)
def add_certificate(body: dict, person_id: int):
    """A certificate, or with `replaces_id` its renewal (换证; the old one stays as history).

    From an enterprise it needs `photo_sha256` and is `pending` until a regulator verifies it.
    """
    certificate = people.add_certificate(current_user, person_id, body)
    db.session.commit()
    return certificate


@bp.post("/people/<int:person_id>/trainings")
@require_roles(*PEOPLE_KEEPERS)
@bp.arguments(TrainingSchema)
@bp.response(201, TrainingSchema)
def add_training(body: dict, person_id: int):
    """A safety-training record (安全培训档案)."""
    training = people.add_training(current_user, person_id, body)
    db.session.commit()
    return training


class CertificateQueueItemSchema(CertificateOutSchema):
    person_id = fields.Integer()
    person_name = fields.Function(lambda c: c.person.name)
    enterprise_id = fields.Function(lambda c: c.person.enterprise_id)
    enterprise_name = fields.Function(lambda c: c.person.enterprise.name if c.person.enterprise else None)
    photo_url = fields.Function(lambda c: _photo_url(c.photo_sha256, "full"))
    thumbnail_url = fields.Function(lambda c: _photo_url(c.photo_sha256, "thumb"))
    created_at = fields.DateTime()


def _photo_url(sha256: str | None, variant: str) -> str | None:
    return signed_photo_url(sha256, variant) if sha256 else None


@bp.get("/certificates")
@require_roles(*REGULATORS)
@bp.arguments(CertificateQuerySchema, location="query")
@bp.response(200, page_schema(CertificateQueueItemSchema))
def list_certificates(query: dict):
    """The regulators' verification queue (`verification=pending`): their zone's, the bureau all."""
    return paginate(people.visible_certificates(current_user, query), query["page"], query["per_page"])


@bp.post("/certificates/<int:certificate_id>/verify")
@require_roles(*REGULATORS)
@bp.arguments(CertificateDecisionSchema)
@bp.response(200, CertificateQueueItemSchema)
def verify_certificate(body: dict, certificate_id: int):
    """Checked against its photo: it counts from now on (and replaces the one it renews)."""
    certificate = people.verify_certificate(current_user, certificate_id, body["reason"])
    db.session.commit()
    return certificate


@bp.post("/certificates/<int:certificate_id>/reject")
@require_roles(*REGULATORS)
@bp.arguments(CertificateRejectSchema)
@bp.response(200, CertificateQueueItemSchema)
def reject_certificate(body: dict, certificate_id: int):
    certificate = people.reject_certificate(current_user, certificate_id, body["reason"])
    db.session.commit()
    return certificate


class SafetyManagerSchema(Schema):
    name = fields.String()
    phone = fields.String()
    certificate_no = fields.String()
    expires_on = fields.Date(allow_none=True)
    #: the certificate has expired (过期): flagged in the list
    expired = fields.Boolean()


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
    "证书状态",
)


@bp.get("/enterprises/two-lists")
@require_roles(*REGULATORS)
@bp.arguments(TwoListsQuerySchema, location="query")
@bp.response(200, TwoListsSchema)
def two_lists(query: dict):
    """两项清单: enterprises with ≥ min_devices devices and their certified safety managers.

    Only certificates a regulator verified count; expired ones are listed with `expired: true`.

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
        ("已过期" if manager["expired"] else "有效") if manager else "",
    ]
