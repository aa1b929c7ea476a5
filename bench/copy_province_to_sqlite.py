"""Copy the province from PostgreSQL into a SQLite file, to measure the same reads on SQLite.

    BENCH_DATABASE_URL=postgresql+psycopg://sesv@127.0.0.1:54392/sesv_province \\
        .venv/bin/python bench/copy_province_to_sqlite.py [/work/province-sqlite/province.db]
    ... bench/copy_province_to_sqlite.py --check-only [path]

The demo generator takes over an hour at province size and bench/build_province.py is PostgreSQL
SQL, so SQLite gets the province by copy: the project's migrations make the schema on a new file,
its secondary indexes are dropped, every table's rows stream from PostgreSQL (a server-side cursor
in primary-key order, so the keys SQLite keeps during the load grow at their end), each value
stored as SQLAlchemy stores it on SQLite (the column type's own bind processor: dates and
datetimes as ISO text in UTC, booleans as 0/1, JSON as its text), then the indexes are built again
from their saved DDL and ANALYZE runs. PostgreSQL is only read (a read-only transaction).

At the end the app answers a few reads on both databases (a zone's device count, a QR lookup,
searches) and the script prints whether they agree.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import JSON, create_engine, inspect  # noqa: E402
from sqlalchemy.dialects import sqlite as sqlite_dialect  # noqa: E402

DEFAULT_TARGET = Path("/work/province-sqlite/province.db")
CHUNK = 50_000
#: kept by the migrations themselves
SKIPPED = {"alembic_version"}


def make_schema(target: Path) -> None:
    """The schema exactly as the migrations make it on SQLite."""
    from flask_migrate import upgrade

    from backend import create_app
    from backend.extensions import db

    target.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SESV_INSTANCE_DIR", str(target.parent / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def drop_indexes(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    """Drop every index with DDL of its own (not the keys a table declares); return the DDL."""
    saved = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
    ).fetchall()
    for name, _ in saved:
        connection.execute(f'DROP INDEX "{name}"')
    return saved


def pg_read_only(url: str):
    return create_engine(url, connect_args={"options": "-c default_transaction_read_only=on"})


def converters(table, columns: list[str]) -> list:
    """Per column, the function SQLAlchemy applies when it stores a value on SQLite (or None)."""
    dialect = sqlite_dialect.dialect()
    found = []
    for name in columns:
        column = table.c.get(name) if table is not None else None
        if column is None or isinstance(column.type, JSON):  # JSON is read as its text (NULL stays NULL)
            found.append(None)
            continue
        found.append(column.type.dialect_impl(dialect).bind_processor(dialect))
    return found


def select_sql(table_name: str, columns: list[str], json_columns: set[str], order: list[str]) -> str:
    chosen = ", ".join(f'"{c}"::text' if c in json_columns else f'"{c}"' for c in columns)
    by = f" ORDER BY {', '.join(order)}" if order else ""
    return f'SELECT {chosen} FROM "{table_name}"{by}'  # noqa: S608 - names from both schemas


def copy_table(pg, sqlite: sqlite3.Connection, name: str, metadata) -> tuple[int, float]:
    started = time.perf_counter()
    columns = [row[1] for row in sqlite.execute(f'PRAGMA table_info("{name}")')]
    table = metadata.tables.get(name)
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)} if table is not None else set()
    key = [
        row[1] for row in sorted(sqlite.execute(f'PRAGMA table_info("{name}")'), key=lambda r: r[5]) if row[5]
    ]
    convert = list(enumerate(converters(table, columns)))
    convert = [(i, f) for i, f in convert if f is not None]
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT INTO "{name}" ({quoted}) VALUES ({placeholders})'  # noqa: S608 - schema names
    copied = 0
    sqlite.execute("BEGIN")
    raw = pg.raw_connection()
    try:
        with raw.driver_connection.cursor(name=f"copy_{name}") as cursor:
            cursor.itersize = CHUNK
            cursor.execute(select_sql(name, columns, json_columns, [f'"{k}"' for k in key]))
            while rows := cursor.fetchmany(CHUNK):
                if convert:
                    rows = [_converted(row, convert) for row in rows]
                sqlite.executemany(insert, rows)
                copied += len(rows)
        raw.driver_connection.rollback()
    finally:
        raw.close()
    sqlite.execute("COMMIT")
    return copied, time.perf_counter() - started


def _converted(row: tuple, convert: list) -> tuple:
    values = list(row)
    for i, function in convert:
        if values[i] is not None:
            values[i] = function(values[i])
    return tuple(values)


def copy(url: str, target: Path) -> None:
    from backend import create_app  # noqa: F401 - imports every model into the metadata
    from backend.core.db import Base

    overall = time.perf_counter()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    make_schema(target)
    print(f"# schema by the migrations: {time.perf_counter() - overall:.1f} s", flush=True)
    sqlite = sqlite3.connect(target, isolation_level=None)
    sqlite.execute("PRAGMA journal_mode=OFF")
    sqlite.execute("PRAGMA synchronous=OFF")
    sqlite.execute("PRAGMA foreign_keys=OFF")
    sqlite.execute("PRAGMA cache_size=-2000000")  # 2 GB: the term tables' keys grow in memory
    sqlite.execute("PRAGMA temp_store=MEMORY")
    indexes = drop_indexes(sqlite)
    print(f"# dropped {len(indexes)} indexes for the load", flush=True)
    pg = pg_read_only(url)
    sqlite_tables = [
        r[0]
        for r in sqlite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    pg_tables = set(inspect(pg).get_table_names())
    total = 0
    for name in sorted(sqlite_tables):
        if name in SKIPPED:
            continue
        if name not in pg_tables:
            print(f"{name:<32} missing on PostgreSQL, left empty", flush=True)
            continue
        rows, took = copy_table(pg, sqlite, name, Base.metadata)
        total += rows
        print(f"{name:<32} {rows:>10} rows {took:8.1f} s", flush=True)
    started = time.perf_counter()
    for name, ddl in indexes:
        one = time.perf_counter()
        sqlite.execute(ddl)
        print(f"  index {name:<50} {time.perf_counter() - one:7.1f} s", flush=True)
    print(f"# {len(indexes)} indexes rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    sqlite.execute("ANALYZE")
    print(f"# ANALYZE {time.perf_counter() - started:.0f} s", flush=True)
    sqlite.execute("PRAGMA journal_mode=WAL")
    sqlite.close()
    pg.dispose()
    size = target.stat().st_size / 2**30
    print(
        f"# copied {total} rows in {time.perf_counter() - overall:.0f} s; {target} is {size:.2f} GiB",
        flush=True,
    )


# --- the same answers on both ------------------------------------------------------------------

CHECKED_READS = (
    ("inspector1", "/api/devices?per_page=20"),
    ("inspector1", "/api/devices?per_page=20&page=7&category=boiler"),
    ("inspector1", "/api/devices?per_page=20&q=" + quote("客梯")),
    ("admin", "/api/devices?per_page=20&q=" + quote("梯12")),
    ("admin", "/api/devices?per_page=20&q=" + quote("物业")),
    ("inspector1", "/api/hazards?per_page=20&q=" + quote("电梯")),
    ("admin", "/api/complaints?per_page=20&q=" + quote("电梯")),
)


def app_on(url: str):
    from backend import create_app

    overrides = {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
    if url.startswith("postgresql"):  # the source is only ever read
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": "-c default_transaction_read_only=on"}
        }
    return create_app(overrides)


def answers(url: str, qr_device_ids: list[int]) -> dict[str, object]:
    """What the app answers on this database: reads through the API with tokens minted for the
    demo users (no sign-in, which would write), and a zone's device count straight from SQL."""
    from flask_jwt_extended import create_access_token
    from sqlalchemy import func, select

    from backend.accounts.models import User
    from backend.devices.models import Device
    from backend.extensions import db

    app = app_on(url)
    found: dict[str, object] = {}
    with app.app_context():
        users = {
            u.username: u
            for u in db.session.scalars(select(User).where(User.username.in_(["admin", "inspector1"])))
        }
        tokens = {name: create_access_token(identity=user) for name, user in users.items()}
        zone = users["inspector1"].zone_id
        found[f"devices in inspector1's zone {zone} (SQL count)"] = db.session.scalar(
            select(func.count()).select_from(Device).where(Device.zone_id == zone)
        )
        qr_tokens = list(
            db.session.scalars(
                select(Device.qr_token).where(Device.id.in_(qr_device_ids)).order_by(Device.id)
            )
        )
        db.session.rollback()
        db.engine.dispose()
    client = app.test_client()
    for who, path in CHECKED_READS:
        response = client.get(path, headers={"Authorization": f"Bearer {tokens[who]}"})
        found[f"{who} GET {unquote(path)}"] = (response.status_code, response.get_json())
    for token in qr_tokens:
        for who in (None, "inspector1"):
            headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
            response = client.get(f"/api/qr/{token}", headers=headers)
            found[f"{who or 'anonymous'} GET /api/qr/<device {token[:6]}…>"] = (
                response.status_code,
                response.get_json(),
            )
    with app.app_context():
        db.engine.dispose()
    return found


