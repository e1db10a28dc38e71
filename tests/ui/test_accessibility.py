"""Usable by everyone (#19): what screen readers get through Qt's accessibility interfaces,
keyboard reach, the colour schemes and their contrast, Qt's own command-line options.

Accessibility is checked the way assistive technology reads the window: through
`QAccessible.queryAccessibleInterface` (names, roles, values, relations) and the events the app
sends (`ui.accessibility` routes them; the `a11y_events` fixture records them).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from rc_sms_desktop.cli.main import build_parser, main, qt_arguments, window_arguments
from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.ui import accessibility
from rc_sms_desktop.ui.main_window import APP_DISPLAY_NAME, MainWindow
from rc_sms_desktop.ui.sender_model import SenderRole
from rc_sms_desktop.ui.theme import (
    AA_TEXT,
    Appearance,
    apply_appearance,
    contrast_ratio,
    link_colour,
    mark_colour,
    scheme_palette,
    secondary_text_colour,
    text_on,
    tint,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def a11y_events() -> Iterator[list[QAccessibleEvent]]:
    """The accessibility events the app sends, in order (they still reach Qt too)."""
    seen: list[QAccessibleEvent] = []

    def record(event: QAccessibleEvent) -> None:
        seen.append(event)
        QAccessible.updateAccessibility(event)

    old = accessibility.set_event_sender(record)
    yield seen
    accessibility.set_event_sender(old)


@pytest.fixture
def restore_palette() -> Iterator[None]:
    yield
    apply_appearance(Appearance.SYSTEM)


def _value(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Value)


# ------------------------------------------------------------------------------ screen readers


async def test_the_sender_pickers_value_carries_the_number_and_its_state_and_a_change_is_announced(
    open_window: Callable[..., Any], a11y_events: list[QAccessibleEvent],
) -> None:
    window = await open_window()
    combo = window.sender_combo
    interface = QAccessible.queryAccessibleInterface(combo)
    assert interface.role() == QAccessible.Role.ComboBox
    assert "(650) 555-0101" in _value(combo) and _value(combo).endswith("— ready")
    # Its label is linked: a screen reader says "Send from" with it.
    labels = [rel[0].text(QAccessible.Text.Name) for rel in interface.relations()
              if rel[1] & QAccessible.RelationFlag.Label]
    assert any("Send from" in label.replace("&", "") for label in labels)

    assert window.select_sender("+16505550105")
    assert "(650) 555-0105" in _value(combo)
    assert "cannot send: campaign pending review" in _value(combo)

    # Arrow keys on the closed, focused picker: the new headline is announced.
    assert window.focusWidget() is combo
    a11y_events.clear()
    window.select_sender("+16505550101")
    spoken = [e.message() for e in a11y_events if e.type() == QAccessible.Event.Announcement]
    assert spoken and "ready" in spoken[-1].lower()
    await window.shutdown()


async def test_the_chosen_senders_new_state_is_sent_as_a_value_change(
    open_window: Callable[..., Any], a11y_events: list[QAccessibleEvent],
) -> None:
    window = await open_window()
    current = window.current_sender()
    assert current is not None
    a11y_events.clear()
    window.load_runner.verdictsUpdated.emit([current])
    changes = [e for e in a11y_events if e.type() == QAccessible.Event.ValueChanged]
    assert changes and changes[-1].object() is window.sender_combo
    await window.shutdown()


# ------------------------------------------------------------------------------------ keyboard


async def test_initial_focus_is_the_sender_picker_and_the_shortcuts_are_in_the_menu(open_window: Callable[..., Any]) -> None:
    window = await open_window()
    assert window.focusWidget() is window.sender_combo
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString()
                 for menu in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
                 for a in menu.actions()}
    assert shortcuts["Refresh"] == "F5"
    assert shortcuts["Close window"] == "Ctrl+W"
    assert shortcuts["Quit"] == "Ctrl+Q"
    closed: list[int] = []
    window.closed.connect(closed.append)
    window.quit_action.trigger()
    for _ in range(200):
        if closed:
            break
        await asyncio.sleep(0.02)
    assert closed == [0]


def _mnemonic(widget: QWidget) -> str | None:
    return _mnemonic_of(widget.text() if isinstance(widget, (QAbstractButton, QLabel)) else "")


def _visible_mnemonics(root: QWidget) -> list[str]:
    found = [_mnemonic(w) for w in root.findChildren(QWidget) if w.isVisibleTo(root)]
    if hasattr(root, "tabs"):
        tabs = root.tabs
        found += [_mnemonic_of(tabs.tabText(i)) for i in range(tabs.count())]
    if isinstance(root, MainWindow):
        found += [_mnemonic_of(a.text()) for a in root.menuBar().actions()]
    return [m for m in found if m]


def _mnemonic_of(text: str) -> str | None:
    # "&&" is a literal ampersand; "&amp;", "&#160;" are HTML entities of rich-text labels.
    found = re.search(r"&(?![&#]|\w+;)(\w)", text.replace("&&", ""))
    return found.group(1).lower() if found else None


async def test_mnemonics_are_unique_among_what_is_shown_together(open_window: Callable[..., Any]) -> None:
    window = await open_window()
    from rc_sms_desktop.ui.admin_view import AccountView
    from rc_sms_desktop.ui.compose_panel import ComposePanel
    from rc_sms_desktop.ui.fix_view import CAMPAIGNS_TAB_TITLE, install_fixes

    ComposePanel().install(window)
    view = AccountView()
    view.install(window, "&Account")
    install_fixes(window, view)
    assert window.tabs.tabText(window.tabs.count() - 1) == CAMPAIGNS_TAB_TITLE
    window.status_banner.show_error("Could not reach RingCentral.", retry=True)  # its Retry too
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        found = _visible_mnemonics(window)
        duplicates = {m for m in found if found.count(m) > 1}
        assert not duplicates, (window.tabs.tabText(tab), sorted(found))
    await window.shutdown()


async def test_only_numbers_that_can_send_keeps_the_chosen_sender(open_window: Callable[..., Any]) -> None:
    window = await open_window()
    assert window.select_sender("+16505550105")  # cannot send: hidden by the filter
    window.only_sendable_check.setChecked(True)
    current = window.current_sender()
    assert current is not None and current.can_send_sms
    window.only_sendable_check.setChecked(False)
    current = window.current_sender()
    assert current is not None and current.number.phone_number == "+16505550105"
    assert window.select_sender("+12125550103")
    window.only_sendable_check.setChecked(True)
    window.only_sendable_check.setChecked(False)
    current = window.current_sender()
    assert current is not None and current.number.phone_number == "+12125550103"
    await window.shutdown()


# ---------------------------------------------------------------------------------- appearance


def test_the_window_title_says_the_apps_name_once(qtbot: QtBot, ui_settings: Settings) -> None:
    from rc_sms_desktop.ui.window_services import default_services

    window = MainWindow(default_services(ui_settings), settings=ui_settings)
    qtbot.addWidget(window)
    # Qt appends the display name to any other title ("X — RingCentral SMS Senders").
    assert window.windowTitle() == APP_DISPLAY_NAME
    assert window.windowTitle().count("RingCentral") == 1


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_text_colour_meets_wcag_aa_in_both_schemes(dark: bool) -> None:
    palette = scheme_palette(dark)
    base = palette.color(QPalette.ColorRole.Base)
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.Text)
    checks = {
        "text on base": (text, base),
        "window text": (palette.color(QPalette.ColorRole.WindowText), window),
        "button text": (palette.color(QPalette.ColorRole.ButtonText), palette.color(QPalette.ColorRole.Button)),
        "selected text": (palette.color(QPalette.ColorRole.HighlightedText), palette.color(QPalette.ColorRole.Highlight)),
        "secondary on base": (secondary_text_colour(palette), base),
        "secondary on window": (secondary_text_colour(palette), window),
        "greyed 'cannot send' row": (secondary_text_colour(palette), base),
        "disabled text": (palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text), base),
        "link": (link_colour(palette), base),
        "placeholder": (palette.color(QPalette.ColorRole.PlaceholderText), base),
        "demo notice": (text_on(tint(Mark.UNKNOWN, palette), palette), tint(Mark.UNKNOWN, palette)),
        "error banner": (text_on(tint(Mark.BLOCKED, palette), palette), tint(Mark.BLOCKED, palette)),
    }
    for mark in Mark:
        checks[f"{mark.value} reason text"] = (mark_colour(mark, palette), base)
    low = {name: round(contrast_ratio(fg, bg), 2) for name, (fg, bg) in checks.items()
           if contrast_ratio(fg, bg) < AA_TEXT}
    assert not low


def test_secondary_text_stays_readable_on_a_palette_with_a_faint_placeholder() -> None:
    palette = scheme_palette(False)
    faint = palette.color(QPalette.ColorRole.Base).darker(115)  # ~1.3:1, as some themes have
    palette.setColor(QPalette.ColorRole.PlaceholderText, faint)
    assert contrast_ratio(secondary_text_colour(palette), palette.color(QPalette.ColorRole.Base)) >= AA_TEXT


async def test_the_window_follows_a_switch_to_dark_and_back_live(
    open_window: Callable[..., Any], ui_settings: Settings,
    restore_palette: None,
) -> None:
    window = await open_window()

    def banner() -> float:
        return window.demo_banner.palette().color(QPalette.ColorRole.Window).lightnessF()

    light_banner = banner()
    window.set_appearance(Appearance.DARK)
    await asyncio.sleep(0.05)
    assert QGuiApplication.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.3
    assert banner() < 0.4 < light_banner
    assert ui_settings.appearance == "dark"
    window.set_appearance(Appearance.LIGHT)
    await asyncio.sleep(0.05)
    assert banner() > 0.6
    await window.shutdown()


# ------------------------------------------------------------------------ Qt's own options


def test_qt_options_are_accepted_and_listed_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    args = window_arguments(["--demo", "-style", "fusion", "-reverse", "-qwindowgeometry=800x600+0+0",
                             "-stylesheet", "x.qss", "-platform", "offscreen"])
    assert args is not None
    assert qt_arguments(args) == ["-style", "fusion", "-stylesheet", "x.qss", "-platform", "offscreen",
                                  "-qwindowgeometry", "800x600+0+0", "-reverse"]
    helptext = build_parser().format_help()
    for name in ("-style", "-stylesheet", "-platform", "-reverse", "-qwindowgeometry", "--color-scheme"):
        assert name in helptext


def test_qt_options_reach_qapplication(monkeypatch: pytest.MonkeyPatch) -> None:
    import rc_sms_desktop.ui.app as app_module

    seen: dict[str, object] = {}

    def run_window(args: object) -> int:
        seen["qt"] = getattr(args, "qt_options", None)
        return 0

    monkeypatch.setattr(app_module, "run_window", run_window)
    assert main(["--demo", "-reverse", "-style=fusion"]) == 0
    assert seen["qt"] == ["-style", "fusion", "-reverse"]


def test_the_window_starts_with_qt_options_in_a_real_process(tmp_path: Path) -> None:
    """Once for real: -reverse and -style reach Qt (before, argparse exited with status 2)."""
    shot = tmp_path / "rtl.png"
    probe = (
        "import sys\n"
        "from rc_sms_desktop.cli.main import main\n"
        "import rc_sms_desktop.ui.app as app\n"
        "original = app._application\n"
        "def spy(*args):\n"
        "    qt = original(*args)\n"
        "    print('RTL' if qt.isRightToLeft() else 'LTR', qt.style().name(), flush=True)\n"
        "    return qt\n"
        "app._application = spy\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", probe, "--demo", "-reverse", "-style", "fusion", "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=100, env=env, cwd=ROOT, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "RTL fusion" in done.stdout
    assert shot.exists()


def test_the_sender_rows_keep_phone_numbers_left_to_right_in_a_right_to_left_window(
    qtbot: QtBot,
) -> None:
    from rc_sms_desktop.ui.sender_model import SenderListModel
    from tests.ui.verdict_samples import sample_verdicts

    model = SenderListModel()
    model.set_verdicts(sample_verdicts())
    QGuiApplication.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        shown = model.index(0).data()
    finally:
        QGuiApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    formatted = model.index(0).data(SenderRole.FormattedRole)
    assert formatted.startswith("(") and f"\u2066{formatted}\u2069" in shown


# ------------------------------------------------------------- second part: what is read


_UNREADABLE = re.compile("[\ufdd0-\ufdef\ufffc\ue000-\uf8ff]")


def _accessible_text(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    text = interface.textInterface()
    assert text is not None
    return text.text(0, text.characterCount())


async def test_the_detail_body_reads_as_text_with_each_marks_meaning_in_words(open_window: Callable[..., Any]) -> None:
    window = await open_window()
    assert window.select_sender("+16505550105")
    pane = window.detail_pane
    body = pane.findChild(QWidget, "detailBody")
    read = _accessible_text(body)
    assert not _UNREADABLE.findall(read), sorted(set(_UNREADABLE.findall(read)))
    assert "TCR campaign: Submitted (campaign 2011) (not met)" in read
    assert "Number status: Active (met)" in read
    assert "SMS:\xa0no" in read
    html = body.toHtml()
    assert "<img" not in html and "<table" not in html.lower().replace("<table border=\"0\"", "")
    assert 'href="https://developers.ringcentral.com/' in html
    icon = QAccessible.queryAccessibleInterface(pane.findChild(QWidget, "verdictIcon"))
    assert icon.text(QAccessible.Text.Name) == Mark.BLOCKED.label  # the one word for the mark, as in the picker and the Account table
    await window.shutdown()


def _focusable_empty_labels(root: QWidget) -> list[str]:
    return [w.objectName() or repr(w) for w in root.findChildren(QLabel)
            if w.isVisibleTo(root) and w.focusPolicy() & Qt.FocusPolicy.TabFocus and not w.text().strip()]


async def test_unnamed_items_are_named_and_no_empty_label_takes_focus(
    open_window: Callable[..., Any], qtbot: QtBot, ui_settings: Settings, tmp_path: Path,
) -> None:
    window = await open_window()
    from rc_sms_desktop.ui.admin_view import AccountView
    from rc_sms_desktop.ui.compose_panel import ComposePanel
    from rc_sms_desktop.ui.sign_in_dialog import SignInDialog

    panel = ComposePanel()
    panel.install(window)
    view = AccountView(state_path=lambda _session: tmp_path / "scan.json")
    view.install(window, "&Account")
    assert not _focusable_empty_labels(window)
    # The search field's clear button.
    view.search.setText("x")
    search = QAccessible.queryAccessibleInterface(view.search)
    names = [search.child(i).text(QAccessible.Text.Name) for i in range(search.childCount())]
    assert "Clear the search" in names
    # The To field: its example placeholder is neither its value nor its description.
    to = QAccessible.queryAccessibleInterface(panel.recipients_edit)
    assert to.text(QAccessible.Text.Value) == ""
    assert to.text(QAccessible.Text.Description) != panel.recipients_edit.placeholderText()
    # The sign-in dialog: its progress bar, its mnemonics, no empty focusable label.
    dialog = SignInDialog(settings=ui_settings)
    qtbot.addWidget(dialog)
    assert QAccessible.queryAccessibleInterface(dialog.busy).text(QAccessible.Text.Name) == "Signing in"
    assert not _focusable_empty_labels(dialog)
    for tab in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(tab)
        found = [m for m in (_mnemonic(w) for w in dialog.findChildren(QWidget) if w.isVisibleTo(dialog)) if m]
        found += [m for m in (_mnemonic_of(dialog.tabs.tabText(i)) for i in range(dialog.tabs.count())) if m]
        assert len(found) == len(set(found)), sorted(found)
    await window.shutdown()


async def test_the_compose_panel_by_keyboard_and_what_it_tells_a_screen_reader(
    open_window: Callable[..., Any], a11y_events: list[QAccessibleEvent],
) -> None:
    window = await open_window()
    from rc_sms_desktop.ui.compose_panel import ComposePanel

    panel = ComposePanel()
    panel.install(window)
    # Tab leaves the message box (no tab character, which would make the text UCS-2).
    assert panel.text_edit.tabChangesFocus()
    chain, widget = [], panel.text_edit.nextInFocusChain()
    while widget is not panel.text_edit and len(chain) < 60:
        if widget.isVisibleTo(window) and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    assert panel.add_button in chain
    # Recipient errors are the To field's description.
    panel.recipients_edit.setText("12")
    to = QAccessible.queryAccessibleInterface(panel.recipients_edit)
    problem = next(r.problem for r in panel.recipients if r.problem)
    assert problem in to.text(QAccessible.Text.Description)
    assert any(e.type() == QAccessible.Event.DescriptionChanged and e.object() is panel.recipients_edit
               for e in a11y_events)
    # The disabled Send button's reason: its description, and the focusable problems text.
    assert not panel.send_button.isEnabled()
    reason = panel.disabled_reason()
    assert reason and QAccessible.queryAccessibleInterface(panel.send_button).text(
        QAccessible.Text.Description) == reason
    assert panel.problems_label.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert panel.problems_label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByKeyboard
    # A result is announced.
    a11y_events.clear()
    await panel.send()
    assert any(e.type() == QAccessible.Event.Announcement for e in a11y_events)
    await window.shutdown()


async def test_a_sign_in_error_is_announced_and_the_fallback_link_is_reachable(
    qtbot: QtBot, ui_settings: Settings, a11y_events: list[QAccessibleEvent],
) -> None:
    from rc_sms_desktop.ui.sign_in_dialog import SignInDialog

    dialog = SignInDialog(settings=ui_settings)
    qtbot.addWidget(dialog)
    dialog.server_combo.setCurrentIndex(dialog.server_combo.findData("custom"))
    dialog.custom_url_edit.setText("http://example.com")
    dialog.client_id_edit.setText("abc")
    dialog.sign_in_button.click()
    spoken = [e for e in a11y_events if e.type() == QAccessible.Event.Announcement]
    assert spoken and spoken[-1].message().startswith("Could not sign in.")
    assert spoken[-1].politeness() == QAccessible.AnnouncementPoliteness.Assertive
    assert not dialog.status_label.focusPolicy() & Qt.FocusPolicy.TabFocus  # no link: no Tab stop
    dialog._progress('If it did not open, <a href="https://example.com/x">open the sign-in page</a> yourself.')
    assert dialog.status_label.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert dialog.status_label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByKeyboard
    assert "<" not in [e for e in a11y_events if e.type() == QAccessible.Event.Announcement][-1].message()


async def test_the_account_tab_announces_scan_results_and_keeps_focus_and_search_width(
    qtbot: QtBot, tmp_path: Path, a11y_events: list[QAccessibleEvent],
) -> None:
    from rc_sms_desktop.api.demo import open_demo_client
    from rc_sms_desktop.ui.admin_view import AccountView
    from rc_sms_desktop.ui.window_services import AccountSession

    view = AccountView(state_path=lambda _session: tmp_path / "scan.json")
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    assert "table" in view.detail_pane._subtitle.text()  # not "Send from"
    client = await open_demo_client(rate_window_s=0.05)
    session = AccountSession(client=client, environment="Demo", is_demo=True)
    try:
        view.set_session(session)
        view.scan_button.setFocus()
        await asyncio.sleep(0)
        had_focus = view.scan_button.hasFocus()
        task = view.start_scan()
        assert task is not None
        await asyncio.sleep(0.01)
        if had_focus:  # offscreen windows take focus only when active
            assert view.cancel_button.hasFocus() or not view.scanning
        await task
    finally:
        await session.aclose()
    spoken = [e.message() for e in a11y_events if e.type() == QAccessible.Event.Announcement]
    assert any(m.startswith("Scanned ") for m in spoken)
    await asyncio.sleep(0.05)
    assert view.search.width() >= view.search.fontMetrics().horizontalAdvance("Search number")


def test_no_colour_literal_outside_the_theme() -> None:
    ui = ROOT / "rc_sms_desktop" / "ui"
    literal = re.compile(r"""["'](#[0-9a-fA-F]{3,8})["'\s;]|color:\s*#[0-9a-fA-F]{3,8}|QColor\(\s*["']""")
    found = {path.name: literal.findall(path.read_text(encoding="utf-8"))
             for path in ui.glob("*.py") if path.name != "theme.py"}
    assert not {name: hits for name, hits in found.items() if hits}


@pytest.mark.parametrize("size", [None, (1100, 720)], ids=["minimum", "1100x720"])
async def test_no_text_is_clipped_in_the_compose_panel_in_a_small_window(
    open_window: Callable[..., Any], size: tuple[int, int] | None,
) -> None:
    window = await open_window()
    from rc_sms_desktop.ui.compose_panel import ComposePanel

    panel = ComposePanel()
    panel.install(window)
    assert window.select_sender("+16505550105")  # cannot send: several problem lines
    panel.recipients_edit.setText("12, (650) 555-0123")
    if size is None:
        window.resize(window.minimumSizeHint())
    else:
        window.resize(*size)
    await asyncio.sleep(0.1)
    for label in panel.findChildren(QLabel):
        if label.isVisibleTo(panel) and label.wordWrap() and label.text():
            assert label.height() >= label.heightForWidth(label.width()) - 1, label.objectName()
    line = panel.text_edit.fontMetrics().lineSpacing()
    assert panel.text_edit.height() >= 4 * line
    await window.shutdown()
