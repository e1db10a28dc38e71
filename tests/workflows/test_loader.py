"""SenderLoader against the in-process simulator: events, partial failures, rate limits,
cancellation and the warm start from the cache."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from rc_sms_desktop.api.auth import ClientCredentials
from rc_sms_desktop.api.client import RetryPolicy, RingCentralClient, StaticTokenAuthenticator
from rc_sms_desktop.api.demo import DEMO_SERVER, DEMO_SERVER_URL, open_demo_client
from rc_sms_desktop.api.errors import SessionEndedError
from rc_sms_desktop.api.session import TokenSession
from rc_sms_desktop.core.eligibility import State, needs_configuration, sender_sort_key
from rc_sms_desktop.infra.cache import VerdictCache
from rc_sms_desktop.infra.redaction import Secret
from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.workflows.loader import (
    CachedVerdicts,
    LoadFailed,
    LoadFinished,
    NumbersListed,
    Progress,
    RateLimited,
    SenderLoader,
    SignedInAs,
    VerdictUpdated,
    final_verdicts,
)

FAST_RETRY = RetryPolicy(attempts=3, initial_backoff=0.001, max_backoff=0.005)


class FailingConfigTransport(httpx.AsyncBaseTransport):
    """Passes everything to the simulator except the SMS configuration of chosen numbers."""

    def __init__(self, inner: httpx.AsyncBaseTransport, fail_ids: set[str]) -> None:
        self.inner = inner
        self.fail_ids = fail_ids
        self.config_requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sms-configuration"):
            self.config_requests += 1
            number_id = request.url.path.split("/")[-2]
            if number_id in self.fail_ids:
                return httpx.Response(500, json={"errors": [{"errorCode": "CMN-203"}]})
        return await self.inner.handle_async_request(request)


class InFlightTransport(httpx.AsyncBaseTransport):
    """Counts the SMS-configuration requests the simulator is answering at the same time."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.in_flight = 0
        self.most_in_flight = 0
        self.config_requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/sms-configuration"):
            return await self.inner.handle_async_request(request)
        self.config_requests += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


async def simulator_client(
    wrap: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] | None = None,
    **options: Any,
) -> tuple[RingCentralClient, Any]:
    config = SimulatorConfig(**options)
    app = create_app(config)
    transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=app)
    if wrap is not None:
        transport = wrap(transport)
    client = RingCentralClient(DEMO_SERVER_URL, transport, retry=FAST_RETRY)
    client.authenticator = await TokenSession.sign_in_with_jwt(
        client.http,
        DEMO_SERVER,
        ClientCredentials(config.client_id, Secret(config.client_secret)),
        Secret(config.jwt),
    )
    return client, app


async def collect(events: AsyncIterator[Any]) -> list[Any]:
    return [event async for event in events]


async def load_counting_in_flight(
    **simulator: Any,
) -> tuple[list[Any], dict[str, Any], InFlightTransport]:
    """One load over the simulator through an `InFlightTransport`: the loader's events, the
    simulator's stats afterwards, and the counter."""
    counters: list[InFlightTransport] = []

    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        counters.append(InFlightTransport(inner))
        return counters[0]

    client, _app = await simulator_client(wrap, **simulator)
    async with client:
        events = await collect(SenderLoader(client).load())
        stats = (await client.http.get("/_simulator/stats")).json()
    return events, stats, counters[0]


async def test_demo_load_lists_every_number_then_resolves_each_configuration() -> None:
    client = await open_demo_client()
    async with client:
        events = await collect(SenderLoader(client).load())
    kinds = [type(e) for e in events]
    assert kinds[0] is SignedInAs and kinds[1] is NumbersListed and kinds[-1] is LoadFinished
    listed = events[1].verdicts
    needing = [v for v in listed if needs_configuration(v.number)]
    # "checking…" at first (a local High Volume number's SMS is blocked anyway; its High Volume waits)
    assert needing and all(any(r.code == "loading" for r in v.reasons) for v in needing)
    assert all(State.UNKNOWN in (v.sms, v.high_volume) for v in needing)
    updates = [e for e in events if isinstance(e, VerdictUpdated)]
    assert {u.verdict.number.id for u in updates} == {v.number.id for v in needing}
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[0] == Progress(0, len(needing)) and progress[-1] == Progress(len(needing), len(needing))
    final = final_verdicts(events)
    assert len(final) == len(listed)
    assert not [v for v in final if any(r.code == "loading" for r in v.reasons)]
    assert any(v.can_send_sms for v in final) and any(v.sms is State.BLOCKED for v in final)


