"""Awaitable waits for UI tests that run on the qasync loop (see tests/ui/conftest.py), and a
heartbeat that measures how long the loop was kept busy."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def wait_until(
    predicate: Callable[[], object], within: float = 5.0, interval: float = 0.01
) -> None:
    """Await until `predicate()` is truthy, letting the qasync loop run; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(interval)


async def close_window(window: Any) -> None:
    """Shut a main window down the way the app does, then let Qt delete it."""
    shutdown: Callable[[], Awaitable[None]] | None = getattr(window, "shutdown", None)
    if shutdown is not None:
        await shutdown()
    window.close()
    await asyncio.sleep(0)


async def load_finished(window: Any, within: float = 20.0) -> None:
    """Await the main window's load in flight (there must be one)."""
    task = window.load_runner.task
    assert task is not None
    await asyncio.wait_for(task, within)


async def first_load(window: Any, within: float = 20.0) -> None:
    """Start a main window (`await window.start()`) and await the load it began."""
    await window.start()
    await load_finished(window, within)


class Heartbeat:
    """Ticks every `interval_ms` on the Qt loop and remembers the longest gap between ticks
    (`max_gap`, seconds): how long the loop was kept from running. `precise` asks Qt for its
    millisecond-accurate timer (https://doc.qt.io/qt-6/qt.html#TimerType-enum), for short
    intervals."""

    def __init__(self, interval_ms: int = 10, *, precise: bool = False) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        if precise:
            self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.max_gap = 0.0
        self.ticks = 0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, now - self.last)
        self.last = now
        self.ticks += 1
