"""Province-scale reads on PostgreSQL or SQLite (issue 23): p50/p99 of each read against its target.

    .venv/bin/python bench/bench_province_reads.py [province|city]
    BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/bench_province_reads.py
    BENCH_DATABASE_URL=sqlite:////work/province-sqlite/province.db \\
        .venv/bin/python bench/bench_province_reads.py

On SQLite the province is a copy of the PostgreSQL one (bench/copy_province_to_sqlite.py): the
same rows, so the same reads find the same answers; no cluster is started.

The province (600k enterprises, 2.3M devices, the demo generator) is generated once, 8–24 minutes,
into the PostgreSQL named by BENCH_DATABASE_URL, or else into a cluster this script keeps under
bench/out/pg-province (started on BENCH_PG_PORT, default 54391, and stopped again at exit; its data
stays for the next run). The generator leaves the change feed empty at this size, so the first run
also enters every enterprise, device and hazard into it, as the city's loader does.

Every read goes over HTTP to gunicorn (bench/common.py start_server, BENCH_WORKERS x 4 threads) with
real tokens for `admin` (the bureau: the whole province) and `inspector1` (zone 1, 1/16 of it).
BENCH_RUNS scales the number of samples (default 1.0); BENCH_READS names the groups of reads to
run (default qr,lists,reports,pull). `city` runs the same reads on the demo city
(database sesv_city in the same cluster): on a shared, busy machine that is the floor the province's
figures stand on (what the load alone costs a request).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.core.clock import today  # noqa: E402
from backend.demo import DEMO_PASSWORD  # noqa: E402
from bench.common import OUT, PORT, WORKERS, build_app, percentiles, start_server  # noqa: E402

SCALE = float(os.environ.get("BENCH_RUNS", "1"))
CLUSTER = OUT / "pg-province"
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "54391"))
#: which reads run (BENCH_READS=lists: only the lists and searches)
GROUPS = set(os.environ.get("BENCH_READS", "qr,lists,reports,pull").split(","))


@dataclass
class Result:
    read: str
    who: str
    samples: list[float]
    target_ms: float
    on: str = "p99"  # which figure the target applies to

    def line(self) -> str:
        p50, p99 = percentiles(self.samples)
        read = self.read + " " * (40 - display_width(self.read))
        measured = p99 if self.on == "p99" else max(self.samples)
        verdict = "ok" if measured <= self.target_ms else "MISS"
        target = f"{self.on} ≤ {self.target_ms:g} ms"
        return (
            f"{read} {self.who:<10} {p50:9.1f} {p99:9.1f} {max(self.samples):9.1f} "
            f"{len(self.samples):5d}  {target:<18} {verdict}"
        )


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


HEADER = f"{'read':<40} {'who':<10} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'n':>5}  {'target':<18} result"


# --- the database --------------------------------------------------------------------------------


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise SystemExit("PostgreSQL server binaries not found: install Debian's postgresql package")
    return found[-1]


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else list(command)


@contextmanager
def kept_cluster(scale: str):
    """A PostgreSQL cluster under bench/out/pg-province, created once, running for this run only."""
    pg, data = _pg_bin(), CLUSTER / "data"
    if not data.exists():
        CLUSTER.mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:
            shutil.chown(CLUSTER, "postgres")
        subprocess.run(
            _as_postgres(
                str(pg / "initdb"), "-D", str(data), "-U", "sesv", "--auth=trust", "--locale=C.UTF-8"
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    pg_ctl = [*_as_postgres(str(pg / "pg_ctl")), "-D", str(data)]
    running = subprocess.run([*pg_ctl, "status"], check=False, stdout=subprocess.DEVNULL).returncode == 0
    if not running:
        options = f"-c listen_addresses=127.0.0.1 -p {PG_PORT} -k /tmp"
        start = [*pg_ctl, "-l", str(CLUSTER / "log"), "-w", "-o", options, "start"]
        subprocess.run(start, check=True, stdout=subprocess.DEVNULL)
    try:
        createdb = [
            str(pg / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(PG_PORT),
            "-U",
            "sesv",
            f"sesv_{scale}",
        ]
        subprocess.run(_as_postgres(*createdb), check=False, stderr=subprocess.DEVNULL)
        yield f"postgresql+psycopg://sesv@127.0.0.1:{PG_PORT}/sesv_{scale}"
    finally:
        if not running:  # leave a cluster someone else started as it was
            subprocess.run([*pg_ctl, "-w", "stop"], check=False, stdout=subprocess.DEVNULL)


def seed_change_feed() -> None:
    """The generator skips the change feed at province size: enter every enterprise, device and
    hazard once, in that order (as `demo._seed_change_feed` does for the city), in one statement each."""
    from sqlalchemy import func, select, text

    from backend.core.changes import Change, SyncCounter
    from backend.extensions import db

    if db.session.scalar(select(func.count()).select_from(select(Change.seq).limit(1).subquery())):
        return
    started = time.perf_counter()
    sources = (
        ("enterprise", "enterprises", "id"),
        ("device", "devices", "enterprise_id"),
        ("hazard", "hazards", "enterprise_id"),
    )
    for entity, table, enterprise_column in sources:
        base = db.session.scalar(select(func.coalesce(func.max(Change.seq), 0)))
        db.session.execute(
            text(
                f"INSERT INTO changes (entity, entity_id, enterprise_id, seq, deleted) "  # noqa: S608 - fixed names
                f"SELECT :entity, CAST(id AS VARCHAR(40)), {enterprise_column}, "
                f":base + ROW_NUMBER() OVER (ORDER BY id), false FROM {table}"
            ),
            {"entity": entity, "base": base},
        )
    last = db.session.scalar(select(func.max(Change.seq)))
    if db.session.get(SyncCounter, 1) is None:
        db.session.add(SyncCounter(id=1, value=last))
    else:
        db.session.execute(text("UPDATE sync_counter SET value = :last WHERE id = 1"), {"last": last})
    db.session.commit()
    db.session.execute(text("ANALYZE changes"))
    db.session.commit()
    print(f"# change feed seeded: {last} changes in {time.perf_counter() - started:.0f} s")


def fixtures(app) -> dict:
    """Random QR tokens, and seq positions across the change feed for deep pull pages."""
    from sqlalchemy import func, select

    from backend.core.changes import Change
    from backend.devices.models import Device
    from backend.extensions import db

    rng = random.Random(23)
    with app.app_context():
        seed_change_feed()
        last_id = db.session.scalar(select(func.max(Device.id)))
        ids = rng.sample(range(1, last_id + 1), min(2000, last_id))
        tokens = list(db.session.scalars(select(Device.qr_token).where(Device.id.in_(ids))))
        last_seq = db.session.scalar(select(func.max(Change.seq))) or 0
        engine = db.engine.dialect.name
    return {"tokens": tokens, "last_seq": last_seq, "engine": engine}


# --- HTTP ----------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection to the gunicorn under test, as one phone or browser tab."""

    #: gunicorn closes a connection idle for its keep-alive (2 s): reconnect before the clock starts
    IDLE = 1.0

    def __init__(self, token: str | None = None):
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.last_used = 0.0

    def get(self, path: str) -> dict:
        if time.perf_counter() - self.last_used > self.IDLE:
            self.connection.close()
            self.connection.connect()
        return self._get(path)

    def _get(self, path: str) -> dict:
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        self.last_used = time.perf_counter()
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status} {body[:300]!r}")
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return json.loads(body) if is_json else {}

    def timed(self, path: str) -> tuple[float, dict]:
        if time.perf_counter() - self.last_used > self.IDLE:
            self.connection.close()
            self.connection.connect()
        started = time.perf_counter()
        body = self._get(path)
        return (time.perf_counter() - started) * 1000, body


