"""Search in Chinese through an index: text cut into character pairs (bigrams).

Chinese has no spaces and search words are often two characters ('电梯', '客梯', '物业'), too
short for trigram indexes. Every searched text is cut into words (runs of letters and digits,
lower-cased, NFKC so full-width digits match; a sign like '%' is a word alone), each word into
its overlapping character pairs, its last character alone, and its suffixes from three
characters on, cut to LONGEST_TERM characters. A query word of two or more characters matches a text
holding all its pairs; a one-character word matches any term starting with it. A longer word is
also one index range, the suffixes starting with it: when every pair of '企业000123' is held by
tens of thousands of names, the few holding the whole word are read directly. Terms live in
plain (term, id) tables with the term as the leading key, so PostgreSQL and SQLite answer with
the same B-tree ranges and SQL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    event,
    exists,
    false,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    true,
    union,
)
from sqlalchemy.orm import Session, aliased

from backend.core.pagination import COUNT_CAP
from backend.extensions import db

#: A search whose matches go past this shows "1000+": counting 2.3M elevators tells nobody more.
SEARCH_COUNT_CAP = 1000


def start_list_page(filters: dict) -> tuple[int, int]:
    """Begin a list page's reads: plan them without parallel workers (serial_plans), and give
    the page's count cap (lower when searching) and how many matches each search arm reads
    (past the cap only when the page asked for lies beyond it)."""
    serial_plans()
    cap = SEARCH_COUNT_CAP if filters.get("q") else COUNT_CAP
    return cap, max(cap + 1, filters["page"] * filters["per_page"])


def serial_plans() -> None:
    """PostgreSQL: plan the rest of this transaction's queries without parallel workers. A list
    page reads a few index ranges up to a LIMIT; but a term the statistics cannot see (a pair
    rare or absent among 16M term rows is estimated at tens of thousands) makes the planner
    start workers, and starting them costs 100 ms or more on a busy server for a range that
    holds nothing (EXPLAIN ANALYZE: Gather Merge 125-144 ms around 0.1 ms of work)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


#: model → (its term model, the term model's id attribute, the model's searched fields)
_SEARCHABLE: dict[type, tuple[Any, str, tuple[str, ...]]] = {}

#: runs of letters and digits; any other visible character is a word of its own ('100%')
_WORD = re.compile(r"[^\W_]+|[^\w\s]|_")
_TOP = "\U0010ffff"
#: the longest term (suffixes are cut here): eight characters pick a word out of millions of rows
LONGEST_TERM = 8


def words(text: str | None) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").lower())


def text_terms(*texts: str | None) -> set[str]:
    """The index terms of some texts: each word's character pairs, its last character and its
    suffixes of three characters or more (cut to LONGEST_TERM)."""
    terms: set[str] = set()
    for value in texts:
        for word in words(value):
            terms.update(word[i : i + 2] for i in range(len(word) - 1))
            terms.update(word[i : i + LONGEST_TERM] for i in range(len(word) - 2))
            terms.add(word[-1])
    return terms


def query_terms(q: str) -> tuple[list[str], list[str]]:
    """(pairs every match holds, single characters a match has a term starting with)."""
    pairs: list[str] = []
    singles: list[str] = []
    for word in words(q):
        if len(word) == 1:
            singles.append(word)
        pairs.extend(word[i : i + 2] for i in range(len(word) - 1))
    return list(dict.fromkeys(pairs)), list(dict.fromkeys(singles))


def starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """A prefix match as an index range (LIKE skips the index on SQLite)."""
    return (column >= prefix) & (column < prefix + _TOP)


def _full_width(word: str) -> str:
    """The word as an IME types it full-width ('３号楼'): the index folds both forms (NFKC)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def holds_words(columns: Sequence[Any], q: str) -> ColumnElement[bool]:
    """The columns hold each word of `q` as written, not only its character pairs (the pairs of
    '000002' are all in '000020' too). Meant for the few ids a capped search found, checked by key:
    inside the search's arms it would change how PostgreSQL plans them (seconds on a province)."""
    texts = [func.lower(column) for column in columns]
    checks = [
        or_(*(text.contains(form, autoescape=True) for text in texts for form in {word, _full_width(word)}))
        for word in words(q)
        if len(word) > 1
    ]
    return and_(*checks) if checks else true()


