"""Starts the window: the QApplication, the qasync event loop (created only here), clean exit.

The loop runs one coroutine, `_run_window`, until the main window says it has closed. The
window never closes while work is in flight: its `closeEvent` hides it at once and finishes an
async shutdown (cancel the load, cancel a sign-in and free its port, close the HTTP client), then
emits `closed`. Because of that, `quitOnLastWindowClosed` is off and the Qt loop is never stopped
under a pending asyncio future.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import logging
import os
import signal
import sys
from pathlib import Path

import PySide6  # noqa: F401 - loaded first, qasync takes it without trying PyQt5/PyQt6/PySide2
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

# First of the app's modules after PySide6: it spares PySide6 reading their sources.
import rc_sms_desktop.ui.pyside_source_scan  # noqa: F401
from rc_sms_desktop import APP_NAME
from rc_sms_desktop.api.client import warm_up_tls
from rc_sms_desktop.infra import compiled_cache, guarded_file
from rc_sms_desktop.infra.app_logging import configure_logging
from rc_sms_desktop.infra.app_resources import APP_ID
from rc_sms_desktop.infra.crash_report import install_crash_handler
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.ui.main_window import (
    APP_DISPLAY_NAME,
    SHUTDOWN_GRACE_S,
    MainWindow,
    WindowOptions,
)
from rc_sms_desktop.ui.qt_messages import route_qt_messages
from rc_sms_desktop.ui.screenshot import prepare_screenshot_platform, scratch_settings
from rc_sms_desktop.ui.window_services import default_services

# Names a file for the window's state as JSON (ui/state_dump.py, imported only when set).
STATE_DUMP_ENV = "RC_SMS_DESKTOP_STATE_DUMP"

_log = logging.getLogger(__name__)

def window_options(args: argparse.Namespace) -> WindowOptions:
    """The window options from the command line (`rc-sms-desktop [--demo] [--screenshot …]`)."""
    screenshot = getattr(args, "screenshot", None)
    return WindowOptions(
        demo=bool(getattr(args, "demo", False) or getattr(args, "demo_user", None)),
        demo_user=getattr(args, "demo_user", None),
        screenshot=Path(screenshot) if screenshot else None,
        screenshot_picker=bool(getattr(args, "screenshot_picker", False)),
        select=getattr(args, "select", None),
        color_scheme=getattr(args, "color_scheme", None),
        server=getattr(args, "server", None),
    )


def _application(qt_options: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    # Qt's own options (-style, -reverse, -platform, …; see cli/main.py QT_OPTIONS) reach Qt,
    # which reads them from this list as its documentation describes.
    app = _Application([sys.argv[0] if sys.argv and sys.argv[0] else APP_NAME, *(qt_options or [])])
    route_qt_messages()  # Qt's own warnings reach the (redacted) log file too
    QCoreApplication.setApplicationName(APP_NAME)
    QGuiApplication.setApplicationDisplayName(APP_DISPLAY_NAME)
    QGuiApplication.setDesktopFileName(APP_ID)
    return app


async def _run_window(
    app: QApplication,
    options: WindowOptions,
    quit_filter: _QuitToClose,
    previous_crash: Path | None = None,
) -> int:
    loop = asyncio.get_running_loop()
    settings = scratch_settings() if options.screenshot is not None else Settings.load()
    appearance = options.color_scheme or settings.appearance
    if appearance != "system":  # following the system costs nothing at start-up
        from rc_sms_desktop.ui.theme import apply_appearance

        apply_appearance(appearance)
    services = default_services(settings, options.demo_user)
    services.server_text = options.server
    window = MainWindow(services, options=options, settings=settings)
    views = install_views_after_first_paint(window)
    exit_code: asyncio.Future[int] = loop.create_future()

    def on_closed(code: int) -> None:
        if not exit_code.done():
            exit_code.set_result(code)

    window.closed.connect(on_closed)
    # Cmd+Q, the desktop session ending, Ctrl+C or SIGTERM: close the window the normal way, so
    # its async shutdown runs while the loop still turns.
    quit_filter.attach(window)
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, window.request_close)
    if os.environ.get(STATE_DUMP_ENV):  # tests driving the app from outside (ui/state_dump.py)
        from rc_sms_desktop.ui.state_dump import install_state_dump

        install_state_dump(window)
    window.show()
    _log.info("Main window shown")
    if options.screenshot is None:
        show_startup_notices(
            window, previous_crash=previous_crash, recovered_settings=settings.recovered_from
        )
    window.start()
    try:
        return await exit_code
    except asyncio.CancelledError:
        await window.shutdown()
        raise
    finally:
        views.cancel()
        quit_filter.window = None
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signum)


# What the window does not need for its first paint, imported after it. The Qt-free modules
# (core, workflows, sign-in's keyring and loopback server) are imported in a worker thread:
# pure-Python imports give the GIL back every switch interval (5 ms), so the loop keeps turning,
# where one of them on the loop was one long turn (content_checks compiles ~60 regular
# expressions: 15-55 ms; keyring finds its backends through entry points: 25-75 ms). The Qt
# modules are imported on the loop, one per turn (PySide6 builds their Qt classes and enums
# there). Dependencies come first in each list.
COMPOSE_THREAD_MODULES = (
    "rc_sms_desktop.core.attachments",
    "rc_sms_desktop.core.message_text",
    "rc_sms_desktop.core.recipients",
    "rc_sms_desktop.core.preflight",
    "rc_sms_desktop.workflows.sending",
    "rc_sms_desktop.core.content_checks",
)
COMPOSE_MODULES = (
    "rc_sms_desktop.ui.content_findings",
    "rc_sms_desktop.ui.sender_suggestion",
    "rc_sms_desktop.ui.compose_panel",
)
ACCOUNT_THREAD_MODULES = (
    "rc_sms_desktop.core.account_join",
    "rc_sms_desktop.workflows.account_scan",
)
ACCOUNT_MODULES = (
    "rc_sms_desktop.ui.admin_model",
    "rc_sms_desktop.ui.admin_view",
)
SIGN_IN_THREAD_MODULES = ("keyring", "h11", "rc_sms_desktop.api.loopback")
SIGN_IN_MODULES = ("rc_sms_desktop.ui.sign_in_dialog",)
# The Campaigns tab and the fixes' buttons (ui/fix_view.py).
FIX_THREAD_MODULES = (
    "rc_sms_desktop.core.registrations",
    "rc_sms_desktop.infra.audit_log",
    "rc_sms_desktop.workflows.fixes",
)
FIX_MODULES = ("rc_sms_desktop.ui.fix_view",)
DEFERRED_MODULES = (
    COMPOSE_THREAD_MODULES + COMPOSE_MODULES + FIX_THREAD_MODULES + FIX_MODULES
    + ACCOUNT_THREAD_MODULES + ACCOUNT_MODULES
    + SIGN_IN_THREAD_MODULES + SIGN_IN_MODULES
)
# The views come this long after start at the latest, even if no number shows by then.
VIEWS_AT_THE_LATEST_S = 1.0
ACCOUNT_TAB_TITLE = "&Account"
ACCOUNT_OPENING_TEXT = "Opening the Account tab…"
COMPOSE_OPENING_TEXT = "Opening the message panel…"
CAMPAIGNS_TAB_TITLE = "Cam&paigns"  # ui/fix_view.py's tab
CAMPAIGNS_OPENING_TEXT = "Opening the Campaigns tab…"


def install_views_after_first_paint(window: MainWindow) -> asyncio.Task[None]:
    """Reserve the compose panel's and the Account tab's places; returns the task to cancel.

    Once the picker has painted its numbers (or after `VIEWS_AT_THE_LATEST_S`) the compose
    panel, which shows next to the picker, is built one module per loop turn; then the Account
    tab's and sign-in's modules are imported the same way. The Account tab itself is built when
    it is first opened (most users never open it): until then it says it is opening. Both views
    plug in through the window's extension points (`set_compose_panel`, `add_tab`) and catch up
    with the window's session and chosen sender when installed.
    """
    window.reserve_compose_panel(COMPOSE_OPENING_TEXT)
    account_place = window.reserve_tab(ACCOUNT_TAB_TITLE, ACCOUNT_OPENING_TEXT)
    _AccountTabOnFirstOpen(window, account_place)
    window.reserve_tab(CAMPAIGNS_TAB_TITLE, CAMPAIGNS_OPENING_TEXT)
    painted = _PaintWatch(window)
    task = asyncio.get_running_loop().create_task(
        _install_views(window, painted), name="install-views"
    )
    window.wait_before_screenshot(asyncio.shield(task))
    return task


async def _import_in_thread(names: tuple[str, ...]) -> None:
    with contextlib.suppress(Exception):
        await asyncio.to_thread(_import_all, names)


async def _import_one_per_turn(names: tuple[str, ...]) -> None:
    for name in names:
        await asyncio.sleep(0)  # let Qt paint and the load run between imports
        try:
            importlib.import_module(name)
        except ImportError:  # e.g. a bundle without keyring's optional parts: fail at use
            _log.warning("could not import %s ahead of use", name, exc_info=True)


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            _log.warning("could not import %s ahead of use", name, exc_info=True)


async def _install_views(window: MainWindow, painted: _PaintWatch) -> None:
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(painted.future), VIEWS_AT_THE_LATEST_S)
    finally:
        painted.remove()
    end_start_up_gc_pause()
    with contextlib.suppress(Exception):  # a missing icon file must not cost the window
        from rc_sms_desktop.infra.app_resources import app_icon

        # After the first paint: decoding every PNG size took ~10 ms before it.
        QGuiApplication.setWindowIcon(app_icon())
    await _import_in_thread(COMPOSE_THREAD_MODULES)
    await _import_one_per_turn(COMPOSE_MODULES)
    await asyncio.sleep(0)
    if window.is_closing:
        return
    _install_compose_panel(window)
    await _import_in_thread(FIX_THREAD_MODULES)
    await _import_one_per_turn(FIX_MODULES)
    await asyncio.sleep(0)
    if _closing(window):
        return
    from rc_sms_desktop.ui.fix_view import install_fixes

    install_fixes(window)
    await _import_in_thread(ACCOUNT_THREAD_MODULES)
    await _import_one_per_turn(ACCOUNT_MODULES)
    await _import_in_thread(SIGN_IN_THREAD_MODULES)
    await _import_one_per_turn(SIGN_IN_MODULES)
    # A later sign-in's first client then skips its TLS set-up (~20-40 ms) on the loop.
    with contextlib.suppress(Exception):
        await asyncio.to_thread(warm_up_tls)
    # Start-up is over: what it compiled is what the next start needs (infra/compiled_cache.py).
    compiled_cache.save()
    _log.debug("compose panel installed, later views' modules imported")


def _closing(window: MainWindow) -> bool:
    return window.is_closing  # read again after each await (mypy would keep the first answer)


def end_start_up_gc_pause() -> None:
    """Turn garbage collection back on if the command line paused it for start-up.

    What start-up made (modules, classes, the window) lives as long as the app, so it is frozen:
    later full collections skip it, which also keeps their pauses short.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _install_compose_panel(window: MainWindow) -> None:
    from rc_sms_desktop.ui.compose_panel import ComposePanel

    ComposePanel().install(window)


