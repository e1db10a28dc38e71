"""Values as people read them: phone numbers (Google's libphonenumber data) and durations."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

from rc_sms_desktop.core.text_safety import without_bidi_controls

__all__ = ["format_duration", "format_number", "region_of"]


@lru_cache(maxsize=65536)
def _parse(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None


@lru_cache(maxsize=65536)
def format_number(e164: str | None, region: str | None = None) -> str:
    """`+16505550100` → `(650) 555-0100` for a viewer in `region` (ISO code, e.g. "US").

    National format when the number belongs to `region`, or when no region is given (each
    number in its own country's style); international format otherwise. A value that does not
    parse comes back unchanged, so nothing RingCentral sent is hidden; `None` becomes "".
    """
    if not e164:
        return ""
    parsed = _parse(e164)
    if parsed is None:
        # Shown as sent, but never with bidi controls that would reorder its digits.
        return without_bidi_controls(e164)
    own = phonenumbers.region_code_for_number(parsed)
    if own is None or own == "ZZ":
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if region is None or region.upper() == own:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@lru_cache(maxsize=65536)
def region_of(e164: str | None) -> str | None:
    """The ISO region code (`US`, `CA`, `GB`…) a number belongs to, or None when unknown."""
    if not e164:
        return None
    parsed = _parse(e164)
    if parsed is None:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    return None if region in (None, "ZZ") else region


def format_duration(seconds: float) -> str:
    """"45 s", "12 min", "2 h 40 min"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"
