"""What `campaigns`, `link-numbers` and `assign-sms` share: sign-in, options, output, exit codes.

Exit codes (both write commands): 0 applied (or planned with `--dry-run`), 4 refused before any
request (with the reason codes), 3 RingCentral refused or the write failed (its error explained),
1 sign-in or network, 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.errors import ApiError
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.registrations import Problem
from rc_sms_desktop.core.text_safety import for_terminal
from rc_sms_desktop.infra.audit_log import AuditLog
from rc_sms_desktop.workflows.fixes import Result

EXIT_APPLIED = 0
EXIT_SIGN_IN = 1
EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_REFUSED = 4
EXIT_FOR = {"planned": EXIT_APPLIED, "applied": EXIT_APPLIED, "refused": EXIT_REFUSED,
            "failed": EXIT_FAILED}

EXIT_CODES_TEXT = ("Exit 0 applied or planned, 4 refused before any request, 3 RingCentral "
                   "refused or failed, 1 sign-in or network, 2 usage.")

ClientOpener = Callable[[argparse.Namespace], Awaitable[RingCentralClient]]
Confirm = Callable[[str], Awaitable[bool]]
# Plans (dry_run=True, no audit log) or makes a command's change: (audit log, dry_run) -> result.
Apply = Callable[[AuditLog | None, bool], Awaitable[Result]]


class SignInFailed(Exception):
    """Signing in did not work; the message says why in words."""


def add_write_parser(subparsers: Any, name: str, *, help: str,
                     description: str) -> argparse.ArgumentParser:
    """A write command's parser, its description ending with the exit codes. The command adds
    its own arguments, then `add_common(parser, write=True)` (so --help lists its own first)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help, description=f"{description} {EXIT_CODES_TEXT}")
    return parser


def add_common(parser: argparse.ArgumentParser, *, write: bool) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--demo", action="store_true",
                       help="use the built-in demo account (changes stay in this run)")
    where.add_argument("--server", metavar="URL", help="RingCentral server (or a simulator) URL")
    if write:
        parser.add_argument("--dry-run", action="store_true",
                            help="show what would change and send nothing")
        parser.add_argument("--yes", action="store_true",
                            help="make the change without asking (needed when not at a terminal)")
    parser.add_argument("--format", choices=("table", "json"), default="table")


async def open_client(args: argparse.Namespace) -> RingCentralClient:
    from rc_sms_desktop.cli import sign_in

    try:
        return await sign_in.open_client(args)
    except sign_in.SignInProblem as error:
        raise SignInFailed(str(error)) from None


async def ask_at_terminal(question: str) -> bool:
    """Ask at an interactive terminal. Without one (a script), no `--yes` means no."""
    if not sys.stdin.isatty():
        return False
    answer = await asyncio.to_thread(input, f"{question} [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def terminal_text(text: str) -> str:
    """Server-supplied text made safe for a terminal: escapes and bidi controls shown, not run."""
    return "\n".join(for_terminal(line) for line in text.split("\n"))


def shown(number: str) -> str:
    return format_number(number) or number


def print_result(result: Result, fmt: str, out: TextIO, lines: list[str]) -> int:
    code = EXIT_FOR.get(result.outcome, EXIT_FAILED)
    if fmt == "json":
        out.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
        return code
    for line in lines:
        out.write(terminal_text(line) + "\n")
    for problem in result.problems:
        out.write(terminal_text(f"{problem.severity}: {problem.message} [{problem.code}] "
                                f"What to do: {problem.fix}") + "\n")
    if result.audit_log:
        out.write(f"Recorded in {result.audit_log}\n")
    out.write(f"Outcome: {result.outcome}\n")
    return code


async def plan_or_apply(args: argparse.Namespace, out: TextIO, lines: list[str], apply: Apply, *,
                        question: str, confirm: Confirm | None, audit: AuditLog | None,
                        dry_run: bool = False, applied_note: str = "") -> int:
    """Print the plan (`--dry-run`, or `dry_run`), or ask `question` unless `--yes` and make the
    change, recording it in `audit` (the user's audit log when None)."""
    if dry_run or args.dry_run:
        return print_result(await apply(None, True), args.format, out, lines)
    if not args.yes and not await (confirm or ask_at_terminal)(question):
        return declined(args.format, out, lines)
    result = await apply(audit or AuditLog(), False)
    if result.outcome == "applied" and applied_note:
        lines.append(applied_note)
    return print_result(result, args.format, out, lines)


def declined(fmt: str, out: TextIO, lines: list[str]) -> int:
    """The user did not confirm: nothing was sent (exit 4)."""
    problem = Problem("not-confirmed", "error", "Not confirmed: nothing was sent.",
                      "Run again with --yes, or answer yes at a terminal.")
    return print_result(Result("refused", [], [problem]), fmt, out, lines)


def unreadable(error: ApiError, action: str, fmt: str, out: TextIO) -> int:
    """The account could not be read before planning (a 403 names the permission)."""
    from rc_sms_desktop.workflows.fixes import api_problem

    result = Result("failed", [], [api_problem(error, action)])
    return print_result(result, fmt, out, ["Could not read the account."])


def sign_in_failure(fmt: str, out: TextIO, message: str) -> int:
    if fmt == "json":
        out.write(json.dumps({"outcome": "failed", "changes": [], "problems": [
            {"code": "sign-in", "severity": "error", "message": message,
             "fix": "Sign in again, or check the network."}], "auditLog": None}) + "\n")
    else:
        out.write(terminal_text(f"Sign-in failed: {message}") + "\n")
    return EXIT_SIGN_IN


def run_async(main: Callable[[], Awaitable[int]], prog: str) -> int:
    try:
        return asyncio.run(main())  # type: ignore[arg-type]
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted (a change already sent may have been made)\n")
        return 130
    except ApiError as error:
        sys.stderr.write(f"{prog}: {error.user_message}\n")
        return EXIT_SIGN_IN
