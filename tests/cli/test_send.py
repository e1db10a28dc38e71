"""`rc-sms-desktop send`: exit codes and what the terminal shows, end to end over HTTP.

The client goes to a small local RingCentral stand-in (tests/test_sending.py) through
httpx.ASGITransport; time passes only when the command sleeps (fake clock), so nothing waits.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from rc_sms_desktop.api.client import RetryPolicy, RingCentralClient
from rc_sms_desktop.api.errors import SessionEndedError
from rc_sms_desktop.cli import send as send_cli
from rc_sms_desktop.cli.main import build_parser
from tests.workflows.test_sending import CONFIRMED, FakeClock, FakeRingCentral, phone_record

SENDER = "+16505550101"


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["send", *argv])


def fake_account() -> FakeRingCentral:
    fake = FakeRingCentral()
    fake.numbers = [
        phone_record(SENDER, ["SmsSender", "MmsSender"], "1"),
        phone_record("+18885550104", ["SmsSender"], "4") | {"paymentType": "TollFree"},
        phone_record("+16505550112", ["A2PSmsSender"], "12"),
    ]
    fake.configs = {"1": CONFIRMED}
    return fake


async def run_send(fake: FakeRingCentral, *argv: str) -> tuple[int, str]:
    async def opener(args: argparse.Namespace) -> RingCentralClient:
        return RingCentralClient(
            "http://rc.test", httpx.ASGITransport(app=fake.app()), retry=RetryPolicy(attempts=1)
        )

    out = io.StringIO()
    clock = FakeClock()
    code = await send_cli.send_command(
        parse(*argv),
        open_client=opener,
        out=out,
        follow_options={"sleep": clock.sleep, "clock": clock},
    )
    return code, out.getvalue()


async def test_delivered_exits_0_and_prints_the_final_status() -> None:
    code, output = await run_send(
        fake_account(), "--from", "(650) 555-0101", "--to", "650 555 0123", "--text", "Hi"
    )
    assert code == 0
    assert "Sending SMS from (650) 555-0101 to (650) 555-0123" in output
    assert output.strip().endswith("Status: Delivered")


async def test_json_output_for_scripts() -> None:
    code, output = await run_send(
        fake_account(), "--from", SENDER, "--to", "+16505550123", "--text", "Hi", "--format", "json"
    )
    data = json.loads(output)
    assert code == 0
    assert data["outcome"] == "delivered"
    assert data["status"] == "Delivered"
    assert data["messageId"] == "42"


async def test_delivery_failure_exits_3_with_the_explained_code() -> None:
    fake = fake_account()
    fake.statuses = ["Sent", "DeliveryFailed"]
    fake.delivery_error = "SMS-RC-413"
    code, output = await run_send(fake, "--from", SENDER, "--to", "+16505550123", "--text", "x")
    assert code == 3
    assert "Delivery failed" in output
    assert "opted out" in output
    assert "(SMS-RC-413)" in output
    assert "Who can fix it: you" in output


async def test_refused_send_exits_3_with_the_explained_code() -> None:
    fake = fake_account()
    fake.send_error = (403, "MSG-242", "Sending SMS is not available from the number specified.")
    code, output = await run_send(
        fake, "--from", SENDER, "--to", "+16505550123", "--text", "x", "--format", "json"
    )
    data = json.loads(output)
    assert code == 3
    assert data["outcome"] == "refused"
    assert data["error"]["code"] == "MSG-242"
    assert data["error"]["who"] == "an account admin"


async def test_preflight_refusals_exit_4_with_reason_codes(tmp_path: Path) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(b"png")
    cases: list[tuple[list[str], str]] = [
        (["--from", "+18885550104", "--to", "+16505550123", "--attach", str(picture)], "toll-free-no-mms"),
        (["--from", SENDER, "--to", "+44 20 7946 0958", "--text", "x"], "no-international-feature"),
        # libphonenumber does not know this British number: international by its calling code.
        (["--from", SENDER, "--to", "+44 7700 900123", "--text", "x"], "no-international-feature"),
        (["--from", "+16505550112", "--to", "+16505550123", "--text", "x"], "high-volume-only"),
        (["--from", SENDER, "--to", "101", "--text", "x"], "recipient-invalid"),
        (["--from", SENDER, "--to", "+16505550123", "--text", "😀" * 501], "text-too-long"),
        (["--from", SENDER, "--to", "+16505550123"], "empty-text"),
        (["--from", "+19995550000", "--to", "+16505550123", "--text", "x"], "sender-not-yours"),
        (
            ["--from", SENDER, "--to", "+16505550123", "--attach", str(tmp_path / "gone.png")],
            "attachment-limits",
        ),
    ]
    for argv, reason in cases:
        fake = fake_account()
        code, output = await run_send(fake, *argv, "--format", "json")
        data = json.loads(output)
        assert code == 4, (argv, output)
        assert reason in [problem["code"] for problem in data["problems"]], (argv, output)
        # Nothing was sent.
        assert not [r for r in fake.requests if r[0] == "POST"]


async def test_no_final_status_before_wait_exits_5() -> None:
    fake = fake_account()
    fake.statuses = ["Sent"]
    code, output = await run_send(
        fake, "--from", SENDER, "--to", "+16505550123", "--text", "x", "--wait", "20"
    )
    assert code == 5
    assert "No final status after 20 s" in output


async def test_sign_in_failure_exits_1() -> None:
    async def failing(args: argparse.Namespace) -> RingCentralClient:
        raise SessionEndedError("nope", status=400, error_code="invalid_grant")

    out = io.StringIO()
    code = await send_cli.send_command(
        parse("--from", SENDER, "--to", "+16505550123", "--text", "x"), open_client=failing, out=out
    )
    assert code == 1
    assert "Sign-in failed" in out.getvalue()
    assert "invalid_grant" in out.getvalue()


async def test_server_without_credentials_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RC_CLIENT_ID", "RC_CLIENT_SECRET", "RC_JWT"):
        monkeypatch.delenv(name, raising=False)
    out = io.StringIO()
    args = parse("--server", "http://127.0.0.1:9", "--from", SENDER, "--to", "+1650555012")
    code = await send_cli.send_command(args, out=out)
    assert code == 1
    assert "RC_JWT" in out.getvalue()


def test_wait_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    code = send_cli.run(
        parse("--from", SENDER, "--to", "+16505550123", "--text", "x", "--wait", "0")
    )
    assert code == 2
    assert "--wait" in capsys.readouterr().err


def test_parser_requires_from_and_to() -> None:
    with pytest.raises(SystemExit):
        parse("--to", "+16505550123")
    args: Any = parse("--from", SENDER, "--to", "1", "--to", "2", "--attach", "a", "--demo")
    assert args.to == ["1", "2"]
    assert args.attach == ["a"]
    assert args.demo


# --- The demo account (in-process simulator), with delivery time scaled down -----------------


async def run_demo(*argv: str, demo_user: str = "alex") -> tuple[int, dict[str, Any]]:
    from rc_sms_desktop.api.demo import open_demo_client

    async def opener(args: argparse.Namespace) -> RingCentralClient:
        assert args.demo
        return await open_demo_client(delivery_delay_s=0.01, demo_user=demo_user)

    out = io.StringIO()
    code = await send_cli.send_command(
        parse("--demo", *argv, "--format", "json"),
        open_client=opener,
        out=out,
        follow_options={"first_delay": 0.01, "max_delay": 0.02},
    )
    return code, json.loads(out.getvalue())


async def test_demo_delivered() -> None:
    code, data = await run_demo("--from", "(650) 555-0101", "--to", "650-555-0123", "--text", "Hi")
    assert (code, data["status"]) == (0, "Delivered")


async def test_demo_opted_out_recipient_exits_3_with_sms_rc_413() -> None:
    code, data = await run_demo("--from", "+16505550101", "--to", "+16505550199", "--text", "Hi")
    assert code == 3
    assert data["outcome"] == "delivery-failed"
    assert data["error"]["code"] == "SMS-RC-413"


async def test_demo_unverified_toll_free_is_refused_before_sending() -> None:
    # RingCentral attaches SmsSender only once a toll-free number is verified: the demo's
    # unverified one lists none, and the refusal names toll-free verification, not TCR.
    code, data = await run_demo("--from", "+18885550118", "--to", "+16505550123", "--text", "Hi")
    assert code == 4
    assert data["problems"][0]["code"] == "toll-free-not-verified"


async def test_demo_user_without_sms_is_refused_with_the_permission_code() -> None:
    code, data = await run_demo(
        "--from", "+16505550124", "--to", "+16505550123", "--text", "Hi", demo_user="sam"
    )
    assert code == 4
    assert data["problems"][0]["code"] == "sms-not-permitted"


async def test_demo_pending_campaign_is_refused_before_sending() -> None:
    code, data = await run_demo("--from", "+16505550105", "--to", "+16505550123", "--text", "Hi")
    assert code == 4
    assert data["problems"][0]["code"] == "campaign-not-confirmed"


async def test_real_account_asks_first_and_a_no_sends_nothing() -> None:
    fake = fake_account()
    questions: list[str] = []

    async def say_no(question: str) -> bool:
        questions.append(question)
        return False

    async def opener(args: argparse.Namespace) -> RingCentralClient:
        return RingCentralClient("http://rc.test", httpx.ASGITransport(app=fake.app()))

    out = io.StringIO()
    code = await send_cli.send_command(
        parse("--from", SENDER, "--to", "+16505550123", "--text", "x"),
        open_client=opener,
        out=out,
        confirm=say_no,
    )
    assert code == 4
    assert questions and "real SMS" in questions[0]
    assert "Not sent." in out.getvalue()
    assert not [r for r in fake.requests if r[0] == "POST"]

    questions.clear()
    code = await send_cli.send_command(
        parse("--from", SENDER, "--to", "+16505550123", "--text", "x", "--yes"),
        open_client=opener,
        out=io.StringIO(),
        confirm=say_no,
        follow_options={"sleep": FakeClock().sleep},
    )
    assert code == 0
    assert questions == []  # --yes: not asked


# --- content checks: warnings in `problems`, `--strict` refuses them --------------------------


async def test_demo_content_findings_are_warnings_and_the_message_still_goes() -> None:
    code, data = await run_demo(
        "--from", "+16505550101", "--to", "+16505550123", "--text", "Spring sale: 30% off today!"
    )
    assert code == 0 and data["status"] == "Delivered"
    found = {p["code"]: p for p in data["problems"]}
    assert found["content-outside-use-cases"]["severity"] == "warning"
    assert "Marketing" in found["content-outside-use-cases"]["fix"]
    assert found["marketing-without-opt-out"]["severity"] == "warning"


async def test_demo_strict_refuses_a_warning_before_sending() -> None:
    code, data = await run_demo(
        "--from", "+16505550101", "--to", "+16505550123", "--strict",
        "--text", "Your order shipped: https://bit.ly/3xYz",
    )
    assert code == 4
    assert data["outcome"] == "preflight-refused"
    assert "messageId" not in data  # nothing was sent
    assert [p["code"] for p in data["problems"] if p["severity"] == "warning"] == [
        "public-url-shortener"
    ]


async def test_demo_strict_sends_a_text_that_fits() -> None:
    code, data = await run_demo(
        "--from", "+16505550101", "--to", "+16505550123", "--strict",
        "--text", "Your order #4821 has shipped and arrives Friday.",
    )
    assert code == 0 and data["status"] == "Delivered"
    assert all(p["severity"] != "warning" for p in data["problems"])
