"""Helpers for the API tests: a scripted RingCentral stand-in behind `httpx.MockTransport`.

Requests travel as real `httpx.Request`/`httpx.Response` objects through the client's own
`httpx.AsyncClient`; only the network is replaced. Each handler sees the request and returns a
response (or raises a transport error), and every request is recorded with its arrival time.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from rc_sms_desktop.api.client import (
    RetryPolicy,
)

SERVER = "https://rc.test"
TOKEN_SENTINEL = "SENTINEL-TOKEN-7f3a9c"

Handler = Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response]


@dataclass
class Seen:
    """One request as the server saw it."""

    method: str
    url: httpx.URL
    headers: httpx.Headers
    at: float


@dataclass
class FakeRingCentral:
    """Routes (method, path) to handlers and records every request."""

    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    fallback: Handler | None = None

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(Seen(request.method, request.url, request.headers, time.monotonic()))
        handler = self.routes.get((request.method, request.url.path)) or self.fallback
        if handler is None:
            return json_response(404, {"errors": [{"errorCode": "CMN-102", "message": "nope"}]})
        result = handler(request)
        if asyncio.iscoroutine(result):
            result = await result
        assert isinstance(result, httpx.Response)
        return result

    def count(self, path: str | None = None) -> int:
        return sum(1 for s in self.seen if path is None or s.url.path == path)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def sequence(*steps: Callable[[httpx.Request], httpx.Response] | httpx.Response | type[Exception] | Exception) -> Handler:
    """A handler that plays `steps` in order (the last one repeats); exceptions are raised."""
    remaining = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        step = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(step, type) and issubclass(step, Exception):
            raise step("scripted failure", request=request) if issubclass(step, httpx.TransportError) else step()
        if isinstance(step, Exception):
            raise step
        if callable(step) and not isinstance(step, httpx.Response):
            return step(request)
        assert isinstance(step, httpx.Response)
        return step

    return handler


FAST_RETRY = RetryPolicy(attempts=4, initial_backoff=0.001, max_backoff=0.01, max_retry_after=1.0)
