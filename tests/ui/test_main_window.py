"""The main window over the demo account (the real simulator, in-process, on the qasync loop)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.simulator.demo_account import signed_in_user_numbers
from rc_sms_desktop.ui.main_window import MainWindow, WindowOptions
from rc_sms_desktop.ui.sender_model import SenderRole
from rc_sms_desktop.ui.status_banner import BannerState
from rc_sms_desktop.ui.window_services import DefaultServices
from tests.ui.qasync_helpers import first_load, load_finished, wait_until
from tests.ui.test_sign_in_dialog import fill_in
from tests.ui.verdict_samples import sample_verdicts

# The demo account's numbers and what a user must be told about them (simulator/demo_account.py).
EXPECTED = {
    "+16505550101": "Ready to send SMS and MMS",
    "+16505550105": "Cannot send SMS: campaign pending review",
    "+16505550113": "Cannot send SMS: fax-only number",
    "+14155550115": "Cannot send SMS: SMS assigned to another extension",
    "+18335550104": "Ready to send SMS (no MMS)",
}

DEMO_NUMBERS = len(signed_in_user_numbers())  # every number on the demo user's list


def _combo(window: MainWindow) -> QComboBox:
    combo = window.findChild(QComboBox, "senderCombo")
    assert combo is not None
    return combo


async def test_without_a_stored_session_the_demo_opens_with_its_banner(open_window: Callable[..., Any]) -> None:
    window = await open_window()
    for name in ("senderCombo", "detailPane", "refreshButton", "signInButton", "statusBanner"):
        assert window.findChild(QWidget, name) is not None, name
    assert window.demo_banner.isVisible()
    assert "demo account" in window.demo_label.text()
    assert "Alex Rivera" in window.identity_label.text()
    assert "ext. 101" in window.identity_label.text()
    assert "Demo" in window.environment_label.text()
    assert window.as_of_label.text().startswith("Data as of")
    assert _combo(window).count() == DEMO_NUMBERS
    # Nothing chosen yet: the best sender is shown, and it can send.
    current = window.current_sender()
    assert current is not None and current.can_send_sms
    assert window.detail_pane.headline() == current.headline


async def test_choosing_each_demo_number_shows_its_verdict_and_reasons(open_window: Callable[..., Any]) -> None:
    window = await open_window()
    combo = _combo(window)
    seen: set[str] = set()
    for row in range(combo.count()):
        combo.setCurrentIndex(row)
        verdict = window.current_sender()
        assert verdict is not None
        pane = window.detail_pane
        assert pane.verdict is verdict
        assert pane.headline() == verdict.headline
        body = pane.body_text()
        if not verdict.can_send_sms and verdict.main_reason is not None:
            assert verdict.main_reason.message in body
            assert "What to do" in body
        assert "Checklist" in body
        seen.add(verdict.number.phone_number or "")
    for e164, headline in EXPECTED.items():
        assert window.select_sender(e164), e164
        assert window.detail_pane.headline() == headline
    assert set(EXPECTED) <= seen


async def test_ready_number_lists_its_use_cases_tier_and_owner(open_window: Callable[..., Any]) -> None:
    window = await open_window()
    assert window.select_sender("+16505550101")
    body = window.detail_pane.body_text()
    assert "Customer care" in body and "Messages while helping a customer" in body
    assert "6,000 messages a day" in body
    assert "Who owns this number" in body
    assert '"phoneNumber": "+16505550101"' in window.detail_pane.raw_text()


async def test_a_blocked_numbers_reason_is_visible_in_the_picker(open_window: Callable[..., Any]) -> None:
    window = await open_window()
    combo = _combo(window)
    model = combo.model()
    rows = {model.index(r, 0).data(SenderRole.E164Role): r for r in range(model.rowCount())}
    pending = model.index(rows["+16505550105"], 0)
    assert pending.data(SenderRole.DetailLineRole) == "Campaign pending review"
    assert "pending review" in pending.data(Qt.ItemDataRole.AccessibleTextRole)
    ready_rows = [r for r in range(model.rowCount()) if model.index(r, 0).data(SenderRole.CanSendRole)]
    assert max(ready_rows) < rows["+16505550105"], "numbers that can send are listed first"
    # The delegate gives the row its two lines (number, then reason) and the heading above.
    delegate = combo.itemDelegate()
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    option.initFrom(combo.view())
    one_line = combo.fontMetrics().height()
    assert delegate.sizeHint(option, pending).height() > 2 * one_line


async def test_only_numbers_that_can_send_hides_the_others_and_is_remembered(
    open_window: Callable[..., Any], ui_settings: Settings
) -> None:
    window = await open_window()
    combo = _combo(window)
    check = window.findChild(QCheckBox, "onlySendableCheck")
    assert check is not None
    ready = sum(1 for v in window.sender_model.verdicts() if v.can_send_sms)
    check.setChecked(True)
    assert combo.count() == ready
    assert all(combo.model().index(r, 0).data(SenderRole.CanSendRole) for r in range(combo.count()))
    assert ui_settings.only_numbers_that_can_send is True
    check.setChecked(False)
    assert combo.count() == DEMO_NUMBERS


async def test_the_chosen_sender_is_remembered_for_the_account(
    open_window: Callable[..., Any], qtbot: QtBot
) -> None:
    window = await open_window()
    combo = _combo(window)
    model = combo.model()
    target = next(r for r in range(model.rowCount())
                  if model.index(r, 0).data(SenderRole.E164Role) == "+12125550103")
    combo.setCurrentIndex(target)
    combo.activated.emit(target)  # what a click or Enter in the list does
    await window.shutdown()
    again = await open_window()
    chosen = again.current_sender()
    assert chosen is not None and chosen.number.phone_number == "+12125550103"


async def test_select_option_chooses_a_number_at_start(open_window: Callable[..., Any]) -> None:
    window = await open_window(options=WindowOptions(demo=True, select="+16505550105"))
    await wait_until(lambda: window.current_sender() is not None
                     and window.current_sender().number.phone_number == "+16505550105")
    assert window.detail_pane.headline() == EXPECTED["+16505550105"]


async def test_a_refresh_during_a_load_is_ignored_with_a_word_and_never_stacks(
    open_window: Callable[..., Any],
) -> None:
    window = await open_window(wait=False, latency_ms=60)
    first = window.load_runner.task
    assert first is not None and not first.done()
    button = window.findChild(QPushButton, "refreshButton")
    assert button is not None
    for _ in range(4):  # the spaces on a focused Refresh
        button.click()
        await asyncio.sleep(0.02)
    assert window.load_runner.task is first
    assert "Already loading" in window.status_banner.message()
    await asyncio.wait_for(first, 20)
    assert not first.cancelled()
    assert _combo(window).count() == DEMO_NUMBERS
    assert "being checked" not in window.count_label.text()
    # One load's worth of requests (extension, numbers, a configuration each), not five.
    session = window.session
    assert session is not None
    sent = sum(group.sent for group in session.client.scheduler.snapshot())
    assert sent <= 2 + DEMO_NUMBERS
    # Once it has finished, Refresh loads again.
    button.click()
    second = window.load_runner.task
    assert second is not None and second is not first
    await asyncio.wait_for(second, 20)
    assert _combo(window).count() == DEMO_NUMBERS
    assert "being checked" not in window.count_label.text()


async def test_the_window_opens_with_the_keyboard_on_the_sender_picker(
    open_window: Callable[..., Any],
) -> None:
    window = await open_window()
    window.activateWindow()
    await wait_until(lambda: window.focusWidget() is not None)
    assert window.focusWidget() is _combo(window)


class _NeverAnsweringDemo(DefaultServices):
    """The demo with a 1.5-s client deadline, whose simulator stops answering on `hang()`."""

    DEADLINE_S = 1.5

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, simulator_options={"latency_ms": 300, "slow_fault_s": 3600})
        self.control: Any = None
        self.hung = False

    async def open_demo_session(self) -> Any:
        from rc_sms_desktop.api.client import Timeouts

        session = await super().open_demo_session()
        session.client.timeouts = Timeouts(deadline=self.DEADLINE_S)
        # The simulator is the ASGI app behind the demo client's transport.
        self.control = session.client.http._transport.app.state.simulator
        return session

    def hang(self) -> None:
        """Every request from now on gets no answer (once: the Retry below must get answers)."""
        if not self.hung:
            self.hung = True
            self.control.inject_fault("slow", 10_000)


async def test_a_load_whose_requests_never_answer_ends_in_an_error_with_retry(
    qtbot: QtBot, ui_settings: Settings
) -> None:
    services = _NeverAnsweringDemo(ui_settings)
    window = MainWindow(services, settings=ui_settings)
    qtbot.addWidget(window)
    window.show()
    # The numbers are listed; their configurations (still in the simulator's latency) never come.
    window.load_runner.numbersListed.connect(lambda _verdicts: services.hang())
    loop = asyncio.get_running_loop()
    await window.start()
    await wait_until(lambda: services.control is not None and window.sender_model.rowCount())
    listed_at = loop.time()
    await wait_until(lambda: window.status_banner.state is BannerState.ERROR, within=15)
    waited = loop.time() - listed_at
    try:
        assert waited < _NeverAnsweringDemo.DEADLINE_S + 3.0  # the client's deadline, not minutes
        assert "took too long to answer" in window.status_banner.message()
        retry = window.status_banner.findChild(QPushButton, "retryButton")
        assert retry is not None and retry.isVisible()
        await wait_until(lambda: not window.load_runner.running)
        assert "being checked" not in window.count_label.text()
        assert _combo(window).count() == DEMO_NUMBERS
        # RingCentral answers again: Retry loads everything.
        services.control.clear_faults()
        retry.click()
        await load_finished(window)
        assert "being checked" not in window.count_label.text()
        assert window.status_banner.state is not BannerState.ERROR, window.status_banner.message()
    finally:
        services.control.clear_faults()
        await window.shutdown()


async def test_a_rate_limit_pause_shows_a_countdown(open_window: Callable[..., Any]) -> None:
    # Spurious 429s with Retry-After = window / 60 = 1 s: long enough to deserve a countdown.
    window = await open_window(wait=False, faults="429:0.15", seed=2, rate_window_s=60)
    banner = window.status_banner
    messages: list[str] = []
    banner.stateChanged.connect(lambda state: messages.append(banner.message()) if state == "rate-limited" else None)
    await wait_until(lambda: messages, within=15)
    assert "RingCentral asked us to slow down" in messages[0]
    assert re.search(r"Resuming in 1 second…", messages[0])
    await load_finished(window, within=30)
    assert banner.state is not BannerState.RATE_LIMITED
    assert _combo(window).count() == DEMO_NUMBERS


async def test_closing_during_a_load_exits_cleanly_and_quickly(open_window: Callable[..., Any]) -> None:
    window = await open_window(wait=False, latency_ms=200)
    task = window.load_runner.task
    assert task is not None and not task.done()
    session = window.session
    assert session is not None
    closed: list[int] = []
    window.closed.connect(closed.append)
    loop = asyncio.get_running_loop()
    started = loop.time()
    window.close()
    assert not window.isVisible()  # gone at once for the user
    await wait_until(lambda: closed, within=4)
    assert closed == [0]
    assert task.done()
    assert session.client.http.is_closed
    assert loop.time() - started < 3.5


async def test_sign_in_switches_to_the_account_and_sign_out_returns_to_the_demo(
    open_window: Callable[..., Any], ui_settings: Settings
) -> None:
    import httpx

    from rc_sms_desktop.simulator.app import create_app
    from rc_sms_desktop.simulator.config import (
        SimulatorConfig,
    )
    from rc_sms_desktop.ui.sign_in_dialog import SignInDialog

    transport = httpx.ASGITransport(app=create_app(SimulatorConfig(admin=False)))

    def dialog_factory(parent: MainWindow) -> SignInDialog:
        return SignInDialog(parent, settings=ui_settings, transport=transport)

    window = await open_window(wait=False, sign_in_dialog_factory=dialog_factory)
    assert window.session is not None and window.session.is_demo
    button = window.findChild(QPushButton, "demoSignInButton")
    assert button is not None
    button.click()
    dialog = window.sign_in_dialog
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    fill_in(dialog, "http://127.0.0.1:9", jwt=True)
    dialog.sign_in_button.click()
    await wait_until(lambda: window.session is not None and not window.session.is_demo, within=10)
    await load_finished(window)
    assert not window.demo_banner.isVisible()
    assert window.sign_out_button.isVisible()
    assert "127.0.0.1:9" in window.environment_label.text()
    assert "Alex Rivera" in window.identity_label.text()
    signed_in = window.session
    window.sign_out_button.click()
    await wait_until(lambda: window.session is not None and window.session.is_demo, within=10)
    assert window.demo_banner.isVisible()
    await wait_until(lambda: signed_in.client.http.is_closed, within=5)
    await window.shutdown()


async def test_closing_during_a_rate_limit_pause_exits_quickly(open_window: Callable[..., Any]) -> None:
    # 429s with Retry-After = 600 / 60 = 10 s (seed 0: the sign-in itself gets through).
    window = await open_window(wait=False, faults="429:0.3", seed=0, rate_window_s=600)
    banner = window.status_banner
    await wait_until(lambda: banner.state is BannerState.RATE_LIMITED, within=10)
    task = window.load_runner.task
    assert task is not None and not task.done()
    closed: list[int] = []
    window.closed.connect(closed.append)
    started = asyncio.get_running_loop().time()
    window.close()
    await wait_until(lambda: closed, within=4)
    assert task.done()
    assert asyncio.get_running_loop().time() - started < 3.5


async def test_closing_during_sign_in_cancels_it_and_frees_the_port(
    open_window: Callable[..., Any], ui_settings: Settings
) -> None:
    import socket
    from urllib.parse import parse_qs, urlsplit

    from rc_sms_desktop.ui.sign_in_dialog import SignInDialog

    opened: list[str] = []

    async def browser_that_never_returns(url: str) -> bool:
        opened.append(url)
        return True

    def dialog_factory(parent: MainWindow) -> SignInDialog:
        return SignInDialog(parent, settings=ui_settings, open_browser=browser_that_never_returns)

    window = await open_window(wait=False, sign_in_dialog_factory=dialog_factory)
    window.open_sign_in()
    dialog = window.sign_in_dialog
    assert isinstance(dialog, SignInDialog)
    dialog.client_id_edit.setText("my-app")
    dialog.sign_in_button.click()
    await wait_until(lambda: opened, within=5)
    port = urlsplit(parse_qs(urlsplit(opened[0]).query)["redirect_uri"][0]).port
    closed: list[int] = []
    window.closed.connect(closed.append)
    window.close()
    await wait_until(lambda: closed, within=4)
    await asyncio.wait_for(dialog.wait_stopped(), 3)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", port or 0))


async def test_a_stored_session_opens_on_the_users_account_with_saved_verdicts_first(
    qtbot: QtBot, ui_settings: Settings
) -> None:
    import httpx

    from rc_sms_desktop.api.tokens import TokenStore
    from rc_sms_desktop.simulator.app import create_app
    from rc_sms_desktop.simulator.config import (
        SimulatorConfig,
    )
    from rc_sms_desktop.ui.sign_in_dialog import SignInDialog
    from tests.api.auth_fakes import MemoryKeyring

    transport = httpx.ASGITransport(app=create_app(SimulatorConfig()))
    store = TokenStore(MemoryKeyring())
    # Sign in once (JWT), as last time's run did: tokens go to the (memory) keyring.
    dialog = SignInDialog(settings=ui_settings, transport=transport, token_store=store)
    qtbot.addWidget(dialog)
    # A server no other test uses: the verdict cache (one sandbox per test run) starts empty.
    fill_in(dialog, "http://127.0.0.1:19", jwt=True)
    dialog.open()
    dialog.sign_in_button.click()
    await wait_until(lambda: dialog.session is not None, within=10)
    assert dialog.session is not None
    await dialog.session.aclose()

    windows = []
    for _run in range(2):  # the first run fills the verdict cache, the second starts from it
        services = DefaultServices(ui_settings, token_store=store, transport=transport)
        window = MainWindow(services, settings=ui_settings)
        qtbot.addWidget(window)
        saved: list[object] = []
        window.load_runner.cachedAsOf.connect(saved.append)
        window.show()
        await first_load(window)
        windows.append((window, saved))
        assert window.session is not None and not window.session.is_demo
        assert not window.demo_banner.isVisible()
        assert "Alex Rivera" in window.identity_label.text()
        assert _combo(window).count() == DEMO_NUMBERS
        await window.shutdown()
    assert not windows[0][1], "nothing was cached before the first load"
    assert windows[1][1], "the second start showed the saved verdicts before refreshing"


class _FailingThenWorking:
    """The first load cannot reach RingCentral; the next one works (a scripted stream)."""

    def __init__(self) -> None:
        self.loads = 0

    async def open_stored_session(self) -> Any:
        return None

    async def open_demo_session(self) -> Any:
        from rc_sms_desktop.ui.window_services import AccountSession

        return AccountSession(client=None, environment="Scripted", is_demo=True)

    def load(self, session: Any) -> AsyncIterator[Any]:
        self.loads += 1
        return self._events(self.loads)

    async def _events(self, attempt: int) -> AsyncIterator[Any]:
        from datetime import UTC, datetime

        from rc_sms_desktop.api.errors import NetworkError
        from rc_sms_desktop.workflows.loader import LoadFailed, LoadFinished, NumbersListed

        if attempt == 1:
            yield LoadFailed(NetworkError("connect failed"))
            return
        yield NumbersListed(tuple(sample_verdicts()))
        yield LoadFinished(datetime.now(UTC))


async def test_a_failed_load_is_explained_in_a_banner_with_retry(qtbot: QtBot, ui_settings: Settings) -> None:
    services = _FailingThenWorking()
    window = MainWindow(services, settings=ui_settings)
    qtbot.addWidget(window)
    window.show()
    await first_load(window)
    banner = window.status_banner
    assert banner.state is BannerState.ERROR
    assert "internet connection" in banner.message()
    retry = banner.findChild(QPushButton, "retryButton")
    assert retry is not None and retry.isVisible()
    retry.click()
    await load_finished(window)
    assert services.loads == 2
    assert _combo(window).count() == len(sample_verdicts())
    assert banner.state is BannerState.IDLE
    await window.shutdown()


class _SessionEnds(_FailingThenWorking):
    async def _events(self, attempt: int) -> AsyncIterator[Any]:
        from rc_sms_desktop.api.errors import SessionEndedError
        from rc_sms_desktop.workflows.loader import LoadFailed

        yield LoadFailed(SessionEndedError("refresh token expired", status=401))


async def test_an_ended_session_offers_to_sign_in_again(qtbot: QtBot, ui_settings: Settings) -> None:
    from rc_sms_desktop.ui.sign_in_dialog import SignInDialog

    window = MainWindow(_SessionEnds(), settings=ui_settings,
                        sign_in_dialog_factory=lambda parent: SignInDialog(parent, settings=ui_settings))
    qtbot.addWidget(window)
    window.show()
    await first_load(window)
    retry = window.status_banner.findChild(QPushButton, "retryButton")
    assert retry is not None and retry.isVisible()
    assert retry.text().replace("&", "") == "Sign in again…"
    assert "sign in again" in window.status_banner.message().lower()
    retry.click()
    assert isinstance(window.sign_in_dialog, SignInDialog) and window.sign_in_dialog.isVisible()
    await window.shutdown()


async def test_a_load_paced_by_rate_limits_says_why_and_how_long(open_window: Callable[..., Any]) -> None:
    # 300 numbers, 180 configurations against the Light group's 50 per (scaled) 12 s window: the
    # 51st waits longer than the scheduler's notice threshold, and the loader passes that on.
    window = await open_window(wait=False, user_numbers=300, rate_window_s=12)
    banner = window.status_banner
    await wait_until(lambda: "requests a minute" in banner.message(), within=20)
    assert "RingCentral allows 250 of these requests a minute" in banner.message()
    assert "left)" in banner.message()
