"""The compose panel: write a text from the picked number, see why Send is off, follow delivery.

Everything it decides comes from the Qt-free core: recipients (`core.recipients`), the counter
(`core.message_text`), attachments (`core.attachments`) and pre-flight (`core.preflight`); the
send and the status follow-up from `sending`. The panel only shows them and owns the task.

Sending runs as a plain coroutine, `send()`, that tests await; the Send button's slot only
starts it as a task that the panel keeps (latest wins, cancelled on `shutdown()`). Before the
first send from a real (non-demo) account a confirmation asks, through `QMessageBox.open()`,
never `exec()`, so the event loop keeps running while it is shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rc_sms_desktop.core.attachments import (
    Attachment,
    check_attachments,
    describe_attachment,
    format_size,
)
from rc_sms_desktop.core.eligibility import Severity, Verdict
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.core.message_text import analyse_text
from rc_sms_desktop.core.preflight import PreflightProblem, blocking_reason, preflight
from rc_sms_desktop.core.recipients import Recipient, parse_recipients, sender_region
from rc_sms_desktop.core.use_cases import describe_use_case
from rc_sms_desktop.ui.accessibility import announce, describe
from rc_sms_desktop.ui.content_findings import ContentFindingsView
from rc_sms_desktop.ui.labels import plain_label
from rc_sms_desktop.ui.sender_suggestion import SenderSuggestion, install_sender_suggestion
from rc_sms_desktop.ui.theme import mark_colour
from rc_sms_desktop.workflows.sending import (
    SendRefused,
    StatusUpdate,
    follow_status,
    send_message,
)

_log = logging.getLogger(__name__)

# RingCentral's rate-limit group of createSMSMessage and createMMS (https://developers.ringcentral.com/guide/basics/rate-limits).
_SEND_GROUP = "medium"

_SEVERITY_MARK = {Severity.ERROR: "✗", Severity.WARNING: "⚠", Severity.INFO: "ℹ"}


class ComposePanel(QWidget):
    """Compose and send one SMS/MMS from the sender the window has picked.

    Call `set_sender(verdict)` when the picked number changes and `set_session(session)` when
    the account changes (an object with `client` and `is_demo`, e.g. the window's
    `AccountSession`); `install(window)` wires both to a `MainWindow`.

    Signals: `statusChanged(str)` with each status line; `sendFinished(object)` with the final
    `StatusUpdate`, or None when the send was refused, declined or cancelled.
    """

    statusChanged = Signal(str)
    sendFinished = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        follow_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composePanel")
        self._verdict: Verdict | None = None
        self._client: Any = None
        self._is_demo = False
        self._confirmed_real_send = False
        self._attachments: list[Attachment] = []
        self._recipients: list[Recipient] = []
        self._problems: list[PreflightProblem] = []
        self._task: asyncio.Task[StatusUpdate | None] | None = None
        self._confirmation: QMessageBox | None = None
        self._follow_options = follow_options or {}
        self.suggestion: SenderSuggestion | None = None
        self._build()
        self._refresh()

    # ------------------------------------------------------------------------------ layout

    def _build(self) -> None:
        # Everything sits in a vertical scroll area: in a small window the panel scrolls instead
        # of cutting problem lines mid-line or squeezing the message box to one line.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("composeScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        content = QWidget(self.scroll_area)
        content.setObjectName("composeContent")
        self.scroll_area.setWidget(content)
        outer.addWidget(self.scroll_area)
        layout = QVBoxLayout(content)

        self.sender_label = plain_label(self, "composeSender", wrap=True)
        layout.addWidget(self.sender_label)

        self.use_cases_label = QLabel(self)
        self.use_cases_label.setObjectName("composeUseCases")
        self.use_cases_label.setWordWrap(True)
        self.use_cases_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.use_cases_label)

        to_label = QLabel("&To:", self)
        self.recipients_edit = QLineEdit(self)
        self.recipients_edit.setObjectName("composeRecipients")
        self.recipients_edit.setPlaceholderText("(650) 555-0123, +44 20 7946 0958")
        self.recipients_edit.setAccessibleName("Recipients")
        # Read after the name instead of the example placeholder, which is not a value.
        self.recipients_edit.setAccessibleDescription(_RECIPIENTS_HINT)
        to_label.setBuddy(self.recipients_edit)
        layout.addWidget(to_label)
        layout.addWidget(self.recipients_edit)
        self.recipient_marks = QLabel(self)
        self.recipient_marks.setObjectName("composeRecipientMarks")
        self.recipient_marks.setWordWrap(True)
        self.recipient_marks.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.recipient_marks)

        text_label = QLabel("&Message:", self)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("composeText")
        self.text_edit.setAccessibleName("Message text")
        self.text_edit.setPlaceholderText("Write your message…")
        # Tab moves on to Attach and Send: a typed tab character would also make the text
        # UCS-2 (70 characters a segment instead of 160).
        self.text_edit.setTabChangesFocus(True)
        text_label.setBuddy(self.text_edit)
        layout.addWidget(text_label)
        layout.addWidget(self.text_edit, 1)
        self.text_edit.setMinimumHeight(self.text_edit.fontMetrics().lineSpacing() * 5 + 12)
        self.counter_label = plain_label(self, "composeCounter", wrap=True)
        layout.addWidget(self.counter_label)
        # Content checks (#18) live in their own widget: does the text fit the campaign?
        self.content_view = ContentFindingsView(self)
        layout.addWidget(self.content_view)

        self.attachment_list = QListWidget(self)
        self.attachment_list.setObjectName("composeAttachments")
        self.attachment_list.setAccessibleName("Attachments")
        self.attachment_list.setMaximumHeight(90)
        layout.addWidget(self.attachment_list)
        row = QHBoxLayout()
        self.add_button = QPushButton("Attac&h…", self)
        self.add_button.setObjectName("composeAttachButton")
        self.remove_button = QPushButton("R&emove", self)
        self.remove_button.setObjectName("composeRemoveButton")
        self.attachment_summary = plain_label(self, "composeAttachmentSummary")
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addWidget(self.attachment_summary, 1)
        layout.addLayout(row)

        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("composeProblems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        self.problems_label.setOpenExternalLinks(True)
        # "Learn more" is reachable with Tab (and Enter opens it); see _refresh for its focus.
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.problems_label.setAccessibleName("Why Send is off and what to check")
        layout.addWidget(self.problems_label)

        send_row = QHBoxLayout()
        self.send_button = QPushButton("&Send", self)
        self.send_button.setObjectName("composeSendButton")
        send_row.addStretch(1)
        send_row.addWidget(self.send_button)
        layout.addLayout(send_row)

        self.status_label = plain_label(self, "composeStatus", wrap=True, selectable=True)
        layout.addWidget(self.status_label)

        self.recipients_edit.textChanged.connect(self._refresh)
        self.text_edit.textChanged.connect(self._refresh)
        self.add_button.clicked.connect(self._choose_files)
        self.remove_button.clicked.connect(self.remove_selected_attachments)
        self.attachment_list.itemSelectionChanged.connect(self._update_remove_button)
        self.send_button.clicked.connect(self._on_send_clicked)

    # ------------------------------------------------------------------------ public API

    def install(self, window: Any) -> None:
        """Put this panel into a `MainWindow` and follow its sender and session."""
        window.set_compose_panel(self)
        window.add_shutdown_hook(self.shutdown)
        window.senderChanged.connect(self.set_sender)
        window.sessionChanged.connect(self.set_session)
        self.set_session(window.session)
        self.set_sender(window.current_sender())
        self.suggestion = install_sender_suggestion(
            window, lambda: (self.text_edit.toPlainText(), self._recipients)
        )
        if self.suggestion is not None:
            # Typing paused: rank the senders now, while the user is not waiting on anything.
            self.content_view.checked.connect(self._prepare_suggestion)

    def _prepare_suggestion(self, _check: object) -> None:
        if self.suggestion is not None:
            self.suggestion.prepare()

    def set_sender(self, verdict: Verdict | None) -> None:
        """The number to send from (or None), with everything known about it."""
        self._verdict = verdict
        self._refresh()

    def set_session(self, session: Any) -> None:
        """The signed-in account: an object with `client` and `is_demo` (None when signed out)."""
        self.set_client(
            getattr(session, "client", None), is_demo=bool(getattr(session, "is_demo", False))
        )

    def set_client(self, client: Any, *, is_demo: bool) -> None:
        """Like `set_session`, for callers without a session object."""
        if client is not self._client:
            # A new account is a new first real send: ask again. A follow-up still running
            # belongs to the old account, whose client is about to close: stop it.
            self._confirmed_real_send = False
            if self._task is not None and not self._task.done():
                self._task.cancel()
        self._client = client
        self._is_demo = is_demo
        self._refresh()

    @property
    def recipients(self) -> list[Recipient]:
        return list(self._recipients)

    @property
    def attachments(self) -> list[Attachment]:
        return list(self._attachments)

    @property
    def problems(self) -> list[PreflightProblem]:
        """The current pre-flight problems (blocking ones first)."""
        return list(self._problems)

    @property
    def sending(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def confirmation_box(self) -> QMessageBox | None:
        """The confirmation shown before the first real send, while it is open."""
        return self._confirmation

    def disabled_reason(self) -> str | None:
        """Why Send is off, in words (None when it is on)."""
        if self.sending:
            return "Sending…"
        if self._client is None:
            return "Sign in to send messages."
        if self._verdict is None:
            return "Pick a number to send from."
        first = blocking_reason(self._problems)
        return first.text() if first else None

    def add_attachments(self, paths: Iterable[str]) -> None:
        """Attach files (measured now; unreadable or unsupported ones are listed with why)."""
        for path in paths:
            try:
                size: int | None = Path(path).stat().st_size
                error = None
            except OSError as exc:
                size, error = None, exc.strerror or str(exc)
            attachment = describe_attachment(path, size, read_error=error)
            self._attachments.append(attachment)
            label = f"{attachment.name} — {format_size(attachment.size)}"
            if attachment.problem:
                label = f"✗ {attachment.problem}"
            item = QListWidgetItem(label, self.attachment_list)
            item.setToolTip(f"{attachment.path}\n{attachment.problem or attachment.media_type}")
        self._refresh()

    def remove_selected_attachments(self) -> None:
        rows = sorted(
            (index.row() for index in self.attachment_list.selectedIndexes()), reverse=True
        )
        for row in rows:
            self.attachment_list.takeItem(row)
            del self._attachments[row]
        self._refresh()

    async def send(self) -> StatusUpdate | None:
        """Confirm if needed, send, and follow the status to the end (None if not sent)."""
        verdict, client = self._verdict, self._client
        if verdict is None or client is None or blocking_reason(self._problems) is not None:
            self._set_status(self.disabled_reason() or "Cannot send.")
            return None
        if not self._is_demo and not self._confirmed_real_send:
            if not await self._confirm_real_send(verdict):
                self._set_status("Not sent.")
                return None
            self._confirmed_real_send = True
        sender = verdict.number.phone_number or ""
        recipients, text, attachments = (
            list(self._recipients),
            self.text_edit.toPlainText(),
            list(self._attachments),
        )
        self._set_status("Sending…")
        stop_watching = self._watch_rate_limit(client)
        try:
            sent = await send_message(client, sender, recipients, text, attachments)
        except SendRefused as refused:
            self._set_status(f"Not sent. {refused.explanation.text()}", error=True)
            return None
        finally:
            stop_watching()
        # RingCentral has it now: clear the draft so the same text is not sent twice by accident.
        self.text_edit.clear()
        self._clear_attachments()
        final: StatusUpdate | None = None
        async for update in follow_status(client, sent, **self._follow_options):
            final = update
            self._set_status(update.text(), error=update.failed)
        return final

    def _watch_rate_limit(self, client: Any) -> Callable[[], None]:
        """Say so while the send waits out a penalty of RingCentral's Medium group (SMS/MMS)."""
        scheduler = getattr(client, "scheduler", None)
        if scheduler is None:
            return lambda: None

        def show(group: str, resume_at: float | None) -> None:
            if group.lower() != _SEND_GROUP or resume_at is None:
                return
            when = datetime.fromtimestamp(resume_at).strftime("%H:%M:%S")
            self._set_status(
                f"Waiting for RingCentral's sending limit (about 40 messages a minute); "
                f"sending at {when}…"
            )

        for group, resume_at in scheduler.paused_groups().items():
            show(group, resume_at)
        remove: Callable[[], None] = scheduler.add_listener(
            lambda pause: show(pause.group, pause.resume_at)
        )
        return remove

    async def shutdown(self) -> None:
        """Cancel a send in flight (the window calls this before closing the client) and the
        content check waiting for the typing to pause."""
        self.content_view.cancel()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._confirmation is not None:
            self._confirmation.close()

    # ------------------------------------------------------------------------ internals

    def _on_send_clicked(self) -> None:
        if self.sending:
            return
        self._task = asyncio.ensure_future(self._send_and_report())
        self._refresh()

    async def _send_and_report(self) -> StatusUpdate | None:
        try:
            result = await self.send()
        except asyncio.CancelledError:
            self._set_status("Sending cancelled; the message may still have gone out.")
            self.sendFinished.emit(None)
            raise
        except Exception:
            _log.exception("Sending failed unexpectedly")
            self._set_status("Sending failed unexpectedly; see the log for details.", error=True)
            result = None
        finally:
            # This task is ending: Send comes back (if pre-flight allows).
            if self._task is asyncio.current_task():
                self._task = None
            self._refresh()
        self.sendFinished.emit(result)
        return result

    async def _confirm_real_send(self, verdict: Verdict) -> bool:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[bool] = loop.create_future()
        box = QMessageBox(self)
        box.setObjectName("composeConfirmation")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Send a real text message?")
        count = len(self._recipients)
        box.setText(
            f"This sends a real message from {format_number(verdict.number.phone_number)} to "
            f"{count} recipient{'s' if count != 1 else ''} through your RingCentral account. "
            "Carrier charges and your campaign's rules apply."
        )
        box.setInformativeText("You will not be asked again in this session.")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def finished(result: int) -> None:
            if not answer.done():
                answer.set_result(result == QMessageBox.StandardButton.Yes.value)

        box.finished.connect(finished)
        self._confirmation = box
        box.open()
        try:
            return await answer
        finally:
            self._confirmation = None
            box.deleteLater()

    def _choose_files(self) -> None:
        dialog = QFileDialog(self, "Attach files")
        dialog.setObjectName("composeFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(self.add_attachments)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _clear_attachments(self) -> None:
        self._attachments.clear()
        self.attachment_list.clear()
        self._refresh()

    def _update_remove_button(self) -> None:
        self.remove_button.setEnabled(bool(self.attachment_list.selectedItems()))

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setProperty("error", error)
        # The result of a send is spoken: nobody has the status line focused.
        announce(self.status_label, text, assertive=error)
        self.statusChanged.emit(text)

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        # Closed on its own (not through the window's `shutdown`): a content check still
        # waiting for the typing to pause would only fire into a closed panel.
        self.content_view.cancel()
        super().closeEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._refresh()  # the recipient marks' colours follow light/dark

    def _refresh(self) -> None:
        verdict = self._verdict
        region = None
        if verdict is not None:
            country = verdict.number.country
            region = sender_region(
                verdict.number.phone_number, country.iso_code if country else None
            )
        self._recipients = parse_recipients(self.recipients_edit.text(), from_region=region)
        text = self.text_edit.toPlainText()

        self.counter_label.setText(analyse_text(text).summary())
        check = check_attachments(self._attachments)
        self.attachment_summary.setText(check.summary() if self._attachments else "No attachments")
        self.attachment_list.setVisible(bool(self._attachments))
        self._update_remove_button()
        self.recipient_marks.setText(_recipient_marks(self._recipients, self.palette()))
        # The To field's description carries its errors, so a screen reader reads them with it.
        errors = [r.problem for r in self._recipients if r.problem]
        describe(self.recipients_edit, " ".join([*errors, _RECIPIENTS_HINT]))
        self._show_sender(verdict)
        self.content_view.schedule(text, verdict)

        self._problems = (
            preflight(verdict, self._recipients, text, self._attachments) if verdict else []
        )
        reason = self.disabled_reason()
        self.send_button.setEnabled(reason is None)
        self.send_button.setToolTip(reason or "Send this message")
        # A disabled button takes no focus, so its reason is also its description and the
        # problems text below it is focusable (with its "Learn more" links) when there is any.
        self.send_button.setAccessibleDescription(reason or "")
        problems = _problems_html(self._problems, reason)
        self.problems_label.setText(problems)
        self.problems_label.setFocusPolicy(
            Qt.FocusPolicy.StrongFocus if problems else Qt.FocusPolicy.NoFocus
        )

    def _show_sender(self, verdict: Verdict | None) -> None:
        if verdict is None:
            self.sender_label.setText("No number picked.")
            self.use_cases_label.setText("")
            return
        self.sender_label.setText(
            f"From {format_number(verdict.number.phone_number)} — {verdict.headline}"
        )
        if verdict.use_cases:
            items = [describe_use_case(code) for code in verdict.use_cases]
            titles = ", ".join(
                f'<span title="{html.escape(item.description)}">{html.escape(item.title)}</span>'
                for item in items
            )
            self.use_cases_label.setText(
                f"Registered for: <b>{titles}</b>. Keep messages to these uses; carriers filter "
                "texts that do not match the campaign."
            )
            self.use_cases_label.setToolTip(
                "\n".join(f"{item.title}: {item.description}" for item in items)
            )
        else:
            self.use_cases_label.setText("")
            self.use_cases_label.setToolTip("")


_RECIPIENTS_HINT = "Phone numbers separated by commas, for example (650) 555-0123."


def _recipient_marks(recipients: Sequence[Recipient], palette: QPalette) -> str:
    error = mark_colour(Mark.BLOCKED, palette).name()
    warning = mark_colour(Mark.UNKNOWN, palette).name()
    parts: list[str] = []
    for recipient in recipients:
        if recipient.problem:
            parts.append(f"<span style='color:{error}'>✗ {html.escape(recipient.problem)}</span>")
            continue
        shown = html.escape(recipient.display or recipient.e164 or recipient.typed)
        if recipient.international:
            country = html.escape(recipient.country_name or recipient.region or "abroad")
            parts.append(f"✓ {shown} <i>(international: {country})</i>")
        else:
            parts.append(f"✓ {shown}")
        if recipient.warning:
            parts.append(f"<span style='color:{warning}'>⚠ {html.escape(recipient.warning)}</span>")
    return "<br>".join(parts)


def _problems_html(problems: Sequence[PreflightProblem], reason: str | None) -> str:
    lines: list[str] = []
    if problems:
        for problem in problems:
            mark = _SEVERITY_MARK.get(problem.severity, "•")
            text = html.escape(problem.text())
            who = html.escape(str(problem.who))
            link = f" <a href='{html.escape(problem.link)}'>Learn more</a>" if problem.link else ""
            lines.append(f"{mark} {text} <i>(who can fix it: {who})</i>{link}")
    elif reason:
        lines.append(html.escape(reason))
    return "<br>".join(lines)
