"""Fix it from the app: the Campaigns tab, "Link to campaign…", "Change who texts from this
number…", "Ask my admin", and "Recent changes" (the audit log).

Everything RingCentral sends is shown as plain text (or escaped before it reaches rich text).
Dialogs open with `open()`; their I/O runs as tasks on the qasync loop. The work itself is
workflows/fixes.py, the same code the `link-numbers` and `assign-sms` commands run.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rc_sms_desktop.api import endpoints
from rc_sms_desktop.api.errors import ApiError
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.models import PhoneNumber, parse_extension
from rc_sms_desktop.core.registrations import (
    Plan,
    Recipient,
    TcrBrand,
    TcrCampaign,
    brand_advice,
    brand_status_words,
    campaign_advice,
    campaign_status_words,
    plan_assign,
    plan_link,
    tier_words,
    use_case_lines,
)
from rc_sms_desktop.core.text_safety import without_bidi_controls
from rc_sms_desktop.infra.audit_log import AuditLog
from rc_sms_desktop.ui.labels import plain_label
from rc_sms_desktop.workflows import fixes

_log = logging.getLogger(__name__)

CAMPAIGNS_TAB_TITLE = "Cam&paigns"  # Alt+M is the message box (#19); ui/app.py reserves its place under the same title
LINK_ACTION = "Link to campaign…"
ASSIGN_ACTION = "Change who texts from this number…"
ASK_ACTION = "Ask my admin…"


def _shown(number: str) -> str:
    return format_number(number) or number


def _plain(text: object) -> str:
    """Server text for a widget: no bidi control may reorder what follows it (core/text_safety)."""
    return without_bidi_controls(str(text))


def _e(text: object) -> str:
    return html.escape(_plain(text))


class FixController(QObject):
    """One per window: who is signed in and what they may do, the audit log, the dialogs, and
    the targeted refresh after a change."""

    permissionsChanged = Signal()
    changed = Signal()  # an applied change: the audit log has a new entry

    def __init__(self, window: Any, audit: AuditLog | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.audit = audit or AuditLog()
        self.session: Any = None
        self.who: fixes.SignedIn | None = None
        self.account_view: Any = None
        self.tasks: set[asyncio.Task[Any]] = set()
        self.dialogs: list[QDialog] = []
        # Numbers linked but not yet SMS-enabled -> the campaign's name (their rows say so).
        self.waiting: dict[str, str] = {}

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def shutdown(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        for task in list(self.tasks):
            with contextlib.suppress(BaseException):
                await task

    def set_session(self, session: Any) -> None:
        self.session = session
        self.who = None
        self.permissionsChanged.emit()
        if session is not None:
            with contextlib.suppress(RuntimeError):  # no running loop (tests without one)
                self.spawn(self._read_who(session))

    async def _read_who(self, session: Any) -> None:
        try:
            who = await fixes.who_am_i(session.client)
        except ApiError as error:
            _log.info("could not read the signed-in extension: %s", error)
            return
        if session is self.session:
            self.who = who
            self.permissionsChanged.emit()

    def why_not(self, action: str) -> str | None:
        """Why the action is off for this user (None when it is on)."""
        if self.session is None:
            return "Sign in first."
        if self.who is None:
            return "Checking what your RingCentral role allows…"
        return self.who.may(action)

    # -- dialogs ---------------------------------------------------------------------------

    def _keep(self, dialog: QDialog) -> QDialog:
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _=0: self.dialogs.remove(dialog)
                                if dialog in self.dialogs else None)
        dialog.open()
        return dialog

    def open_link_dialog(self, numbers: Sequence[str]) -> QDialog | None:
        if self.session is None or not numbers:
            return None
        return self._keep(LinkDialog(self, list(numbers), self.window))

    def open_assign_dialog(self, number: str) -> QDialog | None:
        if self.session is None or not number:
            return None
        return self._keep(AssignDialog(self, number, self.window))

    def open_ask_admin(self, number: str, problem: str, step: str, link: str | None) -> QDialog:
        return self._keep(AskAdminDialog(number, problem, step, link, self.window))

    # -- after a change --------------------------------------------------------------------

    def _with_waiting(self, row: Any) -> Any:
        campaign = self.waiting.get(row.e164)
        if campaign is None:
            return row
        note = (f"Linked to “{campaign}”: waiting for RingCentral to enable SMS (the app "
                "re-checks this number).")
        return dataclasses.replace(row, notes=(*row.notes, note))

    async def refresh_after_change(self, numbers: Sequence[str],
                                   extension_ids: Sequence[str] = ()) -> None:
        """Re-read the verdicts of `numbers` only: the picker's (the user's own numbers) and
        the Account tab's rows, without reloading either."""
        session = self.session
        if session is None:
            return
        from rc_sms_desktop.workflows.sending import find_sender

        fresh = []
        for number in numbers:
            with contextlib.suppress(ApiError):
                verdict = await find_sender(session.client, number)
                if verdict is not None:
                    fresh.append(verdict)
        updater = getattr(self.window, "update_verdicts", None)
        if fresh and updater is not None:
            updater(fresh)
        view = self.account_view
        scan = getattr(view, "_scan", None)
        if view is not None and scan is not None:
            keys = [r.key for r in view.model.rows if r.e164 in set(numbers)]
            if keys:
                with contextlib.suppress(ApiError):
                    rows = await fixes.refresh_join(session.client, scan.join, keys,
                                                    list(extension_ids))
                    view.model.upsert([self._with_waiting(row) for row in rows])
                    refresh = getattr(view, "_refresh_current", None)
                    if refresh is not None:
                        refresh()
        self.changed.emit()


