"""Application logging: a rotated file in the platform's log directory, secrets redacted.

Call `configure_logging()` once at start-up (the window and the CLI both may). Every handler it
installs carries `SecretRedactingFilter`, so a token that reaches a log call — in the message,
its arguments, a traceback or a stack — is masked before any sink sees it (CWE-532). httpx and
httpcore log full URLs at INFO, so they stay at WARNING unless the user asks for `--verbose`.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import Final

import platformdirs

from rc_sms_desktop import APP_NAME
from rc_sms_desktop.infra.private_files import (
    PrivateRotatingFileHandler,
    make_private_dir,
)
from rc_sms_desktop.infra.redaction import RedactingFilter

__all__ = [
    "LOG_FILE_NAME",
    "LOG_LEVEL_ENV",
    "SecretRedactingFilter",
    "configure_logging",
    "level_from",
    "log_dir",
    "reset_logging",
]

LOG_FILE_NAME: Final = "rc-sms-desktop.log"
# Overrides the level, e.g. RC_SMS_DESKTOP_LOG_LEVEL=DEBUG; `--verbose` means DEBUG.
LOG_LEVEL_ENV: Final = "RC_SMS_DESKTOP_LOG_LEVEL"
MAX_LOG_BYTES: Final = 1_000_000
LOG_BACKUP_COUNT: Final = 3
_FORMAT: Final = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
# Libraries that log request URLs or bodies: quiet unless verbose.
_CHATTY_LOGGERS: Final = ("httpx", "httpcore", "hpack", "qasync", "asyncio", "uvicorn.access")
# Marks handlers we installed, so a second configure_logging() replaces rather than duplicates them.
_OURS: Final = "_rc_sms_desktop_handler"


def log_dir() -> Path:
    """The per-user log directory (e.g. ~/.local/state/rc-sms-desktop/log on Linux)."""
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


# --- redaction -------------------------------------------------------------------------------
# `rc_sms_desktop.infra.redaction` decides what a secret looks like; this module adds log-injection
# hardening and puts the filter on every handler.


def _neutralise(text: str) -> str:
    # Server text can carry CR or ANSI escapes that would forge or hide log lines (CWE-117).
    return text.replace("\r", "\\r").replace("\x1b", "\\x1b")


class SecretRedactingFilter(RedactingFilter):
    """The project's `RedactingFilter` (secrets masked in message, arguments, traceback and
    stack) plus log-injection hardening: CR and ANSI escapes are made visible and continuation
    lines of a message are indented, so text from a server cannot pass for a new record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)  # leaves record.msg formatted and redacted, record.args None
        record.msg = _neutralise(str(record.msg)).replace("\n", "\n    ")
        if record.exc_text:
            record.exc_text = _neutralise(record.exc_text)
        if record.stack_info:
            record.stack_info = _neutralise(record.stack_info)
        return True


def level_from(verbose: bool = False, environ: dict[str, str] | None = None) -> int:
    """The root level: the env variable wins, then `--verbose` (DEBUG), else INFO."""
    env = (environ if environ is not None else os.environ).get(LOG_LEVEL_ENV, "").strip().upper()
    if env:
        level = logging.getLevelName(env)
        if isinstance(level, int):
            return level
    return logging.DEBUG if verbose else logging.INFO


def configure_logging(
    *,
    verbose: bool = False,
    directory: Path | None = None,
    console: bool = True,
    max_bytes: int = MAX_LOG_BYTES,
    backup_count: int = LOG_BACKUP_COUNT,
) -> Path | None:
    """Send log records to a rotated file (and stderr for warnings); return the file's path.

    Safe to call again (e.g. in tests): our previous handlers are closed and replaced. If the
    log directory cannot be created the app still runs, logging to stderr only, and None is
    returned.
    """
    root = logging.getLogger()
    reset_logging()
    level = level_from(verbose)
    root.setLevel(level)
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(
            logging.NOTSET if level <= logging.DEBUG else logging.WARNING
        )

    directory = directory or log_dir()
    handlers: list[logging.Handler] = []
    path: Path | None = directory / LOG_FILE_NAME
    try:
        make_private_dir(directory)
        handlers.append(
            PrivateRotatingFileHandler(
                directory / LOG_FILE_NAME,
                maxBytes=max_bytes,
                backupCount=backup_count,
                encoding="utf-8",
            )
        )
    except OSError:
        path = None
    if console and sys.stderr is not None:  # a windowed executable has no stderr
        stream = logging.StreamHandler()
        stream.setLevel(logging.DEBUG if level <= logging.DEBUG else logging.WARNING)
        handlers.append(stream)
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(SecretRedactingFilter())
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    if path is None:
        logging.getLogger(__name__).warning("cannot write a log file in %s", directory)
    return path


def reset_logging() -> None:
    """Close and remove the handlers `configure_logging` installed (tests, clean shutdown)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
            handler.close()
