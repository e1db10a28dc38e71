"""The load runner: latest wins, batched verdict updates, cached verdicts announced."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from rc_sms_desktop.ui.qt_loader import QtLoadRunner
from rc_sms_desktop.workflows.loader import CachedVerdicts, LoadFinished, Progress, VerdictUpdated
from tests.ui.qasync_helpers import wait_until
from tests.ui.verdict_samples import sample_verdicts


async def _events(items: list[Any], hold: asyncio.Event | None = None) -> AsyncIterator[Any]:
    for item in items:
        yield item
    if hold is not None:
        await hold.wait()


async def test_many_updates_arrive_as_few_batches_in_order() -> None:
    runner = QtLoadRunner()
    verdicts = sample_verdicts()
    batches: list[list[Any]] = []
    progress: list[tuple[int, int]] = []
    finished: list[object] = []
    runner.verdictsUpdated.connect(batches.append)
    runner.progress.connect(lambda done, total: progress.append((done, total)))
    runner.finished.connect(finished.append)
    events: list[Any] = []
    for i, verdict in enumerate(verdicts * 20, start=1):
        events += [VerdictUpdated(verdict), Progress(i, len(verdicts) * 20)]
    events.append(LoadFinished(datetime.now(UTC)))
    await runner.start(_events(events))
    assert len(batches) < 20  # 140 updates, coalesced
    assert {v.number.id for batch in batches for v in batch} == {v.number.id for v in verdicts}
    assert progress[-1] == (140, 140)  # the newest count is never lost
    assert finished, "finished comes after the last batch"


async def test_a_new_load_cancels_the_previous_one_and_its_events_are_dropped() -> None:
    runner = QtLoadRunner()
    listed: list[list[Any]] = []
    runner.numbersListed.connect(listed.append)
    hold = asyncio.Event()
    first = runner.start(_events([], hold))
    second = runner.start(_events([CachedVerdicts(tuple(sample_verdicts()), as_of=datetime.now(UTC))]))
    await asyncio.gather(first, return_exceptions=True)
    assert first.cancelled()
    await second
    assert len(listed) == 1


async def test_cached_verdicts_announce_their_age() -> None:
    runner = QtLoadRunner()
    ages: list[object] = []
    runner.cachedAsOf.connect(ages.append)
    saved = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    await runner.start(_events([CachedVerdicts(tuple(sample_verdicts()), as_of=saved)]))
    await wait_until(lambda: ages)
    assert ages == [saved]


async def test_stop_waits_until_the_load_has_ended() -> None:
    runner = QtLoadRunner()
    stopped: list[bool] = []
    runner.stopped.connect(lambda: stopped.append(True))
    runner.start(_events([], asyncio.Event()))
    await asyncio.sleep(0)
    assert runner.running
    await runner.stop(1.0)
    assert not runner.running
    assert stopped == [True]  # the window clears its progress on this
