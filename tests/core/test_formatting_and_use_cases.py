"""Phone-number formatting and the TCR use-case catalogue."""

from __future__ import annotations

import pytest

from rc_sms_desktop.core.formatting import format_number, region_of
from rc_sms_desktop.core.use_cases import USE_CASES, describe_use_case, use_case_titles


@pytest.mark.parametrize(
    ("e164", "region", "shown"),
    [
        ("+16505550100", None, "(650) 555-0100"),
        ("+16505550100", "US", "(650) 555-0100"),
        ("+16505550100", "us", "(650) 555-0100"),
        ("+16505550100", "GB", "+1 650-555-0100"),
        ("+442079460000", None, "020 7946 0000"),
        ("+442079460000", "US", "+44 20 7946 0000"),
        ("+18005550100", "US", "(800) 555-0100"),
        ("not a number", "US", "not a number"),
        ("+999", None, "+999"),
        ("", None, ""),
        (None, None, ""),
    ],
)
def test_format_number(e164: str | None, region: str | None, shown: str) -> None:
    assert format_number(e164, region) == shown


def test_region_of() -> None:
    assert region_of("+14165550100") == "CA"
    assert region_of("+16505550100") == "US"
    assert region_of("junk") is None
    assert region_of(None) is None


def test_catalogue_has_the_fifteen_tcr_use_cases() -> None:
    assert set(USE_CASES) == {
        "CustomerCare", "AccountNotification", "DeliveryNotification", "ConversationsInternal",
        "ConversationsExternal", "FraudAlert", "HigherEducation", "K12Education", "MachineToMachine",
        "Marketing", "Mixed", "PollingVoting", "PublicServiceAnnouncement", "SecurityAlert", "Unknown",
    }
    titles = [entry.title for entry in USE_CASES.values()]
    assert len(set(titles)) == 15  # a picker must tell them apart
    for code, entry in USE_CASES.items():
        assert entry.code == code and entry.known
        assert entry.description.endswith(".")


def test_unknown_use_case_is_shown_raw() -> None:
    entry = describe_use_case("TimeTravelNotice")
    assert not entry.known
    assert entry.title == "TimeTravelNotice"
    assert use_case_titles(["MachineToMachine", "TimeTravelNotice"]) == "One-time passcodes, TimeTravelNotice"
