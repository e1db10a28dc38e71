"""Test doubles for the sign-in tests: a counting OAuth server, a scripted transport, keyrings.

Imported by the sign-in tests as ``tests.api.auth_fakes`` (one name: no second copy of the
module); the ``fake``/``http`` fixtures over it are in conftest.py.
The fake OAuth server issues sentinel-bearing secrets so a test can grep every sink for them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx
import keyring.errors
from keyring.backend import KeyringBackend
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from rc_sms_desktop.api.auth import ClientCredentials, RetryPolicy
from rc_sms_desktop.api.servers import Server, custom_server

FAKE_SERVER: Server = custom_server("https://rc.fake.test")
CLIENT_ID = "fake-client-id"


def sentinel(kind: str) -> str:
    return f"{kind}-SENTINEL-{uuid.uuid4().hex}"


CLIENT_SECRET = sentinel("CS")
JWT = (
    "eyJhbGciOiJub25lIn0."
    + base64.urlsafe_b64encode(sentinel("JWT").encode()).decode().rstrip("=")
    + ".c2ln"
)


async def _no_sleep(_: float) -> None:
    await asyncio.sleep(0)


FAST_RETRY = RetryPolicy(retries=3, interval=0.0, deadline=5.0, sleep=_no_sleep)


@dataclass
class FakeOAuth:
    """A RingCentral-shaped token endpoint that counts calls and can be scripted to fail."""

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    jwt: str = JWT
    expires_in: int = 3600
    issue_refresh_tokens: bool = True
    refresh_delay: float = 0.0
    # Responses (status, json body, headers) returned before normal handling, oldest first.
    scripted: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    token_calls: int = 0
    refreshes: int = 0
    jwt_grants: int = 0
    code_exchanges: int = 0
    revokes: int = 0
    api_calls: int = 0
    seen_token_forms: list[dict[str, str]] = field(default_factory=list)
    seen_urls: list[str] = field(default_factory=list)
    access: set[str] = field(default_factory=set)
    refresh: set[str] = field(default_factory=set)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (challenge, redirect)
    issued: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/restapi/oauth/token", self._token, methods=["POST"]),
                Route("/restapi/oauth/revoke", self._revoke, methods=["POST"]),
                Route("/restapi/oauth/authorize", self._authorize, methods=["GET"]),
                Route("/restapi/v1.0/account/~/extension/~", self._me, methods=["GET"]),
            ]
        )

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app())

    def credentials(self, *, confidential: bool = False) -> ClientCredentials:
        from rc_sms_desktop.infra.redaction import Secret

        return ClientCredentials(
            self.client_id, Secret(self.client_secret) if confidential else None
        )

    def _issue(self) -> dict[str, Any]:
        access = sentinel("AT")
        self.access = {access}  # a new token invalidates the previous one at once
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "scope": "ReadAccounts SMS",
            "owner_id": "1001",
            "session_id": "s1",
        }
        if self.issue_refresh_tokens:
            refresh = sentinel("RT")
            self.refresh.add(refresh)
            body["refresh_token"] = refresh
            body["refresh_token_expires_in"] = 604800
        self.issued.extend([access, body.get("refresh_token", "")])
        return body

    def _client_ok(self, request: Request, form: dict[str, str]) -> bool:
        header = request.headers.get("authorization")
        if header:
            scheme, _, value = header.partition(" ")
            pair = base64.b64decode(value).decode()
            return scheme == "Basic" and pair == f"{self.client_id}:{self.client_secret}"
        return form.get("client_id") == self.client_id

    async def _token(self, request: Request) -> Response:
        self.token_calls += 1
        self.seen_urls.append(str(request.url))
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.seen_token_forms.append(form)
        if self.scripted:
            status, body, headers = self.scripted.pop(0)
            return JSONResponse(body, status_code=status, headers=headers)
        if not self._client_ok(request, form):
            return _oauth_error(401, "invalid_client", "OAU-146", "Invalid client credentials")
        grant = form.get("grant_type")
        if grant == "refresh_token":
            if self.refresh_delay:
                await asyncio.sleep(self.refresh_delay)
            token = form.get("refresh_token", "")
            if token not in self.refresh:
                return _oauth_error(400, "invalid_grant", "OAU-213", "Token not found")
            self.refresh.discard(token)  # single use
            self.refreshes += 1
            return JSONResponse(self._issue())
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            if form.get("assertion") != self.jwt:
                return _oauth_error(
                    400, "invalid_grant", "OAU-140", "Invalid resource owner credentials."
                )
            self.jwt_grants += 1
            return JSONResponse(self._issue())
        if grant == "authorization_code":
            code = form.get("code", "")
            if code not in self.codes:
                return _oauth_error(400, "invalid_grant", "OAU-106", "Invalid authorization code")
            challenge, redirect = self.codes.pop(code)
            if form.get("redirect_uri") != redirect:
                return _oauth_error(400, "invalid_grant", "OAU-109", "Redirect URIs do not match")
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                return _oauth_error(400, "invalid_grant", "OAU-106", "Invalid authorization code")
            self.code_exchanges += 1
            return JSONResponse(self._issue())
        return _oauth_error(400, "unsupported_grant_type", "OAU-112", "unsupported")

    async def _revoke(self, request: Request) -> Response:
        self.revokes += 1
        form = {k: str(v) for k, v in (await request.form()).items()}
        if form.get("token") in self.refresh | self.access:
            self.refresh.clear()
            self.access.clear()
        return Response(status_code=200)

    async def _authorize(self, request: Request) -> Response:
        params = request.query_params
        code = sentinel("CODE")
        self.codes[code] = (params.get("code_challenge", ""), params.get("redirect_uri", ""))
        query = urlencode({"code": code, "state": params.get("state", ""), "expires_in": "60"})
        return RedirectResponse(f"{params.get('redirect_uri')}?{query}", status_code=302)

    async def _me(self, request: Request) -> Response:
        self.api_calls += 1
        header = request.headers.get("authorization", "")
        if header.removeprefix("Bearer ") not in self.access:
            return JSONResponse(
                {"errorCode": "OAU-213", "message": "Token not found"}, status_code=401
            )
        return JSONResponse({"id": 1001})


def _oauth_error(status: int, error: str, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "error": error,
            "error_description": message,
            "errors": [{"errorCode": code, "message": message}],
        },
        status_code=status,
    )


class FaultTransport(httpx.AsyncBaseTransport):
    """Raises scripted transport errors (connect refused, dropped connection) before delegating."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.faults: list[BaseException] = []
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.faults:
            raise self.faults.pop(0)
        return await self.inner.handle_async_request(request)


