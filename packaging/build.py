"""Build the one-folder bundle with PyInstaller, then smoke-test it (what `make package` runs).

    .venv/bin/python packaging/build.py               # build dist/rc-sms-desktop/, then test it
    .venv/bin/python packaging/build.py --skip-build  # only re-run the smoke tests

The smoke tests are `tests/packaging/` (pytest, marker `packaging`), pointed at the bundle through
RC_SMS_BUNDLE: the built binary's `--version` and `--help`, `--demo --screenshot out.png`
offscreen producing a PNG, and the bundle holding keyring's backends, the Qt plugins and icons.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "rc-sms-desktop.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUNDLE = DIST / "rc-sms-desktop"


def run(command: list[str], **kwargs: object) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="reuse dist/rc-sms-desktop")
    parser.add_argument("--no-tests", action="store_true", help="build only")
    args = parser.parse_args(argv)

    # Stale package data would ship stale icons: refuse rather than build a wrong bundle.
    run([sys.executable, "packaging/render_icons.py", "--check"])
    if not args.skip_build:
        started = time.monotonic()
        run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--clean",
                "--log-level=WARN",
                "--distpath",
                str(DIST),
                "--workpath",
                str(WORK),
                str(SPEC),
            ]
        )
        # Symlinks (PyInstaller links shared libraries into _internal/) are not counted twice.
        size = sum(
            f.stat().st_size for f in BUNDLE.rglob("*") if f.is_file() and not f.is_symlink()
        )
        print(f"built {BUNDLE} in {time.monotonic() - started:.0f} s, {size / 1e6:.0f} MB")
    if args.no_tests:
        return 0
    env = {**os.environ, "RC_SMS_PACKAGING": "1", "RC_SMS_BUNDLE": str(BUNDLE)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            "packaging",
            "-p",
            "no:cacheprovider",
            "tests/packaging",
        ],
        cwd=ROOT,
        env=env,
    )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
