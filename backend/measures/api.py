"""Measures a grade sets off: stationing (驻点监督) and the serious-violation list (严重违法失信名单).

Device orders (查封 / 责令停止使用) go through `PATCH /api/devices/<id>` (API.md)."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, Role, require_roles
from backend.core.history import HistoryEntrySchema
from backend.extensions import db
from backend.measures import services
from backend.measures.schemas import (
    DeviceOrderSchema,
    FindingCreateSchema,
    ListingCreateSchema,
    ListingQuerySchema,
    ListingRemoveSchema,
    ListingSchema,
    PublicListingSchema,
    StationingCloseSchema,
    StationingCreateSchema,
    StationingSchema,
)

bp = Blueprint("measures", __name__, url_prefix="/api", description="差异化监管措施")
public_bp = Blueprint("public_listings", __name__, url_prefix="/api/public", description="信息公示")


@bp.get("/devices/<int:device_id>/order")
@require_roles()
@bp.response(200, DeviceOrderSchema)
def device_order(device_id: int):
    """The order in force on the device (查封 / 责令停止使用) and its notice; 404 when none."""
    return services.current_order(current_user, device_id)


@bp.get("/enterprises/<int:enterprise_id>/stationings")
@require_roles()
@bp.response(200, StationingSchema(many=True))
def list_stationings(enterprise_id: int):
    """驻点监督 periods of the enterprise, newest first."""
    return services.stationings_of(current_user, enterprise_id)


@bp.post("/enterprises/<int:enterprise_id>/stationings")
@require_roles(*REGULATORS)
@bp.arguments(StationingCreateSchema)
@bp.response(201, StationingSchema)
def start_stationing(body: dict, enterprise_id: int):
    """Station inspectors of the zone at a C or D enterprise (seed 002 第十条第三项, 第十一条第二项)."""
    stationing = services.start_stationing(current_user, enterprise_id, body)
    db.session.commit()
    return stationing


@bp.post("/stationings/<int:stationing_id>/findings")
@require_roles(*REGULATORS)
@bp.arguments(FindingCreateSchema)
@bp.response(201, StationingSchema)
def add_finding(body: dict, stationing_id: int):
    """Record what the stationed inspectors found (a day within the period)."""
    stationing = services.add_finding(current_user, stationing_id, body)
    db.session.commit()
    return stationing


@bp.post("/stationings/<int:stationing_id>/close")
@require_roles(*REGULATORS)
@bp.arguments(StationingCloseSchema)
@bp.response(200, StationingSchema)
def close_stationing(body: dict, stationing_id: int):
    """结束驻点 with the day it ended and a summary; no finding afterwards."""
    stationing = services.close_stationing(current_user, stationing_id, body)
    db.session.commit()
    return stationing


@bp.get("/serious-violations")
@require_roles(*REGULATORS, Role.safety_manager)
@bp.arguments(ListingQuerySchema, location="query")
@bp.response(200, ListingSchema(many=True))
def list_listings(query: dict):
    """The serious-violation list with removed entries (an enterprise: its own)."""
    return services.list_listings(current_user, query["enterprise_id"])


@bp.post("/serious-violations")
@require_roles(Role.bureau_admin)
@bp.arguments(ListingCreateSchema)
@bp.response(201, ListingSchema)
def list_enterprise(body: dict):
    """列入严重违法失信名单 with the legal ground and date (the city bureau)."""
    listing = services.list_enterprise(current_user, body)
    db.session.commit()
    return listing


@bp.post("/serious-violations/<int:listing_id>/remove")
@require_roles(Role.bureau_admin)
@bp.arguments(ListingRemoveSchema)
@bp.response(200, ListingSchema)
def remove_listing(body: dict, listing_id: int):
    """移出 with date and reason; the entry and its history stay."""
    listing = services.remove_listing(current_user, listing_id, body)
    db.session.commit()
    return listing


@bp.get("/serious-violations/<int:listing_id>/history")
@require_roles(*REGULATORS)
@bp.response(200, HistoryEntrySchema(many=True))
def listing_history(listing_id: int):
    return services.listing_history(current_user, listing_id)


@public_bp.get("/serious-violations")
@public_bp.response(200, PublicListingSchema(many=True))
def public_listings():
    """Anonymous: the enterprises listed today (name, credit code, ground, decision number, date)."""
    return services.public_listings()
