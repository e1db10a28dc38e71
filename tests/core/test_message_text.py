"""Segment counting and RingCentral's text limit, as the compose counter shows them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rc_sms_desktop.core.message_text import (
    GSM7,
    UCS2,
    analyse_text,
    is_gsm7,
    utf16_units,
)


def test_empty_text_is_zero_segments() -> None:
    stats = analyse_text("")
    assert stats.segments == 0
    assert stats.encoding == GSM7
    assert not stats.too_long


def test_plain_ascii_fits_one_segment_up_to_160() -> None:
    assert analyse_text("a" * 160).segments == 1
    assert analyse_text("a" * 161).segments == 2
    assert analyse_text("a" * 306).segments == 2  # 2 x 153
    assert analyse_text("a" * 307).segments == 3


def test_gsm7_extension_characters_count_double() -> None:
    stats = analyse_text("€" * 80)
    assert stats.encoding == GSM7
    assert stats.units == 160
    assert stats.segments == 1
    assert analyse_text("€" * 81).segments == 2


def test_extension_character_is_not_split_across_segments() -> None:
    # 152 plain + one escape pair = 154 septets: the pair would straddle 153, so it moves whole.
    text = "a" * 152 + "{" + "b" * 150
    stats = analyse_text(text)
    assert stats.units == 304
    # Segment 1: 152 'a' (the pair does not fit), segment 2: '{' + 150 'b' = 152. Two segments.
    assert stats.segments == 2
    # 152 'a', '[', then 152 'b' = 306 septets; naive division says 2, the unsplittable pair makes 3.
    assert analyse_text("a" * 152 + "[" + "b" * 152).segments == 3


def test_one_non_gsm_character_switches_to_ucs2() -> None:
    stats = analyse_text("Hello ’world’")
    assert stats.encoding == UCS2
    assert stats.non_gsm == ("’",)
    assert "UCS-2 because of: ’" in stats.summary()


def test_ucs2_segments_70_then_67() -> None:
    assert analyse_text("ж" * 70).segments == 1
    assert analyse_text("ж" * 71).segments == 2
    assert analyse_text("ж" * 134).segments == 2
    assert analyse_text("ж" * 135).segments == 3


def test_emoji_counts_two_units_and_is_not_split() -> None:
    stats = analyse_text("😀" * 35)
    assert stats.encoding == UCS2
    assert stats.characters == 35
    assert stats.utf16_units == 70
    assert stats.segments == 1
    # 66 units of 'ж' then an emoji: 68 units; the pair cannot straddle 67, so 2 segments.
    assert analyse_text("ж" * 66 + "😀" + "ж" * 60).segments == 2


def test_ringcentral_limit_counts_utf16_units() -> None:
    assert not analyse_text("a" * 1000).too_long
    assert analyse_text("a" * 1001).too_long
    # 500 emoji = 1000 units: allowed; 501 is not (createSMSMessage's `text`: 4-byte chars count as 2).
    assert not analyse_text("😀" * 500).too_long
    over = analyse_text("😀" * 501)
    assert over.too_long
    assert over.remaining == -2


def test_accented_latin_in_gsm_alphabet_stays_gsm7() -> None:
    assert is_gsm7("Ça coûte 5€? Très bien, ¿qué?") is False  # û is not in GSM 03.38
    assert is_gsm7("Ça va? Très bien, ¿qué? 5€") is True


def test_summary_reads_like_the_counter() -> None:
    assert analyse_text("hi").summary() == "2 / 1,000 characters · 1 segment (GSM-7)"


def test_lone_surrogate_does_not_crash() -> None:
    assert utf16_units("a\ud800b") == 3
    assert analyse_text("a\ud800b").encoding == UCS2


@given(st.text(max_size=400))
def test_segments_never_fewer_than_capacity_allows(text: str) -> None:
    stats = analyse_text(text)
    if not text:
        assert stats.segments == 0
        return
    assert stats.segments >= 1
    # Never fewer segments than the units strictly need, and one segment when it all fits.
    assert stats.segments * stats.per_segment >= stats.units
    single = 160 if stats.encoding == GSM7 else 70
    assert (stats.segments == 1) == (stats.units <= single)
