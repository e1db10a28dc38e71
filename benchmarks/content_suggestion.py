"""Scenario 5, content checks (#18): typing in the compose panel of a 1,000-number account, with
pauses so the debounced content check runs, and opening the picker with a message typed (the
sender suggestion), measured with scenario 5's 5 ms heartbeat. (Scenario 5's own typing part,
`ui_heartbeat typing`, types without pauses into the 150-number account.)

The real window, with the compose panel built after the first paint as the app does, loads the
demo account grown to 1,000 numbers (in-process simulator; rate-limit windows of 0.25 s so
the load, which is not what is measured here, takes seconds). Then, with the heartbeat running, a
~480-character message is typed one key at a time (a key every 30 ms, a 300 ms pause every 60
keys so the debounced content check runs on a growing text), and the "Send from" list is
opened and closed three times (each opening ranks all 1,000 numbers for the text). The largest
gap between ticks is the goal's measure (≤ 50 ms). Runs in a child process:
`python -m benchmarks.content_suggestion`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from benchmarks.timing import median, run_child
from benchmarks.ui_heartbeat import Heartbeat, _qt_app

NUMBERS = 1000
KEY_INTERVAL_S = 0.03
PAUSE_EVERY = 60
PAUSE_S = 0.3
MESSAGE = (
    "Spring sale at Rivera & Chen Outfitters! Take 25% off every jacket and $20 off hiking "
    "boots this weekend only. Members get early access from 9am Friday, and free shipping on "
    "orders over $50. Your order #4821 has shipped too: track it at bit.ly/rc-4821. Questions? "
    "Reply to this text or call (650) 555-0101. Wine tasting Saturday 4-7pm at the Market "
    "Street store, bring a friend. Offer ends Sunday at midnight, while supplies last."
)


async def _typing() -> dict[str, Any]:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

    from rc_sms_desktop.infra.settings import Settings
    from rc_sms_desktop.ui.app import install_views_after_first_paint
    from rc_sms_desktop.ui.main_window import MainWindow
    from rc_sms_desktop.ui.window_services import DefaultServices

    settings = Settings.load()
    window = MainWindow(DefaultServices(settings, simulator_options={"user_numbers": NUMBERS, "rate_window_s": 0.25}),
                        settings=settings)
    views = install_views_after_first_paint(window)
    window.show()
    await window.start()
    task = window.load_runner.task
    if task is not None:
        await asyncio.wait_for(task, 300)
    await asyncio.wait_for(views, 60)
    to = window.findChild(QLineEdit, "composeRecipients")
    text = window.findChild(QPlainTextEdit, "composeText")
    if to is None or text is None:
        raise RuntimeError("the compose panel was not built")
    to.setText("650 555 0123")
    text.setFocus()
    panel = window.findChild(QWidget, "composePanel")
    view = getattr(panel, "content_view", None)
    check_ms: list[float] = []
    if view is not None:
        # The debounced content check's own cost, apart from whatever else shares the cores.
        view._timer.timeout.disconnect()
        view._timer.timeout.connect(_timed(view.check_now, check_ms))
    await asyncio.sleep(0.5)

    heartbeat = Heartbeat()
    heartbeat.start()
    began = time.perf_counter()
    for typed, char in enumerate(MESSAGE, start=1):
        QTest.keyClicks(text, char)  # one key: textChanged, pre-flight, counter, debounce restart
        await asyncio.sleep(PAUSE_S if typed % PAUSE_EVERY == 0 else KEY_INTERVAL_S)
    await asyncio.sleep(PAUSE_S)  # the last debounced check
    typing_s = time.perf_counter() - began
    typing = heartbeat.summary()

    suggestion = getattr(panel, "suggestion", None)
    apply_ms: list[float] = []
    if suggestion is not None:
        # The reordering's own share of opening the list, timed as the picker runs it when its
        # list is about to open (calling it once more here would add a second ranking to the
        # gap a user never waits for: until 5 December the gap measured here held both, 54 ms).
        # The picker's signal holds the method it was connected to: connect the timed one.
        timed_apply = _timed(suggestion.apply, apply_ms)
        window.sender_combo.popupAboutToShow.disconnect()
        window.sender_combo.popupAboutToShow.connect(timed_apply)
    picker = Heartbeat()
    heartbeat.stop()
    picker.start()
    for _ in range(3):
        window.sender_combo.showPopup()  # reorders the list for the typed text, then shows it
        await asyncio.sleep(0.4)
        window.sender_combo.hidePopup()
        await asyncio.sleep(0.2)
    picker.stop()
    suggested = bool(suggestion is not None and apply_ms)
    rows = window.sender_model.rowCount()
    shown = bool(view is not None and view.label.text())
    await window.shutdown()
    return {
        "numbers": rows,
        "keys": len(MESSAGE),
        "typing_s": typing_s,
        "typing": typing,
        "picker": picker.summary(),
        "content_checks": len(check_ms),
        "content_check_ms_max": max(check_ms, default=float("nan")),
        "content_check_ms_median": median(check_ms) if check_ms else float("nan"),
        "suggest_apply_ms": median(apply_ms) if apply_ms else float("nan"),
        "suggested": suggested,
        "findings_shown": shown,
        "max_gap_ms": max(typing["max_gap_ms"], picker.summary()["max_gap_ms"]),
    }


def _timed(function: Callable[[], Any], samples: list[float]) -> Callable[[], Any]:
    """`function`, adding each call's duration (ms) to `samples`."""

    def timed() -> Any:
        begin = time.perf_counter()
        try:
            return function()
        finally:
            samples.append((time.perf_counter() - begin) * 1000)

    return timed


def child() -> dict[str, Any]:
    _app, loop = _qt_app()
    with loop:
        result: dict[str, Any] = loop.run_until_complete(_typing())
    return result


def measure(env: dict[str, str]) -> dict[str, Any]:
    """Run the scenario in a child process with `env` (the heartbeat scenario's sandbox)."""
    return run_child("benchmarks.content_suggestion", env=env, timeout_s=600).data


if __name__ == "__main__":
    print(json.dumps(child()), flush=True)
