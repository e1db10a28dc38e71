"""A verdict's mark: the one word the picker, the Account table and their exports show for it.

Each place used to map a verdict to its mark itself (the Account table even went verdict →
display string → mark). Here is the only mapping; the UI draws each `Mark` (ui/theme.py) and
every list shows its `label`.
"""

from __future__ import annotations

from enum import StrEnum

from rc_sms_desktop.core.eligibility import ConfigState, State, Verdict


class Mark(StrEnum):
    """What a number's state mark says at a glance."""

    READY = "ready"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"
    LOADING = "loading"

    @property
    def label(self) -> str:
        """The mark in words: the Account table's Verdict column, its filter, CSV and JSON."""
        return _LABELS[self]

    @property
    def rank(self) -> int:
        """Sort order for a list of marks: blocked first (what needs fixing), ready last."""
        return _RANKS[self]


_LABELS = {
    Mark.READY: "Can send SMS",
    Mark.BLOCKED: "Blocked",
    Mark.UNKNOWN: "Unknown",
    Mark.LOADING: "Checking…",
}
_RANKS = {Mark.BLOCKED: 0, Mark.UNKNOWN: 1, Mark.LOADING: 2, Mark.READY: 3}
_STILL_LOADING = frozenset({ConfigState.LOADING, ConfigState.NOT_LOADED})


def verdict_mark(verdict: Verdict | None, *, unavailable: bool = False) -> Mark:
    """The mark of a verdict; no verdict yet is LOADING, or UNKNOWN when it cannot come
    (`unavailable`: the list that would decide it could not be read)."""
    if verdict is None:
        return Mark.UNKNOWN if unavailable else Mark.LOADING
    if verdict.sms is State.READY:
        return Mark.READY
    if verdict.sms is State.BLOCKED:
        return Mark.BLOCKED
    if verdict.config_state in _STILL_LOADING:
        return Mark.LOADING
    return Mark.UNKNOWN
