"""The Account view over the simulator: fill, detail pane, filters, summary, export, permission."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from rc_sms_desktop.api.auth import TokenSessionEndedError
from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.demo import open_demo_client
from rc_sms_desktop.api.errors import SessionEndedError
from rc_sms_desktop.core.account_table import COLUMN_INDEX
from rc_sms_desktop.ui.admin_model import AccountTableModel
from rc_sms_desktop.ui.admin_view import AccountView, scan_into_model
from rc_sms_desktop.ui.window_services import AccountSession
from rc_sms_desktop.workflows.account_scan import AccountScan
from tests.ui.qasync_helpers import wait_until
from tests.workflows.ending_session import SessionEndsAfter

Factory = Callable[..., Awaitable[AccountSession]]


@pytest.fixture
async def make_session() -> AsyncIterator[Factory]:
    sessions: list[AccountSession] = []

    async def make(**options: Any) -> AccountSession:
        client = await open_demo_client(**{"rate_window_s": 0.05, **options})
        session = AccountSession(client=client, environment="Demo", is_demo=True)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        await session.aclose()


def make_view(qtbot: Any, tmp_path: Path) -> AccountView:
    view = AccountView(state_path=lambda _session: tmp_path / "scan.json")
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    return view


async def scanned(view: AccountView, session: AccountSession) -> None:
    view.set_session(session)
    task = view.start_scan()
    assert task is not None
    await task


async def scan_under_way(view: AccountView, make_session: Factory) -> asyncio.Task[Any]:
    """Start `view` scanning a large account (300 numbers, 60 extensions); the scan's task,
    once its first rows are shown."""
    view.set_session(await make_session(account_numbers=300, extensions=60))
    task = view.start_scan()
    assert task is not None
    await wait_until(lambda: view.model.rowCount() > 0, within=20)
    return task


async def test_scan_fills_the_table_and_the_detail_pane(
    qtbot: Any, tmp_path: Path, make_session: Factory
) -> None:
    view = make_view(qtbot, tmp_path)
    await scanned(view, await make_session())

    assert view.model.rowCount() > 20
    assert "can send SMS" in view.summary_text() and "blocked" in view.summary_text()
    assert "Scanned" in view.status_label.text()
    assert not view.progress.isVisible()

    # A call-queue number: the row says who owns it and who holds its SMS; the detail pane
    # applies the guide's ownership rule to it.
    queue = next(r for r in view.model.rows if r.owner.kind == "Call queue" and r.sms_holder)
    assert view.select_number(queue.e164)
    assert view.selected_row() is not None and view.selected_row().key == queue.key
    header = view.row_header.text()
    assert queue.owner.name is not None and queue.owner.name in header
    assert queue.sms_holder is not None and queue.sms_holder.name is not None
    assert queue.sms_holder.name in header
    body = view.detail_pane.body_text()
    assert "call queue" in body.lower()
    assert queue.sms_holder.name in body
    assert queue.verdict is not None
    assert view.detail_pane.headline() == queue.verdict.headline


async def test_filters_drive_the_summary_and_the_exports(
    qtbot: Any, tmp_path: Path, make_session: Factory
) -> None:
    view = make_view(qtbot, tmp_path)
    await scanned(view, await make_session())
    total = view.model.rowCount()

    view.verdict_filter.setCurrentIndex(view.verdict_filter.findData("Blocked"))
    blocked = view.visible_rows()
    assert blocked and all(r.verdict_label == "Blocked" for r in blocked)
    assert view.summary_text().startswith(f"Showing {len(blocked)} of {total} numbers: 0 can send SMS")

    view.kind_filter.setCurrentIndex(view.kind_filter.findData("User"))
    view.search.setText("campaign")
    shown = view.visible_rows()
    assert shown and all(r.owner.kind == "User" and r.verdict_label == "Blocked" for r in shown)
    view.table.sortByColumn(COLUMN_INDEX["number"], Qt.SortOrder.DescendingOrder)
    shown = view.visible_rows()
    assert [r.e164 for r in shown] == sorted((r.e164 for r in shown), reverse=True)

    csv_path, json_path = tmp_path / "view.csv", tmp_path / "view.json"
    assert view.export_csv(csv_path) == len(shown)
    assert view.export_json(json_path) == len(shown)
    lines = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert [line["Number"] for line in lines] == [r.e164 for r in shown]
    assert all(line["Owner kind"] == "User" and line["Verdict"] == "Blocked" for line in lines)
    data = json.loads(json_path.read_text())
    assert [item["phoneNumber"] for item in data] == [r.e164 for r in shown]
    assert all(item["sms"] == "blocked" and "owner" in item for item in data)


async def test_user_without_admin_rights_sees_why_and_what_role(
    qtbot: Any, tmp_path: Path, make_session: Factory
) -> None:
    view = make_view(qtbot, tmp_path)
    denied: list[str] = []
    view.permissionDenied.connect(denied.append)
    await scanned(view, await make_session(admin=False))
    assert len(denied) == 1
    assert view.message.isVisible()
    assert not view.splitter.isVisible()
    text = view.message.text()
    assert "administrator role" in text and "Super Admin" in text
    assert view.model.rowCount() == 0
    assert view.scan_button.isEnabled()  # nothing is stuck


async def test_cancel_keeps_rows_and_scan_again_resumes(
    qtbot: Any, tmp_path: Path, make_session: Factory
) -> None:
    view = make_view(qtbot, tmp_path)
    task = await scan_under_way(view, make_session)
    await wait_until(lambda: view.progress.value() > 30, within=20)
    view.cancel_button.click()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "cancelled" in view.status_label.text().lower()
    assert view.model.rowCount() > 0
    assert view.scan_button.isEnabled() and view.scan_button.text().replace("&", "") == "Refresh scan"
    assert (tmp_path / "scan.json").is_file()

    second = view.start_scan()
    assert second is not None
    await wait_until(lambda: "Continuing" in view.status_label.text() or second.done(), within=5)
    await second
    assert view.model.rowCount() == 300
    assert not any(r.pending for r in view.model.rows)


@pytest.mark.parametrize("error", [SessionEndedError, TokenSessionEndedError])
async def test_a_session_that_ends_mid_scan_says_why_the_scan_stopped(
    qtbot: Any, tmp_path: Path, make_session: Factory, error: type[SessionEndedError]
) -> None:
    session = await make_session(account_numbers=300, extensions=60)
    ending = SessionEndsAfter(session.client, 30, error)
    view = AccountView(state_path=lambda _session: None, scan_factory=lambda _c, path: AccountScan(ending, path))
    qtbot.addWidget(view)
    await scanned(view, session)
    assert ending.calls_after_the_end == 0
    text = view.status_label.text()
    assert text.startswith("The scan stopped:") and "sign in again" in text.lower()
    assert view.scan_button.isEnabled()  # nothing is stuck


async def test_new_session_stops_the_scan_and_clears_the_table(
    qtbot: Any, tmp_path: Path, make_session: Factory
) -> None:
    view = make_view(qtbot, tmp_path)
    await scanned(view, await make_session())
    assert view.model.rowCount() > 0
    view.set_session(None)
    assert view.model.rowCount() == 0
    assert view.summary_text() == ""
    assert view.start_scan() is None
    assert "Sign in" in view.status_label.text()
    await view.shutdown()


async def test_headless_fill_for_benchmarks(make_session: Factory) -> None:
    session = await make_session(account_numbers=200, extensions=40)
    client: RingCentralClient = session.client
    model = AccountTableModel()
    await scan_into_model(AccountScan(client, None), model)
    assert model.rowCount() == 200


async def test_installs_as_a_tab_of_the_main_window_and_follows_its_session(
    qtbot: Any, tmp_path: Path, demo_services: Callable[..., Any], ui_settings: Any
) -> None:
    from rc_sms_desktop.ui.main_window import MainWindow

    window = MainWindow(
        demo_services(rate_window_s=0.05, account_numbers=300, extensions=60), settings=ui_settings
    )
    qtbot.addWidget(window)
    view = AccountView(state_path=lambda _session: tmp_path / "scan.json")
    index = view.install(window)
    assert window.tabs.widget(index) is view
    assert window.tabs.tabText(index) == "&Account"
    window.show()
    await window.start()
    await wait_until(lambda: view.scan_button.isEnabled(), within=10)
    window.tabs.setCurrentIndex(index)
    task = view.start_scan()
    assert task is not None
    await wait_until(lambda: view.model.rowCount() > 0, within=10)
    assert not task.done()
    # Closing mid-scan stops the scan before the window closes the client.
    window.close()
    await wait_until(lambda: task.done(), within=5)
    assert task.cancelled()
    assert (tmp_path / "scan.json").is_file()
    await window.shutdown()


async def test_scanning_again_waits_for_the_cancelled_scan_to_save(
    qtbot: Any, tmp_path: Path, make_session: Factory
) -> None:
    view = make_view(qtbot, tmp_path)
    first = await scan_under_way(view, make_session)
    second = view.start_scan()  # latest wins
    assert second is not None and second is not first
    await second
    assert first.cancelled()
    assert view.model.rowCount() == 300
    assert not any(r.pending for r in view.model.rows)


def test_every_control_takes_keyboard_focus_and_has_a_name(qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTextBrowser, QWidget

    view = make_view(qtbot, tmp_path)
    controls = [
        w for w in view.findChildren(QWidget)
        if isinstance(w, QAbstractButton | QComboBox | QLineEdit | QTextBrowser)
        and not w.objectName().startswith("qt_")
        and not isinstance(w.parent(), QLineEdit)  # the search field's own clear button
    ]
    assert len(controls) >= 9
    for widget in controls:
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()
        assert widget.accessibleName() or text.replace("&", "").strip(), widget.objectName()


def test_the_account_detail_pane_names_the_sms_holder_not_you(qtbot: Any) -> None:
    from rc_sms_desktop.core.eligibility import evaluate
    from rc_sms_desktop.core.models import parse_phone_number
    from rc_sms_desktop.ui.detail_pane import DetailPane

    class Holder:
        name = "Priya Natarajan"
        extension_number = "102"

        def describe(self) -> str:
            return "Priya Natarajan (ext. 102)"

    number = parse_phone_number(
        {"id": 5, "phoneNumber": "+16505550100", "usageType": "MainCompanyNumber",
         "paymentType": "Local", "status": "Normal", "type": "VoiceFax",
         "features": ["CallerId", "SmsSender"]}
    )
    pane = DetailPane(account_view=True)
    qtbot.addWidget(pane)
    pane.set_signed_in(Holder())
    pane.show_verdict(evaluate(number))
    from PySide6.QtWidgets import QTextBrowser

    text = pane.findChild(QTextBrowser, "detailBody").toPlainText()
    assert "Who holds its SMS" in text and "Priya Natarajan (ext. 102) holds this number's SMS" in text
    assert "assigned to you" not in text and "You (" not in text
