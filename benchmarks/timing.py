"""Repeating measurements, medians, and child processes whose peak memory we read."""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (0 < fraction ≤ 1) of `values`."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return float(ordered[rank - 1])


@dataclass(frozen=True)
class ChildResult:
    """What a child process printed as its last JSON line, and its peak resident memory."""

    data: dict[str, Any]
    peak_rss_mb: float
    returncode: int


def run_child(module: str, args: Sequence[str] = (), *, env: dict[str, str] | None = None,
              timeout_s: float = 900.0) -> ChildResult:
    """Run `python -m module args…`, parse its last JSON stdout line, read its ru_maxrss.

    The child is reaped with `os.wait4`, so the peak is that one process's (Linux: KiB), not
    the maximum over every child this process ever had (`RUSAGE_CHILDREN`).
    """
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdout=subprocess.PIPE, stderr=errors, text=True,
            env={**os.environ, **(env or {})},
        )
        assert process.stdout is not None
        timer = threading.Timer(timeout_s, process.kill)
        timer.start()
        try:
            out = process.stdout.read()
            _pid, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            process.stdout.close()
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        err = errors.read()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"{module} {' '.join(args)} failed ({process.returncode}): "
                           f"{err.strip()[-3000:]}")
    return ChildResult(json.loads(lines[-1]), usage.ru_maxrss / 1024, process.returncode)
