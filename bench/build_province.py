"""Build the province (600k enterprises, 2.3M devices) on PostgreSQL in set-based SQL, in minutes.

    BENCH_DATABASE_URL=postgresql+psycopg://sesv@127.0.0.1:54392/sesv_province \\
        .venv/bin/python bench/build_province.py [--enterprises N] [--devices N]

The demo generator (`backend.demo.load_demo(PROVINCE)`) builds every row in Python: more than an
hour on a busy two-core machine. This builds the same shapes with `INSERT ... SELECT
generate_series(...)`: 16 zones of 2,000 blocks, enterprises, their safety managers and
certificates, devices with the generator's category mix, registration-number formats, names,
locations and skewed owners, the generator's hazards, one complaint per thousand devices, the
demo users (admin, inspector1, ...), credit events and grades, the search term tables and the
change feed a phone's sync pull reads. The draws are hashes of the row number instead of the
generator's random stream, so the rows differ one by one but not in kind or proportion.

The term tables hold exactly what `backend.core.search.text_terms` makes of each row: texts from
a small vocabulary (device names and locations, addresses, hazard and complaint texts) are cut in
Python, once per distinct text, and joined; enterprise names (one word each, 600k of them) are cut
in SQL into the same character pairs and last character (tests/test_build_province.py
checks both against the ORM's indexing). Run it on an empty database: the migrations run first.
Not built: the evidence chain of the bulk rows (no read measured here uses it; `flask evidence
verify` would not pass on this database) and the city's checks and maintenance demo, which the
generator also skips at this size.
"""

# ruff: noqa: S608 - every statement is built from the demo's fixed strings and integers, never from input
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from backend.complaints.rules import ComplaintCategory, ComplaintStatus  # noqa: E402
from backend.core.clock import today  # noqa: E402
from backend.core.db import advance_id_sequences  # noqa: E402
from backend.core.search import LONGEST_TERM, text_terms  # noqa: E402
from backend.credit.recompute import recompute_grades  # noqa: E402
from backend.demo import (  # noqa: E402
    CATEGORY_MIX,
    HAZARD_TEXTS,
    INDUSTRIES,
    KEY_CATEGORIES,
    PROVINCE,
    Scale,
    _credit_events,
    _demo_users,
    _zone_name,
    is_empty,
)
from backend.extensions import db  # noqa: E402
from backend.org.models import PublicPlace  # noqa: E402
from backend.org.rules import CREDIT_CODE_CHARS, CREDIT_CODE_WEIGHTS  # noqa: E402

#: the tables loaded here: their plain indexes are dropped for the load and built once after it
LOADED = (
    "blocks",
    "enterprises",
    "people",
    "certificates",
    "devices",
    "hazards",
    "complaints",
    "changes",
    "device_search_terms",
    "enterprise_search_terms",
    "hazard_search_terms",
    "complaint_search_terms",
)
TERM_TABLES = {
    "device_search_terms": ("devices", "device_id", ("name", "location")),
    "hazard_search_terms": ("hazards", "hazard_id", ("description", "category", "location")),
    "complaint_search_terms": ("complaints", "complaint_id", ("description",)),
}
COMPLAINT_TEXTS = (
    "电梯困人半小时无人应答",
    "电梯运行时异响，门关不严",
    "检验合格标志过期，仍在使用",
    "叉车司机无证驾驶",
    "锅炉房无人值守",
    "扶梯急停按钮失灵",
)
#: one complaint per this many devices
DEVICES_PER_COMPLAINT = 1000


def _sql_array(values) -> str:
    """A text[] literal of fixed demo strings (no quotes in them)."""
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]::text[]"


def _rnd(row: str, salt: int) -> str:
    """A uniform draw in [0, 1) from a hash of the row number (deterministic, no shared stream)."""
    return f"((hashint8extended(({row})::bigint, {salt}) & 2147483647) / 2147483648.0)"


