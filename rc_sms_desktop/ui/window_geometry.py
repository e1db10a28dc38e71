"""Put the main window back where the user left it, or somewhere sensible when that fails."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from rc_sms_desktop.infra.settings import DEFAULT_WINDOW_SIZE, Settings


def restore_window_geometry(
    window: QWidget, settings: Settings, default_size: tuple[int, int] = DEFAULT_WINDOW_SIZE
) -> bool:
    """Restore `window` from `settings.window_geometry`; return False when it fell back.

    Falls back to `default_size` (shrunk to fit) centred on the primary screen when nothing is
    stored, Qt rejects the bytes, or less than a 100×40 px corner of the window would be on a
    screen. Call before `show()`; save with `settings.window_geometry = bytes(window.saveGeometry())`
    in `closeEvent`.
    """
    stored = settings.window_geometry
    if stored is not None and window.restoreGeometry(QByteArray(stored)):
        frame = window.frameGeometry()
        for screen in QGuiApplication.screens():
            visible = frame.intersected(screen.availableGeometry())
            if visible.width() >= 100 and visible.height() >= 40:
                return True
    window.setWindowState(Qt.WindowState.WindowNoState)
    screen = QGuiApplication.primaryScreen()
    available = screen.availableGeometry() if screen is not None else QRect(0, 0, *default_size)
    width = min(default_size[0], available.width())
    height = min(default_size[1], available.height())
    window.resize(width, height)
    window.move(
        available.x() + (available.width() - width) // 2,
        available.y() + (available.height() - height) // 2,
    )
    return False
