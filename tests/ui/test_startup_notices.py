"""After a hard crash or an unreadable settings file, the next start says so, without blocking."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from rc_sms_desktop.ui.app import show_startup_notices


def test_a_previous_crash_and_recovered_settings_are_both_told(qtbot: QtBot, tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    crash = tmp_path / "crash-20261127-native.txt"
    settings = tmp_path / "settings.json.corrupt-20261127"
    boxes = show_startup_notices(parent, previous_crash=crash, recovered_settings=settings)
    assert len(boxes) == 2
    assert all(box.isVisible() for box in boxes)  # shown with open(): the loop keeps running
    assert str(crash) in boxes[0].text() and "stopped unexpectedly" in boxes[0].text()
    assert str(settings) in boxes[1].text() and "default settings" in boxes[1].text()
    for box in boxes:
        box.close()


def test_a_clean_start_shows_nothing(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    assert show_startup_notices(parent, previous_crash=None, recovered_settings=None) == []