def _randint(row: str, salt: int, low: int, high: int) -> str:
    """Python's randint(low, high) from a hash draw."""
    return f"({low} + floor({_rnd(row, salt)} * {high - low + 1})::int)"


def _zone_of(i: str, scale: Scale) -> str:
    """SQL of demo._enterprise_zone for the 0-based enterprise index `i`."""
    blocks = scale.zones * scale.blocks_per_zone
    by_block = f"(({i}) % {blocks}) / {scale.blocks_per_zone} + 1"
    return f"(CASE WHEN ({i}) % 25 = 24 THEN ({i}) % {scale.zones} + 1 ELSE {by_block} END)"


def _padded(number: str, width: int) -> str:
    """Python's f'{n:0{width}d}' (lpad alone would cut longer numbers)."""
    return f"lpad(({number})::text, greatest({width}, length(({number})::text)), '0')"


def _credit_code(n: str) -> str:
    """SQL of demo.credit_code(n): '91320582', nine base-31 digits of n, the check character."""
    prefix = "91320582"
    base = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(prefix, CREDIT_CODE_WEIGHTS, strict=False))
    digits = [f"(({n})::bigint / {31**k}) % 31" for k in range(9)]
    body = " || ".join(f"substr('{CREDIT_CODE_CHARS}', ({d})::int + 1, 1)" for d in digits)
    total = " + ".join([str(base), *(f"({d}) * {CREDIT_CODE_WEIGHTS[8 + k]}" for k, d in enumerate(digits))])
    check = f"substr('{CREDIT_CODE_CHARS}', ((31 - ({total}) % 31) % 31)::int + 1, 1)"
    return f"'{prefix}' || {body} || {check}"


def _run(sql: str, **params) -> int:
    return db.session.execute(text(sql), params).rowcount


def zones_and_blocks(scale: Scale) -> None:
    names = _sql_array(_zone_name(z) for z in range(scale.zones))
    _run(
        f"INSERT INTO zones (id, name, code, created_at, updated_at) "
        f"SELECT z + 1, ({names})[z + 1], 'Z' || {_padded('z + 1', 2)}, now(), now() "
        f"FROM generate_series(0, {scale.zones - 1}) z"
    )
    _run(
        f"INSERT INTO blocks (id, zone_id, name, created_at, updated_at) "
        f"SELECT b + 1, b / {scale.blocks_per_zone} + 1, '第' || (b + 1) || '区块', now(), now() "
        f"FROM generate_series(0, {scale.zones * scale.blocks_per_zone - 1}) b"
    )


def enterprises(scale: Scale, as_of: date) -> None:
    blocks = scale.zones * scale.blocks_per_zone
    zone_names = _sql_array(_zone_name(z)[:2] for z in range(scale.zones))
    places = list(PublicPlace)
    public = [INDUSTRIES.index(name) for name in ("商场", "医院", "学校")]
    founded = _randint("i", 1, 200, 9000)
    _run(
        f"""
        INSERT INTO enterprises (id, name, credit_code, zone_id, block_id, address, established_on, roles,
            public_place, model_status, model_accepted_on, contact_phone, created_at, updated_at)
        SELECT i + 1,
            CASE WHEN i % 25 = 24 THEN '维保' ELSE ({_sql_array(INDUSTRIES)})[i % {len(INDUSTRIES)} + 1] END
                || '示例企业' || {_padded("i + 1", 6)} || '有限公司',
            {_credit_code("i + 1")},
            {_zone_of("i", scale)},
            CASE WHEN i % 25 = 24 THEN NULL ELSE i % {blocks} + 1 END,
            '示例市' || ({zone_names})[{_zone_of("i", scale)}] || '区' || {_randint("i", 2, 1, 999)} || '号',
            CAST(:as_of AS date) - CASE WHEN i % 16 = 0 THEN 200 + {founded} % 800 ELSE {founded} END,
            CASE WHEN i % 25 = 24 THEN 'maintainer' ELSE 'user' END,
            CASE WHEN i % {len(INDUSTRIES)} IN ({",".join(map(str, public))})
                THEN ({_sql_array(places)})[i % {len(places)} + 1] END,
            CASE WHEN i < {scale.zones} THEN 'accepted' ELSE 'none' END,
            CASE WHEN i < {scale.zones} THEN CAST(:as_of AS date) - 90 END,
            left('0512-' || {_padded("58000000 + i", 8)}, 13),
            now(), now()
        FROM generate_series(0, {scale.enterprises - 1}) i
        """,
        as_of=as_of,
    )
    _run(
        f"INSERT INTO people (id, name, phone, enterprise_id, created_at, updated_at) "
        f"SELECT i + 1, '安全员' || {_padded('i + 1', 6)}, left('138' || {_padded('i', 8)}, 11), i + 1, "
        f"now(), now() "
        f"FROM generate_series(0, {scale.enterprises - 1}) i"
    )
    certificates(scale, as_of)


