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
    label = QLabel("Hello")
    window.setCentralWidget(label)
    window.resize(1100, 720)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
                self.seen = True
                _report(first_paint=time.monotonic())
                QTimer.singleShot(0, app.quit)
            return False

    spy = FirstPaint()
    # On the label, as the app's spy watches its picker: an application-wide filter would make
    # every event of the process cross into Python.
    label.installEventFilter(spy)
    window.show()
    return app.exec()


def after_import(name: str, patch: Callable[[Any], None]) -> None:
    """Call `patch(module)` right after `name` is first imported, whoever imports it."""
    import importlib.machinery

    # A finder by protocol: subclassing importlib.abc.MetaPathFinder would import importlib.abc
    # (with importlib.resources, tempfile, zipfile: ~4 ms), a cost of the benchmark, not the app.
    class Finder:
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


def real_window(argv: list[str], services: Any = None, *, complete: bool = False) -> int:
    """Run the real `rc-sms-desktop` entry point, noting the first paint with numbers shown.

    Nothing is imported before the entry point runs (it decides what start-up imports, and in
    which order). The paint is spotted by an event filter on the window's "Send from" picker,
    installed by a patched `ui.app.install_views_after_first_paint` (which the app calls with
    its window before showing it); no application-wide filter, which would make every event
    of the process cross into Python.

    `complete`: at that first paint, open the Account tab as a user would, then (once it has
    painted as the real view) the Campaigns tab, then go back to "Send from"; note when every
    view is usable: the compose panel and the later tabs are their real views and have all
    painted (`complete_paint`).
    """
    marks: dict[str, float] = {}
    views: list[str] = []  # the views painted when complete

    def patch_app(ui_app: Any) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        original = ui_app.install_views_after_first_paint
        spies: list[QObject] = []

        def install(window: Any) -> Any:
            task = original(window)
            painted: set[str] = set()
            # The tabs after "Send from", as the app reserves them (the Campaigns tab, #17, if any).
            later_tabs = {ui_app.ACCOUNT_TAB_TITLE: "account",
                          getattr(ui_app, "CAMPAIGNS_TAB_TITLE", None): "campaigns"}

            def tab_index(name: str) -> int:
                for index in range(window.tabs.count()):
                    if later_tabs.get(window.tabs.tabText(index)) == name:
                        return index
                return -1

            def open_next() -> None:
                # The user opens each tab in turn, then comes back to "Send from".
                for name in ("account", "campaigns"):
                    if name not in painted and tab_index(name) >= 0:
                        window.tabs.setCurrentIndex(tab_index(name))
                        return
                window.tabs.setCurrentIndex(0)

            class RealViewPaint(QObject):
                def __init__(self, name: str) -> None:
                    super().__init__()
                    self.name = name

                def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                    if event.type() == QEvent.Type.Paint and self.name not in painted:
                        painted.add(self.name)
                        wanted = {"compose"} | {n for n in ("account", "campaigns")
                                                if tab_index(n) >= 0}
                        if painted >= wanted:
                            marks["complete_paint"] = time.monotonic()
                            views.extend(sorted(painted))
                            window.request_close()
                        elif self.name != "compose":
                            QTimer.singleShot(0, open_next)
                    return False

            def watched(name: str | None, put: Any) -> Any:
                # The views replace their placeholders through these extension points.
                def put_and_watch(view: Any, *args: Any) -> Any:
                    # A container widget may draw nothing itself: any of its widgets painting
                    # means the view is on screen.
                    from PySide6.QtWidgets import QWidget

                    view_name = name or later_tabs.get(args[0] if args else None)
                    if view_name is not None:
                        spies.append(RealViewPaint(view_name))
                        for widget in (view, *view.findChildren(QWidget)):
                            widget.installEventFilter(spies[-1])
                    return put(view, *args)

                return put_and_watch

            class PopulatedPaint(QObject):
                def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                    if (
                        event.type() == QEvent.Type.Paint
                        and "populated_paint" not in marks
                        and window.sender_model.rowCount()
                    ):
                        marks["populated_paint"] = time.monotonic()
                        marks["rows"] = window.sender_model.rowCount()
                        if complete:  # the user opens the Account tab
                            QTimer.singleShot(0, open_next)
                        else:
                            window.request_close()
                    return False

            spies.append(PopulatedPaint())
            window.sender_combo.installEventFilter(spies[-1])
            if complete:
                window.set_compose_panel = watched("compose", window.set_compose_panel)
                window.add_tab = watched(None, window.add_tab)
            return task

        ui_app.install_views_after_first_paint = install
        if services is not None:
            # The window's outside world, replaced the way its tests replace it.
            ui_app.default_services = lambda _settings, _demo_user=None: services

    after_import("rc_sms_desktop.ui.app", patch_app)
    from rc_sms_desktop.cli.main import main

    code = main(argv)
    _report(first_paint=marks.get("populated_paint"), rows=marks.get("rows"),
            complete=marks.get("complete_paint"), views=views, exit_code=code)
    return 0


def main() -> int:
    mode = sys.argv[1]
    if mode == "bare":
        return bare()
    if mode == "window":
        return real_window(["--demo"])
    if mode == "complete":
        return real_window(["--demo"], complete=True)
    if mode == "cached":
        from pathlib import Path

        from benchmarks.bench_services import ServedSimulatorServices

        services = ServedSimulatorServices(sys.argv[2], cache_dir=Path(sys.argv[3]), offline=True)
        return real_window([], services)
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    sys.exit(main())
