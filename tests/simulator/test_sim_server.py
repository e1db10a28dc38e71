"""The simulator over real HTTP on loopback: uvicorn in a thread, and the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sim_support import jwt_sign_in

from rc_sms_desktop.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rc_sms_desktop.simulator.control import SimulatorControl

LiveServer = Callable[..., tuple[str, SimulatorControl]]
ME = "/restapi/v1.0/account/~/extension/~"


async def test_sign_in_and_page_over_http(live_server: LiveServer) -> None:
    url, control = live_server(rate_limits="off")
    async with httpx.AsyncClient(base_url=url) as client:
        token = await jwt_sign_in(client)
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        response = await client.get(ME + "/phone-number", params={"perPage": 7})
        seen = len(response.json()["records"])
        while next_page := response.json()["navigation"].get("nextPage"):
            assert next_page["uri"].startswith(url + "/restapi/")  # same host and port
            response = await client.get(next_page["uri"])
            seen += len(response.json()["records"])
    assert seen == 36
    assert control.stats_json()["tokensIssued"] == 1


async def test_reset_fault_drops_the_connection(live_server: LiveServer) -> None:
    url, control = live_server(rate_limits="off")
    async with httpx.AsyncClient(base_url=url) as client:
        token = await jwt_sign_in(client)
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        control.inject_fault("reset")
        with pytest.raises(httpx.TransportError):
            await client.get(ME)
        assert (await client.get(ME)).status_code == 200


async def test_truncated_body_over_http(live_server: LiveServer) -> None:
    url, control = live_server(rate_limits="off")
    async with httpx.AsyncClient(base_url=url) as client:
        control.inject_fault("badjson")
        response = await client.post("/restapi/oauth/token", data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": DEMO_JWT},
            auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))
        assert response.status_code == 200
        with pytest.raises(ValueError):
            response.json()


def test_cli_prints_credentials_and_serves() -> None:
    env: dict[str, Any] = {**os.environ, "PYTHONUNBUFFERED": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rc_sms_desktop", "simulator", "--port", "0",
         "--rate-limits", "off", "--token-prefix", "CLI_"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(5)]
        values = dict(line.split("=", 1) for line in lines)
        assert list(values) == ["RC_SERVER_URL", "RC_CLIENT_ID", "RC_CLIENT_SECRET", "RC_JWT",
                                "RC_SIMULATOR_TOKEN"]
        assert values["RC_SERVER_URL"].startswith("http://127.0.0.1:")
        with httpx.Client(base_url=values["RC_SERVER_URL"], timeout=10) as client:
            # The control endpoints answer only to this run's token (#15); health stays open.
            assert client.get("/_simulator/health").status_code == 200
            assert client.post("/_simulator/reset-demo").status_code == 403
            wrong = {"X-Simulator-Token": "guess"}
            assert client.post("/_simulator/expire-tokens", headers=wrong).status_code == 403
            right = {"X-Simulator-Token": values["RC_SIMULATOR_TOKEN"]}
            assert client.get("/_simulator/stats", headers=right).status_code == 200
            token = client.post("/restapi/oauth/token", data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": values["RC_JWT"]},
                auth=(values["RC_CLIENT_ID"], values["RC_CLIENT_SECRET"]))
            assert token.status_code == 200
            assert token.json()["access_token"].startswith("CLI_")
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_cli_rejects_a_bad_fault_spec() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rc_sms_desktop", "simulator", "--faults", "teapot:1"],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 2
    assert "teapot" in result.stderr


def test_binding_beyond_loopback_warns_loudly() -> None:
    from rc_sms_desktop.simulator.server import beyond_loopback_warning

    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert beyond_loopback_warning(host) is None
    for host in ("0.0.0.0", "::", "192.168.1.10"):
        warning = beyond_loopback_warning(host)
        assert warning is not None and warning.startswith("WARNING") and "RC_SIMULATOR_TOKEN" in warning