async def browse(
    url: str,
    site: httpx.AsyncBaseTransport,
    *,
    follow_consent: Callable[[str, str], str | None] | None = None,
    max_steps: int = 10,
) -> httpx.Response:
    """Play the browser: GET ``url`` and follow redirects and consent links to the loopback page.

    Uses transports directly (not an httpx client), so the browser's own request lines, which
    carry the code, are not logged by httpx: only the app's logging is under test.
    """
    loopback = httpx.AsyncHTTPTransport()
    try:
        for _ in range(max_steps):
            target = httpx.URL(url)
            transport = loopback if target.host in ("127.0.0.1", "::1") else site
            response = await transport.handle_async_request(httpx.Request("GET", target))
            await response.aread()
            await response.aclose()
            if response.status_code in (301, 302, 303, 307, 308):
                url = urljoin(url, response.headers["location"])
                continue
            if follow_consent is not None and response.status_code == 200:
                link = follow_consent(url, response.text)
                if link:
                    url = urljoin(url, link)
                    continue
            return response
        raise AssertionError("too many redirects")
    finally:
        await loopback.aclose()


# ------------------------------------------------------------------------------------- keyrings


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring; ``max_bytes`` emulates Windows' 2,560-byte (UTF-16) limit."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, max_bytes: int | None = None) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}
        self.max_bytes = max_bytes
        self.writes = 0
        self.fail_after_writes: int | None = None
        self.lock = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if (
            self.max_bytes is not None
            and len(password.encode("utf-16-le", "surrogatepass")) > self.max_bytes
        ):
            # What Windows' CredWrite reports over CRED_MAX_CREDENTIAL_BLOB_SIZE.
            raise keyring.errors.PasswordSetError(
                "(1783, 'CredWrite', 'The stub received bad data.')"
            )
        if self.fail_after_writes is not None and self.writes >= self.fail_after_writes:
            raise keyring.errors.PasswordSetError("disk full")
        self.writes += 1
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class SilentKeyring(MemoryKeyring):
    """Claims a good priority and 'succeeds', but keeps nothing (a broken backend)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes += 1


class LockedKeyring(MemoryKeyring):
    """Every call fails as a locked Secret Service collection does."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


class HangingKeyring(MemoryKeyring):
    """Blocks every call until released (an unlock prompt nobody answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        self.release.wait(10)
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        self.release.wait(10)
        super().set_password(service, username, password)


class FakeClock:
    """Wall and monotonic clocks that tests move forward by hand."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def random_state() -> str:
    return secrets.token_urlsafe(16)