def certificates(scale: Scale, as_of: date) -> None:
    """demo._certificates: every manager's safety and operator certificates, some supervisors'."""
    kinds = (
        (
            "safety_manager",
            "TA",
            400,
            "CASE WHEN i % 17 = 0 OR i % 16 = 0 THEN -20 ELSE 30 + (i * 37) % 1400 END",
            "true",
        ),
        ("operator", "ZY", 300, "1000 + (i * 53) % 1400", "true"),
        ("block_supervisor", "JD", 200, "900", f"i % 4 = 1 OR i = {scale.zones * scale.blocks_per_zone}"),
    )
    for kind, prefix, issued, expires, which in kinds:
        _run(
            f"""
            INSERT INTO certificates (person_id, kind, number, issued_on, expires_on, verified_on,
                verification, verified_by, rejection_reason, created_at, updated_at)
            SELECT i + 1, '{kind}', '{prefix}' || {_padded("i + 1", 8)}, CAST(:as_of AS date) - {issued},
                CAST(:as_of AS date) + {expires}, CAST(:as_of AS date) - {issued}, 'verified', 'demo', '',
                now(), now()
            FROM generate_series(0, {scale.enterprises - 1}) i WHERE {which}
            """,
            as_of=as_of,
        )


def devices(scale: Scale, as_of: date) -> None:
    """demo._device in SQL: the category by its share, names and numbers by the row number."""
    shares, low = [], 0.0
    for category, (share, prefix, names) in CATEGORY_MIX.items():
        high = low + share
        shares.append(f"('{category.value}', {low!r}, {high!r}, '{prefix}', {_sql_array(names)})")
        low = high
    key = ",".join(f"'{c.value}'" for c in KEY_CATEGORIES)
    share = f"power(d::float8 / {scale.devices}, 2)"
    owner = f"LEAST(floor({scale.enterprises} * {share})::int + 1, {scale.enterprises})"
    roll = _rnd("d", 12)
    status = f"CASE WHEN {roll} < 0.02 THEN 'scrapped' WHEN {roll} < 0.07 THEN 'idle' ELSE 'in_use' END"
    due = (
        f"CAST(:as_of AS date) + CASE WHEN {_rnd('d', 13)} < 0.3 THEN {_randint('d', 14, -60, 365)} "
        f"ELSE {_randint('d', 14, 20, 365)} END"
    )
    _run(
        f"""
        WITH mix (category, low, high, prefix, names) AS (VALUES {", ".join(shares)}),
        drawn AS (
            SELECT d, CASE WHEN o % 25 = 0 THEN o - 1 ELSE o END AS owner, {status} AS status, {due} AS due,
                {_rnd("d", 11)} AS roll
            FROM generate_series(0, {scale.devices - 1}) d, LATERAL (SELECT {owner} AS o) owned
        )
        INSERT INTO devices (id, enterprise_id, zone_id, category, registration_no, device_code, name,
            location, status, idle_since, next_inspection_due, last_inspection_on, key_monitored,
            maintenance_company_id, emergency_phone, qr_token, qr_issued_at, latitude, longitude, created_at,
            updated_at)
        SELECT d + 1, owner, {_zone_of("owner - 1", scale)}, mix.category,
            mix.prefix || (10 + d % 90) || '苏E' || {_padded("d + 1", 7)},
            (3000 + d % 7000) || {_padded("d + 1", 8)},
            mix.names[d % cardinality(mix.names) + 1],
            (1 + d % 6) || '号楼' || (1 + d % 3) || '层',
            status,
            CASE WHEN status = 'idle' THEN CAST(:as_of AS date) - {_randint("d", 15, 30, 800)} END,
            due, due - 365,
            mix.category IN ({key}) OR {_rnd("d", 16)} < 0.05,
            CASE WHEN mix.category = 'elevator' AND (owner / 25) * 25 + 25 <= {scale.enterprises}
                THEN (owner / 25) * 25 + 25 END,
            CASE WHEN mix.category = 'elevator' THEN '96333' ELSE '' END,
            translate(rtrim(encode(decode(md5(random()::text || d), 'hex'), 'base64'), '='), '+/', '-_'),
            now(),
            round(31.25 + (d * 37 % 100) * 0.001, 6), round(120.55 + (d * 53 % 100) * 0.001, 6),
            now(), now()
        FROM drawn JOIN mix ON drawn.roll >= mix.low AND drawn.roll < mix.high
        """,
        as_of=as_of,
    )