def login(username: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    payload = json.dumps({"username": username, "password": DEMO_PASSWORD})
    connection.request("POST", "/api/auth/login", payload, {"Content-Type": "application/json"})
    response = connection.getresponse()
    body = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"login {username}: {response.status} {body}")
    return body["access_token"]


def runs(n: int) -> int:
    return max(3, int(n * SCALE))


#: every gunicorn thread (BENCH_WORKERS x 4) holds its own pooled connection, and a PostgreSQL
#: backend loads the catalog of each table and index the first time a statement touches them
#: (a first search through a fresh connection took ~200 ms); a server running for days has
#: warm connections, so each read is first sent once per thread
WARM = WORKERS * 4


def sample(client: Client, paths: Callable[[], str], n: int, warm: int = WARM) -> list[float]:
    for _ in range(warm):
        client.get(paths())
    return [client.timed(paths())[0] for _ in range(n)]


def cursor_at(seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{seq}".encode()).decode().rstrip("=")


# --- the reads -----------------------------------------------------------------------------------

SEARCHES = {
    "search 梯12 (registration prefix)": "/api/devices?q=梯12",
    "search 电梯 (category)": "/api/devices?q=电梯",
    "search 客梯 (device name)": "/api/devices?q=客梯",
    "search 3号楼 (location)": "/api/devices?q=3号楼",
    "search 物业 (enterprise name)": "/api/devices?q=物业",
    "search 企业000123 (words as written)": "/api/devices?q=企业000123",
    "search 机械示例企业000001有限公司 (a full name)": "/api/devices?q=机械示例企业000001有限公司",
}
#: the other lists with `q` (issue 19): label → path
OTHER_SEARCHES = {
    "hazard search 电梯": "/api/hazards?per_page=20&q=" + quote("电梯"),
    "hazard search 制动": "/api/hazards?per_page=20&q=" + quote("制动"),
    "complaint search 电梯": "/api/complaints?per_page=20&q=" + quote("电梯"),
    "enterprise search 企业000123": "/api/enterprises?per_page=20&q=" + quote("企业000123"),
}


def qr_reads(tokens: list[str], who: str, client: Client) -> Result:
    rng = random.Random(who)
    samples = sample(client, lambda: f"/api/qr/{rng.choice(tokens)}", runs(400), warm=20)
    return Result("QR lookup (random label)", who, samples, 15)


def list_reads(who: str, client: Client) -> list[Result]:
    lists = {
        "device list page 1": "/api/devices?per_page=20",
        "device list page 50": "/api/devices?per_page=20&page=50",
        "device list category=boiler": "/api/devices?per_page=20&category=boiler",
        "device list overdue=true": "/api/devices?per_page=20&overdue=true",
    }
    results = [
        Result(label, who, sample(client, lambda p=path: p, runs(40)), 100) for label, path in lists.items()
    ]
    for label, search in SEARCHES.items():
        address, q = search.split("?q=")
        path = f"{address}?per_page=20&q={quote(q)}"
        results.append(Result(label, who, sample(client, lambda p=path: p, runs(40)), 100))
    for label, path in OTHER_SEARCHES.items():
        results.append(Result(label, who, sample(client, lambda p=path: p, runs(40)), 100))
    return results


def report_reads(who: str, client: Client) -> list[Result]:
    last_month = (today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    dashboard = sample(client, lambda: "/api/reports/dashboard", runs(15), warm=1)
    monthly = sample(client, lambda: f"/api/reports/monthly?month={last_month}", runs(4), warm=1)
    return [
        Result("dashboard", who, dashboard, 500),
        Result(f"monthly report {last_month} (live)", who, monthly, 5000),
    ]


def pull_reads(who: str, client: Client, last_seq: int) -> list[Result]:
    """The first pull from an empty cursor, page by page; then pages started deep in the feed
    (enterprises, devices, hazards), as the same pull reaches them later."""
    first: list[float] = []
    cursor = ""
    changes = 0
    for _ in range(runs(25)):
        took, body = client.timed(f"/api/sync/pull?cursor={cursor}")
        first.append(took)
        changes += len(body["changes"])
        cursor = body["cursor"]
        if not body["more"]:
            break
    deep: list[float] = []
    rng = random.Random(5)
    for _ in range(runs(25)):
        deep.append(client.timed(f"/api/sync/pull?cursor={cursor_at(rng.randrange(last_seq))}")[0])
    return [
        Result(f"sync pull from empty, {changes} changes", who, first, 1000, on="max"),
        Result("sync pull, pages deep in the feed", who, deep, 1000, on="max"),
    ]


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


def load_average() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def measure(url: str, scale: str) -> None:
    os.environ["BENCH_DATABASE_URL"] = url
    app = build_app(scale, scale)
    found = fixtures(app)
    server = start_server(scale)
    try:
        bureau, inspector = Client(login("admin")), Client(login("inspector1"))
        anonymous = Client()
        started, load_before = time.perf_counter(), load_average()
        results: list[Result] = []
        if "qr" in GROUPS:
            results += [
                qr_reads(found["tokens"], "anonymous", anonymous),
                qr_reads(found["tokens"], "inspector1", inspector),
            ]
        for who, client in (("inspector1", inspector), ("admin", bureau)):
            results += list_reads(who, client) if "lists" in GROUPS else []
        for who, client in (("inspector1", inspector), ("admin", bureau)):
            results += report_reads(who, client) if "reports" in GROUPS else []
        if "pull" in GROUPS:
            results += pull_reads("inspector1", inspector, found["last_seq"])
    finally:
        stop(server)
    print(
        f"{scale.title()} reads on {found['engine']}, gunicorn {WORKERS}x4 over HTTP, one client at a time; "
        f"load average {load_before} before, {load_average()} after ({time.perf_counter() - started:.0f} s)"
    )
    print(HEADER)
    print("-" * len(HEADER))
    for result in results:
        print(result.line())
    misses = [r for r in results if "MISS" in r.line()]
    print(f"{len(results)} reads, {len(misses)} above target")


def main(scale: str) -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        measure(url, scale)
        return
    with kept_cluster(scale) as kept:
        measure(kept, scale)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "province")
