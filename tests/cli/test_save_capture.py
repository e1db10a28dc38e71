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


def test_an_account_capture_serves_the_same_account_scan_and_explains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check --account --save-capture`: the simulator's --data loader serves it back as read."""
    import argparse
    import io

    from rc_sms_desktop.api.client import RingCentralClient
    from rc_sms_desktop.api.demo import open_demo_client
    from rc_sms_desktop.cli.account_check import run_account_check

    path = tmp_path / "account.json"
    code, checked = run(capsys, "check", "--demo", "--account", "--format", "json",
                        "--save-capture", str(path))
    assert code == 0
    text = path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for secret in (DEMO_JWT, DEMO_CLIENT_SECRET, "Bearer", "access_token", "refresh_token"):
        assert secret not in text
    document = json.loads(text)
    assert {"accountPhoneNumbers", "extensions", "extensionPhoneNumbers"} <= document.keys()
    assert "Alex Rivera" in document["extension"]["name"]

    async def from_capture(args: argparse.Namespace) -> RingCentralClient:
        return await open_demo_client(data_path=str(path), rate_window_s=0.05)

    out = io.StringIO()
    code = run_account_check(argparse.Namespace(account=True, demo=False, format="json"),
                             client_factory=from_capture, state_path=tmp_path / "scan.json",
                             stdout=out, stderr=io.StringIO())
    assert code == 0
    def without_times(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in row.items() if k != "asOf"} for row in rows]

    assert without_times(json.loads(out.getvalue())) == without_times(json.loads(checked))
    # The signed-in user's own numbers are in it too, so explain reads it.
    code, explained = run(capsys, "explain", "--format", "json", str(path))
    assert code == 0
    assert len(json.loads(explained)) == len(document["phoneNumbers"]) > 0


def test_an_account_capture_with_placeholders_keeps_every_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "account.json"
    code, checked = run(capsys, "check", "--demo", "--account", "--format", "json",
                        "--save-capture", str(path), "--placeholders")
    assert code == 0
    text = path.read_text(encoding="utf-8")
    assert "Alex Rivera" not in text
    code, explained = run(capsys, "explain", "--format", "json", str(path))
    assert code == 0
    mine = {(v["id"], v["sms"], v["mms"]) for v in json.loads(explained)}
    assert mine and mine <= {(v["id"], v["sms"], v["mms"]) for v in json.loads(checked)}
