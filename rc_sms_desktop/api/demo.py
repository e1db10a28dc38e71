"""The built-in demo account: a client signed in to the simulator running in this process.

No port, no network, no credentials from the user: the simulator's ASGI app is reached
through `httpx.ASGITransport`, and we sign in to it with its own demo JWT exactly as with a real
account (JWT bearer grant, bearer tokens, refresh), so the demo exercises the real client code.
"""

from __future__ import annotations

from typing import Any

import httpx

from rc_sms_desktop.api.auth import ClientCredentials
from rc_sms_desktop.api.client import RingCentralClient, Timeouts
from rc_sms_desktop.api.servers import Server
from rc_sms_desktop.api.session import TokenSession
from rc_sms_desktop.infra.redaction import Secret

DEMO_SERVER_URL = "https://demo.rc-sms-desktop.invalid"  # .invalid: never resolvable on a network
DEMO_SERVER = Server("Demo account (simulated)", DEMO_SERVER_URL)


async def open_demo_client(**simulator_options: Any) -> RingCentralClient:
    """A `RingCentralClient` signed in to a fresh in-process simulator (the demo account).

    `simulator_options` are `SimulatorConfig` fields (e.g. `rate_window_s=1`, `faults="500:0.1"`,
    `user_numbers=1000`, `latency_ms=50`). Close the client with `aclose()`.
    """
    from rc_sms_desktop.simulator.app import create_app
    from rc_sms_desktop.simulator.config import SimulatorConfig

    config = SimulatorConfig(**simulator_options)
    app = create_app(config)
    transport = httpx.ASGITransport(app=app)
    client = RingCentralClient(DEMO_SERVER_URL, transport, timeouts=Timeouts(deadline=120.0))
    try:
        session = await TokenSession.sign_in_with_jwt(
            client.http,
            DEMO_SERVER,
            ClientCredentials(config.client_id, Secret(config.client_secret)),
            Secret(config.jwt),
        )
    except BaseException:
        await client.aclose()
        raise
    client.authenticator = session
    return client
