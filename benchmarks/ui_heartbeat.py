"""Scenario 5, UI responsiveness, offscreen.

A `QTimer` ticks every 5 ms on the Qt loop and records the gaps between ticks:
- while the main window loads scenario 3 (150 numbers, production limits, 6 s windows), the
  compose panel is built after the first paint and the Account tab, opened as soon as numbers
  show, is built (5 runs: median and worst);
- while the real Account tab (`ui.admin_view.AccountView`, shown) runs the admin scan of
  scenario 4 (its progress saved under a throw-away XDG_CACHE_HOME, as for a user);
- while a user types a recipient and a message into the compose panel (one key per 20 ms);
then filter (typing in its search box, choosing a verdict) and column sort times on the filled
table, including the repaint (`processEvents`). Each part runs in a child
process (`python -m benchmarks.ui_heartbeat window|typing|table URL`) on the app's qasync loop; the
simulator is served from another process, as RingCentral would be.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from benchmarks.isolation import sandbox_env
from benchmarks.simulator_process import SimulatorOptions, served_simulator
from benchmarks.timing import median, percentile, run_child

HEARTBEAT_MS = 5
WINDOW_RUNS = 5
GOAL_MAX_GAP_MS = 50.0


class Heartbeat:
    """Ticks every `interval_ms` and keeps every gap between ticks (ms)."""

    def __init__(self, interval_ms: int = HEARTBEAT_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps_ms: list[float] = []
        self._last = 0.0
        self._began = 0.0
        self._worst_at_s = 0.0

    def start(self) -> None:
        self._last = self._began = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000
        if gap > max(self.gaps_ms, default=0.0):
            self._worst_at_s = self._last - self._began  # when the longest stall began
        self.gaps_ms.append(gap)
        self._last = now

    def summary(self) -> dict[str, float]:
        gaps = self.gaps_ms
        return {"max_gap_ms": max(gaps, default=float("nan")),
                "p99_gap_ms": percentile(gaps, 0.99), "ticks": float(len(gaps)),
                "max_gap_at_s": self._worst_at_s}


class StallSampler:
    """While the heartbeat is late by more than `late_ms`, samples the loop thread's stack every
    millisecond from a helper thread; `stalls()` names the frames the longest stalls were in.

    Switched on by `RC_BENCH_STALLS=1` (the samples cost the loop a little, so the figures of a
    run with it are not the table's). The helper runs whenever the loop thread gives the GIL
    back (every switch interval while it runs Python; a stall in Qt's C++ shows its caller).
    """

    def __init__(self, heartbeat: Heartbeat, late_ms: float = 15.0) -> None:
        import threading

        self._heartbeat = heartbeat
        self._late_s = late_ms / 1000
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()
        self._samples: dict[float, list[str]] = {}  # stall start -> innermost frames seen
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1)

    def _run(self) -> None:
        import os

        while not self._stop.wait(0.001):
            last = self._heartbeat._last
            if time.perf_counter() - last < self._late_s:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            names: list[str] = []
            while frame is not None and len(names) < 6:
                code = frame.f_code
                names.append(f"{os.path.basename(code.co_filename)}:{code.co_name}")
                frame = frame.f_back
            self._samples.setdefault(last, []).append(" < ".join(names))

    def stalls(self, worst: int = 5) -> list[dict[str, Any]]:
        from collections import Counter

        began = self._heartbeat._began
        out = []
        for start, stacks in sorted(self._samples.items(), key=lambda kv: -len(kv[1]))[:worst]:
            out.append({"at_s": round(start - began, 3), "samples": len(stacks),
                        "stacks": Counter(stacks).most_common(3)})
        return out


def _sampled(heartbeat: Heartbeat) -> StallSampler | None:
    import os

    if os.environ.get("RC_BENCH_STALLS") != "1":
        return None
    sampler = StallSampler(heartbeat)
    sampler.start()
    return sampler


def _qt_app() -> Any:
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return app, loop


async def _window(url: str) -> dict[str, Any]:
    import benchmarks.simulator_process  # noqa: F401 - the harness's imports are not the app's
    from benchmarks.bench_services import ServedSimulatorServices
    from rc_sms_desktop.infra.settings import Settings
    from rc_sms_desktop.ui.app import install_views_after_first_paint
    from rc_sms_desktop.ui.main_window import MainWindow

    settings = Settings.load()
    window = MainWindow(ServedSimulatorServices(url), settings=settings)
    # As the app assembles it: the compose panel (and its imports) comes after the first paint,
    # while the heartbeat runs; the user opens the Account tab as soon as numbers show, so its
    # build runs under the heartbeat too.
    views = install_views_after_first_paint(window)
    window.show()
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def stopped() -> None:
        if not done.done():
            done.set_result(None)

    def numbers_shown() -> None:
        if window.sender_model.rowCount() and window.tabs.currentIndex() == 0:
            window.tabs.setCurrentIndex(1)

    window.load_runner.stopped.connect(stopped)
    window.sender_model.rowsInserted.connect(numbers_shown)
    window.sender_model.modelReset.connect(numbers_shown)
    heartbeat = Heartbeat()
    heartbeat.start()
    sampler = _sampled(heartbeat)
    started = time.perf_counter()
    await window.start()
    await asyncio.wait_for(done, 600)
    await asyncio.wait_for(asyncio.shield(views), 60)
    from rc_sms_desktop.ui.admin_view import AccountView

    for _ in range(2000):  # the Account tab is built on its own task once opened
        if isinstance(window.tabs.widget(1), AccountView):
            break
        await asyncio.sleep(0.005)
    wall = time.perf_counter() - started
    heartbeat.stop()
    stalls = []
    if sampler is not None:
        sampler.stop()
        stalls = sampler.stalls()
    rows = window.sender_model.rowCount()
    views_built = (views.done() and not views.cancelled() and views.exception() is None
                   and isinstance(window.tabs.widget(1), AccountView))
    await window.shutdown()
    return {**heartbeat.summary(), "wall_s": wall, "rows": rows, "views_built": views_built,
            **({"stalls": stalls} if stalls else {})}


TYPED_TEXT = ("Hi Sam, your order #4521 is ready for pickup at our Main St store until 6 pm "
              "today. Reply STOP to opt out. Questions? Call us at (650) 555-0101. Thanks! ")


async def _typing(url: str) -> dict[str, Any]:
    """The real window with its compose panel; once the numbers show, a user types a message
    (one key every 20 ms, ~3 keys a second faster than a fast typist) and a recipient while the
    heartbeat runs: every key re-checks the message (counter, content checks, preflight)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

    import benchmarks.simulator_process  # noqa: F401 - the harness's imports are not the app's
    from benchmarks.bench_services import ServedSimulatorServices
    from rc_sms_desktop.infra.settings import Settings
    from rc_sms_desktop.ui.app import install_views_after_first_paint
    from rc_sms_desktop.ui.main_window import MainWindow

    window = MainWindow(ServedSimulatorServices(url), settings=Settings.load())
    views = install_views_after_first_paint(window)
    window.show()
    await window.start()
    await asyncio.wait_for(asyncio.shield(views), 60)
    text = window.findChild(QPlainTextEdit, "composeText")
    recipients = window.findChild(QLineEdit, "composeRecipients")
    if text is None or recipients is None:
        raise RuntimeError("the compose panel has no message or recipient box")
    heartbeat = Heartbeat()
    heartbeat.start()
    sampler = _sampled(heartbeat)
    keys = 0
    boxes: tuple[tuple[QWidget, str], ...] = (
        (recipients, "+16505550123, +16505550124"), (text, TYPED_TEXT * 2))
    for box, typed in boxes:
        box.setFocus()
        for char in typed:
            QTest.keyClicks(box, char)
            keys += 1
            await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)  # whatever the last key started
    heartbeat.stop()
    stalls = []
    if sampler is not None:
        sampler.stop()
        stalls = sampler.stalls()
    typed_ok = text.toPlainText() == TYPED_TEXT * 2
    await window.shutdown()
    return {**heartbeat.summary(), "keys": keys, "typed_ok": typed_ok,
            **({"stalls": stalls} if stalls else {})}


async def _table(url: str) -> dict[str, Any]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from benchmarks.simulator_process import RunningSimulator, signed_in_client
    from rc_sms_desktop.core.account_table import COLUMN_INDEX
    from rc_sms_desktop.ui.admin_view import AccountView
    from rc_sms_desktop.ui.window_services import AccountSession

    view = AccountView()  # the real Account tab; its scan saves progress under XDG_CACHE_HOME
    view.resize(1400, 900)
    view.show()
    client = await signed_in_client(RunningSimulator(url=url, pid=0))
    view.set_session(AccountSession(client=client, environment="Benchmark simulator",
                                    is_demo=False, server_url=url, auth=client.authenticator))
    heartbeat = Heartbeat()
    heartbeat.start()
    sampler = _sampled(heartbeat)
    started = time.perf_counter()
    try:
        task = view.start_scan()
        assert task is not None
        await task
        wall = time.perf_counter() - started
        heartbeat.stop()
        stalls = []
        if sampler is not None:
            sampler.stop()
            stalls = sampler.stalls()
        if not view.scanning and view.model.rowCount() == 0:
            raise RuntimeError(f"the scan showed no rows: {view.status_label.text()}")
        app = QApplication.instance()
        assert app is not None

        def timed(action: Any, undo: Any) -> float:
            samples = []
            for index in range(5):
                begin = time.perf_counter()
                action(index)
                app.processEvents()  # the view's relayout and repaint are part of the wait
                samples.append((time.perf_counter() - begin) * 1000)
                undo()
                app.processEvents()
            return median(samples)

        def sort_by(column: str) -> Any:
            # Alternate the order: asking again for the order already shown sorts nothing.
            orders = (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder)
            return lambda i: view.table.sortByColumn(COLUMN_INDEX[column], orders[i % 2])

        blocked = max(1, view.verdict_filter.findData("Blocked"))
        ops = {
            "filter_text_ms": timed(lambda _i: view.search.setText("650"),
                                    lambda: view.search.setText("")),
            "filter_verdict_ms": timed(lambda _i: view.verdict_filter.setCurrentIndex(blocked),
                                       lambda: view.verdict_filter.setCurrentIndex(0)),
            "sort_number_ms": timed(sort_by("number"), lambda: None),
            "sort_owner_ms": timed(sort_by("owner"), lambda: None),
        }
        rows = view.model.rowCount()
        await view.shutdown()
    finally:
        await client.aclose()
    return {**heartbeat.summary(), "wall_s": wall, "rows": rows, **ops,
            **({"stalls": stalls} if stalls else {})}


def child(mode: str, url: str) -> dict[str, Any]:
    _app, loop = _qt_app()
    with loop:
        coroutine = {"window": _window, "typing": _typing, "table": _table}[mode](url)
        result: dict[str, Any] = loop.run_until_complete(coroutine)
    return result


def run(quick: bool) -> dict[str, Any]:
    from benchmarks import admin_scan, content_suggestion, rate_limit_floor

    env = sandbox_env()
    options = SimulatorOptions(rate_limits="production",
                               rate_window_s=rate_limit_floor.WINDOW_S,
                               user_numbers=rate_limit_floor.NUMBERS)
    # The window load is short (~7 s): ≥ 5 runs, median and worst (the goal applies to the worst).
    window_runs = []
    for _ in range(WINDOW_RUNS):
        with served_simulator(options) as simulator:
            window_runs.append(run_child("benchmarks.ui_heartbeat", ["window", simulator.url],
                                         env=env).data)
    window = max(window_runs, key=lambda run: float(run["max_gap_ms"]))
    window = {**window, "runs": len(window_runs),
              "max_gap_ms_median": median([float(r["max_gap_ms"]) for r in window_runs]),
              "max_gap_ms_runs": [float(r["max_gap_ms"]) for r in window_runs],
              "views_built_all": all(r["views_built"] for r in window_runs)}
    with served_simulator(options) as simulator:
        typing = run_child("benchmarks.ui_heartbeat", ["typing", simulator.url], env=env).data
    numbers, extensions = admin_scan.QUICK_SIZE if quick else admin_scan.FULL_SIZE
    options = SimulatorOptions(rate_limits="production", rate_window_s=admin_scan.WINDOW_S,
                               account_numbers=numbers, extensions=extensions)
    with served_simulator(options) as simulator:
        table = run_child("benchmarks.ui_heartbeat", ["table", simulator.url], env=env,
                          timeout_s=1800).data
    # Content checks at 1,000 numbers and the open picker's sender suggestion (#18, own module).
    suggestion = content_suggestion.measure(env)
    # Opening the picker with a message typed (#18's sender suggestion) is a view a user waits
    # on like the others: part of the goal since 5 December.
    worst = max(window["max_gap_ms"], typing["max_gap_ms"], table["max_gap_ms"],
                suggestion["typing"]["max_gap_ms"], suggestion["picker"]["max_gap_ms"])
    return {
        "content_suggestion": suggestion,
        "runs": WINDOW_RUNS,
        "heartbeat_ms": HEARTBEAT_MS,
        "window_load": window,
        "account_table": table,
        "compose_typing": typing,
        "max_gap_ms": worst,
        "p99_gap_ms": max(window["p99_gap_ms"], typing["p99_gap_ms"], table["p99_gap_ms"]),
        "goal": f"largest gap ≤ {GOAL_MAX_GAP_MS:g} ms",
        "goal_met": worst <= GOAL_MAX_GAP_MS,
    }


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], sys.argv[2])), flush=True)
