"""`rc-sms-desktop install-desktop-entry`: add the app to the Linux desktop menu (pipx installs add none)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    subparsers.add_parser(
        "install-desktop-entry",
        help="add rc-sms-desktop to your desktop's application menu (Linux), with its icons",
        description=(
            "Writes the desktop entry, icons and AppStream metadata under ~/.local/share "
            "(or $XDG_DATA_HOME), pointing at this installation."
        ),
    )


def run(args: argparse.Namespace) -> int:
    from rc_sms_desktop.infra.app_resources import install_desktop_entry

    try:
        written = install_desktop_entry()
    except OSError as error:
        print(f"rc-sms-desktop: could not write the desktop entry: {error.strerror or error}")
        return 1
    for path in written:
        print(path)
    return 0
