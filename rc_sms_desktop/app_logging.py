"""Application logging: a rotated file in the platform's log directory, secrets redacted.

Call `configure_logging()` once at start-up (the window and the CLI both may). Every handler it
installs carries `SecretRedactingFilter`, so a token that reaches a log call — in the message,
its arguments, a traceback or a stack — is masked before any sink sees it (CWE-532). httpx and
httpcore log full URLs at INFO, so they stay at WARNING unless the user asks for `--verbose`.
"""

from __future__ import annotations

import importlib
import logging
import logging.handlers
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Final

import platformdirs

from rc_sms_desktop import APP_NAME

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
# The sign-in engineer's `rc_sms_desktop.redaction` is the authority on what a secret looks like.
# Until it is importable these patterns cover the common shapes (bearer/basic headers, JWTs,
# OAuth form and JSON fields).
_FALLBACK_PATTERNS: Final = (
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    re.compile(
        r"(?i)([\"']?\b(?:access_token|refresh_token|id_token|client_secret|code_verifier|"
        r"code|assertion|password|state|authorization)[\"']?\s*[:=]\s*[\"']?)([^\"'&\s,;}]+)"
    ),
)


def _fallback_redact(text: str) -> str:
    text = _FALLBACK_PATTERNS[0].sub(lambda m: f"{m.group(1)} [REDACTED]", text)
    text = _FALLBACK_PATTERNS[1].sub("[REDACTED-JWT]", text)
    return _FALLBACK_PATTERNS[2].sub(lambda m: f"{m.group(1)}[REDACTED]", text)


def _project_redaction() -> ModuleType | None:
    try:
        return importlib.import_module("rc_sms_desktop.redaction")
    except ImportError:
        return None


def redact(text: str) -> str:
    """Mask secrets in `text` with the project's redaction rules (fallback rules until they land)."""
    redaction = _project_redaction()
    if redaction is None:
        return _fallback_redact(text)
    result = redaction.redact(text)
    return result if isinstance(result, str) else _fallback_redact(text)


def _clean(text: str) -> str:
    # Server text can carry CR/LF or ANSI escapes that would forge log lines (CWE-117).
    return redact(text).replace("\r", "\\r").replace("\x1b", "\\x1b")


class SecretRedactingFilter(logging.Filter):
    """A handler filter that masks secrets in the message, its arguments, traceback and stack.

    It formats the record's message eagerly and stores the redacted text, so no formatter
    downstream can reintroduce a secret from `record.args` or `record.exc_info`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format must not lose the record
            message = f"{record.msg!r} % {record.args!r}"
        # Continuation lines are indented, so text from a server cannot pass for a new record.
        record.msg = _clean(message).replace("\n", "\n    ")
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _clean(record.exc_text)
        if record.stack_info:
            record.stack_info = _clean(record.stack_info)
        return True


def _redaction_filter() -> logging.Filter:
    project_filter = getattr(_project_redaction(), "RedactingFilter", None)
    if isinstance(project_filter, type) and issubclass(project_filter, logging.Filter):
        return _Chain(project_filter(), SecretRedactingFilter())
    return SecretRedactingFilter()


class _Chain(logging.Filter):
    """Runs the project's filter and then ours (which also covers tracebacks and stacks)."""

    def __init__(self, *filters: logging.Filter) -> None:
        super().__init__()
        self._filters = filters

    def filter(self, record: logging.LogRecord) -> bool:
        return all(f.filter(record) for f in self._filters)


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

    handlers: list[logging.Handler] = []
    path: Path | None = (directory or log_dir()) / LOG_FILE_NAME
    try:
        (directory or log_dir()).mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                (directory or log_dir()) / LOG_FILE_NAME,
                maxBytes=max_bytes,
                backupCount=backup_count,
                encoding="utf-8",
            )
        )
    except OSError:
        path = None
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(logging.DEBUG if level <= logging.DEBUG else logging.WARNING)
        handlers.append(stream)
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(_redaction_filter())
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    if path is None:
        logging.getLogger(__name__).warning("cannot write a log file in %s", directory or log_dir())
    return path


def reset_logging() -> None:
    """Close and remove the handlers `configure_logging` installed (tests, clean shutdown)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
            handler.close()
