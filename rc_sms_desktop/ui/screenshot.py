"""`--screenshot`: picture the window after its first complete load (or failure), then close it.

The pictures in docs/screenshots and the packaging smoke tests come from here, so they must be
the same on every machine: a fixed window size, a roomier virtual screen on the offscreen
platform, and scratch settings (never this machine's remembered choices, which they must not
change either).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QComboBox, QWidget

from rc_sms_desktop.infra.settings import SETTINGS_VERSION, Settings

_log = logging.getLogger(__name__)

SCREENSHOT_SIZE = (1240, 820)
# Work the picture waits for (views still being built) at most this long.
WAIT_FOR_VIEWS_S = 3.0

# The offscreen platform's default screen is 800×600, too small for the window and its open
# picker; screenshots get a roomier virtual screen. For high-DPI pictures set QT_SCALE_FACTOR=2.
_SCREENSHOT_SCREEN = {"name": "screenshot", "x": 0, "y": 0, "width": 1400, "height": 1100,
                      "logicalDpi": 96, "logicalBaseDpi": 96}


def prepare_screenshot_platform() -> None:
    """Give the offscreen platform a screen large enough for the picture (before QApplication)."""
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return
    screen = dict(_SCREENSHOT_SCREEN)
    # QT_SCALE_FACTOR=2 halves the screen's size in logical pixels: grow it so the window and
    # its open picker still fit (a popup off the screen's edge is moved, and framed wrongly).
    try:
        scale = max(1.0, float(os.environ.get("QT_SCALE_FACTOR", "1") or 1))
    except ValueError:
        scale = 1.0
    screen["width"] = round(int(screen["width"]) * scale)  # type: ignore[call-overload]
    screen["height"] = round(int(screen["height"]) * scale)  # type: ignore[call-overload]
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - must outlive this function
        "w", prefix="rc-sms-offscreen-", suffix=".json", delete=False
    )
    with handle:
        json.dump({"screens": [screen]}, handle)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={handle.name}"


def scratch_settings() -> Settings:
    """Fresh default settings in a temporary file: pictures neither read nor change the user's."""
    scratch = Path(tempfile.mkdtemp(prefix="rc-sms-screenshot-")) / "settings.json"
    return Settings(scratch, {"version": SETTINGS_VERSION})


class Screenshot:
    """Takes the window's picture once (with the "Send from" list open if asked), then `close`s."""

    def __init__(
        self,
        window: QWidget,
        picker: QComboBox,
        path: Path,
        *,
        with_picker: bool,
        close: Callable[[], None],
    ) -> None:
        self._window = window
        self._picker = picker
        self._path = path
        self._with_picker = with_picker
        self._close = close
        self._taken = False
        self._waits: list[Awaitable[Any]] = []

    def wait_for(self, work: Awaitable[Any]) -> None:
        """The picture waits for `work` too (views still being built), up to `WAIT_FOR_VIEWS_S`."""
        self._waits.append(work)

    async def take(self) -> None:
        """Render the window to a PNG, then close it; later calls do nothing."""
        if self._taken:
            return
        self._taken = True
        if self._waits:
            await asyncio.wait([asyncio.ensure_future(w) for w in self._waits], timeout=WAIT_FOR_VIEWS_S)
        await asyncio.sleep(0.15)  # let layouts settle and pending batches paint
        window = self._window
        pixmap = window.grab()
        if self._with_picker:
            self._picker.showPopup()
            await asyncio.sleep(0.2)
            popup = self._picker.view().window()
            pixmap = window.grab()
            painter = QPainter(pixmap)
            offset = popup.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
            painter.drawPixmap(offset, popup.grab())
            painter.end()
            self._picker.hidePopup()
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if not pixmap.save(str(self._path), "PNG"):
            _log.error("could not save the screenshot to %s", self._path)
        self._close()