async def test_likeliest_senders_are_fetched_first() -> None:
    client = await open_demo_client()
    async with client:
        events = await collect(SenderLoader(client, max_workers=1).load())
    listed = {v.number.id: v for v in next(e for e in events if isinstance(e, NumbersListed)).verdicts}
    order = [e.verdict.number.id for e in events if isinstance(e, VerdictUpdated)]
    keys = [sender_sort_key(listed[number_id]) for number_id in order]
    assert keys == sorted(keys)
    assert listed[order[0]].number.primary or listed[order[0]].number.usage_type == "DirectNumber"


async def test_a_failing_configuration_makes_only_that_number_unknown() -> None:
    probe = await open_demo_client()
    async with probe:
        listed = next(e for e in await collect(SenderLoader(probe).load()) if isinstance(e, NumbersListed))
    victim = next(v.number.id for v in listed.verdicts if needs_configuration(v.number))
    holder: dict[str, FailingConfigTransport] = {}

    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        holder["t"] = FailingConfigTransport(inner, {victim})
        return holder["t"]

    client, _app = await simulator_client(wrap)
    async with client:
        events = await collect(SenderLoader(client).load())
    assert isinstance(events[-1], LoadFinished)
    final = {v.number.id: v for v in final_verdicts(events)}
    assert final[victim].sms is State.UNKNOWN
    assert [r.code for r in final[victim].reasons][:1] == ["config-unavailable"]
    others = [v for k, v in final.items() if k != victim and needs_configuration(v.number)]
    assert others and all(v.sms is not State.UNKNOWN for v in others)


async def test_sign_in_failure_gives_load_failed_not_an_exception() -> None:
    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        async def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/extension/~"):
                return httpx.Response(403, json={"errors": [{"errorCode": "CMN-408", "message": "x"}]})
            response = await inner.handle_async_request(request)
            await response.aread()
            return response

        return httpx.MockTransport(handler)

    client, _app = await simulator_client(wrap)
    async with client:
        events = await collect(SenderLoader(client).load())
    assert [type(e) for e in events] == [LoadFailed]
    assert events[0].error.error_code == "CMN-408"
    assert events[0].message


async def test_seeded_faults_are_recovered_and_every_number_resolves() -> None:
    client, _app = await simulator_client(faults="500:0.1,503:0.05,reset:0.05,badjson:0.05", seed=7,
                                         rate_window_s=0.5)
    client.retry = RetryPolicy(attempts=6, initial_backoff=0.001, max_backoff=0.005)
    async with client:
        events = await collect(SenderLoader(client).load())
        stats = (await client.http.get("/_simulator/stats")).json()
    assert isinstance(events[-1], LoadFinished)
    assert sum(stats["faults"].values()) > 0
    assert not [v for v in final_verdicts(events) if v.sms is State.UNKNOWN]


async def test_every_configuration_is_asked_for_at_once_when_the_window_allows() -> None:
    # The benchmark's user: 40 numbers, 23 of them need their SMS configuration, and the Light
    # group allows 50 per window. All 23 go out together, so the picker fills after one round
    # trip instead of two (a fixed pool of 16 workers needed a second wave).
    events, stats, counter = await load_counting_in_flight(user_numbers=40, latency_ms=20)
    assert isinstance(events[-1], LoadFinished)
    configurations = sum(isinstance(e, VerdictUpdated) for e in events)
    assert configurations > 16
    assert counter.config_requests == configurations
    assert counter.most_in_flight == configurations
    assert stats["throttled"] == 0


async def test_a_large_account_loads_under_production_limits_without_a_single_429() -> None:
    # 60 s windows scaled to 0.25 s: the default plan (Light 50/window) at 240x speed.
    events, stats, counter = await load_counting_in_flight(user_numbers=300, rate_window_s=0.25)
    assert isinstance(events[-1], LoadFinished)
    updates = sum(isinstance(e, VerdictUpdated) for e in events)
    assert updates > 50, "enough configurations to exceed one window's limit"
    assert stats["throttled"] == 0 and stats["requestsDuringPenalty"] == 0
    # Workers sized by the window never outnumber what one window takes.
    assert counter.most_in_flight <= 50