def hazards(scale: Scale, as_of: date) -> None:
    """demo.load_demo_hazards in SQL: one user enterprise in four, one to six hazards each."""
    admin = db.session.scalar(text("SELECT id FROM users WHERE username = 'admin'"))
    overdue = "(k % 2 = 0 AND (i % 16 = 0 OR (k = 0 AND i % 12 = 0)))"
    _run(
        f"""
        INSERT INTO hazards (id, enterprise_id, zone_id, source, category, severity, description, location,
            responsible_person, status, deadline, reported_by_id, reporter_role, closed_at, payload_hash,
            confirmed, created_at, updated_at)
        SELECT CAST(CAST(lpad(to_hex((i::bigint << 8) + k + 1), 32, '0') AS uuid) AS text), i + 1,
            {_zone_of("i", scale)},
            (ARRAY['self_check', 'mutual_check', 'inspection'])[(i + k) % 3 + 1], '一般隐患',
            CASE WHEN k = 3 THEN 'major' ELSE 'general' END,
            ({_sql_array(HAZARD_TEXTS)})[(i + k) % {len(HAZARD_TEXTS)} + 1], '', '', status,
            CAST(:as_of AS date) + CASE WHEN {overdue} THEN -5 - k ELSE 10 + k END,
            :admin, 'bureau_admin', CASE WHEN status = 'verified_closed' THEN now() END, repeat('0', 64),
            true, now(), now()
        FROM generate_series(0, {scale.enterprises - 1}, 4) i,
            LATERAL generate_series(0, (i / 4) % 3 + CASE WHEN i % 16 = 0 THEN 3 ELSE 0 END) k,
            LATERAL (SELECT CASE WHEN (i + k) % 5 = 4 THEN 'verified_closed' WHEN k % 3 = 1 THEN 'rectifying'
                ELSE 'reported' END AS status) s
        WHERE i % 25 <> 24
        """,
        as_of=as_of,
        admin=admin,
    )


