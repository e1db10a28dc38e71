"""The built-in demo account: a client signed in to the simulator running in this process.

No port, no network, no credentials from the user: the simulator's Starlette app is reached
through `httpx.ASGITransport`, and we sign in to it with its own demo JWT exactly as with a real
account (JWT bearer grant, bearer tokens, refresh), so the demo exercises the real client code.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from rc_sms_desktop.api.client import RingCentralClient, Timeouts
from rc_sms_desktop.api.errors import ApiError, MalformedResponseError, SessionEndedError

DEMO_SERVER_URL = "https://demo.rc-sms-desktop.invalid"  # .invalid: never resolvable on a network
TOKEN_PATH = "/restapi/oauth/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
REFRESH_MARGIN_S = 60.0


class JwtGrantSession:
    """A minimal JWT-grant session for the client (`Authenticator`): the demo and `check` use it.

    Holds the token pair in memory only; refreshes single-flight 60 s before expiry or after a
    401, and signs in again with the JWT when the refresh token is gone.
    """

    def __init__(
        self,
        client: RingCentralClient,
        client_id: str,
        client_secret: str,
        jwt: str,
        *,
        clock: Any = time.monotonic,
    ) -> None:
        self._client = client
        self._credentials = (client_id, client_secret)
        self._jwt = jwt
        self._clock = clock
        self._lock = asyncio.Lock()
        self._access: str | None = None
        self._refresh: str | None = None
        self._expires_at = 0.0
        self.owner_id: str | None = None

    def __repr__(self) -> str:
        return "JwtGrantSession(<tokens hidden>)"

    async def sign_in(self) -> None:
        """Run the JWT grant now (raises `ApiError` subclasses on failure)."""
        async with self._lock:
            await self._grant({"grant_type": JWT_GRANT, "assertion": self._jwt})

    async def access_token(self) -> str:
        if self._access is not None and self._clock() < self._expires_at - REFRESH_MARGIN_S:
            return self._access
        async with self._lock:
            if self._access is not None and self._clock() < self._expires_at - REFRESH_MARGIN_S:
                return self._access
            await self._renew()
            assert self._access is not None
            return self._access

    async def handle_unauthorized(self, rejected_token: str) -> str:
        async with self._lock:
            if self._access is not None and self._access != rejected_token:
                return self._access  # another call already renewed it
            await self._renew()
            assert self._access is not None
            return self._access

    async def _renew(self) -> None:
        if self._refresh is not None:
            try:
                await self._grant({"grant_type": "refresh_token", "refresh_token": self._refresh})
                return
            except SessionEndedError:
                pass
            except ApiError as error:
                if error.status is None or error.status >= 500 or error.status == 429:
                    raise
        try:
            await self._grant({"grant_type": JWT_GRANT, "assertion": self._jwt})
        except ApiError as error:
            if isinstance(error, SessionEndedError) or (error.status and 400 <= error.status < 500 and error.status != 429):
                raise SessionEndedError(
                    "Signing in again failed", status=error.status, error_code=error.error_code
                ) from None
            raise

    async def _grant(self, form: dict[str, str]) -> None:
        body = await self._client.post_form(TOKEN_PATH, form, basic_auth=self._credentials)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise MalformedResponseError("The token answer could not be read", path=TOKEN_PATH)
        self._access = body["access_token"]
        refresh = body.get("refresh_token")
        self._refresh = refresh if isinstance(refresh, str) else None
        expires_in = body.get("expires_in")
        seconds = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        self._expires_at = self._clock() + seconds
        owner = body.get("owner_id")
        self.owner_id = str(owner) if owner is not None else None


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
        session = JwtGrantSession(client, config.client_id, config.client_secret, config.jwt)
        await session.sign_in()
    except BaseException:
        await client.aclose()
        raise
    client.authenticator = session
    return client
