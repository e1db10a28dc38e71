"""The compose panel's content section: findings appear once typing pauses; Send stays on."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from rc_sms_desktop.core.content_checks import CONTENT_OUTSIDE_USE_CASES, MARKETING_WITHOUT_OPT_OUT
from rc_sms_desktop.core.eligibility import evaluate
from rc_sms_desktop.ui.compose_panel import ComposePanel
from rc_sms_desktop.ui.content_findings import ContentFindingsView
from tests.core.test_preflight import config, number


def care_sender() -> object:
    # Registered for CustomerCare and AccountNotification (tests/core/test_preflight.py).
    return evaluate(number(), config())


def make_panel(qtbot: QtBot) -> tuple[ComposePanel, QPlainTextEdit, QLabel, QPushButton]:
    panel = ComposePanel()
    qtbot.addWidget(panel)
    panel.set_client(object(), is_demo=True)
    panel.set_sender(care_sender())  # type: ignore[arg-type]
    panel.findChild(QLineEdit, "composeRecipients").setText("650 555 0123")
    return (
        panel,
        panel.findChild(QPlainTextEdit, "composeText"),
        panel.findChild(QLabel, "composeContentFindings"),
        panel.findChild(QPushButton, "composeSendButton"),
    )


def test_marketing_from_a_care_number_is_flagged_but_send_stays_on(qtbot: QtBot) -> None:
    panel, text, findings, send = make_panel(qtbot)
    text.setPlainText("Spring sale! 25% off everything this weekend.")
    view = panel.content_view
    assert view.pending  # debounced: nothing computed on the keystroke itself
    qtbot.waitUntil(lambda: view.last_check is not None, timeout=3000)
    codes = [finding.code for finding in view.last_check.findings]  # type: ignore[union-attr]
    assert codes == [CONTENT_OUTSIDE_USE_CASES, MARKETING_WITHOUT_OPT_OUT]
    assert "Marketing" in findings.text() and "you can still send" in findings.text()
    assert view.isVisibleTo(panel)
    assert send.isEnabled()  # warnings never block


def test_a_text_that_fits_says_so_and_an_empty_one_hides_the_section(qtbot: QtBot) -> None:
    panel, text, findings, _ = make_panel(qtbot)
    text.setPlainText("Reminder: your payment of $89.50 is due on June 5.")
    panel.content_view.check_now()
    assert findings.text().startswith("✓ Content fits: Account notices")
    text.setPlainText("")
    panel.content_view.check_now()
    assert not panel.content_view.isVisibleTo(panel)


def test_typing_restarts_the_wait_and_only_the_latest_text_is_checked(qtbot: QtBot) -> None:
    view = ContentFindingsView(debounce_ms=50)
    qtbot.addWidget(view)
    seen: list[object] = []
    view.checked.connect(seen.append)
    for partial in ("S", "Sa", "Sal", "Sale 20% off"):
        view.schedule(partial, None)
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    qtbot.wait(120)
    assert len(seen) == 1
    assert view.last_check is not None
    assert view.last_check.findings[0].code == MARKETING_WITHOUT_OPT_OUT


def test_findings_are_plain_text(qtbot: QtBot) -> None:
    panel, text, findings, _ = make_panel(qtbot)
    text.setPlainText("<b>SALE</b> 50% off <img src=x> at bit.ly/x")
    panel.content_view.check_now()
    assert findings.textFormat() == Qt.TextFormat.PlainText
    assert "bit.ly" in findings.text()


# --- Suggest a sender: the open picker puts fitting numbers first --------------------------


def picker_rows(window: Any) -> list[tuple[str, str, bool]]:
    from rc_sms_desktop.ui.sender_model import SenderRole

    model = window.sender_combo.model()
    rows = []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        rows.append(
            (
                str(index.data(SenderRole.E164Role)),
                str(index.data(SenderRole.DetailLineRole) or ""),
                bool(index.data(SenderRole.RefusedForTextRole)),
            )
        )
    return rows


# The offscreen platform cannot raise a popup or grab the keyboard for it; harmless here.
@pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")
async def test_open_picker_suggests_the_fitting_sender_without_choosing_it(
    qtbot: QtBot, demo_services: Any, ui_settings: Any
) -> None:
    from rc_sms_desktop.ui.main_window import MainWindow
    from tests.ui.qasync_helpers import first_load, wait_until

    window = MainWindow(demo_services(delivery_delay_s=0.01), settings=ui_settings)
    qtbot.addWidget(window)
    panel = ComposePanel()
    panel.install(window)
    window.show()
    try:
        await first_load(window)
        assert window.select_sender("+12125550103")  # passcodes, security alerts, account notices
        before = picker_rows(window)
        chosen = window.current_sender()
        panel.findChild(QLineEdit, "composeRecipients").setText("+44 20 7946 0958")
        panel.findChild(QPlainTextEdit, "composeText").setPlainText("Your order #4821 has shipped.")

        window.sender_combo.showPopup()
        await wait_until(lambda: window.sender_combo.model().suggesting, within=5)
        during = picker_rows(window)
        # The care number (delivery updates, international SMS) comes first, with its note.
        assert during[0][0] == "+16505550101"
        assert during[0][1].startswith("fits: Delivery updates")
        # Ready numbers that cannot text abroad keep their place, greyed, and say so.
        for (number, _, _), (number_after, note, refused) in zip(before, during, strict=True):
            if refused:
                assert number_after == number
                assert note.startswith("not for this message")
        assert any(refused for _, _, refused in during)
        # Numbers that cannot send at all keep their places too.
        assert [n for n, _, _ in before][-5:] == [n for n, _, _ in during][-5:]
        # Nothing chose a sender by itself.
        assert window.current_sender() is chosen

        window.sender_combo.hidePopup()
        await wait_until(lambda: not window.sender_combo.model().suggesting, within=5)
        assert picker_rows(window) == before
        assert window.current_sender() is chosen
    finally:
        await panel.shutdown()
        await window.shutdown()


def test_nothing_is_suggested_without_a_message(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QComboBox

    from rc_sms_desktop.ui.sender_model import SendableFilterModel, SenderListModel
    from rc_sms_desktop.ui.sender_suggestion import SenderSuggestion

    combo = QComboBox()
    qtbot.addWidget(combo)
    source = SenderListModel(combo)
    source.set_verdicts([care_sender()])  # type: ignore[list-item]
    proxy = SendableFilterModel(combo)
    proxy.setSourceModel(source)
    combo.setModel(proxy)
    suggestion = SenderSuggestion(combo, lambda: ("   ", []))
    assert not suggestion.apply()
    assert not proxy.suggesting


def suggestion_setup(qtbot: QtBot, draft: Any) -> tuple[Any, Any, Any]:
    from rc_sms_desktop.ui.main_window import SenderCombo
    from rc_sms_desktop.ui.sender_model import SendableFilterModel, SenderListModel
    from rc_sms_desktop.ui.sender_suggestion import SenderSuggestion
    from tests.ui.verdict_samples import sample_verdicts

    combo = SenderCombo()
    qtbot.addWidget(combo)
    source = SenderListModel(combo)
    source.set_verdicts(sample_verdicts())
    proxy = SendableFilterModel(combo)
    proxy.setSourceModel(source)
    combo.setModel(proxy)
    return combo, source, SenderSuggestion(combo, draft)


def test_a_ranking_prepared_while_typing_pauses_is_what_opening_the_list_uses(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ranking 1,000 numbers takes ~12 ms: done when typing pauses, opening the list only
    # reorders it. A changed text or changed verdicts are ranked again, never served stale.
    import rc_sms_desktop.ui.sender_suggestion as module

    rankings: list[str] = []
    real = module.judge_senders

    def counted(text: str, *args: Any) -> Any:
        rankings.append(text)
        return real(text, *args)

    monkeypatch.setattr(module, "judge_senders", counted)
    draft = ["Your order #4821 has shipped."]
    combo, source, suggestion = suggestion_setup(qtbot, lambda: (draft[0], []))
    suggestion.prepare()
    assert rankings == ["Your order #4821 has shipped."]
    assert suggestion.apply()
    assert combo.model().suggesting
    assert len(rankings) == 1  # the prepared ranking served the opening

    draft[0] = "Your order #4822 has shipped."
    assert suggestion.apply()
    assert rankings[-1] == "Your order #4822 has shipped."
    source.update_verdicts(source.verdicts()[:1])  # a verdict arrived: rank again
    assert suggestion.apply()
    assert len(rankings) == 3


@pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")
def test_the_window_picker_is_reordered_before_its_list_shows(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reordered while shown, the open list laid its rows out twice: the window's picker says
    # when it is about to open, and the list shows already in the suggested order, once.
    combo, _source, suggestion = suggestion_setup(qtbot, lambda: ("Your order #4821 has shipped.", []))
    applied: list[bool] = []
    real_apply = suggestion.apply
    popup = combo.view().window()

    def apply() -> bool:
        applied.append(popup.isVisible())
        return bool(real_apply())

    monkeypatch.setattr(suggestion, "apply", apply)  # what the popup's Show would call too
    combo.popupAboutToShow.disconnect()
    combo.popupAboutToShow.connect(apply)
    combo.show()
    combo.showPopup()
    qtbot.waitUntil(popup.isVisible)
    assert applied == [False]  # once, before the popup showed (not again when it shows)
    assert combo.model().suggesting
    combo.hidePopup()
    qtbot.waitUntil(lambda: not combo.model().suggesting)
