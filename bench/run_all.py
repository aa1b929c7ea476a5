"""`make bench`: run every benchmark under bench/ and print one table of their figures.

Province-size runs generate a 2.3M-device database once (about 3 minutes) into bench/out/.
Set BENCH_QUICK=1 to skip the province-size runs and shorten the load test.
BENCH_PORT / CRASH_PORT move the loopback servers when the default ports are taken.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
QUICK = os.environ.get("BENCH_QUICK") == "1"
SCRIPTS = [
    ["bench_thumbnail.py"],
    ["bench_devices.py", "city"],
    ["bench_credit.py", "city"],
    ["bench_qr.py"],
    ["bench_hazards.py"],
    ["load_mixed.py"],
    ["crash_consistency.py", "3"],
    ["bench_two_servers.py"],
]
if not QUICK:
    SCRIPTS.append(["bench_devices.py", "province"])
    SCRIPTS.append(["bench_credit.py", "province"])
    SCRIPTS.append(["bench_province_reads.py"])
NOISE = (" INFO ", "INFO  [alembic")
WIDTH = 34


def commands() -> list[list[str]]:
    found = [[PYTHON, str(HERE / s[0]), *s[1:]] for s in SCRIPTS]
    dist, node = HERE.parent / "pwa" / "dist", shutil.which("node")
    if dist.is_dir() and node:  # PWA bundle budget: shell JS, precache
        found.append([node, str(HERE.parent / "pwa" / "scripts" / "size-report.mjs")])
    return found


def figures(stdout: str, stderr: str, returncode: int) -> list[str]:
    lines = [
        line.rstrip()
        for line in stdout.splitlines()
        if line.strip() and not any(noise in line for noise in NOISE)
    ]
    if returncode != 0 or not lines:  # say why, from the end of stderr
        lines += [f"! {line.rstrip()}" for line in stderr.splitlines()[-5:] if line.strip()]
    return lines or ["(no output)"]


def run(command: list[str]) -> tuple[str, int, float, list[str]]:
    name = " ".join([Path(command[1]).name, *command[2:]])
    started = time.perf_counter()
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=HERE.parent, check=False, timeout=3600
        )
        code, lines = result.returncode, figures(result.stdout, result.stderr, result.returncode)
    except (OSError, subprocess.TimeoutExpired) as exc:
        code, lines = -1, [f"! {exc}"]
    return name, code, time.perf_counter() - started, lines


def table(rows: list[tuple[str, int, float, list[str]]]) -> str:
    out = [
        f"{'benchmark':<{WIDTH}} {'exit':>4} {'time':>6}  figures",
        f"{'-' * WIDTH} {'-' * 4} {'-' * 6}  {'-' * 60}",
    ]
    for name, code, seconds, lines in rows:
        status = "ok" if code == 0 else str(code)
        out.append(f"{name:<{WIDTH}} {status:>4} {seconds:>5.0f}s  {lines[0]}")
        out.extend(f"{'':<{WIDTH}} {'':>4} {'':>6}  {line}" for line in lines[1:])
    failed = [name for name, code, _, _ in rows if code != 0]
    out.append(f"{len(rows)} benchmarks, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return "\n".join(out)


def main() -> int:
    rows = []
    for command in commands():
        rows.append(run(command))
        print(f"  done {rows[-1][0]} ({rows[-1][2]:.0f} s)", file=sys.stderr, flush=True)
    print(table(rows))
    return 1 if any(code != 0 for _, code, _, _ in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
