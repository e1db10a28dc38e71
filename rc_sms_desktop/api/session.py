"""A signed-in RingCentral session: valid access tokens on demand, kept across restarts.

:class:`TokenSession` is the client's ``Authenticator``. Its rules come from RingCentral's token
semantics (refresh tokens are single-use and rotate; a refresh invalidates the old access token at
once; about five parallel sessions per user; Auth group of 5 requests a minute):

* **one refresh at a time**: however many requests need a token, at most one refresh is in
  flight and everyone awaits it (asyncio is single-threaded, so a shared task is enough);
* **proactive**: a token is renewed at least 60 s before it expires (RingCentral advises against
  refreshing on 401); a 401 forces one refresh, and a 401 on the token that refresh produced ends
  the session instead of looping;
* **save before use**: the rotated refresh token is written to the keyring before the new access
  token is handed out, so a crash cannot strand the session;
* **transient failures keep the session** (network down, 5xx, 429: the caller gets a retryable
  error, and after a 429/503 no token request is sent until ``Retry-After`` has passed);
  ``invalid_grant`` ends it and deletes what was stored;
* **restore, don't re-sign-in**: a stored session is reused after a restart without a token
  request while its access token is still valid;
* **two app instances**: when the other instance already spent the shared refresh token, the
  newer pair it saved in the keyring is adopted instead of ending (and deleting) the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, Protocol

import httpx

from rc_sms_desktop.api import auth
from rc_sms_desktop.api.auth import (
    DEFAULT_RETRY,
    ClientCredentials,
    RetryPolicy,
    SignInError,
    TokenRateLimitedError,
    TokenServerError,
    TokenSessionEndedError,
    TokenSet,
)
from rc_sms_desktop.api.errors import ApiError, SessionEndedError
from rc_sms_desktop.api.servers import Server
from rc_sms_desktop.api.tokens import StorageState, StorageStatus, TokenStore, store_key
from rc_sms_desktop.infra.redaction import Secret, register_secret

__all__ = ["BrowserOpener", "Clock", "SystemClock", "TokenSession", "open_system_browser"]

_log = logging.getLogger(__name__)

_PAYLOAD_VERSION = 1

BrowserOpener = Callable[[str], Awaitable[bool]]


async def open_system_browser(url: str) -> bool:
    """Open ``url`` in the system browser (never an embedded view, RFC 8252 §8.12).

    ``webbrowser.open`` can block (it may start a process), so it runs in a thread. Imported
    here: it pulls subprocess and shlex, which the window's start does not need.
    """
    import webbrowser

    return await asyncio.to_thread(webbrowser.open, url)


class Clock(Protocol):
    """Wall-clock time (persisted expiry) and monotonic time (in-process deadlines)."""

    def time(self) -> float: ...

    def monotonic(self) -> float: ...


class SystemClock:
    """The real clocks."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


SYSTEM_CLOCK = SystemClock()


