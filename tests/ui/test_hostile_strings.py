"""Hostile strings from the server are shown as text in every widget (issue #15, points 1 and 2).

The simulator's demo account is rewritten so that every label, name, location, email, company
name and campaign status holds markup and a bidi override; the window, its Account tab and the
compose panel are then walked, widget by widget, after choosing every number.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import (  # QtGui's Qt also has mightBeRichText
    Qt,
    QTextDocument,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.simulator import control as simulator_control
from rc_sms_desktop.simulator import demo_account
from rc_sms_desktop.ui.admin_view import AccountView
from rc_sms_desktop.ui.main_window import MainWindow
from rc_sms_desktop.ui.window_services import DefaultServices
from tests.ui.qasync_helpers import first_load, wait_until

# Markup that Qt's rich text would act on (a local image, a huge image, a heading, a link), and
# an unclosed right-to-left override that would reverse whatever follows it.
HOSTILE = '<img src="file:///etc/hostname"><img width=5000 height=5000><h1>H1</h1><a href="https://x">A</a>\u202eX'
TAGS = ("<img", "<h1", 'href="https://x"')  # the app's own links are fine; the label's is not


def hostile_account(admin: bool = True, user: str = "alex") -> demo_account.Account:
    account = demo_account.build_demo_account(admin=admin, user=user)
    account.company_name = HOSTILE
    for ext in account.extensions:
        ext.name = f"{ext.name} {HOSTILE}"
        ext.first_name = HOSTILE
        ext.last_name = HOSTILE
        ext.email = f"{HOSTILE}@example.com"
        ext.job_title = HOSTILE
    for number in account.numbers:
        number.label = f"{number.label} {HOSTILE}"
        number.location = HOSTILE
        if number.campaign is not None and number.id % 2:
            number.campaign = dataclasses.replace(number.campaign, status=HOSTILE)
    account.reindex()
    return account


def rendered_as_markup(widget: QWidget) -> str | None:
    """What of HOSTILE a widget renders as markup (None: nothing)."""
    if isinstance(widget, QLabel):
        text = widget.text()
        rich = widget.textFormat() == Qt.TextFormat.RichText or (
            widget.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text)
        )
        if not rich:
            return None
        # What Qt makes of the label's rich text: an escaped `&lt;img` stays text, `<img` is an image.
        document = QTextDocument()
        document.setHtml(text)
        rendered = document.toHtml()
        return text if any(tag in rendered for tag in TAGS) else None
    if isinstance(widget, QTextEdit):
        document = widget.toHtml()
        if any(tag in document for tag in TAGS):
            return document
    return None


def bidi_in_view(widget: QWidget) -> str | None:
    """A bidi control still in what a label or item view shows (None: none)."""
    texts: list[str] = []
    if isinstance(widget, QLabel):
        texts.append(widget.text())
    if isinstance(widget, QTextEdit):
        texts.append(widget.toPlainText())
    if isinstance(widget, QComboBox):
        texts += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        for row in range(min(model.rowCount(), 200)):
            for column in range(model.columnCount()):
                value = model.data(model.index(row, column))
                if isinstance(value, str):
                    texts.append(value)
    for text in texts:
        if "\u202e" in text:
            return text
    return None


def offences(root: QWidget) -> list[str]:
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        markup = rendered_as_markup(widget)
        if markup is not None:
            found.append(f"{type(widget).__name__} {widget.objectName()!r} renders markup: {markup!r}")
        bidi = bidi_in_view(widget)
        if bidi is not None:
            found.append(f"{type(widget).__name__} {widget.objectName()!r} keeps a bidi override: {bidi[:80]!r}")
    return found


async def test_every_widget_shows_hostile_server_strings_as_text(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    demo_services: Callable[..., DefaultServices],
    ui_settings: Settings,
) -> None:
    monkeypatch.setattr(simulator_control, "build_demo_account", hostile_account)
    window = MainWindow(demo_services(rate_window_s=0.05), settings=ui_settings)
    qtbot.addWidget(window)
    view = AccountView(state_path=lambda _session: tmp_path / "scan.json")
    index = view.install(window)
    window.resize(1100, 720)
    window.show()
    await first_load(window)
    try:
        assert "H1" in window.identity_label.text()  # the hostile name is there, as text
        seen: list[str] = []
        combo = window.findChild(QComboBox, "senderCombo")
        assert combo is not None and combo.count() > 10
        for row in range(combo.count()):
            combo.setCurrentIndex(row)
            await asyncio.sleep(0)
            seen += offences(window)
        window.tabs.setCurrentIndex(index)
        await wait_until(lambda: view.scan_button.isEnabled(), within=10)
        scan = view.start_scan()
        assert scan is not None
        await asyncio.wait_for(scan, 30)
        assert view.model.rowCount() > 20
        for row in view.model.rows[:40]:
            view.select_number(row.e164)
            await asyncio.sleep(0)
            seen += offences(window)
        # Shown, literally, as the user reads it.
        assert "<h1>" in QTextDocumentFragment.fromHtml(view.row_header.text()).toPlainText()
        assert not seen, "\n".join(sorted(set(seen)))
    finally:
        await window.shutdown()
