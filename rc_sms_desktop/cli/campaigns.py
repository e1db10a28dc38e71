"""`rc-sms-desktop campaigns`: the account's TCR brands and campaigns, and the numbers the last
account scan saw linked to each (`check --account` makes that scan)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from rc_sms_desktop.api.errors import ApiError
from rc_sms_desktop.cli import fix_support as fs
from rc_sms_desktop.core.registrations import (
    TcrBrand,
    TcrCampaign,
    brand_advice,
    brand_status_words,
    campaign_advice,
    campaign_status_words,
    tier_words,
    use_case_lines,
)
from rc_sms_desktop.workflows import fixes

PROG = "rc-sms-desktop campaigns"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "campaigns", help="list the account's TCR brands and campaigns",
        description="List the account's 10DLC brands and campaigns: status, tier, use cases, "
                    "errors, and the numbers the last `check --account` scan saw linked.")
    fs.add_common(parser, write=False)


def to_json(registrations: Sequence[tuple[TcrBrand, Sequence[TcrCampaign]]]) -> list[Any]:
    return [{"brand": {"id": brand.id, "name": brand.name, "status": brand.status},
             "campaigns": [{"id": c.id, "name": c.name, "status": c.status,
                            "registrationTier": c.registration_tier,
                            "useCases": list(c.use_cases), "errors": list(c.errors),
                            "numbers": list(c.numbers)} for c in campaigns]}
            for brand, campaigns in registrations]


def render_table(registrations: Sequence[tuple[TcrBrand, Sequence[TcrCampaign]]],
                 as_of: str | None) -> str:
    lines: list[str] = []
    for brand, campaigns in registrations:
        lines.append(f"Brand {brand.id}: {brand.name} — {brand_status_words(brand.status)}")
        advice = brand_advice(brand)
        if advice:
            lines.append(f"  {advice}")
        lines += [f"  error: {e}" for e in brand.errors]
        for c in campaigns:
            lines.append(f"  Campaign {c.id}: {c.name} — {campaign_status_words(c.status)}")
            lines.append(f"    {tier_words(c.registration_tier)}; registered "
                         f"{c.registration_time or 'at an unknown time'}")
            lines += [f"    use: {u}" for u in use_case_lines(c.use_cases)]
            lines += [f"    error: {e}" for e in c.errors]
            advice = campaign_advice(c)
            if advice:
                lines.append(f"    {advice}")
            numbers = ", ".join(fs.shown(n) for n in c.numbers)
            known = f" (as of {as_of})" if as_of else " (no account scan yet)"
            lines.append(f"    numbers{known}: {numbers or 'none seen'}")
    return "\n".join(fs.terminal_text(line) for line in lines) + "\n"


async def linked_from_last_scan(args: argparse.Namespace,
                                client: Any) -> tuple[dict[str, list[str]], str | None]:
    """Campaign id -> numbers from the saved `check --account` scan of this server and user."""
    if getattr(args, "demo", False):
        return {}, None
    from rc_sms_desktop.cli.account_check import _state_for
    from rc_sms_desktop.workflows.scan_state import load_state_in_slices

    path = _state_for(args, client)
    state = await load_state_in_slices(path) if path is not None and path.is_file() else None
    if state is None:
        return {}, None
    return linked_numbers(state.configs), state.finished_at or state.started_at


def linked_numbers(configs: Mapping[str, Any]) -> dict[str, list[str]]:
    linked: dict[str, list[str]] = {}
    for entry in configs.values():
        raw = entry.get("raw") if isinstance(entry, dict) else None
        info = raw.get("smsCampaignInfo") if isinstance(raw, dict) else None
        number = raw.get("phoneNumber") if isinstance(raw, dict) else None
        if isinstance(info, dict) and isinstance(number, str) and info.get("id") is not None:
            linked.setdefault(str(info["id"]), []).append(number)
    return linked


async def campaigns_command(args: argparse.Namespace, *,
                            open_client: fs.ClientOpener = fs.open_client,
                            out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        client = await open_client(args)
    except fs.SignInFailed as error:
        sys.stderr.write(f"{PROG}: {error}\n")
        return fs.EXIT_SIGN_IN
    async with client:
        try:
            linked, as_of = await linked_from_last_scan(args, client)
            registrations = await fixes.read_registrations(client, linked)
        except ApiError as error:
            problem = fixes.api_problem(error, "link-numbers")
            sys.stderr.write(f"{PROG}: {problem.message} {problem.fix}\n")
            return fs.EXIT_FAILED if error.status == 403 else fs.EXIT_SIGN_IN
    if args.format == "json":
        out.write(json.dumps(to_json(registrations), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render_table(registrations, as_of))
    return 0


def run(args: argparse.Namespace) -> int:
    return fs.run_async(lambda: campaigns_command(args), PROG)
