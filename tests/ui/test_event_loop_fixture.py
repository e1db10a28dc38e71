"""The UI test loop really is the Qt loop: Qt timers and asyncio tasks interleave."""

from __future__ import annotations

import asyncio

import qasync
from PySide6.QtCore import QTimer

from tests.ui.qasync_helpers import wait_until


async def test_async_tests_run_on_a_qasync_loop() -> None:
    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)


async def test_qt_timers_fire_while_a_coroutine_awaits() -> None:
    fired: list[int] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: fired.append(1))
    timer.start()
    await wait_until(lambda: len(fired) >= 3, within=2)
    timer.stop()
    assert len(fired) >= 3
