"""`rc-sms-desktop link-numbers --campaign ID NUMBER…`: link numbers to an approved TCR campaign.

Refuses, before any request, every number that cannot be linked (reason codes in
core/registrations.py) and a campaign that is not Confirmed: if any number is refused, nothing is
sent (exit 4), so a script never half-applies a list. Exit codes: see cli/fix_support.py.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from rc_sms_desktop.api.errors import ApiError
from rc_sms_desktop.cli import fix_support as fs
from rc_sms_desktop.core.recipients import parse_recipient
from rc_sms_desktop.core.registrations import (
    CAMPAIGN_NOT_CONFIRMED,
    Plan,
    Problem,
    TcrCampaign,
    plan_link,
)
from rc_sms_desktop.infra.audit_log import AuditLog
from rc_sms_desktop.workflows import fixes

PROG = "rc-sms-desktop link-numbers"


def add_parser(subparsers: Any) -> None:
    parser = fs.add_write_parser(
        subparsers, "link-numbers", help="link numbers to an approved (Confirmed) TCR campaign",
        description="Link account numbers to a Confirmed 10DLC campaign (administrators).")
    parser.add_argument("--campaign", required=True, metavar="ID", help="the TCR campaign id")
    parser.add_argument("numbers", nargs="+", metavar="NUMBER", help="account numbers to link")
    fs.add_common(parser, write=True)


def _e164(typed: str) -> str:
    return parse_recipient(typed, from_region="US").e164 or typed.strip()


async def link_command(args: argparse.Namespace, *, open_client: fs.ClientOpener = fs.open_client,
                       out: TextIO | None = None, confirm: fs.Confirm | None = None,
                       audit: AuditLog | None = None) -> int:
    out = out or sys.stdout
    try:
        client = await open_client(args)
    except fs.SignInFailed as error:
        return fs.sign_in_failure(args.format, out, str(error))
    async with client:
        try:
            who = await fixes.who_am_i(client)
            campaign = await fixes.find_campaign(client, str(args.campaign).strip())
            wanted = [_e164(n) for n in args.numbers]
            if campaign is None:
                problem = Problem("unknown-campaign", "error",
                                  f"No campaign {args.campaign} in this account.",
                                  "Run `rc-sms-desktop campaigns` to see the campaign ids.")
                return fs.print_result(fixes.Result("refused", [], [problem]), args.format, out,
                                       [])
            numbers = await fixes.account_numbers(client)
            current = {e: await fixes.current_campaign(client, numbers[e])
                       for e in wanted if e in numbers}
        except ApiError as error:
            return fs.unreadable(error, "link-numbers", args.format, out)
        plan = plan_link(wanted, numbers, current, campaign)
        lines = _plan_lines(plan, campaign)
        if plan.refused:
            return fs.print_result(fixes.Result("refused", [], list(plan.problems)),
                                   args.format, out, lines)
        return await fs.plan_or_apply(
            args, out, lines,
            lambda log, dry_run: fixes.link_numbers(client, plan, numbers, who=who, audit=log,
                                                    dry_run=dry_run),
            question=f"Link {len(plan.changes)} number(s) to “{campaign.name}” "
                     f"({campaign.id}) in your RingCentral account?",
            confirm=confirm, audit=audit,
            applied_note="RingCentral is provisioning the numbers: they can text once "
                         "`check --account` shows the campaign and SmsSender.")


def _plan_lines(plan: Plan, campaign: TcrCampaign) -> list[str]:
    lines = [f"Campaign: {campaign.name} ({campaign.id}), {campaign.status}"]
    for change in plan.changes:
        lines.append(f"  {fs.shown(change.phone_number)}: will be linked "
                     f"(now: {change.before.get('campaign') or 'no campaign'})")
    for problem in plan.problems:
        if problem.code != CAMPAIGN_NOT_CONFIRMED and problem.phone_number:
            lines.append(f"  {fs.shown(problem.phone_number)}: refused [{problem.code}]")
    return lines


def run(args: argparse.Namespace) -> int:
    return fs.run_async(lambda: link_command(args), PROG)
