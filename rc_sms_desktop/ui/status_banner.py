"""The status area under the header: delayed load progress, rate-limit countdown, errors with Retry."""

from __future__ import annotations

import math
import time
from enum import StrEnum

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.ui.labels import plain_label
from rc_sms_desktop.ui.theme import mark_icon, tint

# Progress appears only when a load lasts longer than this, so quick refreshes do not flicker.
PROGRESS_DELAY_MS = 300
# Rate-limit pauses shorter than this pass without a message (the progress bar just waits).
MIN_PAUSE_SHOWN_S = 0.5


class BannerState(StrEnum):
    """What the banner is showing."""

    IDLE = "idle"
    LOADING = "loading"
    RATE_LIMITED = "rate-limited"
    ERROR = "error"
    WARNING = "warning"


class StatusBanner(QFrame):
    """A non-modal strip that says what the app is doing or what went wrong.

    Signals: `retryRequested()` when the user presses Retry on an error; `stateChanged(state)`
    whenever what it shows changes (a `BannerState` value).
    """

    retryRequested = Signal()
    stateChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBanner")
        self.setAccessibleName("Status")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._state = BannerState.IDLE
        self._resume_deadline = 0.0
        self._what = ""
        self._look: Mark | None = None
        self._pacing = ""
        self._done = self._total = 0

        self._icon = QLabel(self)
        self._icon.setFixedSize(18, 18)
        self._message = plain_label(self, "statusMessage", wrap=True, selectable=True)
        self._message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._progress = QProgressBar(self)
        self._progress.setObjectName("loadProgress")
        self._progress.setAccessibleName("Loading progress")
        self._progress.setMaximumWidth(220)
        self._progress.setTextVisible(True)
        self._retry = QPushButton("&Retry", self)
        self._retry.setObjectName("retryButton")
        self._retry.setAccessibleName("Retry loading")
        self._retry.clicked.connect(self.retryRequested)
        self._dismiss = QPushButton("Dismiss", self)
        self._dismiss.setObjectName("dismissButton")
        self._dismiss.setAccessibleName("Dismiss this message")
        self._dismiss.clicked.connect(self.clear)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._message, 1)
        layout.addWidget(self._progress)
        layout.addWidget(self._retry)
        layout.addWidget(self._dismiss)

        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(PROGRESS_DELAY_MS)
        self._show_timer.timeout.connect(self._reveal_progress)
        self._countdown_timer = QTimer(self)
        self._countdown_timer.setInterval(250)
        self._countdown_timer.timeout.connect(self._tick_countdown)
        self._progress_text = "Loading…"
        self.hide()

    # -- what tests and the window read ---------------------------------------------------------

    @property
    def state(self) -> BannerState:
        return self._state

    def message(self) -> str:
        """The text the user sees (empty when the banner is hidden)."""
        return self._message.text() if self.isVisible() else ""

    # -- what the window calls -------------------------------------------------------------------

    def loading_started(self, text: str = "Loading your numbers…") -> None:
        """A load began: show progress only if it is still running after the delay."""
        self._countdown_timer.stop()
        self._pacing = ""
        self._done = self._total = 0
        self._set_state(BannerState.LOADING)
        self._progress_text = text
        self._progress.setRange(0, 0)
        if not self.isVisible():
            self._show_timer.start()
        else:
            self._reveal_progress()

    def progress(self, done: int, total: int) -> None:
        if self._state is BannerState.RATE_LIMITED and time.monotonic() < self._resume_deadline:
            # Keep the countdown up; the bar still moves underneath it.
            self._progress.setRange(0, max(total, 1))
            self._progress.setValue(min(done, total))
            return
        if self._state not in (BannerState.LOADING, BannerState.RATE_LIMITED):
            return
        self._set_state(BannerState.LOADING)
        self._countdown_timer.stop()
        self._progress.setRange(0, max(total, 1))
        self._progress.setValue(min(done, total))
        self._progress.setFormat(f"{done} of {total}")
        self._done, self._total = done, total
        self._show_progress_text()
        if self.isVisible() and self._look is not Mark.LOADING:
            self._set_look(Mark.LOADING)

    def set_pacing(self, note: str) -> None:
        """A second sentence while loading, e.g. why it is slow ("" removes it)."""
        if note == self._pacing:
            return
        self._pacing = note
        if self._state is BannerState.LOADING:
            self._show_progress_text()
            if note and not self.isVisible():
                self._show_timer.stop()
                self._reveal_progress()  # a note is worth showing at once

    def _show_progress_text(self) -> None:
        if self._total:
            text = f"Checking SMS registration: {self._done} of {self._total} numbers done."
        else:
            text = self._progress_text
        self._message.setText(f"{text} {self._pacing}" if self._pacing else text)

    def rate_limited(self, seconds: float, what: str = "") -> None:
        """RingCentral asked us to wait: show a countdown at once (no delay; the user must know).

        Pauses shorter than `MIN_PAUSE_SHOWN_S` are not worth a message; 0 means "resumed"."""
        if seconds < MIN_PAUSE_SHOWN_S:
            if self._state is BannerState.RATE_LIMITED:
                self._resume_deadline = 0.0
                self._tick_countdown()
            return
        self._show_timer.stop()
        self._resume_deadline = time.monotonic() + max(0.0, seconds)
        self._set_look(Mark.UNKNOWN)
        self._progress.setVisible(True)
        self._retry.setVisible(False)
        self._dismiss.setVisible(False)
        self._what = what
        self._tick_countdown()
        self._countdown_timer.start()
        self.show()
        self._set_state(BannerState.RATE_LIMITED)

    def loading_finished(self) -> None:
        if self._state in (BannerState.LOADING, BannerState.RATE_LIMITED):
            self.clear()

    def show_error(self, text: str, *, retry: bool = True, retry_text: str = "&Retry") -> None:
        """An error in words; `retry_text` names what the button does (e.g. "Sign in again")."""
        self._stop_timers()
        self._retry.setText(retry_text)
        self._retry.setAccessibleName(retry_text.replace("&", ""))
        self._message.setText(text)
        self._set_look(Mark.BLOCKED)
        self._progress.setVisible(False)
        self._retry.setVisible(retry)
        self._dismiss.setVisible(True)
        self.show()
        self._set_state(BannerState.ERROR)

    def show_warning(self, text: str) -> None:
        if self._state is BannerState.ERROR:
            return  # an error matters more than a warning
        self._stop_timers()
        self._message.setText(text)
        self._set_look(Mark.UNKNOWN)
        self._progress.setVisible(False)
        self._retry.setVisible(False)
        self._dismiss.setVisible(True)
        self.show()
        self._set_state(BannerState.WARNING)

    def clear(self) -> None:
        self._stop_timers()
        self._message.clear()
        self.hide()
        self._set_state(BannerState.IDLE)

    # -- internals -------------------------------------------------------------------------------

    def _set_state(self, state: BannerState) -> None:
        if state is not self._state:
            self._state = state
            self.stateChanged.emit(state.value)

    def _stop_timers(self) -> None:
        self._show_timer.stop()
        self._countdown_timer.stop()

    def _reveal_progress(self) -> None:
        if self._state is not BannerState.LOADING:
            return
        if not self._message.text() or self._progress.maximum() == 0:
            self._show_progress_text()
        self._set_look(Mark.LOADING)
        self._progress.setVisible(True)
        self._retry.setVisible(False)
        self._dismiss.setVisible(False)
        self.show()

    def _tick_countdown(self) -> None:
        remaining = self._resume_deadline - time.monotonic()
        if remaining <= 0:
            self._countdown_timer.stop()
            self._set_state(BannerState.LOADING)
            self._message.setText("Resuming…")
            self._set_look(Mark.LOADING)
            return
        seconds = math.ceil(remaining)
        unit = "second" if seconds == 1 else "seconds"
        what = f" ({self._what})" if self._what else ""
        self._message.setText(
            f"RingCentral asked us to slow down{what}. Resuming in {seconds} {unit}… "
            "Numbers already checked stay shown."
        )

    def _set_look(self, mark: Mark) -> None:
        self._look = mark
        self._icon.setPixmap(mark_icon(mark).pixmap(QSize(18, 18), self.devicePixelRatioF()))
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, tint(mark, QGuiApplication.palette()))
        self.setPalette(palette)
