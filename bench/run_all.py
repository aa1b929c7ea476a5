"""`make bench`: run every benchmark under bench/ and print one table of their figures.

Province-size runs generate a 2.3M-device database once (about 3 minutes) into bench/out/.
Set BENCH_QUICK=1 to skip the province-size runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
SCRIPTS = [
    ["bench_thumbnail.py"],
    ["bench_devices.py", "city"],
    ["bench_credit.py", "city"],
    ["bench_qr.py"],
    ["bench_hazards.py"],
    ["crash_consistency.py", "3"],
]
if os.environ.get("BENCH_QUICK") != "1":
    SCRIPTS.append(["bench_devices.py", "province"])
    SCRIPTS.append(["bench_credit.py", "province"])


def main() -> int:
    lines: list[str] = []
    failed = 0
    commands = [[PYTHON, str(HERE / s[0]), *s[1:]] for s in SCRIPTS]
    if (HERE.parent / "pwa" / "dist").is_dir():  # PWA bundle budget: shell JS, precache
        commands.append(["node", str(HERE.parent / "pwa" / "scripts" / "size-report.mjs")])
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent, check=False)
        failed += result.returncode != 0
        figures = [line for line in result.stdout.splitlines() if line.strip() and " INFO " not in line]
        lines.append(f"== {Path(command[1]).name} {' '.join(command[2:])} (exit {result.returncode})")
        lines.extend(figures or result.stderr.splitlines()[-5:])
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
