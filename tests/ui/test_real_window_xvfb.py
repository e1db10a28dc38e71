"""The app opens a real X11 window (Qt's xcb platform) under a virtual X server, not only offscreen.

This catches what offscreen rendering cannot: missing xcb libraries (libxcb-cursor0 and friends),
which are the most common reason a PySide6 app fails to start on Linux.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.xvfb import private_display

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private Xvfb server; yields its DISPLAY value."""
    with private_display("1280x800x24") as display:
        yield display


def test_the_demo_window_paints_in_a_real_x11_window(x_display: str, tmp_path: Path) -> None:
    picture = tmp_path / "x11.png"
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "QT_DEBUG_PLUGINS": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "rc_sms_desktop", "--demo", "--screenshot", str(picture)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    header = picture.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(header[16:20], "big")
    height = int.from_bytes(header[20:24], "big")
    assert width >= 800 and height >= 500
