"""Shared benchmark helpers: build a database of a given scale, time requests."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PORT = int(os.environ.get("BENCH_PORT", "18761"))  # loopback; override when it is taken
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def build_app(name: str, scale: str, *, enterprises: int | None = None, devices: int | None = None):
    """An app on bench/out/<name>.db, generated once and kept for later runs."""
    from dataclasses import replace

    from flask_migrate import upgrade

    from backend import create_app
    from backend.demo import CITY, PROVINCE, is_empty, load_demo
    from backend.extensions import db

    OUT.mkdir(exist_ok=True)
    os.environ.setdefault("SESV_INSTANCE_DIR", str(OUT / "instance"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{OUT / name}.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        if is_empty():
            chosen = CITY if scale == "city" else PROVINCE
            chosen = replace(
                chosen, enterprises=enterprises or chosen.enterprises, devices=devices or chosen.devices
            )
            started = time.perf_counter()
            load_demo(chosen)
            db.session.commit()
            print(f"# generated {name}: {chosen} in {time.perf_counter() - started:.0f} s")
    return app


def timed(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run_threads(jobs: list[Callable[[], object]]) -> float:
    """Run each job in a thread of its own; the wall time in seconds until the last one finished."""
    threads = [threading.Thread(target=job) for job in jobs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


def row(label: str, samples: list[float]) -> str:
    p50, p99 = percentiles(samples)
    return f"{label:<58} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms   n={len(samples)}"


def refuse_taken_port(port: int) -> None:
    """Stop if something already listens: its answers would be measured (or trusted) instead of ours."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is already in use; set BENCH_PORT/CRASH_PORT to a free one")


def start_server(name: str) -> subprocess.Popen:
    """gunicorn on loopback over bench/out/<name>.db, as the README runs it in production."""
    refuse_taken_port(PORT)
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{OUT / name}.db"
    env = os.environ | {
        "DATABASE_URL": url,
        "RATELIMIT_ENABLED": "0",
        "SESV_INSTANCE_DIR": str(OUT / "instance"),
        "UPLOAD_DIR": str(OUT / "uploads"),
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--threads",
            "4",
            "--log-level",
            "warning",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")
