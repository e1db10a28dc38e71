"""Crash reports: unhandled exceptions and hard crashes end in a redacted file the user can send.

`install_crash_handler(show_dialog)` hooks `sys.excepthook`, `threading.excepthook` and
`faulthandler`. A report holds an allow-list of facts (app version, Python, OS, Qt version when
Qt is loaded, thread, the redacted traceback) and nothing else: no environment, no argv, no
locals. `show_dialog(path)` is then called so the user learns where the report is.

A segfault cannot run Python, so `faulthandler` writes straight into `native-crash.log` in the
log directory; at the next start `install_crash_handler` turns a non-empty one into a redacted
report and returns it as `CrashHandler.previous_crash`, for the UI to mention (matrix G5).
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final

from rc_sms_desktop import __version__
from rc_sms_desktop.infra.app_logging import log_dir
from rc_sms_desktop.infra.private_files import (
    make_private_dir,
    write_private_text,
)
from rc_sms_desktop.infra.redaction import redact

NATIVE_CRASH_FILE: Final = "native-crash.log"
REPORT_PREFIX: Final = "crash-"
# Reports beyond this many are deleted, oldest first, so a crash loop cannot fill the disk.
MAX_REPORTS: Final = 20

ShowDialog = Callable[[Path], None]

_log = logging.getLogger(__name__)


def qt_version() -> str | None:
    """The running Qt and PySide6 versions, only if the app already imported Qt."""
    if "PySide6.QtCore" not in sys.modules:
        return None
    qtcore = sys.modules["PySide6.QtCore"]
    pyside = sys.modules.get("PySide6")
    return f"Qt {qtcore.qVersion()}, PySide6 {getattr(pyside, '__version__', '?')}"


def _to_stderr(text: str) -> None:
    # A windowed executable (pythonw, PyInstaller console=False) has no stderr at all.
    if sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(text)


def _facts(thread_name: str | None) -> list[tuple[str, str]]:
    import platform  # only when a report is written: not a start-up cost

    facts = [
        ("App", f"rc-sms-desktop {__version__}"),
        ("Time (UTC)", datetime.now(UTC).isoformat(timespec="seconds")),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("Platform", platform.platform()),
        ("Frozen bundle", "yes" if getattr(sys, "frozen", False) else "no"),
    ]
    version = qt_version()
    if version:
        facts.append(("Qt", version))
    if thread_name:
        facts.append(("Thread", thread_name))
    return facts


def _unique_report_path(directory: Path, kind: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    for n in range(1000):
        suffix = "" if n == 0 else f"-{n}"
        path = directory / f"{REPORT_PREFIX}{stamp}-{kind}{suffix}.txt"
        if not path.exists():
            return path
    return directory / f"{REPORT_PREFIX}{stamp}-{kind}-{threading.get_ident()}.txt"


def _prune(directory: Path) -> None:
    reports = sorted(directory.glob(f"{REPORT_PREFIX}*.txt"), key=lambda p: p.stat().st_mtime)
    for old in reports[:-MAX_REPORTS]:
        with contextlib.suppress(OSError):
            old.unlink()


def _without_home(text: str) -> str:
    # File paths in a traceback carry the user's home folder (their login name): not needed.
    try:
        home = str(Path.home())
    except (RuntimeError, KeyError):
        return text
    return text.replace(home + os.sep, "~" + os.sep) if len(home) > 1 else text


def _write(directory: Path, kind: str, title: str, facts: list[tuple[str, str]], body: str) -> Path:
    make_private_dir(directory)
    lines = [f"rc-sms-desktop crash report: {title}", ""]
    lines += [f"{name}: {value}" for name, value in facts]
    lines += ["", redact(body).rstrip(), ""]
    path = _unique_report_path(directory, kind)
    write_private_text(path, _without_home(redact("\n".join(lines))))
    _prune(directory)
    return path


def write_crash_report(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    directory: Path | None = None,
    thread_name: str | None = None,
) -> Path:
    """Write a redacted report for one exception and return its path."""
    body = "".join(traceback.format_exception(exc_type, exc, tb))
    return _write(
        directory or log_dir(),
        "exception",
        redact(f"{exc_type.__name__}: {exc}").splitlines()[0][:200],
        _facts(thread_name),
        body,
    )


@dataclass
class CrashHandler:
    """The installed hooks; `uninstall()` restores the previous ones (used by tests)."""

    directory: Path
    show_dialog: ShowDialog | None
    previous_crash: Path | None = None
    reports: list[Path] = field(default_factory=list)
    _old_excepthook: Callable[..., Any] | None = None
    _old_thread_hook: Callable[..., Any] | None = None
    _fault_file: IO[str] | None = None
    _fault_was_enabled: bool = False

    def report(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
        thread_name: str | None = None,
    ) -> Path | None:
        """Write a report, log it (redacted), and call `show_dialog(path)`; never raises."""
        try:
            path = write_crash_report(
                exc_type, exc, tb, directory=self.directory, thread_name=thread_name
            )
        except Exception:  # the disk is full or read-only: say so on stderr, redacted
            _to_stderr(redact("".join(traceback.format_exception(exc_type, exc, tb))))
            return None
        self.reports.append(path)
        _log.error("Unhandled %s; crash report written to %s", exc_type.__name__, path)
        _to_stderr(f"rc-sms-desktop: unexpected error; report written to {path}\n")
        if self.show_dialog is not None:
            try:
                self.show_dialog(path)
            except Exception:  # a broken dialog must not recurse into the hook
                _log.exception("crash dialog failed")
        return path

    def _excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt) and self._old_excepthook is not None:
            self._old_excepthook(exc_type, exc, tb)
            return
        self.report(exc_type, exc, tb, threading.current_thread().name)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else None
        self.report(args.exc_type, args.exc_value, args.exc_traceback, name)

    def asyncio_exception_handler(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        """For `loop.set_exception_handler`: a task that died with an exception gets a report."""
        exc = context.get("exception")
        if isinstance(exc, BaseException) and not isinstance(exc, asyncio.CancelledError):
            self.report(type(exc), exc, exc.__traceback__, "asyncio")
        else:
            _log.error("asyncio: %s", context.get("message", "unknown error"))

    def uninstall(self) -> None:
        """Restore the previous hooks and stop faulthandler."""
        if self._old_excepthook is not None:
            sys.excepthook = self._old_excepthook
        if self._old_thread_hook is not None:
            threading.excepthook = self._old_thread_hook
        if self._fault_file is not None:
            faulthandler.disable()
            self._fault_file.close()
            self._fault_file = None
            if self._fault_was_enabled and sys.__stderr__ is not None:
                faulthandler.enable(sys.__stderr__, all_threads=True)


def _collect_native_crash(directory: Path) -> Path | None:
    """Turn the previous run's faulthandler dump, if any, into a redacted report."""
    dump = directory / NATIVE_CRASH_FILE
    try:
        text = dump.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if not text.strip():
        return None
    path = _write(directory, "native", "the previous run stopped abruptly", _facts(None), text)
    dump.write_text("", encoding="utf-8")
    return path


