"""`explain` on hostile and damaged captures (issue #15, points 3, 6 and 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rc_sms_desktop.cli import explain
from rc_sms_desktop.cli.main import main

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\r\nFORGED LINE\x9b31m\u202e"


def capture(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "capture.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def hostile_capture(tmp_path: Path) -> Path:
    return capture(tmp_path, {
        "extension": {"id": 1, "name": "Alex" + ESCAPES, "extensionNumber": "101"},
        "phoneNumbers": [{"id": 7, "phoneNumber": "+16505550101", "usageType": "DirectNumber",
                          "label": "Line" + ESCAPES, "features": ["CallerId"]},
                         {"id": 8, "phoneNumber": "+1650\x1b[2J5550102", "usageType": "DirectNumber"}],
    })


def test_table_output_shows_control_characters_as_visible_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", str(hostile_capture(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\x9b" not in out and "\x07" not in out
    assert "\u202e" not in out
    assert "\\e[2J" in out  # visible, so the user sees what the server sent
    assert not any(line.startswith("FORGED LINE") for line in out.splitlines())


def test_json_output_stays_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--format", "json", str(hostile_capture(tmp_path))]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and len(data) == 2


def test_a_5000_digit_integer_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"phoneNumbers": [{"id": ' + "9" * 5000 + "}]}", encoding="utf-8")
    assert main(["explain", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_input_beyond_the_cap_is_refused_without_reading_it_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(explain, "MAX_INPUT_BYTES", 1 << 20)
    assert main(["explain", "/dev/zero"]) == 2  # endless: stops at the cap
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "MiB" in err
