"""Fixtures: a fresh in-process simulator per test, reached through httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from sim_support import BASE_URL, Sim, jwt_sign_in

from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.simulator.control import SimulatorControl


@pytest.fixture
async def make_sim() -> AsyncIterator[Callable[..., Awaitable[Sim]]]:
    """`await make_sim(signed_in=True, **config)` → (client, control); closed after the test."""
    async with AsyncExitStack() as stack:

        async def factory(signed_in: bool = True, **options: Any) -> Sim:
            app = create_app(SimulatorConfig(**options))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
            )
            if signed_in:
                token = await jwt_sign_in(client)
                client.headers["Authorization"] = f"Bearer {token['access_token']}"
            control: SimulatorControl = app.state.simulator
            return client, control

        yield factory


@pytest.fixture
async def sim(make_sim: Callable[..., Awaitable[Sim]]) -> Sim:
    """A signed-in client on the default demo account, rate limits off."""
    return await make_sim(rate_limits="off")
