"""Text from the server or a file, made safe for where it is shown: a window, a terminal, a CSV file.

Labels, names and statuses are written by whoever administers a RingCentral account (or by any
server the user points the app at), so they are untrusted:

* `without_bidi_controls` removes the Unicode bidirectional controls (UAX #9: embeddings and
  overrides U+202A-U+202E, isolates U+2066-U+2069, marks U+200E/U+200F/U+061C), so a label cannot
  reorder a phone number or the app's own text beside it (https://unicode.org/reports/tr9/ and the
  "Trojan Source" spoofing, CVE-2021-42574).
* `for_terminal` turns control characters (C0, DEL, C1) and the bidi controls into visible escapes,
  so a label cannot set a terminal's title (OSC), clear the screen (CSI) or forge a line (CR/LF).
* `csv_cell` neutralises spreadsheet formulas as OWASP recommends
  (https://owasp.org/www-community/attacks/CSV_Injection): a cell that starts with `=`, `+`, `-`,
  `@`, tab or CR gets a leading `'`, except a plain phone number (`+` and digits), which a
  spreadsheet reads as a number, never as a formula.
"""

from __future__ import annotations

import re

__all__ = [
    "BIDI_CONTROLS",
    "csv_cell",
    "for_terminal",
    "is_dialable",
    "without_bidi_controls",
]

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
)
_BIDI_RE = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
# C0 controls, DEL, C1 controls and the bidi controls: what a terminal acts on or reorders by.
_TERMINAL_RE = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DIALABLE = re.compile(r"\+?[0-9]+")


def without_bidi_controls(text: str) -> str:
    """`text` with every bidirectional control removed (what a window shows of a server string)."""
    if not _BIDI_RE.search(text):
        return text
    return _BIDI_RE.sub("", text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """`text` with control characters and bidi controls written as visible escapes (`\\e`, `\\x9b`,
    `\\u202e`); printable text, including any language's letters, is unchanged."""
    if not _TERMINAL_RE.search(text):
        return text
    return _TERMINAL_RE.sub(_escape, text)


def is_dialable(text: str) -> bool:
    """Whether `text` holds only an optional leading `+` and digits (an E.164-shaped number)."""
    return _DIALABLE.fullmatch(text) is not None


def csv_cell(value: object) -> object:
    """One CSV cell made inert for spreadsheets (OWASP CSV injection); non-strings pass unchanged.

    A phone number (`+16505550100`) stays as is: a spreadsheet reads `+` followed by digits as
    that number, not as a formula, so the column still sorts and dials as numbers.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if is_dialable(value):
        return value
    return "'" + value
