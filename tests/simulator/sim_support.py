"""Shared helpers for the simulator tests (imported by conftest and the test modules)."""

from __future__ import annotations

from typing import Any

import httpx

from rc_sms_desktop.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rc_sms_desktop.simulator.control import SimulatorControl

BASE_URL = "http://rcsim.test"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

Sim = tuple[httpx.AsyncClient, SimulatorControl]


async def jwt_sign_in(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post(
        "/restapi/oauth/token",
        data={"grant_type": JWT_GRANT, "assertion": DEMO_JWT},
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