async def test_the_429_trap_nothing_is_sent_during_a_penalty() -> None:
    client, _app = await simulator_client(rate_window_s=0.3)
    async with client:
        token = await client.authenticator.access_token()  # type: ignore[union-attr]
        # Someone else (another window of the app) used up the Light group's window.
        for _ in range(50):
            burned = await client.http.get(
                "/restapi/v1.0/account/~/extension/~", headers={"Authorization": f"Bearer {token}"}
            )
            assert burned.status_code == 200
        await client.http.post("/_simulator/stats/reset")
        events = await collect(SenderLoader(client).load())
        stats = (await client.http.get("/_simulator/stats")).json()
    assert isinstance(events[-1], LoadFinished)
    pauses = [e for e in events if isinstance(e, RateLimited)]
    assert pauses and pauses[0].resume_at is not None
    assert stats["throttled"] == 1  # the one request that discovered the exhausted window
    assert stats["requestsDuringPenalty"] == 0


@pytest.mark.parametrize("workers", [{"max_workers": 4}, {}])  # {}: sized by the Light window
async def test_cancelling_the_consumer_stops_the_requests(workers: dict[str, int]) -> None:
    holder: dict[str, FailingConfigTransport] = {}

    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        holder["t"] = FailingConfigTransport(inner, set())
        return holder["t"]

    client, _app = await simulator_client(wrap, user_numbers=200, latency_ms=5)
    seen: list[Any] = []
    first_update = asyncio.Event()

    async def consume() -> None:
        async for event in SenderLoader(client, **workers).load():
            seen.append(event)
            if isinstance(event, VerdictUpdated):
                first_update.set()
                await asyncio.Event().wait()  # the user navigates away here

    async with client:
        task = asyncio.create_task(consume())
        await first_update.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        after_cancel = holder["t"].config_requests
        await asyncio.sleep(0.1)
        assert holder["t"].config_requests == after_cancel
    listed = next(e for e in seen if isinstance(e, NumbersListed))
    assert after_cancel < sum(needs_configuration(v.number) for v in listed.verdicts)


async def test_a_new_load_cancels_the_previous_one() -> None:
    client, _app = await simulator_client(user_numbers=100, latency_ms=5, rate_window_s=0.2)
    async with client:
        loader = SenderLoader(client)
        first = loader.load()
        assert isinstance(await anext(first), SignedInAs)
        second = await collect(loader.load())
        rest_of_first = await collect(first)
    assert isinstance(second[-1], LoadFinished)
    assert not any(isinstance(e, LoadFinished) for e in rest_of_first)


async def test_next_start_shows_cached_verdicts_at_once_then_refreshes(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path)
    client = await open_demo_client()
    async with client:
        first = await collect(SenderLoader(client, cache).load())
    expected = {v.number.id: v.headline for v in final_verdicts(first)}

    client = await open_demo_client(token_prefix="CACHESENTINEL")
    async with client:
        loader = SenderLoader(client, cache)
        instant = loader.load_cached()
        second = await collect(loader.load())
        token = await client.authenticator.access_token()  # type: ignore[union-attr]
    assert token.startswith("CACHESENTINEL")
    [cache_file] = list(tmp_path.iterdir())  # noqa: ASYNC240 - a test's tiny temp dir
    assert "CACHESENTINEL" not in cache_file.read_text()
    assert instant is not None and {v.number.id: v.headline for v in instant.verdicts} == expected
    assert isinstance(second[0], CachedVerdicts)  # before any request
    assert isinstance(second[1], SignedInAs)
    assert {v.number.id: v.headline for v in second[0].verdicts} == expected
    assert second[0].as_of == next(e for e in first if isinstance(e, LoadFinished)).as_of
    # NumbersListed starts from the cached configurations, not "checking…".
    listed = next(e for e in second if type(e) is NumbersListed)
    assert {v.number.id: v.headline for v in listed.verdicts} == expected
    assert isinstance(second[-1], LoadFinished)


