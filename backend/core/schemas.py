"""Base schema (tolerant reader), paging query and page envelope."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

MAX_PER_PAGE = 100


class BaseSchema(Schema):
    """Strips surrounding whitespace and ignores unknown fields.

    Unknown fields are ignored, not refused: outbox items written by an older
    offline PWA build may be replayed after a deploy.
    """

    class Meta:
        unknown = EXCLUDE
        ordered = True

    @pre_load
    def _strip_strings(self, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        with_nul = [k for k, v in data.items() if isinstance(v, str) and "\x00" in v]
        if with_nul:
            raise ValidationError({k: ["不能包含空字符 (NUL character)"] for k in with_nul})
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


class PartialSchemaMixin:
    """Load as PATCH: fields that are absent stay absent (no defaults applied)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class EmptySchema(Schema):
    pass


class PageQuerySchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """A list envelope {"items","page","per_page","total"} around item_schema."""
    return type(
        f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
            "total_exact": fields.Boolean(
                metadata={"description": "false when total is capped (more matches exist)"}
            ),
        },
    )


def money(max_yuan: int, **kwargs: Any) -> fields.Decimal:
    """An optional amount in yuan (two places, 0..max_yuan).

    The bounds are repeated as metadata so the OpenAPI document states them as numbers: apispec would print
    the Decimal bounds as strings, which makes the spec invalid.
    """
    return fields.Decimal(places=2, load_default=None, allow_none=True,
                          validate=validate.Range(min=0, max=max_yuan),
                          metadata={"minimum": 0, "maximum": max_yuan}, **kwargs)


def text(max_len: int, **kwargs: Any) -> fields.String:
    """A bounded string field: huge strings are a 422, not a database error."""
    return fields.String(validate=validate.Length(max=max_len), **kwargs)


#: Largest id any table hands out (PostgreSQL INTEGER); larger ids cannot exist.
MAX_ID = 2**31 - 1


class Id(fields.Integer):
    """A database id: a positive 32-bit integer, so a huge number is a 422, not a 500."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
        kwargs.setdefault("strict", False)
        super().__init__(**kwargs)
