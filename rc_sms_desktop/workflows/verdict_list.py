"""A load's verdicts in the loader's order, kept up to date from its events (for the command line,
which prints them once the load is over)."""

from __future__ import annotations

from rc_sms_desktop.core.eligibility import Verdict
from rc_sms_desktop.workflows.loader import NumbersListed, VerdictUpdated


class VerdictList:
    """Feed it every event of `SenderLoader.load()`; `verdicts()` is the final list."""

    def __init__(self) -> None:
        self._order: list[str] = []
        self._by_key: dict[str, Verdict] = {}

    def apply(self, event: object) -> bool:
        """Take in a `NumbersListed` or `VerdictUpdated` (True), else leave it to the caller."""
        if isinstance(event, NumbersListed):
            self._order, self._by_key = [], {}
            for index, verdict in enumerate(event.verdicts):
                key = verdict.number.id or f"#{index}"  # a record without an id still gets a row
                self._order.append(key)
                self._by_key[key] = verdict
            return True
        if isinstance(event, VerdictUpdated):
            self._by_key[event.verdict.number.id] = event.verdict
            return True
        return False

    def verdicts(self) -> list[Verdict]:
        return [self._by_key[key] for key in self._order]