def _install_account_tab(window: MainWindow) -> None:
    from rc_sms_desktop.ui.admin_view import AccountView

    view = AccountView()
    view.install(window, ACCOUNT_TAB_TITLE)
    window.account_view = view  # the fixes' buttons attach to it (ui/fix_view.py)
    controller = getattr(window, "fix_controller", None)
    if controller is not None:
        from rc_sms_desktop.ui.fix_view import attach_account_view

        attach_account_view(controller, view)


class _AccountTabOnFirstOpen(QObject):
    """Builds the Account tab the first time its (reserved) tab is opened.

    Its modules are imported first (as after the first paint) if the background import has not
    got to them yet, so opening it never holds the loop for more than one Qt module or the build.
    """

    def __init__(self, window: MainWindow, place: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._place = place
        self.task: asyncio.Task[None] | None = None
        window.tabs.currentChanged.connect(self._on_tab)

    def _on_tab(self, index: int) -> None:
        if self.task is not None or self._window.tabs.widget(index) is not self._place:
            return
        self._window.tabs.currentChanged.disconnect(self._on_tab)
        self.task = asyncio.get_running_loop().create_task(self._build(), name="account-tab")

    async def _build(self) -> None:
        await _import_in_thread(ACCOUNT_THREAD_MODULES)
        await _import_one_per_turn(ACCOUNT_MODULES)
        await asyncio.sleep(0)  # the placeholder paints before the build
        if not self._window.is_closing:
            _install_account_tab(self._window)


class _PaintWatch(QObject):
    """Resolves `future` when the "Send from" picker paints while it holds numbers."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        window.sender_combo.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if (
            event.type() == QEvent.Type.Paint
            and not self.future.done()
            and self._window.sender_model.rowCount() > 0
        ):
            self.future.set_result(None)
        return False

    def remove(self) -> None:
        self._window.sender_combo.removeEventFilter(self)
        self.deleteLater()


class _Application(QApplication):
    """The app's QApplication: a quit request (`QEvent.Quit`, sent to the application object)
    goes to `quit_handler`.

    An application-wide event filter would do the same but sees every event of every widget:
    each one then crosses into Python, and the first of them made PySide6 build the Python enums
    of every Qt class at once (~25 ms of start-up, measured with a counting hook on
    `enum.EnumType._create_`: ~180 enum classes no window code uses).
    """

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.quit_handler: _QuitToClose | None = None

    def event(self, event: QEvent) -> bool:  # Qt override
        handler = self.quit_handler
        if handler is not None and event.type() == QEvent.Type.Quit:
            return handler.eventFilter(self, event)
        return super().event(event)


class _QuitToClose(QObject):
    """Turns an application quit request (`QEvent.Quit`) into closing the window.

    Qt would otherwise leave `exec()` at once, stopping the qasync loop under the running
    coroutine; the window's own close path cancels the work and closes the client first.
    Installed before the loop starts: a quit that comes before the window exists closes it as
    soon as it does.
    """

    def __init__(self) -> None:
        super().__init__()
        self.window: MainWindow | None = None
        self.requested = False

    def attach(self, window: MainWindow) -> None:
        self.window = window
        if self.requested:
            window.request_close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Quit:
            self.requested = True
            if self.window is not None:
                self.window.request_close()
            return True
        return False


class _CrashNotice(QObject):
    """Shows "a report was written" without blocking; queued, so any thread may call it."""

    reported = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def _show(self, path: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            APP_DISPLAY_NAME,
            "Something went wrong inside the app. A report without any passwords or tokens "
            f"was saved to:\n{path}",
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # never exec(): the loop keeps running


def show_startup_notices(
    parent: QWidget, *, previous_crash: Path | None, recovered_settings: Path | None
) -> list[QMessageBox]:
    """Tell the user, without blocking, what went wrong last time (matrix G5); returns the boxes."""
    texts = []
    if previous_crash is not None:
        texts.append(
            "The app stopped unexpectedly last time. A report without any passwords or tokens "
            f"was saved to:\n{previous_crash}"
        )
    if recovered_settings is not None:
        texts.append(
            "Your settings file could not be read, so the app started with default settings. "
            f"The old file was kept as:\n{recovered_settings}"
        )
    # Other damaged files (verdict cache, saved scan) were moved aside by the guarded reader:
    # one line each (the settings file has its own words above).
    texts.extend(
        notice.line() for notice in guarded_file.take_notices() if notice.what != "settings file"
    )
    boxes = []
    for text in texts:
        box = QMessageBox(QMessageBox.Icon.Information, APP_DISPLAY_NAME, text, parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)  # file names are not markup
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # never exec(): the loop keeps running
        boxes.append(box)
    return boxes


def run_window(args: argparse.Namespace) -> int:
    """Open the main window and run until it closes; the process exit code."""
    options = window_options(args)
    if QApplication.instance() is None and options.screenshot is not None:
        prepare_screenshot_platform()
    log_file = configure_logging(verbose=bool(getattr(args, "verbose", False)))
    app = _application(list(getattr(args, "qt_options", None) or []))
    app.setQuitOnLastWindowClosed(False)
    notice = _CrashNotice()
    crash_handler = install_crash_handler(lambda path: notice.reported.emit(str(path)))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(crash_handler.asyncio_exception_handler)
    _log.info("Window starting (log file %s)", log_file)
    quit_filter = _QuitToClose()
    if isinstance(app, _Application):
        app.quit_handler = quit_filter
    else:  # an application made elsewhere (tests): the filter sees its quit requests
        app.installEventFilter(quit_filter)
    main = loop.create_task(
        _run_window(app, options, quit_filter, crash_handler.previous_crash), name="main-window"
    )
    try:
        try:
            return int(loop.run_until_complete(main))
        except RuntimeError:
            if main.done():
                raise
            # Something made Qt leave exec() anyway (QApplication.exit): the coroutine never
            # finished. Give the window's shutdown one bounded run, then exit.
            _log.warning("the Qt loop stopped under the window; finishing the shutdown")
            main.cancel()
            with contextlib.suppress(BaseException):
                loop.run_until_complete(asyncio.wait_for(main, SHUTDOWN_GRACE_S + 2))
            return 0
    finally:
        end_start_up_gc_pause()  # in case the window closed before it painted
        with contextlib.suppress(RuntimeError):
            loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
        if isinstance(app, _Application):
            app.quit_handler = None
        app.removeEventFilter(quit_filter)
        crash_handler.uninstall()
        _log.info("Window closed")
