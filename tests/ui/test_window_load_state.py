"""What the window remembers of a session's loads, across a change of session.

The scripted services below stand in for RingCentral: each session (the demo, account A,
account B) gets the load events its next load yields. A sign-in "dialog" hands the window a
session the way the real one does (`session` set, then `finished`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from rc_sms_desktop.api.errors import NetworkError, SessionEndedError
from rc_sms_desktop.core.models import parse_extension
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.ui.main_window import MainWindow, WindowOptions
from rc_sms_desktop.ui.status_banner import BannerState
from rc_sms_desktop.ui.window_services import AccountSession
from rc_sms_desktop.workflows.loader import LoadFailed, LoadFinished, NumbersListed, SignedInAs
from tests.ui.qasync_helpers import wait_until
from tests.ui.verdict_samples import (
    PENDING_E164,
    READY_E164,
    TOLL_FREE_E164,
    config,
    number,
    sample_verdicts,
    verdict,
)

DEMO_ONLY_E164 = "+16505550999"


def _session(name: str, *, demo: bool = False) -> AccountSession:
    return AccountSession(client=None, environment=name, is_demo=demo)  # type: ignore[arg-type]


def _loaded(account_id: str, verdicts: Iterable[Any]) -> list[Any]:
    extension = parse_extension({"id": "100", "name": "Alex Rivera", "account": {"id": account_id}})
    return [SignedInAs(extension), NumbersListed(tuple(verdicts)), LoadFinished(datetime.now(UTC))]


ENDED = [LoadFailed(SessionEndedError("refresh token expired", status=401))]
OFFLINE = [LoadFailed(NetworkError("connect failed"))]
# The demo stand-in's numbers: none of the account's.
DEMO_NUMBERS = [verdict(number("99", DEMO_ONLY_E164), config("99", DEMO_ONLY_E164))]


class ScriptedServices:
    """`scripts[environment]` lists what each load of that session yields, in order."""

    def __init__(self, stored: AccountSession | None, scripts: dict[str, list[list[Any]]]) -> None:
        self.stored = stored
        self.demo = _session("Demo", demo=True)
        self.scripts = scripts
        self.loads: dict[str, int] = {}

    async def open_stored_session(self) -> AccountSession | None:
        return self.stored

    async def open_demo_session(self) -> AccountSession:
        return self.demo

    def load(self, session: AccountSession) -> AsyncIterator[Any]:
        count = self.loads.get(session.environment, 0)
        self.loads[session.environment] = count + 1
        script = self.scripts[session.environment]
        return self._events(script[min(count, len(script) - 1)])

    async def _events(self, events: list[Any]) -> AsyncIterator[Any]:
        for event in events:
            yield event


class SignIn(QDialog):
    """The sign-in dialog's contract with the window: on `finished`, `session` is the account
    signed into (None when the dialog was dismissed)."""

    def __init__(self, parent: QWidget, session: AccountSession) -> None:
        super().__init__(parent)
        self._signs_in_to = session
        self.session: AccountSession | None = None

    def accept(self) -> None:
        self.session = self._signs_in_to
        super().accept()


@pytest.fixture
async def open_window(qtbot: QtBot, ui_settings: Settings) -> AsyncIterator[Callable[..., Any]]:
    windows: list[MainWindow] = []

    async def make(services: ScriptedServices, *, signs_in_to: list[AccountSession] | None = None,
                   options: WindowOptions | None = None) -> MainWindow:
        queue = list(signs_in_to or [])
        window = MainWindow(services, options=options, settings=ui_settings,
                            sign_in_dialog_factory=lambda parent: SignIn(parent, queue.pop(0)))
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        await window.start()
        await _load_done(window)
        return window

    yield make
    for window in windows:
        await window.shutdown()


async def _load_done(window: MainWindow) -> None:
    task = window.load_runner.task
    assert task is not None
    await asyncio.wait_for(task, 10)


async def _sign_in(window: MainWindow, account: str) -> None:
    """Accept the sign-in dialog the window has open; wait for the account's first load."""
    dialog = window.sign_in_dialog
    assert isinstance(dialog, SignIn)
    dialog.accept()
    await wait_until(lambda: window.session is not None and window.session.environment == account)
    await _load_done(window)