class _ChangeDialog(QDialog):
    """A dialog whose button changes the account: the first click only asks to confirm."""

    status: QLabel
    _confirming = False

    def _second_click(self, button: QPushButton, choice: QComboBox, confirm: str,
                      warning: str) -> bool:
        """False on the first click: `button` then reads `confirm` and the status `warning`.
        True on the second, differently worded one: the button and `choice` are locked and the
        status says the change is being sent."""
        if not self._confirming:
            self._confirming = True
            button.setText(confirm)
            self.status.setText(warning)
            return False
        button.setEnabled(False)
        choice.setEnabled(False)
        self.status.setText("Sending to RingCentral…")
        return True


# --- Link to campaign… -------------------------------------------------------------------------

class LinkDialog(_ChangeDialog):
    """Preview and link numbers to a Confirmed campaign, then follow their provisioning."""

    def __init__(self, controller: FixController, numbers: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linkDialog")
        self.setWindowTitle("Link to campaign")
        self.controller = controller
        self.numbers = numbers
        self.campaigns: list[TcrCampaign] = []
        self.account: dict[str, PhoneNumber] = {}
        self.current: dict[str, str | None] = {}
        self.plan: Plan | None = None
        self.outcome: fixes.Result | None = None
        self._confirming = False
        self.row_state: dict[str, str] = {}

        layout = QVBoxLayout(self)
        intro = QLabel("Link the numbers to an approved (Confirmed) 10DLC campaign. RingCentral "
                       "then enables SMS on them; that can take a while.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        caption = QLabel("&Campaign:", self)
        self.campaign_combo = QComboBox(self)
        self.campaign_combo.setObjectName("campaignCombo")
        self.campaign_combo.setAccessibleName("Campaign to link the numbers to")
        caption.setBuddy(self.campaign_combo)
        row.addWidget(caption)
        row.addWidget(self.campaign_combo, 1)
        layout.addLayout(row)
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("linkPreview")
        self.table.setAccessibleName("What will happen to each number")
        self.table.setHorizontalHeaderLabels(["Number", "What will happen"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.status = plain_label(self, "linkStatus", "Reading the campaigns and the numbers…", wrap=True)
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(self)
        self.link_button = self.buttons.addButton("&Link…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.link_button.setObjectName("linkButton")
        self.link_button.setEnabled(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self._on_link)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(640, 380)
        self.campaign_combo.currentIndexChanged.connect(self._replan)
        self.load_task = controller.spawn(self._load())

    def accept(self) -> None:  # the Link button confirms; it never closes the dialog
        self._on_link()

    async def _load(self) -> None:
        client = self.controller.session.client
        try:
            registrations = await fixes.read_registrations(client)
            self.account = await fixes.account_numbers(client)
            for e164 in self.numbers:
                number = self.account.get(e164)
                if number is not None:
                    with contextlib.suppress(ApiError):
                        self.current[e164] = await fixes.current_campaign(client, number)
        except ApiError as error:
            problem = fixes.api_problem(error, "link-numbers")
            self.status.setText(f"{problem.message} {problem.fix}")
            return
        self.campaigns = [c for _, cs in registrations for c in cs if c.confirmed]
        others = sum(1 for _, cs in registrations for c in cs if not c.confirmed)
        self.campaign_combo.blockSignals(True)
        for campaign in self.campaigns:
            self.campaign_combo.addItem(
                _plain(f"{campaign.name} ({campaign.id}) · {tier_words(campaign.registration_tier)}"),
                campaign.id)
        self.campaign_combo.blockSignals(False)
        if not self.campaigns:
            self.status.setText("No campaign of this account is Confirmed: numbers can only be "
                                "linked to an approved campaign. See the Campaigns tab.")
            return
        self.status.setText(f"{others} campaign(s) that are not Confirmed are not offered.")
        self._replan()

    def selected_campaign(self) -> TcrCampaign | None:
        wanted = self.campaign_combo.currentData()
        return next((c for c in self.campaigns if c.id == wanted), None)

    def _replan(self) -> None:
        campaign = self.selected_campaign()
        if campaign is None or self.outcome is not None:
            return
        self._confirming = False
        self.plan = plan_link(self.numbers, self.account, self.current, campaign)
        for change in self.plan.changes:
            self.row_state[change.phone_number] = (
                f"Will be linked to “{_plain(campaign.name)}” (now: "
                f"{change.before.get('campaign') or 'no campaign'})")
        for problem in self.plan.problems:
            if problem.phone_number:
                self.row_state[problem.phone_number] = (
                    f"Refused [{problem.code}]: {_plain(problem.message)}")
        self._fill()
        why = self.controller.why_not("link-numbers")
        self.link_button.setEnabled(bool(self.plan.changes) and why is None)
        self.link_button.setText(f"&Link {len(self.plan.changes)} number(s)…")
        if why:
            self.link_button.setToolTip(why)
            self.status.setText(why)

    def _fill(self) -> None:
        self.table.setRowCount(len(self.numbers))
        for index, e164 in enumerate(self.numbers):
            self.table.setItem(index, 0, QTableWidgetItem(_shown(e164)))
            self.table.setItem(index, 1, QTableWidgetItem(self.row_state.get(e164, "")))

    def row_text(self, e164: str) -> str:
        return self.row_state.get(e164, "")

    def _on_link(self) -> None:
        campaign = self.selected_campaign()
        if self.plan is None or campaign is None or not self.plan.changes:
            return
        if self._second_click(
                self.link_button, self.campaign_combo,
                f"&Confirm: link {len(self.plan.changes)} number(s) to “{_plain(campaign.name)}”",
                "This changes your account's SMS registration. Confirm to send it to RingCentral."):
            self.apply_task = self.controller.spawn(self._apply(self.plan))

    async def _apply(self, plan: Plan) -> None:
        controller = self.controller
        who = controller.who or fixes.SignedIn(None, None, None, None)
        result = await fixes.link_numbers(controller.session.client, plan, self.account,
                                          who=who, audit=controller.audit)
        self.outcome = result
        self.link_button.setText("Linked" if result.changes else "Not linked")
        for change in result.changes:
            self.row_state[change.phone_number] = (
                "Linked: waiting for RingCentral to enable SMS (campaign and SmsSender)…")
        for problem in result.problems:
            if problem.phone_number is None:
                self.status.setText(f"{problem.message} {problem.fix}")
            elif problem.code == "write-unconfirmed":
                self.status.setText(problem.message)
        self._fill()
        if result.outcome == "applied":
            self.status.setText("Linked. RingCentral is provisioning the numbers; this window "
                                "re-checks them now and then.")
        elif not result.changes:
            self.status.setText(" ".join(f"{p.message} {p.fix}" for p in result.problems))
        if result.changes:
            for change in result.changes:
                controller.waiting[change.phone_number] = plan.target["campaignName"]
            controller.changed.emit()
            await controller.refresh_after_change([c.phone_number for c in result.changes])
            await self._follow([c.phone_number for c in result.changes],
                               plan.target["campaignId"])

    async def _follow(self, numbers: list[str], campaign_id: str) -> None:
        targets = [self.account[n] for n in numbers if n in self.account]
        async for e164, ready in fixes.follow_provisioning(
                self.controller.session.client, targets, campaign_id,
                first_wait=self.first_wait):
            self.row_state[e164] = ("Ready: linked and SMS-enabled" if ready else
                                    f"Waiting for RingCentral (checked {datetime.now():%H:%M:%S})")
            self._fill()
            if ready:
                self.controller.waiting.pop(e164, None)
                await self.controller.refresh_after_change([e164])
        self.status.setText("Done: every linked number is ready to text.")

    first_wait = 5.0


# --- Change who texts from this number… --------------------------------------------------------

class AssignDialog(_ChangeDialog):
    """Give a call queue's, IVR's or site's number's SMS to another extension."""

    def __init__(self, controller: FixController, number: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assignDialog")
        self.setWindowTitle("Change who texts from this number")
        self.controller = controller
        self.number = number
        self.account_number: PhoneNumber | None = None
        self.owner_type: str | None = None
        self.holders: list[Recipient] = []
        self.candidates: list[Recipient] = []
        self.plan: Plan | None = None
        self.outcome: fixes.Result | None = None
        self._confirming = False

        layout = QVBoxLayout(self)
        self.heading = plain_label(self, "assignHeading", f"Who texts from {_shown(number)}")
        layout.addWidget(self.heading)
        self.now_label = plain_label(self, "assignNow", "Reading who holds its SMS now…", wrap=True)
        layout.addWidget(self.now_label)
        row = QHBoxLayout()
        caption = QLabel("&Give its SMS to:", self)
        self.extension_combo = QComboBox(self)
        self.extension_combo.setObjectName("extensionCombo")
        self.extension_combo.setAccessibleName("Extension that will text from this number")
        caption.setBuddy(self.extension_combo)
        row.addWidget(caption)
        row.addWidget(self.extension_combo, 1)
        layout.addLayout(row)
        self.preview = plain_label(self, "assignPreview", wrap=True)
        layout.addWidget(self.preview)
        self.status = plain_label(self, "assignStatus", wrap=True, selectable=True)
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(self)
        self.assign_button = self.buttons.addButton("&Assign…",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.assign_button.setObjectName("assignButton")
        self.assign_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self._on_assign)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(560, 260)
        self.extension_combo.currentIndexChanged.connect(self._replan)
        self.load_task = controller.spawn(self._load())

    def accept(self) -> None:
        self._on_assign()

    async def _load(self) -> None:
        client = self.controller.session.client
        try:
            numbers = await fixes.account_numbers(client)
            self.account_number = numbers.get(self.number)
            if self.account_number is not None:
                self.owner_type = await fixes.owner_type(client, self.account_number)
                owner = self.account_number.extension
                if owner and owner.id and self.owner_type in ("Department", "IvrMenu", "Site"):
                    self.holders = await fixes.sms_recipients(client, owner.id)
            listed = await client.get_all(endpoints.EXTENSIONS,
                                          params={"type": "User", "status": "Enabled"})
        except ApiError as error:
            problem = fixes.api_problem(error, "assign-sms")
            self.status.setText(f"{problem.message} {problem.fix}")
            return
        held = {h.id: h for h in self.holders}
        for record in listed.records:
            ext = parse_extension(record)
            if ext.id:
                # getSmsRecipients reports `assignable`/`hasLicense` for the current holders.
                known = held.get(ext.id)
                self.candidates.append(known or Recipient(
                    ext.id, ext.extension_number or "", ext.name or "", ext.type or "User"))
        self.now_label.setText("Now: " + (", ".join(self._describe(h) for h in self.holders)
                                          or "nobody holds its SMS"))
        self.extension_combo.blockSignals(True)
        for candidate in self.candidates:
            self.extension_combo.addItem(_plain(self._describe(candidate)), candidate.id)
        self.extension_combo.blockSignals(False)
        self._replan()

    @staticmethod
    def _describe(recipient: Recipient) -> str:
        notes = []
        if recipient.assignable is False:
            notes.append("cannot be assigned")
        if recipient.has_license is False:
            notes.append("no messaging licence")
        return recipient.describe() + (f" ({', '.join(notes)})" if notes else "")

    def _replan(self) -> None:
        if self.outcome is not None:
            return
        self._confirming = False
        wanted = self.extension_combo.currentData()
        target = next((c for c in self.candidates if c.id == wanted), None)
        self.plan = plan_assign(self.number, self.account_number, self.owner_type, self.holders,
                                target)
        why = self.controller.why_not("assign-sms")
        if self.plan.refused:
            problem = self.plan.problems[0]
            self.preview.setText(f"{problem.message} [{problem.code}]")
            self.status.setText(problem.fix)
            self.extension_combo.setEnabled(problem.code not in ("reassign-not-supported",
                                                                 "not-shared", "not-in-account"))
        else:
            change = self.plan.changes[0]
            before = ", ".join(change.before["smsRecipients"]) or "nobody"
            after = ", ".join(change.after["smsRecipients"])
            self.preview.setText(f"Before: {before}\nAfter: {after}")
            self.status.setText(why or "")
        self.assign_button.setEnabled(not self.plan.refused and why is None)
        if why:
            self.assign_button.setToolTip(why)

    def _on_assign(self) -> None:
        if self.plan is None or self.plan.refused:
            return
        if self._second_click(
                self.assign_button, self.extension_combo, "&Confirm the change",
                "This changes who receives and sends this number's texts. Confirm to send it to "
                "RingCentral."):
            self.apply_task = self.controller.spawn(self._apply(self.plan))

    async def _apply(self, plan: Plan) -> None:
        controller = self.controller
        who = controller.who or fixes.SignedIn(None, None, None, None)
        result = await fixes.assign_sms(controller.session.client, plan, who=who,
                                        audit=controller.audit)
        self.outcome = result
        self.assign_button.setText("Assigned" if result.outcome == "applied" else "Not assigned")
        if result.outcome == "applied":
            self.status.setText("Done: " + self.preview.text().replace("\n", "; "))
            touched = [h.id for h in self.holders] + [plan.target["addedExtensionId"]]
            controller.changed.emit()
            await controller.refresh_after_change([self.number], touched)
        else:
            self.status.setText(" ".join(f"{p.message} {p.fix}" for p in result.problems))


# --- Ask my admin -------------------------------------------------------------------------------

class AskAdminDialog(QDialog):
    """A ready text for the admin: copy it, or open it in the mail client."""

    def __init__(self, number: str, problem: str, step: str, link: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("askAdminDialog")
        self.setWindowTitle("Ask my admin")
        self.text = fixes.ask_admin_text(_shown(number), _plain(problem), _plain(step), link)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Send this to your RingCentral admin:", self))
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("askAdminText")
        self.editor.setPlainText(self.text)
        layout.addWidget(self.editor, 1)
        buttons = QDialogButtonBox(self)
        copy = buttons.addButton("&Copy", QDialogButtonBox.ButtonRole.ActionRole)
        mail = buttons.addButton("Open in &mail…", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        copy.clicked.connect(self.copy)
        mail.clicked.connect(self.open_mail)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 300)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.editor.toPlainText())

    def mail_url(self) -> QUrl:
        subject = quote("Please help me text from my RingCentral number")
        return QUrl(f"mailto:?subject={subject}&body={quote(self.editor.toPlainText())}")

    def open_mail(self) -> None:
        QDesktopServices.openUrl(self.mail_url())


# --- the Campaigns tab ---------------------------------------------------------------------------

class CampaignsView(QWidget):
    """Brands and campaigns, what each status means, linked numbers, and Recent changes."""

    def __init__(self, controller: FixController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("campaignsView")
        self.controller = controller
        self.registrations: list[tuple[TcrBrand, list[TcrCampaign]]] = []
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.refresh_button = QPushButton("Read campai&gns", self)  # Alt+R is Retry in the status banner (#19)
        self.refresh_button.setObjectName("readCampaignsButton")
        self.refresh_button.clicked.connect(self.start_read)
        self.reset_button = QPushButton("Reset &demo", self)
        self.reset_button.setObjectName("resetDemoButton")
        self.reset_button.setToolTip("Undo every change made in the demo account")
        self.reset_button.clicked.connect(lambda: self.controller.spawn(self.reset_demo()))
        self.status = plain_label(self, "campaignsStatus", wrap=True)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.reset_button)
        bar.addWidget(self.status, 1)
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.tree = QTreeWidget(split)
        self.tree.setObjectName("campaignTree")
        self.tree.setAccessibleName("Brands and their campaigns")
        self.tree.setHeaderLabels(["Brand / campaign", "Status"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda item, _old: self._show(item))
        self.details = QTextBrowser(split)
        self.details.setObjectName("campaignDetails")
        self.details.setOpenExternalLinks(True)
        self.tree.setMinimumWidth(380)
        split.addWidget(self.tree)
        split.addWidget(self.details)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 3)
        recent = QLabel("Recent changes (made from this app):", self)
        layout.addWidget(recent)
        self.recent = QPlainTextEdit(self)
        self.recent.setObjectName("recentChanges")
        self.recent.setAccessibleName("Recent changes")
        self.recent.setReadOnly(True)
        recent.setBuddy(self.recent)
        layout.addWidget(self.recent, 1)
        controller.changed.connect(self.show_recent)
        controller.changed.connect(self.start_read)
        controller.permissionsChanged.connect(self._session_changed)
        self._session_changed()
        self.show_recent()

    def _session_changed(self) -> None:
        session = self.controller.session
        self.reset_button.setVisible(bool(session is not None and session.is_demo))
        self.refresh_button.setEnabled(session is not None)
        if session is None:
            self.tree.clear()
            self.details.clear()
            self.status.setText("Sign in to see the account's campaigns.")

    def start_read(self) -> asyncio.Task[None] | None:
        if self.controller.session is None:
            return None
        self.status.setText("Reading brands and campaigns…")
        self.read_task: asyncio.Task[None] = self.controller.spawn(self.read())
        return self.read_task

    def _linked(self) -> tuple[dict[str, list[str]], datetime | None]:
        view = self.controller.account_view
        if view is None:
            return {}, None
        linked: dict[str, list[str]] = {}
        as_of: datetime | None = None
        for row in view.model.rows:
            config = row.config
            if config is not None and config.campaign is not None and config.campaign.id:
                linked.setdefault(config.campaign.id, []).append(row.e164)
                if row.as_of is not None and (as_of is None or row.as_of > as_of):
                    as_of = row.as_of
        return linked, as_of

    async def read(self) -> None:
        session = self.controller.session
        linked, as_of = self._linked()
        try:
            registrations = await fixes.read_registrations(session.client, linked)
        except ApiError as error:
            problem = fixes.api_problem(error, "link-numbers")
            self.status.setText(f"{problem.message} {problem.fix}")
            return
        if session is not self.controller.session:
            return
        self.registrations = registrations
        self.as_of = as_of
        self.tree.clear()
        for brand, campaigns in registrations:
            item = QTreeWidgetItem([_plain(brand.name or brand.id),
                                    _plain(brand_status_words(brand.status))])
            item.setData(0, Qt.ItemDataRole.UserRole, ("brand", brand))
            for campaign in campaigns:
                child = QTreeWidgetItem([_plain(campaign.name or campaign.id),
                                         _plain(campaign_status_words(campaign.status))])
                child.setData(0, Qt.ItemDataRole.UserRole, ("campaign", campaign))
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        scanned = (f"numbers as of the account scan at {as_of.astimezone():%H:%M:%S}"
                   if as_of else "scan the account (Account tab) to see the linked numbers")
        self.status.setText(f"{len(registrations)} brand(s); {scanned}.")
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)

    as_of: datetime | None = None

    def _show(self, item: QTreeWidgetItem | None) -> None:
        if item is None:
            self.details.clear()
            return
        kind, record = item.data(0, Qt.ItemDataRole.UserRole)
        self.details.setHtml(brand_html(record) if kind == "brand"
                             else campaign_html(record, self.as_of))

    def details_text(self) -> str:
        return self.details.toPlainText()

    def show_recent(self) -> None:
        lines = []
        for entry in self.controller.audit.recent(30):
            numbers = ", ".join(_shown(str(n)) for n in entry.get("numbers") or [])
            lines.append(_plain(f"{entry.get('time', '')}  {entry.get('action', '')}  {numbers}  "
                                f"→ {entry.get('after', '')}  ({entry.get('outcome', '')}; "
                                f"RingCentral: {entry.get('answer', '')})"))
        self.recent.setPlainText("\n".join(lines) or "No changes made from this app yet.")

    async def reset_demo(self) -> None:
        session = self.controller.session
        if session is None or not session.is_demo:
            return
        await session.client.http.post("/_simulator/reset-demo")
        self.status.setText("The demo account is back as it started.")
        refresh = getattr(self.controller.window, "refresh", None)
        if refresh is not None:
            refresh()
        view = self.controller.account_view
        if view is not None and view.model.rowCount():
            task = view.start_scan()
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.read()


def brand_html(brand: TcrBrand) -> str:
    parts = [f"<h3>{_e(brand.name or brand.id)}</h3>",
             f"<p><b>Status:</b> {_e(brand_status_words(brand.status))} ({_e(brand.status)})</p>",
             f"<p><b>Registered:</b> {_e(brand.registration_time or 'unknown')}</p>"]
    parts += [f"<p><b>RingCentral reports:</b> {_e(e)}</p>" for e in brand.errors]
    advice = brand_advice(brand)
    if advice:
        parts.append(f"<p>{_linked_text(advice)}</p>")
    return "".join(parts)


def campaign_html(campaign: TcrCampaign, as_of: datetime | None) -> str:
    parts = [f"<h3>{_e(campaign.name or campaign.id)}</h3>",
             f"<p><b>Status:</b> {_e(campaign_status_words(campaign.status))} "
             f"({_e(campaign.status)})</p>",
             f"<p><b>Tier:</b> {_e(tier_words(campaign.registration_tier))}</p>",
             f"<p><b>Registered:</b> {_e(campaign.registration_time or 'unknown')}</p>",
             "<p><b>Use cases:</b></p><ul>"
             + "".join(f"<li>{_e(line)}</li>" for line in use_case_lines(campaign.use_cases))
             + "</ul>"]
    parts += [f"<p><b>RingCentral reports:</b> {_e(e)}</p>" for e in campaign.errors]
    advice = campaign_advice(campaign)
    if advice:
        parts.append(f"<p>{_linked_text(advice)}</p>")
    when = f" (as of {as_of.astimezone():%Y-%m-%d %H:%M})" if as_of else " (no account scan yet)"
    numbers = ", ".join(_e(_shown(n)) for n in campaign.numbers) or "none seen"
    parts.append(f"<p><b>Linked numbers{_e(when)}:</b> {numbers}</p>")
    return "".join(parts)


def _linked_text(text: str) -> str:
    """Our own advice text, escaped, with its https link made clickable."""
    head, sep, url = text.rpartition(" https://")
    if not sep:
        return _e(text)
    url = "https://" + url
    return f"{_e(head)} <a href=\"{html.escape(url, quote=True)}\">{_e(url)}</a>"


# --- hooks into the window ----------------------------------------------------------------------

def action_buttons(controller: FixController, parent: QWidget,
                   numbers: Callable[[], list[str]]) -> tuple[QWidget, Callable[[], None]]:
    """"Link to campaign…" and "Change who texts from this number…" for the numbers `numbers()`
    names, enabled only for users who may make the change (the tooltip says why not)."""
    box = QWidget(parent)
    box.setObjectName("fixActions")
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    link = QPushButton(LINK_ACTION, box)
    link.setObjectName("linkToCampaignButton")
    assign = QPushButton(ASSIGN_ACTION, box)
    assign.setObjectName("changeSmsHolderButton")
    why_label = plain_label(box, "fixActionsWhy", wrap=True)
    row.addWidget(link)
    row.addWidget(assign)
    row.addWidget(why_label, 1)

    def update() -> None:
        chosen = numbers()
        for button, action in ((link, "link-numbers"), (assign, "assign-sms")):
            why = controller.why_not(action)
            button.setEnabled(why is None and bool(chosen)
                              and (action == "link-numbers" or len(chosen) == 1))
            button.setToolTip(why or "")
        why = controller.why_not("link-numbers")
        why_label.setText(why if why and controller.session is not None else "")

    link.clicked.connect(lambda: controller.open_link_dialog(numbers()))
    assign.clicked.connect(lambda: controller.open_assign_dialog((numbers() or [""])[0]))
    controller.permissionsChanged.connect(update)
    update()
    return box, update


def attach_account_view(controller: FixController, account_view: Any) -> None:
    """The actions on the Account tab's selected rows (the tab is built when first opened)."""
    controller.account_view = account_view

    def selected() -> list[str]:
        rows = account_view.table.selectionModel().selectedRows()
        found = []
        for index in rows:
            row = account_view.proxy.row_for(index.row())
            if row is not None:
                found.append(row.e164)
        return found

    account_view.table.setSelectionMode(account_view.table.SelectionMode.ExtendedSelection)
    box, update = action_buttons(controller, account_view, selected)
    account_view.add_action_widget(box)
    selection = account_view.table.selectionModel()
    selection.selectionChanged.connect(update)
    controller.account_box = box  # type: ignore[attr-defined]
    controller._selection = (selection, update)  # type: ignore[attr-defined]


def install_fixes(window: Any, account_view: Any = None, audit: AuditLog | None = None) -> FixController:
    """Add the Campaigns tab, the actions under the picker's detail pane (and the Account tab's
    table, when it exists), and follow the window's session."""
    controller = FixController(window, audit)
    window.fix_controller = controller
    window.add_shutdown_hook(controller.shutdown)
    view = CampaignsView(controller)
    window.add_tab(view, CAMPAIGNS_TAB_TITLE)
    controller.campaigns_view = view  # type: ignore[attr-defined]
    account_view = account_view or getattr(window, "account_view", None)
    if account_view is not None:
        attach_account_view(controller, account_view)
    pane = getattr(window, "detail_pane", None)
    if pane is not None and hasattr(pane, "add_action_widget"):
        def mine() -> list[str]:
            current = window.current_sender()
            number = getattr(getattr(current, "number", None), "phone_number", None)
            return [number] if number else []

        box, update_pane = action_buttons(controller, pane, mine)
        ask = QPushButton(ASK_ACTION, box)
        ask.setObjectName("askMyAdminButton")
        actions = box.layout()
        assert isinstance(actions, QHBoxLayout)
        actions.insertWidget(0, ask)

        def ask_admin() -> None:
            current = window.current_sender()
            if current is None:
                return
            reason = current.main_reason
            problem = reason.message if reason is not None else current.headline
            step = getattr(reason, "fix", "") or "Please check this number's SMS set-up."
            link = getattr(reason, "link", None)
            controller.open_ask_admin(current.number.phone_number or "", problem, step, link)

        ask.clicked.connect(ask_admin)

        def update_ask() -> None:
            update_pane()
            current = window.current_sender()
            blocked = current is not None and not current.can_send_sms
            admin = controller.who is not None and controller.who.is_admin
            ask.setVisible(bool(blocked and not admin))

        window.senderChanged.connect(lambda *_: update_ask())
        controller.permissionsChanged.connect(update_ask)
        pane.add_action_widget(box)
        controller.pane_box = box  # type: ignore[attr-defined]
        update_ask()
    window.sessionChanged.connect(controller.set_session)
    controller.set_session(getattr(window, "session", None))
    return controller
