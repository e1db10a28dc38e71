"""The `rc-sms-desktop` command line: the window's fast path agrees with the full parser."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

from rc_sms_desktop import __version__
from rc_sms_desktop.cli.main import build_parser, main, window_arguments

WINDOW_ARGV = [
    ["--demo"],
    [],
    ["--demo", "--screenshot", "out.png", "--screenshot-picker", "--select", "+16505550101"],
    ["--verbose", "--select=+16505550101"],
    ["--verb"],  # argparse's abbreviations work the same on both paths
    ["--demo-user", "sam", "--screenshot", "out.png"],
]


@pytest.mark.parametrize("argv", WINDOW_ARGV)
def test_window_options_parse_the_same_on_the_fast_path(argv: list[str]) -> None:
    fast = window_arguments(argv)
    assert fast is not None
    assert vars(fast) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [["check", "--demo"], ["--demo", "explain", "x.json"], ["--help"], ["-h"], ["--version"],
     ["--bogus"], ["chek"], ["--select"]],
)
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    assert window_arguments(argv) is None


def test_a_mistyped_command_gets_the_full_parsers_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["chek"])
    assert exited.value.code == 2
    assert "invalid choice: 'chek'" in capsys.readouterr().err


def test_an_unknown_option_is_refused_not_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--demo", "--bogus"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_version_is_the_installed_packages(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"rc-sms-desktop {__version__}"
    # pyproject.toml takes its version from the package: the installed metadata agrees.
    assert importlib.metadata.version("rc-sms-desktop") == __version__


def test_parsing_window_options_imports_no_subcommand() -> None:
    # Opening the window must not pay for the sender, the account scan or the simulator options.
    code = (
        "import sys; from rc_sms_desktop.cli.main import SUBCOMMANDS, window_arguments;"
        "assert window_arguments(['--demo']) is not None;"
        "print(sorted(m for m in SUBCOMMANDS.values() if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_window_option_without_its_value_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--select"])
    assert exited.value.code == 2
    assert "--select: expected one argument" in capsys.readouterr().err