def _retry(window: MainWindow) -> QPushButton:
    button = window.status_banner.findChild(QPushButton, "retryButton")
    assert button is not None and button.isVisible()
    return button


def _current(window: MainWindow) -> str | None:
    verdict = window.current_sender()
    return verdict.number.phone_number if verdict is not None else None


# ----------------------------------------------------------------------------------- --select


async def test_select_waits_for_the_account_when_the_demo_stands_in_for_it(
    open_window: Callable[..., Any],
) -> None:
    # No stored session: the demo shows until the user signs in. `--select` names a number of
    # the user's account (without --demo), so the demo must not say it lacks it, and the
    # account signed into must open on it.
    account = _session("Account A")
    services = ScriptedServices(None, {"Demo": [_loaded("demo", DEMO_NUMBERS)],
                                       "Account A": [_loaded("A", sample_verdicts())]})
    window = await open_window(services, signs_in_to=[account],
                               options=WindowOptions(select=PENDING_E164))
    assert PENDING_E164 not in window.status_banner.message()
    assert window.status_banner.state is not BannerState.WARNING

    window.open_sign_in()
    await _sign_in(window, "Account A")

    assert _current(window) == PENDING_E164  # not the best sender (READY_E164 sorts first)


async def test_select_is_served_once_and_a_later_choice_survives_signing_in_again(
    open_window: Callable[..., Any],
) -> None:
    account = _session("Account A")
    again = _session("Account A")
    services = ScriptedServices(account, {"Demo": [_loaded("demo", DEMO_NUMBERS)],
                                          "Account A": [_loaded("A", sample_verdicts())]})
    window = await open_window(services, signs_in_to=[again],
                               options=WindowOptions(select=PENDING_E164))
    assert _current(window) == PENDING_E164
    assert window.select_sender(TOLL_FREE_E164)  # the user's own choice, remembered for A

    window.sign_out()
    await wait_until(lambda: window.session is not None and window.session.is_demo)
    await _load_done(window)
    assert "not among your numbers" not in window.status_banner.message()  # nobody asked the demo

    window.open_sign_in()
    await _sign_in(window, "Account A")
    assert _current(window) == TOLL_FREE_E164  # the start-up request does not override it


async def test_with_demo_select_chooses_the_demo_number_and_warns_of_a_missing_one(
    open_window: Callable[..., Any],
) -> None:
    services = ScriptedServices(None, {"Demo": [_loaded("demo", DEMO_NUMBERS)]})
    window = await open_window(services, options=WindowOptions(demo=True, select=READY_E164))
    assert f"The number {READY_E164} is not among your numbers." in window.status_banner.message()


# ------------------------------------------------------------------------- an ended session


async def test_an_ended_session_stays_ended_when_a_later_load_fails_otherwise(
    open_window: Callable[..., Any],
) -> None:
    # RingCentral ended the session; the user presses F5 while offline. The session is still
    # over: Retry would only end in "sign in again" once back online, so the banner says so now.
    account = _session("Account A")
    services = ScriptedServices(account, {"Account A": [ENDED, OFFLINE]})
    window = await open_window(services, signs_in_to=[_session("Account B")])
    assert _retry(window).text().replace("&", "") == "Sign in again…"

    window.refresh()
    await _load_done(window)

    assert "internet connection" in window.status_banner.message()  # what failed this time
    assert _retry(window).text().replace("&", "") == "Sign in again…"
    _retry(window).click()
    assert isinstance(window.sign_in_dialog, SignIn)
    assert services.loads["Account A"] == 2


async def test_after_signing_in_again_retry_reloads_the_new_session(
    open_window: Callable[..., Any],
) -> None:
    account = _session("Account A")
    services = ScriptedServices(account, {
        "Account A": [ENDED],
        "Account B": [OFFLINE, _loaded("B", sample_verdicts())],
    })
    window = await open_window(services, signs_in_to=[_session("Account B")])
    _retry(window).click()  # "Sign in again…"
    await _sign_in(window, "Account B")
    assert "internet connection" in window.status_banner.message()

    retry = _retry(window)
    assert retry.text().replace("&", "") == "Retry"  # the new session has not ended
    retry.click()
    await _load_done(window)

    assert window.sign_in_dialog is None
    assert services.loads["Account B"] == 2
    assert window.status_banner.state is BannerState.IDLE
