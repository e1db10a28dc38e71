"""The real entry point in a child process: opens the demo, renders, exits 0 (matrix G2)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtGui import QImage

from rc_sms_desktop.infra.app_logging import LOG_FILE_NAME, log_dir


def _run(args: list[str], tmp_path: Path, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "rc_sms_desktop", *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp_path, check=False,
    )
    return done, time.monotonic() - started


def test_screenshot_of_the_demo_is_written_and_the_app_exits_cleanly(tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    done, _ = _run(["--demo", "--screenshot", str(shot), "--select", "+16505550105"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "QThread: Destroyed" not in done.stderr
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 1000 and image.height() >= 700


def test_sigterm_during_a_load_exits_quickly(tmp_path: Path) -> None:
    import signal

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    log = log_dir() / LOG_FILE_NAME
    seen = log.stat().st_size if log.exists() else 0  # earlier runs wrote to the same log
    process = subprocess.Popen(
        [sys.executable, "-m", "rc_sms_desktop", "--demo"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 20
        while "Main window shown" not in (log.read_text(encoding="utf-8")[seen:] if log.exists() else ""):
            assert time.monotonic() < deadline, "the window never came up"
            assert process.poll() is None, process.communicate()[1]
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=8)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


QUIT_DURING_LOAD = """
import sys
from PySide6.QtCore import QTimer
from rc_sms_desktop.cli.main import build_parser
from rc_sms_desktop.ui import app as ui_app
qt_app = ui_app._application()
# The desktop asks the app to quit (Cmd+Q, session end) while the demo is loading.
QTimer.singleShot(300, qt_app.quit)
sys.exit(ui_app.run_window(build_parser().parse_args(["--demo"])))
"""


def test_an_application_quit_request_closes_the_window_cleanly(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", QUIT_DURING_LOAD],
        capture_output=True, text=True, timeout=30, env=env, cwd=tmp_path, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "never awaited" not in done.stderr