def has_terms(q: str) -> bool:
    return any(query_terms(q))


def _term_condition(term_col: Any, term: str, single: bool) -> ColumnElement[bool]:
    if single:
        return (term_col >= term) & (term_col < term + _TOP)
    return term_col == term


def _conditions(q: str) -> list[tuple[str, bool]]:
    pairs, singles = query_terms(q)
    return [(p, False) for p in pairs] + [(s, True) for s in singles]


def _probes(term_model: Any, entity_attr: str, entity_col: Any, conditions: list[tuple[str, bool]]) -> list:
    probes = []
    for term, single in conditions:
        alias = aliased(term_model)
        probes.append(
            exists().where(
                _term_condition(alias.term, term, single), getattr(alias, entity_attr) == entity_col
            )
        )
    return probes


def covers(term_model: Any, entity_attr: str, entity_col: Any, q: str) -> ColumnElement[bool]:
    """True when the entity `entity_col` holds every term of `q` (one EXISTS per term, each a
    primary-key probe); false when `q` has no word at all."""
    conditions = _conditions(q)
    if not conditions:
        return false()
    return and_(*_probes(term_model, entity_attr, entity_col, conditions))


#: how many rows of a pair are counted to find the rarest one (an index range read, a millisecond or two)
_RARITY_PROBE = 2000


def _by_rarity(term_model: Any, conditions: list[tuple[str, bool]]) -> tuple[list[tuple[str, bool]], dict]:
    """The pairs of `q` by how few rows hold them (counted up to _RARITY_PROBE), single characters
    last, and the counts (none for a lone pair): '3号楼' over enterprise addresses drives from
    '号楼' (none) instead of probing the 60k addresses holding '3号'."""
    pairs = [c for c in conditions if not c[1]]
    held = {term: _rows_holding(term_model, term) for term, _ in pairs} if len(pairs) > 1 else {}
    return sorted(pairs, key=lambda c: held.get(c[0], 0)) + [c for c in conditions if c[1]], held


def _rows_holding(term_model: Any, term: str) -> int:
    sample = select(term_model.term).where(term_model.term == term).limit(_RARITY_PROBE).subquery()
    return db.session.scalar(select(func.count()).select_from(sample)) or 0


