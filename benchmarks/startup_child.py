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
from collections.abc import Callable
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


def after_import(name: str, patch: Callable[[Any], None]) -> None:
    """Call `patch(module)` right after `name` is first imported, whoever imports it."""
    import importlib.abc
    import importlib.machinery

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is None or spec.loader is None:
                return spec
            loader = spec.loader
            original = loader.exec_module

            def exec_module(module: Any) -> None:
                original(module)
                patch(module)

            loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, Finder())


def real_window(argv: list[str], services: Any = None) -> int:
    """Run the real `rc-sms-desktop` entry point, noting the first paint with numbers shown.

    Nothing is imported before the entry point runs (it decides what start-up imports, and in
    which order): the paint is spotted by an event filter that a patched `ui.app._application`
    installs on the app's own QApplication as soon as it exists.
    """
    marks: dict[str, float] = {}

    def patch_app(ui_app: Any) -> None:
        from PySide6.QtCore import QEvent, QObject
        from PySide6.QtWidgets import QApplication

        window_type = sys.modules["rc_sms_desktop.ui.main_window"].MainWindow

        class PopulatedPaint(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and "populated_paint" not in marks:
                    for window in QApplication.topLevelWidgets():
                        if isinstance(window, window_type) and window.sender_model.rowCount():
                            marks["populated_paint"] = time.monotonic()
                            marks["rows"] = window.sender_model.rowCount()
                            window.request_close()
                            break
                return False

        original = ui_app._application
        spy: list[QObject] = []

        def application(*args: Any) -> QApplication:  # the Qt options, if any
            app: QApplication = original(*args)
            spy.append(PopulatedPaint())
            app.installEventFilter(spy[0])
            return app

        ui_app._application = application
        if services is not None:
            # The window's outside world, replaced the way its tests replace it.
            ui_app.default_services = lambda _settings: services

    after_import("rc_sms_desktop.ui.app", patch_app)
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
