"""The app's files are the user's alone: files 0600, folders 0700 (POSIX; a no-op elsewhere).

Logs and crash reports name the user's numbers and extensions; settings and caches hold account
ids. A shared machine's other users must not read them, whatever the umask.
"""

from __future__ import annotations

import contextlib
import io
import logging.handlers
import os
from pathlib import Path

__all__ = ["PrivateRotatingFileHandler", "make_private_dir", "make_private_file", "write_private_text"]

FILE_MODE = 0o600
DIR_MODE = 0o700


def make_private_dir(directory: Path) -> None:
    """Create `directory` (and parents) and make it 0700; raises OSError as `mkdir` does."""
    directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(OSError, NotImplementedError):
        os.chmod(directory, DIR_MODE)


def make_private_file(path: Path) -> None:
    """Make an existing file 0600 (quietly: a file system without modes keeps its own)."""
    with contextlib.suppress(OSError, NotImplementedError):
        os.chmod(path, FILE_MODE)


def write_private_text(path: Path, text: str) -> None:
    """Write `text` to `path`, created 0600 from the start (no moment when others could read)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    make_private_file(path)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file (the current one and each rotated one) is 0600."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        os.close(fd)
        make_private_file(Path(self.baseFilename))
        return super()._open()
