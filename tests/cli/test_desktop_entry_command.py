"""`rc-sms-desktop install-desktop-entry` puts a launcher for this installation in the menu."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rc_sms_desktop.cli.main import main


def test_install_desktop_entry_writes_a_launcher_and_icons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["install-desktop-entry"]) == 0
    printed = [Path(line) for line in capsys.readouterr().out.splitlines()]
    entries = [p for p in printed if p.suffix == ".desktop"]
    assert len(entries) == 1 and entries[0].is_relative_to(tmp_path / "applications")
    text = entries[0].read_text(encoding="utf-8")
    assert "Exec=" in text and "rc-sms-desktop" in text
    assert any(p.suffix == ".png" and p.is_file() for p in printed)


def test_an_unwritable_data_folder_gives_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "file-not-folder"
        blocker.write_text("x")
        monkeypatch.setenv("XDG_DATA_HOME", str(blocker))  # root ignores modes; a file blocks mkdir
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        monkeypatch.setenv("XDG_DATA_HOME", str(locked))
    assert main(["install-desktop-entry"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("rc-sms-desktop: could not write the desktop entry")
    assert "Traceback" not in out
