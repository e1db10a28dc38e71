"""One guarded reader for every file the app reads back: settings, verdict cache, saved account scan.

A file the app wrote can still come back damaged (a full disk, a crash mid-write on a file system
without atomic rename, another program, a hand edit): not UTF-8, nested deeper than Python's
parser recurses, an integer of thousands of digits, larger than any file the app writes, or
simply unreadable. Whatever it is, the file is moved aside to `<name>.corrupt-<UTC time>` next
to it (kept for a support case, never deleted), one line says what was set aside and where, and
the caller goes on as if the file were absent. Nothing here raises for a damaged file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "MAX_APP_FILE_BYTES",
    "SetAside",
    "load_json",
    "parse_json",
    "pending_notices",
    "read_text",
    "set_aside",
    "take_notices",
]

_log = logging.getLogger(__name__)

# The largest file the app writes is a saved account scan: ~1 KB per number, so ~10 MB for
# 10,000 numbers. 256 MiB is far beyond any real account and still bounds memory.
MAX_APP_FILE_BYTES = 256 << 20

_notices: list[SetAside] = []
_lock = threading.Lock()  # the scan state is read in a worker thread


@dataclass(frozen=True, slots=True)
class SetAside:
    """A damaged file that was moved aside (`backup` None: it could not even be moved)."""

    what: str  # "settings file", "verdict cache file", "saved account scan"
    path: Path
    backup: Path | None
    reason: str

    def line(self) -> str:
        """One line for the user."""
        where = f"moved to {self.backup}" if self.backup else "left in place (it could not be moved)"
        return f"The {self.what} {self.path.name} could not be read ({self.reason}); {where}, and the app went on without it."


def set_aside(path: Path, what: str, reason: str) -> SetAside:
    """Move a damaged `path` to `<name>.corrupt-<time>`, log it once and keep the notice."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    backup: Path | None = target
    try:
        os.replace(path, target)
    except OSError:
        backup = None
    notice = SetAside(what, path, backup, reason)
    _log.warning("%s", notice.line())
    with _lock:
        _notices.append(notice)
    return notice


def pending_notices() -> list[SetAside]:
    """The files set aside and not yet reported (a copy; nothing is taken)."""
    with _lock:
        return list(_notices)


def take_notices() -> list[SetAside]:
    """The files set aside since the last call (each is reported once)."""
    with _lock:
        taken = list(_notices)
        _notices.clear()
    return taken


def _describe(error: BaseException) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text at byte {error.start}"
    if isinstance(error, RecursionError):
        return "nested too deeply"
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON at line {error.lineno}"
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return str(error) or type(error).__name__


def read_text(path: Path, what: str, max_bytes: int = MAX_APP_FILE_BYTES) -> str | None:
    """The file's text; None when it is absent or was damaged (then it is set aside)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            set_aside(path, what, f"larger than {max_bytes >> 20} MiB")
            return None
        return data.decode("utf-8")
    except FileNotFoundError:
        return None
    except IsADirectoryError as error:
        set_aside(path, what, _describe(error))
        return None
    except PermissionError as error:
        # Not damaged, only not ours to read: leave it where it is, say so once.
        notice = SetAside(what, path, None, _describe(error))
        _log.warning("%s", notice.line())
        with _lock:
            _notices.append(notice)
        return None
    except (OSError, UnicodeDecodeError) as error:
        set_aside(path, what, _describe(error))
        return None


def load_json(path: Path, what: str, max_bytes: int = MAX_APP_FILE_BYTES) -> object | None:
    """The file's JSON value; None when absent or damaged (then it is set aside)."""
    text = read_text(path, what, max_bytes)
    if text is None:
        return None
    return parse_json(text, path, what)


def parse_json(text: str, path: Path, what: str) -> object | None:
    """`text` (read from `path`) as JSON; None when damaged (then `path` is set aside)."""
    try:
        value: object = json.loads(text)
    except (ValueError, RecursionError) as error:  # ValueError: bad JSON, a 5,000-digit integer
        set_aside(path, what, _describe(error))
        return None
    return value
