"""Injected faults: each kind as a client sees it in-process, spec parsing, repeatability."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import httpx
import pytest
from sim_support import JWT_GRANT, Sim

from rc_sms_desktop.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rc_sms_desktop.simulator.faults import FaultInjector, parse_faults

MakeSim = Callable[..., Awaitable[Sim]]
ME = "/restapi/v1.0/account/~/extension/~"
TOKEN = "/restapi/oauth/token"


def test_fault_spec_parsing() -> None:
    assert parse_faults("500:0.1, reset:0.05,") == (("500", 0.1), ("reset", 0.05))
    for bad in ("500", "teapot:0.1", "500:x", "500:1.5", "500:0.6,503:0.6"):
        with pytest.raises(ValueError):
            parse_faults(bad)


def test_same_seed_same_faults() -> None:
    spec = "500:0.2,503:0.2,badjson:0.1"
    first = [FaultInjector(spec, seed=7).draw() for _ in range(1)]
    a, b, c = FaultInjector(spec, seed=7), FaultInjector(spec, seed=7), FaultInjector(spec, seed=8)
    runs = [[x.draw() for _ in range(200)] for x in (a, b, c)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    assert first[0] == runs[0][0]
    assert {"500", "503", "badjson", None} == set(runs[0])


async def test_server_errors(sim: Sim) -> None:
    client, control = sim
    control.inject_fault("500")
    control.inject_fault("503")
    first = await client.get(ME)
    assert first.status_code == 500
    assert first.json()["errors"][0]["errorCode"] == "CMN-203"
    second = await client.get(ME)
    assert second.status_code == 503
    assert second.headers["Retry-After"] == "1"
    assert (await client.get(ME)).status_code == 200
    assert control.stats_json()["faults"] == {"500": 1, "503": 1}


async def test_spurious_429_has_no_rate_limit_headers(make_sim: MakeSim) -> None:
    client, control = await make_sim()
    control.inject_fault("429")
    response = await client.get(ME)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "X-Rate-Limit-Group" not in response.headers
    assert control.stats_json()["throttled"] == 0


async def test_truncated_json(sim: Sim) -> None:
    client, control = sim
    control.inject_fault("badjson")
    response = await client.get(ME)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


async def test_reset_surfaces_as_a_transport_error_in_process(sim: Sim) -> None:
    client, control = sim
    control.inject_fault("reset")
    with pytest.raises(httpx.TransportError):
        await client.get(ME)
    assert (await client.get(ME)).status_code == 200


async def test_slow_response_still_answers(make_sim: MakeSim) -> None:
    client, control = await make_sim(rate_limits="off", slow_fault_s=0.01)
    control.inject_fault("slow")
    assert (await client.get(ME)).status_code == 200
    assert control.stats_json()["faults"] == {"slow": 1}


async def test_faults_hit_oauth_too(make_sim: MakeSim) -> None:
    client, control = await make_sim(signed_in=False, rate_limits="off")
    control.inject_fault("503")
    response = await client.post("/restapi/oauth/token", data={"grant_type": "x"})
    assert response.status_code == 503


async def test_seeded_rates_repeat_across_runs(make_sim: MakeSim) -> None:
    async def statuses(seed: int) -> list[int]:
        client, _ = await make_sim(signed_in=False, rate_limits="off",
                                   faults="500:0.3,503:0.2", seed=seed)
        form = {"grant_type": JWT_GRANT, "assertion": DEMO_JWT}
        auth = (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        return [(await client.post(TOKEN, data=form, auth=auth)).status_code for _ in range(40)]

    first, second = await statuses(3), await statuses(3)
    assert first == second
    assert {200, 500, 503} <= set(first)


async def test_control_endpoints_over_http(sim: Sim) -> None:
    client, _ = sim
    assert (await client.post("/_simulator/fault", params={"kind": "500"})).status_code == 204
    assert (await client.get(ME)).status_code == 500
    assert (await client.post("/_simulator/fault", params={"kind": "nope"})).status_code == 400
    assert (await client.post("/_simulator/admin", params={"value": "false"})).status_code == 204
    assert (await client.get("/restapi/v1.0/account/~/phone-number")).status_code == 403
    assert (await client.post("/_simulator/expire-tokens")).status_code == 204
    assert (await client.get(ME)).status_code == 401
