"""The simulator's gate: who gets through, which group a request counts in, and what a limit says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sim_support import Sim

from rc_sms_desktop.api.rate_limits import throttling_group as client_group
from rc_sms_desktop.simulator.gate import throttling_group

ME = "/restapi/v1.0/account/~/extension/~"
ACCOUNT_NUMBERS = "/restapi/v1.0/account/~/phone-number"

MakeSim = Callable[..., Awaitable[Sim]]


async def test_the_api_needs_a_bearer_token_but_the_control_api_does_not(make_sim: MakeSim) -> None:
    client, control = await make_sim(signed_in=False)
    refused = await client.get(ME)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["errorCode"]  # an error body as RingCentral sends it
    assert (await client.get("/_simulator/stats")).status_code == 200
    assert control.stats.unauthorized == 1


async def test_each_request_counts_in_its_operations_group(make_sim: MakeSim) -> None:
    client, control = await make_sim()
    before = dict(control.stats.requests)
    assert (await client.get(ME)).status_code == 200
    assert (await client.get(ACCOUNT_NUMBERS)).status_code == 200
    counted = {g: n - before.get(g, 0) for g, n in control.stats.requests.items() if n != before.get(g, 0)}
    assert counted == {"Light": 1, "Heavy": 1}


def test_the_simulator_and_the_client_agree_on_every_group() -> None:
    # Two copies on purpose (the simulator shares no code with the client): they must not drift.
    for method, path in [
        ("GET", ME), ("GET", ME + "/phone-number"), ("GET", ME + "/phone-number/7/sms-configuration"),
        ("GET", ACCOUNT_NUMBERS), ("GET", "/restapi/v1.0/account/~/extension"),
        ("POST", ME + "/sms"), ("POST", ME + "/mms"), ("GET", ME + "/message-store/9"),
        ("POST", "/restapi/oauth/token"),
    ]:
        assert throttling_group(method, path) == client_group(method, path), (method, path)


async def test_a_full_window_answers_429_with_when_to_come_back(make_sim: MakeSim) -> None:
    client, control = await make_sim(rate_window_s=60)
    answers: list[Any] = [await client.get(ACCOUNT_NUMBERS) for _ in range(11)]  # Heavy: 10
    assert [a.status_code for a in answers[:10]] == [200] * 10
    limited = answers[10]
    assert limited.status_code == 429
    assert limited.json()["errors"][0]["errorCode"] == "CMN-301"
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.headers["X-Rate-Limit-Group"] == "Heavy"
    assert control.stats.throttled == 1
