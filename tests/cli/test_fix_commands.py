"""`campaigns`, `link-numbers` and `assign-sms` against the in-process simulator: every refusal,
the dry run (no write reaches the simulator), confirmation, a write that times out or fails,
403s, the audit log, and numbers that become ready once provisioning is over."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from rc_sms_desktop.api.auth import ClientCredentials
from rc_sms_desktop.api.client import RetryPolicy, RingCentralClient
from rc_sms_desktop.api.servers import Server
from rc_sms_desktop.api.session import TokenSession
from rc_sms_desktop.cli import assign_sms, campaigns, fix_support, link_numbers
from rc_sms_desktop.cli.main import build_parser
from rc_sms_desktop.infra.audit_log import AuditLog
from rc_sms_desktop.infra.redaction import Secret
from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.simulator.control import SimulatorControl
from rc_sms_desktop.workflows import fixes

URL = "http://rcsim.test"
NEW_LINE = "+14155550109"  # Alex's direct number, no campaign
SUPPORT = "+14155550114"  # the Support Queue's number; Alex texts from it


class LoseAnswers(httpx.AsyncBaseTransport):
    """Passes requests to the simulator; for POSTs, optionally drops the answer (a timeout
    after the server acted)."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.lose_post_answers = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.lose_post_answers and request.method == "POST" and "/oauth/" not in request.url.path:
            await response.aread()
            raise httpx.ReadTimeout("simulated: the answer never came", request=request)
        return response


class Demo:
    def __init__(self, **options: Any) -> None:
        options.setdefault("rate_limits", "off")
        self.config = SimulatorConfig(**options)
        self.app = create_app(self.config)
        self.control: SimulatorControl = self.app.state.simulator
        self.transport = LoseAnswers(self.app)
        self.answers: list[bool] = []
        self.out = io.StringIO()

    async def open(self, _: argparse.Namespace) -> RingCentralClient:
        client = RingCentralClient(URL, self.transport, retry=RetryPolicy(attempts=1))
        client.authenticator = await TokenSession.sign_in_with_jwt(
            client.http, Server("sim", URL),
            ClientCredentials(self.config.client_id, Secret(self.config.client_secret)),
            Secret(self.config.jwt))
        return client

    async def confirm(self, question: str) -> bool:
        return self.answers.pop(0)


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


async def link(demo: Demo, tmp_path: Path, *argv: str) -> tuple[int, dict[str, Any]]:
    code = await link_numbers.link_command(
        parse("link-numbers", "--format", "json", *argv), open_client=demo.open, out=demo.out,
        confirm=demo.confirm, audit=AuditLog(tmp_path / "changes.jsonl"))
    return code, json.loads(demo.out.getvalue())


async def assign(demo: Demo, tmp_path: Path, *argv: str) -> tuple[int, dict[str, Any]]:
    code = await assign_sms.assign_command(
        parse("assign-sms", "--format", "json", *argv), open_client=demo.open, out=demo.out,
        confirm=demo.confirm, audit=AuditLog(tmp_path / "changes.jsonl"))
    return code, json.loads(demo.out.getvalue())


@pytest.mark.parametrize(("campaign", "number", "code"), [
    ("2008", "+18335550104", "toll-free-not-linkable"),
    ("2008", "+16505550101", "already-linked"),
    ("2008", "+16505550117", "not-active"),  # still being ported in
    ("2008", "+16505550113", "fax-only"),
    ("2008", "+19995550000", "not-in-account"),
    ("2011", NEW_LINE, "campaign-not-confirmed"),
])
async def test_link_refusals_exit_4_before_any_write(
    tmp_path: Path, campaign: str, number: str, code: str,
) -> None:
    demo = Demo()
    exit_code, body = await link(demo, tmp_path, "--campaign", campaign, number, "--yes")
    assert exit_code == fix_support.EXIT_REFUSED
    assert body["outcome"] == "refused"
    assert code in [p["code"] for p in body["problems"]]
    assert demo.control.registrations.link_requests == 0
    assert not (tmp_path / "changes.jsonl").exists()


