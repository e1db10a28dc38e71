"""`rc-sms-desktop simulator`: serve the RingCentral simulator on loopback for tests and demos."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rc_sms_desktop.simulator.capture import load_capture
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.simulator.faults import parse_faults


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def _faults(text: str) -> str:
    try:
        parse_faults(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulator",
        help="serve a simulated RingCentral (demo account) on loopback",
        description=(
            "Serve a faithful RingCentral simulator with the demo account. It prints "
            "RC_SERVER_URL, RC_CLIENT_ID, RC_CLIENT_SECRET and RC_JWT (the demo credentials it "
            "accepts), then serves until interrupted."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=_non_negative_int, default=8765,
                        help="port; 0 picks a free one (default 8765)")
    parser.add_argument("--rate-limits", choices=("production", "off"), default="production",
                        help="RingCentral's default plan, or no limits and no headers")
    parser.add_argument("--rate-window-s", type=_positive_float, default=60.0, metavar="S",
                        help="rate-limit window and penalty in seconds (default 60)")
    parser.add_argument("--latency-ms", type=float, default=0.0, metavar="N",
                        help="delay every response by N ms")
    parser.add_argument("--faults", type=_faults, default="", metavar="SPEC",
                        help="e.g. 500:0.1,503:0.05,reset:0.05,badjson:0.05,slow:0.02,429:0.02")
    parser.add_argument("--slow-s", type=float, default=10.0, metavar="S",
                        help="how long a `slow` fault holds a response (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed for repeatable faults")
    parser.add_argument("--token-prefix", default="", metavar="P",
                        help="every access and refresh token starts with P")
    parser.add_argument("--access-token-ttl-s", type=_positive_int, default=3600,
                        metavar="S", help="access token lifetime (default 3600)")
    parser.add_argument("--user-numbers", type=_non_negative_int, metavar="N",
                        help="the signed-in user's list holds exactly N numbers")
    parser.add_argument("--account-numbers", type=_non_negative_int, metavar="N",
                        help="grow the account to N numbers")
    parser.add_argument("--extensions", type=_non_negative_int, metavar="M",
                        help="grow the account to M extensions")
    parser.add_argument("--not-admin", action="store_true",
                        help="the signed-in demo user is not an administrator")
    parser.add_argument("--delivery-delay-s", type=float, default=1.0, metavar="S",
                        help="Queued → Sent after S seconds, final status after 2×S")
    parser.add_argument("--data", metavar="FILE", default="",
                        help="serve FILE (a capture, explain's input format) as the signed-in "
                             "user's account; optional keys accountPhoneNumbers, extensions and "
                             "extensionPhoneNumbers give the account-wide data (see README)")
    parser.add_argument("--provisioning-s", type=float, default=3.0, metavar="S",
                        help="after linking a number to a campaign, S seconds until it can "
                             "text (default 3; 0 for at once)")


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    return SimulatorConfig(
        rate_limits=args.rate_limits,
        rate_window_s=args.rate_window_s,
        latency_ms=args.latency_ms,
        faults=args.faults,
        slow_fault_s=args.slow_s,
        seed=args.seed,
        token_prefix=args.token_prefix,
        access_token_ttl_s=args.access_token_ttl_s,
        user_numbers=args.user_numbers,
        account_numbers=args.account_numbers,
        extensions=args.extensions,
        admin=not args.not_admin,
        delivery_delay_s=args.delivery_delay_s,
        provisioning_s=args.provisioning_s,
        data_path=args.data,
    )


def run(args: argparse.Namespace) -> int:
    from rc_sms_desktop.simulator.server import serve  # uvicorn only when serving

    try:
        config = config_from_args(args)
        if config.data_path:
            load_capture(Path(config.data_path))  # one line now, not a traceback at start
    except ValueError as error:  # CaptureError is one
        print(f"rc-sms-desktop simulator: {error}", file=sys.stderr)
        return 2
    try:
        serve(config, host=args.host, port=args.port)
    except OSError as error:
        print(f"rc-sms-desktop simulator: cannot listen on {args.host}:{args.port}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 1
    return 0
