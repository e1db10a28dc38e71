"""Placeholder for `rc-sms-desktop send`: replaced by its owner."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    subparsers.add_parser("send", help="(not yet available)")


def run(args: argparse.Namespace) -> int:
    print("not yet available")
    return 2
