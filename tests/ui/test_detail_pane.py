"""The detail pane as a user reads it: headline, what the number can do, what to do and who
fixes it, the checklist's words, the owner, and the raw data (the checklist's agreement with the
core is in test_detail_checklist.py)."""

from __future__ import annotations

from typing import Any

from rc_sms_desktop.core.account_join import ExtensionSummary
from rc_sms_desktop.core.eligibility import ConfigState, Severity, State
from rc_sms_desktop.core.models import parse_extension
from rc_sms_desktop.ui.detail_pane import DetailPane
from tests.ui.verdict_samples import (
    LOADING_E164,
    PENDING_E164,
    READY_E164,
    config,
    number,
    verdict,
)


def pane(qtbot: Any, **kwargs: Any) -> DetailPane:
    widget = DetailPane(**kwargs)
    qtbot.addWidget(widget)
    return widget


def test_nothing_chosen_says_how_to_choose(qtbot: Any) -> None:
    shown = pane(qtbot)
    assert shown.headline() == "Choose a number"
    assert shown.body_text() == ""
    assert shown.raw_text() == ""


def test_a_ready_number_says_it_can_text_with_its_use_cases_and_tier(qtbot: Any) -> None:
    ready = verdict(number("1", READY_E164, label="Sales line"), config("1", READY_E164))
    assert ready.sms is State.READY
    shown = pane(qtbot)
    shown.show_verdict(ready)
    assert shown.headline() == "Ready to send SMS and MMS"
    body = shown.body_text()
    assert "SMS: yes" in body and "MMS: yes" in body
    assert "What to do" not in body  # nothing to fix
    assert "Customer Care" in body or "CustomerCare" in body
    assert "at most 6,000 messages a day" in body and "campaign 2008" in body
    assert "(not met)" not in body
    assert "+16505550101" in shown._subtitle.text() and "Sales line" in shown._subtitle.text()
    assert '"phoneNumber": "+16505550101"' in shown.raw_text()
    assert '"smsConfiguration"' in shown.raw_text()


def test_a_blocked_number_leads_with_its_first_error_the_fix_and_who_fixes_it(qtbot: Any) -> None:
    blocked = verdict(number("5", PENDING_E164), config("5", PENDING_E164, campaign="Submitted"))
    assert blocked.sms is State.BLOCKED
    first = blocked.main_reason
    assert first is not None and first.severity is Severity.ERROR and "sms" in first.affects
    shown = pane(qtbot)
    shown.show_verdict(blocked)
    assert shown.headline() == f"Cannot send SMS: {first.summary}"
    body = shown.body_text()
    assert "SMS: no" in body
    what_to_do = body.index("What to do")
    assert body.index(first.message) > what_to_do
    assert first.fix in body
    who = str(first.who)
    assert f"Who can fix this: {who[0].upper()}{who[1:]}" in body
    assert "(not met)" in body  # the checklist shows which condition failed


def test_a_number_still_loading_says_it_is_being_checked(qtbot: Any) -> None:
    loading = verdict(number("9", LOADING_E164), None, ConfigState.LOADING)
    shown = pane(qtbot)
    shown.show_verdict(loading)
    assert shown.headline() == "Checking SMS registration…"
    body = shown.body_text()
    assert "SMS: not known" in body
    assert "(being checked)" in body  # campaign and brand lines
    assert "(not met)" not in body  # nothing is called a failure before it is known


def test_checklist_lines_carry_their_state_in_words(qtbot: Any) -> None:
    blocked = verdict(number("5", PENDING_E164), config("5", PENDING_E164, campaign="Submitted"))
    shown = pane(qtbot)
    shown.show_verdict(blocked)
    body = shown.body_text()
    checklist = body[body.index("Checklist"):body.index("Use cases")]
    lines = [line for line in checklist.splitlines()[1:] if line.strip()]
    assert lines
    words = ("(met)", "(not met)", "(not known)", "(being checked)")
    assert all(line.rstrip().endswith(words) for line in lines), lines


def test_the_ownership_lines_name_the_extension_that_holds_the_number(qtbot: Any) -> None:
    ready = verdict(number("1", READY_E164), config("1", READY_E164))
    shown = pane(qtbot)
    shown.show_verdict(ready)
    me = parse_extension({"id": "100", "extensionNumber": "101", "name": "Alex Rivera", "type": "User"})
    shown.set_signed_in(me)  # redraws the shown verdict
    body = shown.body_text()
    assert "Owner: User extension Alex Rivera (ext. 101)" in body
    assert "SMS features: The extension it is assigned to" in body


def test_server_text_is_shown_as_text_not_markup(qtbot: Any) -> None:
    hostile = verdict(number("1", READY_E164, label="<b>bold</b><a href='x'>y</a>"), config("1", READY_E164))
    shown = pane(qtbot)
    shown.show_verdict(hostile)
    assert "<b>bold</b>" in shown._subtitle.text()
    assert "<b>" not in shown.body_text()


def test_the_account_view_names_the_rows_sms_holder(qtbot: Any) -> None:
    ready = verdict(number("1", READY_E164), config("1", READY_E164))
    shown = pane(qtbot, account_view=True)
    shown.set_signed_in(ExtensionSummary(id="100", name="Front desk", extension_number="101",
                                         type="User", kind="User"))
    shown.show_verdict(ready)
    assert "Front desk (ext. 101) holds this number's SMS (met)" in shown.body_text()