def install_crash_handler(
    show_dialog: ShowDialog | None = None, *, directory: Path | None = None
) -> CrashHandler:
    """Install the hooks; `show_dialog(path)` runs on the crashing thread after a report.

    The UI's callback must marshal to the GUI thread itself (e.g. a queued signal) when called
    from a worker thread. Returns the handler; its `previous_crash` is a report about a hard
    crash in the last run, or None.
    """
    directory = directory or log_dir()
    handler = CrashHandler(directory=directory, show_dialog=show_dialog)
    try:
        make_private_dir(directory)
        handler.previous_crash = _collect_native_crash(directory)
        # Kept open for the life of the process: faulthandler writes to the raw fd on a signal.
        handler._fault_was_enabled = faulthandler.is_enabled()
        write_private_text(directory / NATIVE_CRASH_FILE, "")
        handler._fault_file = (directory / NATIVE_CRASH_FILE).open("w", encoding="utf-8")
        faulthandler.enable(handler._fault_file, all_threads=True)
    except OSError as error:
        _log.warning("cannot record hard crashes in %s: %s", directory, error)
    handler._old_excepthook = sys.excepthook
    handler._old_thread_hook = threading.excepthook
    sys.excepthook = handler._excepthook
    threading.excepthook = handler._thread_hook
    return handler
