"""The compose panel's content section: what the carriers may think of the text, as it is typed.

The checks themselves are Qt-free (core/content_checks.py). This widget only waits for the user
to pause (a single-shot timer restarted by every keystroke), runs them once on the loop (well
under a millisecond for a normal text, a few ms for 1,000 characters) and shows the findings as
plain text. Nothing here disables Send: content findings are warnings the user may overrule.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rc_sms_desktop.core.content_checks import ContentCheck, Fit, check_content
from rc_sms_desktop.core.eligibility import Severity, Verdict
from rc_sms_desktop.ui.labels import plain_label

# Long enough that a typist's keystrokes coalesce, short enough to feel live.
DEBOUNCE_MS = 250

_MARK = {Severity.ERROR: "✗", Severity.WARNING: "⚠", Severity.INFO: "ℹ"}


class ContentFindingsView(QWidget):
    """Shows the content findings for the text being composed and the picked sender.

    Call `schedule(text, verdict)` on every change; the check runs once the typing pauses.
    Signal: `checked(ContentCheck)` after each check (None when the text is empty).
    """

    checked = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("composeContent")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # Findings quote the user's own words: plain text, never markup.
        self.label = plain_label(self, "composeContentFindings", wrap=True, selectable=True)
        self.label.setAccessibleName("Content checks")
        layout.addWidget(self.label)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.check_now)
        self._text = ""
        self._verdict: Verdict | None = None
        self._last: ContentCheck | None = None
        self.setVisible(False)

    @property
    def last_check(self) -> ContentCheck | None:
        """The check now shown (None before the first pause or for an empty text)."""
        return self._last

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def schedule(self, text: str, verdict: Verdict | None) -> None:
        """Check `text` from `verdict`'s number once typing pauses (the latest call wins)."""
        if text == self._text and verdict is self._verdict and not self._timer.isActive():
            return
        self._text, self._verdict = text, verdict
        self._timer.start()

    def cancel(self) -> None:
        """Drop a pending check (the panel is going away: nobody would see its result)."""
        self._timer.stop()

    def check_now(self) -> None:
        self._timer.stop()
        if not self._text.strip():
            self._last = None
            self.label.setText("")
            self.setVisible(False)
            self.checked.emit(None)
            return
        check = check_content(self._text, self._verdict)
        self._last = check
        self.label.setText(describe(check))
        self.setVisible(bool(self.label.text()))
        self.checked.emit(check)


def describe(check: ContentCheck) -> str:
    """The section's text: the fit, then one line per finding with what to change."""
    lines: list[str] = []
    if check.fit is Fit.FITS:
        lines.append(f"✓ Content {check.fit_note()} (this number's campaign).")
    for finding in check.findings:
        lines.append(f"{_MARK.get(finding.severity, '•')} {finding.text()}")
    if check.findings and any(f.severity is Severity.WARNING for f in check.findings):
        lines.append("These are warnings: you can still send.")
    return "\n".join(lines)