async def test_one_refused_number_stops_the_whole_list(tmp_path: Path) -> None:
    demo = Demo()
    exit_code, body = await link(demo, tmp_path, "--campaign", "2008", NEW_LINE, "+18335550104",
                                 "--yes")
    assert exit_code == 4 and body["changes"] == []
    assert demo.control.registrations.link_requests == 0


async def test_dry_run_plans_and_sends_nothing(tmp_path: Path) -> None:
    demo = Demo()
    exit_code, body = await link(demo, tmp_path, "--campaign", "2008", NEW_LINE, "--dry-run")
    assert exit_code == 0 and body["outcome"] == "planned"
    assert body["changes"][0]["after"]["campaign"] == "2008"
    assert demo.control.registrations.link_requests == 0
    demo.out = io.StringIO()
    exit_code, body = await assign(demo, tmp_path, SUPPORT, "--extension", "102", "--dry-run")
    assert exit_code == 0 and body["outcome"] == "planned"
    assert body["changes"][0]["before"] == {"smsRecipients": ["Alex Rivera (ext. 101)"]}
    assert body["changes"][0]["after"] == {"smsRecipients": ["Priya Natarajan (ext. 102)"]}
    assert demo.control.assign_requests == 0


async def test_declined_confirmation_sends_nothing(tmp_path: Path) -> None:
    demo = Demo()
    demo.answers = [False]
    exit_code, body = await link(demo, tmp_path, "--campaign", "2008", NEW_LINE)
    assert exit_code == 4 and body["problems"][0]["code"] == "not-confirmed"
    assert demo.control.registrations.link_requests == 0


async def test_without_a_terminal_and_without_yes_nothing_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo = Demo()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    out = io.StringIO()
    code = await link_numbers.link_command(
        parse("link-numbers", "--campaign", "2008", NEW_LINE), open_client=demo.open, out=out,
        audit=AuditLog(tmp_path / "changes.jsonl"))
    assert code == 4 and "Not confirmed" in out.getvalue()
    assert demo.control.registrations.link_requests == 0


async def test_table_output_asks_by_name_and_says_provisioning_only_once_applied(
    tmp_path: Path,
) -> None:
    questions: list[str] = []

    async def answer(question: str) -> bool:
        questions.append(question)
        return len(questions) == 2  # no the first time, yes the second

    note = "RingCentral is provisioning the numbers"
    outs = [io.StringIO(), io.StringIO()]
    demo = Demo()
    for out in outs:
        await link_numbers.link_command(
            parse("link-numbers", "--campaign", "2008", NEW_LINE), open_client=demo.open,
            out=out, confirm=answer, audit=AuditLog(tmp_path / "changes.jsonl"))
    assert questions[0].startswith("Link 1 number(s) to “") and "(2008)" in questions[0]
    assert note not in outs[0].getvalue() and "Outcome: refused" in outs[0].getvalue()
    assert note in outs[1].getvalue() and "Outcome: applied" in outs[1].getvalue()


async def test_confirmed_link_is_applied_audited_and_becomes_ready(tmp_path: Path) -> None:
    demo = Demo(provisioning_s=30)
    demo.answers = [True]
    exit_code, body = await link(demo, tmp_path, "--campaign", "2008", NEW_LINE)
    assert exit_code == 0 and body["outcome"] == "applied"
    assert body["auditLog"] == str(tmp_path / "changes.jsonl")
    entry = AuditLog(tmp_path / "changes.jsonl").recent()[0]
    assert entry["action"] == "link-numbers" and entry["numbers"] == [NEW_LINE]
    assert entry["account"] and entry["extension"] and entry["answer"]
    text = (tmp_path / "changes.jsonl").read_text()
    for token in demo.control.oauth._access:  # no token ever reaches the file
        assert token not in text
    client = await demo.open(argparse.Namespace())
    async with client:
        number = (await fixes.account_numbers(client))[NEW_LINE]
        assert not await fixes.is_ready(client, number, "2008")  # still provisioning
        demo.control.advance(30)
        assert await fixes.is_ready(client, number, "2008")


