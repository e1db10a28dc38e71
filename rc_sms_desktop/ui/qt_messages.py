"""Qt's own messages (qWarning, plugin and platform messages) into Python logging, redacted."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

# "This plugin does not support propagateSizeHints()/raise()/grabbing the keyboard": harmless.
_PLATFORM_LIMITATION = "This plugin does not support"


def route_qt_messages() -> None:
    """Send Qt's own warnings (qWarning, plugin and platform messages) to the `qt` logger, so
    they reach the log file through the same redaction. Call after creating the QApplication.

    The handler that was installed before (e.g. pytest-qt's capture) still receives every
    message; the default handler is not called again, since stderr already gets warnings.
    """
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }
    qt_log = logging.getLogger("qt")
    previous: Any = None

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        category = getattr(context, "category", None) or "default"
        level = levels.get(kind, logging.WARNING)
        if message.startswith(_PLATFORM_LIMITATION):
            level = logging.DEBUG  # the offscreen platform (screenshots, CI) says so on every window
        qt_log.log(level, "[%s] %s", category, message)
        if previous is not None:
            previous(kind, context, message)

    previous = qInstallMessageHandler(handler)
