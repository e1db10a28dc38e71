"""`rc-sms-desktop send`: send one SMS/MMS from one of your numbers and wait for its final status.

Exit codes: 0 delivered; 1 sign-in failed; 2 bad command line; 3 RingCentral refused the message
or delivery failed (with the explained code); 4 pre-flight refused it (with the reason code, or
any warning with `--strict`); 5 accepted, but no final status before `--wait` ran out.

Pre-flight includes the content checks (core/content_checks.py): whether the text fits the
sender's campaign use cases and the carriers' content rules. They are warnings: the message
still goes unless `--strict` is given.

Sign-in is `check`'s: `--demo`, else the JWT grant from RC_CLIENT_ID / RC_CLIENT_SECRET / RC_JWT
(server from `--server` or RC_SERVER_URL), else the session the window stored in the keyring.
A real (non-demo) send asks for confirmation at an interactive terminal unless `--yes`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.errors import ApiError, SessionEndedError, explain
from rc_sms_desktop.cli.demo_user import add_demo_user_option
from rc_sms_desktop.core.attachments import Attachment, describe_attachment
from rc_sms_desktop.core.content_checks import content_problems
from rc_sms_desktop.core.eligibility import Severity, Verdict
from rc_sms_desktop.core.error_codes import ErrorExplanation
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.preflight import PreflightProblem, blocking_reason, preflight
from rc_sms_desktop.core.recipients import parse_recipient, parse_recipients, sender_region
from rc_sms_desktop.workflows.sending import (
    SendRefused,
    StatusUpdate,
    find_sender,
    follow_status,
    send_message,
    status_words,
)

EXIT_DELIVERED = 0
EXIT_SIGN_IN = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_PREFLIGHT = 4
EXIT_NO_FINAL_STATUS = 5

ClientOpener = Callable[[argparse.Namespace], Awaitable[RingCentralClient]]
Confirm = Callable[[str], Awaitable[bool]]


async def _ask_at_terminal(question: str) -> bool:
    """Ask at an interactive terminal; a script (no terminal) has already decided by running us."""
    if not sys.stdin.isatty():
        return True
    answer = await asyncio.to_thread(input, f"{question} [y/N] ")
    return answer.strip().lower() in ("y", "yes")


class SignInFailed(Exception):
    """Signing in did not work; the message says why in words."""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "send",
        help="send an SMS or MMS from one of your numbers and wait for its delivery status",
        description=(
            "Check that the number may send this message (the same pre-flight as the window), "
            "send it, and follow it until RingCentral reports it delivered or failed. "
            "Exit 0 delivered, 1 sign-in failed, 3 refused or delivery failed, 4 pre-flight "
            "refused (or a warning with --strict), 5 no final status before --wait ran out."
        ),
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--demo", action="store_true", help="send in the built-in demo account (nothing leaves)"
    )
    where.add_argument("--server", metavar="URL", help="RingCentral server (or a simulator) URL")
    add_demo_user_option(parser)
    parser.add_argument(
        "--from", dest="sender", required=True, metavar="NUMBER", help="one of your numbers"
    )
    parser.add_argument(
        "--to",
        dest="to",
        action="append",
        required=True,
        metavar="NUMBER",
        help="recipient, national or international format (repeat for several)",
    )
    parser.add_argument("--text", default="", help="the message (optional with --attach)")
    parser.add_argument(
        "--attach",
        action="append",
        default=[],
        metavar="FILE",
        help="attach a file (sends MMS; repeat for several)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=180.0,
        metavar="SECONDS",
        help="how long to follow the delivery status (default 180)",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="do not ask before sending a real message (asked only at an interactive terminal)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse before sending when pre-flight has any warning (content outside the "
        "campaign's use cases, no opt-out wording, a public link shortener, restricted content…)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _normalise_sender(typed: str) -> str:
    """The sender as E.164, read in US format when national (RingCentral's home market)."""
    parsed = parse_recipient(typed, from_region="US")
    return parsed.e164 or typed.strip()


def read_attachments(paths: Sequence[str]) -> list[Attachment]:
    """Measure each file; an unreadable one becomes an attachment with its problem."""
    found: list[Attachment] = []
    for path in paths:
        try:
            found.append(describe_attachment(path, Path(path).stat().st_size))
        except OSError as exc:
            found.append(describe_attachment(path, None, read_error=exc.strerror or str(exc)))
    return found


async def _open_client(args: argparse.Namespace) -> RingCentralClient:
    """Sign in exactly as `check` does (JWT from the environment, the window's stored session,
    or `--demo`); its one-line failures become `SignInFailed`."""
    from rc_sms_desktop.cli.sign_in import SignInProblem, open_client

    try:
        return await open_client(args)
    except SignInProblem as error:
        raise SignInFailed(str(error)) from None


def _problem_line(problem: PreflightProblem) -> str:
    return f"{problem.severity}: {problem.text()} [{problem.code}; who can fix: {problem.who}]"


def _explanation_lines(explanation: ErrorExplanation) -> list[str]:
    lines = [f"{explanation.message} ({explanation.code})"]
    if explanation.server_message and explanation.server_message != explanation.message:
        lines.append(f"RingCentral said: {explanation.server_message}")
    lines.append(f"What to do: {explanation.fix}")
    lines.append(f"Who can fix it: {explanation.who}")
    return lines


class _Report:
    """Collects what happened, then prints it as a table of lines or one JSON object."""

    def __init__(self, fmt: str, out: TextIO) -> None:
        self.fmt = fmt
        self.out = out
        self.data: dict[str, Any] = {"outcome": None}

    def line(self, text: str) -> None:
        if self.fmt == "table":
            self.out.write(text + "\n")
            self.out.flush()

    def finish(self, outcome: str, code: int, **fields: Any) -> int:
        self.data.update(fields)
        self.data["outcome"] = outcome
        self.data["exitCode"] = code
        if self.fmt == "json":
            self.out.write(json.dumps(self.data, indent=2, ensure_ascii=False) + "\n")
        return code


async def send_command(
    args: argparse.Namespace,
    *,
    open_client: ClientOpener = _open_client,
    out: TextIO | None = None,
    follow_options: dict[str, Any] | None = None,
    confirm: Confirm | None = None,
) -> int:
    """The whole `send` command; tests call it with their own client opener and `confirm`."""
    report = _Report(args.format, out or sys.stdout)
    sender = _normalise_sender(args.sender)
    try:
        client = await open_client(args)
    except SignInFailed as exc:
        report.line(f"Sign-in failed: {exc}")
        return report.finish("sign-in-failed", EXIT_SIGN_IN, error=str(exc))
    except ApiError as error:
        explanation = explain(error)
        for text in ["Sign-in failed.", *_explanation_lines(explanation)]:
            report.line(text)
        return report.finish("sign-in-failed", EXIT_SIGN_IN, error=explanation.to_json())
    try:
        return await _send_with(
            client, args, sender, report, follow_options or {}, confirm or _ask_at_terminal
        )
    finally:
        await client.aclose()


async def _send_with(
    client: RingCentralClient,
    args: argparse.Namespace,
    sender: str,
    report: _Report,
    follow_options: dict[str, Any],
    confirm: Confirm,
) -> int:
    try:
        verdict = await find_sender(client, sender)
    except ApiError as error:
        explanation = explain(error)
        if isinstance(error, SessionEndedError):
            for text in ["Sign-in failed.", *_explanation_lines(explanation)]:
                report.line(text)
            return report.finish("sign-in-failed", EXIT_SIGN_IN, error=explanation.to_json())
        for text in ["Could not read your numbers.", *_explanation_lines(explanation)]:
            report.line(text)
        return report.finish("refused", EXIT_REFUSED, error=explanation.to_json())
    if verdict is None:
        message = (
            f"{format_number(sender) or sender} is not one of your numbers, so you cannot "
            "send from it."
        )
        report.line(f"error: {message} [sender-not-yours]")
        return report.finish(
            "preflight-refused",
            EXIT_PREFLIGHT,
            problems=[{"code": "sender-not-yours", "severity": "error", "message": message}],
        )
    return await _preflight_and_send(client, args, verdict, report, follow_options, confirm)


async def _preflight_and_send(
    client: RingCentralClient,
    args: argparse.Namespace,
    verdict: Verdict,
    report: _Report,
    follow_options: dict[str, Any],
    confirm: Confirm,
) -> int:
    number = verdict.number
    iso = number.country.iso_code if number.country else None
    region = sender_region(number.phone_number, iso)
    recipients = parse_recipients(args.to, from_region=region)
    attachments = read_attachments(args.attach)
    problems = preflight(verdict, recipients, args.text, attachments)
    if blocking_reason(problems) is None:
        # Content is worth judging only once the message could go at all.
        rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        problems = sorted([*problems, *content_problems(args.text, verdict)],
                          key=lambda problem: rank[problem.severity])
    for problem in problems:
        report.line(_problem_line(problem))
    shown_problems = [problem.to_json() for problem in problems]
    if blocking_reason(problems) is not None:
        return report.finish("preflight-refused", EXIT_PREFLIGHT, problems=shown_problems)
    warnings = [problem for problem in problems if problem.severity is Severity.WARNING]
    if getattr(args, "strict", False) and warnings:
        report.line(f"Not sent: --strict refuses {len(warnings)} warning(s) ({warnings[0].code}).")
        return report.finish("preflight-refused", EXIT_PREFLIGHT, problems=shown_problems)

    sender = number.phone_number or ""
    kind = "MMS" if attachments else "SMS"
    if not (args.demo or getattr(args, "demo_user", None)) and not args.yes:
        question = (
            f"Send a real {kind} from {format_number(sender)} to {len(recipients)} "
            f"recipient{'s' if len(recipients) != 1 else ''} through your RingCentral account?"
        )
        if not await confirm(question):
            report.line("Not sent.")
            declined = {"code": "declined", "severity": "error", "message": "Not confirmed."}
            return report.finish(
                "preflight-refused", EXIT_PREFLIGHT, problems=[*shown_problems, declined]
            )
    report.line(
        f"Sending {kind} from {format_number(sender)} to "
        + ", ".join(r.display or r.e164 or r.typed for r in recipients)
        + " …"
    )
    try:
        sent = await send_message(client, sender, recipients, args.text, attachments)
    except SendRefused as refused:
        for text in ["RingCentral refused the message.", *_explanation_lines(refused.explanation)]:
            report.line(text)
        return report.finish(
            "refused", EXIT_REFUSED, problems=shown_problems, error=refused.explanation.to_json()
        )

    final: StatusUpdate | None = None
    async for update in follow_status(client, sent, deadline=args.wait, **follow_options):
        final = update
        report.line(f"Status: {status_words(update.status)}")
    assert final is not None  # follow_status always yields at least once
    fields: dict[str, Any] = {
        "problems": shown_problems,
        "messageId": sent.id,
        "kind": sent.kind,
        "status": final.status,
        "error": final.error.to_json() if final.error else None,
    }
    if final.error is not None:
        for text in _explanation_lines(final.error):
            report.line(text)
    if final.delivered:
        return report.finish("delivered", EXIT_DELIVERED, **fields)
    if final.failed:
        return report.finish("delivery-failed", EXIT_REFUSED, **fields)
    report.line(f"No final status after {args.wait:g} s; the message may still arrive.")
    return report.finish("no-final-status", EXIT_NO_FINAL_STATUS, **fields)


def run(args: argparse.Namespace) -> int:
    if args.wait <= 0:
        sys.stderr.write("rc-sms-desktop send: --wait must be more than 0 seconds\n")
        return EXIT_USAGE
    try:
        return asyncio.run(send_command(args))
    except KeyboardInterrupt:
        sys.stderr.write("rc-sms-desktop send: interrupted (the message may still have gone out)\n")
        return 130
