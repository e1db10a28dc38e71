"""Issue #14's sequence, replayed with xdotool on the real app under Xvfb, ends in a finished load.

As reported: the demo on a fresh home folder in a 1600×1000 X server; once loaded, a click on the
compose panel's "From …" line, typing `(650) 555-0123, 415 555 0188`, a click into the message
box, typing `Your order has shipped`. Before the fix the keyboard was on Refresh, its spaces
stacked reloads, and the window stayed "Loading your numbers…" with 11 numbers being checked.

The window's state is read from the app's own state dump (`RC_SMS_DESKTOP_STATE_DUMP`,
ui/state_dump.py), not from a screenshot.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.xvfb import private_display

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("Xvfb") is None or shutil.which("xdotool") is None,
        reason="Xvfb and xdotool are needed",
    ),
]

SETTLE_S = 20.0


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private 1600×1000 Xvfb server, as in the issue; yields its DISPLAY value."""
    with private_display("1600x1000x24") as display:
        yield display


def _wait_for(read: Callable[[], dict[str, Any] | None], ok: Callable[[dict[str, Any]], bool],
              within: float, what: str) -> dict[str, Any]:
    deadline = time.monotonic() + within
    state: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        state = read()
        if state is not None and ok(state):
            return state
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {within} s; last state: {state}")


def test_the_issues_keystrokes_end_in_a_finished_load(x_display: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    dump = tmp_path / "state.json"
    env = {
        **os.environ,
        "HOME": str(home),  # a fresh home folder: no settings, no stored session, no cache
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "RC_SMS_DESKTOP_STATE_DUMP": str(dump),
    }
    env.pop("WAYLAND_DISPLAY", None)

    def read() -> dict[str, Any] | None:
        try:
            state: dict[str, Any] = json.loads(dump.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state

    def xdotool(*args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True,
                              timeout=30, check=True)
        return done.stdout.strip()

    def click(rect: list[int]) -> None:
        x, y, width, height = rect
        xdotool("mousemove", "--sync", str(x + width // 2), str(y + height // 2))
        xdotool("click", "1")

    app = subprocess.Popen(
        [sys.executable, "-m", "rc_sms_desktop", "--demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        loaded = _wait_for(
            read,
            lambda s: s["numbers"] > 0 and not s["loading"] and "composeSender" in s["rects"]
            and "composeText" in s["rects"],
            60, "the first load with the compose panel",
        )
        window = xdotool("search", "--sync", "--onlyvisible", "--name", "RingCentral SMS senders")
        xdotool("windowfocus", "--sync", window.splitlines()[0])
        # The keyboard starts on the sender picker, not on Refresh.
        _wait_for(read, lambda s: s["focus"] == "senderCombo", 10, "focus on the picker")
        time.sleep(1.0)

        click(loaded["rects"]["composeSender"])  # the right pane's "From …" line
        xdotool("type", "--delay", "40", "(650) 555-0123, 415 555 0188")
        click(loaded["rects"]["composeText"])  # the message box
        xdotool("type", "--delay", "40", "Your order has shipped")

        final = _wait_for(
            read,
            lambda s: not s["loading"] and s["being_checked"] == 0
            and s["banner"] not in ("loading", "rate-limited") and s["detail_shows_chosen"]
            and s["chosen"] is not None,
            SETTLE_S, "a finished load",
        )
        assert final["numbers"] == loaded["numbers"]
        assert "being checked" not in final["count_text"]
    finally:
        app.send_signal(signal.SIGTERM)  # the app closes its window the normal way
        try:
            _out, errors = app.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
            _out, errors = app.communicate()
    assert app.returncode == 0, errors[-2000:]
    assert "Traceback" not in errors
