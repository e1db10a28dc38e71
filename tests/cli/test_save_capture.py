"""`check --save-capture FILE`: exactly what was read, in explain's format, never a token (#15)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from rc_sms_desktop.cli.main import main
from rc_sms_desktop.simulator.config import DEMO_CLIENT_SECRET, DEMO_JWT


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_a_saved_capture_explains_to_the_same_verdicts_and_holds_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "capture.json"
    code, checked = run(capsys, "check", "--demo", "--format", "json", "--save-capture", str(path))
    assert code == 0
    text = path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for secret in (DEMO_JWT, DEMO_CLIENT_SECRET, "Bearer", "access_token", "refresh_token"):
        assert secret not in text
    code, explained = run(capsys, "explain", "--format", "json", str(path))
    assert code == 0
    assert json.loads(explained) == json.loads(checked)
    assert "Alex Rivera" in json.loads(text)["extension"]["name"]


def test_placeholders_replace_names_labels_and_emails_and_keep_the_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "capture.json"
    code, checked = run(capsys, "check", "--demo", "--format", "json", "--save-capture", str(path),
                        "--placeholders")
    assert code == 0
    text = path.read_text(encoding="utf-8")
    assert "Alex Rivera" not in text and "Direct line" not in text and "@" not in text.replace(
        "@example.invalid", "")
    assert json.loads(text)["extension"]["name"].startswith("Name ")
    code, explained = run(capsys, "explain", "--format", "json", str(path))
    verdicts = [(v["id"], v["sms"], v["mms"]) for v in json.loads(explained)]
    assert verdicts == [(v["id"], v["sms"], v["mms"]) for v in json.loads(checked)]
