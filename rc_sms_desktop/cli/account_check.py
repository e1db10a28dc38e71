"""`rc-sms-desktop check --account`: the admin scan, headless, one verdict per account number.

The same `AccountScan` the Account view runs (so the same saved progress: an interrupted scan
continues where it stopped, and a finished one is refreshed, changed numbers first). Output:
`table` (number, owner, SMS holder, verdict, main reason, then the summary), `json` (an array of
the `explain` objects, `Verdict.to_json()`, plus owner and SMS-holder fields) or `csv` (the
Account view's columns). Progress goes to stderr when it is a terminal. Exit status: 0 with
verdicts, 1 with one line on stderr when the user may not read the account or the scan failed,
130 when interrupted (progress is saved).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.errors import ApiError
from rc_sms_desktop.cli.sign_in import ProgressLine, SignInProblem, open_client
from rc_sms_desktop.core.account_join import AccountRow
from rc_sms_desktop.core.account_table import rows_to_csv, rows_to_json, summarize
from rc_sms_desktop.core.formatting import format_duration
from rc_sms_desktop.core.text_safety import for_terminal
from rc_sms_desktop.workflows.account_scan import (
    AccountScan,
    ScanFailed,
    ScanFinished,
    ScanPaused,
    ScanPermissionDenied,
    ScanProgress,
    ScanWarning,
    state_path_for,
)

PROG = "rc-sms-desktop check --account"
FORMATS = ("table", "json", "csv")

ClientFactory = Callable[[argparse.Namespace], Awaitable[RingCentralClient]]


class AccountCheckError(Exception):
    """A failure to report as one line (exit 1)."""


def run_account_check(
    args: argparse.Namespace,
    *,
    client_factory: ClientFactory | None = None,
    state_path: Path | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the scan and print it; `args.format` is table, json or csv (default table)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    fmt = getattr(args, "format", None) or "table"
    if fmt not in FORMATS:
        err.write(f"{PROG}: unknown format {fmt!r} (choose {', '.join(FORMATS)})\n")
        return 2
    try:
        rows = asyncio.run(_scan(args, client_factory, state_path, err))
    except KeyboardInterrupt:
        err.write(f"{PROG}: interrupted; progress is saved, run it again to continue\n")
        return 130
    except AccountCheckError as error:
        err.write(f"{PROG}: {error}\n")
        return 1
    except ApiError as error:
        err.write(f"{PROG}: {error.user_message}\n")
        return 1
    except Exception as error:  # one line, never a traceback
        logging.getLogger(__name__).debug("account check failed", exc_info=True)
        err.write(f"{PROG}: {type(error).__name__}: {error}\n")
        return 1
    if fmt == "json":
        out.write(rows_to_json(rows) + "\n")
    elif fmt == "csv":
        out.write(rows_to_csv(rows))
    else:
        out.write(render_table(rows))
    out.flush()
    return 0


async def _open(args: argparse.Namespace) -> RingCentralClient:
    try:
        return await open_client(args)
    except SignInProblem as error:
        raise AccountCheckError(str(error)) from None


def _state_for(args: argparse.Namespace, client: RingCentralClient) -> Path | None:
    if getattr(args, "demo", False):
        return None  # the demo account is rebuilt on every run: nothing worth resuming
    return state_path_for(client.server_url, getattr(client.authenticator, "owner_id", None))


async def _scan(
    args: argparse.Namespace,
    client_factory: ClientFactory | None,
    state_path: Path | None,
    err: TextIO,
) -> list[AccountRow]:
    client = await (client_factory or _open)(args)
    progress = ProgressLine(err)
    warned: set[str] = set()
    async with client:
        path = state_path if state_path is not None else _state_for(args, client)
        scan = AccountScan(client, path)
        async for event in scan.run():
            if isinstance(event, ScanProgress):
                progress.show(_progress_text(event))
            elif isinstance(event, ScanPaused) and event.resume_at is not None:
                wait = (event.resume_at - datetime.now(UTC)).total_seconds()
                why = "RingCentral asked us to pause" if event.reason == "penalty" else "Pacing"
                progress.show(f"{why} ({event.group}): next request in {format_duration(wait)}")
            elif isinstance(event, ScanWarning):
                if event.message in warned:
                    continue  # each warning once
                warned.add(event.message)
                progress.clear()
                err.write(f"{PROG}: warning: {for_terminal(event.message)}\n")
            elif isinstance(event, ScanPermissionDenied):
                progress.clear()
                raise AccountCheckError(f"{event.message} {event.role_needed}")
            elif isinstance(event, ScanFailed):
                progress.clear()
                raise AccountCheckError(event.message)
            elif isinstance(event, ScanFinished):
                progress.clear()
        if getattr(args, "save_capture", None):
            # Circular at import time (check imports this module lazily), so imported here.
            from rc_sms_desktop.cli.check import CheckError, save_capture

            owner = getattr(client.authenticator, "owner_id", None)
            try:
                save_capture(Path(args.save_capture), scan.capture(owner),
                             bool(getattr(args, "placeholders", False)), PROG)
            except CheckError as error:
                raise AccountCheckError(str(error)) from None
        return scan.rows()


def _progress_text(event: ScanProgress) -> str:
    text = f"Scanning the account: {event.done} of {event.total} requests"
    if event.eta_s is not None and event.eta_s >= 1:
        text += f", about {format_duration(event.eta_s)} left"
    return text



def render_table(rows: list[AccountRow]) -> str:
    """Plain text: one line per number, then the summary."""
    from rc_sms_desktop.core.formatting import format_number

    header = ("Number", "Owner", "SMS holder", "Verdict", "Main reason")
    # Server strings reach a terminal here: control characters become visible escapes.
    lines = [
        tuple(for_terminal(cell) for cell in (
            format_number(row.e164, None) or row.key,
            f"{row.owner.describe()} [{row.owner.kind}]" if row.owner.kind != row.owner.describe() else row.owner.kind,
            row.sms_holder.describe() if row.sms_holder else "—",
            row.verdict_label,
            row.reason_text,
        ))
        for row in rows
    ]
    widths = [
        min(48, max([len(header[i])] + [len(line[i]) for line in lines])) for i in range(4)
    ]

    def fmt(cells: tuple[str, ...]) -> str:
        fixed = [cells[i][: widths[i]].ljust(widths[i]) for i in range(4)]
        return "  ".join([*fixed, cells[4]]).rstrip()

    out = [fmt(header), fmt((*("-" * w for w in widths), "-" * 11))]
    out.extend(fmt(line) for line in lines)
    out.append("")
    out.append(for_terminal(f"{len(rows)} numbers: {summarize(rows).text()}"))
    return "\n".join(out) + "\n"
