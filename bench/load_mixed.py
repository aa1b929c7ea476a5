"""Mixed load under gunicorn on loopback: QR lookups, sync pushes with photos, hazard lists.

    .venv/bin/python bench/load_mixed.py [seconds]        (BENCH_QUICK=1: 8 s; default 30 s)
gunicorn runs as the README runs it in production (`--workers N --threads 4 app:app`, N from
BENCH_WORKERS, default 2 on this 2-core box) over a fresh copy of the demo city (3,000 devices).
LOAD_CLIENTS closed-loop clients (default 8), each with its own keep-alive connection, pick a
kind per request by weight:

- qr           GET /api/qr/<token> of a random label, anonymous (a passer-by scanning)      60 %
- hazard_list  GET /api/hazards?… as an inspector or a safety manager (page, filters)        25 %
- sync_push    a phone's offline report: PUT /api/photos/<sha256> of a new ~1280x960 JPEG,
               then POST /api/sync/push with a hazard.create op naming it                   15 %
Reported per kind: n, errors (wrong status or a refused op), p50/p99 latency; overall req/s.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import random
import sqlite3
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import OUT, PORT, WORKERS, build_app, percentiles, run_threads, start_server  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "8"))
WEIGHTS = {"qr": 60, "hazard_list": 25, "sync_push": 15}
PASSWORD = "demo-password-1"  # noqa: S105 - the documented demo credential


@dataclass
class Fixtures:
    tokens: list[str]
    manager_devices: list[int]
    photos: list[bytes]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Tally:
    samples: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in (*WEIGHTS, "photo_put")})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*WEIGHTS, "photo_put"), 0))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, took_ms: float, ok: bool) -> None:
        with self.lock:
            self.samples[kind].append(took_ms)
            self.errors[kind] += not ok


def fresh_database() -> str:
    """A copy of the demo city for this run only (the load writes hazards and photos)."""
    build_app("city", "city")
    target = OUT / "load.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source, copy = sqlite3.connect(OUT / "city.db"), sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return "load"


def phone_photo(rng: random.Random) -> bytes:
    """A distinct JPEG the size the PWA uploads after compressing (long edge 1280)."""
    from PIL import Image, ImageDraw

    image = Image.effect_noise((1280, 960), rng.uniform(20, 80)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(1200), rng.randrange(900)
        draw.rectangle(
            (x, y, x + rng.randrange(40, 300), y + rng.randrange(40, 300)),
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def fixtures(photo_count: int) -> Fixtures:
    from sqlalchemy import select

    from backend.accounts.models import User
    from backend.devices.models import Device
    from backend.extensions import db

    app = build_app("load", "city")
    with app.app_context():
        tokens = list(db.session.scalars(select(Device.qr_token)))
        manager = db.session.scalar(select(User).where(User.username == "manager1"))
        mine = select(Device.id).where(Device.enterprise_id == manager.enterprise_id)
        devices = list(db.session.scalars(mine))
        db.engine.dispose()
    rng = random.Random(7)
    return Fixtures(tokens, devices, [phone_photo(rng) for _ in range(photo_count)])


def login(username: str) -> dict[str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    connection.request(
        "POST",
        "/api/auth/login",
        json.dumps({"username": username, "password": PASSWORD}),
        {"Content-Type": "application/json"},
    )
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    if response.status != 200:
        raise SystemExit(f"login {username}: {response.status} {body}")
    return {"Authorization": f"Bearer {body['access_token']}"}


class Client:
    """One phone/browser: a keep-alive connection, closed loop."""

    def __init__(self, n: int, data: Fixtures, tally: Tally, photo_lock: threading.Lock) -> None:
        self.rng = random.Random(n)
        self.data, self.tally, self.photo_lock = data, tally, photo_lock
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body, headers or {})
            response = self.connection.getresponse()
            payload = response.read()
            status = response.status
        except OSError:
            self.connection.close()
            status, payload = 0, b""
        return status, payload, (time.perf_counter() - started) * 1000

    def qr(self) -> None:
        status, _, took = self.request("GET", f"/api/qr/{self.rng.choice(self.data.tokens)}")
        self.tally.add("qr", took, status == 200)

    def hazard_list(self) -> None:
        who = self.rng.choice(["inspector1", "manager1", "admin"])
        query = self.rng.choice(
            ["", "?open=true", "?status=reported", "?page=2&per_page=20", "?severity=major", "?overdue=true"]
        )
        status, _, took = self.request("GET", f"/api/hazards{query}", headers=self.data.headers[who])
        self.tally.add("hazard_list", took, status == 200)

    def sync_push(self) -> None:
        with self.photo_lock:
            photo = self.data.photos.pop() if self.data.photos else None
        headers = self.data.headers["manager1"]
        photos = []
        if photo is not None:
            sha = hashlib.sha256(photo).hexdigest()
            status, _, took = self.request(
                "PUT", f"/api/photos/{sha}", photo, headers | {"Content-Type": "image/jpeg"}
            )
            self.tally.add("photo_put", took, status in (200, 201))
            photos = [sha]
        op = {
            "op_id": str(uuid.uuid4()),
            "type": "hazard.create",
            "payload": {
                "id": str(uuid.uuid4()),
                "device_id": self.rng.choice(self.data.manager_devices),
                "category": "电梯",
                "severity": self.rng.choice(["general", "general", "major"]),
                "description": "负载测试：离线上报的隐患",
                "location": "机房",
                "photos": photos,
            },
        }
        status, payload, took = self.request(
            "POST",
            "/api/sync/push",
            json.dumps({"ops": [op]}).encode(),
            headers | {"Content-Type": "application/json"},
        )
        applied = status == 200 and json.loads(payload)["results"][0]["status"] == "applied"
        self.tally.add("sync_push", took, applied)

    def run(self, until: float) -> None:
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.perf_counter() < until:
            getattr(self, self.rng.choices(kinds, weights)[0])()
        self.connection.close()


def report(tally: Tally, elapsed: float) -> None:
    total = sum(len(s) for s in tally.samples.values())
    errors = sum(tally.errors.values())
    print(
        f"mixed load, gunicorn {WORKERS} workers x 4 threads, SQLite WAL, {CLIENTS} clients, "
        f"{elapsed:.0f} s: {total / elapsed:.0f} req/s, {total} requests, errors {errors}"
    )
    for kind in (*WEIGHTS, "photo_put"):
        samples = tally.samples[kind]
        if samples:
            p50, p99 = percentiles(samples)
            print(
                f"  {kind:<12} n={len(samples):<6} {len(samples) / elapsed:6.1f} req/s  p50 {p50:7.1f} ms  "
                f"p99 {p99:7.1f} ms  errors={tally.errors[kind]}"
            )
    if len(tally.samples["photo_put"]) < len(tally.samples["sync_push"]):
        print("  (photo pool ran out: later pushes carried no photo; raise photo_count)")


def main(seconds: float) -> int:
    name = fresh_database()
    data = fixtures(photo_count=int(seconds * 15))  # more than the box can take in
    server = start_server(name)
    try:
        data.headers = {user: login(user) for user in ("admin", "inspector1", "manager1")}
        warm = Tally()
        Client(99, data, warm, threading.Lock()).run(time.perf_counter() + 1)
        tally, photo_lock = Tally(), threading.Lock()
        clients = [Client(n, data, tally, photo_lock) for n in range(CLIENTS)]
        deadline = time.perf_counter() + seconds
        elapsed = run_threads([partial(c.run, deadline) for c in clients])
    finally:
        server.terminate()
        server.wait(10)
    report(tally, elapsed)
    return 1 if sum(tally.errors.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main(float(sys.argv[1]) if len(sys.argv) > 1 else (8 if QUICK else 30)))
