"""File > "Save a support capture…": what the window read, in `explain`'s format, 0600 (#15)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction

from rc_sms_desktop.cli.main import main
from rc_sms_desktop.simulator.config import DEMO_CLIENT_SECRET, DEMO_JWT
from rc_sms_desktop.ui.main_window import MainWindow
from tests.ui.qasync_helpers import wait_until


def _menu_action(window: MainWindow, text: str) -> QAction:
    for action in window.findChildren(QAction):
        if action.text().replace("&", "") == text:
            return action
    raise AssertionError(f"no menu item {text!r}")


async def _save_from_menu(window: MainWindow, item: str, path: Path) -> None:
    window.capture_path_chooser = lambda choose: choose(str(path))
    _menu_action(window, item).trigger()
    await wait_until(lambda: "saved to" in window.statusBar().currentMessage(), within=20)


@pytest.mark.parametrize("placeholders", [False, True])
async def test_the_window_saves_what_it_read_and_explain_reads_it(
    open_window: Callable[..., Any], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    placeholders: bool,
) -> None:
    window = await open_window()
    try:
        path = tmp_path / "capture.json"
        item = ("Save a support capture with placeholders for names…" if placeholders
                else "Save a support capture…")
        await _save_from_menu(window, item, path)
    finally:
        await window.shutdown()

    message = window.statusBar().currentMessage()
    assert str(path) in message and "\n" not in message
    text = path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for secret in (DEMO_JWT, DEMO_CLIENT_SECRET, "Bearer", "access_token", "refresh_token"):
        assert secret not in text
    document = json.loads(text)
    assert ("Alex Rivera" in text) is not placeholders
    # The window's numbers, and explain of the file gives the verdicts the window showed.
    shown = {(v.number.id, v.sms.value) for v in window._model.verdicts()}
    assert len(document["phoneNumbers"]) == len(shown) > 0
    assert main(["explain", "--format", "json", str(path)]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert {(v["id"], v["sms"]) for v in explained} == shown


async def test_a_capture_that_cannot_be_written_says_so_in_one_line(
    open_window: Callable[..., Any], tmp_path: Path
) -> None:
    window = await open_window()
    try:
        path = tmp_path / "no-such-folder" / "capture.json"
        assert await window.save_capture(path, placeholders=False) is False
    finally:
        await window.shutdown()
    message = window.statusBar().currentMessage()
    assert message.startswith("Could not save the capture") and "\n" not in message
    assert not path.exists()
