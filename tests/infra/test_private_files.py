"""The app's files are 0600 and its folders 0700, the log and crash reports too (issue #15, point 8)."""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

import pytest

from rc_sms_desktop.infra.app_logging import configure_logging, reset_logging
from rc_sms_desktop.infra.crash_report import install_crash_handler

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_log_files_and_their_folder_are_private_even_with_an_open_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        directory = tmp_path / "logs"
        configure_logging(directory=directory, console=False, max_bytes=200, backup_count=2)
        for index in range(20):
            logging.getLogger("rc_sms_desktop.test").warning("line %d of the log", index)
    finally:
        reset_logging()
        os.umask(old)
    files = sorted(directory.iterdir())
    assert len(files) >= 2  # rotated at least once
    assert mode(directory) == 0o700
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}


def test_crash_reports_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        handler = install_crash_handler(directory=tmp_path / "crash")
        try:
            raise RuntimeError("boom")
        except RuntimeError as error:
            report = handler.report(type(error), error, error.__traceback__)
    finally:
        handler.uninstall()
        os.umask(old)
    assert report is not None and mode(report) == 0o600
    assert all(mode(f) == 0o600 for f in (tmp_path / "crash").iterdir())
    assert mode(tmp_path / "crash") == 0o700
