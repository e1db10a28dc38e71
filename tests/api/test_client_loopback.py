"""The client over real HTTP: the simulator on a loopback port with latency and injected faults
(connection resets, truncated JSON, 5xx, a response held past the deadline)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from rc_sms_desktop.api.auth import ClientCredentials
from rc_sms_desktop.api.client import RetryPolicy, RingCentralClient, Timeouts
from rc_sms_desktop.api.errors import RequestTimeoutError
from rc_sms_desktop.api.rate_limits import DEFAULT_LIMITS
from rc_sms_desktop.api.servers import custom_server
from rc_sms_desktop.api.session import TokenSession
from rc_sms_desktop.core.eligibility import State
from rc_sms_desktop.infra.redaction import Secret
from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_JWT,
    SimulatorConfig,
)
from rc_sms_desktop.workflows.loader import LoadFinished, SenderLoader, final_verdicts
from tests.loopback_server import serve

EXT = "/restapi/v1.0/account/~/extension/~"


@pytest.fixture
def loopback_url() -> Iterator[str]:
    config = SimulatorConfig(latency_ms=10, rate_window_s=1, slow_fault_s=1.5)
    with serve(create_app(config)) as url:
        yield url


@pytest.fixture
async def client(loopback_url: str) -> AsyncIterator[RingCentralClient]:
    rc = RingCentralClient(
        loopback_url,
        retry=RetryPolicy(attempts=4, initial_backoff=0.01, max_backoff=0.05),
        timeouts=Timeouts(deadline=0.5),
    )
    rc.authenticator = await TokenSession.sign_in_with_jwt(
        rc.http,
        custom_server(loopback_url),
        ClientCredentials(DEMO_CLIENT_ID, Secret(DEMO_CLIENT_SECRET)),
        Secret(DEMO_JWT),
    )
    yield rc
    await rc.aclose()


async def force(client: RingCentralClient, kind: str, count: int = 1) -> None:
    response = await client.http.post("/_simulator/fault", params={"kind": kind, "count": count})
    assert response.status_code == 204


async def stats(client: RingCentralClient) -> Any:
    return (await client.http.get("/_simulator/stats")).json()


@pytest.mark.parametrize("kind", ["reset", "badjson", "500", "503"])
async def test_a_get_recovers_from_each_fault_over_tcp(client: RingCentralClient, kind: str) -> None:
    await force(client, kind, 2)
    body = await client.get_json(EXT)
    assert body["id"]
    assert (await stats(client))["faults"] == {kind: 2}


async def test_a_held_response_is_cut_by_the_deadline_and_retried(client: RingCentralClient) -> None:
    await force(client, "slow", 1)
    before = (await stats(client))["requests"].get("Light", 0)
    body = await client.get_json(EXT)
    assert body["id"]
    assert (await stats(client))["requests"]["Light"] - before == 2  # the held one and the retry


async def test_a_server_that_keeps_holding_gives_a_timeout_error(client: RingCentralClient) -> None:
    await force(client, "slow", 4)
    with pytest.raises(RequestTimeoutError):
        await client.get_json(EXT)


async def test_the_loader_finishes_through_a_burst_of_faults(client: RingCentralClient) -> None:
    client.retry = RetryPolicy(attempts=6, initial_backoff=0.01, max_backoff=0.05)
    for kind in ("reset", "500", "badjson", "503", "reset"):
        await force(client, kind, 1)
    events = [event async for event in SenderLoader(client).load()]
    assert isinstance(events[-1], LoadFinished)
    assert not [v for v in final_verdicts(events) if v.sms is State.UNKNOWN]
    assert sum((await stats(client))["faults"].values()) == 5


async def test_many_concurrent_calls_share_a_small_pool_without_pool_timeouts(loopback_url: str) -> None:
    rc = RingCentralClient(loopback_url, max_connections=2, timeouts=Timeouts(pool=5.0, deadline=10.0))
    rc.authenticator = await TokenSession.sign_in_with_jwt(
        rc.http,
        custom_server(loopback_url),
        ClientCredentials(DEMO_CLIENT_ID, Secret(DEMO_CLIENT_SECRET)),
        Secret(DEMO_JWT),
    )
    async with rc:
        results = await asyncio.gather(*(rc.get_json(EXT) for _ in range(30)))
        pool = rc.http._transport._pool  # type: ignore[attr-defined]
        assert len(pool.connections) <= 2
    assert len({r["id"] for r in results}) == 1


def _barrier_app(expected: int, patience_s: float) -> Any:
    """Answers each request once `expected` requests are open at once (or after `patience_s`),
    saying how many had arrived by then."""
    arrived = 0
    everyone: asyncio.Event | None = None

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal arrived, everyone
        if scope["type"] != "http":
            return
        everyone = everyone or asyncio.Event()
        arrived += 1
        if arrived >= expected:
            everyone.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(patience_s):
                await everyone.wait()
        body = json.dumps({"together": arrived}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    return app


async def test_a_default_client_keeps_a_whole_light_window_in_flight_at_once() -> None:
    # The loader sends every SMS configuration of a user at once when the Light window allows
    # (50 on the default plan); a smaller connection pool would split them into waves, each a
    # round trip. This server answers only when all of them are open together.
    light_limit = DEFAULT_LIMITS["light"][0]
    with serve(_barrier_app(light_limit, patience_s=1.0)) as url:
        async with RingCentralClient(url) as rc:
            answers = await asyncio.gather(*(rc.http.get(f"/{i}") for i in range(light_limit)))
    assert [a.json()["together"] for a in answers] == [light_limit] * light_limit
