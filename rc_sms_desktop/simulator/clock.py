"""The simulator's clock: real time plus an offset tests can advance (no sleeping in tests)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class SimulatorClock:
    """Monotonic and wall time for token expiry, rate windows and message delivery."""

    def __init__(self) -> None:
        self._offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self._offset)

    def advance(self, seconds: float) -> None:
        """Jump forward: tokens expire, windows slide and messages deliver as if time passed."""
        if seconds < 0:
            raise ValueError("the simulator clock only moves forward")
        self._offset += seconds


def iso_time(moment: datetime) -> str:
    """RingCentral's timestamp shape, e.g. 2026-11-27T12:00:00.000Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
