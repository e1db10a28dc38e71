"""Rate limits as RingCentral's default plan: groups, headers, 429 with Retry-After, penalties."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sim_support import Sim

MakeSim = Callable[..., Awaitable[Sim]]
ME = "/restapi/v1.0/account/~/extension/~"  # Light
ACCOUNT_NUMBERS = "/restapi/v1.0/account/~/phone-number"  # Heavy


async def test_headers_on_every_limited_response(make_sim: MakeSim) -> None:
    client, _ = await make_sim()
    response = await client.get(ME)
    assert response.headers["X-Rate-Limit-Group"] == "Light"
    assert response.headers["X-Rate-Limit-Limit"] == "50"
    assert response.headers["X-Rate-Limit-Remaining"] == "49"
    assert response.headers["X-Rate-Limit-Window"] == "60"
    extensions = await client.get("/restapi/v1.0/account/~/extension")
    assert extensions.headers["X-Rate-Limit-Group"] == "Medium"
    assert extensions.headers["X-Rate-Limit-Limit"] == "40"


async def test_heavy_group_throttles_the_eleventh_request(make_sim: MakeSim) -> None:
    client, control = await make_sim()
    for expected_remaining in range(9, -1, -1):
        ok = await client.get(ACCOUNT_NUMBERS)
        assert ok.status_code == 200
        assert ok.headers["X-Rate-Limit-Remaining"] == str(expected_remaining)
    throttled = await client.get(ACCOUNT_NUMBERS)
    assert throttled.status_code == 429
    assert throttled.json()["errors"][0]["errorCode"] == "CMN-301"
    assert throttled.headers["Retry-After"] == "60"
    assert throttled.headers["X-Rate-Limit-Remaining"] == "0"
    # Other groups are counted separately.
    assert (await client.get(ME)).status_code == 200
    stats = control.stats_json()
    assert stats["throttled"] == 1
    assert stats["requests"] == {"Auth": 1, "Heavy": 11, "Light": 1}


async def test_requests_during_the_penalty_restart_it(make_sim: MakeSim) -> None:
    client, control = await make_sim()
    for _ in range(11):
        await client.get(ACCOUNT_NUMBERS)
    control.advance(50)
    assert (await client.get(ACCOUNT_NUMBERS)).status_code == 429  # penalty restarts at t=50
    control.advance(50)  # t=100: past the first penalty, inside the restarted one
    assert (await client.get(ACCOUNT_NUMBERS)).status_code == 429
    assert control.stats_json()["requestsDuringPenalty"] == 2
    control.advance(61)  # a quiet minute ends the penalty
    assert (await client.get(ACCOUNT_NUMBERS)).status_code == 200


async def test_window_slides(make_sim: MakeSim) -> None:
    client, control = await make_sim()
    for _ in range(10):
        await client.get(ACCOUNT_NUMBERS)
        control.advance(5)
    # t=50: the first request (t=0) leaves the window at t=60.
    control.advance(11)
    response = await client.get(ACCOUNT_NUMBERS)
    assert response.status_code == 200
    assert response.headers["X-Rate-Limit-Remaining"] == "0"


async def test_scaled_window_for_benchmarks(make_sim: MakeSim) -> None:
    client, _ = await make_sim(rate_window_s=0.5)
    for _ in range(10):
        await client.get(ACCOUNT_NUMBERS)
    throttled = await client.get(ACCOUNT_NUMBERS)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "0.5"
    assert throttled.headers["X-Rate-Limit-Window"] == "0.5"


async def test_auth_group_limits_token_requests(make_sim: MakeSim) -> None:
    client, _ = await make_sim(signed_in=False)
    statuses = []
    for _ in range(6):
        response = await client.post("/restapi/oauth/token", data={"grant_type": "x"})
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert response.headers["X-Rate-Limit-Group"] == "Auth"
    assert 429 not in statuses[:5]


async def test_off_sends_no_headers_and_never_throttles(make_sim: MakeSim) -> None:
    client, control = await make_sim(rate_limits="off")
    for _ in range(15):
        response = await client.get(ACCOUNT_NUMBERS)
        assert response.status_code == 200
        assert not any(h.lower().startswith("x-rate-limit") for h in response.headers)
    assert control.stats_json()["requests"]["Heavy"] == 15


async def test_simulator_endpoints_are_never_limited(make_sim: MakeSim) -> None:
    client, control = await make_sim(signed_in=False, faults="500:1.0", latency_ms=5000)
    for _ in range(60):
        response = await client.get("/_simulator/stats")
        assert response.status_code == 200
        assert "X-Rate-Limit-Group" not in response.headers
    assert "Light" not in control.stats_json()["requests"]