def complaints(scale: Scale, as_of: date) -> None:
    """Complaints from the public about random devices over the last year, most already triaged."""
    count = max(1, scale.devices // DEVICES_PER_COMPLAINT)
    statuses = _sql_array(
        [ComplaintStatus.received, ComplaintStatus.substantiated, ComplaintStatus.not_substantiated]
    )
    _run(
        f"""
        INSERT INTO complaints (id, ticket_no, day, seq, tracking_hash, device_id, enterprise_id, category,
            description, status, public_reply, closed_at, reported_registration_no, reported_address,
            sms_consent, created_at, updated_at)
        SELECT c + 1, 'TS' || to_char(s.day, 'YYYYMMDD') || '-' || {_padded("c / 365 + 1", 4)}, s.day,
            c / 365 + 1,
            encode(sha256(convert_to('track' || c, 'UTF8')), 'hex'), devices.id, devices.enterprise_id,
            ({_sql_array(ComplaintCategory)})[c % {len(ComplaintCategory)} + 1],
            ({_sql_array(COMPLAINT_TEXTS)})[c % {len(COMPLAINT_TEXTS)} + 1], s.status, '',
            CASE WHEN s.status <> 'received' THEN now() END, '', '', false, now(), now()
        FROM generate_series(0, {count - 1}) c
            JOIN devices ON devices.id = 1 + floor({_rnd("c", 21)} * {scale.devices})::int,
            LATERAL (SELECT CAST(:as_of AS date) - c % 365 AS day,
                ({statuses})[CASE WHEN c % 365 < 14 THEN 1 ELSE c % 2 + 2 END] AS status) s
        """,
        as_of=as_of,
    )


def _vocabulary_terms(table: str, columns: tuple[str, ...], mapping: str) -> None:
    """A temporary table of the terms of each distinct combination of `columns` (cut by text_terms)."""
    combos = db.session.execute(text(f"SELECT DISTINCT {', '.join(columns)} FROM {table}")).all()
    names = ", ".join(f"c{n}" for n in range(len(columns)))
    texts = ", ".join(f"c{n} text" for n in range(len(columns)))
    _run(f"CREATE TEMPORARY TABLE {mapping} ({texts}, term text)")
    rows = [
        {f"c{n}": value for n, value in enumerate(combo)} | {"term": term}
        for combo in combos
        for term in text_terms(*combo)
    ]
    if rows:
        placeholders = ", ".join(f":c{n}" for n in range(len(columns)))
        db.session.execute(
            text(f"INSERT INTO {mapping} ({names}, term) VALUES ({placeholders}, :term)"), rows
        )


def search_terms() -> None:
    for term_table, (table, key, columns) in TERM_TABLES.items():
        mapping = f"terms_of_{table}"
        _vocabulary_terms(table, columns, mapping)
        matched = " AND ".join(f"m.c{n} = t.{column}" for n, column in enumerate(columns))
        _run(
            f"INSERT INTO {term_table} (term, {key}) "
            f"SELECT m.term, t.id FROM {table} t JOIN {mapping} m ON {matched}"
        )
    _vocabulary_terms("enterprises", ("address",), "terms_of_addresses")
    # an enterprise name is one word (letters and digits): its pairs, its last character and its
    # suffixes of three characters or more, cut to LONGEST_TERM
    _run(
        f"""
        INSERT INTO enterprise_search_terms (term, enterprise_id)
        SELECT DISTINCT term, id FROM (
            SELECT substr(lower(e.name), p, 2) AS term, e.id FROM enterprises e,
                LATERAL generate_series(1, char_length(e.name) - 1) p
            UNION ALL SELECT substr(lower(e.name), p, {LONGEST_TERM}), e.id FROM enterprises e,
                LATERAL generate_series(1, char_length(e.name) - 2) p
            UNION ALL SELECT lower(right(e.name, 1)), e.id FROM enterprises e
            UNION ALL SELECT m.term, e.id FROM enterprises e JOIN terms_of_addresses m ON m.c0 = e.address
        ) terms
        """
    )


def change_feed() -> None:
    """Every enterprise, device and hazard enters the feed once, in that order (as the city's loader does)."""
    base = 0
    for entity, table, enterprise_column in (
        ("enterprise", "enterprises", "id"),
        ("device", "devices", "enterprise_id"),
        ("hazard", "hazards", "enterprise_id"),
    ):
        base += _run(
            f"INSERT INTO changes (entity, entity_id, enterprise_id, seq, deleted) "
            f"SELECT :entity, CAST(id AS VARCHAR(40)), {enterprise_column}, "
            f":base + ROW_NUMBER() OVER (ORDER BY id), false FROM {table}",
            entity=entity,
            base=base,
        )
    _run("DELETE FROM sync_counter")
    _run("INSERT INTO sync_counter (id, value) VALUES (1, :last)", last=base)


@contextmanager
def indexes_built_after(tables: tuple[str, ...]) -> Iterator[None]:
    """Drop the tables' indexes other than their primary and unique keys (and the term tables'
    primary keys), and build them once the rows are in: far faster than keeping them up to date
    row by row. Foreign keys are not checked during the load (session_replication_role)."""
    kept: list[str] = []
    for table in tables:
        plain = db.session.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass))"
            ),
            {"t": table},
        ).all()
        for name, definition in plain:
            _run(f'DROP INDEX "{name}"')
            kept.append(definition)
        if table.endswith("_search_terms"):
            _run(f"ALTER TABLE {table} DROP CONSTRAINT pk_{table}")
            kept.append(
                f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY (term, {TERM_KEYS[table]})"
            )
    _run("SET session_replication_role = replica")
    yield
    _run("SET session_replication_role = DEFAULT")
    for definition in kept:
        _run(definition)


