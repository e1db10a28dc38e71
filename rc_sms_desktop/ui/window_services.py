"""What the main window needs from outside Qt: open a session, load it, sign out.

The window takes these in its constructor (inject the client; fake the transport, not the code):
the app passes `default_services()`, tests pass services over an in-process simulator with
whatever limits and faults they need.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

# Imported here, not on first use: a first import inside a coroutine would stall the Qt loop
# (api.client takes ~60 ms to import), and the window is not shown yet at this point. The
# stored-session modules (keyring, token refresh) are imported when a stored session is opened:
# the demo never needs them, and the app warms them up after the first paint. The demo's
# simulator (~10 ms since it has its own ASGI layer) is imported when the demo opens
# (api/demo.py): a signed-in user's start does not pay for it.
from rc_sms_desktop.api.client import RingCentralClient, warm_up_tls
from rc_sms_desktop.api.demo import open_demo_client
from rc_sms_desktop.api.servers import last_server
from rc_sms_desktop.infra.cache import VerdictCache
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.workflows.loader import SenderLoader

if TYPE_CHECKING:  # the keyring and the sign-in code load after the first paint
    from rc_sms_desktop.api.servers import Server
    from rc_sms_desktop.api.session import TokenSession

_log = logging.getLogger(__name__)

DEMO_ENVIRONMENT = "Demo (built-in simulator)"


@dataclass
class AccountSession:
    """One signed-in RingCentral session the window shows.

    `client` is the `RingCentralClient`; `auth` its authenticator (a `TokenSession`, or the
    demo's); `environment` is what the header says (production, the partner platform, a custom
    URL, the demo); `forget` revokes and removes stored tokens on sign-out (None for the demo).
    """

    client: RingCentralClient
    environment: str
    is_demo: bool
    server_url: str = ""
    forget: Callable[[], Awaitable[None]] | None = None
    auth: TokenSession | None = None

    async def aclose(self) -> None:
        """Stop a token refresh in flight and close the HTTP client (tokens stay stored)."""
        for closable in (self.auth, self.client):
            aclose = getattr(closable, "aclose", None)
            if aclose is None:
                continue
            with contextlib.suppress(Exception):
                result = aclose()
                if inspect.isawaitable(result):
                    await result


def signed_in_session(
    client: RingCentralClient, token_session: TokenSession, server: Server
) -> AccountSession:
    """Wrap a client and its `TokenSession` (from sign-in or restore) for the window."""
    client.authenticator = token_session
    return AccountSession(
        client=client,
        environment=server.name or server.url,
        is_demo=False,
        server_url=server.url,
        forget=token_session.sign_out,
        auth=token_session,
    )


class WindowServices(Protocol):
    """The window's view of the outside world."""

    async def open_stored_session(self) -> AccountSession | None:
        """The session kept in the keyring from last time, or None (never raises for "none")."""
        ...

    async def open_demo_session(self) -> AccountSession:
        """A session on the in-process demo account."""
        ...

    def load(self, session: AccountSession) -> AsyncIterator[Any]:
        """The loader's event stream for this session (`SenderLoader(...).load()`)."""
        ...


class DefaultServices:
    """The real thing: demo via `api/demo.py`, stored sessions via `api/session.py`, the loader."""

    def __init__(
        self,
        settings: Settings,
        *,
        simulator_options: dict[str, Any] | None = None,
        token_store: Any = None,
        transport: Any = None,
    ) -> None:
        """`token_store` and `transport` replace the keyring and the network (tests)."""
        self._settings = settings
        self._simulator_options = simulator_options or {}
        self._token_store = token_store
        self._transport = transport
        # `--server URL`: open that server (JWT from the environment, as `check` does).
        self.server_text: str | None = None

    async def open_stored_session(self) -> AccountSession | None:
        if self.server_text:
            # Without RC_* credentials the window asks (the sign-in dialog, preset to this
            # server) rather than showing a session saved for some other server (#15).
            return await self._open_server_from_environment(self.server_text)

        server = last_server(self._settings)
        client_id = self._settings.last_client_id
        if server is None or not client_id:
            return None
        from rc_sms_desktop.api.session import TokenSession
        from rc_sms_desktop.api.tokens import TokenStore

        if self._transport is None:
            # The first client's TLS set-up (~20-40 ms) runs in a thread, not on the loop.
            await asyncio.to_thread(warm_up_tls)
        client = RingCentralClient(server.url, self._transport)
        store = self._token_store if self._token_store is not None else TokenStore()
        try:
            token_session = await TokenSession.restore(server, client_id, store, http=client.http)
        except BaseException:
            await client.aclose()
            raise
        if token_session is None:
            await client.aclose()
            return None
        return signed_in_session(client, token_session, server)

    async def _open_server_from_environment(self, server_text: str) -> AccountSession | None:
        """JWT sign-in to `server_text` from RC_CLIENT_ID/RC_CLIENT_SECRET/RC_JWT (None when
        they are not all set; the window then opens the sign-in dialog preset to that server)."""
        import os

        from rc_sms_desktop.api.auth import ClientCredentials
        from rc_sms_desktop.api.servers import resolve_server
        from rc_sms_desktop.api.session import TokenSession
        from rc_sms_desktop.infra.redaction import Secret

        server = resolve_server(server_text)
        client_id, secret, jwt = (
            os.environ.get(name, "").strip() for name in ("RC_CLIENT_ID", "RC_CLIENT_SECRET", "RC_JWT")
        )
        if not (client_id and secret and jwt):
            return None
        client = RingCentralClient(server.url, self._transport)
        try:
            token_session = await TokenSession.sign_in_with_jwt(
                client.http, server, ClientCredentials(client_id, Secret(secret)), Secret(jwt)
            )
        except BaseException:
            await client.aclose()
            raise
        return signed_in_session(client, token_session, server)

    async def open_demo_session(self) -> AccountSession:

        client = await open_demo_client(**self._simulator_options)
        return AccountSession(client=client, environment=DEMO_ENVIRONMENT, is_demo=True,
                              server_url=str(getattr(client, "server_url", "")))

    def load(self, session: AccountSession) -> AsyncIterator[Any]:

        # The demo is rebuilt on every start: caching it would only show stale made-up data.
        cache = None if session.is_demo else VerdictCache()
        return SenderLoader(session.client, cache=cache).load()


def default_services(settings: Settings, demo_user: str | None = None) -> DefaultServices:
    """The real services; `demo_user` picks who the demo signs in as (`--demo-user`)."""
    return DefaultServices(settings, simulator_options={"demo_user": demo_user} if demo_user else None)