async def test_a_corrupt_cache_is_ignored_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = VerdictCache(tmp_path)
    client = await open_demo_client()
    async with client:
        await collect(SenderLoader(client, cache).load())
    [path] = list(tmp_path.glob("*.json"))  # noqa: ASYNC240 - a test's tiny temp dir
    path.write_text('{"format": "rc-sms-desktop/last-load", "version": 1, "server": ')
    caplog.set_level(logging.WARNING)
    client = await open_demo_client()
    async with client:
        events = await collect(SenderLoader(client, cache).load())
    assert not any(isinstance(e, CachedVerdicts) for e in events)
    assert isinstance(events[-1], LoadFinished)
    assert "verdict cache file" in caplog.text and "could not be read" in caplog.text
    assert len(list(tmp_path.glob("*.json.corrupt-*"))) == 1  # noqa: ASYNC240 - moved aside, kept


async def test_expired_tokens_are_renewed_and_the_load_finishes() -> None:
    client, _app = await simulator_client()
    async with client:
        await client.http.post("/_simulator/expire-tokens")
        events = await collect(SenderLoader(client).load())
        stats = (await client.http.get("/_simulator/stats")).json()
    assert isinstance(events[-1], LoadFinished)
    assert stats["unauthorized"] == 1 and stats["refreshes"] == 1


async def test_a_revoked_session_that_cannot_be_renewed_fails_the_load() -> None:
    client, _app = await simulator_client()
    async with client:
        # A browser sign-in has no JWT to fall back on: a revoked session cannot be renewed.
        client.authenticator = StaticTokenAuthenticator(await client.authenticator.access_token())  # type: ignore[union-attr]
        await client.http.post("/_simulator/revoke-sessions")
        events = await collect(SenderLoader(client).load())
    assert [type(e) for e in events] == [LoadFailed]
    assert isinstance(events[0].error, SessionEndedError)
    assert "sign in" in events[0].message.lower()


async def test_a_429_from_another_kind_of_limit_pauses_the_group_and_the_load_finishes() -> None:
    # A 429 without X-Rate-Limit headers (account-level or global limit) and a short Retry-After.
    client, _app = await simulator_client(rate_window_s=0.3)
    async with client:
        await client.http.post("/_simulator/fault", params={"kind": "429", "count": 1})
        events = await collect(SenderLoader(client).load())
        stats = (await client.http.get("/_simulator/stats")).json()
    assert isinstance(events[-1], LoadFinished)
    pauses = [e for e in events if isinstance(e, RateLimited)]
    assert [p.resume_at is None for p in pauses] == [False, True]  # paused, then resumed
    assert stats["faults"] == {"429": 1} and stats["requestsDuringPenalty"] == 0


class RecordingTransport(httpx.AsyncBaseTransport):
    """Remembers every request on its way to the simulator."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


def _spec_operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    segments = path.split("/")
    for template, item in spec["paths"].items():
        parts = template.split("/")
        if len(parts) != len(segments) or method.lower() not in item:
            continue
        if all(p == s or (p.startswith("{") and s) for p, s in zip(parts, segments, strict=True)):
            operation: dict[str, Any] = item[method.lower()]
            return operation
    return None


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        section = "parameters" if "/parameters/" in node["$ref"] else "schemas"
        node = spec["components"][section][name]
    return node


async def test_every_request_of_a_load_is_valid_under_the_spec(openapi_spec: dict[str, Any]) -> None:
    holder: dict[str, RecordingTransport] = {}

    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        holder["t"] = RecordingTransport(inner)
        return holder["t"]

    client, _app = await simulator_client(wrap)
    async with client:
        events = await collect(SenderLoader(client).load())
    assert isinstance(events[-1], LoadFinished)
    api_requests = [r for r in holder["t"].requests if r.url.path.startswith("/restapi/v1.0/")]
    assert len(api_requests) > 3
    for request in api_requests:
        operation = _spec_operation(openapi_spec, request.method, request.url.path)
        assert operation is not None, request.url.path
        declared = {
            p["name"]: p for p in (_resolve(openapi_spec, raw) for raw in operation.get("parameters", []))
        }
        for name, value in request.url.params.multi_items():
            assert name in declared, (request.url.path, name)
            schema = _resolve(openapi_spec, declared[name].get("schema", {}))
            if schema.get("type") == "integer":
                number = int(value)
                assert number >= 1 and number <= schema.get("maximum", 1000), (name, value)
        for segment in request.url.path.split("/")[1:]:
            assert segment, "no empty path segments"
        if request.url.path.endswith("/sms-configuration"):
            assert request.url.path.split("/")[-2].isdigit()  # phoneNumberId is an integer
