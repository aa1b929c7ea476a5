"""Paginate a SELECT into the list envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, literal_column, select

from backend.extensions import db

#: Counting past this many rows costs more than it tells a person paging on a phone.
COUNT_CAP = 10_000


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    #: False when there are more than COUNT_CAP matches and `total` is the cap
    total_exact: bool = True


def paginate(query: Select, page: int, per_page: int, cap: int = COUNT_CAP) -> Page:
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    if page == 1 and len(items) < per_page:
        return Page(items, page, per_page, len(items))
    capped = _rows_only(query).order_by(None).limit(cap + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped)) or 0
    if total > cap:
        return Page(items, page, per_page, cap, total_exact=False)
    return Page(items, page, per_page, total)


def _rows_only(query: Select) -> Select:
    """The query selecting a constant instead of its columns, for counting its rows: SQLite reads
    every column a capped subquery selects (a table row per match, 60 ms for 10,000 devices)
    where a constant lets it count index entries (3 ms). Not for DISTINCT or grouped queries,
    whose row count depends on their columns."""
    if query._distinct or query._group_by_clauses:
        return query
    return query.with_only_columns(literal_column("1"), maintain_column_froms=True)
