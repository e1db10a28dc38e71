"""RingCentral's user-level rate limits: per user and group, sliding window, penalty (https://developers.ringcentral.com/guide/basics/rate-limits).

Decision (documented in the README): a request refused with 429 does not enter the window (it was
not served) but it restarts the penalty, as RingCentral says "with each new request the penalty
interval is reset" (https://developers.ringcentral.com/guide/basics/rate-limits, "the 429 trap").
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from rc_sms_desktop.simulator.clock import SimulatorClock

# The default user-level plan (https://developers.ringcentral.com/guide/basics/rate-limits table); the penalty equals the window (60 s).
DEFAULT_PLAN: dict[str, int] = {"Light": 50, "Medium": 40, "Heavy": 10, "Auth": 5}


@dataclass(frozen=True, slots=True)
class RateDecision:
    """What the limiter said about one request, with the values for the X-Rate-Limit headers."""

    allowed: bool
    group: str
    limit: int
    remaining: int
    window_s: float
    retry_after_s: float | None = None
    during_penalty: bool = False

    def headers(self) -> dict[str, str]:
        headers = {
            "X-Rate-Limit-Group": self.group,
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Window": seconds_header(self.window_s),
        }
        if self.retry_after_s is not None:
            headers["Retry-After"] = seconds_header(self.retry_after_s)
        return headers


def seconds_header(seconds: float) -> str:
    """Whole seconds as RingCentral sends them; fractions only appear with scaled windows."""
    if seconds >= 1:
        return str(math.ceil(seconds - 1e-9))
    return f"{seconds:.3f}".rstrip("0").rstrip(".") or "0"


@dataclass(slots=True)
class _Bucket:
    served: deque[float] = field(default_factory=deque)
    penalty_until: float = 0.0


class RateLimiter:
    """Counts served requests per (user, group) in a sliding window and applies penalties."""

    def __init__(self, clock: SimulatorClock, window_s: float = 60.0,
                 plan: dict[str, int] | None = None) -> None:
        self._clock = clock
        self.window_s = window_s
        self.penalty_s = window_s
        self.plan = dict(plan or DEFAULT_PLAN)
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def check(self, key: str, group: str) -> RateDecision:
        limit = self.plan[group]
        now = self._clock.monotonic()
        bucket = self._buckets.setdefault((key, group), _Bucket())
        while bucket.served and bucket.served[0] <= now - self.window_s:
            bucket.served.popleft()
        if now < bucket.penalty_until:
            bucket.penalty_until = now + self.penalty_s  # the penalty restarts (https://developers.ringcentral.com/guide/basics/rate-limits)
            return RateDecision(False, group, limit, 0, self.window_s, self.penalty_s, True)
        if len(bucket.served) >= limit:
            bucket.penalty_until = now + self.penalty_s
            return RateDecision(False, group, limit, 0, self.window_s, self.penalty_s)
        bucket.served.append(now)
        return RateDecision(True, group, limit, limit - len(bucket.served), self.window_s)

    def reset(self) -> None:
        """Forget all windows and penalties."""
        self._buckets.clear()
