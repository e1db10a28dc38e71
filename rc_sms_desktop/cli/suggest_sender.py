"""`rc-sms-desktop suggest-sender --text TEXT`: which of your numbers should send this text?

Loads your numbers and their SMS registration (as `check` does), then orders them by how the
text fits each number's campaign (core/content_checks.py `rank_senders`): numbers that may send
it and whose registered use cases cover it first, numbers that would be refused last. Each row
carries the number's verdict, its fit and the content findings for this text.

JSON: a list of {"phoneNumber", "sms", "fits", "useCases", "findings": [{"code", "severity",
"message", "fix"}]}; `fits` is true when the number may send the text and the text is not
outside its use cases. Exit 0, or 1 when sign-in or loading fails (one line on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

from rc_sms_desktop.api.errors import ApiError
from rc_sms_desktop.core.content_checks import SenderFit, rank_senders
from rc_sms_desktop.core.eligibility import Verdict
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.number_kinds import number_kind
from rc_sms_desktop.core.recipients import parse_recipients
from rc_sms_desktop.core.use_cases import use_case_titles
from rc_sms_desktop.workflows.loader import LoadFailed, SenderLoader
from rc_sms_desktop.workflows.verdict_list import VerdictList

PROG = "rc-sms-desktop suggest-sender"

# Control characters and bidirectional overrides from a server-sent label must not reach the
# terminal (they could move the cursor or reorder what the user reads).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _plain(text: str) -> str:
    return _UNSAFE.sub(" ", text)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "suggest-sender",
        help="order your numbers by how well their SMS campaign fits a text",
        description=(
            "Check a text against each of your numbers: whether the number may send it, whether "
            "the text fits its campaign's registered use cases, and the carriers' content rules "
            "(opt-out wording, public link shorteners, restricted content). Best fits first."
        ),
    )
    parser.add_argument("--text", required=True, help="the message to find a sender for")
    parser.add_argument("--to", metavar="NUMBER", help="the recipient (checks international SMS too)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--demo", action="store_true", help="use the built-in demo account")
    where.add_argument("--server", metavar="URL", help="RingCentral server (or a simulator) URL")
    parser.add_argument("--format", choices=("table", "json"), default="table")


async def load_verdicts(client: Any) -> list[Verdict]:
    """Every number of the signed-in user with its final verdict (the loader `check` uses)."""
    found = VerdictList()
    async for event in SenderLoader(client).load():
        if not found.apply(event) and isinstance(event, LoadFailed):
            raise SuggestError(event.message)
    return found.verdicts()


class SuggestError(Exception):
    """Loading the numbers failed; the message says why in words."""


def render_json(ranked: Sequence[SenderFit]) -> str:
    return json.dumps([item.to_json() for item in ranked], indent=2, ensure_ascii=False) + "\n"


def render_table(ranked: Sequence[SenderFit]) -> str:
    lines: list[str] = []
    for item in ranked:
        number = item.verdict.number
        label = _plain((number.label or "").strip())
        title = f"{format_number(number.phone_number) or '(no number)'} · {number_kind(number)}"
        title += f" · {label}" if label else ""
        if item.refused is not None:
            lines.append(f"✗ {title}")
            why = item.refused.text() if item.verdict.can_send_sms else item.verdict.headline
            lines.append(f"    would be refused: {why}")
        else:
            mark = "✓" if item.fits else "⚠"
            lines.append(f"{mark} {title}")
            note = item.check.fit_note()
            registered = _plain(use_case_titles(item.verdict.use_cases))
            summary = note or ("registered for " + registered if registered else "")
            if summary:
                lines.append(f"    {summary}")
        if item.refused is None:
            for finding in item.check.findings:
                lines.append(f"    {finding.severity}: {finding.text()} [{finding.code}]")
    if not ranked:
        lines.append("(no phone numbers)")
    lines.append("✓ may send it and fits · ⚠ may send it, with warnings · ✗ would be refused")
    # Labels, statuses and quoted words come from the server or the user: one safe line each.
    return "\n".join(_plain(line) for line in lines) + "\n"


async def suggest(args: argparse.Namespace, client: Any) -> list[SenderFit]:
    """Rank the numbers `client` can see for `args.text` (and `args.to`)."""
    verdicts = await load_verdicts(client)
    recipients = parse_recipients(args.to, from_region="US") if args.to else []
    return rank_senders(args.text, verdicts, recipients)


async def _run(args: argparse.Namespace) -> int:
    from rc_sms_desktop.cli.explain import write_stdout
    from rc_sms_desktop.cli.sign_in import open_client

    client = await open_client(args)
    async with client:
        ranked = await suggest(args, client)
    write_stdout(render_json(ranked) if args.format == "json" else render_table(ranked))
    return 0


def run(args: argparse.Namespace) -> int:
    from rc_sms_desktop.cli.sign_in import SignInProblem

    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except (SignInProblem, SuggestError) as error:
        sys.stderr.write(f"{PROG}: {error}\n")
        return 1
    except ApiError as error:
        sys.stderr.write(f"{PROG}: {error.user_message}\n")
        return 1
