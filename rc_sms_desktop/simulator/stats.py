"""Counters the tests and benchmarks read through `GET /_simulator/stats` or the control handle."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SimulatorStats:
    """What the simulator has seen and done since start (or the last reset)."""

    requests: dict[str, int] = field(default_factory=dict)  # per rate-limit group
    throttled: int = 0  # 429s sent by the rate limiter
    requests_during_penalty: int = 0
    tokens_issued: int = 0
    refreshes: int = 0
    revocations: int = 0
    unauthorized: int = 0  # 401s sent
    faults: dict[str, int] = field(default_factory=dict)  # injected faults by kind
    messages_sent: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "requests": dict(self.requests),
            "throttled": self.throttled,
            "requestsDuringPenalty": self.requests_during_penalty,
            "tokensIssued": self.tokens_issued,
            "refreshes": self.refreshes,
            "revocations": self.revocations,
            "unauthorized": self.unauthorized,
            "faults": dict(self.faults),
            "messagesSent": self.messages_sent,
        }