class TokenSession:
    """The signed-in session behind every API request: implements the client's ``Authenticator``.

    Build one with :meth:`sign_in_with_browser`, :meth:`sign_in_with_jwt` or :meth:`restore`.
    ``storage_status`` tells the UI whether the sign-in will outlive the app.
    """

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        server: Server,
        credentials: ClientCredentials,
        tokens: TokenSet,
        store: TokenStore | None = None,
        jwt: Secret | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        refresh_margin: float = 60.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._http = http
        self._server = server
        self._credentials = credentials
        self._store = store
        self._jwt = jwt
        if jwt is not None:
            register_secret(jwt.get_secret_value())
        self._retry = retry
        self._margin = refresh_margin
        self._clock = clock
        self._tokens = tokens
        self._fresh_until = 0.0
        self._set_tokens(tokens)
        self._refresh_task: asyncio.Task[str] | None = None
        self._forced_token: str | None = None  # issued by a refresh that a 401 forced
        self._not_before = 0.0  # monotonic; no token request before (429/503 Retry-After)
        self._throttled: ApiError | None = None
        self._ended: SessionEndedError | None = None
        self.refresh_count = 0  # token-endpoint renewals made by this session (diagnostics)

    def __repr__(self) -> str:
        state = "ended" if self._ended else "active"
        return f"TokenSession(server={self._server.url!r}, client_id={self._credentials.client_id!r}, {state})"

    # ------------------------------------------------------------------ properties

    @property
    def server(self) -> Server:
        return self._server

    @property
    def client_id(self) -> str:
        return self._credentials.client_id

    @property
    def owner_id(self) -> str | None:
        """The signed-in extension's id, as the token response reported it."""
        return self._tokens.owner_id

    @property
    def scope(self) -> str:
        """The permissions granted to the app, as the token response listed them."""
        return self._tokens.scope

    @property
    def is_active(self) -> bool:
        return self._ended is None

    @property
    def storage_status(self) -> StorageStatus:
        if self._store is None:
            return StorageStatus(
                StorageState.SESSION_ONLY, "Your sign-in is kept for this session only."
            )
        return self._store.status

    @property
    def _key(self) -> str:
        return store_key(self._server.url, self._credentials.client_id)

    # ------------------------------------------------------------------ sign-in

    @classmethod
    async def sign_in_with_browser(
        cls,
        http: httpx.AsyncClient,
        server: Server,
        credentials: ClientCredentials,
        store: TokenStore | None = None,
        *,
        open_browser: BrowserOpener | None = None,
        port: int = 0,
        path: str = "/callback",
        time_limit: float = 300.0,
        scope: str | None = None,
        brand_id: str | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        refresh_margin: float = 60.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> TokenSession:
        """Authorization code + PKCE through the system browser and a loopback redirect.

        ``open_browser(url)`` shows the sign-in page (default: the system browser); a UI can
        pass its own that also shows the URL to copy. Cancel the awaiting task to stop: the
        port is freed.
        """
        pkce = auth.new_pkce()
        state = auth.new_state()
        opener = open_browser or open_system_browser
        # Imported here: only the browser sign-in needs the loopback server (and h11).
        from rc_sms_desktop.api.loopback import LoopbackListener

        async with LoopbackListener(expected_state=state, port=port, path=path) as listener:
            redirect_uri = listener.redirect_uri
            url = auth.authorize_url(
                server,
                credentials.client_id,
                redirect_uri=redirect_uri,
                state=state,
                code_challenge=pkce.challenge,
                scope=scope,
                brand_id=brand_id,
            )
            opening = asyncio.create_task(_open_quietly(opener, url))
            try:
                callback = await listener.wait(time_limit)
            finally:
                if not opening.done():
                    opening.cancel()
                await asyncio.gather(opening, return_exceptions=True)
        tokens = await auth.exchange_code(
            http,
            server,
            credentials,
            code=callback.code,
            verifier=pkce.verifier,
            redirect_uri=redirect_uri,
            retry=retry,
            now=clock.time,
        )
        return await cls._granted(
            tokens, http, server, credentials, store, retry, refresh_margin, clock
        )

    @classmethod
    async def sign_in_with_jwt(
        cls,
        http: httpx.AsyncClient,
        server: Server,
        credentials: ClientCredentials,
        jwt: Secret,
        store: TokenStore | None = None,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        refresh_margin: float = 60.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> TokenSession:
        """JWT bearer grant (admins, service users); the JWT is kept to renew an expired session."""
        tokens = await auth.jwt_grant(
            http, server, credentials, jwt=jwt, retry=retry, now=clock.time
        )
        return await cls._granted(
            tokens, http, server, credentials, store, retry, refresh_margin, clock, jwt=jwt
        )

    @classmethod
    async def _granted(
        cls,
        tokens: TokenSet,
        http: httpx.AsyncClient,
        server: Server,
        credentials: ClientCredentials,
        store: TokenStore | None,
        retry: RetryPolicy,
        refresh_margin: float,
        clock: Clock,
        *,
        jwt: Secret | None = None,
    ) -> TokenSession:
        """The session a sign-in's grant just issued `tokens` for, saved in `store` (if any)."""
        session = cls(
            http=http,
            server=server,
            credentials=credentials,
            tokens=tokens,
            store=store,
            jwt=jwt,
            retry=retry,
            refresh_margin=refresh_margin,
            clock=clock,
        )
        await session._persist()
        return session

    @classmethod
    async def restore(
        cls,
        server: Server,
        client_id: str,
        store: TokenStore,
        *,
        http: httpx.AsyncClient,
        retry: RetryPolicy = DEFAULT_RETRY,
        refresh_margin: float = 60.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> TokenSession | None:
        """The session saved for this server and app, or None (never stored, damaged, expired).

        Makes no network request: a still-valid access token is used as is, otherwise the first
        :meth:`access_token` call refreshes it.
        """
        payload = await store.load(store_key(server.url, client_id))
        if payload is None:
            return None
        try:
            data = json.loads(payload.get_secret_value())
        except ValueError:
            data = None
        session = cls._from_payload(
            data, server, client_id, store, http, retry, refresh_margin, clock
        )
        if session is None:
            _log.warning("The saved sign-in could not be used; it was removed.")
            await store.delete(store_key(server.url, client_id))
            return None
        now = clock.time()
        renewable = session._tokens.refresh_usable(now) or session._jwt is not None
        if session._tokens.expires_at <= now and not renewable:
            _log.info("The saved sign-in has expired; it was removed.")
            await store.delete(session._key)
            return None
        return session

    @classmethod
    def _from_payload(
        cls,
        data: Any,
        server: Server,
        client_id: str,
        store: TokenStore,
        http: httpx.AsyncClient,
        retry: RetryPolicy,
        refresh_margin: float,
        clock: Clock,
    ) -> TokenSession | None:
        if not isinstance(data, dict) or data.get("v") != _PAYLOAD_VERSION:
            return None
        if data.get("server") != server.url or data.get("client_id") != client_id:
            return None
        tokens_data = data.get("tokens")
        tokens = TokenSet.from_json(tokens_data) if isinstance(tokens_data, dict) else None
        if tokens is None:
            return None
        secret = data.get("client_secret")
        jwt = data.get("jwt")
        credentials = ClientCredentials(
            client_id, Secret(secret) if isinstance(secret, str) and secret else None
        )
        return cls(
            http=http,
            server=server,
            credentials=credentials,
            tokens=tokens,
            store=store,
            jwt=Secret(jwt) if isinstance(jwt, str) and jwt else None,
            retry=retry,
            refresh_margin=refresh_margin,
            clock=clock,
        )

    # ------------------------------------------------------------------ Authenticator

    async def access_token(self) -> str:
        """A valid access token, renewed first if it expires within the refresh margin."""
        self._raise_if_ended()
        if self._clock.monotonic() < self._fresh_until:
            return self._tokens.access_token.get_secret_value()
        return await self._renew(forced=False)

    async def handle_unauthorized(self, rejected_token: str) -> str:
        """After a 401 with ``rejected_token``: the token to replay with, or SessionEndedError.

        One forced refresh per token: if someone already renewed since, their token is returned;
        if the token a forced refresh produced is itself rejected, the session ends (no loop).
        """
        self._raise_if_ended()
        current = self._tokens.access_token.get_secret_value()
        if rejected_token != current:
            return await self.access_token()
        if self._refresh_task is not None and not self._refresh_task.done():
            return await asyncio.shield(self._refresh_task)
        if self._forced_token is not None and self._forced_token == current:
            await self._end(
                TokenSessionEndedError(
                    "RingCentral no longer accepts this sign-in, even after renewing it. Please sign in again.",
                    status=401,
                ),
                delete_stored=True,
            )
        return await self._renew(forced=True)

    # ------------------------------------------------------------------ sign-out

    async def sign_out(self) -> None:
        """Revoke the session at RingCentral (once, errors ignored) and forget it everywhere."""
        if self._refresh_task is not None and not self._refresh_task.done():
            self._refresh_task.cancel()
            await asyncio.gather(self._refresh_task, return_exceptions=True)
        token = self._tokens.refresh_token or self._tokens.access_token
        if self._ended is None:
            await auth.revoke(self._http, self._server, self._credentials, token=token)
        self._ended = TokenSessionEndedError("You signed out of RingCentral.")
        if self._store is not None:
            await self._store.delete(self._key)

    async def aclose(self) -> None:
        """Stop a refresh in flight (app shutdown); the stored session stays for next time."""
        task = self._refresh_task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # ------------------------------------------------------------------ internals

    def _raise_if_ended(self) -> None:
        if self._ended is not None:
            raise self._ended

    def _set_tokens(self, tokens: TokenSet) -> None:
        self._tokens = tokens
        remaining = tokens.expires_at - self._clock.time()
        margin = min(self._margin, tokens.lifetime / 2)
        self._fresh_until = self._clock.monotonic() + remaining - margin

    async def _renew(self, *, forced: bool) -> str:
        task = self._refresh_task
        if task is None or task.done():
            wait = self._not_before - self._clock.monotonic()
            if wait > 0 and self._throttled is not None:
                raise TokenRateLimitedError(
                    f"RingCentral asked us to wait before renewing the sign-in. Try again in {max(1, round(wait))} s.",
                    group="Auth",
                    retry_after=wait,
                    resume_at=self._clock.time() + wait,
                    status=self._throttled.status,
                    error_code=self._throttled.error_code,
                )
            task = asyncio.create_task(
                self._refresh(forced=forced), name="rc-sms-desktop-token-refresh"
            )
            task.add_done_callback(_consume_exception)
            self._refresh_task = task
        # Shielded: a caller giving up must not abort a refresh whose single-use token is spent.
        return await asyncio.shield(task)

    async def _refresh(self, *, forced: bool) -> str:
        # Keep the long-lived secrets at the fresh end of the redaction list.
        if self._credentials.client_secret is not None:
            register_secret(self._credentials.client_secret.get_secret_value())
        if self._jwt is not None:
            register_secret(self._jwt.get_secret_value())
        now = self._clock.time()
        try:
            tokens = await self._obtain_tokens(now)
        except (TokenRateLimitedError, TokenServerError) as exc:
            retry_after = exc.retry_after
            if retry_after:
                self._not_before = self._clock.monotonic() + retry_after
                self._throttled = exc
            raise
        self.refresh_count += 1
        self._set_tokens(tokens)
        token = tokens.access_token.get_secret_value()
        self._forced_token = token if forced else None
        self._not_before = 0.0
        self._throttled = None
        await self._persist()
        return token

    async def _obtain_tokens(self, now: float) -> TokenSet:
        tokens = self._tokens
        if tokens.refresh_usable(now):
            assert tokens.refresh_token is not None
            try:
                return await auth.refresh(
                    self._http,
                    self._server,
                    self._credentials,
                    refresh_token=tokens.refresh_token,
                    retry=self._retry,
                    now=self._clock.time,
                )
            except TokenSessionEndedError as exc:
                newer = await self._newer_stored_tokens(tokens)
                if newer is not None:
                    return newer
                if self._jwt is None:
                    await self._end(exc, delete_stored=True)
                _log.info("Refresh token rejected; signing in again with the stored JWT")
        if self._jwt is not None:
            try:
                return await auth.jwt_grant(
                    self._http,
                    self._server,
                    self._credentials,
                    jwt=self._jwt,
                    retry=self._retry,
                    now=self._clock.time,
                )
            except SignInError as exc:
                await self._end(
                    TokenSessionEndedError(
                        exc.message, status=exc.status, error_code=exc.error_code
                    ),
                    delete_stored=True,
                )
        await self._end(
            TokenSessionEndedError("Your RingCentral session has expired. Please sign in again."),
            delete_stored=True,
        )

    async def _newer_stored_tokens(self, used: TokenSet) -> TokenSet | None:
        """Tokens another app instance renewed and saved since ours, if any (else None).

        Refresh tokens are single-use: when a second instance of the app renewed the session,
        our copy is spent and RingCentral answers invalid_grant. The keyring then holds the
        current pair; adopting it keeps both instances signed in instead of one deleting the
        other's session.
        """
        if self._store is None or used.refresh_token is None:
            return None
        payload = await self._store.load(self._key)
        if payload is None:
            return None
        try:
            data = json.loads(payload.get_secret_value())
        except ValueError:
            return None
        stored_json = data.get("tokens") if isinstance(data, dict) else None
        stored = TokenSet.from_json(stored_json) if isinstance(stored_json, dict) else None
        if stored is None or stored.refresh_token is None:
            return None
        if stored.refresh_token.get_secret_value() == used.refresh_token.get_secret_value():
            return None
        _log.info("This session was renewed by another instance of the app; using its tokens")
        now = self._clock.time()
        if stored.expires_at - min(self._margin, stored.lifetime / 2) > now:
            return stored
        if not stored.refresh_usable(now):
            return None
        try:
            return await auth.refresh(
                self._http,
                self._server,
                self._credentials,
                refresh_token=stored.refresh_token,
                retry=self._retry,
                now=self._clock.time,
            )
        except TokenSessionEndedError:
            return None

    async def _end(self, error: SessionEndedError, *, delete_stored: bool) -> NoReturn:
        """Mark the session ended, forget stored tokens if asked, and raise ``error``."""
        self._ended = error
        _log.info("Session ended: %s", error.message)
        if delete_stored and self._store is not None:
            await self._store.delete(self._key)
        raise error

    async def _persist(self) -> None:
        if self._store is None:
            return
        payload: dict[str, Any] = {
            "v": _PAYLOAD_VERSION,
            "server": self._server.url,
            "client_id": self._credentials.client_id,
            "client_secret": (
                self._credentials.client_secret.get_secret_value()
                if self._credentials.client_secret
                else None
            ),
            "jwt": self._jwt.get_secret_value() if self._jwt else None,
            "tokens": self._tokens.to_json(),
        }
        # ASCII-only JSON: chunks can then be cut anywhere without splitting a character.
        saved = await self._store.save(self._key, Secret(json.dumps(payload, ensure_ascii=True)))
        if not saved:
            _log.info("Sign-in not saved: %s", self._store.status.message)


async def _open_quietly(opener: BrowserOpener, url: str) -> None:
    try:
        opened = await opener(url)
    except Exception as exc:  # a missing browser must not stop the sign-in: the URL can be copied
        _log.warning("Could not open the browser (%s)", type(exc).__name__)
        return
    if not opened:
        _log.warning("Could not open the browser; open the sign-in address shown by the app")


def _consume_exception(task: asyncio.Task[str]) -> None:
    # The refresh outcome is delivered to every awaiting caller; if all of them went away,
    # retrieving it here keeps asyncio from reporting "exception was never retrieved".
    if not task.cancelled():
        with contextlib.suppress(BaseException):
            task.exception()
