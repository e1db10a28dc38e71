"""What the window shows, as JSON in a file, for tests that drive the real app from outside.

Off unless `RC_SMS_DESKTOP_STATE_DUMP` names a file: then, four times a second, the window's
load state (running or not, the picker's count line, the banner, the chosen sender and what the
detail pane shows, the focused widget) and the screen rectangles of the widgets a user clicks
are written there (atomically: a temporary file, then a rename). An xdotool test under Xvfb
(tests/ui/test_xdotool_replay.py) reads it instead of a screenshot. No secrets: nothing here
comes from a token or a request, only what the window already shows.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, QTimer
from PySide6.QtWidgets import QApplication, QWidget

# Defined where start-up checks it, so that the app imports this module only when it is set.
from rc_sms_desktop.ui.app import STATE_DUMP_ENV as ENV

_log = logging.getLogger(__name__)

EVERY_MS = 250
# Widgets whose screen rectangles are dumped (object names), for clicks from outside.
CLICKABLE = (
    "senderCombo",
    "refreshButton",
    "onlySendableCheck",
    "composeSender",
    "composeRecipients",
    "composeText",
)


def install_state_dump(window: Any, environ: dict[str, str] | None = None) -> QTimer | None:
    """Start dumping `window`'s state when the environment asks for it (None when it does not)."""
    target = (environ if environ is not None else os.environ).get(ENV, "")
    if not target:
        return None
    path = Path(target)
    timer = QTimer(window)
    timer.setInterval(EVERY_MS)
    timer.timeout.connect(lambda: _dump(window, path))
    timer.start()
    _log.info("Writing the window's state to %s", path)
    return timer


def window_state(window: Any) -> dict[str, Any]:
    """The JSON-ready state of a `MainWindow`."""
    from rc_sms_desktop.core.marks import Mark, verdict_mark

    verdicts = window.sender_model.verdicts()
    chosen = window.current_sender()
    shown = window.detail_pane.verdict
    focus = QApplication.focusWidget()
    return {
        "loading": bool(window.load_runner.running),
        "numbers": len(verdicts),
        "being_checked": sum(1 for v in verdicts if verdict_mark(v) is Mark.LOADING),
        "count_text": window.count_label.text(),
        "banner": window.status_banner.state.value,
        "banner_text": window.status_banner.message(),
        "chosen": chosen.number.phone_number if chosen is not None else None,
        "detail_shows_chosen": shown is chosen,
        "detail_headline": window.detail_pane.headline() if shown is not None else "",
        "focus": focus.objectName() if focus is not None else None,
        "rects": _rects(window),
    }


def _rects(window: QObject) -> dict[str, list[int]]:
    rects: dict[str, list[int]] = {}
    for name in CLICKABLE:
        widget = window.findChild(QWidget, name)
        if widget is None or not widget.isVisible():
            continue
        corner = widget.mapToGlobal(QPoint(0, 0))
        rects[name] = [corner.x(), corner.y(), widget.width(), widget.height()]
    return rects


def _dump(window: Any, path: Path) -> None:
    try:
        text = json.dumps(window_state(window))
        partial = path.with_name(path.name + ".part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except Exception:  # a diagnostics channel must never break the window
        _log.debug("could not write the window state", exc_info=True)
