"""Offline sync: push queued ops, pull changes."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.core.auth import require_roles
from backend.core.schemas import BaseSchema
from backend.extensions import db
from backend.sync import services

bp = Blueprint("sync", __name__, url_prefix="/api/sync", description="离线同步")


class OpSchema(BaseSchema):
    #: checked by the op type's own schema, so a bad payload rejects that op, not the batch
    opaque_fields = ("payload",)

    op_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(min=3, max=40))
    payload = fields.Dict(required=True)


class PushSchema(BaseSchema):
    ops = fields.List(fields.Nested(OpSchema), required=True, validate=validate.Length(max=200))


class OpErrorSchema(Schema):
    code = fields.String()
    message = fields.String()
    details = fields.Dict()


class OpResultSchema(Schema):
    op_id = fields.String()
    status = fields.String(metadata={"enum": ["applied", "duplicate", "conflict", "rejected"]})
    error = fields.Nested(OpErrorSchema)


class PushResultSchema(Schema):
    results = fields.List(fields.Nested(OpResultSchema))


class PullQuerySchema(BaseSchema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=100))


class ChangeSchema(Schema):
    entity = fields.String()
    id = fields.String()
    deleted = fields.Boolean()
    data = fields.Dict(allow_none=True)


class PullResultSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema))
    cursor = fields.String()
    more = fields.Boolean()


@bp.post("/push")
@require_roles()
@bp.arguments(PushSchema)
@bp.response(200, PushResultSchema)
def push(body: dict) -> dict:
    """Apply ops queued offline, one result per op.

    hazard.create (body of POST /api/hazards), hazard.transition (TransitionSchema plus
    hazard_id), check.submit (body of POST /api/checks: a filled checklist),
    notice.acknowledge (body of POST /api/notices/<id>/acknowledge plus notice_id) and
    maintenance.record (body of POST /api/maintenance/orders/<id>/records plus order_id).

    Each op runs in its own savepoint: a rejected op never undoes or blocks the others. Its
    `error.code` is the one the same REST call would answer (`validation_failed` with
    `details.fields`, `forbidden`, `not_found`, `invalid_state`…), `value_out_of_range` or
    `unknown_op_type`. A body that is not JSON, or nests deeper than 64 levels, is a 400
    `invalid_json` and applies nothing.
    """
    results = services.push_ops(current_user, body["ops"])
    db.session.commit()
    return {"results": results}


@bp.get("/pull")
@require_roles()
@bp.arguments(PullQuerySchema, location="query")
@bp.response(200, PullResultSchema)
def pull(query: dict) -> dict:
    """Changes in scope since `cursor` (devices, hazards, enterprises, checks, notices), in commit order."""
    return services.pull_changes(current_user, query["cursor"])
