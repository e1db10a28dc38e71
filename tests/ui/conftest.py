"""UI test fixtures: every `async def` test under tests/ui runs ON a qasync loop.

How to write a UI test (admin view, compose panel, …):

* Write it as `async def test_…(qtbot)`. pytest-asyncio (asyncio_mode = auto) runs it on a
  `qasync.QEventLoop` made by the `pytest_asyncio_loop_factories` hook below, so `asyncio` tasks,
  `@asyncSlot` handlers, Qt timers and widget events all run on one loop, as in the app.
* Wait with `await wait_until(lambda: …)` (from `tests.ui.qasync_helpers`) (or `await asyncio.sleep(…)`), NEVER with
  `qtbot.wait`, `qtbot.waitUntil` or `qtbot.waitSignal` inside an async test: those spin a nested
  Qt loop that runs other asyncio tasks from inside the current one ("Cannot enter into task …").
  `qtbot.addWidget`, `qtbot.mouseClick` and `qtbot.keyClick` are fine.
* Close windows with `await window.shutdown()` (or `await close_window(window)`): it cancels
  the load in flight and closes the client while the loop still runs.
* `demo_client` gives a `RingCentralClient` signed in to an in-process simulator; pass simulator
  options through `make_demo_client(**options)` (e.g. tiny rate limits, a scaled time window).
* Any Qt warning fails the test (pyproject `qt_log_level_fail`); so does a Python warning.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import pytest
import qasync
from PySide6.QtWidgets import QApplication


def _qasync_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance() or QApplication([])
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    return loop


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Async tests in this folder get a fresh qasync loop each (pytest-asyncio ≥ 1.3 hook)."""
    return {"qasync": _qasync_loop}
