"""Settings: survive restarts, old versions, corrupt files and bad window geometry."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from rc_sms_desktop.infra import settings as settings_module
from rc_sms_desktop.infra.settings import (
    MIGRATIONS,
    SETTINGS_VERSION,
    Settings,
    default_settings_path,
)
from rc_sms_desktop.ui.window_geometry import restore_window_geometry


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


def test_settings_live_in_the_platform_config_dir() -> None:
    assert default_settings_path().parent.name == "rc-sms-desktop"
    assert os.environ["XDG_CONFIG_HOME"] in str(default_settings_path())


def test_missing_file_gives_defaults(path: Path) -> None:
    s = Settings.load(path)
    assert s.last_server is None and s.last_client_id is None and s.custom_server_url is None
    assert s.chosen_sender("acc-1") is None
    assert s.only_numbers_that_can_send is False
    assert s.window_geometry is None
    assert s.recovered_from is None


def test_every_choice_survives_a_restart(path: Path) -> None:
    s = Settings.load(path)
    s.last_server = "custom"
    s.last_client_id = "client-123"
    s.custom_server_url = "https://platform.devtest.example"
    s.set_chosen_sender("acc-1", "pn-42")
    s.set_chosen_sender("acc-2", "pn-7")
    s.only_numbers_that_can_send = True
    s.window_geometry = b"\x01\xd9\xd0\xcb\x00\x03geometry"

    again = Settings.load(path)
    assert again.last_server == "custom"
    assert again.last_client_id == "client-123"
    assert again.custom_server_url == "https://platform.devtest.example"
    assert again.chosen_sender("acc-1") == "pn-42" and again.chosen_sender("acc-2") == "pn-7"
    assert again.only_numbers_that_can_send is True
    assert again.window_geometry == b"\x01\xd9\xd0\xcb\x00\x03geometry"
    assert json.loads(path.read_text())["version"] == SETTINGS_VERSION


def test_clearing_a_value_forgets_it(path: Path) -> None:
    s = Settings.load(path)
    s.set_chosen_sender("acc-1", "pn-42")
    s.set_chosen_sender("acc-1", None)
    s.custom_server_url = "https://x.example"
    s.custom_server_url = None
    again = Settings.load(path)
    assert again.chosen_sender("acc-1") is None and again.custom_server_url is None


def test_unversioned_file_from_before_versioning_is_migrated(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "server": "sandbox",
                "client_id": "old-client",
                "custom_url": "https://old.example",
                "senders": {"acc-9": "pn-1"},
                "only_sendable": True,
                "geometry": "AQID",
            }
        )
    )
    s = Settings.load(path)
    assert s.version == SETTINGS_VERSION
    assert s.last_server == "sandbox"
    assert s.last_client_id == "old-client"
    assert s.custom_server_url == "https://old.example"
    assert s.chosen_sender("acc-9") == "pn-1"
    assert s.only_numbers_that_can_send is True
    assert s.window_geometry == b"\x01\x02\x03"
    s.save()
    assert json.loads(path.read_text())["version"] == SETTINGS_VERSION


def test_every_older_version_has_a_migration() -> None:
    assert sorted(MIGRATIONS) == list(range(SETTINGS_VERSION))


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2, 3]", b"\xff\xfe\x00garbage", b""])
def test_corrupt_file_is_kept_aside_and_defaults_are_used(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    s = Settings.load(path)
    assert s.last_server is None
    assert s.recovered_from is not None
    assert s.recovered_from.read_bytes() == content  # the user's old file is not lost
    s.last_server = "production"
    assert Settings.load(path).last_server == "production"


def test_values_of_the_wrong_type_read_as_defaults(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "version": SETTINGS_VERSION,
                "sign_in": ["not", "a", "dict"],
                "senders": {"acc-1": 42},
                "only_numbers_that_can_send": "yes",
                "window_geometry": "%%% not base64 %%%",
            }
        )
    )
    s = Settings.load(path)
    assert s.last_server is None
    assert s.chosen_sender("acc-1") is None
    assert s.only_numbers_that_can_send is False
    assert s.window_geometry is None
    s.last_server = "sandbox"  # and writing still works
    assert Settings.load(path).last_server == "sandbox"


def test_file_from_a_newer_app_is_backed_up_before_it_is_overwritten(path: Path) -> None:
    path.parent.mkdir(parents=True)
    newer = {"version": SETTINGS_VERSION + 5, "sign_in": {"server": "sandbox"}, "future": {"x": 1}}
    path.write_text(json.dumps(newer))
    s = Settings.load(path)
    assert s.last_server == "sandbox"
    s.only_numbers_that_can_send = True
    backup = path.with_name(f"settings.json.v{SETTINGS_VERSION + 5}-backup")
    assert json.loads(backup.read_text()) == newer
    assert json.loads(path.read_text())["future"] == {"x": 1}  # unknown keys are kept


def test_failed_write_keeps_the_old_file_and_leaves_no_temp_files(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Settings.load(path)
    s.last_server = "production"
    before = path.read_bytes()

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(settings_module.os, "replace", disk_full)
    s.last_server = "sandbox"  # logged, not raised
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]


# --- window geometry ---------------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    w = QMainWindow()
    qtbot.addWidget(w)
    return w


def on_a_screen(window: QMainWindow) -> bool:
    frame = window.frameGeometry()
    return any(
        frame.intersected(s.availableGeometry()).width() >= 100 for s in QGuiApplication.screens()
    )


def test_geometry_round_trips_through_settings(
    window: QMainWindow, path: Path, qtbot: QtBot
) -> None:
    window.setGeometry(60, 70, 640, 480)
    s = Settings.load(path)
    s.window_geometry = bytes(window.saveGeometry().data())

    restored = QMainWindow()
    qtbot.addWidget(restored)
    assert restore_window_geometry(restored, Settings.load(path)) is True
    assert (restored.width(), restored.height()) == (640, 480)
    assert (restored.x(), restored.y()) == (60, 70)


@pytest.mark.parametrize("stored", [None, b"", b"garbage that Qt will reject"])
def test_bad_or_missing_geometry_falls_back_to_a_centred_default(
    window: QMainWindow, path: Path, stored: bytes | None
) -> None:
    s = Settings.load(path)
    s.window_geometry = stored
    assert restore_window_geometry(window, s, default_size=(500, 400)) is False
    assert (window.width(), window.height()) == (500, 400)
    assert on_a_screen(window)


def test_geometry_saved_on_a_screen_that_is_gone_falls_back(
    window: QMainWindow, path: Path, qtbot: QtBot
) -> None:
    window.setGeometry(30_000, 30_000, 640, 480)  # e.g. a second monitor since unplugged
    s = Settings.load(path)
    s.window_geometry = bytes(window.saveGeometry().data())

    restored = QMainWindow()
    qtbot.addWidget(restored)
    restore_window_geometry(restored, s)
    assert on_a_screen(restored)


def test_default_size_larger_than_the_screen_is_shrunk_to_fit(
    window: QMainWindow, path: Path
) -> None:
    screen = QGuiApplication.primaryScreen().availableGeometry()
    restore_window_geometry(window, Settings.load(path), default_size=(100_000, 100_000))
    assert window.width() <= screen.width() and window.height() <= screen.height()
