"""Signing in from the command line, shared by `check`, `check --account`, `send` and
`suggest-sender`; and the self-overwriting progress line they show on a terminal.

Sign-in, in order: `--demo` (the built-in simulated account); the JWT grant from `RC_CLIENT_ID`,
`RC_CLIENT_SECRET` and `RC_JWT` (server from `--server`, else `RC_SERVER_URL`, else production);
else the session the window stored in the keyring (server and client id from its settings); else
a one-line hint (`SignInProblem`).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from rc_sms_desktop.api.client import RingCentralClient

if TYPE_CHECKING:
    from rc_sms_desktop.api.servers import Server

ENV_CLIENT_ID = "RC_CLIENT_ID"
ENV_CLIENT_SECRET = "RC_CLIENT_SECRET"
ENV_JWT = "RC_JWT"
ENV_SERVER = "RC_SERVER_URL"

NOT_SIGNED_IN_HINT = (
    f"not signed in: set {ENV_CLIENT_ID}, {ENV_CLIENT_SECRET} and {ENV_JWT} (JWT sign-in), "
    "sign in once in the window, or try --demo"
)


class SignInProblem(Exception):
    """Signing in did not work; the message is one line for the terminal (exit 1)."""


async def open_client(args: argparse.Namespace) -> RingCentralClient:
    """A signed-in client by the rules in the module doc; raises SignInProblem/ApiError."""
    if getattr(args, "demo", False) or getattr(args, "demo_user", None):
        from rc_sms_desktop.api.demo import open_demo_client

        user = getattr(args, "demo_user", None)
        return await open_demo_client(**({"demo_user": user} if user else {}))
    from rc_sms_desktop.api.auth import ClientCredentials
    from rc_sms_desktop.api.session import TokenSession
    from rc_sms_desktop.infra.redaction import Secret

    client_id = os.environ.get(ENV_CLIENT_ID, "").strip()
    secret = os.environ.get(ENV_CLIENT_SECRET, "").strip()
    jwt = os.environ.get(ENV_JWT, "").strip()
    server_text = getattr(args, "server", None) or os.environ.get(ENV_SERVER, "").strip() or None
    if client_id and secret and jwt:
        server = _server(server_text)
        client = RingCentralClient(server.url)
        try:
            client.authenticator = await TokenSession.sign_in_with_jwt(
                client.http,
                server,
                ClientCredentials(client_id, Secret(secret)),
                Secret(jwt),
            )
        except BaseException:
            await client.aclose()
            raise
        return client
    return await _stored_session_client(server_text, client_id or None)


def _server(server_text: str | None) -> Server:
    """The `Server` named by `--server`, the environment or settings (production when none)."""
    from rc_sms_desktop.api.servers import ServerUrlError, resolve_server

    try:
        return resolve_server(server_text or "production")
    except ServerUrlError as error:
        raise SignInProblem(str(error)) from None


async def _stored_session_client(server_text: str | None, client_id: str | None) -> RingCentralClient:
    from rc_sms_desktop.api.servers import PRODUCTION, last_server
    from rc_sms_desktop.api.session import TokenSession
    from rc_sms_desktop.api.tokens import TokenStore
    from rc_sms_desktop.infra.settings import Settings

    settings = Settings.load()
    client_id = client_id or settings.last_client_id
    if not client_id:
        raise SignInProblem(NOT_SIGNED_IN_HINT)
    server = (_server(server_text) if server_text is not None else last_server(settings)) or PRODUCTION
    client = RingCentralClient(server.url)
    try:
        session = await TokenSession.restore(server, client_id, TokenStore(), http=client.http)
    except BaseException:
        await client.aclose()
        raise
    if session is None:
        await client.aclose()
        raise SignInProblem(NOT_SIGNED_IN_HINT)
    client.authenticator = session
    return client


class ProgressLine:
    """One self-overwriting status line on a terminal. When stderr is a file or a pipe (a CI log,
    `2> log`), a plain line now and then (every `every_s` seconds at most), so a long walk still
    shows it is alive without flooding the log."""

    def __init__(
        self, stream: TextIO, *, every_s: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._stream = stream
        self._enabled = bool(getattr(stream, "isatty", lambda: False)())
        self._width = 0
        self._every_s = every_s
        self._clock = clock
        self._last_plain: float | None = None

    def show(self, text: str) -> None:
        if not self._enabled:
            now = self._clock()
            if self._last_plain is None:
                self._last_plain = now  # the first line waits a period: short runs stay quiet
            elif now - self._last_plain >= self._every_s:
                self._last_plain = now
                self._stream.write(text + "\n")
                self._stream.flush()
            return
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        if self._enabled and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0
