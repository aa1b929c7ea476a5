"""QR label lookup under gunicorn on loopback: latency at a fixed rate, then max throughput.

    .venv/bin/python bench/bench_qr.py
Goal (issue 3): p99 ≤ 15 ms at 300 req/s, ≥ 1,000 req/s.
"""

from __future__ import annotations

import http.client
import random
import shutil
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import OUT, PORT, WORKERS, build_app, percentiles, run_threads, start_server  # noqa: E402  # noqa: E402


def tokens() -> list[str]:
    app = build_app("city", "city")
    with app.app_context():
        from sqlalchemy import select

        from backend.devices.models import Device
        from backend.extensions import db

        return list(db.session.scalars(select(Device.qr_token)))


def paced(all_tokens: list[str], rate: int, seconds: int) -> tuple[list[float], int]:
    """Open-loop: send `rate` req/s from 4 threads for `seconds`; latency from the scheduled time."""
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    threads = 4
    interval = threads / rate
    start = time.perf_counter() + 0.2

    def worker(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
        rng = random.Random(offset)
        n = 0
        while True:
            scheduled = start + offset * interval / threads + n * interval
            if scheduled - start > seconds:
                return
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            connection.request("GET", f"/api/qr/{rng.choice(all_tokens)}")
            response = connection.getresponse()
            response.read()
            took = (time.perf_counter() - scheduled) * 1000
            with lock:
                samples.append(took)
                errors[0] += response.status != 200
            n += 1

    run_threads([partial(worker, i) for i in range(threads)])
    return samples, errors[0]


def max_throughput(all_tokens: list[str]) -> str:
    if shutil.which("wrk") is None:
        return python_throughput(all_tokens)
    script = OUT / "qr.lua"
    picks = ",".join(f'"{t}"' for t in random.Random(1).sample(all_tokens, 500))
    script.write_text(
        f"local t = {{{picks}}}\nrequest = function()\n"
        "  return wrk.format('GET', '/api/qr/' .. t[math.random(#t)])\nend\n"
    )
    result = subprocess.run(
        ["wrk", "-t2", "-c32", "-d10s", "--latency", "-s", str(script), f"http://127.0.0.1:{PORT}"],
        capture_output=True,
        text=True,
        check=True,
    )
    wanted = ("Requests/sec", "99%", "50%", "Non-2xx", "Socket errors")
    lines = result.stdout.splitlines()
    picked = [" ".join(line.split()) for line in lines if line.strip().startswith(wanted)]
    return "max throughput (wrk -t2 -c32 10 s): " + "; ".join(picked)


def python_throughput(all_tokens: list[str], clients: int = 16, seconds: float = 5) -> str:
    """Without wrk: closed-loop keep-alive clients (the Python client itself costs CPU on this box)."""
    counts, errors, lock = [0], [0], threading.Lock()
    until = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        connection, rng = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5), random.Random(seed)
        done = failed = 0
        while time.perf_counter() < until:
            connection.request("GET", f"/api/qr/{rng.choice(all_tokens)}")
            response = connection.getresponse()
            response.read()
            done, failed = done + 1, failed + (response.status != 200)
        with lock:
            counts[0] += done
            errors[0] += failed

    run_threads([partial(worker, i) for i in range(clients)])
    return (
        f"max throughput ({clients} Python keep-alive clients, {seconds:.0f} s; wrk not installed): "
        f"{counts[0] / seconds:.0f} req/s errors={errors[0]}"
    )


def main() -> None:
    all_tokens = tokens()
    server = start_server("city")
    try:
        paced(all_tokens, 100, 2)  # warm-up
        samples, errors = paced(all_tokens, 300, 10)
        p50, p99 = percentiles(samples)
        print(
            f"QR lookup at 300 req/s for 10 s, gunicorn {WORKERS} workers x 4 threads: "
            f"p50 {p50:.2f} ms  p99 {p99:.2f} ms  n={len(samples)} errors={errors}"
        )
        print(max_throughput(all_tokens))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
