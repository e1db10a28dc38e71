"""Child process of the start-up and warm-start scenarios: prints one JSON line and exits.

`window`: the real `rc-sms-desktop --demo` entry point; `bare`: a bare PySide6 window;
`cached URL DIR`: the real window with the verdict cache in DIR and nothing answering at URL.
The time reported is `time.monotonic()` (system-wide on Linux) at the first paint of the window
once it shows numbers; the parent subtracts the moment it started the process.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def _report(**values: Any) -> None:
    print(json.dumps(values), flush=True)


def bare() -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Hello"))
    window.resize(1100, 720)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
                self.seen = True
                _report(first_paint=time.monotonic())
                QTimer.singleShot(0, app.quit)
            return False

    spy = FirstPaint()
    app.installEventFilter(spy)
    window.show()
    return app.exec()


def real_window(argv: list[str], services: Any = None) -> int:
    """Run the real `rc-sms-desktop` entry point, noting the first paint with numbers shown.

    Nothing of the app is imported before its entry point runs (it decides what start-up
    imports, and when): the paint is spotted by an event filter on the app's own QApplication,
    which is swapped for a subclass that installs it.
    """
    from PySide6 import QtWidgets
    from PySide6.QtCore import QEvent, QObject

    marks: dict[str, float] = {}

    def main_window() -> Any:
        window_type = sys.modules["rc_sms_desktop.ui.main_window"].MainWindow
        for widget in QtWidgets.QApplication.topLevelWidgets():
            if isinstance(widget, window_type):
                return widget
        return None

    class PopulatedPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "populated_paint" not in marks:
                window = main_window()
                if window is not None and window.sender_model.rowCount() > 0:
                    marks["populated_paint"] = time.monotonic()
                    marks["rows"] = window.sender_model.rowCount()
                    window.request_close()
            return False

    spy = PopulatedPaint()

    class SpiedApplication(QtWidgets.QApplication):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self.installEventFilter(spy)
            if services is not None:
                # The window's outside world, replaced the way its tests replace it.
                ui_app = sys.modules["rc_sms_desktop.ui.app"]
                setattr(ui_app, "default_services", lambda _settings: services)  # noqa: B010

    QtWidgets.QApplication = SpiedApplication  # type: ignore[misc, assignment]
    from rc_sms_desktop.cli.main import main

    code = main(argv)
    _report(first_paint=marks.get("populated_paint"), rows=marks.get("rows"), exit_code=code)
    return 0


def main() -> int:
    mode = sys.argv[1]
    if mode == "bare":
        return bare()
    if mode == "window":
        return real_window(["--demo"])
    if mode == "cached":
        from pathlib import Path

        from benchmarks.bench_services import ServedSimulatorServices

        services = ServedSimulatorServices(sys.argv[2], cache_dir=Path(sys.argv[3]), offline=True)
        return real_window([], services)
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    sys.exit(main())
