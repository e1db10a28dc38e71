"""Keyboard reach and accessible names; the status banner's delayed progress and countdown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTextBrowser, QWidget
from pytestqt.qtbot import QtBot

from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.ui.sign_in_dialog import SignInDialog
from rc_sms_desktop.ui.status_banner import PROGRESS_DELAY_MS, BannerState, StatusBanner
from tests.ui.qasync_helpers import wait_until

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QTextBrowser)


def _controls(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if isinstance(w, CONTROLS)
            and not w.objectName().startswith("qt_")]


def _named(widget: QWidget) -> bool:
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    return bool(widget.accessibleName() or text.replace("&", "").strip())


async def test_every_control_of_the_window_takes_keyboard_focus_and_has_a_name(
    open_window: Callable[..., Any],
) -> None:
    window = await open_window()
    controls = _controls(window)
    assert len(controls) >= 8
    for widget in controls:
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()
        assert _named(widget), f"{type(widget).__name__} {widget.objectName()!r} has no accessible name"
    await window.shutdown()


async def test_every_control_of_the_sign_in_dialog_has_a_name(qtbot: QtBot, ui_settings: Settings) -> None:
    dialog = SignInDialog(settings=ui_settings)
    qtbot.addWidget(dialog)
    for widget in _controls(dialog):
        assert _named(widget), f"{type(widget).__name__} {widget.objectName()!r} has no accessible name"


async def test_progress_appears_only_when_a_load_lasts(qtbot: QtBot) -> None:
    banner = StatusBanner()
    qtbot.addWidget(banner)
    banner.loading_started()
    banner.progress(1, 10)
    assert not banner.isVisible()  # a quick refresh never flashes a bar
    await wait_until(banner.isVisible, within=PROGRESS_DELAY_MS / 1000 + 2)
    assert "1 of 10" in banner.message()
    banner.loading_finished()
    assert not banner.isVisible()
    banner.loading_started()
    banner.loading_finished()
    await asyncio.sleep(PROGRESS_DELAY_MS / 1000 + 0.1)
    assert not banner.isVisible()


async def test_the_countdown_counts_down_then_resumes(qtbot: QtBot) -> None:
    banner = StatusBanner()
    qtbot.addWidget(banner)
    banner.loading_started()
    banner.rate_limited(1.2)
    assert banner.isVisible() and banner.state is BannerState.RATE_LIMITED
    assert "Resuming in 2 seconds" in banner.message()
    await wait_until(lambda: "Resuming in 1 second…" in banner.message(), within=2)
    banner.rate_limited(0)  # the loader says the group resumed
    assert banner.state is BannerState.LOADING


async def test_an_error_offers_retry(qtbot: QtBot) -> None:
    banner = StatusBanner()
    qtbot.addWidget(banner)
    retried: list[bool] = []
    banner.retryRequested.connect(lambda: retried.append(True))
    banner.show_error("Could not reach RingCentral. Check your internet connection.")
    assert banner.isVisible() and "internet" in banner.message()
    retry = banner.findChild(QAbstractButton, "retryButton")
    assert retry is not None and retry.isVisible()
    retry.click()
    assert retried == [True]
