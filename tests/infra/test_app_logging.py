"""The log file: in the platform log directory, rotated, with secrets masked in every part."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from rc_sms_desktop.infra import app_logging
from rc_sms_desktop.infra.app_logging import (
    LOG_FILE_NAME,
    configure_logging,
    level_from,
    reset_logging,
)
from rc_sms_desktop.ui.qt_messages import route_qt_messages


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    yield tmp_path
    reset_logging()
    root.setLevel(level)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def all_log_text(directory: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return "".join(
        p.read_text(encoding="utf-8") for p in sorted(directory.glob(f"{LOG_FILE_NAME}*"))
    )


def test_default_log_directory_is_the_platform_user_log_dir() -> None:
    # conftest points XDG_STATE_HOME at a sandbox; platformdirs puts logs under it on Linux.
    assert app_logging.log_dir().name == "log"
    assert "rc-sms-desktop" in app_logging.log_dir().parts


def test_log_file_is_written_where_configure_logging_says(log_dir: Path) -> None:
    path = configure_logging(directory=log_dir, console=False)
    logging.getLogger("rc_sms_desktop.test").info("numbers loaded: 12")
    assert path == log_dir / LOG_FILE_NAME
    assert "numbers loaded: 12" in all_log_text(log_dir)


def test_log_file_rotates_and_keeps_a_bounded_number_of_backups(log_dir: Path) -> None:
    configure_logging(directory=log_dir, console=False, max_bytes=2_000, backup_count=2)
    log = logging.getLogger("rc_sms_desktop.test")
    for n in range(200):
        log.info("line %03d padding padding padding padding", n)
    files = sorted(p.name for p in log_dir.glob(f"{LOG_FILE_NAME}*"))
    assert files == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1", f"{LOG_FILE_NAME}.2"]
    assert all((log_dir / name).stat().st_size <= 2_000 for name in files)
    assert "line 199" in (log_dir / LOG_FILE_NAME).read_text(encoding="utf-8")


def test_secrets_are_masked_in_messages_arguments_and_tracebacks(log_dir: Path) -> None:
    configure_logging(directory=log_dir, console=False, verbose=True)
    sentinel = f"AT-SENTINEL-{uuid.uuid4().hex}"
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJTRU5USU5FTCJ9.c2lnbmF0dXJlU0VOVElORUw"
    log = logging.getLogger("rc_sms_desktop.test")
    log.debug("request headers: %s", {"Authorization": f"Bearer {sentinel}"})
    log.info("token body: access_token=%s&token_type=bearer", sentinel)
    log.info('response: {"refresh_token": "%s", "expires_in": 3600}', sentinel)
    log.warning("assertion %s rejected", jwt)
    try:
        raise RuntimeError(f"server said: client_secret={sentinel}")
    except RuntimeError:
        log.exception("sign-in failed")
    log.info("stack", stack_info=True, extra={})
    text = all_log_text(log_dir)
    assert sentinel not in text
    assert jwt not in text
    # The records themselves survive, only the secrets are gone.
    assert "token_type=bearer" in text
    assert "sign-in failed" in text and "RuntimeError: server said" in text
    assert '"expires_in": 3600' in text


def test_library_loggers_that_print_urls_stay_quiet_unless_verbose(log_dir: Path) -> None:
    configure_logging(directory=log_dir, console=False)
    logging.getLogger("httpx").info("HTTP Request: GET https://platform.example/restapi/v1.0")
    logging.getLogger("httpx").warning("connection reset")
    text = all_log_text(log_dir)
    assert "HTTP Request" not in text
    assert "connection reset" in text


def test_forged_log_lines_from_server_text_are_neutralised(log_dir: Path) -> None:
    configure_logging(directory=log_dir, console=False)
    server_text = "bad number\r\n2026-01-01 00:00:00,000 ERROR   forged record\x1b[31m"
    logging.getLogger("rc_sms_desktop.test").warning("server message: %s", server_text)
    lines = all_log_text(log_dir).splitlines()
    assert not any(line.startswith("2026-01-01") for line in lines)
    assert "\x1b" not in "".join(lines)


def test_calling_configure_twice_does_not_duplicate_records(log_dir: Path) -> None:
    configure_logging(directory=log_dir, console=False)
    configure_logging(directory=log_dir, console=False)
    logging.getLogger("rc_sms_desktop.test").info("once")
    assert all_log_text(log_dir).count("once") == 1


def test_unwritable_log_directory_does_not_stop_the_app(log_dir: Path) -> None:
    blocker = log_dir / "not-a-dir"
    blocker.write_text("a file where the directory should be")
    assert configure_logging(directory=blocker / "log", console=False) is None
    logging.getLogger("rc_sms_desktop.test").info("still running")  # must not raise


@pytest.mark.parametrize(
    ("verbose", "env", "expected"),
    [
        (False, {}, logging.INFO),
        (True, {}, logging.DEBUG),
        (False, {app_logging.LOG_LEVEL_ENV: "debug"}, logging.DEBUG),
        (True, {app_logging.LOG_LEVEL_ENV: "WARNING"}, logging.WARNING),
        (False, {app_logging.LOG_LEVEL_ENV: "nonsense"}, logging.INFO),
    ],
)
def test_level_comes_from_environment_then_verbose_flag(
    verbose: bool, env: dict[str, str], expected: int
) -> None:
    assert level_from(verbose, env) == expected


def test_qt_messages_reach_the_log_file_redacted(log_dir: Path, qtbot: QtBot) -> None:
    from PySide6.QtCore import qDebug, qInstallMessageHandler

    configure_logging(directory=log_dir, console=False, verbose=True)
    route_qt_messages()
    sentinel = f"QT-SENTINEL-{uuid.uuid4().hex}"
    try:
        qDebug(f"network reply header Authorization: Bearer {sentinel}")
    finally:
        qInstallMessageHandler(None)
    text = all_log_text(log_dir)
    assert "qt [MainThread] [default] network reply header" in text
    assert sentinel not in text


@pytest.mark.qt_log_ignore("Paint device returned engine")  # emitted on purpose below
def test_offscreen_platform_limitations_are_debug_not_warnings(log_dir: Path) -> None:
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    configure_logging(directory=log_dir, console=False)  # INFO: DEBUG lines are not written
    route_qt_messages()
    try:
        qWarning("This plugin does not support propagateSizeHints()")
        qWarning("QPainter::begin: Paint device returned engine == 0")
    finally:
        qInstallMessageHandler(None)
    text = all_log_text(log_dir)
    assert "propagateSizeHints" not in text
    assert "WARNING qt" in text and "Paint device returned engine" in text
