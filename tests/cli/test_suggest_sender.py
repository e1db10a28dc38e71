"""`rc-sms-desktop suggest-sender`: the demo account's numbers ordered by fit for one text."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from rc_sms_desktop.cli import suggest_sender
from rc_sms_desktop.cli.main import build_parser, main


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["suggest-sender", "--demo", *argv])


async def ranked_json(*argv: str) -> list[dict[str, Any]]:
    from rc_sms_desktop.api.demo import open_demo_client

    args = parse(*argv)
    client = await open_demo_client()
    async with client:
        ranked = await suggest_sender.suggest(args, client)
    return [item.to_json() for item in ranked]


async def test_a_delivery_notice_puts_the_delivery_campaign_first() -> None:
    rows = await ranked_json("--text", "Your order #4821 has shipped and arrives Friday.")
    first = rows[0]
    assert first["phoneNumber"] == "+16505550101"  # CustomerCare, AccountNotification, Delivery
    assert first["fits"] is True and first["sms"] == "ready"
    assert "DeliveryNotification" in first["useCases"]
    assert first["findings"] == []
    for row in rows:
        assert set(row) == {"phoneNumber", "sms", "fits", "useCases", "findings"}
    # Every sender that fits comes before every one that does not.
    fits = [row["fits"] for row in rows]
    assert fits == sorted(fits, reverse=True)
    # The passcode campaign (+12125550103) can send, but the text is outside its use cases.
    alerts = next(row for row in rows if row["phoneNumber"] == "+12125550103")
    assert alerts["fits"] is False
    assert [f["code"] for f in alerts["findings"]] == ["content-outside-use-cases"]
    assert "Delivery updates" in alerts["findings"][0]["fix"]
    # A number that cannot send at all never fits, and comes after all that can.
    blocked = [i for i, row in enumerate(rows) if row["sms"] == "blocked"]
    ready = [i for i, row in enumerate(rows) if row["sms"] == "ready"]
    assert blocked and max(ready) < min(blocked)
    assert not any(rows[i]["fits"] for i in blocked)


async def test_a_passcode_goes_to_the_machine_to_machine_campaign() -> None:
    rows = await ranked_json("--text", "Your verification code is 482913.")
    assert rows[0]["phoneNumber"] in ("+12125550103", "+12125550119")
    assert "MachineToMachine" in rows[0]["useCases"]


async def test_an_international_recipient_refuses_numbers_without_international_sms() -> None:
    rows = await ranked_json("--text", "Your order has shipped.", "--to", "+44 20 7946 0958")
    by_number = {row["phoneNumber"]: row for row in rows}
    assert by_number["+16505550101"]["fits"] is True  # has InternationalSmsSender
    assert by_number["+14155550114"]["fits"] is False  # care campaign, but no international SMS


def test_table_and_json_through_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest-sender", "--demo", "--text", "Spring sale: 30% off!"]) == 0
    table = capsys.readouterr().out
    first_line = table.splitlines()[0]
    assert first_line.startswith("✓ (415) 555-0102")  # the Marketing campaign
    assert "marketing-without-opt-out" in table
    assert "would be refused" in table
    assert main(["suggest-sender", "--demo", "--format", "json", "--text", "hello"]) == 0
    assert capsys.readouterr().out.lstrip().startswith("[")


def test_text_is_required() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["suggest-sender", "--demo"])


def test_sign_in_failure_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("RC_CLIENT_ID", "RC_CLIENT_SECRET", "RC_JWT"):
        monkeypatch.delenv(name, raising=False)
    code = main(["suggest-sender", "--server", "http://127.0.0.1:9", "--text", "hi"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("rc-sms-desktop suggest-sender: ")


def test_the_table_lets_no_control_character_through() -> None:
    from rc_sms_desktop.core.content_checks import judge_senders
    from rc_sms_desktop.core.eligibility import evaluate
    from tests.core.test_preflight import config, number

    verdict = evaluate(number(label="Sales\x1b[2J\u202eline"), config())
    table = suggest_sender.render_table(judge_senders("sale 50% off \x1b]0;x\x07", [verdict]))
    assert "\x1b" not in table and "\u202e" not in table and "\x07" not in table
    assert "Sales" in table