async def test_timeout_after_the_server_acted_is_reread_not_resent(tmp_path: Path) -> None:
    demo = Demo(provisioning_s=0)
    demo.transport.lose_post_answers = True
    exit_code, body = await link(demo, tmp_path, "--campaign", "2008", NEW_LINE, "--yes")
    assert demo.control.registrations.link_requests == 1  # sent once, never again
    assert exit_code == 0 and body["outcome"] == "applied"
    assert "re-reading" in body["changes"][0]["after"]["state"]


async def test_timeout_with_no_change_reports_failure(tmp_path: Path) -> None:
    demo = Demo(provisioning_s=600)  # linked, but re-reading cannot see it yet
    demo.transport.lose_post_answers = True
    exit_code, body = await link(demo, tmp_path, "--campaign", "2008", NEW_LINE, "--yes")
    assert exit_code == 3 and body["outcome"] == "failed"
    assert body["problems"][0]["code"] == "write-unconfirmed"
    assert demo.control.registrations.link_requests == 1


async def test_server_error_on_assign_rereads_and_reports_unchanged(tmp_path: Path) -> None:
    demo = Demo()
    original = demo.control.faults.draw
    calls = {"n": 0}

    def fail_the_write() -> str | None:  # the 500 comes before the handler: nothing changes
        calls["n"] += 1
        return "500" if demo.transport.lose_post_answers else original()

    demo.control.faults.draw = fail_the_write  # type: ignore[method-assign]

    class FailPosts(LoseAnswers):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            demo.transport.lose_post_answers = (request.method == "POST"
                                                and "bulk-assign" in request.url.path)
            try:
                return await self.inner.handle_async_request(request)
            finally:
                demo.transport.lose_post_answers = False

    demo.transport = FailPosts(demo.app)
    exit_code, body = await assign(demo, tmp_path, SUPPORT, "--extension", "102", "--yes")
    assert exit_code == 3 and body["outcome"] == "failed"
    assert "Alex Rivera" in body["problems"][0]["message"]
    assert demo.control.assign_requests == 0


async def test_assign_applies_and_moves_the_sms(tmp_path: Path) -> None:
    demo = Demo()
    exit_code, body = await assign(demo, tmp_path, SUPPORT, "--extension", "102", "--yes")
    assert exit_code == 0 and body["outcome"] == "applied"
    number = demo.control.account.number_by_e164(SUPPORT)
    assert number is not None and demo.control.account.extension(number.sms_holder_id).name == (
        "Priya Natarajan")
    assert AuditLog(tmp_path / "changes.jsonl").recent()[0]["action"] == "assign-sms"


@pytest.mark.parametrize(("number", "extension", "code"), [
    ("+16505550100", "102", "reassign-not-supported"),  # the main company number
    ("+16505550101", "102", "not-shared"),
    (SUPPORT, "101", "already-holds"),
    (SUPPORT, "999", "unknown-extension"),
    (SUPPORT, "200", "extension-not-assignable"),  # a call queue cannot hold it
])
async def test_assign_refusals(tmp_path: Path, number: str, extension: str, code: str) -> None:
    demo = Demo()
    exit_code, body = await assign(demo, tmp_path, number, "--extension", extension, "--yes")
    assert exit_code == 4 and body["problems"][0]["code"] == code
    assert demo.control.assign_requests == 0


async def test_403_names_the_missing_permission(tmp_path: Path) -> None:
    demo = Demo()
    demo.control.set_admin(False)
    # A non-admin cannot even read the account's numbers: the permission is named.
    exit_code, body = await link(demo, tmp_path, "--campaign", "2008", NEW_LINE, "--yes")
    assert exit_code == 3
    assert body["problems"][0]["code"] == "role-permission-missing"
    assert "permission" in body["problems"][0]["message"]
    no_scope = Demo(app_scope="ReadAccounts ReadMessages SMS")
    exit_code, body = await link(no_scope, tmp_path, "--campaign", "2008", NEW_LINE, "--yes")
    assert exit_code == 3 and body["outcome"] == "failed"
    assert body["problems"][0]["code"] == "app-permission-missing"
    assert "EditAccounts" in body["problems"][0]["message"]


