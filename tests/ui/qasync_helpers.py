"""Awaitable waits for UI tests that run on the qasync loop (see tests/ui/conftest.py)."""

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
