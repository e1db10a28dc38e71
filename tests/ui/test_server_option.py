"""`--server URL` without RC_* credentials: the sign-in dialog opens preset to that server (#15)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.ui.main_window import MainWindow, WindowOptions
from rc_sms_desktop.ui.window_services import DefaultServices
from tests.ui.qasync_helpers import wait_until


@pytest.mark.parametrize(("server", "key"), [("http://127.0.0.1:8123", "custom"), ("partner", "partner")])
async def test_server_without_credentials_asks_for_that_server(
    qtbot: QtBot,
    demo_services: Callable[..., DefaultServices],
    ui_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    server: str,
    key: str,
) -> None:
    for name in ("RC_CLIENT_ID", "RC_CLIENT_SECRET", "RC_JWT"):
        monkeypatch.delenv(name, raising=False)
    ui_settings.last_server = "production"  # a saved choice the option must override
    services = demo_services()
    services.server_text = server
    window = MainWindow(services, options=WindowOptions(server=server), settings=ui_settings)
    qtbot.addWidget(window)
    window.show()
    try:
        task = window.start()
        await asyncio.wait_for(task, 20)
        await wait_until(lambda: window.sign_in_dialog is not None, within=10)
        dialog = window.sign_in_dialog
        assert dialog.server_combo.currentData() == key
        if key == "custom":
            assert dialog.custom_url_edit.text() == server
            assert dialog.custom_url_edit.isVisibleTo(dialog)
        dialog.reject()
    finally:
        await window.shutdown()
