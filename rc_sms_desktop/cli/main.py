"""The `rc-sms-desktop` command: subcommands print to the terminal; no subcommand opens the window.

Each subcommand lives in its own module exposing `add_parser(subparsers)` and `run(args) -> int`,
so this file only wires them together and never imports Qt unless the window is asked for.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence

from rc_sms_desktop import __version__
from rc_sms_desktop.cli.demo_user import add_demo_user_option

# Subcommand name -> module under rc_sms_desktop.cli.
SUBCOMMANDS: dict[str, str] = {
    "explain": "rc_sms_desktop.cli.explain",
    "check": "rc_sms_desktop.cli.check",
    "send": "rc_sms_desktop.cli.send",
    "suggest-sender": "rc_sms_desktop.cli.suggest_sender",
    "simulator": "rc_sms_desktop.cli.simulator_command",
    "campaigns": "rc_sms_desktop.cli.campaigns",
    "link-numbers": "rc_sms_desktop.cli.link_numbers",
    "assign-sms": "rc_sms_desktop.cli.assign_sms",
    "install-desktop-entry": "rc_sms_desktop.cli.desktop_entry_command",
}


_DESCRIPTION = (
    "See which of your RingCentral numbers can send SMS, MMS and international SMS, "
    "and why not. With no command, opens the window."
)


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    window = parser.add_argument_group("window options (no command)")
    window.add_argument("--demo", action="store_true", help="open the built-in demo account")
    add_demo_user_option(window)
    window.add_argument(
        "--verbose", action="store_true", help="write detailed logs (secrets are always redacted)"
    )
    window.add_argument(
        "--screenshot",
        metavar="PATH",
        help="after the first complete load, save the main window as a PNG and exit",
    )
    window.add_argument(
        "--screenshot-picker",
        action="store_true",
        help="with --screenshot: take the picture with the “Send from” list open",
    )
    window.add_argument(
        "--server",
        metavar="URL",
        help="open this server's account (e.g. a `simulator --data` capture): signs in with "
        "RC_CLIENT_ID, RC_CLIENT_SECRET and RC_JWT when set, else a session stored for it",
    )
    window.add_argument(
        "--select",
        metavar="NUMBER",
        help="choose this sender at start (E.164 like +16505550101, or a phone-number id)",
    )
    window.add_argument(
        "--color-scheme",
        choices=COLOR_SCHEMES,
        help="light or dark window, or follow the system (the default; also a setting in the "
        "window's View menu)",
    )
    _add_qt_options(parser)


COLOR_SCHEMES = ("system", "light", "dark")

# The options every Qt application accepts, as documented for QGuiApplication and QApplication
# (https://doc.qt.io/qt-6/qguiapplication.html#QGuiApplication,
# https://doc.qt.io/qt-6/qapplication.html#QApplication): (name, metavar or None for a flag, help).
# They are parsed here so that --help lists them and a typo is still an error, then handed to
# QApplication unchanged (`qt_arguments`).
QT_OPTIONS: tuple[tuple[str, str | None, str], ...] = (
    ("-style", "NAME", "the widget style (e.g. fusion, windows)"),
    ("-stylesheet", "FILE", "a Qt style sheet file applied to the window"),
    ("-platform", "NAME", "the platform plugin (xcb, wayland, offscreen, …)"),
    ("-platformtheme", "NAME", "the platform theme"),
    ("-platformpluginpath", "DIR", "where to look for platform plugins"),
    ("-plugin", "NAME", "load this plugin (e.g. evdevtablet)"),
    ("-qwindowgeometry", "WxH+X+Y", "the main window's geometry, e.g. 1100x720+40+40"),
    ("-geometry", "WxH+X+Y", "the same as -qwindowgeometry (X11)"),
    ("-qwindowtitle", "TITLE", "the main window's title"),
    ("-qwindowicon", "FILE", "the main window's icon file"),
    ("-display", "HOST:SCREEN", "the X server display (X11)"),
    ("-session", "ID", "restore this session (session management)"),
    ("-reverse", None, "lay the window out right to left"),
    ("-widgetcount", None, "print how many widgets were left at exit (debugging)"),
    ("-nograb", None, "never grab the mouse or keyboard (debugging)"),
    ("-dograb", None, "grab even under a debugger"),
    ("-sync", None, "run X11 in synchronous mode (debugging)"),
)


def _qt_dest(name: str) -> str:
    return "qt_" + name.lstrip("-")


def _add_qt_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "Qt options (no command)",
        "Passed to Qt as it documents them; -name=value works too.",
    )
    for name, metavar, help_text in QT_OPTIONS:
        if metavar is not None:
            group.add_argument(name, dest=_qt_dest(name), metavar=metavar, help=help_text)
        else:
            group.add_argument(name, dest=_qt_dest(name), action="store_true", help=help_text)


def qt_arguments(args: argparse.Namespace) -> list[str]:
    """The Qt options given on the command line, as QApplication takes them (no program name)."""
    out: list[str] = []
    for name, metavar, _help in QT_OPTIONS:
        value = getattr(args, _qt_dest(name), None)
        if metavar is not None and value is not None:
            out += [name, str(value)]
        elif metavar is None and value:
            out.append(name)
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rc-sms-desktop", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_window_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMANDS.values():
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def window_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The window's options when `argv` only holds those; None when the full parser must decide.

    Building the full parser imports every subcommand's module (the sender, the account scan,
    the simulator's options): ~60 ms that opening the window does not need. Help, the version,
    a subcommand or anything the window does not know goes to the full parser, which also
    writes the error messages.
    """
    if any(token in SUBCOMMANDS or token in ("-h", "--help", "--version") for token in argv):
        return None
    parser = argparse.ArgumentParser(prog="rc-sms-desktop", add_help=False, exit_on_error=False)
    _add_window_options(parser)
    try:
        args, unknown = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    if unknown:
        return None
    args.command = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    tokens = list(sys.argv[1:] if argv is None else argv)
    args = window_arguments(tokens) or build_parser().parse_args(tokens)
    if args.command is None:
        # Before any of the app's dataclasses and most patterns are compiled: what the last
        # start compiled is served from a file (infra/compiled_cache.py, ~30 % of the
        # instructions to the first paint).
        from rc_sms_desktop.infra import compiled_cache

        compiled_cache.install()
        # Start-up allocates only objects that live as long as the window: collecting them
        # while importing cost ~30-50 ms of CPU. `run_window` turns collection back on (and
        # freezes what start-up made) once the window has painted its numbers.
        gc.disable()
        # The window's Qt-free half first: once PySide6 is loaded it reads the source of every
        # module imported after it, looking for "PySide6" (PYSIDE-2029), ~50-70 ms for these.
        import rc_sms_desktop.infra.app_logging
        import rc_sms_desktop.infra.crash_report
        import rc_sms_desktop.ui.window_services  # noqa: F401
        from rc_sms_desktop.ui.app import run_window  # Qt is imported only for the window

        args.qt_options = qt_arguments(args)
        return run_window(args)
    module = importlib.import_module(SUBCOMMANDS[args.command])
    result: int = module.run(args)
    return result


def gui_main() -> None:
    """The `rc-sms-desktop-gui` entry point (no console on Windows): the same command line."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