def check(url: str, target: Path) -> bool:
    """The app gives the same answers on the copy as on PostgreSQL; print each comparison."""
    started = time.perf_counter()
    device_ids = [1, 123_457, 1_999_999]
    on_pg = answers(url, device_ids)
    on_sqlite = answers(f"sqlite:///{target}", device_ids)
    agree = True
    for read, expected in on_pg.items():
        got = on_sqlite.get(read)
        same = got == expected
        agree &= same
        print(f"{'same' if same else 'DIFFERENT':<10} {read}: {_summary(expected)}", flush=True)
        if not same:
            print(
                f"           on SQLite: {_summary(got)}; first difference {_first_difference(expected, got)}"
            )
    print(
        f"# {'the copy answers as PostgreSQL does' if agree else 'THE COPY DIFFERS'} "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    return agree


def _summary(answer: object) -> str:
    if isinstance(answer, tuple):
        status, body = answer
        if isinstance(body, dict) and "total" in body:
            more = "" if body.get("total_exact", True) else "+"
            return f"{status}, total {body['total']}{more}, {len(body['items'])} items"
        if isinstance(body, dict) and "public" in body:
            seen = "in scope" if body.get("device") else "public view"
            return f"{status}, {body['public'].get('registration_no')} {seen}"
        return f"{status}"
    return f"{answer}"


def _first_difference(a: object, b: object, where: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{where}.{key}")
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{where}[{i}]")
    return f"{where or '(top)'}: {a!r:.120} vs {b!r:.120}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path, default=DEFAULT_TARGET)
    parser.add_argument("--check-only", action="store_true", help="compare the reads, copy nothing")
    arguments = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("BENCH_DATABASE_URL must name the PostgreSQL province (the source)")
    if not arguments.check_only:
        copy(url, arguments.target)
    if not check(url, arguments.target):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
