"""Whatever a user does while numbers load, the load ends (issue #14).

A hypothesis state machine drives the real window (with the app's compose panel and Account tab,
installed by the app's own `install_views_after_first_paint`) on the real loader and Qt runner,
against the in-process simulator with RingCentral's production rate limits and a latency that
changes at random. Its rules are what a user does: Refresh (mouse, F5, the space bar on the
focused button), choose a sender with the mouse or by typing digits into the picker (Qt's keyboard
search), toggle "Only numbers that can send", switch tabs, start and cancel an Account scan, open
and cancel sign-in, type in the compose panel, and wait a random moment between any of these.

After every run, within `SETTLE_S`: no load is running, no number is left "being checked", the
banner shows no progress, the detail pane shows the chosen sender, no task is left pending; and
the event loop never stopped for more than `GAP_LIMIT_S` while the steps ran.

On the code before the fix, three or four Refreshes while loading spent RingCentral's per-minute
Light budget (50 requests) on loads nobody saw finish, and the load the window showed waited a
whole minute with numbers "being checked" and only "Loading your numbers…" on the banner.

Examples: `RC_SMS_STUCK_EXAMPLES` (default 12; CI runs the default); shrinking is off unless
`RC_SMS_STUCK_SHRINK=1` (a failing example already prints its steps, and each failing run costs
`SETTLE_S`).
"""

from __future__ import annotations

import asyncio
import gc
import os
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
import qasync
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from rc_sms_desktop.core.marks import Mark, verdict_mark
from rc_sms_desktop.infra.settings import SETTINGS_VERSION, Settings
from rc_sms_desktop.ui.app import install_views_after_first_paint
from rc_sms_desktop.ui.main_window import MainWindow
from rc_sms_desktop.ui.status_banner import BannerState
from rc_sms_desktop.ui.window_services import AccountSession, DefaultServices

pytestmark = [
    pytest.mark.slow,
    # The offscreen platform cannot raise the picker's popup or grab the keyboard for it.
    pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)"),
]

# A finished load takes well under a second here; a window that waited on a rate-limit window
# spent by loads nobody saw waited a minute. Generous for 2 shared, busy cores.
SETTLE_S = 20.0
# The benchmark goal is 50 ms (BENCHMARKS.md, "UI responsiveness"); this test runs on shared,
# loaded CI cores next to a Starlette simulator in the same thread, so it only catches a frozen
# window (the strict figure stays in benchmarks/).
GAP_LIMIT_S = 0.5
EXAMPLES = int(os.environ.get("RC_SMS_STUCK_EXAMPLES", "12"))
SHRINK = os.environ.get("RC_SMS_STUCK_SHRINK") == "1"
# What the user legitimately asks for must fit RingCentral's Light window (50 requests a minute),
# or the window rightly waits a minute for it (with a countdown). With the demo user's list cut to
# `USER_NUMBERS`, a load costs 10 Light requests (extension, numbers, 8 configurations) and a full
# Account scan 25 (measured).
# So a Refresh pressed while nothing loads, and the scan, happen only while that budget lasts;
# Refreshes while a load runs are unlimited (stacking them is what this test is about).
LIGHT_BUDGET = 40  # of 50: a margin for a scan that overlaps a load (it then costs a little more)
USER_NUMBERS = 12
LOAD_COST = 10
SCAN_COST = 25

STEP_TIMEOUT_S = SETTLE_S + 30.0


def test_the_window_never_gets_stuck() -> None:
    """Hypothesis runs the machine in a worker thread; every step runs on the Qt thread's qasync
    loop, which keeps turning between steps (loads go on while the "user" thinks)."""
    app = QApplication.instance() or QApplication([])
    if isinstance(app, QApplication):
        app.setQuitOnLastWindowClosed(False)
    # What earlier tests left for deletion goes now, before this loop starts.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    loop = qasync.QEventLoop(app)
    WindowDuringLoads.loop = loop
    driver = loop.create_task(
        asyncio.to_thread(run_state_machine_as_test, WindowDuringLoads, settings=SETTINGS),
        name="hypothesis-driver",
    )
    # Qt objects must be destroyed on the Qt thread: a collection triggered in hypothesis's thread
    # could free a window, a timer or an old qasync loop there (a segfault, or Qt's "Timers
    # cannot be stopped from another thread"). So the collector runs only on the Qt thread, after
    # each example (see `_close`).
    gc.disable()
    try:
        loop.run_until_complete(driver)
    finally:
        gc.enable()
        loop.close()


