"""`rc-sms-desktop explain FILE`: explain saved RingCentral data offline, without signing in.

FILE is JSON of the form::

    {"phoneNumbers": <body of listExtensionPhoneNumbers (or its records list)>,
     "smsConfigurations": {"<phone number id>": <body of sms-configuration>, ...},
     "extension": <body of readExtension, optional>}

A number missing from `smsConfigurations` was not fetched; `null` there means the fetch failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rc_sms_desktop.core.eligibility import (
    ConfigState,
    State,
    Verdict,
    evaluate,
    needs_configuration,
)
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.models import (
    MalformedPage,
    SmsConfiguration,
    parse_extension,
    parse_page,
    parse_phone_number,
    parse_sms_configuration,
)
from rc_sms_desktop.core.number_kinds import number_kind
from rc_sms_desktop.core.text_safety import for_terminal

_MARKS = {State.READY: "yes", State.BLOCKED: "no", State.UNKNOWN: "?"}


class InputError(Exception):
    """The explain file cannot be used; the message names the problem in plain words."""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain saved phone-number data: which numbers can text, and why not",
        description=(
            "Read saved RingCentral responses from FILE and explain, for each phone number, "
            "whether it can send SMS, MMS and international SMS, why not, and who can fix it."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="JSON with phoneNumbers, smsConfigurations, extension")
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table for people (default), json for scripts",
    )


# The biggest capture a support case needs: an account of ~20,000 numbers with their
# sms-configuration bodies is ~40 MB of JSON; 64 MiB leaves a margin and bounds memory.
MAX_INPUT_BYTES = 64 << 20


def load_input(path: Path) -> tuple[list[Verdict], str | None]:
    """Read FILE and evaluate every number; raises `InputError` for an unusable file."""
    try:
        # Read at most the cap (plus one byte to know it was exceeded), in chunks: `/dev/zero` or
        # a FIFO that never ends stops at the cap instead of filling memory.
        with path.open("rb") as stream:
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_INPUT_BYTES:
                chunk = stream.read(min(1 << 20, MAX_INPUT_BYTES + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        if size > MAX_INPUT_BYTES:
            raise InputError(f"larger than {MAX_INPUT_BYTES // (1 << 20)} MiB, the most explain reads")
        text = b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InputError("not usable JSON (nested too deeply)") from None
    except ValueError as exc:
        # Python refuses integers of more than 4,300 digits (int_max_str_digits): one line, not a traceback.
        raise InputError(f"not usable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object with phoneNumbers, got {type(data).__name__}")
    if "phoneNumbers" not in data:
        raise InputError("no phoneNumbers key (expected the body of listExtensionPhoneNumbers)")
    numbers_body = data["phoneNumbers"]
    if isinstance(numbers_body, list):
        records: list[Any] = numbers_body
    else:
        try:
            records = parse_page(numbers_body).records
        except MalformedPage as exc:
            raise InputError(f"phoneNumbers is not a list of phone numbers: {exc}") from None
    configs = data.get("smsConfigurations")
    if configs is None:
        configs = {}
    if not isinstance(configs, dict):
        raise InputError("smsConfigurations must be an object keyed by phone number id")

    owner = None
    user = None  # the user's serviceFeatures: their role may forbid SMS on every number
    extension_body = data.get("extension")
    if extension_body is not None:
        extension = parse_extension(extension_body)
        user = extension.service_features
        if extension.problem is None:
            parts = [part for part in (extension.name, extension.extension_number) if part]
            owner = " ext. ".join(parts) if parts else None

    verdicts = []
    for raw in records:
        number = parse_phone_number(raw)
        config: SmsConfiguration | None = None
        if not needs_configuration(number):
            state = ConfigState.NOT_NEEDED
            if number.id in configs and configs[number.id] is not None:
                config = parse_sms_configuration(configs[number.id])
        elif number.id not in configs:
            state = ConfigState.NOT_LOADED
        elif configs[number.id] is None:
            state = ConfigState.FAILED
        else:
            state = ConfigState.LOADED
            config = parse_sms_configuration(configs[number.id])
        verdicts.append(evaluate(number, config, config_state=state, user=user))
    return verdicts, owner


def render_table(verdicts: Sequence[Verdict], owner: str | None) -> str:
    """Aligned, one line per number: number, kind, SMS/MMS/Intl marks and the main reason."""
    header = ("NUMBER", "KIND", "SMS", "MMS", "INTL", "WHY")
    rows = []
    for verdict in verdicts:
        number = verdict.number
        shown = format_number(number.phone_number) or f"(id {number.id or '?'})"
        main = verdict.main_reason
        why = verdict.headline if main is None else f"{verdict.headline}. {main.message}"
        # Server strings reach a terminal here: control characters become visible escapes.
        rows.append((
            for_terminal(shown),
            for_terminal(number_kind(number)),
            _MARKS[verdict.sms],
            _MARKS[verdict.mms],
            _MARKS[verdict.international],
            for_terminal(why),
        ))
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    lines = []
    if owner:
        lines.append(f"Phone numbers of {for_terminal(owner)}")
    for row in (header, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    if not rows:
        lines.append("(no phone numbers)")
    lines.append("yes = ready, no = blocked, ? = not checked yet")
    return "\n".join(lines) + "\n"


def render_json(verdicts: Sequence[Verdict]) -> str:
    """A JSON array, one object per record in input order (`Verdict.to_json`)."""
    return json.dumps([verdict.to_json() for verdict in verdicts], indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        verdicts, owner = load_input(path)
    except InputError as exc:
        sys.stderr.write(f"rc-sms-desktop explain: {path}: {exc}\n")
        return 2
    write_stdout(render_json(verdicts) if args.format == "json" else render_table(verdicts, owner))
    return 0


def write_stdout(text: str) -> None:
    """Print a command's result: never a traceback for a narrow terminal or a closed pipe."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        # Typographic quotes must not crash a terminal with a narrow encoding.
        reconfigure(errors="replace")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # `… | head` closed the pipe: not an error worth a traceback. Point stdout at devnull so
        # the interpreter's final flush does not complain either.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
