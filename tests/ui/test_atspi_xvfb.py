"""Once for real: the window read over AT-SPI, as Orca reads it, under Xvfb on a private D-Bus.

tests/ui/atspi_probe.py does the work in a child process (inside `dbus-run-session`): it starts
the app on the xcb platform with Qt's AT-SPI bridge on, walks its accessible tree with a plain
D-Bus client, presses Down on the "Send from" picker with xdotool and collects the events.
Skipped where Xvfb, xdotool, D-Bus or AT-SPI's bus launcher are missing (.ci/run installs them).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_LAUNCHERS = ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher")
_MISSING = [tool for tool in ("Xvfb", "xdotool", "dbus-run-session") if shutil.which(tool) is None]
if not any(Path(p).exists() for p in _LAUNCHERS):
    _MISSING.append("at-spi2-core")
if importlib.util.find_spec("jeepney") is None:
    _MISSING.append("jeepney")

pytestmark = pytest.mark.skipif(bool(_MISSING), reason=f"needs {', '.join(_MISSING)}")


def test_a_screen_reader_reads_the_window_and_hears_a_change_of_sender() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        ["dbus-run-session", "--", sys.executable, str(ROOT / "tests" / "ui" / "atspi_probe.py")],
        capture_output=True, text=True, timeout=150, env=env, cwd=ROOT, check=False,
    )
    lines = [line for line in done.stdout.split("\n") if line.startswith("{")]  # not splitlines: U+2028
    assert lines, done.stderr[-3000:]
    read = json.loads(lines[-1])
    assert done.returncode == 0, read
    assert read["application"] == "rc-sms-desktop"
    # The picker's name/value (AT-SPI's Name of a combo box) carries the number and its state.
    assert read["picker_before"].startswith("(650) 555-0101") and read["picker_before"].endswith("— ready")
    assert {"Refresh the numbers", "Attach…", "Send"} <= set(read["buttons"])
    body = read["detail_body"]
    assert "Number status: Active (met)" in body
    assert not re.findall("[\ufdd0-\ufdef\ufffc\ue000-\uf8ff]", body)
    # Down on the focused picker: a new sender, its new name sent, its verdict announced.
    assert read["picker_after"] != read["picker_before"] and " — " in read["picker_after"]
    names = [e[1][3] for e in read["events"] if e[0] == "PropertyChange" and e[1][0] == "accessible-name"]
    assert any(read["picker_after"] in name for name in names)
    spoken = [e[1][3] for e in read["events"] if e[0] == "Announcement"]
    assert spoken, read["events"]
