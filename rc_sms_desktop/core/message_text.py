"""How a message text will travel: GSM-7 or UCS-2, how many SMS segments, and RingCentral's limit.

Carriers bill and deliver SMS in segments. A text that uses only the GSM 03.38 alphabet travels
as GSM-7 (160 septets in one segment, 153 per segment once it is split, because the
concatenation header takes the rest); one character outside that alphabet switches the whole
text to UCS-2 (70 UTF-16 units, 67 per split segment). Characters of the GSM-7 extension table
(`{ } [ ] ~ \\ | ^ €` and form feed) are sent as an escape plus a character, so they count
twice, and a split never separates the two halves; nor does it separate a surrogate pair in UCS-2.

RingCentral's own limit is separate: 1,000 "symbols" counted in UTF-16 code units, so a
character outside the Basic Multilingual Plane (most emoji) counts as 2 (createSMSMessage's `text` in the OpenAPI spec).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

RINGCENTRAL_TEXT_LIMIT: Final = 1000
"""RingCentral's maximum text length, in UTF-16 code units."""

GSM7: Final = "GSM-7"
UCS2: Final = "UCS-2"

GSM7_SINGLE: Final = 160
GSM7_MULTI: Final = 153
UCS2_SINGLE: Final = 70
UCS2_MULTI: Final = 67

# GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1), without the escape code itself.
_GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The default extension table: each is sent as ESC + character, two septets.
_GSM7_EXTENSION: Final = frozenset("\f^{}\\[~]|€")


def is_gsm7(text: str) -> bool:
    """Whether every character of `text` is in the GSM 03.38 alphabet or its extension table."""
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in text)


def utf16_units(text: str) -> int:
    """Length in UTF-16 code units: what RingCentral counts against its 1,000 limit."""
    # surrogatepass: a lone surrogate pasted from elsewhere still counts instead of raising.
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _pack(costs: list[int], single: int, multi: int) -> int:
    """Segments needed for units of the given costs, never splitting one character's units."""
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments += 1
            used = 0
        used += cost
    return segments


@dataclass(frozen=True)
class TextStats:
    """What the compose counter shows about a text: encoding, segments and RingCentral's limit."""

    characters: int
    """Characters as the user sees them typed (Unicode code points)."""
    utf16_units: int
    """What RingCentral counts against `limit`."""
    encoding: str
    """`GSM-7` or `UCS-2`."""
    units: int
    """Septets (GSM-7) or UTF-16 units (UCS-2) the text occupies on the air."""
    segments: int
    non_gsm: tuple[str, ...]
    """The distinct characters that force UCS-2, in order of appearance (empty for GSM-7)."""
    limit: int = RINGCENTRAL_TEXT_LIMIT

    @property
    def too_long(self) -> bool:
        return self.utf16_units > self.limit

    @property
    def remaining(self) -> int:
        """Units left before RingCentral's limit; negative when over."""
        return self.limit - self.utf16_units

    @property
    def per_segment(self) -> int:
        """Capacity of each segment for this text's encoding and length."""
        if self.encoding == GSM7:
            return GSM7_SINGLE if self.segments <= 1 else GSM7_MULTI
        return UCS2_SINGLE if self.segments <= 1 else UCS2_MULTI

    def summary(self) -> str:
        """One line for the counter, e.g. `12 / 1,000 characters · 1 segment (GSM-7)`."""
        noun = "segment" if self.segments == 1 else "segments"
        line = (
            f"{self.utf16_units:,} / {self.limit:,} characters · {self.segments} {noun} "
            f"({self.encoding})"
        )
        if self.non_gsm:
            shown = " ".join(self.non_gsm[:5]) + (" …" if len(self.non_gsm) > 5 else "")
            line += f" — UCS-2 because of: {shown}"
        return line


def analyse_text(text: str) -> TextStats:
    """Encoding, segment count and RingCentral length of `text` (never raises)."""
    non_gsm: list[str] = []
    for ch in text:
        if ch not in _GSM7_BASIC and ch not in _GSM7_EXTENSION and ch not in non_gsm:
            non_gsm.append(ch)
    if not non_gsm:
        encoding, single, multi = GSM7, GSM7_SINGLE, GSM7_MULTI
        costs = [2 if ch in _GSM7_EXTENSION else 1 for ch in text]
    else:
        encoding, single, multi = UCS2, UCS2_SINGLE, UCS2_MULTI
        costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return TextStats(
        characters=len(text),
        utf16_units=utf16_units(text),
        encoding=encoding,
        units=sum(costs),
        segments=_pack(costs, single, multi),
        non_gsm=tuple(non_gsm),
    )
