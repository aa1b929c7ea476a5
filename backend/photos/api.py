"""Evidence photos: idempotent upload by sha256, signed viewing."""

from io import BytesIO
from pathlib import Path

from flask import request, send_file
from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.core.auth import require_roles
from backend.core.downloads import name_file
from backend.core.schemas import BaseSchema
from backend.extensions import db
from backend.photos import services

bp = Blueprint("photos", __name__, url_prefix="/api/photos", description="证据照片")

SHA_RULE = "<string(length=64):sha256>"


class PhotoSchema(Schema):
    sha256 = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    thumbnail_url = fields.Function(lambda p: services.signed_photo_url(p.sha256, "thumb"))
    url = fields.Function(lambda p: services.signed_photo_url(p.sha256, "full"))


class SignedQuerySchema(BaseSchema):
    exp = fields.Integer(required=True)
    sig = fields.String(required=True, validate=validate.Length(max=64))


@bp.put(f"/{SHA_RULE}")
@require_roles()
@bp.response(201, PhotoSchema)
@bp.alt_response(200, schema=PhotoSchema, description="Already stored")
def put_photo(sha256: str):
    """Upload image bytes (JPEG, PNG, WebP) named by their sha256; 201 first time, 200 after."""
    photo, created = services.store_photo(current_user.id, sha256, request.get_data(cache=False))
    db.session.commit()
    return photo, 201 if created else 200


@bp.get(f"/{SHA_RULE}")
@bp.arguments(SignedQuerySchema, location="query")
def get_photo(query: dict, sha256: str):
    """The cleaned photo, through a signed link from a record the caller could see."""
    stored = services.open_signed_photo(sha256, "full", query["exp"], query["sig"])
    return _private_image(stored, f"{sha256}.jpg")


@bp.get(f"/{SHA_RULE}/thumb")
@bp.arguments(SignedQuerySchema, location="query")
def get_thumbnail(query: dict, sha256: str):
    stored = services.open_signed_photo(sha256, "thumb", query["exp"], query["sig"])
    return _private_image(stored, f"{sha256}-thumb.jpg")


def _private_image(stored: Path | bytes, filename: str):
    # content-addressed: the name is a stable ETag whichever store holds the bytes
    source = BytesIO(stored) if isinstance(stored, bytes) else stored
    sent = send_file(source, mimetype="image/jpeg", max_age=86400, etag=filename, conditional=True)
    response = name_file(sent, filename, inline=True)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
