"""Recipients as the user types them: split, parsed with `phonenumbers`, normalised to E.164.

National formats are read in the sender's country ("(650) 555-0123" from a US number); anything
starting with `+` or an international prefix is read as typed. Each recipient is marked
international relative to the sender, because RingCentral refuses those from a number without
`InternationalSmsSender` (and from toll-free numbers, MSG-403).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import phonenumbers

from rc_sms_desktop.core.number_kinds import is_us_or_canada_region

# US and Canada text each other as domestic (RingCentral's High Volume guide lists US↔CA apart
# from international). "US or Canada" has one definition, shared with the sender rules
# (`number_kinds.US_OR_CANADA_REGIONS`: the US territories count as the US; other +1 countries,
# Jamaica, the Bahamas…, are international even though they share the country code).

# Commas, semicolons and line breaks separate recipients; spaces do not (numbers contain them).
_SEPARATORS: Final = re.compile(r"[,;\n\r]+")


@dataclass(frozen=True)
class Recipient:
    """One typed recipient: what was typed, what it means, and whether it can be sent to."""

    typed: str
    e164: str | None
    """Normalised number, or None when `typed` is not a phone number."""
    region: str | None
    """ISO country of the number (`GB`), when known."""
    country_name: str | None
    international: bool
    """True when the recipient is in another country than the sender."""
    problem: str | None = None
    """Why this cannot be sent to (blocks sending)."""
    warning: str | None = None
    """Something doubtful that does not block sending (a number libphonenumber does not know)."""
    display: str = ""
    """The number formatted for people: national for domestic, international otherwise."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def split_recipients(typed: str) -> list[str]:
    """The non-empty entries of a recipients field, trimmed, in order."""
    return [part.strip() for part in _SEPARATORS.split(typed) if part.strip()]


def sender_region(sender_e164: str | None, iso_code: str | None = None) -> str | None:
    """The sender's country: the number's `country.isoCode` if given, else from its E.164."""
    if iso_code and len(iso_code) == 2 and iso_code.isalpha():
        return iso_code.upper()
    if not sender_e164:
        return None
    try:
        parsed = phonenumbers.parse(sender_e164, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    return region if region and region != "ZZ" else None


def is_international(recipient_region: str | None, from_region: str | None) -> bool:
    """Whether a recipient in `recipient_region` is international for a sender in `from_region`."""
    if recipient_region is None or from_region is None:
        # Unknown either side: do not claim international (RingCentral will decide).
        return False
    if recipient_region == from_region:
        return False
    return not (is_us_or_canada_region(recipient_region) and is_us_or_canada_region(from_region))


def _refused(typed: str, problem: str) -> Recipient:
    """A recipient that is not a phone number we can text, and why."""
    return Recipient(typed, None, None, None, False, problem=problem)


def parse_recipient(typed: str, *, from_region: str | None) -> Recipient:
    """One entry, read in the sender's country unless written internationally. Never raises."""
    text = typed.strip()
    if not text:
        return _refused(typed, "Empty recipient.")
    digits = sum(ch.isdigit() for ch in text)
    if digits and digits <= 6 and not text.startswith("+"):
        # RingCentral does not text extension numbers (MSG-246); say so instead of "invalid".
        return _refused(
            typed,
            f"“{text}” looks like an extension number or short code; "
            "texting needs a full phone number.",
        )
    try:
        parsed = phonenumbers.parse(text, from_region)
    except phonenumbers.NumberParseException:
        hint = "" if from_region else " Write it with its country code, e.g. +44 20 7946 0958."
        return _refused(typed, f"“{text}” is not a phone number.{hint}")
    if not phonenumbers.is_possible_number(parsed):
        where = f" in {from_region}" if from_region and not text.startswith("+") else ""
        return _refused(typed, f"“{text}” has the wrong number of digits for a phone number{where}.")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(parsed)
    region = region if region and region != "ZZ" else None
    # A number libphonenumber does not know (no region) is still in the country its calling code
    # names: +44 7700 900123 is British for RingCentral whatever libphonenumber thinks of it, so
    # it is international from a US number. +1 is shared by many countries: its main region (US)
    # stands in, which a US or Canadian sender treats as domestic.
    by_calling_code: str | None = phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    by_calling_code = by_calling_code if by_calling_code not in (None, "ZZ") else None
    international = is_international(region or by_calling_code, from_region)
    named = region or (by_calling_code if parsed.country_code != 1 else None)  # +1: which one?
    country_name = _country_name(named) or named
    display = phonenumbers.format_number(
        parsed,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
        if international or from_region is None
        else phonenumbers.PhoneNumberFormat.NATIONAL,
    )
    warning = None
    if not phonenumbers.is_valid_number(parsed):
        # Possible but unknown to libphonenumber (new ranges, test numbers): RingCentral decides.
        warning = f"{e164} is not a number libphonenumber knows; check it before sending."
    return Recipient(
        typed,
        e164,
        region,
        country_name or None,
        international,
        warning=warning,
        display=display,
    )


def parse_recipients(typed: str | Iterable[str], *, from_region: str | None) -> list[Recipient]:
    """Every entry of a recipients field (or a list of entries), duplicates marked as problems."""
    entries = split_recipients(typed) if isinstance(typed, str) else [t for t in typed if t.strip()]
    seen: set[str] = set()
    result: list[Recipient] = []
    for entry in entries:
        recipient = parse_recipient(entry, from_region=from_region)
        number = recipient.e164
        if number is not None:
            if number in seen:
                recipient = Recipient(
                    recipient.typed,
                    number,
                    recipient.region,
                    recipient.country_name,
                    recipient.international,
                    problem=f"{recipient.display or number} is listed twice.",
                    display=recipient.display,
                )
            seen.add(number)
        result.append(recipient)
    return result


def _country_name(region: str | None) -> str | None:
    # pycountry's ISO 3166 table: ~40 ms on first use, where phonenumbers' geocoder would take
    # ~0.4 s and ~110 MB just to name a country.
    if not region:
        return None
    import pycountry

    country = pycountry.countries.get(alpha_2=region)
    if country is None:
        return None
    name: str = getattr(country, "common_name", None) or country.name
    return name
