"""The fastest any client could go: the floor the rate limits (or the latency) allow.

RingCentral counts requests per group in a sliding window (https://developers.ringcentral.com/guide/basics/rate-limits). `n` requests in a group
of `limit` per `window` need `ceil(n / limit) - 1` full windows before the last batch can be
sent; groups run in parallel, so the floor is the slowest group's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

# RingCentral's default user-level plan (requests per window), as the simulator applies it.
PRODUCTION_PLAN: dict[str, int] = {"Light": 50, "Medium": 40, "Heavy": 10, "Auth": 5}


def full_windows(requests: int, limit: int) -> int:
    """Full windows `requests` requests must wait through at `limit` per window."""
    if requests <= 0:
        return 0
    return math.ceil(requests / limit) - 1


def rate_limit_floor(requests_per_group: Mapping[str, int], window_s: float,
                     plan: Mapping[str, int] = PRODUCTION_PLAN) -> tuple[float, str]:
    """(seconds, binding group): the wall time the limits allow for these requests, ε excluded."""
    best = (0.0, "")
    for group, count in requests_per_group.items():
        limit = plan.get(group)
        if limit is None:
            continue
        seconds = full_windows(count, limit) * window_s
        if seconds > best[0] or not best[1]:
            best = (seconds, group)
    return best


def latency_floor(round_trips: int, latency_ms: float) -> float:
    """Seconds for a chain of `round_trips` dependent requests at `latency_ms` each."""
    return round_trips * latency_ms / 1000