class _Heartbeat:
    """The largest gap between the ticks of a 5 ms timer on the loop, and the step it fell in."""

    def __init__(self) -> None:
        self.largest = 0.0
        self.where = ""
        self.step = ""
        self._last: float | None = None
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.monotonic()
        if self._last is not None and now - self._last > self.largest:
            self.largest = now - self._last
            self.where = self.step
        self._last = now


class _LatencyServices(DefaultServices):
    """The app's services over the demo simulator, keeping its control handle for the latency."""

    def __init__(self, settings: Settings, latency_ms: float) -> None:
        super().__init__(
            settings, simulator_options={"latency_ms": latency_ms, "user_numbers": USER_NUMBERS}
        )
        self.controls: list[Any] = []

    async def open_demo_session(self) -> AccountSession:
        session = await super().open_demo_session()
        # The simulator is the ASGI app behind the demo client's transport.
        app = getattr(getattr(session.client.http, "_transport", None), "app", None)
        control = getattr(getattr(app, "state", None), "simulator", None)
        if control is not None:
            self.controls.append(control)
        return session


class WindowDuringLoads(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop

    def __init__(self) -> None:
        super().__init__()
        self.window: MainWindow | None = None
        self.views: asyncio.Task[None] | None = None
        self.heartbeat: _Heartbeat | None = None
        self.light_spent = LOAD_COST  # the first load
        self.scan_started = False
        self.steps: list[str] = []

    # --- running steps on the loop -------------------------------------------------------------

    def run(self, step: str, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run one step on the Qt thread (from hypothesis's thread) and wait for it."""
        self.steps.append(step)

        async def noted() -> Any:
            if self.heartbeat is not None:
                self.heartbeat.step = step
            return await coro

        return asyncio.run_coroutine_threadsafe(noted(), self.loop).result(STEP_TIMEOUT_S)

    @property
    def w(self) -> MainWindow:
        assert self.window is not None
        return self.window

    def account_view(self) -> Any:
        from rc_sms_desktop.ui.admin_view import AccountView

        for index in range(self.w.tabs.count()):
            widget = self.w.tabs.widget(index)
            if isinstance(widget, AccountView):
                return widget
        return None

    def compose_panel(self) -> Any:
        from rc_sms_desktop.ui.compose_panel import ComposePanel

        return self.w.findChild(ComposePanel)

    # --- set-up --------------------------------------------------------------------------------

    @initialize(latency_ms=st.sampled_from([0.0, 5.0, 20.0, 60.0]))
    def open_window(self, latency_ms: float) -> None:
        folder = Path(tempfile.mkdtemp(prefix="rc-sms-stuck-"))
        self.settings = Settings(folder / "settings.json", {"version": SETTINGS_VERSION})
        self.services = _LatencyServices(self.settings, latency_ms)

        async def open_it() -> None:
            window = MainWindow(self.services, settings=self.settings)
            self.window = window
            self.views = install_views_after_first_paint(window)
            window.show()
            window.activateWindow()
            window.start()
            # Measured from the first paint on (start-up has its own benchmark).
            await asyncio.sleep(0.3)
            self.heartbeat = _Heartbeat()

        self.run(f"open (latency {latency_ms} ms)", open_it())

    # --- what a user does ----------------------------------------------------------------------

    def _refresh(self, how: str) -> None:
        # Decided on the Qt thread, at the moment of the press, so the count is what happened.
        async def press() -> None:
            if not self.w.load_runner.running:
                if self.light_spent + LOAD_COST > LIGHT_BUDGET:
                    self.steps[-1] += " (skipped: nothing loading and the budget is spent)"
                    return
                self.light_spent += LOAD_COST
            if how == "mouse":
                QTest.mouseClick(self.w.refresh_button, Qt.MouseButton.LeftButton)
            elif how == "F5":
                QTest.keyClick(self.w, Qt.Key.Key_F5)
            else:  # the space bar on the focused button, as in the issue
                self.w.refresh_button.setFocus()
                QTest.keyClick(self.w.refresh_button, Qt.Key.Key_Space)
            await asyncio.sleep(0)

        self.run(f"refresh ({how})", press())

    # No preconditions that depend on timing: hypothesis must draw the same rules when it
    # replays an example.
    @rule(how=st.sampled_from(["mouse", "F5", "space"]))
    def refresh(self, how: str) -> None:
        self._refresh(how)

    @rule()
    def refresh_twice_quickly(self) -> None:
        self._refresh("mouse")
        self._refresh("space")

    @rule(seconds=st.sampled_from([0.0, 0.01, 0.03, 0.08, 0.2, 0.5]))
    def wait(self, seconds: float) -> None:
        self.run(f"wait {seconds} s", asyncio.sleep(seconds))

    @rule(latency_ms=st.sampled_from([0.0, 3.0, 15.0, 40.0, 120.0]))
    def latency_changes(self, latency_ms: float) -> None:
        for control in self.services.controls:
            control.latency_ms = latency_ms
        self.steps.append(f"latency {latency_ms} ms")
        # (the simulator reads it per request; a plain attribute, so setting it here is safe)

    @rule(row=st.integers(0, 25))
    def choose_sender_with_the_mouse(self, row: int) -> None:
        async def choose() -> None:
            combo = self.w.sender_combo
            if combo.count() == 0:
                return
            combo.showPopup()
            await asyncio.sleep(0.02)
            view = combo.view()
            index = view.model().index(min(row, combo.count() - 1), 0)
            rect = view.visualRect(index)
            if rect.isValid() and view.isVisible():
                QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            combo.hidePopup()
            await asyncio.sleep(0)

        self.run(f"choose row {row} with the mouse", choose())

    @rule(typed=st.sampled_from(["8", "4", "(650) 555-0123", "415 555 0188", "1", "9"]))
    def choose_sender_by_typing(self, typed: str) -> None:
        async def search() -> None:
            self.w.tabs.setCurrentIndex(0)
            self.w.sender_combo.setFocus()
            QTest.keyClicks(self.w.sender_combo, typed)
            await asyncio.sleep(0)

        self.run(f"type {typed!r} into the picker", search())

    @rule()
    def toggle_only_numbers_that_can_send(self) -> None:
        async def toggle() -> None:
            self.w.tabs.setCurrentIndex(0)
            check = self.w.only_sendable_check
            QTest.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
            await asyncio.sleep(0)

        self.run("toggle only-sendable", toggle())

    @rule(tab=st.integers(0, 1))
    def switch_tab(self, tab: int) -> None:
        async def switch() -> None:
            bar = self.w.tabs.tabBar()
            if tab < bar.count():
                QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tab).center())
            await asyncio.sleep(0)

        self.run(f"switch to tab {tab}", switch())

    @precondition(lambda self: not self.scan_started)
    @rule()
    def start_account_scan(self) -> None:
        self.scan_started = True

        async def start() -> None:
            view = self.account_view()
            if view is None or not view.scan_button.isEnabled():
                return
            if self.light_spent + SCAN_COST > LIGHT_BUDGET:
                self.steps[-1] += " (skipped: the budget is spent)"
                return
            self.light_spent += SCAN_COST
            self.w.tabs.setCurrentWidget(view)
            QTest.mouseClick(view.scan_button, Qt.MouseButton.LeftButton)
            await asyncio.sleep(0)

        self.run("start the Account scan", start())

    @rule()
    def cancel_account_scan(self) -> None:
        async def cancel() -> None:
            view = self.account_view()
            if view is None or not view.cancel_button.isEnabled() or not view.cancel_button.isVisible():
                return
            QTest.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
            await asyncio.sleep(0)

        self.run("cancel the Account scan", cancel())

    @rule(linger=st.sampled_from([0.0, 0.05, 0.3]))
    def open_and_cancel_sign_in(self, linger: float) -> None:
        async def sign_in() -> None:
            button = self.w.sign_in_button
            if not button.isVisible():
                return
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            await asyncio.sleep(linger)
            dialog = self.w.sign_in_dialog
            if isinstance(dialog, QDialog):
                QTest.keyClick(dialog, Qt.Key.Key_Escape)
            await asyncio.sleep(0)

        self.run("open and cancel sign-in", sign_in())

    @rule(
        field=st.sampled_from(["to", "message"]),
        text=st.sampled_from(["(650) 555-0123, 415 555 0188", "Your order has shipped", "x"]),
    )
    def type_in_compose(self, field: str, text: str) -> None:
        async def type_it() -> None:
            panel = self.compose_panel()
            if panel is None:
                return
            self.w.tabs.setCurrentIndex(0)
            target: QWidget = panel.recipients_edit if field == "to" else panel.text_edit
            target.setFocus()
            QTest.keyClicks(target, text)
            await asyncio.sleep(0)

        self.run(f"type {text!r} into {field}", type_it())

    # --- the invariant -------------------------------------------------------------------------

    def teardown(self) -> None:
        if self.window is None:
            return
        try:
            self.run("settle", self._settle())
            heartbeat = self.heartbeat
            assert heartbeat is not None
            assert heartbeat.largest <= GAP_LIMIT_S, (
                f"the event loop stopped for {heartbeat.largest * 1000:.0f} ms "
                f"during {heartbeat.where!r}"
            )
        finally:
            self.run("close", self._close())

    def _stuck(self) -> list[str]:
        w = self.w
        problems = []
        if w.load_runner.running:
            problems.append("a load is running")
        checking = [v.number.id for v in w.sender_model.verdicts() if verdict_mark(v) is Mark.LOADING]
        if checking:
            problems.append(f"{len(checking)} numbers being checked")
        if w.status_banner.state in (BannerState.LOADING, BannerState.RATE_LIMITED):
            problems.append(f"the banner says {w.status_banner.state.value}: {w.status_banner.message()!r}")
        if w.current_sender() is not w.detail_pane.verdict:
            problems.append("the detail pane does not show the chosen sender")
        if w.sender_model.rowCount() and w.current_sender() is None:
            problems.append("no sender chosen")
        view = self.account_view()
        scanning = view is not None and view.task is not None and not view.task.done()
        if scanning:
            problems.append("the Account scan is running")
        others = [
            t for t in asyncio.all_tasks(self.loop)
            if t is not asyncio.current_task() and not t.done() and t.get_name() != "hypothesis-driver"
        ]
        if others:
            problems.append(f"tasks pending: {sorted(t.get_name() for t in others)}")
        return problems

    async def _settle(self) -> None:
        deadline = time.monotonic() + SETTLE_S
        started = time.monotonic()
        while True:
            problems = self._stuck()
            if not problems:
                return
            if time.monotonic() > deadline:
                w = self.w
                raise AssertionError(
                    f"{time.monotonic() - started:.1f} s after the last step: {'; '.join(problems)} "
                    f"(picker: {w.count_label.text()!r}; steps: {self.steps})"
                )
            await asyncio.sleep(0.05)

    async def _close(self) -> None:
        """Close the window the app's way (closeEvent, then `closed` once shutdown is done)."""
        if self.heartbeat is not None:
            self.heartbeat.stop()
        if self.views is not None:
            self.views.cancel()
        window = self.w
        closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        window.closed.connect(lambda code: closed.done() or closed.set_result(code))
        window.close()
        await asyncio.wait_for(closed, 10)
        window.deleteLater()
        await asyncio.sleep(0)
        self.window = None
        self.heartbeat = None  # its timer goes here, on the Qt thread
        gc.collect()


SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,  # the same programs on every run, so CI finds what a local run finds
    database=None,
    phases=(Phase.explicit, Phase.generate, *((Phase.shrink,) if SHRINK else ())),
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
