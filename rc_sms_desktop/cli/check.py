"""`rc-sms-desktop check`: sign in, load every number of the user and print the verdicts.

Sign-in is cli/sign_in.py's (`--demo`, a JWT from the environment, or the window's stored
session); `check --account` is cli/account_check.py's admin scan.

Output is what `explain` prints (the same table, or `--format json`: an array of
`Verdict.to_json()` objects). Progress goes to stderr when it is a terminal. Exit status: 0 when
verdicts were produced (some may be `unknown`), 1 with one line on stderr when we could not sign
in or list the numbers, 2 for a usage problem. Never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rc_sms_desktop.api.errors import ApiError
from rc_sms_desktop.cli.demo_user import add_demo_user_option
from rc_sms_desktop.cli.sign_in import (
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_JWT,
    ENV_SERVER,
    ProgressLine,
    SignInProblem,
    open_client,
)
from rc_sms_desktop.core.text_safety import for_terminal
from rc_sms_desktop.workflows.loader import (
    LoadFailed,
    LoadWarning,
    Progress,
    RateLimited,
    SenderLoader,
    SignedInAs,
)
from rc_sms_desktop.workflows.verdict_list import VerdictList

PROG = "rc-sms-desktop check"


class CheckError(SignInProblem):
    """A failure to report as one line (exit 1): signing in, or listing the numbers."""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="sign in and show which of your numbers can send SMS, MMS and international SMS",
        description=(
            "Sign in to RingCentral, load your phone numbers and their SMS registration, and print "
            f"why each can or cannot text. Sign-in uses {ENV_CLIENT_ID}, {ENV_CLIENT_SECRET} and "
            f"{ENV_JWT} (and {ENV_SERVER}) when set, else the session saved by the window."
        ),
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--demo", action="store_true", help="use the built-in demo account")
    add_demo_user_option(parser)
    where.add_argument(
        "--server",
        metavar="URL",
        help="production (default), partner, or a server URL such as a simulator's",
    )
    parser.add_argument(
        "--account",
        action="store_true",
        help="scan every number of the account (administrators)",
    )
    # csv is for `--account` (a spreadsheet of the whole account); the user check prints table/json.
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument(
        "--save-capture",
        metavar="FILE",
        help="also write exactly what was read to FILE (explain's and `simulator --data`'s "
        "format; never a token) for support",
    )
    parser.add_argument(
        "--placeholders",
        action="store_true",
        help="with --save-capture: replace people's names, labels and emails by placeholders",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="log each request (method, path, status, rate-limit headers, time) to stderr",
    )


def run(args: argparse.Namespace) -> int:
    if getattr(args, "account", False):
        return _run_account_check(args)
    if args.format == "csv":
        sys.stderr.write(f"{PROG}: --format csv goes with --account; use table or json\n")
        return 2
    remove_logging = _configure_logging(bool(getattr(args, "verbose", False)))
    try:
        return asyncio.run(_check(args))
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except SignInProblem as error:  # CheckError included
        sys.stderr.write(f"{PROG}: {error}\n")
        return 1
    except ApiError as error:
        sys.stderr.write(f"{PROG}: {error.user_message}\n")
        return 1
    except Exception as error:  # the promise is one line, never a traceback
        logging.getLogger(__name__).debug("check failed", exc_info=True)
        sys.stderr.write(f"{PROG}: {type(error).__name__}: {error}\n")
        return 1
    finally:
        remove_logging()


def _run_account_check(args: argparse.Namespace) -> int:
    """The admin scan lives in cli/account_check.py, imported only when asked for."""
    from rc_sms_desktop.cli.account_check import run_account_check

    return run_account_check(args)


def _configure_logging(verbose: bool) -> Callable[[], None]:
    if not verbose:
        return lambda: None
    from rc_sms_desktop.infra.redaction import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    handler.addFilter(RedactingFilter())  # belt and braces: requests never log secrets anyway
    logger = logging.getLogger("rc_sms_desktop.api")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def remove() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous)

    return remove


# --- the check ----------------------------------------------------------------------------------


async def _check(args: argparse.Namespace) -> int:
    client = await open_client(args)
    progress = ProgressLine(sys.stderr)
    found = VerdictList()
    owner: str | None = None
    extension_raw: object = None
    warned: set[str] = set()
    async with client:
        async for event in SenderLoader(client).load():
            if found.apply(event):
                continue
            if isinstance(event, SignedInAs):
                ext = event.extension
                extension_raw = ext.raw
                owner = ext.name or (f"extension {ext.extension_number}" if ext.extension_number else None)
            elif isinstance(event, Progress):
                progress.show(f"Checking SMS registration: {event.done} of {event.total}")
            elif isinstance(event, RateLimited):
                if event.resume_at is not None:
                    wait = max(0, round((event.resume_at - datetime.now(UTC)).total_seconds()))
                    why = "RingCentral asked us to pause" if event.reason == "penalty" else "Pacing to the rate limit"
                    progress.show(f"{why} ({event.group}): resuming in {wait} s")
            elif isinstance(event, LoadWarning):
                if event.message in warned:
                    continue  # the same warning once (paging reports it per list and at the end)
                warned.add(event.message)
                progress.clear()
                sys.stderr.write(f"{PROG}: warning: {for_terminal(event.message)}\n")
            elif isinstance(event, LoadFailed):
                progress.clear()
                raise CheckError(event.message)
    progress.clear()
    from rc_sms_desktop.cli.explain import render_json, render_table, write_stdout

    final = found.verdicts()
    if getattr(args, "save_capture", None):
        from rc_sms_desktop.core.support_capture import build_capture

        save_capture(Path(args.save_capture), build_capture(extension_raw, final), bool(args.placeholders))
    text = render_json(final) if args.format == "json" else render_table(final, owner)
    write_stdout(text)
    return 0


def save_capture(path: Path, capture: dict[str, Any], placeholders: bool, prog: str = PROG) -> None:
    """Write a support capture (core/support_capture.py), readable by the user alone.

    The one writer for `check` and `check --account`; raises CheckError with one line.
    """
    from rc_sms_desktop.core.support_capture import capture_text
    from rc_sms_desktop.infra.private_files import write_private_text

    try:
        write_private_text(path, capture_text(capture, placeholders))
    except OSError as error:
        raise CheckError(f"cannot save the capture to {path}: {error.strerror or error}") from None
    sys.stderr.write(f"{prog}: capture saved to {path}\n")
