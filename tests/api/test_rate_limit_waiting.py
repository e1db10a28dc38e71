"""Many waiters on one group: a grant wakes the next in line, not the whole queue.

The Account scan keeps a dozen workers waiting in `acquire("Light")`; waking all of them on every
grant made the scheduler's cost grow with waiters x grants on the UI thread. These tests pin the
cost (wake-ups and timers per grant, whatever the number of waiters) and that fairness, penalties
and group merges still reach every waiter.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from rc_sms_desktop.api.errors import RateLimitedError
from rc_sms_desktop.api.rate_limits import RateLimitPause, RateLimitScheduler

LIMIT_1 = {"X-Rate-Limit-Group": "Light", "X-Rate-Limit-Limit": "1", "X-Rate-Limit-Window": "0.004"}


def _count_timers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the running loop's timers: call_later, asyncio.timeout and sleep all end in call_at."""
    loop = asyncio.get_running_loop()
    count = [0]
    real_call_at = loop.call_at

    def call_at(*args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        count[0] += 1
        return real_call_at(*args, **kwargs)

    monkeypatch.setattr(loop, "call_at", call_at)
    return count


@pytest.mark.parametrize("workers", [12, 24])
async def test_waiting_costs_a_few_wake_ups_and_one_timer_per_grant_whatever_the_queue(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every pass of a waiter through `acquire` reads the scheduler's clock once (and each answer
    # once more), so clock reads count wake-ups.
    timers = _count_timers(monkeypatch)
    reads = 0

    def clock() -> float:
        nonlocal reads
        reads += 1
        return time.monotonic()

    scheduler = RateLimitScheduler(clock=clock, defaults={"light": (1, 0.004)})
    rounds = 3
    granted: list[int] = []

    async def worker(index: int) -> None:
        for _ in range(rounds):
            permit = await scheduler.acquire("Light")
            granted.append(index)
            permit.finish(200, LIMIT_1)
            await asyncio.sleep(0)  # the others queue before this one comes back

    await asyncio.gather(*(worker(i) for i in range(workers)))
    grants = workers * rounds
    assert granted == list(range(workers)) * rounds  # arrival order, round after round
    answers = grants
    arrivals = grants  # the first pass of each acquire, before it waits
    wake_ups = reads - answers - arrivals
    # A waiter wakes when it becomes first in line and when the window frees its slot: about 2
    # per grant. Waking the whole queue on each grant and answer made it ~2 x `workers`.
    assert wake_ups <= 3 * grants, (wake_ups, grants)
    # Only the first in line waits with a timer (until the next slot frees).
    assert timers[0] <= 1.5 * grants, (timers[0], grants)
    scheduler.close()


async def test_many_waiters_are_served_in_arrival_order_through_a_burst() -> None:
    scheduler = RateLimitScheduler(defaults={"light": (3, 0.02)})
    order: list[int] = []

    async def one(index: int) -> None:
        permit = await scheduler.acquire("Light")
        order.append(index)
        await asyncio.sleep(0.001)
        permit.finish(200, {"X-Rate-Limit-Group": "Light", "X-Rate-Limit-Limit": "3",
                            "X-Rate-Limit-Window": "0.02"})

    tasks = []
    for index in range(30):
        tasks.append(asyncio.create_task(one(index)))
        if index % 7 == 0:
            await asyncio.sleep(0.003)  # some arrive while others are being served
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert order == list(range(30))


async def test_a_penalty_reaches_every_waiter_not_only_the_first_in_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = {"now": 1000.0}
    scheduler = RateLimitScheduler(clock=lambda: clock["now"], defaults={"light": (2, 60.0)})
    heard: list[RateLimitPause] = []
    scheduler.add_listener(heard.append)
    limit_2 = {"X-Rate-Limit-Group": "Light", "X-Rate-Limit-Limit": "2", "X-Rate-Limit-Window": "60"}
    (await scheduler.acquire("Light")).finish(200, limit_2)
    in_flight = await scheduler.acquire("Light")  # the window (2 per 60 s) is now full
    granted: list[int] = []

    async def waiter(index: int, max_penalty_wait: float | None) -> None:
        permit = await scheduler.acquire("Light", max_penalty_wait=max_penalty_wait)
        granted.append(index)
        # The server raises the limit: the rest of the queue follows at once.
        permit.finish(200, {**limit_2, "X-Rate-Limit-Limit": "20"})

    # Even waiters will not wait out a penalty longer than 0.1 s; odd ones will.
    tasks = [asyncio.create_task(waiter(i, 0.1 if i % 2 == 0 else None)) for i in range(12)]
    await asyncio.sleep(0.01)
    assert not any(t.done() for t in tasks)
    timers = _count_timers(monkeypatch)
    assert in_flight.finish(429, {"X-Rate-Limit-Group": "Light", "Retry-After": "0.3"}) == 0.3
    await asyncio.sleep(0.02)
    # The resume timer, the first in line's timer and this test's sleep: the others wait for
    # their turn without a timer each.
    assert timers[0] <= 3, timers[0]
    # Each waiter, wherever it stands in line, heard of the penalty at once.
    for index, task in enumerate(tasks):
        if index % 2 == 0:
            assert task.done() and isinstance(task.exception(), RateLimitedError), index
        else:
            assert not task.done(), index
    assert [p.resume_at is not None for p in heard if p.reason == "penalty"] == [True]
    clock["now"] += 62  # the penalty and the window are over
    await asyncio.wait_for(asyncio.gather(*tasks[1::2]), 2)
    assert granted == [1, 3, 5, 7, 9, 11]
    scheduler.close()


async def test_waiters_queued_behind_the_probe_follow_the_group_the_server_names() -> None:
    scheduler = RateLimitScheduler()
    probe = await scheduler.acquire("Light")
    order: list[tuple[int, str]] = []

    async def waiter(index: int) -> None:
        permit = await scheduler.acquire("Light")
        order.append((index, permit.group))
        permit.finish(200, {"X-Rate-Limit-Group": "LightV2"})

    tasks = [asyncio.create_task(waiter(i)) for i in range(12)]
    await asyncio.sleep(0.01)
    assert not any(t.done() for t in tasks)  # the first answer tells the real limit
    probe.finish(200, {"X-Rate-Limit-Group": "LightV2", "X-Rate-Limit-Limit": "50",
                       "X-Rate-Limit-Window": "60"})
    await asyncio.wait_for(asyncio.gather(*tasks), 2)
    assert order == [(i, "LightV2") for i in range(12)]
    [snapshot] = scheduler.snapshot()
    assert (snapshot.group, snapshot.in_window, snapshot.sent) == ("LightV2", 13, 13)
    scheduler.close()
