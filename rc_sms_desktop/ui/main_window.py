"""The main window: who is signed in, the "Send from" picker, the chosen number's details.

Layout (top to bottom): header (identity, as-of time, Sign in / Sign out / Refresh), the demo
notice, the status banner, then a `QTabWidget` (`mainTabs`). Its first tab, "Send from", holds
the picker row and a `QSplitter` (`senderSplitter`) with the detail pane; `set_compose_panel()`
puts a compose panel on the splitter's right and `add_tab()` adds a tab (the Account view).

Work in flight is owned here as plain asyncio tasks (latest wins): the load (through
`QtLoadRunner`), the session switch, the sign-in dialog. Closing hides the window at once, then
`shutdown()` cancels them all and closes the client before `closed` is emitted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeySequence,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rc_sms_desktop.api.errors import SessionEndedError, explain
from rc_sms_desktop.core.eligibility import Verdict
from rc_sms_desktop.core.marks import Mark, verdict_mark
from rc_sms_desktop.core.models import Extension
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.ui.detail_pane import DetailPane
from rc_sms_desktop.ui.qt_loader import QtLoadRunner
from rc_sms_desktop.ui.screenshot import SCREENSHOT_SIZE, Screenshot
from rc_sms_desktop.ui.sender_delegate import SenderDelegate
from rc_sms_desktop.ui.sender_model import SendableFilterModel, SenderListModel, SenderRole
from rc_sms_desktop.ui.status_banner import StatusBanner
from rc_sms_desktop.ui.theme import Appearance, apply_appearance, text_on, tint
from rc_sms_desktop.ui.window_geometry import restore_window_geometry
from rc_sms_desktop.ui.window_services import AccountSession, WindowServices
from rc_sms_desktop.workflows.loader import RateLimited

_log = logging.getLogger(__name__)

# How long a stored session may take to open (keyring, token refresh) before the demo is shown.
STORED_SESSION_TIMEOUT_S = 8.0
# Closing never waits longer than this for work in flight.
SHUTDOWN_GRACE_S = 3.0
# Also the application's display name: a window title equal to it is shown once (Qt appends the
# display name to any other title, https://doc.qt.io/qt-6/qguiapplication.html#applicationDisplayName-prop).
APP_DISPLAY_NAME = "RingCentral SMS Senders"
SEND_FROM_TAB_TITLE = "Se&nd from"


class Lifecycle(Enum):
    """Where the window is in its life: one state instead of the old `_shutting_down`/`_shut_down`
    pair (with a pending shutdown task standing in for a third).

    OPEN → CLOSING (the user closed it, or `shutdown()` began: nothing new may start) → CLOSED
    (the work has stopped; the next close is accepted).
    """

    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class SessionLoadState(Enum):
    """What the window knows of the current session's loads: one state instead of the old
    `_loaded_once`/`_session_ended` pair, and reset when a session is opened (the pair was
    not: the second session's first load was not "first", and a new session inherited the
    old one's "ended").

    NOT_LOADED (opened; no load of it has finished) → LOADED (a load finished: its numbers are
    shown) → ENDED (RingCentral ended the session, `SessionEndedError`: only signing in again
    helps, so Retry opens the sign-in dialog). ENDED lasts until another session is opened or
    a load of this one finishes after all: a later failure of another kind (F5 while offline)
    does not revive it.
    """

    NOT_LOADED = "not loaded"
    LOADED = "loaded"
    ENDED = "ended"


@dataclass(frozen=True)
class WindowOptions:
    """Command-line window options (see `rc_sms_desktop/cli/main.py`, "window options")."""

    demo: bool = False
    demo_user: str | None = None  # who the demo signs in as (`--demo-user`; alex by default)
    screenshot: Path | None = None
    screenshot_picker: bool = False
    select: str | None = None  # a number to choose at start: E.164 or phone-number id
    color_scheme: str | None = None  # "system", "light" or "dark"; None: the setting decides
    server: str | None = None  # `--server URL`: open that server's account (JWT from the environment)


def error_text(error: object) -> str:
    """Plain words for what the loader or a task failed with (`api.errors.explain`)."""
    if isinstance(error, BaseException):
        return explain(error).message
    return str(error or "") or "Something went wrong while loading your numbers."


class SenderCombo(QComboBox):
    """The "Send from" picker: says when its list is about to open.

    The sender suggestion reorders the list then, before Qt sizes and shows the popup: reordered
    while shown, the open list laid its 1,000 rows out twice (31 ms instead of 17, measured).
    """

    popupAboutToShow = Signal()

    def showPopup(self) -> None:  # noqa: N802 - Qt's virtual
        self.popupAboutToShow.emit()
        super().showPopup()


class MainWindow(QMainWindow):
    """The app's window.

    Signals: `closed(exit_code)` once shutdown has finished; `senderChanged(verdict or None)`
    when the chosen number (or what is known about it) changes; `sessionChanged(session or None)`
    when the account shown changes (for the Account tab and the compose panel).
    """

    # Set by ui/app.py when the Account tab is built, and by ui/fix_view.py's `install_fixes`.
    account_view: Any = None
    fix_controller: Any = None

    closed = Signal(int)
    senderChanged = Signal(object)
    sessionChanged = Signal(object)

    def __init__(
        self,
        services: WindowServices,
        *,
        options: WindowOptions | None = None,
        settings: Settings | None = None,
        sign_in_dialog_factory: Callable[[MainWindow], Any] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_DISPLAY_NAME)
        self._services = services
        self._options = options or WindowOptions()
        self._settings = settings if settings is not None else Settings.load()
        self._sign_in_dialog_factory = sign_in_dialog_factory
        self._session: AccountSession | None = None
        self._account_key: str | None = None
        self._as_of: datetime | None = None
        self._extension_raw: object = None  # readExtension as received, for a support capture
        # Tests set this to choose the capture's path without a dialog: chooser(callback).
        self.capture_path_chooser: Callable[[Callable[[str], None]], None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        # Views that plug in (Account tab, compose panel) stop their own work here, before the
        # client they use is closed under them.
        self._shutdown_hooks: list[Callable[[], Awaitable[None]]] = []
        self._session_task: asyncio.Task[Any] | None = None
        self._shutdown_task: asyncio.Task[None] | None = None
        self._lifecycle = Lifecycle.OPEN
        self._shown_once = False
        self._sign_in_dialog: Any = None
        self._reserved_tabs: dict[str, QWidget] = {}
        self._applying_selection = False
        self._load_state = SessionLoadState.NOT_LOADED
        # `--select`: served once, by the first load that finishes of a session of the kind the
        # user started (their account; the demo with --demo), not by the demo shown meanwhile.
        self._start_select = self._options.select
        # What the user picked last (kept across filtering); None until they pick, and the
        # best sender is shown meanwhile. One fact: there is no separate "user chose" flag.
        self._chosen_id: str | None = None

        self._runner = QtLoadRunner(self)
        self._progress_counts = (0, 0)
        self._load_note = ""  # why a Refresh pressed during the load did nothing
        self._pacing_note = ""
        self._model = SenderListModel(self)
        self._proxy = SendableFilterModel(self)
        self._proxy.setSourceModel(self._model)
        self._build()
        self._connect()
        self._screenshot: Screenshot | None = None
        if self._options.screenshot is not None:
            self._screenshot = Screenshot(
                self, self.sender_combo, self._options.screenshot,
                with_picker=self._options.screenshot_picker, close=self.request_close,
            )
            self.resize(*SCREENSHOT_SIZE)  # the same picture on every machine
        elif not restore_window_geometry(self, self._settings):
            self.resize(1100, 720)

    # ----------------------------------------------------------------------------- construction

    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)

        header = QHBoxLayout()
        who = QVBoxLayout()
        who.setSpacing(0)
        self.identity_label = QLabel("Opening…", central)
        self.identity_label.setTextFormat(Qt.TextFormat.PlainText)  # server text, never markup
        self.identity_label.setObjectName("identityLabel")
        self.identity_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.identity_label.font()
        font.setBold(True)
        self.identity_label.setFont(font)
        self.environment_label = QLabel("", central)
        self.environment_label.setTextFormat(Qt.TextFormat.PlainText)  # server text, never markup
        self.environment_label.setObjectName("environmentLabel")
        self.as_of_label = QLabel("", central)
        self.as_of_label.setTextFormat(Qt.TextFormat.PlainText)  # server text, never markup
        self.as_of_label.setObjectName("asOfLabel")
        self.as_of_label.setAccessibleName("Time of the data shown")
        who.addWidget(self.identity_label)
        who.addWidget(self.environment_label)
        header.addLayout(who, 1)
        header.addWidget(self.as_of_label, 0, Qt.AlignmentFlag.AlignVCenter)
        style = self.style()
        # Mnemonics are unique among what is shown together (Alt+letter then activates instead
        # of cycling focus); Refresh has F5 instead, shown in its tooltip and the File menu.
        self.refresh_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Refresh", central
        )
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.setAccessibleName("Refresh the numbers")
        self.refresh_button.setToolTip("Load the numbers and their SMS registration again (F5)")
        self.sign_in_button = QPushButton("Sign &in…", central)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setAccessibleName("Sign in to RingCentral")
        self.sign_out_button = QPushButton("Sign o&ut", central)
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.setAccessibleName("Sign out of RingCentral")
        for button in (self.refresh_button, self.sign_in_button, self.sign_out_button):
            header.addWidget(button)
        outer.addLayout(header)

        self.demo_banner = QFrame(central)
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setFrameShape(QFrame.Shape.StyledPanel)
        demo_layout = QHBoxLayout(self.demo_banner)
        demo_layout.setContentsMargins(10, 6, 10, 6)
        self.demo_label = QLabel(
            "<b>This is a demo account</b> with made-up numbers. Sign in to see yours.",
            self.demo_banner,
        )
        self.demo_label.setObjectName("demoLabel")
        self.demo_label.setWordWrap(True)
        self.demo_sign_in_button = QPushButton("Sign in to see &yours…", self.demo_banner)
        self.demo_sign_in_button.setObjectName("demoSignInButton")
        self.demo_sign_in_button.setAccessibleName("Sign in to see your own numbers")
        demo_layout.addWidget(self.demo_label, 1)
        demo_layout.addWidget(self.demo_sign_in_button)
        self.demo_banner.setAutoFillBackground(True)
        self._tint_demo_banner()
        self.demo_banner.hide()
        outer.addWidget(self.demo_banner)

        self.status_banner = StatusBanner(central)
        outer.addWidget(self.status_banner)

        self.tabs = QTabWidget(central)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        outer.addWidget(self.tabs, 1)

        page = QWidget(self.tabs)
        page.setObjectName("sendFromPage")
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 8, 0, 0)
        picker_row = QHBoxLayout()
        picker_label = QLabel("Sen&d from:", page)
        self.sender_combo = SenderCombo(page)
        self.sender_combo.setObjectName("senderCombo")
        self.sender_combo.setAccessibleName("Send from")
        self.sender_combo.setAccessibleDescription(
            "Your numbers: those that can send first, then those that cannot, with the reason"
        )
        self.sender_combo.setModel(self._proxy)
        self.sender_combo.setItemDelegate(SenderDelegate(self.sender_combo))
        self.sender_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sender_combo.setMinimumContentsLength(34)
        self.sender_combo.setMaxVisibleItems(12)
        self.sender_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.sender_combo.setPlaceholderText("Loading your numbers…")
        # A drop-down list that honours maxVisibleItems (not a menu over the whole screen).
        self.sender_combo.setStyleSheet("QComboBox { combobox-popup: 0; }")
        picker_label.setBuddy(self.sender_combo)
        self.only_sendable_check = QCheckBox("&Only numbers that can send", page)
        self.only_sendable_check.setObjectName("onlySendableCheck")
        self.only_sendable_check.setAccessibleName("Only numbers that can send")
        self.only_sendable_check.setChecked(self._settings.only_numbers_that_can_send)
        self._proxy.set_only_sendable(self.only_sendable_check.isChecked())
        self.count_label = QLabel("", page)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)  # server text, never markup
        self.count_label.setObjectName("senderCountLabel")
        picker_row.addWidget(picker_label)
        picker_row.addWidget(self.sender_combo, 1)
        picker_row.addWidget(self.only_sendable_check)
        picker_row.addWidget(self.count_label)
        page_layout.addLayout(picker_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, page)
        self.splitter.setObjectName("senderSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.detail_pane = DetailPane(self.splitter)
        self.splitter.addWidget(self.detail_pane)
        page_layout.addWidget(self.splitter, 1)
        self.tabs.addTab(page, SEND_FROM_TAB_TITLE)
        self._compose_panel: QWidget | None = None

        self.setCentralWidget(central)
        self._build_menus()
        # Keyboard users start where the window's purpose is: the sender picker.
        self.sender_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_menus(self) -> None:
        """File (refresh, sign in, close, quit) and View (appearance): where users look for the
        shortcuts (F5, Ctrl+W, Ctrl+Q) and the colour scheme."""
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.refresh_action = QAction("&Refresh", self)
        # F5 plus the platform's Refresh keys, each once: on Linux the standard key is F5 too,
        # and the same key twice on one action makes Qt refuse it as ambiguous.
        refresh_keys = [QKeySequence(Qt.Key.Key_F5)]
        for key in QKeySequence.keyBindings(QKeySequence.StandardKey.Refresh):
            if key not in refresh_keys:
                refresh_keys.append(key)
        self.refresh_action.setShortcuts(refresh_keys)
        self.refresh_action.triggered.connect(self.refresh)
        sign_in = QAction("&Sign in…", self)
        sign_in.triggered.connect(self.open_sign_in)
        close = QAction("&Close window", self)
        close.setShortcut(QKeySequence("Ctrl+W"))
        close.triggered.connect(self.request_close)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.request_close)
        for action in (self.refresh_action, sign_in):
            file_menu.addAction(action)
        file_menu.addSeparator()
        # What the window read, for support (#15): the same file as `check --save-capture`.
        self.save_capture_action = QAction("Save a support &capture…", self)
        self.save_capture_action.triggered.connect(lambda: self.ask_save_capture(placeholders=False))
        self.save_capture_placeholders_action = QAction(
            "Save a support capture with &placeholders for names…", self
        )
        self.save_capture_placeholders_action.setToolTip(
            "Names, labels and emails replaced by placeholders; the verdicts stay the same"
        )
        self.save_capture_placeholders_action.triggered.connect(
            lambda: self.ask_save_capture(placeholders=True)
        )
        file_menu.addAction(self.save_capture_action)
        file_menu.addAction(self.save_capture_placeholders_action)
        file_menu.addSeparator()
        file_menu.addAction(close)
        file_menu.addAction(quit_action)
        self.close_action, self.quit_action = close, quit_action

        view_menu = bar.addMenu("&View")
        appearance_menu = view_menu.addMenu("&Appearance")
        group = QActionGroup(self)
        group.setExclusive(True)
        current = self._options.color_scheme or self._settings.appearance
        self.appearance_actions: dict[Appearance, QAction] = {}
        for choice, text in ((Appearance.SYSTEM, "&System"), (Appearance.LIGHT, "&Light"),
                             (Appearance.DARK, "&Dark")):
            action = QAction(text, group)
            action.setCheckable(True)
            action.setChecked(choice.value == current)
            action.triggered.connect(lambda _checked=False, c=choice: self.set_appearance(c))
            appearance_menu.addAction(action)
            self.appearance_actions[choice] = action

    def set_appearance(self, appearance: Appearance) -> None:
        """Follow the system's colour scheme or force light/dark, now and next time."""
        self.appearance_actions[appearance].setChecked(True)
        apply_appearance(appearance)
        if self._options.screenshot is None and self._settings.appearance != appearance.value:
            self._settings.appearance = appearance.value

    def _tint_demo_banner(self) -> None:
        palette = self.palette()
        background = tint(Mark.UNKNOWN, palette)
        demo_palette = QPalette(palette)
        demo_palette.setColor(QPalette.ColorRole.Window, background)
        demo_palette.setColor(QPalette.ColorRole.WindowText, text_on(background, palette))
        self.demo_banner.setPalette(demo_palette)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            # The system (or the Appearance setting) switched light/dark: re-tint what is tinted.
            self._tint_demo_banner()

    def _remember_progress(self, done: int, total: int) -> None:
        self._progress_counts = (done, total)

    def _on_paced(self, event: RateLimited) -> None:
        """Say why a big load is slow: RingCentral's per-minute limit, with a rough time left.

        The client's scheduler paces requests inside each rate-limit group's window without a
        429; it tells the loader when a group waits at its limit, and the loader tells us.
        """
        note = ""
        done, total = self._progress_counts
        if event.resume_at is not None and event.limit > 0 and event.window_s > 0 and total > done:
            per_minute = event.limit * 60 / event.window_s
            minutes = (total - done) * event.window_s / event.limit / 60
            left = "under a minute" if minutes < 1 else f"about {minutes:.0f} min"
            note = (f"RingCentral allows {per_minute:,.0f} of these requests a minute, so the "
                    f"rest follow at that pace ({left} left).")
        self._pacing_note = note
        self._show_load_notes()

    def _show_load_notes(self) -> None:
        """The banner's second sentence while loading: an ignored Refresh, RingCentral's pace."""
        notes = (self._load_note, self._pacing_note)
        self.status_banner.set_pacing(" ".join(part for part in notes if part))

    def _connect(self) -> None:
        self.refresh_button.clicked.connect(self.refresh)
        self.sign_in_button.clicked.connect(self.open_sign_in)
        self.demo_sign_in_button.clicked.connect(self.open_sign_in)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.status_banner.retryRequested.connect(self._on_retry)
        self.sender_combo.currentIndexChanged.connect(self._on_current_changed)
        self.sender_combo.activated.connect(self._on_user_chose)
        self.only_sendable_check.toggled.connect(self._on_only_sendable)

        runner = self._runner
        runner.started.connect(lambda: self.status_banner.loading_started())
        runner.started.connect(lambda: self._remember_progress(0, 0))
        runner.paced.connect(self._on_paced)
        runner.progress.connect(self._remember_progress)
        runner.signedInAs.connect(self._on_signed_in_as)
        runner.numbersListed.connect(self._on_numbers_listed)
        runner.verdictsUpdated.connect(self._on_verdicts_updated)
        runner.progress.connect(self.status_banner.progress)
        runner.rateLimited.connect(lambda group, seconds: self.status_banner.rate_limited(seconds))
        runner.warning.connect(self.status_banner.show_warning)
        runner.cachedAsOf.connect(self._on_cached)
        runner.finished.connect(self._on_finished)
        runner.failed.connect(self._on_failed)
        runner.stopped.connect(self._on_stopped)

    # ------------------------------------------------------------------- extension points

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab after "Send from" (e.g. the Account view), in its reserved place if any;
        returns its index."""
        reserved = self._reserved_tabs.pop(title, None)
        if reserved is None:
            return self.tabs.addTab(widget, title)
        index = self.tabs.indexOf(reserved)
        was_current = self.tabs.currentIndex() == index
        self.tabs.removeTab(index)
        reserved.deleteLater()
        self.tabs.insertTab(index, widget, title)
        if was_current:
            self.tabs.setCurrentIndex(index)
        return index

    def reserve_tab(self, title: str, text: str = "Opening…") -> QWidget:
        """Show a tab whose view is still being built; `add_tab` with the same title fills it.

        The app builds its heavier views after the first paint or when first opened: reserving
        their places keeps the window's layout from jumping when they arrive. Returns the
        placeholder (it says `text`).
        """
        placeholder = _placeholder(self.tabs, text)
        self._reserved_tabs[title] = placeholder
        self.tabs.addTab(placeholder, title)
        return placeholder

    def add_shutdown_hook(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Await `hook()` on shutdown, before the session's client is closed."""
        self._shutdown_hooks.append(hook)

    def set_compose_panel(self, panel: QWidget) -> None:
        """Put a compose panel to the right of the detail pane; it follows `senderChanged`.

        A panel set before (or the place `reserve_compose_panel` kept) is replaced in place,
        keeping the splitter's sizes.
        """
        old = self._compose_panel
        self._compose_panel = panel
        if old is not None and self.splitter.indexOf(old) >= 0:
            self.splitter.replaceWidget(self.splitter.indexOf(old), panel)
            old.setParent(None)
            old.deleteLater()
            return
        self.splitter.addWidget(panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

    def reserve_compose_panel(self, text: str = "") -> None:
        """Keep the compose panel's place while it is built (see `reserve_tab`)."""
        self.set_compose_panel(_placeholder(self.splitter, text))

    def wait_before_screenshot(self, work: Awaitable[Any]) -> None:
        """`--screenshot` waits for `work` too (views still being built) before the picture."""
        if self._screenshot is not None:
            self._screenshot.wait_for(work)

    @property
    def is_closing(self) -> bool:
        """True once closing began: nothing new should be added to the window."""
        return self._lifecycle is not Lifecycle.OPEN

    @property
    def session(self) -> AccountSession | None:
        return self._session

    @property
    def sender_model(self) -> SenderListModel:
        return self._model

    @property
    def load_runner(self) -> QtLoadRunner:
        return self._runner

    def current_sender(self) -> Verdict | None:
        index = self.sender_combo.currentIndex()
        if index < 0:
            return None
        verdict = self._proxy.index(index, 0).data(SenderRole.VerdictRole)
        return verdict if isinstance(verdict, Verdict) else None

    def select_sender(self, number: str) -> bool:
        """Choose a number by E.164 or id; False when it is not listed (or filtered out)."""
        row = self._model.row_of(number)
        if row < 0:
            return False
        proxy_index = self._proxy.mapFromSource(self._model.index(row))
        if not proxy_index.isValid():
            return False
        self.sender_combo.setCurrentIndex(proxy_index.row())
        self._on_user_chose(proxy_index.row())
        return True

    # ----------------------------------------------------------------------------- lifecycle

    def start(self) -> asyncio.Task[Any]:
        """Open the stored session (or the demo) and load it; the task is returned for tests."""
        return self._switch_to(self._open_initial_session)

    async def _open_initial_session(self) -> AccountSession:
        if not self._options.demo:
            try:
                stored = await asyncio.wait_for(
                    self._services.open_stored_session(), STORED_SESSION_TIMEOUT_S
                )
            except TimeoutError:
                _log.warning("opening the stored session took too long; showing the demo")
                stored = None
            except Exception:  # a broken keyring or settings file must not keep the app shut
                _log.exception("could not open the stored session; showing the demo")
                stored = None
            if stored is not None:
                return stored
            if self._options.server:
                # `--server URL` without RC_* credentials: ask, with that server chosen (#15).
                QTimer.singleShot(0, self.open_sign_in)
        return await self._services.open_demo_session()

    def _switch_to(self, opener: Callable[[], Awaitable[AccountSession | None]]) -> asyncio.Task[Any]:
        """Latest wins: stop what is loading, open the next session, show it, load it."""
        if self._session_task is not None and not self._session_task.done():
            self._session_task.cancel()
        task = self._spawn(self._run_switch(opener))
        self._session_task = task
        return task

    async def _run_switch(self, opener: Callable[[], Awaitable[AccountSession | None]]) -> None:
        self._runner.cancel()
        try:
            session = await opener()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            _log.exception("could not open the account")
            self.status_banner.show_error(f"Could not open the account: {error_text(error)}")
            return
        if session is None:
            return
        old = self._session
        self._session = session
        if old is not None and old is not session:
            self._spawn(self._close_session(old))
        self._show_session(session)
        self.sessionChanged.emit(session)
        self._start_load()  # the previous session's load may still be winding down

    def refresh(self) -> None:
        """Reload the current account, unless a load of it is running: then say so and go on.

        Restarting would not be cleaner. The requests a cancelled load has sent count in
        RingCentral's per-minute window all the same (Light: 50 a minute on the default plan,
        https://developers.ringcentral.com/guide/basics/rate-limits), so a few Refreshes in a row
        spent it on loads nobody saw finish, and the load shown then waited up to a minute with
        its numbers "being checked" (#14).
        """
        if self._session is None or self._lifecycle is not Lifecycle.OPEN:
            return
        if self._runner.running:
            self._load_note = "Already loading; Refresh again once this load has finished."
            _log.info("Refresh ignored: a load is running")
            self._show_load_notes()
            return
        self._start_load()

    def _start_load(self) -> None:
        """Load the current account now (a new session; Retry; Refresh when nothing loads)."""
        if self._session is None or self._lifecycle is not Lifecycle.OPEN:
            return
        self._load_note = self._pacing_note = ""
        self._runner.start(self._services.load(self._session))

    def sign_out(self) -> None:
        """Forget the stored session and show the demo account."""
        session = self._session
        if session is None or session.is_demo:
            return
        self._runner.cancel()

        async def signed_out() -> AccountSession:
            if session.forget is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(session.forget(), SHUTDOWN_GRACE_S)
            return await self._services.open_demo_session()

        self._switch_to(signed_out)

    def open_sign_in(self) -> None:
        """Show the sign-in dialog (non-modal `open()`); on success switch to the new session."""
        if self._sign_in_dialog is not None:
            self._sign_in_dialog.raise_()
            self._sign_in_dialog.activateWindow()
            return
        factory = self._sign_in_dialog_factory
        if factory is None:

            def factory(parent: MainWindow) -> Any:
                # Imported on first use: sign-in (keyring, the loopback server) is not needed
                # to show the window, and the app warms it up after the first paint anyway.
                from rc_sms_desktop.ui.sign_in_dialog import SignInDialog

                return SignInDialog(parent, settings=self._settings)

        dialog = factory(self)
        self._sign_in_dialog = dialog
        if self._options.server and hasattr(dialog, "preset_server"):
            with contextlib.suppress(Exception):  # a bad URL: the dialog shows what was saved
                dialog.preset_server(self._options.server)

        def finished(_result: int) -> None:
            session = getattr(dialog, "session", None)
            self._sign_in_dialog = None
            dialog.deleteLater()
            if session is not None:
                self._switch_to(lambda: _ready(session))

        dialog.finished.connect(finished)
        dialog.open()

    @property
    def sign_in_dialog(self) -> Any:
        return self._sign_in_dialog

    # ---------------------------------------------------------------------------- load events

    def _show_session(self, session: AccountSession) -> None:
        self._load_state = SessionLoadState.NOT_LOADED
        self._model.clear()
        self._account_key = None
        self._extension_raw = None
        self._chosen_id = None
        self._as_of = None
        self.as_of_label.setText("")
        self.detail_pane.show_verdict(None)
        self.detail_pane.set_signed_in(None)
        self.detail_pane.set_as_of(None)
        self.demo_banner.setVisible(session.is_demo)
        self.sign_out_button.setVisible(not session.is_demo)
        self.sign_in_button.setVisible(session.is_demo)
        self.identity_label.setText("Demo account" if session.is_demo else "Signed in")
        self.environment_label.setText(session.environment)
        self.status_banner.clear()

    # ------------------------------------------------------------------------- support capture

    def ask_save_capture(self, *, placeholders: bool) -> None:
        """Ask where to save (a non-blocking `open()` dialog), then save off the event loop.

        `capture_path_chooser` (tests) replaces the dialog: it gets a callback taking the path.
        """
        def chosen(name: str) -> None:
            if name:
                self._spawn(self.save_capture(Path(name), placeholders=placeholders))

        if self.capture_path_chooser is not None:
            self.capture_path_chooser(chosen)
            return
        dialog = QFileDialog(self, "Save a support capture")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("JSON files (*.json)")
        dialog.setDefaultSuffix("json")
        dialog.selectFile("sms-capture.json")
        dialog.fileSelected.connect(chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    async def save_capture(self, path: Path, *, placeholders: bool) -> bool:
        """Write what the window read (core/support_capture.py), 0600; one line in the status bar."""
        from rc_sms_desktop.core.support_capture import build_capture, capture_text
        from rc_sms_desktop.infra.private_files import write_private_text

        capture = build_capture(self._extension_raw, self._model.verdicts())
        count = len(capture["phoneNumbers"])

        def write() -> None:  # encoding a large account and the disk both stay off the loop
            write_private_text(path, capture_text(capture, placeholders))

        try:
            await asyncio.to_thread(write)
        except OSError as error:
            self.statusBar().showMessage(f"Could not save the capture to {path}: {error.strerror or error}")
            return False
        self.statusBar().showMessage(f"Support capture of {count} numbers saved to {path}.")
        return True

    def _on_signed_in_as(self, extension: Extension) -> None:
        self._extension_raw = extension.raw
        name = extension.name or "Unknown user"
        number = extension.extension_number
        account = extension.account_id
        site = extension.site_name
        parts = [name]
        if number:
            parts.append(f"ext. {number}")
        if account:
            parts.append(f"account {account}")
        if site:
            parts.append(site)
        self.identity_label.setText(" · ".join(parts))
        admin = extension.is_admin
        environment = self._session.environment if self._session else ""
        self.environment_label.setText(environment + (" · account admin" if admin else ""))
        self._account_key = f"{account or '?'}/{extension.id or '?'}"
        self.detail_pane.set_signed_in(extension)

    def _on_numbers_listed(self, verdicts: list[Verdict]) -> None:
        previous = self.current_sender()
        self._applying_selection = True
        try:
            self._model.set_verdicts(verdicts)
            self._restore_selection(previous.number.id if previous else None)
        finally:
            self._applying_selection = False
        self._update_count()
        self._on_current_changed(self.sender_combo.currentIndex())

    def _restore_selection(self, previous_id: str | None) -> None:
        wanted = [previous_id if self._chosen_id is not None else None]
        if self._account_key:
            wanted.append(self._settings.chosen_sender(self._account_key))
        for number in wanted:
            if number and self._show_sender(number):
                self._chosen_id = number
                return
        self.sender_combo.setCurrentIndex(0 if self._proxy.rowCount() else -1)

    def _show_sender(self, number: str) -> bool:
        row = self._model.row_of(number)
        proxy_index = self._proxy.mapFromSource(self._model.index(row)) if row >= 0 else None
        if proxy_index is None or not proxy_index.isValid():
            return False
        self.sender_combo.setCurrentIndex(proxy_index.row())
        return True

    def update_verdicts(self, batch: list[Verdict]) -> None:
        """Fresh verdicts for some numbers (after a change made from the app): no reload."""
        self._on_verdicts_updated(batch)

    def _on_verdicts_updated(self, batch: list[Verdict]) -> None:
        current = self.current_sender()
        self._model.update_verdicts(batch)
        self._update_count()
        if self._chosen_id is None and self._proxy.rowCount():
            # Nothing chosen yet: keep showing the best sender as better verdicts arrive.
            self.sender_combo.setCurrentIndex(0)
        if current is None:
            return
        ids = {v.number.id for v in batch}
        if current.number.id in ids:
            fresh = self.current_sender()
            self.detail_pane.show_verdict(fresh)
            self.senderChanged.emit(fresh)
            # The chosen number's state changed under the picker (Qt only reports new rows).
            from rc_sms_desktop.ui.accessibility import value_changed  # see _on_user_chose

            value_changed(self.sender_combo, self.sender_combo.currentText())

    def _on_finished(self, as_of: object) -> None:
        self.status_banner.loading_finished()
        _log.info("Load finished: %d numbers", self._model.rowCount())
        if isinstance(as_of, datetime):
            self._as_of = as_of
            local = as_of.astimezone() if as_of.tzinfo else as_of
            self.as_of_label.setText(f"Data as of {local:%H:%M:%S}")
            self.detail_pane.set_as_of(local)
        first = self._load_state is SessionLoadState.NOT_LOADED
        self._load_state = SessionLoadState.LOADED
        self._serve_start_select()
        if first and self._screenshot is not None:  # the picture is taken once (Screenshot.take)
            self._spawn(self._screenshot.take())

    def _serve_start_select(self) -> None:
        """Choose the `--select` number, once, in the first session of the kind asked for."""
        number = self._start_select
        session = self._session
        if not number or session is None or session.is_demo != self._options.demo:
            return
        self._start_select = None
        if not self.select_sender(number):
            self.status_banner.show_warning(f"The number {number} is not among your numbers.")

    def _on_retry(self) -> None:
        if self._load_state is SessionLoadState.ENDED:
            self.open_sign_in()  # retrying with a session RingCentral ended cannot work
        else:
            self.refresh()

    def _on_cached(self, as_of: object) -> None:
        """Last time's verdicts are shown while they are checked again: say how old they are."""
        if isinstance(as_of, datetime):
            local = as_of.astimezone() if as_of.tzinfo else as_of
            self.as_of_label.setText(f"Saved data from {local:%d %b, %H:%M} · refreshing…")
            self.detail_pane.set_as_of(local)

    def _on_failed(self, error: object) -> None:
        _log.warning("Load failed: %s", type(error).__name__)
        if isinstance(error, SessionEndedError):
            self._load_state = SessionLoadState.ENDED
        if self._load_state is SessionLoadState.ENDED:
            self.status_banner.show_error(error_text(error), retry_text="Sign &in again…")
        else:
            self.status_banner.show_error(error_text(error), retry=True)
        if self._load_state is SessionLoadState.NOT_LOADED and self._screenshot is not None:
            self._spawn(self._screenshot.take())  # the first load failed: picture the error

    def _on_stopped(self) -> None:
        self.status_banner.set_pacing("")
        if self.status_banner.state.value in ("loading", "rate-limited"):
            self.status_banner.clear()

    def _update_count(self) -> None:
        verdicts = self._model.verdicts()
        ready = sum(1 for v in verdicts if v.can_send_sms)
        checking = sum(1 for v in verdicts if verdict_mark(v) is Mark.LOADING)
        text = f"{ready} of {len(verdicts)} can send" if verdicts else ""
        self.count_label.setText(text + (f" · {checking} being checked" if checking else ""))

    # ------------------------------------------------------------------------------ selection

    def _on_current_changed(self, _row: int) -> None:
        if self._applying_selection:
            return
        verdict = self.current_sender()
        self.detail_pane.show_verdict(verdict)
        self.senderChanged.emit(verdict)

    def _on_user_chose(self, _row: int) -> None:
        """The user picked a sender (mouse or keyboard): remember it for this account."""
        verdict = self.current_sender()
        if verdict is None:
            return
        self._chosen_id = verdict.number.id
        key = self._account_key
        if key and self._settings.chosen_sender(key) != verdict.number.id:
            self._settings.set_chosen_sender(key, verdict.number.id)
        # focusWidget, not hasFocus: the window need not be active (no window manager, or the
        # screen reader's own window in front) for the user to be on the picker.
        if self.focusWidget() is self.sender_combo and not self.sender_combo.view().isVisible():
            # Arrow keys on the closed picker (QComboBox reports them as `activated`): Qt sends
            # the new value (number and state, see sender_model); the verdict's headline is
            # announced too, as the detail pane shows it. Not for a change the load makes: the
            # user did not ask, and the first paint then needs neither QAccessible's enums nor
            # the popup's view (~5 ms). Imported on first use for the same reason.
            from rc_sms_desktop.ui.accessibility import announce

            announce(self.sender_combo, verdict.headline)

    def _on_only_sendable(self, only: bool) -> None:
        current = self.current_sender()
        # The user's choice survives hiding it: turning the filter off again brings it back.
        wanted = [self._chosen_id,
                  current.number.id if current is not None else None]
        self._applying_selection = True
        try:
            self._proxy.set_only_sendable(only)
            if not any(number and self._show_sender(number) for number in wanted):
                self.sender_combo.setCurrentIndex(0 if self._proxy.rowCount() else -1)
        finally:
            self._applying_selection = False
        self._on_current_changed(self.sender_combo.currentIndex())
        if self._settings.only_numbers_that_can_send != only:
            self._settings.only_numbers_that_can_send = only

    # ------------------------------------------------------------------------------- shutdown

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        if not self._shown_once and self.splitter.count() == 2:
            # The first split is 3:2 whatever the panel's size hint: a place reserved for the
            # compose panel has none, and the panel must not change width when it arrives.
            total = sum(self.splitter.sizes())
            if total > 0:
                self.splitter.setSizes([total * 3 // 5, total - total * 3 // 5])
        self._shown_once = True

    def request_close(self) -> None:
        """Close from anywhere (a signal handler, a task): goes through `closeEvent` later."""
        QTimer.singleShot(0, self.close)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._lifecycle is Lifecycle.CLOSED:
            event.accept()
            return
        event.ignore()
        self.hide()  # the user sees the window go at once; the work stops behind it
        if self._shutdown_task is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is None:
                self._cancel_everything()
                self._finish_close()
                return
            self._lifecycle = Lifecycle.CLOSING
            self._shutdown_task = loop.create_task(self.shutdown())
            self._shutdown_task.add_done_callback(lambda _task: self._finish_close())

    def _finish_close(self) -> None:
        self._lifecycle = Lifecycle.CLOSED
        self.close()
        self.closed.emit(0)

    def _cancel_everything(self) -> None:
        self._runner.cancel()
        if self._sign_in_dialog is not None:
            with contextlib.suppress(Exception):
                self._sign_in_dialog.reject()
        for task in list(self._tasks):
            if task is not asyncio.current_task() and task is not self._shutdown_task:
                task.cancel()

    async def shutdown(self) -> None:
        """Cancel everything in flight and close the client, within `SHUTDOWN_GRACE_S`."""
        self._lifecycle = Lifecycle.CLOSING
        if self._options.screenshot is None:
            with contextlib.suppress(Exception):
                self._settings.window_geometry = bytes(self.saveGeometry().data())
        self._cancel_everything()
        pending = [t for t in self._tasks if t is not asyncio.current_task() and t is not self._shutdown_task]
        await self._runner.stop(SHUTDOWN_GRACE_S)
        if self._shutdown_hooks:
            hooks = [asyncio.ensure_future(hook()) for hook in self._shutdown_hooks]
            await asyncio.wait(hooks, timeout=SHUTDOWN_GRACE_S)
        if pending:
            await asyncio.wait(pending, timeout=SHUTDOWN_GRACE_S)
        session, self._session = self._session, None
        if session is not None:
            await self._close_session(session)

    async def _close_session(self, session: AccountSession) -> None:
        try:
            await asyncio.wait_for(session.aclose(), SHUTDOWN_GRACE_S)
        except Exception:
            _log.warning("the HTTP client did not close cleanly", exc_info=True)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            _log.error("background task failed", exc_info=error)
            self.status_banner.show_error(error_text(error), retry=self._session is not None)


async def _ready(session: AccountSession) -> AccountSession:
    return session


def _placeholder(parent: QWidget, text: str) -> QWidget:
    label = QLabel(text, parent)
    label.setObjectName("viewPlaceholder")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setEnabled(False)
    return label


