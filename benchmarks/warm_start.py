"""Scenario 6, warm start: the last-known verdicts from the cache with the network down.

A first load (150 numbers) fills a throw-away verdict cache; then the simulator stops, so its
port is closed, and we measure
- the cache path: `SenderLoader(client → closed port, cache).load()` until its first event, the
  cached verdicts (and, for information, until it reports the failure);
- the whole app: process start to the first paint of the real window showing the cached
  verdicts (`startup_child cached`), with nothing answering.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from pathlib import Path
from typing import Any, cast

from benchmarks.isolation import sandbox_env, throwaway_dir
from benchmarks.simulator_process import (
    RunningSimulator,
    SimulatorOptions,
    served_simulator,
    signed_in_client,
)
from benchmarks.timing import median, run_child

NUMBERS = 150
GOAL_S = 1.0


LoadEvents = AsyncGenerator[Any, None]  # SenderLoader.load() is an async generator
async def _fill_cache(simulator: RunningSimulator, cache_dir: Path) -> None:
    from rc_sms_desktop.infra.cache import VerdictCache
    from rc_sms_desktop.workflows.loader import LoadFailed, LoadFinished, SenderLoader

    client = await signed_in_client(simulator)
    try:
        async with aclosing(cast(LoadEvents, SenderLoader(client, cache=VerdictCache(cache_dir)).load())) as events:
            async for event in events:
                if isinstance(event, LoadFailed):
                    raise RuntimeError(f"load failed: {event.error!r}")
                if isinstance(event, LoadFinished):
                    break
    finally:
        await client.aclose()


async def _offline_load(url: str, cache_dir: Path, *,
                        until_failure: bool) -> tuple[float, float, int]:
    from rc_sms_desktop.api.client import RingCentralClient, StaticTokenAuthenticator
    from rc_sms_desktop.infra.cache import VerdictCache
    from rc_sms_desktop.workflows.loader import (
        CachedVerdicts,
        LoadFailed,
        LoadFinished,
        SenderLoader,
    )

    client = RingCentralClient(url, authenticator=StaticTokenAuthenticator("offline"))
    try:
        started = time.perf_counter()
        shown = float("nan")
        count = 0
        async with aclosing(cast(LoadEvents, SenderLoader(client, cache=VerdictCache(cache_dir)).load())) as events:
            async for event in events:
                if isinstance(event, CachedVerdicts):
                    shown = time.perf_counter() - started
                    count = len(event.verdicts)
                    if not until_failure:
                        break
                elif isinstance(event, LoadFailed | LoadFinished):
                    break
        return shown, time.perf_counter() - started, count
    finally:
        await client.aclose()


def run(quick: bool) -> dict[str, Any]:
    runs = 5
    cache_dir = throwaway_dir("rc-sms-bench-cache-")
    # Production limits (1 s windows): with no X-Rate-Limit headers the client would assume
    # the documented 60 s windows and wait one out for the 51st Light request.
    options = SimulatorOptions(rate_limits="production", rate_window_s=1.0, user_numbers=NUMBERS)
    with served_simulator(options) as simulator:
        asyncio.run(_fill_cache(simulator, cache_dir))
        url = simulator.url
    # The simulator has stopped: its port is closed, as when the network is down.
    shown_s: list[float] = []
    failed_s: list[float] = []
    count = 0
    for index in range(runs):
        # The first run also waits for the loader to give up on the network (retries).
        shown, failed, count = asyncio.run(
            _offline_load(url, cache_dir, until_failure=index == 0))
        shown_s.append(shown)
        failed_s.append(failed)
    env = sandbox_env()
    window_s: list[float] = []
    rows = 0
    for _ in range(runs):
        started = time.monotonic()
        data = run_child("benchmarks.startup_child", ["cached", url, str(cache_dir)],
                         env=env, timeout_s=120).data
        if data.get("first_paint") is None:
            raise RuntimeError("the window never showed the cached verdicts")
        window_s.append(float(data["first_paint"]) - started)
        rows = int(data.get("rows") or 0)
    cache_path = median(shown_s)
    window = median(window_s)
    return {
        "runs": runs,
        "numbers": NUMBERS,
        "cache_path_s": cache_path,
        "cache_path_verdicts": count,
        "offline_reported_s": failed_s[0],
        "window_process_start_to_paint_s": window,
        "window_rows_shown": rows,
        "samples": {"cache_path_s": shown_s, "window_s": window_s},
        "goal": f"< {GOAL_S:g} s",
        # The issue's measure is the cache path; the whole app's start-up is scenario 1's.
        "goal_met": cache_path < GOAL_S,
        "goal_met_whole_app": window < GOAL_S,
    }