async def test_signed_in_says_why_the_buttons_are_off() -> None:
    demo = Demo(app_scope="ReadAccounts ReadMessages SMS")
    client = await demo.open(argparse.Namespace())
    async with client:
        who = await fixes.who_am_i(client)
    assert "EditAccounts" in (who.may("link-numbers") or "")
    demo.control.set_admin(False)
    client = await Demo(admin=False).open(argparse.Namespace())
    async with client:
        plain = await fixes.who_am_i(client)
    assert plain.is_admin is False and "administrator" in (plain.may("assign-sms") or "")


async def test_campaigns_json_shape(tmp_path: Path) -> None:
    demo = Demo()
    out = io.StringIO()
    code = await campaigns.campaigns_command(parse("campaigns", "--demo", "--format", "json"),
                                             open_client=demo.open, out=out)
    assert code == 0
    body = json.loads(out.getvalue())
    assert len(body) >= 2
    first = body[0]
    assert set(first["brand"]) == {"id", "name", "status"}
    assert isinstance(first["brand"]["id"], str)
    campaign = first["campaigns"][0]
    assert set(campaign) == {"id", "name", "status", "registrationTier", "useCases", "errors",
                             "numbers"}
    assert campaign["numbers"] == []  # no scan yet
    statuses = {c["status"] for b in body for c in b["campaigns"]}
    assert "Confirmed" in statuses and statuses - {"Confirmed"}


def test_linked_numbers_come_from_the_scan_configs() -> None:
    configs = {"1": {"raw": {"phoneNumber": "+16505550101",
                             "smsCampaignInfo": {"id": "2008", "status": "Confirmed"}}},
               "2": {"raw": {"phoneNumber": "+14155550109"}}, "3": {"raw": "junk"}}
    assert campaigns.linked_numbers(configs) == {"2008": ["+16505550101"]}


def test_campaign_table_keeps_hostile_names_inert() -> None:
    from rc_sms_desktop.core.registrations import TcrBrand, TcrCampaign

    brand = TcrBrand("1", "Evil\x1b[31m\u202eBrand", "Verified", "")
    campaign = TcrCampaign("2", "x\x07", "Weird", "", ("NewThing",), "", "1")
    text = campaigns.render_table([(brand, [campaign])], None)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "Weird" in text and "NewThing" in text


def test_simulator_provisioning_option() -> None:
    from rc_sms_desktop.cli.simulator_command import config_from_args

    assert config_from_args(parse("simulator", "--provisioning-s", "0")).provisioning_s == 0
    assert config_from_args(parse("simulator")).provisioning_s == 3.0


async def test_the_write_requests_the_app_sends_match_the_spec(
    tmp_path: Path, openapi_spec: dict[str, Any],
) -> None:
    from tests.simulator.test_sim_contract import SpecValidator

    validator = SpecValidator(openapi_spec)
    sent: list[httpx.Request] = []
    demo = Demo()
    inner = demo.transport.handle_async_request

    async def record(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and "/oauth/" not in request.url.path:
            sent.append(request)
        return await inner(request)

    demo.transport.handle_async_request = record  # type: ignore[method-assign]
    assert (await link(demo, tmp_path, "--campaign", "2008", NEW_LINE, "--yes"))[0] == 0
    demo.out = io.StringIO()
    assert (await assign(demo, tmp_path, SUPPORT, "--extension", "102", "--yes"))[0] == 0
    assert len(sent) == 2
    for request in sent:
        validator.validate_request(request)
    assert validator.checked == {"linkNumbers request": 1, "bulkAssignSmsRecipients request": 1}
