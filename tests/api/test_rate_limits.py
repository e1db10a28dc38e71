"""The per-group scheduler: learns limits, never triggers a 429, honours penalties per group."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from rc_sms_desktop.api.client import RingCentralClient, StaticTokenAuthenticator
from rc_sms_desktop.api.errors import RateLimitedError
from rc_sms_desktop.api.rate_limits import (
    DEFAULT_RETRY_AFTER_S,
    MAX_RETRY_AFTER_S,
    RateLimitPause,
    RateLimitScheduler,
    known_throttling_group,
    parse_retry_after,
    throttling_group,
)
from tests.api.rc_fakes import FAST_RETRY, SERVER, TOKEN_SENTINEL, json_response

NOW = 1_800_000_000.0


# The one Retry-After policy of the app (scheduler, client, sign-in).
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20", 20.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (" 7 ", 7.0),
        ("3600", 3600.0),
        # Longer than an hour, however absurd: an hour (finite, displayable, not forever).
        ("3601", MAX_RETRY_AFTER_S),
        ("99999999999999999999", MAX_RETRY_AFTER_S),
        ("9" * 400, MAX_RETRY_AFTER_S),
        (format_datetime(datetime.fromtimestamp(NOW + 45, UTC), usegmt=True), 45.0),
        (format_datetime(datetime.fromtimestamp(NOW + 45, UTC)), 45.0),  # "-0000": GMT
        (format_datetime(datetime.fromtimestamp(NOW - 45, UTC), usegmt=True), 0.0),
        (format_datetime(datetime.fromtimestamp(NOW + 86_400 * 900, UTC), usegmt=True),
         MAX_RETRY_AFTER_S),
        # Unreadable: the caller waits DEFAULT_RETRY_AFTER_S (30 s), never 0.
        ("-10", None),
        ("-0", None),
        ("+5", None),
        ("inf", None),
        ("nan", None),
        ("1e3", None),
        ("1_000", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits: float() would read 12
        ("", None),
        ("   ", None),
        (None, None),
        ("soon", None),
        ("Zun, 29 Sep 2026 12:00:00 GMT", None),
        ("Mon, 99 Foo 2024 25:61:61 GMT", None),
        ("Mon, 01 Jan 100000 00:00:00 GMT", None),
    ],
)
def test_retry_after_parses_seconds_and_http_dates(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


class SlidingWindowServer:
    """Enforces RingCentral's rules for one group: `limit` per sliding `window`, 429 + penalty
    that restarts on every request sent during it (the 429 trap)."""

    def __init__(self, limit: int, window: float, group: str = "light", penalty: float = 0.3) -> None:
        self.limit = limit
        self.window = window
        self.group = group
        self.penalty = penalty
        self.arrivals: list[float] = []
        self.penalty_until = 0.0
        self.requests_during_penalty = 0
        self.throttled = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        now = time.monotonic()
        if now < self.penalty_until:
            self.requests_during_penalty += 1
            self.penalty_until = now + self.penalty  # the trap: every request restarts it
            self.throttled += 1
            return self._response(429, {"Retry-After": str(self.penalty)})
        self.arrivals = [t for t in self.arrivals if t > now - self.window]
        if len(self.arrivals) >= self.limit:
            self.penalty_until = now + self.penalty
            self.throttled += 1
            return self._response(429, {"Retry-After": str(self.penalty)})
        self.arrivals.append(now)
        return self._response(200, {})

    def _response(self, status: int, extra: dict[str, str]) -> httpx.Response:
        headers = {
            "X-Rate-Limit-Group": self.group,
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(max(0, self.limit - len(self.arrivals))),
            "X-Rate-Limit-Window": str(self.window),
            **extra,
        }
        body: dict[str, Any] = {"ok": True} if status == 200 else {
            "errors": [{"errorCode": "CMN-301", "message": "Request rate exceeded"}]
        }
        return json_response(status, body, headers)


def _client(handler: Any) -> RingCentralClient:
    return RingCentralClient(
        SERVER,
        httpx.MockTransport(handler),
        authenticator=StaticTokenAuthenticator(TOKEN_SENTINEL),
        retry=FAST_RETRY,
    )


async def test_concurrent_burst_stays_within_the_learned_limit_without_any_429() -> None:
    # The server's real limit (6 per 0.4 s) differs from the spec default (Light: 50 per 60 s):
    # the scheduler must learn it from the first answer and pace the rest by it.
    server = SlidingWindowServer(limit=6, window=0.4)
    async with _client(server) as client:
        path = "/restapi/v1.0/account/~/extension/~/phone-number/1/sms-configuration"
        results = await asyncio.gather(*(client.get_json(path) for _ in range(20)))
    assert all(r == {"ok": True} for r in results)
    assert server.throttled == 0
    assert server.requests_during_penalty == 0


async def test_remaining_zero_from_the_server_holds_the_group_until_the_window_passes() -> None:
    # Another app instance used the window: the server says 0 remain though we sent only one.
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(time.monotonic())
        remaining = "0" if len(calls) == 1 else "5"
        return json_response(200, {}, {
            "X-Rate-Limit-Group": "Light", "X-Rate-Limit-Limit": "5",
            "X-Rate-Limit-Remaining": remaining, "X-Rate-Limit-Window": "0.3",
        })

    scheduler = RateLimitScheduler()
    async with RingCentralClient(SERVER, httpx.MockTransport(handler), scheduler=scheduler) as client:
        await client.get_json("/restapi/v1.0/account/~/extension/~")
        [snapshot] = scheduler.snapshot()
        assert snapshot.in_window == 5  # our one request plus four we did not send
        await client.get_json("/restapi/v1.0/account/~/extension/~")
    assert len(calls) == 2


async def test_a_429_pauses_only_its_group_and_sends_nothing_to_it_during_the_penalty() -> None:
    penalty = 0.3
    state = {"light_calls": 0, "penalty_until": 0.0, "during_penalty": 0, "medium_calls": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        now = time.monotonic()
        if request.url.path.endswith("/extension"):  # listExtensions: Medium
            state["medium_calls"] += 1
            return json_response(200, {"records": [], "paging": {"perPage": 100}},
                                 {"X-Rate-Limit-Group": "medium"})
        state["light_calls"] += 1
        if now < state["penalty_until"]:
            state["during_penalty"] += 1
        if state["light_calls"] == 1:
            state["penalty_until"] = now + penalty
            return json_response(429, {"errors": [{"errorCode": "CMN-301"}]},
                                 {"X-Rate-Limit-Group": "light", "Retry-After": str(penalty)})
        return json_response(200, {"id": 1}, {"X-Rate-Limit-Group": "light"})

    pauses: list[RateLimitPause] = []
    async with _client(handler) as client:
        client.scheduler.add_listener(pauses.append)
        light = [
            asyncio.create_task(client.get_json(f"/restapi/v1.0/account/~/extension/{i}"))
            for i in range(4)
        ]
        await asyncio.sleep(0.05)
        # While Light is penalised, another group still works.
        assert client.scheduler.paused_groups().keys() == {"light"}
        await client.get_json("/restapi/v1.0/account/~/extension")
        assert not all(t.done() for t in light)
        assert [r["id"] for r in await asyncio.gather(*light)] == [1, 1, 1, 1]
    assert state["during_penalty"] == 0
    assert state["medium_calls"] == 1
    assert [p.group for p in pauses] == ["light", "light"]
    assert pauses[0].resume_at is not None and pauses[1].resume_at is None


async def test_429_without_retry_after_waits_the_documented_30_seconds() -> None:
    scheduler = RateLimitScheduler()
    permit = await scheduler.acquire("Light")
    assert permit.finish(429, {"X-Rate-Limit-Group": "light"}) == DEFAULT_RETRY_AFTER_S
    with pytest.raises(RateLimitedError) as caught:
        await scheduler.acquire("Light", max_penalty_wait=5)
    assert caught.value.group == "light"
    assert caught.value.retry_after == pytest.approx(30, abs=1)
    # Other groups are not held.
    medium = await scheduler.acquire("Medium", max_penalty_wait=5)
    medium.finish(200, {})
    scheduler.close()


async def test_unreadable_retry_after_falls_back_to_the_default_penalty() -> None:
    scheduler = RateLimitScheduler()
    permit = await scheduler.acquire("Heavy")
    assert permit.finish(429, {"Retry-After": "Zun, 99 Foo"}) == DEFAULT_RETRY_AFTER_S
    scheduler.close()


async def test_an_absurd_retry_after_pauses_an_hour_and_says_so() -> None:
    pauses: list[RateLimitPause] = []
    scheduler = RateLimitScheduler()
    scheduler.add_listener(pauses.append)
    permit = await scheduler.acquire("Light")
    assert permit.finish(429, {"Retry-After": "99999999999999999999"}) == MAX_RETRY_AFTER_S
    with pytest.raises(RateLimitedError) as caught:
        await scheduler.acquire("Light", max_penalty_wait=300)
    assert "60 min" in caught.value.user_message
    # The countdown can show when the group resumes (a 1e20 s pause could not be a datetime).
    resume = pauses[0].resume_datetime
    assert resume is not None
    assert timedelta(minutes=59) < resume - datetime.now(UTC) <= timedelta(minutes=60)
    scheduler.close()


async def test_a_long_penalty_is_reported_not_waited_and_the_error_says_how_long() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(429, {"errors": [{"errorCode": "CMN-301", "message": "slow down"}]},
                             {"X-Rate-Limit-Group": "light", "Retry-After": "600"})

    async with _client(handler) as client:
        client.max_rate_limit_wait = 60
        with pytest.raises(RateLimitedError) as caught:
            await client.get_json("/restapi/v1.0/account/~/extension/~")
    assert caught.value.error_code == "CMN-301"
    assert caught.value.retry_after == 600
    assert "10 min" in caught.value.user_message


async def test_renamed_group_names_are_opaque_keys_shared_by_every_operation_in_them() -> None:
    scheduler = RateLimitScheduler()
    first = await scheduler.acquire("Light")
    first.finish(200, {"X-Rate-Limit-Group": "LightV2", "X-Rate-Limit-Limit": "2",
                       "X-Rate-Limit-Window": "60", "X-Rate-Limit-Remaining": "1"})
    second = await scheduler.acquire("Light")
    assert second.group == "LightV2"
    second.finish(200, {"X-Rate-Limit-Group": "LightV2", "X-Rate-Limit-Limit": "2",
                        "X-Rate-Limit-Window": "60", "X-Rate-Limit-Remaining": "0"})
    # Both slots of the learned group are taken: the next Light request must wait a window.
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await scheduler.acquire("light")
    assert [s.group for s in scheduler.snapshot()] == ["LightV2"]


async def test_first_request_of_a_group_is_alone_until_the_server_states_the_limit() -> None:
    scheduler = RateLimitScheduler()
    probe = await scheduler.acquire("Medium")
    waiter = asyncio.create_task(scheduler.acquire("Medium"))
    await asyncio.sleep(0.02)
    assert not waiter.done()
    probe.finish(200, {"X-Rate-Limit-Group": "Medium", "X-Rate-Limit-Limit": "40"})
    (await asyncio.wait_for(waiter, 1)).finish(200, {})


async def test_cancelled_waiter_leaves_the_queue_and_the_next_one_proceeds() -> None:
    scheduler = RateLimitScheduler(defaults={"light": (1, 0.2)})
    held = await scheduler.acquire("Light")
    held.finish(200, {})
    cancelled = asyncio.create_task(scheduler.acquire("Light"))
    after = asyncio.create_task(scheduler.acquire("Light"))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    permit = await asyncio.wait_for(after, 1)
    permit.finish(200, {})
    assert cancelled.cancelled()


def test_operations_are_filed_under_the_spec_throttling_group(openapi_spec: dict[str, Any]) -> None:
    checked = 0
    for path, item in openapi_spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "x-throttling-group" not in operation:
                continue
            concrete = path.replace("{accountId}", "~").replace("{extensionId}", "~")
            concrete = concrete.replace("{phoneNumberId}", "123").replace("{tcrBrandId}", "5")
            concrete = concrete.replace("{tcrCampaignId}", "6").replace("{messageId}", "7")
            ours = known_throttling_group(method, concrete)
            if ours is not None:
                assert ours == operation["x-throttling-group"], (method, path)
                checked += 1
    assert checked >= 12


def test_unknown_operations_go_to_the_strictest_group() -> None:
    assert throttling_group("GET", "/restapi/v1.0/something/new") == "Heavy"
    assert throttling_group("get", "/restapi/v1.0/account/~/extension/~/phone-number") == "Light"
    assert throttling_group("POST", "/restapi/v1.0/account/~/extension/~/sms") == "Medium"


def test_pause_resume_time_is_an_aware_datetime() -> None:
    pause = RateLimitPause("light", NOW)
    assert pause.resume_datetime == datetime.fromtimestamp(NOW, UTC)
    assert pause.resume_datetime - datetime.fromtimestamp(NOW - 1, UTC) == timedelta(seconds=1)


async def test_a_long_wait_for_a_free_slot_is_announced_as_pacing() -> None:
    clock = {"now": 1000.0}
    scheduler = RateLimitScheduler(clock=lambda: clock["now"], defaults={"heavy": (1, 60.0)})
    heard: list[RateLimitPause] = []
    scheduler.add_listener(heard.append)
    first = await scheduler.acquire("Heavy")
    first.finish(200, {"X-Rate-Limit-Group": "Heavy", "X-Rate-Limit-Limit": "1", "X-Rate-Limit-Window": "60"})
    waiter = asyncio.create_task(scheduler.acquire("Heavy"))
    await asyncio.sleep(0.01)
    assert [(p.group, p.reason, p.resume_at is not None) for p in heard] == [("Heavy", "pacing", True)]
    clock["now"] += 62  # the window has passed
    scheduler._state("Heavy").notify()  # wake the waiter as its timer would
    (await asyncio.wait_for(waiter, 1)).finish(200, {})
    assert [(p.reason, p.resume_at) for p in heard][1] == ("pacing", None)
