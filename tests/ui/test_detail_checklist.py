"""The detail pane renders the core's checklist: it can no longer contradict the verdict."""

from __future__ import annotations

from typing import Any

from rc_sms_desktop.core.eligibility import CheckState, evaluate
from rc_sms_desktop.core.models import parse_phone_number
from rc_sms_desktop.ui.detail_pane import DetailPane, conditions
from rc_sms_desktop.ui.theme import Mark


def number(**fields: Any) -> Any:
    record = {"id": 5, "phoneNumber": "+16505550100", "usageType": "DirectNumber",
              "paymentType": "Local", "status": "Normal", "type": "VoiceFax",
              "extension": {"id": 7, "type": "User", "name": "Alex"}}
    record.update(fields)
    return parse_phone_number(record)


def test_mms_line_is_not_green_while_mms_is_blocked(qtbot: Any) -> None:
    # MmsSender without SmsSender: the old pane showed the MMS line green.
    verdict = evaluate(number(features=["CallerId", "MmsSender"]))
    lines = {c.title: c for c in conditions(verdict)}
    assert lines["MMS (MmsSender)"].mark is Mark.BLOCKED
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_verdict(verdict)
    assert "Needs SMS first (no SmsSender)" in pane.body_text()


def test_every_applicable_core_item_is_shown_with_its_state(qtbot: Any) -> None:
    verdict = evaluate(number(features=["CallerId", "SmsSender"]), None)
    shown = {c.title: c for c in conditions(verdict)}
    for entry in verdict.checklist:
        if entry.state is CheckState.NOT_APPLICABLE and entry.item != "tcr-campaign":
            assert entry.title not in shown
            continue
        assert shown[entry.title].detail == entry.detail
        expected = {CheckState.PASS: Mark.READY, CheckState.FAIL: Mark.BLOCKED}.get(entry.state)
        if expected is not None:
            assert shown[entry.title].mark is expected
