"""Hazard create through gunicorn on loopback: p50/p99 per request and writes/s; a 50-op sync push.

    .venv/bin/python bench/bench_hazards.py                          # SQLite (WAL, synchronous=FULL)
    scripts/with-postgres.sh env BENCH_DATABASE_URL=postgresql+psycopg://sesv@127.0.0.1:54329/sesv_test \\
        .venv/bin/python bench/bench_hazards.py                      # PostgreSQL
Each write is a real POST /api/hazards (scope check, hazard + event rows, change feed,
evidence-chain append, credit re-grade) from 8 concurrent clients, as 8 safety managers'
phones syncing. SQLite runs on a fresh copy of the generated city each time (runs do not
grow the database they measure). BENCH_RUNS=n repeats the create run (the machine's load
varies; the spread is printed). SQLITE_SYNCHRONOUS=NORMAL measures the faster, less durable mode.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import sys
import threading
import time
import uuid
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, PORT, WORKERS, build_app, percentiles, run_threads, start_server

CLIENTS = 8
PER_CLIENT = int(os.environ.get("BENCH_PER_CLIENT", "150"))
RUNS = int(os.environ.get("BENCH_RUNS", "1"))
PUSH_OPS, PUSHES = 50, 10
POSTGRES = bool(os.environ.get("BENCH_DATABASE_URL"))


def login(connection: http.client.HTTPConnection) -> dict:
    body = json.dumps({"username": "manager1", "password": "demo-password-1"})
    connection.request("POST", "/api/auth/login", body, {"Content-Type": "application/json"})
    token = json.loads(connection.getresponse().read())["access_token"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def hazard(n: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "device_id": 1 + n % 300,
        "category": "电梯",
        "severity": "general",
        "description": f"基准测试隐患 {n}",
        "location": "机房",
    }


def client(samples: list[float], errors: list[int], lock: threading.Lock) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = login(connection)
    for n in range(PER_CLIENT):
        started = time.perf_counter()
        connection.request("POST", "/api/hazards", json.dumps(hazard(n)), headers)
        response = connection.getresponse()
        response.read()
        with lock:
            samples.append((time.perf_counter() - started) * 1000)
            errors[0] += response.status != 201


def sync_pushes() -> list[float]:
    """One phone pushing 50 queued hazard.create ops in one request, alone on the server."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers, samples = login(connection), []
    for _ in range(PUSHES):
        ops = [
            {"op_id": str(uuid.uuid4()), "type": "hazard.create", "payload": hazard(n)}
            for n in range(PUSH_OPS)
        ]
        started = time.perf_counter()
        connection.request("POST", "/api/sync/push", json.dumps({"ops": ops}), headers)
        response = connection.getresponse()
        results = json.loads(response.read())["results"]
        samples.append((time.perf_counter() - started) * 1000)
        if response.status != 200 or any(r["status"] != "applied" for r in results):
            raise SystemExit(f"sync push failed: {response.status} {results[:2]}")
    return samples


def worker_cpu_seconds(master: int) -> float:
    """CPU the gunicorn workers used so far (Linux /proc): a figure a busy machine disturbs less."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        stats = [Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split() for pid in children]
    except OSError:
        return float("nan")
    return sum(int(fields[11]) + int(fields[12]) for fields in stats) / os.sysconf("SC_CLK_TCK")


def fresh_sqlite_copy() -> str:
    """A copy of the generated city for this run, so every run measures the same database."""
    run = OUT / "hazards-run.db"
    for suffix in ("", "-wal", "-shm", ".writelock"):
        Path(f"{run}{suffix}").unlink(missing_ok=True)
    shutil.copy(OUT / "city.db", run)
    return "hazards-run"


def one_run() -> tuple[list[float], float, int, float, list[float]]:
    server = start_server("city" if POSTGRES else fresh_sqlite_copy())
    samples: list[float] = []
    errors, lock = [0], threading.Lock()
    try:
        cpu = worker_cpu_seconds(server.pid)
        elapsed = run_threads([partial(client, samples, errors, lock) for _ in range(CLIENTS)])
        cpu = (worker_cpu_seconds(server.pid) - cpu) * 1000 / len(samples)
        pushes = sync_pushes()
    finally:
        server.terminate()
        server.wait(30)
    return samples, len(samples) / elapsed, errors[0], cpu, pushes


def main() -> None:
    build_app("city", "city")
    synchronous = os.environ.get("SQLITE_SYNCHRONOUS", "FULL")
    engine = "PostgreSQL" if POSTGRES else f"SQLite WAL synchronous={synchronous}"
    rates = []
    for _ in range(RUNS):
        samples, rate, errors, cpu, pushes = one_run()
        p50, p99 = percentiles(samples)
        rates.append(rate)
        print(
            f"hazard create, {CLIENTS} clients, gunicorn {WORKERS}x4, {engine}: p50 {p50:.1f} ms  "
            f"p99 {p99:.1f} ms  {rate:.0f} writes/s  server CPU {cpu:.1f} ms/write  "
            f"n={len(samples)} errors={errors}"
        )
        print(
            f"sync push of {PUSH_OPS} hazard.create ops, one client: "
            f"p50 {statistics.median(pushes):.0f} ms  max {max(pushes):.0f} ms  "
            f"(loopback request time, n={len(pushes)})"
        )
    if RUNS > 1:
        print(
            f"writes/s over {RUNS} runs: {min(rates):.0f}–{max(rates):.0f}; "
            f"load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
