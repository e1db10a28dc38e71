"""The on-disk cache of the last load: round trip, atomic writes, corrupt files, nothing secret."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rc_sms_desktop.infra.cache import (
    CACHE_VERSION,
    CachedLoad,
    CacheKey,
    VerdictCache,
    default_cache_dir,
)

KEY = CacheKey("https://platform.ringcentral.com", "37439510", "62959250101")
AS_OF = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def entry(key: CacheKey = KEY, as_of: datetime = AS_OF) -> CachedLoad:
    return CachedLoad(
        key=key,
        as_of=as_of,
        extension={"id": 62959250101, "name": "Alex Rivera", "account": {"id": "37439510"}},
        numbers=[{"id": 1, "phoneNumber": "+16505550101", "features": ["SmsSender"]}, {"id": "weird"}],
        configurations={"1": {"phoneNumberId": "1", "smsCampaignInfo": {"status": "Confirmed"}}},
    )


def test_round_trip_keeps_the_raw_json_and_time(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path)
    cache.save(entry())
    loaded = cache.load(KEY)
    assert loaded == entry()


def test_default_location_is_the_user_cache_directory() -> None:
    assert "rc-sms-desktop" in str(default_cache_dir())
    assert str(default_cache_dir()).startswith(os.environ["XDG_CACHE_HOME"])


def test_entries_are_per_server_account_and_extension(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path)
    other = CacheKey(KEY.server, KEY.account_id, "999")
    cache.save(entry())
    cache.save(entry(other, AS_OF + timedelta(hours=1)))
    assert cache.load(KEY) == entry()
    assert cache.latest(KEY.server) == entry(other, AS_OF + timedelta(hours=1))
    assert cache.latest("https://platform.ringcentral.biz") is None
    cache.clear(other)
    assert cache.latest(KEY.server) == entry()


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path)
    cache.save(entry())
    cache.save(entry(as_of=AS_OF + timedelta(minutes=5)))
    assert [p.name for p in tmp_path.iterdir()] == [KEY.filename()]
    assert cache.load(KEY) == entry(as_of=AS_OF + timedelta(minutes=5))


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        "[]",
        '{"format": "something else", "version": 1}',
        '{"format": "rc-sms-desktop/last-load", "version": 1}',
        '{"format": "rc-sms-desktop/last-load", "version": 1, "server": "s", "accountId": "a",'
        ' "extensionId": "e", "asOf": "yesterday", "numbers": []}',
        '{"format": "rc-sms-desktop/last-load", "version": 1, "server": "s", "accountId": "a",'
        ' "extensionId": "e", "asOf": "2026-01-01T00:00:00+00:00", "numbers": {}}',
    ],
)
def test_a_corrupt_file_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    (tmp_path / KEY.filename()).write_text(content)
    caplog.set_level(logging.WARNING)
    cache = VerdictCache(tmp_path)
    assert cache.load(KEY) is None
    assert cache.latest(KEY.server) is None
    assert "cache file" in caplog.text


def test_binary_garbage_is_ignored(tmp_path: Path) -> None:
    (tmp_path / KEY.filename()).write_bytes(b"\xff\xfe\x00garbage")
    assert VerdictCache(tmp_path).load(KEY) is None


def test_another_format_version_is_ignored_quietly(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path)
    cache.save(entry())
    path = tmp_path / KEY.filename()
    document = json.loads(path.read_text())
    document["version"] = CACHE_VERSION + 1
    path.write_text(json.dumps(document))
    assert cache.load(KEY) is None


def test_an_unwritable_directory_loses_nothing_but_the_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    caplog.set_level(logging.WARNING)
    VerdictCache(blocker / "cache").save(entry())  # must not raise
    assert "Could not save the cache" in caplog.text


def test_the_file_name_reveals_nothing_and_the_file_holds_no_secret(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path)
    cache.save(entry())
    [path] = tmp_path.iterdir()
    assert KEY.account_id not in path.name and "ringcentral" not in path.name
    text = path.read_text()
    for word in ("access_token", "refresh_token", "Bearer", "client_secret", "assertion"):
        assert word not in text
