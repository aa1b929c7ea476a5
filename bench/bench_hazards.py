"""Hazard create through gunicorn on loopback: p50/p99 per request and writes/s.

    .venv/bin/python bench/bench_hazards.py
Each write is a real POST /api/hazards (scope check, hazard + event rows, change feed,
evidence-chain append) from 8 concurrent clients, as 8 safety managers' phones syncing.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import uuid
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PORT, WORKERS, build_app, percentiles, run_threads, start_server

CLIENTS = 8
PER_CLIENT = 150


def login(connection: http.client.HTTPConnection) -> dict:
    body = json.dumps({"username": "manager1", "password": "demo-password-1"})
    connection.request("POST", "/api/auth/login", body, {"Content-Type": "application/json"})
    token = json.loads(connection.getresponse().read())["access_token"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def client(samples: list[float], errors: list[int], lock: threading.Lock) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = login(connection)
    for n in range(PER_CLIENT):
        body = json.dumps({"id": str(uuid.uuid4()), "device_id": 1 + n % 300, "category": "电梯",
                           "severity": "general", "description": f"基准测试隐患 {n}", "location": "机房"})
        started = time.perf_counter()
        connection.request("POST", "/api/hazards", body, headers)
        response = connection.getresponse()
        response.read()
        with lock:
            samples.append((time.perf_counter() - started) * 1000)
            errors[0] += response.status != 201


def main() -> None:
    build_app("city", "city")
    server = start_server("city")
    samples: list[float] = []
    errors, lock = [0], threading.Lock()
    try:
        elapsed = run_threads([partial(client, samples, errors, lock) for _ in range(CLIENTS)])
    finally:
        server.terminate()
        server.wait(10)
    p50, p99 = percentiles(samples)
    print(f"hazard create, {CLIENTS} clients, gunicorn {WORKERS}x4, SQLite WAL: p50 {p50:.1f} ms  "
          f"p99 {p99:.1f} ms  {len(samples) / elapsed:.0f} writes/s  n={len(samples)} errors={errors[0]}")


if __name__ == "__main__":
    main()
