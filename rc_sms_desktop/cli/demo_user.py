"""`--demo-user NAME`: who the built-in demo account signs in as (the window and `check`).

`alex` (the default) is an administrator whose list shows every case of the guide; `sam` is a
user whose role lacks business SMS, so every number of his shows `sms-not-permitted`. The names
are the simulator's (simulator/demo_account.py, DEMO_USERS); kept here as plain words so the
command line does not import the simulator to build its help.
"""

from __future__ import annotations

import argparse
from typing import Any

DEMO_USER_CHOICES = ("alex", "sam")


def add_demo_user_option(parser: argparse.ArgumentParser | Any) -> None:
    parser.add_argument(
        "--demo-user",
        choices=DEMO_USER_CHOICES,
        help="with the demo account: sign in as alex (an admin, every case; the default) or sam "
        "(a user whose role lacks SMS); implies --demo",
    )
