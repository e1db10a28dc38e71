"""Scenario 2, user load: 40 numbers, 100 ms latency, no rate limits.

Our `SenderLoader` against the sequential peer (`sequential_loader`, one request at a time as
the official SDK is used) and against the critical-path floor: read the extension, list the
numbers, then every configuration in parallel = 3 round trips. Sign-in is not timed.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from benchmarks.floors import latency_floor
from benchmarks.sequential_loader import load_sequentially, sign_in
from benchmarks.simulator_process import (
    RunningSimulator,
    SimulatorOptions,
    served_simulator,
    timed_load,
)
from benchmarks.timing import median

NUMBERS = 40
LATENCY_MS = 100.0
CRITICAL_PATH_ROUND_TRIPS = 3
GOAL_SPEEDUP = 5.0


def _sequential(simulator: RunningSimulator) -> tuple[float, int]:
    with httpx.Client(base_url=simulator.url, timeout=30) as http:
        sign_in(http, simulator.client_id, simulator.client_secret, simulator.jwt)
        started = time.perf_counter()
        verdicts = load_sequentially(http)
        return time.perf_counter() - started, len(verdicts)


def _api_requests(stats: dict[str, Any]) -> int:
    return sum(n for group, n in stats["requests"].items() if group != "Auth")


def run(quick: bool) -> dict[str, Any]:
    runs = 5
    ours_s: list[float] = []
    listed_s: list[float] = []
    sequential_s: list[float] = []
    requests = {"ours": 0, "sequential": 0}
    options = SimulatorOptions(rate_limits="off", latency_ms=LATENCY_MS, user_numbers=NUMBERS)
    with served_simulator(options) as simulator:
        for _ in range(runs):
            simulator.reset_stats()
            total, listed, count = asyncio.run(timed_load(simulator))
            requests["ours"] = _api_requests(simulator.stats())
            ours_s.append(total)
            listed_s.append(listed)
            simulator.reset_stats()
            seconds, seq_count = _sequential(simulator)
            requests["sequential"] = _api_requests(simulator.stats())
            sequential_s.append(seconds)
            if seq_count != count:
                raise RuntimeError(f"the loaders disagree: {count} vs {seq_count} numbers")
    ours = median(ours_s)
    sequential = median(sequential_s)
    floor = latency_floor(CRITICAL_PATH_ROUND_TRIPS, LATENCY_MS)
    speedup = sequential / ours
    return {
        "runs": runs,
        "numbers": NUMBERS,
        "latency_ms": LATENCY_MS,
        "ours_s": ours,
        "ours_numbers_listed_s": median(listed_s),
        "sequential_s": sequential,
        "floor_s": floor,
        "speedup_vs_sequential": speedup,
        "ratio_to_floor": ours / floor,
        "requests": requests,
        "samples": {"ours_s": ours_s, "sequential_s": sequential_s},
        "goal": f"≥ {GOAL_SPEEDUP:g}× faster than sequential",
        "goal_met": speedup >= GOAL_SPEEDUP,
    }
