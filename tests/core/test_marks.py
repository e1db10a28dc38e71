"""One mark per verdict, one label per mark: what the picker, the Account table and exports show."""

from __future__ import annotations

import dataclasses

import pytest

from rc_sms_desktop.core.account_join import AccountRow, ExtensionSummary
from rc_sms_desktop.core.eligibility import ConfigState, State, evaluate
from rc_sms_desktop.core.marks import Mark, verdict_mark
from rc_sms_desktop.core.models import parse_phone_number

NUMBER = parse_phone_number(
    {"id": "1", "phoneNumber": "+16505550101", "usageType": "DirectNumber", "status": "Normal",
     "type": "VoiceFax", "features": ["SmsSender", "CallerId"]}
)


@pytest.mark.parametrize(
    ("sms", "config_state", "mark"),
    [
        (State.READY, ConfigState.LOADED, Mark.READY),
        (State.BLOCKED, ConfigState.LOADED, Mark.BLOCKED),
        (State.BLOCKED, ConfigState.LOADING, Mark.BLOCKED),  # blocked whatever is still loading
        (State.UNKNOWN, ConfigState.LOADING, Mark.LOADING),
        (State.UNKNOWN, ConfigState.NOT_LOADED, Mark.LOADING),
        (State.UNKNOWN, ConfigState.FAILED, Mark.UNKNOWN),
        (State.UNKNOWN, ConfigState.LOADED, Mark.UNKNOWN),
    ],
)
def test_a_verdict_has_one_mark(sms: State, config_state: ConfigState, mark: Mark) -> None:
    verdict = dataclasses.replace(evaluate(NUMBER), sms=sms, config_state=config_state)
    assert verdict_mark(verdict) is mark


def test_no_verdict_is_loading_unless_it_cannot_come() -> None:
    assert verdict_mark(None) is Mark.LOADING
    assert verdict_mark(None, unavailable=True) is Mark.UNKNOWN


def test_every_mark_has_its_own_label_and_place() -> None:
    assert len({m.label for m in Mark}) == len(Mark)
    assert sorted(Mark, key=lambda m: m.rank) == [Mark.BLOCKED, Mark.UNKNOWN, Mark.LOADING, Mark.READY]


def test_an_account_row_shows_the_mark_the_picker_shows() -> None:
    verdict = evaluate(NUMBER)
    owner = ExtensionSummary(id="7", name="Alex", extension_number="101", type="User", kind="User")
    row = AccountRow(
        key="1", number=NUMBER, owner=owner, sms_holder=owner, features=tuple(NUMBER.features),
        features_known=True, config=None, config_state=verdict.config_state, verdict=verdict,
        ownership=None, as_of=None,
    )
    assert row.mark is verdict_mark(verdict)
    assert row.verdict_label == verdict_mark(verdict).label
