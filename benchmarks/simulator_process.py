"""The simulator served over loopback in its own process (`rc-sms-desktop simulator --port 0`).

Serving it apart keeps the simulator's CPU time and memory out of the process being measured,
as with the real RingCentral, and lets the benchmark read its counters at `/_simulator/stats`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing, contextmanager
from dataclasses import dataclass
from typing import Any, cast

import httpx

from rc_sms_desktop.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT

_START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class SimulatorOptions:
    """The `rc-sms-desktop simulator` options a scenario uses."""

    rate_limits: str = "off"
    rate_window_s: float = 60.0
    latency_ms: float = 0.0
    user_numbers: int | None = None
    account_numbers: int | None = None
    extensions: int | None = None

    def argv(self) -> list[str]:
        args = ["--rate-limits", self.rate_limits, "--rate-window-s", str(self.rate_window_s),
                "--latency-ms", str(self.latency_ms)]
        for flag, value in (("--user-numbers", self.user_numbers),
                            ("--account-numbers", self.account_numbers),
                            ("--extensions", self.extensions)):
            if value is not None:
                args += [flag, str(value)]
        return args


@dataclass(frozen=True)
class RunningSimulator:
    """A served simulator: its URL and the demo credentials it accepts."""

    url: str
    pid: int
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    jwt: str = DEMO_JWT
    control_token: str = ""  # RC_SIMULATOR_TOKEN: the control endpoints need it

    def _control(self) -> dict[str, str]:
        return {"X-Simulator-Token": self.control_token}

    def stats(self) -> dict[str, Any]:
        """The simulator's counters (requests per group, 429s, requests during a penalty)."""
        response = httpx.get(f"{self.url}/_simulator/stats", timeout=10, headers=self._control())
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def reset_stats(self) -> None:
        httpx.post(f"{self.url}/_simulator/stats/reset", timeout=10, headers=self._control()).raise_for_status()


@contextmanager
def served_simulator(options: SimulatorOptions) -> Iterator[RunningSimulator]:
    """Start a simulator process on a free loopback port; stop it (by its pid) on exit."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rc_sms_desktop", "simulator", "--port", "0", *options.argv()],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    try:
        url, token = _read_url(process)
        _wait_healthy(url)
        yield RunningSimulator(url=url, pid=process.pid, control_token=token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _read_url(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The URL and control token the simulator prints (RC_SIMULATOR_TOKEN is its last line)."""
    assert process.stdout is not None
    deadline = time.monotonic() + _START_TIMEOUT_S
    url = None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the simulator exited early (code {process.poll()})")
        if line.startswith("RC_SERVER_URL="):
            url = line.strip().split("=", 1)[1]
        if line.startswith("RC_SIMULATOR_TOKEN=") and url is not None:
            return url, line.strip().split("=", 1)[1]
    raise RuntimeError("the simulator did not announce its URL in time")


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_simulator/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError("the simulator did not answer its health check in time")


async def signed_in_client(simulator: RunningSimulator, **client_options: Any) -> Any:
    """Our `RingCentralClient`, signed in to the served simulator with the demo JWT."""
    from rc_sms_desktop.api.auth import ClientCredentials
    from rc_sms_desktop.api.client import RingCentralClient
    from rc_sms_desktop.api.servers import Server
    from rc_sms_desktop.api.session import TokenSession
    from rc_sms_desktop.infra.redaction import Secret

    client = RingCentralClient(simulator.url, **client_options)
    try:
        client.authenticator = await TokenSession.sign_in_with_jwt(
            client.http,
            Server("Benchmark simulator", simulator.url),
            ClientCredentials(simulator.client_id, Secret(simulator.client_secret)),
            Secret(simulator.jwt),
        )
    except BaseException:
        await client.aclose()
        raise
    return client


async def timed_load(simulator: RunningSimulator) -> tuple[float, float, int]:
    """Our `SenderLoader` over a signed-in client (sign-in not timed): seconds to
    `LoadFinished`, seconds to `NumbersListed`, and how many numbers were listed."""
    from rc_sms_desktop.workflows.loader import (
        LoadFailed,
        LoadFinished,
        NumbersListed,
        SenderLoader,
    )

    client = await signed_in_client(simulator)
    try:
        started = time.perf_counter()
        listed = float("nan")
        count = 0
        load = cast(AsyncGenerator[Any, None], SenderLoader(client).load())  # an async generator
        async with aclosing(load) as events:
            async for event in events:
                if isinstance(event, NumbersListed):
                    listed = time.perf_counter() - started
                    count = len(event.verdicts)
                elif isinstance(event, LoadFailed):
                    raise RuntimeError(f"load failed: {event.error!r}")
                elif isinstance(event, LoadFinished):
                    break
        return time.perf_counter() - started, listed, count
    finally:
        await client.aclose()
