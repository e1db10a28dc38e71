"""Injected faults: server errors, drops, truncated JSON, slow and spurious 429 responses."""

from __future__ import annotations

import random
from collections import deque

FAULT_KINDS = ("500", "503", "reset", "badjson", "slow", "429")


def parse_faults(spec: str) -> tuple[tuple[str, float], ...]:
    """Parse `KIND:PROBABILITY,...` (e.g. `500:0.1,reset:0.05`); raises ValueError with the reason."""
    rates: list[tuple[str, float]] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        kind, sep, value = part.partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in FAULT_KINDS:
            raise ValueError(
                f"bad fault {part!r}: use KIND:PROBABILITY with KIND one of {', '.join(FAULT_KINDS)}"
            )
        try:
            probability = float(value)
        except ValueError:
            raise ValueError(f"bad fault probability in {part!r}") from None
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"fault probability must be between 0 and 1 in {part!r}")
        rates.append((kind, probability))
    if sum(p for _, p in rates) > 1.0 + 1e-9:
        raise ValueError("fault probabilities add up to more than 1")
    return tuple(rates)


class FaultInjector:
    """Draws at most one fault per request from a seeded generator; tests can force the next ones."""

    def __init__(self, spec: str = "", seed: int = 0) -> None:
        self.rates = parse_faults(spec)
        self._rng = random.Random(seed)
        self._forced: deque[str] = deque()

    def set_rates(self, spec: str) -> None:
        self.rates = parse_faults(spec)

    def force(self, kind: str, count: int = 1) -> None:
        """Make the next `count` faultable requests fail with `kind`."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; use one of {', '.join(FAULT_KINDS)}")
        self._forced.extend([kind] * count)

    def clear(self) -> None:
        self._forced.clear()
        self.rates = ()

    def draw(self) -> str | None:
        if self._forced:
            return self._forced.popleft()
        if not self.rates:
            return None
        roll = self._rng.random()
        cumulative = 0.0
        for kind, probability in self.rates:
            cumulative += probability
            if roll < cumulative:
                return kind
        return None
