"""Start-up builds the compose panel and the Account tab after the picker first paints its
numbers, in places the window keeps for them (ui/app.py `install_views_after_first_paint`)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.ui import app as ui_app
from rc_sms_desktop.ui.admin_view import AccountView
from rc_sms_desktop.ui.compose_panel import ComposePanel
from rc_sms_desktop.ui.fix_view import CampaignsView
from rc_sms_desktop.ui.main_window import MainWindow
from rc_sms_desktop.ui.window_services import DefaultServices
from tests.ui.qasync_helpers import wait_until

ROOT = Path(__file__).resolve().parents[2]


async def test_views_arrive_after_the_numbers_in_their_reserved_places(
    qtbot: QtBot, demo_services: Callable[..., DefaultServices], ui_settings: Settings
) -> None:
    window = MainWindow(demo_services(), settings=ui_settings)
    qtbot.addWidget(window)
    views = ui_app.install_views_after_first_paint(window)
    # Before anything is built, the places are kept: the later tabs and the splitter's right side.
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Se&nd from", "&Account", "Cam&paigns"]
    assert window.splitter.count() == 2
    window.show()
    await window.start()
    await asyncio.wait_for(views, 10)
    assert window.sender_model.rowCount() > 0
    assert isinstance(window.splitter.widget(1), ComposePanel)
    # The Account tab is built when first opened; until then its place says it is opening.
    place = window.tabs.widget(1)
    assert isinstance(place, QLabel) and place.text() == "Opening the Account tab…"
    assert window.findChildren(AccountView) == []
    window.tabs.setCurrentIndex(1)
    await wait_until(lambda: isinstance(window.tabs.widget(1), AccountView))
    assert window.tabs.currentIndex() == 1  # the user stays on the tab they opened
    assert window.tabs.count() == 3 and window.tabs.tabText(1) == "&Account"
    assert isinstance(window.tabs.widget(2), CampaignsView)  # built after the compose panel
    assert window.findChildren(QLabel, "viewPlaceholder") == []
    # The Account tab, built after the fixes, got their buttons.
    assert window.fix_controller.account_view is window.tabs.widget(1)
    window.tabs.setCurrentIndex(0)
    # The panel takes the 2/5 of the width kept for it, as if it had been there from the start.
    sizes = window.splitter.sizes()
    assert abs(sizes[1] / sum(sizes) - 0.4) < 0.03, sizes
    # The compose panel caught up with the sender the window already shows.
    panel = window.splitter.widget(1)
    assert isinstance(panel, ComposePanel)
    current = window.current_sender()
    assert current is not None
    sender = panel.findChild(QLabel, "composeSender")
    assert sender is not None and sender.text() != "No number picked."
    assert format_number(current.number.phone_number or "") in sender.text()
    await window.shutdown()


async def test_the_account_tab_opened_before_the_first_paint_is_built_at_once(
    qtbot: QtBot, demo_services: Callable[..., DefaultServices], ui_settings: Settings
) -> None:
    # Opened while the numbers still load (its modules not imported yet): it is built without
    # waiting for the first paint, and the compose panel still arrives.
    window = MainWindow(demo_services(latency_ms=300), settings=ui_settings)
    qtbot.addWidget(window)
    views = ui_app.install_views_after_first_paint(window)
    window.show()
    window.start()
    window.tabs.setCurrentIndex(1)
    await wait_until(lambda: isinstance(window.tabs.widget(1), AccountView))
    await asyncio.wait_for(views, 10)
    assert isinstance(window.splitter.widget(1), ComposePanel)
    await window.shutdown()


async def test_a_user_on_the_reserved_tab_stays_there_when_the_view_arrives(
    qtbot: QtBot, demo_services: Callable[..., DefaultServices], ui_settings: Settings
) -> None:
    window = MainWindow(demo_services(), settings=ui_settings)
    qtbot.addWidget(window)
    window.reserve_tab("&Account")
    window.tabs.setCurrentIndex(1)
    view = QWidget()
    assert window.add_tab(view, "&Account") == 1
    assert window.tabs.currentWidget() is view
    assert window.tabs.count() == 2
    await window.shutdown()


async def test_the_compose_panel_replaces_its_place_keeping_the_splitter_sizes(
    qtbot: QtBot, demo_services: Callable[..., DefaultServices], ui_settings: Settings
) -> None:
    window = MainWindow(demo_services(), settings=ui_settings)
    qtbot.addWidget(window)
    window.reserve_compose_panel()
    window.resize(1100, 720)
    window.show()
    await wait_until(lambda: window.splitter.sizes()[1] > 0)
    sizes = window.splitter.sizes()
    panel = QWidget()
    window.set_compose_panel(panel)
    assert window.splitter.count() == 2 and window.splitter.widget(1) is panel
    assert window.splitter.sizes() == sizes
    await window.shutdown()


async def test_closing_before_the_first_paint_builds_no_view(
    qtbot: QtBot, demo_services: Callable[..., DefaultServices], ui_settings: Settings
) -> None:
    window = MainWindow(demo_services(latency_ms=300), settings=ui_settings)
    qtbot.addWidget(window)
    views = ui_app.install_views_after_first_paint(window)
    window.show()
    window.start()
    await window.shutdown()
    await asyncio.wait_for(views, ui_app.VIEWS_AT_THE_LATEST_S + 5)
    assert window.findChildren(ComposePanel) == []
    assert window.findChildren(AccountView) == []


async def test_collection_paused_for_start_up_resumes_after_the_first_paint(
    qtbot: QtBot, demo_services: Callable[..., DefaultServices], ui_settings: Settings
) -> None:
    window = MainWindow(demo_services(), settings=ui_settings)
    qtbot.addWidget(window)
    gc.disable()  # as `rc-sms-desktop` does before it imports the window
    try:
        views = ui_app.install_views_after_first_paint(window)
        window.show()
        await window.start()
        await asyncio.wait_for(views, 10)
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
        await window.shutdown()


def test_the_demo_paints_its_numbers_before_importing_what_can_wait() -> None:
    # The real entry point in a fresh interpreter: at the first paint that shows numbers, none of
    # the modules start-up defers (sending, the account scan, sign-in, keyring) is loaded yet,
    # and the app-wide collector is still paused; afterwards all views arrive. The window's
    # Qt-free modules were imported before PySide6.
    probe = textwrap.dedent(
        """
        import gc, json, sys

        from benchmarks.startup_child import after_import  # the start-up benchmark's hook

        seen = {}
        FIRST = ("httpx", "rc_sms_desktop.core.models", "rc_sms_desktop.workflows.loader",
                 "rc_sms_desktop.simulator.app")

        def watch_paints(app_module):
            from PySide6.QtCore import QEvent, QObject
            from PySide6.QtWidgets import QApplication

            class Spy(QObject):
                def eventFilter(self, watched, event):
                    if event.type() == QEvent.Type.Paint and "loaded" not in seen:
                        window_type = sys.modules["rc_sms_desktop.ui.main_window"].MainWindow
                        for w in QApplication.topLevelWidgets():
                            if isinstance(w, window_type) and w.sender_model.rowCount():
                                seen["loaded"] = [
                                    m for m in app_module.DEFERRED_MODULES if m in sys.modules
                                ]
                                seen["gc_enabled"] = gc.isenabled()
                    return False

            original = app_module._application
            spies = []

            def application(*args):
                app = original(*args)
                spies.append(Spy())
                app.installEventFilter(spies[0])
                return app

            app_module._application = application

        class QtLoads:
            # Notes what was already imported when PySide6 itself starts loading.
            def find_spec(self, name, path=None, target=None):
                if name == "PySide6" and "before_qt" not in seen:
                    seen["before_qt"] = [m for m in FIRST if m in sys.modules]
                return None

        sys.meta_path.insert(0, QtLoads())
        after_import("rc_sms_desktop.ui.app", watch_paints)
        from rc_sms_desktop.cli.main import main

        code = main(["--demo", "--screenshot", sys.argv[1]])
        app_module = sys.modules["rc_sms_desktop.ui.app"]
        seen["after"] = [m for m in app_module.DEFERRED_MODULES if m not in sys.modules]
        print(json.dumps(seen))
        sys.exit(code)
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [sys.executable, "-c", probe, os.path.join(scratch, "shot.png")],
            capture_output=True, text=True, timeout=100, env=env, cwd=ROOT, check=False,
        )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == []
    assert seen["gc_enabled"] is False
    assert seen["after"] == []
    # The Qt-free half came before PySide6, which would otherwise read each module's source;
    # the demo's simulator comes when the demo opens (a signed-in start never loads it).
    assert seen["before_qt"] == ["httpx", "rc_sms_desktop.core.models",
                                 "rc_sms_desktop.workflows.loader"]


def test_a_signed_in_start_does_not_load_the_demos_simulator() -> None:
    # What the window imports before its first paint, whoever is signed in (cli/main.py), pulls
    # no part of the simulator: only opening the demo does (api/demo.py).
    probe = (
        "import json, sys\n"
        "import rc_sms_desktop.infra.app_logging, rc_sms_desktop.infra.crash_report\n"
        "import rc_sms_desktop.ui.window_services, rc_sms_desktop.ui.app\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('rc_sms_desktop.simulator'))))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=100, env=env, cwd=ROOT, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_pyside_does_not_read_the_source_of_the_modules_the_window_imports() -> None:
    # PySide6's import hook would read (and keep in linecache) the source of every module
    # imported after it (ui/pyside_source_scan.py); the window's own modules are spared.
    probe = textwrap.dedent(
        """
        import json, linecache, sys
        import rc_sms_desktop.ui.app
        import rc_sms_desktop.ui.compose_panel
        print(json.dumps(sorted(name for name in linecache.cache if "rc_sms_desktop" in name)))
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=100, env=env, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout.strip().splitlines()[-1])
    assert [name for name in read if "rc_sms_desktop/ui/" in name] == []
