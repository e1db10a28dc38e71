"""UI test fixtures: every `async def` test under tests/ui runs ON a qasync loop.

How to write a UI test (admin view, compose panel, …):

* Write it as `async def test_…(qtbot)`. pytest-asyncio (asyncio_mode = auto) runs it on a
  `qasync.QEventLoop` made by the `pytest_asyncio_loop_factories` hook below, so `asyncio` tasks,
  `@asyncSlot` handlers, Qt timers and widget events all run on one loop, as in the app.
* Wait with `await wait_until(lambda: …)` (from `tests.ui.qasync_helpers`) or `await
  asyncio.sleep(…)`, NEVER with `qtbot.wait`, `qtbot.waitUntil` or `qtbot.waitSignal` inside an
  async test: those spin a nested Qt loop that runs other asyncio tasks from inside the current
  one ("Cannot enter into task …"). `qtbot.addWidget`, `qtbot.mouseClick` and `qtbot.keyClick`
  are fine.
* The loop never quits when the last window closes (`setQuitOnLastWindowClosed(False)`, as in
  the app): closing a lone dialog would otherwise stop the loop under the test.
* Close windows with `await window.shutdown()` (or `await close_window(window)`): it cancels
  the load in flight and closes the client while the loop still runs.
* `demo_services(**simulator_options)` gives the app's real `WindowServices` over an in-process
  simulator (e.g. `user_numbers=1000`, `rate_window_s=0.5`, `latency_ms=50`); `ui_settings` is a
  fresh settings file. `MainWindow(demo_services(), settings=ui_settings)` then `await
  window.start()` opens the demo account; `window.load_runner.task` is the load in flight.
* Any Qt warning fails the test (pyproject `qt_log_level_fail`); so does a Python warning.
* So does a Qt timer, QThread or Python thread the test started and left running
  (`tests/ui/leak_guard.py`): stop it, join it, shut the window down. A test that must leave one
  says why with `@pytest.mark.leaks_allowed(reason="…")`.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from rc_sms_desktop.infra.settings import SETTINGS_VERSION, Settings
from rc_sms_desktop.ui.window_services import DefaultServices
from tests.ui.leak_guard import LeakGuard, leak_report


def _qasync_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance() or QApplication([])
    # As in the app (ui/app.py): closing the last window (a dialog, say) must not quit the Qt
    # loop under a running test; the loop stops only when the test's coroutine is done.
    if isinstance(app, QApplication):
        app.setQuitOnLastWindowClosed(False)
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    return loop


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Async tests in this folder get a fresh qasync loop each (pytest-asyncio ≥ 1.3 hook)."""
    return {"qasync": _qasync_loop}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Collect each test's garbage here, on the main thread.

    Every async test leaves a closed qasync loop behind, whose timer object is a QObject in a
    reference cycle. Left to the cyclic collector, it could be destroyed in whatever thread next
    crossed the collection threshold (a `to_thread` worker reading an MMS attachment, say), and
    Qt then warns "Timers cannot be stopped from another thread", which fails the test there.
    """
    result = yield
    gc.collect()
    return result


@pytest.fixture(autouse=True)
def leak_guard(request: pytest.FixtureRequest) -> Iterator[LeakGuard | None]:
    """Fail the test if a timer or thread it started is still running when it ends.

    Autouse and requested before the event-loop runner, this tears down after it: the test's
    qasync loop is closed by then (its tasks cancelled, its `to_thread` workers stopped) and
    pytest-qt has closed the widgets given to `qtbot.addWidget`.
    """
    marker = request.node.get_closest_marker("leaks_allowed")
    if marker is not None:
        if not (marker.kwargs.get("reason") or marker.args):
            pytest.fail("@pytest.mark.leaks_allowed needs reason=\"why this test leaves work running\"")
        yield None
        return
    guard = LeakGuard()
    guard.install()
    try:
        yield guard
        leaks = guard.check()
    finally:
        guard.remove()
    if leaks:
        pytest.fail(leak_report(leaks), pytrace=False)


@pytest.fixture
def ui_settings(tmp_path: Path) -> Settings:
    """A fresh settings file for the test (nothing remembered yet)."""
    return Settings(tmp_path / "settings.json", {"version": SETTINGS_VERSION})


@pytest.fixture
def demo_services(ui_settings: Settings) -> Callable[..., DefaultServices]:
    """`demo_services(**simulator_options)`: the app's real services, with the demo account on
    an in-process simulator shaped by `SimulatorConfig` fields (e.g. `user_numbers=1000`,
    `rate_window_s=0.5`, `latency_ms=50`). No stored session exists, so windows open the demo."""

    def make(**simulator_options: Any) -> DefaultServices:
        return DefaultServices(ui_settings, simulator_options=simulator_options)

    return make


# --- Demo windows: `open_window` -------------------------------------------------------------


@pytest.fixture
async def open_window(
    qtbot: Any, demo_services: Callable[..., DefaultServices], ui_settings: Settings
) -> Any:
    """`window = await open_window(options=None, wait=True, sign_in_dialog_factory=None,
    **simulator_options)`: a shown `MainWindow` on the demo account
    (`demo_services(**simulator_options)`), its first load finished unless `wait=False`. After
    the test, it shuts down every window it opened that the test has not shut down itself."""
    from rc_sms_desktop.ui.main_window import MainWindow, WindowOptions
    from tests.ui.qasync_helpers import first_load

    windows: list[MainWindow] = []

    async def make(
        *,
        options: WindowOptions | None = None,
        wait: bool = True,
        sign_in_dialog_factory: Callable[[MainWindow], Any] | None = None,
        **simulator: Any,
    ) -> MainWindow:
        window = MainWindow(demo_services(**simulator), options=options, settings=ui_settings,
                            sign_in_dialog_factory=sign_in_dialog_factory)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        if wait:
            await first_load(window)
        else:
            await window.start()
        return window

    yield make
    for window in windows:
        if not window.is_closing:
            await window.shutdown()
