"""The sign-in dialog against the simulator: PKCE over a real loopback redirect, JWT, cancel.

The simulator answers the API through `httpx.ASGITransport`; the browser step is an HTTP client
that approves the consent page and follows the redirect to the dialog's loopback listener.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_JWT,
    SimulatorConfig,
)
from rc_sms_desktop.ui.sign_in_dialog import SignInDialog
from tests.ui.qasync_helpers import wait_until

SERVER_URL = "http://127.0.0.1:9"  # never dialled: the transport answers in-process


@pytest.fixture
def transport() -> httpx.ASGITransport:
    return httpx.ASGITransport(app=create_app(SimulatorConfig()))


def browser(transport: httpx.ASGITransport, opened: list[str]) -> Callable[[str], Awaitable[bool]]:
    """A browser that allows access on the consent page and follows the redirect home."""

    async def open_url(url: str) -> bool:
        opened.append(url)
        query = urlsplit(url).query
        async with httpx.AsyncClient(transport=transport, base_url=SERVER_URL) as rc:
            approval = await rc.get(f"/restapi/oauth/authorize/approve?{query}")
        assert approval.status_code == 302
        async with httpx.AsyncClient() as local:  # the real loopback listener
            landing = await local.get(approval.headers["location"])
        assert landing.status_code == 200
        return True

    return open_url


@pytest.fixture
async def make_dialog(
    qtbot: QtBot, ui_settings: Settings
) -> AsyncIterator[Callable[..., SignInDialog]]:
    """`make_dialog(**options)`: a sign-in dialog with the test's settings. After the test, its
    flow is cancelled and a session it opened is closed."""
    made: list[SignInDialog] = []

    def make(**options: Any) -> SignInDialog:
        dialog = SignInDialog(settings=ui_settings, **options)
        qtbot.addWidget(dialog)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.cancel_flow()
        await dialog.wait_stopped()
        if dialog.session is not None:
            await dialog.session.aclose()


def fill_in(dialog: SignInDialog, url: str = SERVER_URL, *, jwt: bool = False) -> None:
    """The demo app's credentials for the custom server `url`, in the browser or (`jwt`) the
    JWT tab."""
    dialog.server_combo.setCurrentIndex(dialog.server_combo.findData("custom"))
    dialog.custom_url_edit.setText(url)
    if jwt:
        dialog.tabs.setCurrentIndex(1)
        dialog.jwt_client_id_edit.setText(DEMO_CLIENT_ID)
        dialog.jwt_client_secret_edit.setText(DEMO_CLIENT_SECRET)
        dialog.jwt_edit.setText(DEMO_JWT)
    else:
        dialog.client_id_edit.setText(DEMO_CLIENT_ID)
        dialog.client_secret_edit.setText(DEMO_CLIENT_SECRET)


async def test_browser_sign_in_with_pkce_completes_and_remembers_only_non_secrets(
    transport: httpx.ASGITransport, ui_settings: Settings, make_dialog: Callable[..., SignInDialog]
) -> None:
    opened: list[str] = []
    dialog = make_dialog(transport=transport, open_browser=browser(transport, opened))
    fill_in(dialog)
    dialog.open()
    assert dialog.isVisible()
    dialog.sign_in_button.click()
    assert dialog.running  # the flow runs on the loop; open() returned at once
    await wait_until(lambda: dialog.session is not None, within=10)
    assert dialog.result() == QDialog.DialogCode.Accepted
    query = parse_qs(urlsplit(opened[0]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    session = dialog.session
    assert session is not None and not session.is_demo
    me = await session.client.get_json("/restapi/v1.0/account/~/extension/~")
    assert me["name"]
    assert ui_settings.last_server == "custom"
    assert ui_settings.custom_server_url == SERVER_URL
    assert ui_settings.last_client_id == DEMO_CLIENT_ID
    assert DEMO_CLIENT_SECRET not in ui_settings.path.read_text(encoding="utf-8")


async def test_jwt_sign_in_completes(
    transport: httpx.ASGITransport, ui_settings: Settings, make_dialog: Callable[..., SignInDialog]
) -> None:
    dialog = make_dialog(transport=transport)
    fill_in(dialog, jwt=True)
    dialog.open()
    dialog.sign_in_button.click()
    await wait_until(lambda: dialog.session is not None, within=10)
    assert dialog.jwt_edit.text() == ""  # the secret does not linger in the form
    assert DEMO_JWT not in ui_settings.path.read_text(encoding="utf-8")


async def test_a_wrong_secret_is_reported_in_words_and_the_dialog_stays_open(
    transport: httpx.ASGITransport, make_dialog: Callable[..., SignInDialog]
) -> None:
    dialog = make_dialog(transport=transport)
    fill_in(dialog, jwt=True)
    dialog.jwt_client_secret_edit.setText("not-the-secret")
    dialog.open()
    dialog.sign_in_button.click()
    await wait_until(lambda: not dialog.running, within=10)
    assert dialog.isVisible() and dialog.session is None
    assert "Could not sign in." in dialog.status_label.text()
    assert "not-the-secret" not in dialog.status_label.text()
    assert dialog.sign_in_button.isEnabled()


async def test_a_bad_custom_url_is_explained_before_anything_is_sent(
    make_dialog: Callable[..., SignInDialog]
) -> None:
    dialog = make_dialog()
    dialog.server_combo.setCurrentIndex(dialog.server_combo.findData("custom"))
    dialog.custom_url_edit.setText("http://example.com")
    dialog.client_id_edit.setText("abc")
    dialog.open()
    dialog.sign_in_button.click()
    assert not dialog.running
    assert "https" in dialog.status_label.text()


async def test_cancel_stops_the_flow_and_frees_the_loopback_port(
    transport: httpx.ASGITransport, make_dialog: Callable[..., SignInDialog]
) -> None:
    opened: list[str] = []

    async def browser_that_never_returns(url: str) -> bool:
        opened.append(url)
        return True

    dialog = make_dialog(transport=transport, open_browser=browser_that_never_returns)
    fill_in(dialog)
    dialog.open()
    dialog.sign_in_button.click()
    await wait_until(lambda: opened, within=5)
    assert "Finish signing in in your browser" in dialog.status_label.text()
    port = urlsplit(parse_qs(urlsplit(opened[0]).query)["redirect_uri"][0]).port
    assert port is not None
    dialog.cancel_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    await asyncio.wait_for(dialog.wait_stopped(), 3)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", port))  # free again: binding works
