"""Scenario 3, rate-limit floor: 150 numbers, production limits with 6 s windows.

The windows (and penalties) are scaled 60 s → 6 s. Wall time of our loader against the floor
the limits allow for the requests it sent (counted by the simulator): `ceil(N/50) - 1` full
Light windows, plus the 429s and requests during a penalty the simulator saw. A fresh
simulator per run, so no run inherits another's windows.
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks.floors import rate_limit_floor
from benchmarks.simulator_process import (
    SimulatorOptions,
    served_simulator,
    timed_load,
)
from benchmarks.timing import median

NUMBERS = 150
WINDOW_S = 6.0
GOAL_RATIO = 1.10


def run(quick: bool) -> dict[str, Any]:
    runs = 1 if quick else 3  # each run takes ~3 windows (> 10 s)
    walls: list[float] = []
    floors: list[float] = []
    throttled = 0
    during_penalty = 0
    stats: dict[str, Any] = {}
    options = SimulatorOptions(rate_limits="production", rate_window_s=WINDOW_S,
                               user_numbers=NUMBERS)
    for _ in range(runs):
        with served_simulator(options) as simulator:
            wall, _listed, count = asyncio.run(timed_load(simulator))
            stats = simulator.stats()
        if count != NUMBERS:
            raise RuntimeError(f"expected {NUMBERS} numbers, the loader listed {count}")
        api = {g: n for g, n in stats["requests"].items() if g != "Auth"}  # sign-in not timed
        floor, group = rate_limit_floor(api, WINDOW_S)
        walls.append(wall)
        floors.append(floor)
        throttled += int(stats["throttled"])
        during_penalty += int(stats["requestsDuringPenalty"])
    wall = median(walls)
    floor = median(floors)
    ratio = wall / floor if floor else float("nan")
    return {
        "runs": runs,
        "numbers": NUMBERS,
        "window_s": WINDOW_S,
        "requests": stats.get("requests", {}),
        "wall_s": wall,
        "floor_s": floor,
        "binding_group": group,
        "ratio_to_floor": ratio,
        "throttled_429": throttled,
        "requests_during_penalty": during_penalty,
        "samples": {"wall_s": walls},
        "goal": f"≤ {GOAL_RATIO}× floor, zero 429s",
        "goal_met": ratio <= GOAL_RATIO and throttled == 0,
    }
