"""gunicorn reads this file from the directory it starts in (the repository, /opt/sesv).

Python's full garbage collection walked every object the app made at start (models, schemas,
compiled SQL: some 300,000 objects) and paused a worker for 130-260 ms every ten seconds or so under load:
that pause was the slowest sample of most reads at province size (`bench/bench_province_reads.py`).
Each worker now moves what exists once the app is loaded out of the collector's reach
(`gc.freeze`). After that the collector would run a full collection every few seconds (it
compares with the few objects left unfrozen), 20-48 ms each, so it waits a hundred times longer
between them; the young generations are collected as before, and everything a request leaves
behind still is.
"""

from __future__ import annotations

import gc
from typing import Any

#: Python's defaults (700, 10, 10) but for the full collection
GC_THRESHOLDS = (700, 10, 1000)


def post_worker_init(_worker: Any) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
