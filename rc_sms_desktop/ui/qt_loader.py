"""Runs a loader's event stream as one asyncio task and re-emits the events as Qt signals.

Latest wins: `start()` cancels the load in flight before starting the next one, and the task is
kept here (qasync's `asyncSlot` never hands it back), so Refresh, Sign out and closing the window
can all cancel it. Verdict updates are batched: the widgets see at most one `verdictsUpdated` per
`BATCH_MS`, not one signal per number, so a 1,000-number load never floods the model.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from rc_sms_desktop.workflows.loader import (
    LoadFailed,
    LoadFinished,
    LoadWarning,
    NumbersListed,
    Progress,
    RateLimited,
    SignedInAs,
    VerdictUpdated,
)

_log = logging.getLogger(__name__)

# Longest the consumer may run before yielding to Qt: keeps input and painting responsive even
# when events arrive faster than the loop turns (e.g. straight from the cache).
YIELD_AFTER_S = 0.008
# Verdict updates are coalesced into one model update per this many milliseconds.
BATCH_MS = 40


class QtLoadRunner(QObject):
    """One load at a time, as Qt signals.

    Signals:
      `started()`; `signedInAs(extension)`; `numbersListed(list[Verdict])`;
      `verdictsUpdated(list[Verdict])` (batched); `progress(done, total)`;
      `rateLimited(group, seconds_to_wait)` (0 when the group has resumed) after a 429;
      `paced(RateLimited)` when the scheduler holds a group back at its limit (resume_at None:
      going again);
      `warning(message)`; `finished(as_of)`;
      `failed(error)`; `stopped()` after every load ends, however it ended (also on cancel);
      `cachedAsOf(as_of)` right after a `numbersListed` that came from the disk cache.
    """

    started = Signal()
    cachedAsOf = Signal(object)
    signedInAs = Signal(object)
    numbersListed = Signal(list)
    verdictsUpdated = Signal(list)
    progress = Signal(int, int)
    rateLimited = Signal(str, float)
    paced = Signal(object)
    warning = Signal(str)
    finished = Signal(object)
    failed = Signal(object)
    stopped = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._task: asyncio.Task[None] | None = None
        self._pending: dict[str, Any] = {}
        self._pending_progress: tuple[int, int] | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(BATCH_MS)
        self._flush_timer.timeout.connect(self._flush)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The load in flight (tests await it)."""
        return self._task

    def start(self, events: AsyncIterator[Any]) -> asyncio.Task[None]:
        """Cancel any load in flight and consume `events` in a new task."""
        self.cancel()
        task = asyncio.get_running_loop().create_task(self._consume(events), name="sender-load")
        self._task = task
        self.started.emit()
        return task

    def cancel(self) -> None:
        """Ask the load in flight to stop; `stopped` follows once it has."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._flush_timer.stop()
        self._pending.clear()
        self._pending_progress = None

    async def stop(self, grace: float = 2.0) -> None:
        """Cancel the load in flight and wait (at most `grace` seconds) until it has ended."""
        task = self._task
        self.cancel()
        if task is None or task.done():
            return
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), grace)
        if not task.done():
            _log.warning("the load did not stop within %.1f s", grace)

    async def _consume(self, events: AsyncIterator[Any]) -> None:
        me = asyncio.current_task()
        slice_start = time.monotonic()
        try:
            async for event in events:
                if self._task is not me:
                    return  # superseded: never emit for a load the user no longer sees
                self._dispatch(event)
                if time.monotonic() - slice_start > YIELD_AFTER_S:
                    await asyncio.sleep(0)
                    slice_start = time.monotonic()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the loader should report LoadFailed; this is the backstop
            _log.exception("the load stopped unexpectedly")
            if self._task is me:
                self._flush()
                self.failed.emit(error)
        finally:
            aclose = getattr(events, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
            if self._task is me:
                self._flush()
                self.stopped.emit()

    def _dispatch(self, event: Any) -> None:
        if isinstance(event, VerdictUpdated):
            verdict = event.verdict
            self._pending[verdict.number.id] = verdict
            if not self._flush_timer.isActive():
                self._flush_timer.start()
            return
        if isinstance(event, Progress):
            # Progress rides with the verdict batches: the newest count wins.
            self._pending_progress = (int(event.done), int(event.total))
            if not self._flush_timer.isActive():
                self._flush_timer.start()
            return
        if isinstance(event, RateLimited):
            self._rate_limited(event)
            return
        # Anything else is ordered after the updates that came before it.
        self._flush()
        if isinstance(event, NumbersListed):
            extension = getattr(event, "extension", None)
            if extension is not None:
                self.signedInAs.emit(extension)
            self.numbersListed.emit(list(event.verdicts))
            as_of = getattr(event, "as_of", None)  # CachedVerdicts: last time's verdicts
            if as_of is not None:
                self.cachedAsOf.emit(as_of)
        elif isinstance(event, RateLimited):
            self._rate_limited(event)
        elif isinstance(event, SignedInAs):
            self.signedInAs.emit(event.extension)
        elif isinstance(event, LoadWarning):
            self.warning.emit(str(event.message))
        elif isinstance(event, LoadFinished):
            self.finished.emit(event.as_of)
        elif isinstance(event, LoadFailed):
            self.failed.emit(event.error)
        else:
            _log.debug("ignoring unknown load event %s", type(event).__name__)

    def _rate_limited(self, event: RateLimited) -> None:
        if event.reason == "pacing":
            self.paced.emit(event)
        else:
            self.rateLimited.emit(str(event.group), _seconds_until(event.resume_at))

    def _flush(self) -> None:
        self._flush_timer.stop()
        if self._pending:
            batch = list(self._pending.values())
            self._pending.clear()
            self.verdictsUpdated.emit(batch)
        if self._pending_progress is not None:
            done, total = self._pending_progress
            self._pending_progress = None
            self.progress.emit(done, total)


def _seconds_until(resume_at: object) -> float:
    """`resume_at` as seconds from now: a loop-clock float or an aware datetime."""
    from datetime import UTC, datetime

    if isinstance(resume_at, datetime):
        moment = resume_at if resume_at.tzinfo else resume_at.replace(tzinfo=UTC)
        return max(0.0, (moment - datetime.now(UTC)).total_seconds())
    if isinstance(resume_at, int | float):
        return max(0.0, float(resume_at) - asyncio.get_running_loop().time())
    return 0.0
