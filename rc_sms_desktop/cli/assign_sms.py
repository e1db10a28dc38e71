"""`rc-sms-desktop assign-sms NUMBER --extension EXT`: choose which extension texts from a call
queue's, IVR's or site's number (bulkAssignSmsRecipients on the owning extension).

The main company number has no owning extension the API can change: refused with
`reassign-not-supported` and the Admin Portal link, nothing sent. Exit codes: cli/fix_support.py.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from rc_sms_desktop.api import endpoints
from rc_sms_desktop.api.errors import ApiError
from rc_sms_desktop.cli import fix_support as fs
from rc_sms_desktop.core.models import parse_extension
from rc_sms_desktop.core.recipients import parse_recipient
from rc_sms_desktop.core.registrations import Recipient, plan_assign
from rc_sms_desktop.infra.audit_log import AuditLog
from rc_sms_desktop.workflows import fixes

PROG = "rc-sms-desktop assign-sms"


def add_parser(subparsers: Any) -> None:
    parser = fs.add_write_parser(
        subparsers, "assign-sms",
        help="choose which extension texts from a shared (call queue/IVR/site) number",
        description="Give a shared number's SMS to one extension (administrators).")
    parser.add_argument("number", metavar="NUMBER", help="the shared number")
    parser.add_argument("--extension", required=True, metavar="EXTENSION_NUMBER",
                        help="the extension number (e.g. 102) that will text from it")
    fs.add_common(parser, write=True)


async def _target(client: Any, extension_number: str) -> Recipient | None:
    body = await client.get_json(endpoints.EXTENSIONS,
                                 params={"extensionNumber": extension_number})
    records = body.get("records") if isinstance(body, dict) else None
    for record in records if isinstance(records, list) else ():
        ext = parse_extension(record)
        if ext.id and ext.extension_number == extension_number:
            return Recipient(ext.id, ext.extension_number or "", ext.name or "", ext.type or "")
    return None


async def assign_command(args: argparse.Namespace, *,
                         open_client: fs.ClientOpener = fs.open_client,
                         out: TextIO | None = None, confirm: fs.Confirm | None = None,
                         audit: AuditLog | None = None) -> int:
    out = out or sys.stdout
    e164 = parse_recipient(args.number, from_region="US").e164 or args.number.strip()
    try:
        client = await open_client(args)
    except fs.SignInFailed as error:
        return fs.sign_in_failure(args.format, out, str(error))
    async with client:
        try:
            who = await fixes.who_am_i(client)
            numbers = await fixes.account_numbers(client)
            number = numbers.get(e164)
            kind = await fixes.owner_type(client, number) if number is not None else None
            holders: list[Recipient] = []
            if number is not None and number.extension and number.extension.id and kind in (
                    "Department", "IvrMenu", "Site"):
                holders = await fixes.sms_recipients(client, number.extension.id)
            target = await _target(client, str(args.extension).strip())
        except ApiError as error:
            return fs.unreadable(error, "assign-sms", args.format, out)
        plan = plan_assign(e164, number, kind, holders, target)
        lines = [f"{fs.shown(e164)}: SMS now with "
                 f"{', '.join(h.describe() for h in holders) or 'nobody'}"]
        if plan.changes:
            lines.append(f"  after: {target.describe() if target else ''}")
        question = f"Give the SMS of {fs.shown(e164)} to {target.describe() if target else ''}?"
        return await fs.plan_or_apply(
            args, out, lines,
            lambda log, dry_run: fixes.assign_sms(client, plan, who=who, audit=log,
                                                  dry_run=dry_run),
            question=question, confirm=confirm, audit=audit, dry_run=plan.refused)


def run(args: argparse.Namespace) -> int:
    return fs.run_async(lambda: assign_command(args), PROG)
