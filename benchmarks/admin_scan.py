"""Scenario 4, admin scan: 10,000 numbers over 2,000 extensions, production limits.

The windows are scaled 60 s → 1 s (`WINDOW_S`): the scan sends about 8,000 Light requests,
~160 windows, so the run takes under three minutes (at 60 s it would take 2.7 hours). The scan
runs in a child process (`python -m benchmarks.admin_scan URL`) so its peak memory (ru_maxrss)
is the scan's alone; the simulator runs in another process.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from benchmarks.floors import rate_limit_floor
from benchmarks.isolation import sandbox_env
from benchmarks.simulator_process import (
    RunningSimulator,
    SimulatorOptions,
    served_simulator,
    signed_in_client,
)
from benchmarks.timing import run_child

FULL_SIZE = (10_000, 2_000)  # numbers, extensions
QUICK_SIZE = (2_000, 400)
WINDOW_S = 1.0
GOAL_RATIO = 1.10
GOAL_PEAK_MB = 250.0


async def scan(url: str) -> dict[str, Any]:
    """One scan to the end; wall time from the first request, rows, warnings."""
    from rc_sms_desktop.workflows.account_scan import AccountScan, ScanFailed, ScanFinished

    client = await signed_in_client(RunningSimulator(url=url, pid=0))
    try:
        started = time.perf_counter()
        finished: ScanFinished | None = None
        async for event in AccountScan(client, None).run():
            if isinstance(event, ScanFailed):
                raise RuntimeError(f"scan failed: {event.message}")
            if isinstance(event, ScanFinished):
                finished = event
        wall = time.perf_counter() - started
    finally:
        await client.aclose()
    if finished is None:
        raise RuntimeError("the scan ended without finishing")
    return {"wall_s": wall, "rows": finished.rows, "warnings": finished.warnings}


def run(quick: bool) -> dict[str, Any]:
    numbers, extensions = QUICK_SIZE if quick else FULL_SIZE
    options = SimulatorOptions(rate_limits="production", rate_window_s=WINDOW_S,
                               account_numbers=numbers, extensions=extensions)
    with served_simulator(options) as simulator:
        child = run_child("benchmarks.admin_scan", [simulator.url], env=sandbox_env(),
                          timeout_s=1800)
        stats = simulator.stats()
    api = {g: n for g, n in stats["requests"].items() if g != "Auth"}
    floor, group = rate_limit_floor(api, WINDOW_S)
    wall = float(child.data["wall_s"])
    ratio = wall / floor if floor else float("nan")
    throttled = int(stats["throttled"])
    return {
        "runs": 1,  # one run takes minutes
        "numbers": numbers,
        "extensions": extensions,
        "window_s": WINDOW_S,
        "requests": stats["requests"],
        "rows": child.data["rows"],
        "warnings": child.data["warnings"],
        "wall_s": wall,
        "floor_s": floor,
        "binding_group": group,
        "ratio_to_floor": ratio,
        "throttled_429": throttled,
        "requests_during_penalty": int(stats["requestsDuringPenalty"]),
        "peak_rss_mb": child.peak_rss_mb,
        "goal": f"≤ {GOAL_RATIO}× floor, zero 429s, peak memory < {GOAL_PEAK_MB:g} MB",
        "goal_met": ratio <= GOAL_RATIO and throttled == 0 and child.peak_rss_mb < GOAL_PEAK_MB,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(scan(sys.argv[1]))), flush=True)
