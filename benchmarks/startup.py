"""Scenario 1, start-up: process start to the first paint of the populated demo window, and
to the complete window (the Account and Campaigns tabs opened from that paint and painted,
then the compose panel painted: every view usable).

Against a bare PySide6 window process measured in the same run (interleaved, so both see the
same machine load); peak memory of both is the child's `ru_maxrss`. Median and worst run are
reported; the goals apply to the worst.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks.isolation import sandbox_env
from benchmarks.timing import median, run_child
from rc_sms_desktop.infra.compiled_cache import default_path as compiled_cache_path

GOAL_RATIO = 2.5  # first paint, worst run, vs the bare window's median
GOAL_COMPLETE_RATIO = 4.0  # every view usable, worst run, vs the bare window's median
GOAL_MEMORY_RATIO = 1.7  # peak memory of the first-paint run vs the bare window


def _time_child(mode: str, env: dict[str, str]) -> tuple[float, float, dict[str, Any]]:
    started = time.monotonic()
    result = run_child("benchmarks.startup_child", [mode], env=env, timeout_s=120)
    painted = result.data.get("first_paint")
    if painted is None:
        raise RuntimeError(f"{mode}: the window never painted numbers")
    data = dict(result.data)
    if mode == "complete":
        if data.get("complete") is None:
            raise RuntimeError("complete: the views never painted")
        data["complete_s"] = float(data["complete"]) - started
    return float(painted) - started, result.peak_rss_mb, data


def _first_start_after_install(env: dict[str, str]) -> float | None:
    """One start with the compiled cache set aside (infra/compiled_cache.py):
    what the first start after an install costs. The rounds above run with it, as every later
    start does. The cache is put back afterwards."""
    path = compiled_cache_path()
    aside = path.with_name(path.name + ".aside")
    if not path.is_file():
        return None
    path.replace(aside)
    try:
        seconds, _peak, _data = _time_child("window", env)
    finally:
        aside.replace(path)
    return seconds


def run(quick: bool) -> dict[str, Any]:
    # A run takes ~0.5 s and moves by ±30 ms on shared cores: 9 interleaved rounds (5 quick),
    # each a bare window, the app to its first paint, the app until every view is usable.
    runs = 5 if quick else 9
    env = sandbox_env()
    window_s: list[float] = []
    bare_s: list[float] = []
    complete_s: list[float] = []
    window_mb: list[float] = []
    bare_mb: list[float] = []
    rows = 0
    # One untimed round first, as benchmarks do: the first start after a pause found the
    # machine's file cache cold for both processes (first rounds of 148 ms bare / 356 ms app
    # among ~110 / ~230 ms). It also writes the compiled cache if there is none yet: every
    # start but the very first after installing finds it (that one is reported on its own).
    _time_child("bare", env)
    _time_child("window", env)
    for _ in range(runs):
        seconds, peak, _data = _time_child("bare", env)
        bare_s.append(seconds)
        bare_mb.append(peak)
        seconds, peak, data = _time_child("window", env)
        window_s.append(seconds)
        window_mb.append(peak)
        rows = int(data.get("rows") or 0)
        _seconds, _peak, data = _time_child("complete", env)
        complete_s.append(data["complete_s"])
    first_start_s = _first_start_after_install(env)
    bare = median(bare_s)
    # The goals apply to the worst run: each round's app against the bare window started just
    # before it, so that both see the same machine (a hiccup of the shared cores slows both;
    # measured here: a round of 177 ms bare / 413 ms app among rounds of ~120 / ~270 ms).
    # Reported too, not judged: the worst app run against the bare windows' median.
    ratio_worst = max(w / b for w, b in zip(window_s, bare_s, strict=True))
    complete_worst = max(c / b for c, b in zip(complete_s, bare_s, strict=True))
    memory_ratio = max(window_mb) / median(bare_mb)
    return {
        "runs": runs,
        "window_first_paint_s": median(window_s),
        "window_first_paint_worst_s": max(window_s),
        "bare_first_paint_s": bare,
        "ratio": median(window_s) / bare,
        "ratio_worst": ratio_worst,
        "ratio_worst_vs_bare_median": max(window_s) / bare,
        "complete_s": median(complete_s),
        "complete_worst_s": max(complete_s),
        "complete_ratio": median(complete_s) / bare,
        "complete_ratio_worst": complete_worst,
        "complete_ratio_worst_vs_bare_median": max(complete_s) / bare,
        "window_peak_rss_mb": max(window_mb),
        "bare_peak_rss_mb": median(bare_mb),
        "memory_ratio": memory_ratio,
        "rows_shown": rows,
        # Not a goal: the very first start after installing, before the compiled cache
        # exists (as a first start before Python has written any .pyc would be).
        "first_start_after_install_s": first_start_s,
        "samples": {"window_s": window_s, "bare_s": bare_s, "complete_s": complete_s,
                    "window_mb": window_mb, "bare_mb": bare_mb},
        "goal": (f"worst first paint ≤ {GOAL_RATIO}× bare, worst complete window ≤ "
                 f"{GOAL_COMPLETE_RATIO}× bare (each run against its round's bare window), "
                 f"memory ≤ {GOAL_MEMORY_RATIO}× bare"),
        "goal_met_first_paint": ratio_worst <= GOAL_RATIO,
        "goal_met_complete": complete_worst <= GOAL_COMPLETE_RATIO,
        "goal_met_memory": memory_ratio <= GOAL_MEMORY_RATIO,
        "goal_met": (ratio_worst <= GOAL_RATIO and complete_worst <= GOAL_COMPLETE_RATIO
                     and memory_ratio <= GOAL_MEMORY_RATIO),
    }
