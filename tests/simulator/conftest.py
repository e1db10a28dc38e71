"""Fixtures: a fresh in-process simulator per test, reached through httpx.ASGITransport."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from sim_support import BASE_URL, Sim, jwt_sign_in

from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.simulator.control import SimulatorControl
from rc_sms_desktop.simulator.server import bind_socket, make_server, server_url


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


@pytest.fixture
def live_server() -> Iterator[Callable[..., tuple[str, SimulatorControl]]]:
    """`live_server(**config)` → (base URL, control): uvicorn on 127.0.0.1, a free port, a thread."""
    running: list[tuple[Any, threading.Thread, socket.socket]] = []

    def start(**options: Any) -> tuple[str, SimulatorControl]:
        config = SimulatorConfig(**options)
        server = make_server(config)
        sock = bind_socket("127.0.0.1", 0)
        thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])),
                                  daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the simulator server did not start")
            time.sleep(0.01)
        running.append((server, thread, sock))
        control: SimulatorControl = server.config.app.state.simulator
        return server_url(sock), control

    yield start
    for server, thread, sock in running:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
