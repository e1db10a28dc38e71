"""`rc-sms-desktop explain FILE`: both output formats, the demo fixture, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rc_sms_desktop.cli.main import main

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "explain" / "demo.json"


def run_explain(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["explain", *args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_demo_json_covers_every_reason_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_explain(capsys, str(DEMO), "--format", "json")
    assert code == 0 and err == ""
    result = json.loads(out)
    seen = {reason["code"] for entry in result for reason in entry["reasons"]}
    assert {
        "no-sms-feature", "sms-assigned-elsewhere", "fax-only", "number-not-active", "no-campaign",
        "campaign-not-confirmed", "brand-not-verified", "toll-free-no-mms", "no-mms-feature",
        "no-international-feature", "high-volume-only", "config-unavailable", "daily-limit",
        "malformed-record", "international-from-toll-free",
    } <= seen
    # One object per record, in input order.
    records = json.loads(DEMO.read_text())["phoneNumbers"]["records"]
    assert len(result) == len(records)
    assert [entry["id"] for entry in result[:3]] == ["1001", "1002", "1003"]


def test_json_entry_shape(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_explain(capsys, str(DEMO), "--format", "json")
    first = json.loads(out)[0]
    assert set(first) == {
        "id", "phoneNumber", "sms", "mms", "international", "highVolume", "useCases", "dailyLimit", "reasons",
        "checklist",
    }
    assert [entry["item"] for entry in first["checklist"]] == [
        "number-status", "user-permission", "sms-feature", "mms-feature", "international-feature",
        "high-volume-feature", "sms-holder", "tcr-campaign", "tcr-brand", "toll-free-verification",
    ]
    assert all(set(entry) == {"item", "state", "detail"} for entry in first["checklist"])
    assert {entry["state"] for entry in first["checklist"]} <= {"pass", "fail", "unknown", "not-applicable"}
    assert first["id"] == "1001" and isinstance(first["id"], str)
    assert (first["sms"], first["mms"], first["international"], first["highVolume"]) == (
        "ready", "ready", "ready", "blocked",
    )
    assert first["useCases"] == ["CustomerCare", "AccountNotification", "DeliveryNotification"]
    assert first["dailyLimit"] == 6000
    assert set(first["reasons"][0]) == {"code", "severity", "message", "fix"}


def test_configuration_states_from_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def local(number_id: int) -> dict[str, Any]:
        return {
            "id": number_id,
            "phoneNumber": f"+1650555{number_id:04d}",
            "usageType": "DirectNumber",
            "status": "Normal",
            "features": ["SmsSender", "MmsSender", "InternationalSmsSender"],
        }

    confirmed = {
        "phoneNumberId": "1",
        "smsCampaignInfo": {"status": "Confirmed", "registrationTier": "StandardVolume", "useCases": ["Marketing"]},
        "smsBrandInfo": {"status": "Verified"},
    }
    path = write(
        tmp_path,
        {
            "phoneNumbers": {"records": [local(1), local(2), local(3), local(4)]},
            "smsConfigurations": {"1": confirmed, "3": None, "4": {"phoneNumberId": "4"}},
        },
    )
    code, out, _ = run_explain(capsys, str(path), "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert [entry["sms"] for entry in result] == ["ready", "unknown", "unknown", "blocked"]
    assert result[0]["useCases"] == ["Marketing"] and result[0]["dailyLimit"] is None
    assert [r["code"] for r in result[1]["reasons"]] == ["config-unavailable"]  # not fetched
    assert "could not be loaded" in result[2]["reasons"][0]["message"]  # fetch failed (null)
    assert [r["code"] for r in result[3]["reasons"]] == ["no-campaign"]


def test_records_list_without_envelope_and_no_configurations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"phoneNumbers": [{"id": "7", "phoneNumber": "+18005550100", "paymentType": "TollFree",
                                               "features": ["SmsSender"]}]})
    code, out, _ = run_explain(capsys, str(path), "--format", "json")
    assert code == 0
    assert json.loads(out)[0]["sms"] == "ready"


def test_table_format_is_aligned_with_one_line_per_number(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_explain(capsys, str(DEMO))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Phone numbers of Alex Doe ext. 101"
    header = lines[1]
    assert header.split() == ["NUMBER", "KIND", "SMS", "MMS", "INTL", "WHY"]
    records = json.loads(DEMO.read_text())["phoneNumbers"]["records"]
    body = lines[2 : 2 + len(records)]
    assert len(body) == len(records)
    # Columns line up: every row has its SMS mark where the header has "SMS".
    sms_column = header.index("SMS")
    assert all(row[sms_column:sms_column + 3].strip() in {"yes", "no", "?"} for row in body)
    ready_row = body[0]
    assert ready_row.startswith("(650) 555-0101")
    assert "Direct" in ready_row and "Ready to send SMS and MMS" in ready_row
    assert any("Toll-free" in row and "Ready to send SMS (no MMS)" in row for row in body)
    assert any("Main company" in row and "another extension" in row for row in body)
    assert any("Cannot send SMS: campaign pending review" in row for row in body)
    assert any(row.startswith("020 7946 0123") for row in body)


def test_empty_number_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"phoneNumbers": {"records": []}})
    code, out, _ = run_explain(capsys, str(path))
    assert code == 0 and "(no phone numbers)" in out
    code, out, _ = run_explain(capsys, str(path), "--format", "json")
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"numbers": []}', "no phoneNumbers"),
        (b'{"phoneNumbers": {"items": []}}', "phoneNumbers is not a list"),
        (b'{"phoneNumbers": "x"}', "phoneNumbers is not a list"),
        (b'{"phoneNumbers": [], "smsConfigurations": []}', "smsConfigurations must be an object"),
        (b"[" * 100000 + b"]" * 100000, "JSON"),
    ],
)
def test_bad_file_gives_one_line_error_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, problem: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    code, out, err = run_explain(capsys, str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert str(path) in err and problem in err
    assert "Traceback" not in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    code, _, err = run_explain(capsys, str(missing))
    assert code == 2
    assert str(missing) in err and "No such file" in err
    code, _, err = run_explain(capsys, str(tmp_path))  # a directory
    assert code == 2 and err.count("\n") == 1


def test_command_line_entry_point_in_a_subprocess(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "rc_sms_desktop", "explain", str(DEMO), "--format", "json"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(ok.stdout)) == len(json.loads(DEMO.read_text())["phoneNumbers"]["records"])
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, "-m", "rc_sms_desktop", "explain", str(bad)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert failed.returncode == 2
    assert failed.stdout == "" and "Traceback" not in failed.stderr
    assert failed.stderr.strip().startswith("rc-sms-desktop explain:")
