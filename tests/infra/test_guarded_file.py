"""Damaged local files are moved aside, told once, and the app goes on (issue #15, point 5)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from rc_sms_desktop.infra import guarded_file
from rc_sms_desktop.infra.cache import CacheKey, VerdictCache
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.workflows.scan_state import load_state_in_slices

DAMAGED = {
    "nested too deeply": b"[" * 200_000 + b"]" * 200_000,
    "not UTF-8": b'{"version": 1, "x": "\xff\xfe"}',
    "a 5,000-digit integer": b'{"version": ' + b"9" * 5000 + b"}",
    "not JSON": b"{\x00\x00 truncated",
}
KEY = CacheKey("https://platform.ringcentral.com", "37439510", "62959250101")


@pytest.fixture(autouse=True)
def no_leftover_notices() -> Iterator[None]:
    guarded_file.take_notices()
    yield
    guarded_file.take_notices()


def set_aside_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_settings_file_is_moved_aside_and_defaults_are_used(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(DAMAGED[damage])
    settings = Settings.load(path)
    assert settings.version == 1 and settings.last_server is None
    assert not path.exists()
    [backup] = set_aside_files(path)
    assert backup.read_bytes() == DAMAGED[damage]  # kept as it was, for support
    assert settings.recovered_from == backup
    [notice] = guarded_file.take_notices()
    assert "\n" not in notice.line() and backup.name in notice.line()


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_cache_file_is_moved_aside_and_the_load_goes_on(tmp_path: Path, damage: str) -> None:
    cache = VerdictCache(tmp_path)
    path = tmp_path / KEY.filename()
    path.write_bytes(DAMAGED[damage])
    assert cache.load(KEY) is None
    assert cache.latest(KEY.server) is None
    assert len(set_aside_files(path)) == 1
    [notice] = guarded_file.take_notices()
    assert notice.what == "verdict cache file"


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_saved_scan_starts_over_instead_of_stopping_the_scan(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "scan.json"
    path.write_bytes(DAMAGED[damage])
    assert asyncio.run(load_state_in_slices(path)) is None
    assert len(set_aside_files(path)) == 1
    [notice] = guarded_file.take_notices()
    assert notice.what == "saved account scan"


def test_a_file_beyond_the_cap_is_set_aside_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b" " * 2048)
    assert guarded_file.read_text(path, "settings file", max_bytes=1024) is None
    assert len(set_aside_files(path)) == 1


def test_an_absent_file_is_no_notice(tmp_path: Path) -> None:
    assert guarded_file.load_json(tmp_path / "none.json", "settings file") is None
    assert guarded_file.take_notices() == []
