"""The last load's inputs on disk, so the next start shows verdicts at once.

One JSON file per (server, account, extension) under the platform cache directory, holding only
what RingCentral returned (the extension, the phone-number records and the SMS configurations, as
raw JSON) and when. Nothing secret: no token, no client id, no JWT. Writes are atomic (temporary
file + rename); an unreadable, corrupt or future-format file is ignored with a warning, never an
error, because the cache only ever saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from rc_sms_desktop import APP_NAME
from rc_sms_desktop.infra import guarded_file
from rc_sms_desktop.infra.private_files import (
    make_private_dir,
)

log = logging.getLogger(__name__)

CACHE_FORMAT = "rc-sms-desktop/last-load"
CACHE_VERSION = 1


@dataclass(frozen=True)
class CacheKey:
    """Whose data a cache entry holds: the server and the signed-in account and extension."""

    server: str
    account_id: str
    extension_id: str

    def filename(self) -> str:
        """A file name that reveals nothing but is stable for the key."""
        text = "\n".join((self.server.rstrip("/").lower(), self.account_id, self.extension_id))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + ".json"


@dataclass(frozen=True)
class CachedLoad:
    """The raw API JSON of one finished load and when it was fetched."""

    key: CacheKey
    as_of: datetime
    extension: object
    numbers: list[object]
    configurations: dict[str, object] = field(default_factory=dict)  # phone-number id -> body


class VerdictCache:
    """Reads and writes `CachedLoad`s under `directory` (default: the user cache directory)."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def __repr__(self) -> str:
        return f"VerdictCache(directory={str(self.directory)!r})"

    def save(self, entry: CachedLoad) -> None:
        """Write atomically; failures are logged (a full disk must not break a load)."""
        document = {
            "format": CACHE_FORMAT,
            "version": CACHE_VERSION,
            "server": entry.key.server,
            "accountId": entry.key.account_id,
            "extensionId": entry.key.extension_id,
            "asOf": entry.as_of.astimezone(UTC).isoformat(),
            "extension": entry.extension,
            "numbers": entry.numbers,
            "smsConfigurations": entry.configurations,
        }
        try:
            make_private_dir(self.directory)
            target = self.directory / entry.key.filename()
            fd, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(document, handle, ensure_ascii=False, separators=(",", ":"))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp_name, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp_name)
                raise
        except (OSError, TypeError, ValueError) as exc:
            log.warning("Could not save the cache: %s", exc)

    def load(self, key: CacheKey) -> CachedLoad | None:
        """The entry for `key`, or None (absent, unreadable, corrupt or another format)."""
        entry = self._read(self.directory / key.filename())
        if entry is not None and entry.key != key:
            log.warning("Ignoring a cache file that belongs to another account")
            return None
        return entry

    def latest(self, server: str) -> CachedLoad | None:
        """The most recent entry for `server` (any account): what to show before sign-in is known."""
        if not self.directory.is_dir():
            return None
        best: CachedLoad | None = None
        wanted = server.rstrip("/").lower()
        for path in self.directory.glob("*.json"):
            if path.name.startswith(".tmp-"):
                continue
            entry = self._read(path)
            if entry is None or entry.key.server.rstrip("/").lower() != wanted:
                continue
            if best is None or entry.as_of > best.as_of:
                best = entry
        return best

    def clear(self, key: CacheKey | None = None) -> None:
        """Forget one entry, or everything (sign-out of all accounts)."""
        paths = [self.directory / key.filename()] if key else list(self.directory.glob("*.json"))
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _read(self, path: Path) -> CachedLoad | None:
        # The app's guarded reader: a damaged file is moved aside (`.corrupt-<time>`) and told once.
        document = guarded_file.load_json(path, "verdict cache file")
        if document is None:
            return None
        try:
            return _from_document(document)
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            guarded_file.set_aside(path, "verdict cache file", str(exc) or type(exc).__name__)
            return None


def _from_document(document: object) -> CachedLoad | None:
    if not isinstance(document, Mapping) or document.get("format") != CACHE_FORMAT:
        raise ValueError("not a cache file of this app")
    version = document.get("version")
    if version != CACHE_VERSION:
        log.info("Ignoring a cache file of format version %r", version)
        return None
    key = CacheKey(
        server=_text(document["server"]),
        account_id=_text(document["accountId"]),
        extension_id=_text(document["extensionId"]),
    )
    as_of = datetime.fromisoformat(_text(document["asOf"]))
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    numbers = document["numbers"]
    configurations = document.get("smsConfigurations") or {}
    if not isinstance(numbers, list) or not isinstance(configurations, Mapping):
        raise ValueError("numbers or configurations have the wrong shape")
    return CachedLoad(
        key=key,
        as_of=as_of,
        extension=document.get("extension"),
        numbers=list(numbers),
        configurations={str(k): v for k, v in configurations.items()},
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def default_cache_dir() -> Path:
    """The per-user cache directory (XDG on Linux, Library/Caches on macOS, LocalAppData)."""
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "last-load"
