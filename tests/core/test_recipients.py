"""Recipients as typed: national and international formats, international marks, clear problems."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rc_sms_desktop.core.recipients import (
    is_international,
    parse_recipient,
    parse_recipients,
    sender_region,
    split_recipients,
)


def test_national_format_is_read_in_the_senders_country() -> None:
    recipient = parse_recipient("(650) 555-0123", from_region="US")
    assert recipient.ok
    assert recipient.e164 == "+16505550123"
    assert not recipient.international
    assert recipient.display == "(650) 555-0123"


def test_same_national_digits_mean_another_number_from_another_country() -> None:
    recipient = parse_recipient("020 7946 0958", from_region="GB")
    assert recipient.e164 == "+442079460958"
    assert not recipient.international


def test_international_format_is_marked_international_for_a_us_sender() -> None:
    recipient = parse_recipient("+44 20 7946 0958", from_region="US")
    assert recipient.ok
    assert recipient.e164 == "+442079460958"
    assert recipient.international
    assert recipient.country_name == "United Kingdom"
    assert recipient.display == "+44 20 7946 0958"


def test_us_and_canada_are_domestic_to_each_other_but_jamaica_is_not() -> None:
    assert not parse_recipient("+1 416 555 0199", from_region="US").international
    assert not parse_recipient("+1 650 555 0123", from_region="CA").international
    assert parse_recipient("+1 876 555 0100", from_region="US").international
    assert is_international("GB", "US")
    assert not is_international(None, "US")


def test_extension_numbers_and_short_codes_are_refused_in_words() -> None:
    recipient = parse_recipient("101", from_region="US")
    assert not recipient.ok
    assert "extension number" in (recipient.problem or "")


def test_text_that_is_not_a_number() -> None:
    recipient = parse_recipient("call me maybe", from_region="US")
    assert not recipient.ok
    assert "not a phone number" in (recipient.problem or "")


def test_national_number_without_sender_country_asks_for_country_code() -> None:
    recipient = parse_recipient("650 555 0123", from_region=None)
    assert not recipient.ok
    assert "+44" in (recipient.problem or "")


def test_too_short_number_says_wrong_number_of_digits() -> None:
    recipient = parse_recipient("650 555 012", from_region="US")
    assert not recipient.ok
    assert "wrong number of digits" in (recipient.problem or "")


def test_unknown_but_possible_number_is_a_warning_not_a_block() -> None:
    recipient = parse_recipient("+1 555 555 0123", from_region="US")  # 555 is no real area code
    assert recipient.ok
    assert recipient.warning is not None


def test_split_on_commas_semicolons_and_lines_not_spaces() -> None:
    assert split_recipients("650 555 0123, +44 20 7946 0958;\n 415-555-2671 ,,") == [
        "650 555 0123",
        "+44 20 7946 0958",
        "415-555-2671",
    ]


def test_duplicates_are_flagged_and_nothing_is_dropped() -> None:
    recipients = parse_recipients("650 555 0123, +1 (650) 555-0123", from_region="US")
    assert len(recipients) == 2
    assert recipients[0].ok
    assert "listed twice" in (recipients[1].problem or "")


def test_sender_region_from_iso_code_or_number() -> None:
    assert sender_region("+16505550123", "us") == "US"
    assert sender_region("+442079460958") == "GB"
    assert sender_region(None) is None
    assert sender_region("garbage") is None


@given(st.text(max_size=60))
def test_never_raises_on_any_input(typed: str) -> None:
    for recipient in parse_recipients(typed, from_region="US"):
        assert recipient.ok or recipient.problem