def _spans(word: str) -> list[str]:
    """Index ranges a text holding `word` has a suffix in: the word itself when it fits in a
    term, else its first, middle and last LONGEST_TERM characters."""
    if len(word) <= LONGEST_TERM:
        return [word]
    starts = {0, (len(word) - LONGEST_TERM) // 2, len(word) - LONGEST_TERM}
    return [word[start : start + LONGEST_TERM] for start in sorted(starts)]


def _holders(term_model: Any, entity_attr: str, span: str) -> set | None:
    """The entities with a term starting with `span`, or None when _RARITY_PROBE rows or more
    do (too common to read them all: the pairs then drive, along the list's order)."""
    column = getattr(term_model, entity_attr)
    rows = db.session.scalars(
        select(column).where(starts_with(term_model.term, span)).limit(_RARITY_PROBE)
    ).all()
    return set(rows) if len(rows) < _RARITY_PROBE else None


def _long_words_held(term_model: Any, entity_attr: str, q: str) -> tuple[set | None, str]:
    """The entities holding every long word of `q` whose suffix ranges are short enough to read
    (None when no word's is), and the words still to probe by their pairs."""
    held: set | None = None
    rest: list[str] = []
    for word in dict.fromkeys(words(q)):
        found = [_holders(term_model, entity_attr, span) for span in _spans(word)] if len(word) > 2 else []
        readable = [ids for ids in found if ids is not None]
        if not readable:
            rest.append(word)
            continue
        for ids in readable:
            held = ids if held is None else held & ids
        if not held:
            return set(), ""
    return held, " ".join(rest)


def _literal_in(column: Any, ids: Iterable) -> ColumnElement[bool]:
    """`column` among `ids`, written into the SQL text: binding a thousand parameters cost more
    than the search."""
    return column.in_(bindparam("ids", sorted(ids), unique=True, expanding=True, literal_execute=True))


def _among_held(query: Select, term_model: Any, entity_attr: str, entity_col: Any, q: str) -> Select | None:
    """`query` restricted to the few entities holding the long words of `q` (read by their
    suffix ranges), its other words probed; None when no long word is rare enough."""
    held, rest = _long_words_held(term_model, entity_attr, q)
    if held is None:
        return None
    if not held:
        return query.where(false())
    return query.where(
        _literal_in(entity_col, held), *_probes(term_model, entity_attr, entity_col, _conditions(rest))
    )


def _joined(
    query: Select, term_model: Any, entity_attr: str, entity_col: Any, conditions: list[tuple[str, bool]]
) -> tuple[Select, Any]:
    """`query` joined to the rows of the first pair of `conditions` (its index range drives the
    search), the other terms as probes, with the term rows' entity key; a query of single
    characters only is all probes (key None)."""
    first, single = conditions[0]
    if single:
        return query.where(*_probes(term_model, entity_attr, entity_col, conditions)), None
    alias = aliased(term_model)
    key = getattr(alias, entity_attr)
    joined = query.join(alias, key == entity_col).where(
        alias.term == first, *_probes(term_model, entity_attr, entity_col, conditions[1:])
    )
    return joined, key


def joined_on_terms(query: Select, term_model: Any, entity_attr: str, entity_col: Any, q: str) -> Select:
    """`query` restricted to entities holding every term of `q`, for a list in its own order
    (newest first): the few holders of a rare long word read by its suffix range, else driven by
    the rarest pair's index range. On SQLite, when even that pair is held by many rows, the terms
    are probed along the list's order instead, where the first page's matches come soon: SQLite
    knows only the average rows per term, and fetched and sorted all 36k hazards holding '电梯'
    to keep the newest thousand (PostgreSQL, knowing the term's frequency, chooses between the
    two itself and did worse when made to walk)."""
    among = _among_held(query, term_model, entity_attr, entity_col, q)
    if among is not None:
        return among
    conditions, held = _by_rarity(term_model, _conditions(q))
    first, single = conditions[0]
    if single or (_on_sqlite() and _held_by(term_model, first, held) >= _RARITY_PROBE):
        return query.where(*_probes(term_model, entity_attr, entity_col, conditions))
    return _joined(query, term_model, entity_attr, entity_col, conditions)[0]


def _held_by(term_model: Any, term: str, held: dict) -> int:
    """How many rows hold `term`: counted already by _by_rarity, or now (a lone pair)."""
    return held[term] if term in held else _rows_holding(term_model, term)


def _on_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _driven(query: Select, term_model: Any, entity_attr: str, entity_col: Any, q: str) -> tuple[Select, Any]:
    """`query` restricted to entities holding every term of `q`, and the key its arm is ordered
    by: the few holders of a rare long word (`entity_col`), else the rows of the rarest pair (the
    term rows' entity key; None when every term is a probe)."""
    among = _among_held(query, term_model, entity_attr, entity_col, q)
    if among is not None:
        return among, entity_col
    return _joined(query, term_model, entity_attr, entity_col, _by_rarity(term_model, _conditions(q))[0])


def own_terms_arm(query: Select, term_model: Any, entity_attr: str, entity_col: Any, q: str) -> Arm:
    """Like joined_on_terms for a list ordered by its own id: the arm selects and orders by the
    term row's id, which the term index already holds in order (SQLite would otherwise sort every
    match, not knowing the joined ids are equal)."""
    joined, key = _driven(query, term_model, entity_attr, entity_col, q)
    if key is None:
        return joined
    return joined.with_only_columns(key.label(entity_col.key)), (key,)


def related_terms_arm(
    query: Select, term_model: Any, entity_attr: str, entity_col: Any, q: str, then: tuple
) -> Arm:
    """Rows whose related entity (a device's enterprise) holds every term of `q`, ordered by that
    entity as the term index holds it, then by `then`: the arm walks the matching enterprises'
    rows, never the caller's whole zone (ordered by row id, a zone of 250k devices with no match
    is read to its end)."""
    joined, key = _driven(query, term_model, entity_attr, entity_col, q)
    return joined if key is None else (joined, (key, *then))


#: an id query, or one with its own order (own_terms_arm)
Arm = Select | tuple[Select, tuple]


def limited_union(arms: Sequence[Arm], order_by: tuple, limit: int | None) -> Select:
    """The ids of any arm (each selects one id column). With `limit`, each arm stops after its
    first `limit` rows in the list's order: the union's first `limit` are among them, so a page
    and a count up to the cap never read all 2.3M elevators of a province."""
    queries = [arm if isinstance(arm, tuple) else (arm, order_by) for arm in arms]
    if limit is None:
        return select(*union(*(query for query, _ in queries)).subquery().c)
    limited = [query.order_by(*order).limit(limit).subquery() for query, order in queries]
    return select(*union(*(select(*sub.c) for sub in limited)).subquery().c)


def found_once(
    column: Any, arms: Sequence[Arm], order_by: tuple, written: ColumnElement[bool], limit: int | None
) -> ColumnElement[bool]:
    """`column` among the ids the search's arms found (limited_union) that hold the words as
    written (`written`, checked by key on those few ids: inside the arms it makes PostgreSQL plan
    them in seconds). Bounded, the ids are read here once: the list's page and its count then
    fetch them by key instead of each running the arms again. Unbounded (an export), the search
    itself."""
    ids = select(column).where(column.in_(limited_union(arms, order_by, limit)), written)
    if limit is None:
        return column.in_(ids)
    return _literal_in(column, db.session.scalars(ids))


def replace_terms(
    session: Session, term_model: Any, entity_attr: str, rows: Iterable[tuple[Any, set[str]]]
) -> None:
    """Rewrite the terms of some entities: (entity id, its terms) pairs."""
    rows = list(rows)
    if not rows:
        return
    entity_col = getattr(term_model, entity_attr)
    connection = session.connection()
    connection.execute(delete(term_model).where(entity_col.in_([key for key, _ in rows])))
    values = [{"term": term, entity_attr: key} for key, terms in rows for term in terms]
    if values:
        connection.execute(insert(term_model), values)


def searchable(model: type, term_model: Any, entity_attr: str, fields: tuple[str, ...]) -> None:
    """Keep `term_model` in step with `fields` of `model` on every ORM flush (create, edit, import,
    sync: every write path goes through the session)."""
    _SEARCHABLE[model] = (term_model, entity_attr, fields)


@event.listens_for(Session, "after_flush")
def _index_flushed(session: Session, _context: Any) -> None:
    changed: dict[type, list[Any]] = {}
    for obj in [*session.new, *session.dirty]:
        spec = _SEARCHABLE.get(type(obj))
        if spec is None:
            continue
        attrs = inspect(obj).attrs
        if obj in session.new or any(attrs[field].history.has_changes() for field in spec[2]):
            changed.setdefault(type(obj), []).append(obj)
    for model, objs in changed.items():
        term_model, entity_attr, fields = _SEARCHABLE[model]
        rows = [(obj.id, text_terms(*(getattr(obj, f) for f in fields))) for obj in objs]
        replace_terms(session, term_model, entity_attr, rows)


def rebuild_terms(model: type, batch: int = 20_000) -> None:
    """Index every row of `model` (after bulk inserts that bypass the ORM: the demo generator)."""
    term_model, entity_attr, fields = _SEARCHABLE[model]
    columns = [model.id, *(getattr(model, f) for f in fields)]  # type: ignore[attr-defined]
    last = None
    while True:
        query = select(*columns).order_by(columns[0]).limit(batch)
        if last is not None:
            query = query.where(columns[0] > last)
        rows = db.session.execute(query).all()
        if not rows:
            return
        replace_terms(db.session(), term_model, entity_attr, [(r[0], text_terms(*r[1:])) for r in rows])
        last = rows[-1][0]
