"""The crash handler: a redacted report on disk, and the user told where it is."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from rc_sms_desktop import __version__
from rc_sms_desktop.infra.crash_report import (
    NATIVE_CRASH_FILE,
    CrashHandler,
    install_crash_handler,
    write_crash_report,
)

SENTINEL = f"AT-SENTINEL-{uuid.uuid4().hex}"


@pytest.fixture
def shown() -> list[Path]:
    return []


@pytest.fixture
def handler(tmp_path: Path, shown: list[Path]) -> Iterator[CrashHandler]:
    installed = install_crash_handler(shown.append, directory=tmp_path)
    yield installed
    installed.uninstall()


def fail_with_secret() -> None:
    access_token = SENTINEL  # a local holding a secret must not reach the report
    raise RuntimeError(f"refresh failed for Authorization: Bearer {access_token}")


def test_unhandled_exception_writes_a_redacted_report_and_shows_its_path(
    handler: CrashHandler, shown: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        fail_with_secret()
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # what Python does with an uncaught exception
    assert len(shown) == 1
    report = shown[0]
    assert report.parent == tmp_path and report.is_file()
    text = report.read_text(encoding="utf-8")
    assert SENTINEL not in text
    assert "RuntimeError: refresh failed" in text
    assert "fail_with_secret" in text  # the traceback is there, only the secret is masked
    assert __version__ in text and "Python:" in text and "Platform:" in text
    # The terminal gets the path too, and no secret.
    err = capsys.readouterr().err
    assert str(report) in err and SENTINEL not in err


def test_registered_secret_values_are_masked_even_in_plain_text(
    handler: CrashHandler, shown: list[Path]
) -> None:
    redaction = pytest.importorskip("rc_sms_desktop.infra.redaction")
    secret = f"PLAIN{uuid.uuid4().hex}"
    redaction.register_secret(secret)
    try:
        raise ValueError(f"unexpected reply {secret}")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert secret not in shown[0].read_text(encoding="utf-8")


def test_report_includes_qt_version_when_qt_is_loaded(tmp_path: Path) -> None:
    pytest.importorskip("PySide6.QtCore")
    try:
        raise KeyError("x")
    except KeyError as error:
        path = write_crash_report(KeyError, error, error.__traceback__, directory=tmp_path)
    assert "Qt: Qt 6." in path.read_text(encoding="utf-8")


def test_exception_in_a_worker_thread_is_reported_with_the_thread_name(
    handler: CrashHandler, shown: list[Path]
) -> None:
    worker = threading.Thread(target=fail_with_secret, name="keyring-worker")
    worker.start()
    worker.join()
    assert len(shown) == 1
    text = shown[0].read_text(encoding="utf-8")
    assert "Thread: keyring-worker" in text
    assert SENTINEL not in text


def test_failed_asyncio_task_is_reported(handler: CrashHandler, shown: list[Path]) -> None:
    loop = asyncio.new_event_loop()
    try:
        loop.set_exception_handler(handler.asyncio_exception_handler)
        try:
            fail_with_secret()
        except RuntimeError as error:
            loop.call_exception_handler(
                {"message": "Task exception was never retrieved", "exception": error}
            )
    finally:
        loop.close()
    assert len(shown) == 1
    assert SENTINEL not in shown[0].read_text(encoding="utf-8")


def test_a_failing_dialog_callback_does_not_lose_the_report(tmp_path: Path) -> None:
    def broken_dialog(path: Path) -> None:
        raise RuntimeError("no QApplication")

    installed = install_crash_handler(broken_dialog, directory=tmp_path)
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            sys.excepthook(*sys.exc_info())  # must not raise
    finally:
        installed.uninstall()
    assert len(installed.reports) == 1 and installed.reports[0].is_file()


def test_uninstall_restores_the_previous_hooks(tmp_path: Path) -> None:
    before = (sys.excepthook, threading.excepthook)
    installed = install_crash_handler(None, directory=tmp_path)
    assert sys.excepthook is not before[0]
    installed.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_hard_crash_is_reported_at_next_start(tmp_path: Path) -> None:
    # A real segfault in a child process: only faulthandler can record it.
    script = textwrap.dedent(
        f"""
        import faulthandler
        from pathlib import Path
        from rc_sms_desktop.infra.crash_report import install_crash_handler
        install_crash_handler(None, directory=Path({str(tmp_path)!r}))
        faulthandler._sigsegv()
        """
    )
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert child.returncode != 0
    assert (tmp_path / NATIVE_CRASH_FILE).read_text().strip()

    installed = install_crash_handler(None, directory=tmp_path)
    installed.uninstall()
    assert installed.previous_crash is not None
    text = installed.previous_crash.read_text(encoding="utf-8")
    assert "Segmentation fault" in text
    assert "previous run" in text
    # Reported once: the next start finds nothing new.
    again = install_crash_handler(None, directory=tmp_path)
    again.uninstall()
    assert again.previous_crash is None


def test_windowed_executable_without_stderr_still_gets_a_report(
    handler: CrashHandler, shown: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stderr", None)  # pythonw / PyInstaller console=False
    try:
        fail_with_secret()
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert len(shown) == 1 and shown[0].is_file()


def test_report_does_not_name_the_users_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home" / "alice.example"
    monkeypatch.setenv("HOME", str(home))
    try:
        raise OSError(f"cannot read {home}/.config/rc-sms-desktop/settings.json")
    except OSError as error:
        path = write_crash_report(OSError, error, error.__traceback__, directory=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "alice.example" not in text
    assert "~/.config/rc-sms-desktop/settings.json" in text