TERM_KEYS = {name: spec[1] for name, spec in TERM_TABLES.items()} | {
    "enterprise_search_terms": "enterprise_id"
}


def _vacuum() -> None:
    """Planner statistics, and the visibility map an index-only scan needs (the dashboard's
    devices by category and status): a fresh table has none until vacuumed."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))


def build(scale: Scale = PROVINCE, as_of: date | None = None, log=print) -> dict[str, float]:
    """Fill an empty database (in an app context) with `scale`; the seconds each step took."""
    if db.session.get_bind().dialect.name != "postgresql":
        raise SystemExit("build_province.py builds on PostgreSQL only (generate_series, hashint8extended)")
    if not is_empty():
        raise SystemExit("the database is not empty: build the province into a fresh one")
    as_of = as_of or today()
    taken: dict[str, float] = {}

    def step(name: str, work) -> None:
        started = time.perf_counter()
        work()
        taken[name] = time.perf_counter() - started
        log(f"# {name}: {taken[name]:.1f} s")

    _run("SET LOCAL maintenance_work_mem = '512MB'")
    _run("SET LOCAL work_mem = '256MB'")
    with indexes_built_after(LOADED):
        step("zones and blocks", lambda: zones_and_blocks(scale))
        step("enterprises, managers, certificates", lambda: enterprises(scale, as_of))
        step("devices", lambda: devices(scale, as_of))
        step("users and credit events", lambda: (_demo_users(scale), _credit_events(scale, as_of)))
        step("hazards", lambda: hazards(scale, as_of))
        step("complaints", lambda: complaints(scale, as_of))
        step("search terms", search_terms)
        step("change feed", change_feed)
        started = time.perf_counter()
    taken["indexes"] = time.perf_counter() - started
    log(f"# indexes: {taken['indexes']:.1f} s")
    advance_id_sequences(db.session(), db.metadata)
    db.session.commit()
    step("vacuum and analyze", _vacuum)
    db.session.commit()
    step("credit grades", lambda: recompute_grades(as_of, cause="demo"))
    db.session.commit()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--enterprises", type=int, default=PROVINCE.enterprises)
    parser.add_argument("--devices", type=int, default=PROVINCE.devices)
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("give the database: --url or BENCH_DATABASE_URL (postgresql+psycopg://...)")
    from flask_migrate import upgrade

    from backend import create_app

    os.environ.setdefault("SESV_INSTANCE_DIR", str(ROOT / "bench" / "out" / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "RATELIMIT_ENABLED": False})
    scale = replace(PROVINCE, enterprises=args.enterprises, devices=args.devices)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        build(scale)
        counts = {
            table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in ("enterprises", "devices", "hazards", "complaints", "changes", "device_search_terms")
        }
    print(f"# built {scale} in {time.perf_counter() - started:.0f} s: {counts}")


if __name__ == "__main__":
    main()
