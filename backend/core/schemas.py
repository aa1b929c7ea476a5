"""Base schema (tolerant reader), paging query and page envelope."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate
from marshmallow.experimental.context import Context

from backend.core.json_body import MAX_JSON_DEPTH, TOO_DEEP

MAX_PER_PAGE = 100


def dumping_for(user: Any) -> Context:
    """Schemas dumped inside `with dumping_for(user):` serialise for that user: the actions
    it may take, whether it sees a complainant's identity (read with `viewer()`)."""
    return Context[dict[str, Any]]({"viewer": user})


def viewer() -> Any | None:
    """The user the schemas are dumping for; None outside `dumping_for` (fail closed)."""
    context: dict[str, Any] = Context[dict[str, Any]].get({})
    return context.get("viewer")


#: NUL (PostgreSQL text refuses it) and UTF-16 surrogates: after JSON decoding a surrogate can only be a
#: lone half ("\ud800"), which no database or UTF-8 encoder accepts.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NUL_MESSAGE = "不能包含空字符 (NUL character)"
SURROGATE_MESSAGE = "包含无效的 Unicode 字符 (unpaired surrogate)"
TOO_DEEP_MESSAGE = f"嵌套层数超过 {MAX_JSON_DEPTH} (nested deeper than {MAX_JSON_DEPTH})"


def _strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON value, dict keys included; a loop, not recursion (deep input is legal JSON)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def unstorable_text(value: Any) -> str | None:
    """Why `value` (any JSON value) holds text no database can store, or None."""
    for text_value in _strings_in(value):
        if text_value == TOO_DEEP:
            return TOO_DEEP_MESSAGE
        found = _UNSTORABLE.search(text_value)
        if found:
            return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE
    return None


class BaseSchema(Schema):
    """Strips surrounding whitespace and ignores unknown fields.

    Unknown fields are ignored, not refused: outbox items written by an older
    offline PWA build may be replayed after a deploy. Text no database can store (NUL, a lone
    surrogate), anywhere in a field's value, is a 422 on that field.
    """

    #: fields whose content another schema checks later (a sync op's payload)
    opaque_fields: tuple[str, ...] = ()

    class Meta:
        unknown = EXCLUDE
        ordered = True

    @pre_load
    def _strip_strings(self, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        refused = {key: [why] for key, why in self._unstorable_fields(data)}
        if refused:
            raise ValidationError(refused)
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}

    def _unstorable_fields(self, data: dict) -> Iterator[tuple[str, str]]:
        """(key, why) of each declared field whose value holds unstorable text; unknown ones are dropped.

        Nested schemas check their own fields (and may declare opaque ones), so they are skipped here.
        """
        checked = {
            field.data_key or name
            for name, field in self.load_fields.items()
            if name not in self.opaque_fields and not _is_nested(field)
        }
        for key in checked & data.keys():
            why = unstorable_text(data[key])
            if why:
                yield key, why


def _is_nested(field: fields.Field) -> bool:
    inner = field.inner if isinstance(field, fields.List) else field
    return isinstance(inner, fields.Nested)


class PartialSchemaMixin:
    """Load as PATCH: fields that are absent stay absent (no defaults applied)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class EmptySchema(Schema):
    pass


class PageQuerySchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


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
    return fields.Decimal(
        places=2,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=max_yuan),
        metadata={"minimum": 0, "maximum": max_yuan},
        **kwargs,
    )


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


#: Dates the system reasons about: a year back or a day on from any of them is still a date.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)
_DAY_RANGE = f"{EARLIEST_DAY.isoformat()} … {LATEST_DAY.isoformat()}"


class Day(fields.Date):
    """A calendar date (YYYY-MM-DD) between EARLIEST_DAY and LATEST_DAY: year 1 or 9999 is a 422, not a 500.

    Use it for every date a query or body gives (report periods, as-of days).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "validate",
            validate.Range(
                min=EARLIEST_DAY, max=LATEST_DAY, error=f"日期须在 {_DAY_RANGE} 之间 (date out of range)"
            ),
        )
        super().__init__(**kwargs)


class Month(fields.String):
    """A month as 'YYYY-MM' (01–12) within the Day range; loads as the same string."""

    _PATTERN = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"description": "YYYY-MM", "pattern": self._PATTERN.pattern} | kwargs.get(
            "metadata", {}
        )
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        month = super()._deserialize(value, attr, data, **kwargs)
        matched = self._PATTERN.fullmatch(month)
        if not matched:
            raise ValidationError("格式为 YYYY-MM (month as YYYY-MM)")
        if not EARLIEST_DAY.year <= int(matched.group(1)) <= LATEST_DAY.year:
            raise ValidationError(f"月份须在 {_DAY_RANGE} 之间 (month out of range)")
        return month
