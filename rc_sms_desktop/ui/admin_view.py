"""The Account view: every number of the account, its owner, SMS holder and verdict (admins).

Top to bottom: the scan bar (Scan / Cancel, progress with an ETA), the filters (verdict, reason,
usage type, owner kind, status) with a search field and Export, the summary line (it follows the
filters), then a splitter with the table and the detail pane of the selected number. A user
without admin rights sees why the view is unavailable and what role it needs instead of the table.

The scan is `account_scan.AccountScan`, run as a plain asyncio task on the qasync loop (latest
wins; Cancel cancels the task and the scan saves its progress). Rows arrive in batches and go to
`AccountTableModel.upsert`. While rows stream in, the loop must stay free for the user (no turn
over ~50 ms at 10,000 rows): the summary and the filter choices are recomputed at most every
`REFRESH_MS`, from the model's Python list (never by walking the proxy), and a sorted table is
re-sorted at most every `RESORT_MS`; when the scan ends both are brought up to date at once.
Rows that have landed are moved out of the cyclic garbage collector's reach (`_settle_rows`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import html
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rc_sms_desktop.core.account_join import AccountRow
from rc_sms_desktop.core.account_table import COLUMN_INDEX, rows_to_csv, rows_to_json, summarize
from rc_sms_desktop.core.formatting import format_duration
from rc_sms_desktop.ui.accessibility import announce
from rc_sms_desktop.ui.admin_model import (
    ROW_ROLE,
    AccountFilterModel,
    AccountFilters,
    AccountTableModel,
)
from rc_sms_desktop.ui.detail_pane import DetailPane
from rc_sms_desktop.ui.labels import plain_label
from rc_sms_desktop.workflows.account_scan import (
    AccountScan,
    JsonClient,
    RowsUpdated,
    ScanEvent,
    ScanFailed,
    ScanFinished,
    ScanPaused,
    ScanPermissionDenied,
    ScanProgress,
    ScanStarted,
    ScanWarning,
    default_state_path,
)
from rc_sms_desktop.workflows.account_scan import state_path_for as scan_state_path_for

if TYPE_CHECKING:
    from rc_sms_desktop.ui.main_window import MainWindow
    from rc_sms_desktop.ui.window_services import AccountSession

_log = logging.getLogger(__name__)

REFRESH_MS = 1000  # summary and filter choices while rows stream in
RESORT_MS = 1000  # a sorted table re-sorts at most this often while rows stream in
# While rows stream in, the table repaints at most this often. Qt repaints a whole table view
# after every insert, even of rows below the visible ones (QAbstractItemView::doItemsLayout),
# and a scan sends a 1,000-number page as ten 100-row batches in ten turns of the loop: ten
# repaints of 10-26 ms each (measured, 10,000 rows) where one shows the same thing; changed
# rows scattered over the visible ones cost the same. Qt's documented way to batch such changes
# is QWidget::setUpdatesEnabled.
STREAM_PAINT_MS = 100
PROGRESS_DELAY_MS = 300  # a scan that ends sooner never flashes a progress bar
ALL = "All"

ScanFactory = Callable[[JsonClient, Path | None], AccountScan]


def _format_eta(seconds: float | None) -> str:
    return "estimating time left…" if seconds is None else f"about {format_duration(seconds)} left"


def state_path_for(session: AccountSession | None) -> Path | None:
    """The saved-scan file of a session: one per server and signed-in user (names hashed)."""
    if session is None:
        return None
    if session.is_demo:
        return default_state_path("demo")
    owner = session.auth.owner_id if session.auth is not None else None
    return scan_state_path_for(session.server_url or session.client.server_url, owner)


SCAN_TEXT = "&Scan account"


class _FilterCombo(QComboBox):
    """A filter choice: "All" and the values present, each with its count."""

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Filter")
        self.setAccessibleName(f"Filter by {name}")
        # A fixed width from a few characters: growing with each scan's longest reason squeezed
        # the search field to "S…". The open list still shows whole entries.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)
        self.view().setTextElideMode(Qt.TextElideMode.ElideNone)
        self.addItem(ALL, None)

    def value(self) -> str | None:
        data = self.currentData()
        return data if isinstance(data, str) else None

    def set_choices(self, counts: dict[str, int], label: Callable[[str], str] = str) -> None:
        if self.view().isVisible():
            return  # never rebuild a list the user is looking at; the next refresh will
        current = self.value()
        self.blockSignals(True)
        try:
            self.clear()
            self.addItem(ALL, None)
            for value in sorted(counts, key=lambda v: (-counts[v], v)):
                self.addItem(f"{label(value) or '(none)'} ({counts[value]})", value)
            if current is not None:
                index = self.findData(current)
                if index < 0:  # keep a chosen value even while no row has it (yet)
                    self.addItem(f"{label(current)} (0)", current)
                    index = self.count() - 1
                self.setCurrentIndex(index)
        finally:
            self.blockSignals(False)


class AccountView(QWidget):
    """The Account tab (see the module docstring).

    Signals: `scanFinished(rows)` after a complete scan; `permissionDenied(message)` when the
    signed-in user may not read the account; `rowSelected(row or None)`.
    """

    scanFinished = Signal(int)
    permissionDenied = Signal(str)
    rowSelected = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        scan_factory: ScanFactory | None = None,
        state_path: Callable[[AccountSession | None], Path | None] = state_path_for,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accountView")
        self._scan_factory: ScanFactory = scan_factory or (lambda client, path: AccountScan(client, path))
        self._state_path = state_path
        self._session: AccountSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._scan: AccountScan | None = None
        self._as_of: datetime | None = None
        self._warnings: list[str] = []
        self._shown_row: AccountRow | None = None

        self.model = AccountTableModel(self)
        self.proxy = AccountFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_derived)
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(PROGRESS_DELAY_MS)
        self._progress_timer.timeout.connect(self._reveal_progress)
        self._paint_hold = QTimer(self)
        self._paint_hold.setSingleShot(True)
        self._paint_hold.setInterval(STREAM_PAINT_MS)
        self._paint_hold.timeout.connect(self._release_paint)
        self._build()
        self._show_idle()

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)

        bar = QHBoxLayout()
        # Mnemonics: unique among what this tab shows with the window's header and menus.
        self.scan_button = QPushButton(SCAN_TEXT, self)
        self.scan_button.setObjectName("scanAccountButton")
        self.scan_button.setToolTip(
            "Read every number of the account, its owner and its SMS registration. Large accounts "
            "take a while: RingCentral's rate limits set the pace."
        )
        self.scan_button.clicked.connect(self.start_scan)
        self.cancel_button = QPushButton("&Cancel", self)
        self.cancel_button.setObjectName("cancelScanButton")
        self.cancel_button.clicked.connect(self.cancel_scan)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("scanProgress")
        self.progress.setAccessibleName("Scan progress")
        self.progress.setTextVisible(True)
        self.eta_label = plain_label(self, "scanEta")
        self.pause_label = plain_label(self, "scanPause")
        self.status_label = plain_label(self, "scanStatus", wrap=True)
        self.status_label.setAccessibleName("Scan status")
        bar.addWidget(self.scan_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.eta_label)
        bar.addWidget(self.pause_label)
        bar.addWidget(self.status_label, 2)
        layout.addLayout(bar)

        filters = QHBoxLayout()
        self.verdict_filter = _FilterCombo("verdict", self)
        self.reason_filter = _FilterCombo("reason", self)
        self.usage_filter = _FilterCombo("usage type", self)
        self.kind_filter = _FilterCombo("owner kind", self)
        self.status_filter = _FilterCombo("status", self)
        for label, combo in (
            ("Ver&dict", self.verdict_filter),
            ("R&eason", self.reason_filter),
            ("Usa&ge", self.usage_filter),
            ("O&wner", self.kind_filter),
            ("S&tatus", self.status_filter),
        ):
            caption = QLabel(label + ":", self)
            caption.setBuddy(combo)
            filters.addWidget(caption)
            filters.addWidget(combo)
            combo.currentIndexChanged.connect(self._apply_filters)
        self.search = QLineEdit(self)
        self.search.setObjectName("accountSearch")
        self.search.setPlaceholderText("Search number, label, owner, holder, use case…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the account's numbers")
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("Search number, label") + 40)
        for action in self.search.findChildren(QAction):  # the clear button ("×") is an action
            action.setText("Clear the search")
            action.setToolTip("Clear the search")
        search_label = QLabel("Searc&h:", self)
        search_label.setBuddy(self.search)
        # The search and Export get a row of their own: next to five filters the search field
        # was squeezed to "S…" once a scan had filled them.
        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        self.search.textChanged.connect(self._apply_filters)
        search_row.addWidget(self.search, 1)
        self.export_button = QToolButton(self)
        self.export_button.setObjectName("exportButton")
        self.export_button.setText("E&xport")
        self.export_button.setAccessibleName("Export the rows shown")
        self.export_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # tool buttons default to none
        self.export_button.setToolTip("Save the rows shown (filters and order applied)")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction("As CSV…", lambda: self._ask_export("csv"))
        menu.addAction("As JSON…", lambda: self._ask_export("json"))
        self.export_button.setMenu(menu)
        search_row.addWidget(self.export_button)
        filters.addStretch(1)
        layout.addLayout(filters)
        layout.addLayout(search_row)

        self.summary_label = plain_label(self, "accountSummary", wrap=True, selectable=True)
        layout.addWidget(self.summary_label)

        self.message = QLabel(self)
        self.message.setObjectName("accountMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setFrameShape(QFrame.Shape.StyledPanel)
        self.message.setMargin(12)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message.hide()
        layout.addWidget(self.message)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("accountSplitter")
        self.table = QTableView(self.splitter)
        self.table.setObjectName("accountTable")
        self.table.setAccessibleName("The account's phone numbers")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures 10,000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for key, width in (("number", 130), ("label", 130), ("usage_type", 130), ("status", 80),
                           ("owner", 190), ("owner_kind", 110), ("sms_holder", 190),
                           ("features", 200), ("campaign", 100), ("brand", 80), ("tier", 100),
                           ("use_cases", 160), ("verdict", 120), ("reason", 360)):
            header.resizeSection(COLUMN_INDEX[key], width)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        side = QWidget(self.splitter)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.row_header = QLabel(side)
        self.row_header.setTextFormat(Qt.TextFormat.RichText)  # escaped with _e: server text stays text
        self.row_header.setObjectName("accountRowHeader")
        self.row_header.setWordWrap(True)
        self.row_header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.row_header.setMargin(8)
        self.detail_pane = DetailPane(side, account_view=True)
        side_layout.addWidget(self.row_header)
        side_layout.addWidget(self.detail_pane, 1)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)

    def add_action_widget(self, widget: QWidget) -> None:
        """A row of actions on the selected numbers (ui/fix_view.py), above the table."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.splitter), widget)

    # -- what the window calls ---------------------------------------------------------------------

    def install(self, window: MainWindow, title: str = "&Account") -> int:
        """Add this view as a tab of a `MainWindow` and follow its session; returns the tab index.

        Closing the window cancels the scan at once (it saves its progress), before the window's
        shutdown closes the client under it.
        """
        index: int = window.add_tab(self, title)
        window.add_shutdown_hook(self.shutdown)
        window.sessionChanged.connect(self.set_session)
        window.installEventFilter(self)
        self.set_session(window.session)
        return index

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.cancel_scan()
        return super().eventFilter(watched, event)

    def set_session(self, session: AccountSession | None) -> None:
        """Show another account (or none): stops the scan in flight and clears the table."""
        self.cancel_scan()
        self._session = session
        self.model.clear()
        self._warnings = []
        self._as_of = None
        self.message.hide()
        self.splitter.show()
        self._show_idle()
        self._refresh_derived()

    @property
    def scanning(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    @property
    def warnings(self) -> list[str]:
        return list(self._warnings)

    def start_scan(self) -> asyncio.Task[None] | None:
        """Start (or resume, or refresh) the scan; the previous one, if any, is cancelled."""
        if self._session is None:
            self.status_label.setText("Sign in to scan the account.")
            return None
        previous = self._task
        self.cancel_scan()
        scan = self._scan_factory(self._session.client, self._state_path(self._session))
        self._scan = scan
        self._task = asyncio.get_running_loop().create_task(self._run_after(previous, scan))
        return self._task

    async def _run_after(self, previous: asyncio.Task[None] | None, scan: AccountScan) -> None:
        # The cancelled scan saves its progress on the way out; read the file only after that.
        if previous is not None and not previous.done():
            await asyncio.wait({previous})  # never raises its outcome; our own cancel still does
        await self.run_scan(scan)

    def cancel_scan(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def shutdown(self) -> None:
        """Cancel the scan and wait for it to save its progress."""
        task = self._task
        self.cancel_scan()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def run_scan(self, scan: AccountScan) -> None:
        """Consume the scan's events into the table (tests await this directly)."""
        self._show_scanning()
        self.model.defer_sorting(RESORT_MS)
        _settle_rows()  # what the app holds already (modules, the rows of an earlier scan)
        try:
            async for event in scan.run():
                self.handle_event(event)
        except asyncio.CancelledError:
            self.status_label.setText("Scan cancelled. Progress is saved: scan again to continue.")
            announce(self.status_label, self.status_label.text())
            raise
        finally:
            self.model.defer_sorting(0)  # sorts now if rows came in since the last sort
            self._release_paint()
            self._refresh_timer.stop()
            _settle_rows()
            self._progress_timer.stop()
            self.pause_label.setText("")
            self._show_idle(keep_status=True)
            self._refresh_derived()

    def handle_event(self, event: ScanEvent) -> None:
        if isinstance(event, ScanStarted):
            self.status_label.setText(
                "Continuing the saved scan…" if event.resumed else "Scanning the account…"
            )
        elif isinstance(event, RowsUpdated):
            if event.removed:
                self.model.remove(event.removed)
            if event.rows:
                self._hold_paint()
                self.model.upsert(event.rows)
                self._refresh_current()
                _settle_rows()  # cheap (a young collection), and keeps full collections short
            if not self._refresh_timer.isActive():
                self._refresh_timer.start()
        elif isinstance(event, ScanProgress):
            total = max(event.total, 1)
            self.progress.setRange(0, total)
            self.progress.setValue(min(event.done, total))
            self.progress.setFormat(f"{event.done} of {event.total} requests")
            self.eta_label.setText(_format_eta(event.eta_s))
        elif isinstance(event, ScanPaused):
            if event.resume_at is None:
                self.pause_label.setText("")
            else:
                wait = max(0, round((event.resume_at - datetime.now(UTC)).total_seconds()))
                why = (
                    "RingCentral asked us to pause" if event.reason == "penalty"
                    else "Keeping to RingCentral's rate limit"
                )
                self.pause_label.setText(f"{why} ({event.group}): next request in {wait} s")
        elif isinstance(event, ScanWarning):
            self._warnings.append(event.message)
            self.status_label.setText(f"Warning: {event.message}")
        elif isinstance(event, ScanPermissionDenied):
            self._show_permission_denied(event)
        elif isinstance(event, ScanFailed):
            self.status_label.setText(f"The scan stopped: {event.message}")
            announce(self.status_label, self.status_label.text(), assertive=True)
        elif isinstance(event, ScanFinished):
            self._as_of = event.as_of
            text = f"Scanned {event.rows} numbers, as of {event.as_of.astimezone():%-d %b %Y, %H:%M}."
            if event.warnings:
                text += f" {event.warnings} warnings."
            self.status_label.setText(text)
            announce(self.status_label, text + " " + self.summary_label.text())
            self.scanFinished.emit(event.rows)

    def _hold_paint(self) -> None:
        """Let the table take in rows without repainting until `STREAM_PAINT_MS` after the
        first of them (a hold under way is not extended: the table repaints on time)."""
        if self._paint_hold.isActive():
            return
        self.table.setUpdatesEnabled(False)
        self._paint_hold.start()

    def _release_paint(self) -> None:
        self._paint_hold.stop()
        if not self.table.updatesEnabled():
            self.table.setUpdatesEnabled(True)  # repaints the table once, as it is now

    # -- export ---------------------------------------------------------------------------------

    def visible_rows(self) -> list[AccountRow]:
        return self.proxy.visible_rows()

    def export_csv(self, path: Path) -> int:
        """Write the rows shown (filters and order applied) as CSV; returns how many."""
        rows = self.visible_rows()
        path.write_text(rows_to_csv(rows), encoding="utf-8", newline="")
        return len(rows)

    def export_json(self, path: Path) -> int:
        rows = self.visible_rows()
        path.write_text(rows_to_json(rows) + "\n", encoding="utf-8")
        return len(rows)

    def _ask_export(self, kind: str) -> None:
        # open() + fileSelected, never the blocking static: the scan keeps running meanwhile.
        dialog = QFileDialog(self, "Export the rows shown")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV files (*.csv)" if kind == "csv" else "JSON files (*.json)")
        dialog.setDefaultSuffix(kind)
        dialog.selectFile(f"account-numbers.{kind}")

        def chosen(name: str) -> None:
            try:
                count = (self.export_csv if kind == "csv" else self.export_json)(Path(name))
            except OSError as error:
                self.status_label.setText(f"Could not save {name}: {error.strerror or error}")
            else:
                self.status_label.setText(f"Saved {count} rows to {name}.")

        dialog.fileSelected.connect(chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # -- filters, summary, selection ----------------------------------------------------------

    def current_filters(self) -> AccountFilters:
        return AccountFilters(
            verdict=self.verdict_filter.value(),
            reason=self.reason_filter.value(),
            usage_type=self.usage_filter.value(),
            owner_kind=self.kind_filter.value(),
            status=self.status_filter.value(),
            text=self.search.text(),
        )

    def _apply_filters(self) -> None:
        self.proxy.set_filters(self.current_filters())
        self._update_summary()

    def summary_text(self) -> str:
        return self.summary_label.text()

    def _update_summary(self) -> None:
        total = self.model.rowCount()
        if total == 0:
            self.summary_label.setText("")
            return
        # visible_rows() filters the model's Python list: no Qt call per row.
        rows = self.model.rows if not self.proxy.filtering else self.visible_rows()
        text = summarize(rows).text()
        if len(rows) != total:
            text = f"Showing {len(rows)} of {total} numbers: {text}"
        self.summary_label.setText(text)

    def _refresh_derived(self) -> None:
        """Filter choices (with counts) and the summary, from the rows as they are now."""
        counts = self.model.facet_counts()  # kept up to date by the model, row by row
        self.verdict_filter.set_choices(counts["verdict"])
        self.reason_filter.set_choices(counts["reason"])
        self.usage_filter.set_choices(counts["usage"])
        self.kind_filter.set_choices(counts["kind"])
        self.status_filter.set_choices(counts["status"])
        self._update_summary()

    def selected_row(self) -> AccountRow | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        value = indexes[0].data(ROW_ROLE)
        return value if isinstance(value, AccountRow) else None

    def select_number(self, e164: str) -> bool:
        """Select the row of a number (E.164) if the filters show it."""
        for proxy_row in range(self.proxy.rowCount()):
            row = self.proxy.row_for(proxy_row)
            if row is not None and row.e164 == e164:
                self.table.selectRow(proxy_row)
                return True
        return False

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_row(self.selected_row())

    def _refresh_current(self) -> None:
        # The selected row may just have been replaced by a newer version of itself.
        row = self.selected_row()
        if row is not None and row is not self._shown_row:
            self._show_row(row)

    def _show_row(self, row: AccountRow | None) -> None:
        self._shown_row = row
        self.rowSelected.emit(row)
        if row is None:
            self.row_header.setText("")
            self.detail_pane.set_signed_in(None)
            self.detail_pane.show_verdict(None)
            self.detail_pane.set_as_of(None)
            return
        owner = row.owner.describe()
        if row.owner.kind != owner:
            owner += f" ({row.owner.kind})"
        parts = [f"<b>Owner:</b> {_e(owner)}"]
        holder = row.sms_holder.describe() if row.sms_holder else "nobody"
        parts.append(f"<b>SMS holder:</b> {_e(holder)}")
        parts.append(f"<b>Features:</b> {_e(', '.join(row.features) or 'none')}"
                     if row.features_known else "<b>Features:</b> still loading")
        text = " · ".join(parts)
        for note in row.notes:
            text += f"<br><i>{_e(note)}</i>"
        self.row_header.setText(text)
        # The pane names the SMS holder in its checklist and ownership table.
        self.detail_pane.set_signed_in(row.sms_holder)
        self.detail_pane.show_verdict(row.verdict)
        self.detail_pane.set_as_of(row.as_of)

    # -- states ---------------------------------------------------------------------------------

    def _show_idle(self, *, keep_status: bool = False) -> None:
        self.scan_button.setEnabled(self._session is not None)
        self.scan_button.setText(SCAN_TEXT if self.model.rowCount() == 0 else "Refresh &scan")
        cancel_had_focus = self.cancel_button.hasFocus()
        self.cancel_button.hide()
        if cancel_had_focus:  # the scan ended under the focused Cancel: back to Scan
            (self.scan_button if self.scan_button.isEnabled() else self.table).setFocus(
                Qt.FocusReason.OtherFocusReason
            )
        self.progress.hide()
        self.eta_label.hide()
        if not keep_status:
            self.status_label.setText(
                "Scan the account to see every number, who owns it and who can text from it."
                if self._session is not None else "Sign in to scan the account."
            )

    def _show_scanning(self) -> None:
        had_focus = self.scan_button.hasFocus()
        self.scan_button.setEnabled(False)
        self.cancel_button.show()
        if had_focus:
            # A disabled button drops the focus somewhere arbitrary: Cancel is what the user
            # may want next, and Qt shows its focus.
            self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.progress.setRange(0, 0)
        self._progress_timer.start()

    def _reveal_progress(self) -> None:
        if self.scanning:
            self.progress.show()
            self.eta_label.show()

    def _show_permission_denied(self, event: ScanPermissionDenied) -> None:
        self.splitter.hide()
        self.message.setText(
            "<h3>The Account view needs an administrator role</h3>"
            f"<p>{_e(event.message)}</p><p>{_e(event.role_needed)}</p>"
            "<p>Your own numbers are still in the “Send from” tab.</p>"
        )
        self.message.show()
        self.status_label.setText("Not available for this user.")
        self.permissionDenied.emit(event.message)



def _settle_rows() -> None:
    """Take the objects alive now (mostly the rows just shown) out of the cyclic GC's reach.

    10,000 rows with their verdicts and records are hundreds of thousands of tracked objects:
    every full collection while a scan adds more would walk them all, up to ~300 ms on the loop.
    Frozen objects are still freed by reference counting when a row is replaced or the table
    cleared; only garbage in reference cycles frozen here stays until `gc.unfreeze()`, and the
    young collection first keeps that small.
    """
    gc.collect(1)
    gc.freeze()


async def scan_into_model(scan: AccountScan, model: AccountTableModel) -> ScanEvent | None:
    """Run a scan headless into a table model (benchmarks); returns its last event."""
    last: ScanEvent | None = None
    async for event in scan.run():
        last = event
        if isinstance(event, RowsUpdated):
            if event.removed:
                model.remove(event.removed)
            model.upsert(event.rows)
    return last


def _e(text: str) -> str:
    return html.escape(text, quote=False)
