"""Health check."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from backend.extensions import db

bp = Blueprint("system", __name__, url_prefix="/api", description="系统")


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    version = fields.String()


@bp.get("/health")
@bp.response(200, HealthSchema)
def health() -> dict:
    """Liveness and database reachability."""
    db.session.execute(text("SELECT 1"))
    dialect = db.engine.dialect.name
    return {
        "status": "ok",
        "database": "postgresql" if dialect == "postgresql" else dialect,
        "version": "0.1.0",
    }
