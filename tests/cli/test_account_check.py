"""`rc-sms-desktop check --account`: the account scan printed as table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.demo import open_demo_client
from rc_sms_desktop.cli.account_check import run_account_check
from rc_sms_desktop.cli.main import main
from rc_sms_desktop.core.formatting import format_duration


def demo_factory(**options: Any) -> Any:
    async def factory(args: argparse.Namespace) -> RingCentralClient:
        return await open_demo_client(**{"rate_window_s": 0.05, **options})

    return factory


def run(fmt: str, tmp_path: Path, **options: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_account_check(
        argparse.Namespace(account=True, demo=False, format=fmt),
        client_factory=demo_factory(**options),
        state_path=tmp_path / "scan.json",
        stdout=out,
        stderr=err,
    )
    return code, out.getvalue(), err.getvalue()


def test_json_has_the_explain_shape_plus_owner_and_holder(tmp_path: Path) -> None:
    code, out, err = run("json", tmp_path)
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) > 20
    for row in rows:
        # The explain object (Verdict.to_json()) ...
        assert {"id", "phoneNumber", "sms", "mms", "international", "reasons"} <= row.keys()
        # ... plus who owns the number and who texts from it.
        assert {"owner", "smsHolder", "verdict", "mainReason"} <= row.keys()
        assert row["owner"]["kind"]
    queue = next(r for r in rows if r["owner"]["kind"] == "Call queue" and r["smsHolder"])
    assert queue["smsHolder"]["name"]
    assert {r["sms"] for r in rows} >= {"ready", "blocked"}


def test_csv_has_one_line_per_number(tmp_path: Path) -> None:
    code, out, _ = run("csv", tmp_path)
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) > 20
    assert all(line["Number"].startswith("+") for line in table)
    assert {line["Owner kind"] for line in table} >= {"User", "Call queue", "IVR", "Site"}


def test_table_ends_with_the_summary(tmp_path: Path) -> None:
    code, out, _ = run("table", tmp_path)
    assert code == 0
    lines = out.rstrip("\n").splitlines()
    assert lines[0].split()[:2] == ["Number", "Owner"]
    assert "can send SMS" in lines[-1] and "blocked" in lines[-1]
    assert any("Call queue" in line for line in lines)


def test_non_admin_gets_one_line_and_exit_1(tmp_path: Path) -> None:
    code, out, err = run("table", tmp_path, admin=False)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "not allowed" in err and "Super Admin" in err
    assert "Traceback" not in err


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    code, out, err = run("xml", tmp_path)
    assert code == 2 and out == "" and "xml" in err


def test_check_account_demo_through_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--account", "--demo", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["owner"]["kind"] == "Auto-receptionist" for r in rows)


def test_durations_read_naturally() -> None:
    assert format_duration(42) == "42 s"
    assert format_duration(720) == "12 min"
    assert format_duration(9600) == "2 h 40 min"
