"""The compose panel: live counter and marks, Send off with the reason in words, send and follow.

Async tests run on the qasync loop (tests/ui/conftest.py). The client talks to a small local
RingCentral stand-in (tests/test_sending.py) through httpx.ASGITransport.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from rc_sms_desktop.api.client import RetryPolicy, RingCentralClient
from rc_sms_desktop.core.eligibility import Verdict, evaluate
from rc_sms_desktop.ui.compose_panel import ComposePanel
from tests.core.test_preflight import config, number
from tests.ui.qasync_helpers import first_load, wait_until
from tests.workflows.test_sending import FakeRingCentral

FAST = {"first_delay": 0.01, "max_delay": 0.02, "deadline": 5.0}


class Session:
    def __init__(self, client: Any, is_demo: bool) -> None:
        self.client = client
        self.is_demo = is_demo


def ready_sender(features: list[str] | None = None) -> Verdict:
    return evaluate(number(features=features), config())


@pytest.fixture
def fake() -> FakeRingCentral:
    return FakeRingCentral()


@pytest.fixture
async def client(fake: FakeRingCentral) -> AsyncIterator[RingCentralClient]:
    transport = httpx.ASGITransport(app=fake.app())
    async with RingCentralClient("http://rc.test", transport, retry=RetryPolicy(attempts=1)) as rc:
        yield rc


@pytest.fixture
def panel(qtbot: QtBot) -> ComposePanel:
    widget = ComposePanel(follow_options=FAST)
    qtbot.addWidget(widget)
    return widget


def parts(panel: ComposePanel) -> tuple[QLineEdit, QPlainTextEdit, QLabel, QPushButton, QLabel]:
    return (
        panel.findChild(QLineEdit, "composeRecipients"),
        panel.findChild(QPlainTextEdit, "composeText"),
        panel.findChild(QLabel, "composeCounter"),
        panel.findChild(QPushButton, "composeSendButton"),
        panel.findChild(QLabel, "composeStatus"),
    )


def filled_in(
    panel: ComposePanel, client: RingCentralClient, text: str = "x"
) -> tuple[QLineEdit, QPlainTextEdit, QLabel, QPushButton, QLabel]:
    """The demo session, a ready sender, one recipient and `text`, so the panel may send;
    returns its `parts`."""
    panel.set_session(Session(client, is_demo=True))
    panel.set_sender(ready_sender())
    to, body, counter, send, status = parts(panel)
    to.setText("650 555 0123")
    body.setPlainText(text)
    return to, body, counter, send, status


def posts(fake: FakeRingCentral) -> list[str]:
    return [path for method, path, _ in fake.requests if method == "POST"]


def test_counter_follows_the_text_live(panel: ComposePanel) -> None:
    _, text, counter, _, _ = parts(panel)
    text.setPlainText("a" * 161)
    assert counter.text() == "161 / 1,000 characters · 2 segments (GSM-7)"
    text.setPlainText("€" * 80)
    assert "1 segment (GSM-7)" in counter.text()
    text.setPlainText("Hi 😀")
    assert "5 / 1,000" in counter.text()
    assert "(UCS-2)" in counter.text()


def test_recipients_are_marked_as_typed(panel: ComposePanel) -> None:
    panel.set_sender(ready_sender())
    to, _, _, _, _ = parts(panel)
    to.setText("650 555 0123, +44 20 7946 0958, 101")
    marks = panel.findChild(QLabel, "composeRecipientMarks").text()
    assert "(650) 555-0123" in marks
    assert "international: United Kingdom" in marks
    assert "extension number" in marks


def test_send_is_off_with_the_reason_in_words(
    panel: ComposePanel, client: RingCentralClient
) -> None:
    to, text, _, send, _ = parts(panel)
    assert not send.isEnabled()
    assert panel.disabled_reason() == "Sign in to send messages."
    panel.set_session(Session(client, is_demo=True))
    assert panel.disabled_reason() == "Pick a number to send from."

    panel.set_sender(evaluate(number(features=["CallerId"])))
    to.setText("650 555 0123")
    text.setPlainText("Hello")
    reason = panel.disabled_reason() or ""
    assert reason.startswith("This number cannot send SMS")
    assert not send.isEnabled()
    assert send.toolTip() == reason
    assert "who can fix it" in panel.findChild(QLabel, "composeProblems").text()

    panel.set_sender(ready_sender(["SmsSender", "MmsSender"]))
    assert send.isEnabled()
    to.setText("+44 20 7946 0958")
    assert not send.isEnabled()
    assert "InternationalSmsSender" in (panel.disabled_reason() or "")


def test_attachments_need_mms_and_can_be_removed(
    panel: ComposePanel, client: RingCentralClient, tmp_path: Path
) -> None:
    panel.set_session(Session(client, is_demo=True))
    panel.set_sender(ready_sender(["SmsSender"]))
    to, text, _, send, _ = parts(panel)
    to.setText("650 555 0123")
    text.setPlainText("Look")
    picture = tmp_path / "p.png"
    picture.write_bytes(b"png!")
    panel.add_attachments([str(picture), str(tmp_path / "missing.png")])
    assert panel.attachment_list.count() == 2
    assert "MmsSender" in (panel.disabled_reason() or "")
    panel.set_sender(ready_sender())
    # Still off: one file cannot be read.
    assert "missing.png" in (panel.disabled_reason() or "")
    panel.attachment_list.item(1).setSelected(True)
    panel.remove_selected_attachments()
    assert [a.name for a in panel.attachments] == ["p.png"]
    assert send.isEnabled()


def test_use_cases_are_shown_as_a_reminder(panel: ComposePanel) -> None:
    panel.set_sender(ready_sender())
    reminder = panel.findChild(QLabel, "composeUseCases").text()
    assert "Customer care" in reminder
    assert "Account notices" in reminder


def test_low_volume_daily_limit_is_shown_without_blocking(
    panel: ComposePanel, client: RingCentralClient
) -> None:
    panel.set_session(Session(client, is_demo=True))
    panel.set_sender(evaluate(number(), config(tier="LowVolume")))
    to, text, _, send, _ = parts(panel)
    to.setText("650 555 0123")
    text.setPlainText("x")
    assert send.isEnabled()
    assert "6,000 messages a day" in panel.findChild(QLabel, "composeProblems").text()


async def test_demo_send_follows_to_delivered_without_confirmation(
    panel: ComposePanel, client: RingCentralClient, fake: FakeRingCentral, qtbot: QtBot
) -> None:
    to, text, _, send, status = filled_in(panel, client, "Hello from the demo")
    finished: list[object] = []
    panel.sendFinished.connect(finished.append)
    send.click()
    await wait_until(lambda: finished)
    assert status.text() == "Delivered."
    assert panel.confirmation_box is None
    assert posts(fake) == ["/restapi/v1.0/account/~/extension/~/sms"]
    assert text.toPlainText() == ""  # accepted: the draft is cleared
    assert to.text() == "650 555 0123"


async def test_real_account_asks_once_before_the_first_send(
    panel: ComposePanel, client: RingCentralClient, fake: FakeRingCentral
) -> None:
    panel.set_session(Session(client, is_demo=False))
    panel.set_sender(ready_sender())
    to, text, _, _, status = parts(panel)
    to.setText("650 555 0123")
    text.setPlainText("Real one")

    task = asyncio.ensure_future(panel.send())
    await wait_until(lambda: panel.confirmation_box is not None)
    box = panel.confirmation_box
    assert box is not None
    assert "real message" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert await task is None
    assert posts(fake) == []
    assert status.text() == "Not sent."
    assert text.toPlainText() == "Real one"  # nothing lost

    task = asyncio.ensure_future(panel.send())
    await wait_until(lambda: panel.confirmation_box is not None)
    box = panel.confirmation_box
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    final = await task
    assert final is not None and final.delivered
    assert len(posts(fake)) == 1

    text.setPlainText("Second")
    final = await panel.send()  # no second question in this session
    assert final is not None and final.delivered
    assert len(posts(fake)) == 2


async def test_refusal_is_explained_and_the_draft_kept(
    panel: ComposePanel, client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.send_error = (403, "MSG-242", "Sending SMS is not available from the number specified.")
    _, text, _, send, status = filled_in(panel, client, "Keep me")
    assert await panel.send() is None
    assert status.text().startswith("Not sent.")
    assert "(MSG-242)" in status.text()
    assert "an account admin" in status.text()
    assert text.toPlainText() == "Keep me"
    assert send.isEnabled()


async def test_delivery_failure_is_shown_with_its_code(
    panel: ComposePanel, client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.statuses = ["Sent", "DeliveryFailed"]
    fake.delivery_error = "SMS-CAR-461"
    _, _, _, _, status = filled_in(panel, client)
    seen: list[str] = []
    panel.statusChanged.connect(seen.append)
    final = await panel.send()
    assert final is not None and final.failed
    assert seen[0] == "Sending…"
    assert any(line.startswith("Sent to the carrier") for line in seen)
    assert status.text().startswith("Delivery failed.")
    assert "(SMS-CAR-461)" in status.text()
    assert "not verified" in status.text()


async def test_mms_send_posts_the_attachment(
    panel: ComposePanel, client: RingCentralClient, fake: FakeRingCentral, tmp_path: Path
) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(b"png!")
    panel.set_session(Session(client, is_demo=True))
    panel.set_sender(ready_sender())
    to, _, _, _, _ = parts(panel)
    to.setText("650 555 0123")
    panel.add_attachments([str(picture)])
    final = await panel.send()
    assert final is not None and final.delivered
    assert posts(fake) == ["/restapi/v1.0/account/~/extension/~/mms"]
    assert panel.attachments == []


async def test_shutdown_cancels_a_send_in_flight(
    panel: ComposePanel, client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.statuses = ["Sent"]  # never settles
    _, _, _, send, status = filled_in(panel, client)
    send.click()
    await wait_until(lambda: status.text().startswith("Sent to the carrier"))
    assert not send.isEnabled()
    await panel.shutdown()
    assert "cancelled" in status.text()


async def test_shutdown_drops_the_content_check_waiting_for_a_pause(panel: ComposePanel) -> None:
    _, text, _, _, _ = parts(panel)
    text.setPlainText("Reply STOP to opt out")
    assert panel.content_view.pending  # the check waits for the typing to pause
    await panel.shutdown()
    assert not panel.content_view.pending  # nothing fires into a window that is going away


def test_closing_the_panel_drops_the_content_check_waiting_for_a_pause(panel: ComposePanel) -> None:
    _, text, _, _, _ = parts(panel)
    text.setPlainText("Reply STOP to opt out")
    assert panel.content_view.pending
    panel.close()
    assert not panel.content_view.pending


class FakeWindow(QObject):
    senderChanged = Signal(object)
    sessionChanged = Signal(object)

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self.panel: Any = None
        self.shutdown_hooks: list[Any] = []

    def set_compose_panel(self, panel: Any) -> None:
        self.panel = panel

    def add_shutdown_hook(self, hook: Any) -> None:
        self.shutdown_hooks.append(hook)

    def current_sender(self) -> Verdict:
        return ready_sender()


def test_install_follows_the_windows_sender_and_session(
    panel: ComposePanel, client: RingCentralClient
) -> None:
    window = FakeWindow(Session(client, is_demo=True))
    panel.install(window)
    assert window.panel is panel
    assert window.shutdown_hooks == [panel.shutdown]  # the window stops its sends before closing
    assert "Customer care" in panel.findChild(QLabel, "composeUseCases").text()
    window.senderChanged.emit(evaluate(number(features=["CallerId"])))
    assert "Cannot send SMS" in panel.findChild(QLabel, "composeSender").text()
    window.sessionChanged.emit(None)
    assert panel.disabled_reason() == "Sign in to send messages."


async def test_in_the_main_window_over_the_demo_account(
    qtbot: QtBot, demo_services: Any, ui_settings: Any
) -> None:
    from rc_sms_desktop.ui.main_window import MainWindow

    window = MainWindow(demo_services(delivery_delay_s=0.01), settings=ui_settings)
    qtbot.addWidget(window)
    panel = ComposePanel(follow_options=FAST)
    panel.install(window)
    window.show()
    try:
        await first_load(window)
        assert window.select_sender("+16505550105")  # campaign pending review
        to, text, _, send, status = parts(panel)
        to.setText("650 555 0123")
        text.setPlainText("Hello")
        assert not send.isEnabled()
        assert "campaign" in (panel.disabled_reason() or "").lower()

        assert window.select_sender("+16505550101")
        assert "Customer care" in panel.findChild(QLabel, "composeUseCases").text()
        assert send.isEnabled()
        finished: list[object] = []
        panel.sendFinished.connect(finished.append)
        send.click()  # the demo: no confirmation
        await wait_until(lambda: finished, within=10)
        assert status.text() == "Delivered."
    finally:
        await panel.shutdown()
        await window.shutdown()


async def test_switching_account_stops_following_the_old_accounts_message(
    panel: ComposePanel, client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.statuses = ["Sent"]  # never settles
    _, _, _, send, status = filled_in(panel, client)
    finished: list[object] = []
    panel.sendFinished.connect(finished.append)
    send.click()
    await wait_until(lambda: status.text().startswith("Sent to the carrier"))
    panel.set_session(None)
    await wait_until(lambda: finished)
    assert finished == [None]
    assert "cancelled" in status.text()
    assert not panel.sending


async def test_a_send_waiting_out_the_sending_limit_says_so(
    panel: ComposePanel, client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.send_error = (429, "MSG-305", "Request rate exceeded")
    fake.send_error_headers = {"Retry-After": "0.4"}
    _, text, _, _, status = filled_in(panel, client)
    assert await panel.send() is None
    assert "(MSG-305)" in status.text()
    assert text.toPlainText() == "x"

    fake.send_error = None
    seen: list[str] = []
    panel.statusChanged.connect(seen.append)
    final = await panel.send()  # the Medium group is still in its penalty: the send waits
    assert final is not None and final.delivered
    assert any(line.startswith("Waiting for RingCentral's sending limit") for line in seen)
