"""RingCentral's OAuth token endpoint: the grants this app uses, PKCE, and revocation.

* Authorization code with PKCE (end users, through the system browser): ``S256`` is always sent,
  because RingCentral assumes ``plain`` when the method is omitted.
* JWT bearer grant (admins and service users): client id, client secret and a JWT credential.
* Refresh (rotating, single-use refresh tokens) and revoke.

Client authentication: a public client (no secret) sends ``client_id`` in the body; with a
client secret configured the request carries ``Authorization: Basic``. Secrets travel only in
that header and in form bodies, never in a URL.

Retries (RingCentral: "on 408/500 or a timeout, retry 3 times at 10 s intervals"), and why they
differ by grant, since codes and refresh tokens are single-use:

* **JWT grant**: the JWT is reusable, so any transient failure (408, 5xx, timeout, dropped
  connection) is retried. The worst case of a lost success is one extra session.
* **Refresh**: retried the same way. RingCentral keeps the old refresh token valid while the new
  access token is unused (up to 60 min) and answers a repeat with the same new pair, so a replay
  after a lost response is safe. Retries happen inside one single-flight refresh, never in parallel.
* **Authorization code**: retried only when the server cannot have consumed the code: the
  connection was never made, or it answered 408 (it did not read the request). After a 5xx, a
  read timeout or a dropped connection the code may already be spent: a replay would at best fail
  with ``invalid_grant`` and, per RFC 6749 §4.1.2, may make the server revoke what it issued. So
  the user is asked to sign in again instead (a code lives about 60 s anyway).
* **429 and 503** are not retried blindly: a request during an Auth-group penalty restarts the
  penalty. They become a :class:`TokenRateLimitedError`/:class:`TokenServerError` carrying
  ``retry_after`` (``rate_limits.parse_retry_after``: 30 s when absent or unreadable, at most an
  hour); the session sends no token request before that time. Only a code exchange
  waits out one ``Retry-After`` of at most 45 s itself and tries once more: the throttled request
  was not read, and the code (about 60 s of life) would otherwise be wasted.
* **Revoke** is never retried and its errors are ignored (RingCentral's advice).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import math
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

import httpx

from rc_sms_desktop.api.bounded import BodyTooLarge, format_size, read_capped
from rc_sms_desktop.api.errors import (
    ApiError,
    NetworkError,
    RateLimitedError,
    ServerError,
    SessionEndedError,
    parse_error_body,
)
from rc_sms_desktop.api.rate_limits import DEFAULT_RETRY_AFTER_S, parse_retry_after
from rc_sms_desktop.api.servers import Server
from rc_sms_desktop.infra.redaction import Secret, redact, register_secret

__all__ = [
    "JWT_GRANT",
    "ClientCredentials",
    "PkcePair",
    "RetryPolicy",
    "SignInError",
    "TokenNetworkError",
    "TokenRateLimitedError",
    "TokenServerError",
    "TokenSessionEndedError",
    "TokenSet",
    "authorize_url",
    "exchange_code",
    "jwt_grant",
    "new_pkce",
    "new_state",
    "refresh",
    "revoke",
]

_log = logging.getLogger(__name__)

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
Grant = Literal["authorization_code", "jwt", "refresh_token"]

# A token response is a few hundred bytes; anything bigger is not a token response.
_MAX_TOKEN_RESPONSE = 256 * 1024
# Token lifetimes outside these bounds are treated as misreported and clamped.
_MIN_LIFETIME = 30.0
_MAX_LIFETIME = 30 * 86400.0


# ---------------------------------------------------------------------------------- errors


class _PlainMessage(ApiError):
    """The message is already a plain sentence for the user (no catalogue lookup)."""

    @property
    def user_message(self) -> str:
        return self.message


class SignInError(_PlainMessage):
    """Signing in did not work (credentials rejected, redirect mismatch, cancelled, timed out)."""


class TokenSessionEndedError(_PlainMessage, SessionEndedError):
    """The session cannot be renewed (``invalid_grant`` on refresh): the user must sign in again."""


class TokenNetworkError(_PlainMessage, NetworkError):
    """The token endpoint could not be reached, even after retrying; the session is kept."""


class TokenServerError(_PlainMessage, ServerError):
    """The token endpoint failed with 5xx (503: ``retry_after`` seconds); the session is kept."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class TokenRateLimitedError(_PlainMessage, RateLimitedError):
    """RingCentral throttles sign-in requests (Auth group, 429); the session is kept."""


# ---------------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """The app's identity: its client id and, for confidential apps and JWT, its secret."""

    client_id: str
    client_secret: Secret | None = None

    def __post_init__(self) -> None:
        if self.client_secret is not None:
            register_secret(self.client_secret.get_secret_value())

    @property
    def is_public(self) -> bool:
        return self.client_secret is None or not self.client_secret.get_secret_value()


@dataclass(frozen=True, slots=True)
class PkcePair:
    """A PKCE code verifier (secret, kept until the exchange) and its S256 challenge."""

    verifier: Secret
    challenge: str
    method: str = "S256"


def new_pkce() -> PkcePair:
    """A fresh verifier from ``secrets`` (64 unreserved characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)  # 48 random bytes -> 64 characters of [A-Za-z0-9_-]
    register_secret(verifier)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return PkcePair(Secret(verifier), challenge)


def new_state() -> str:
    """A single-use ``state`` value (RingCentral only echoes it; the client must check it)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True, slots=True)
class TokenSet:
    """One token response. Times are wall-clock POSIX seconds (they are persisted)."""

    access_token: Secret
    expires_at: float
    lifetime: float
    refresh_token: Secret | None = None
    refresh_expires_at: float | None = None
    token_type: str = "bearer"
    scope: str = ""
    owner_id: str | None = None
    session_id: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        register_secret(self.access_token.get_secret_value())
        if self.refresh_token is not None:
            register_secret(self.refresh_token.get_secret_value())

    def refresh_usable(self, now: float) -> bool:
        if self.refresh_token is None:
            return False
        return self.refresh_expires_at is None or now < self.refresh_expires_at

    def to_json(self) -> dict[str, Any]:
        """The persisted form (secret values included: for the keyring only)."""
        return {
            "access_token": self.access_token.get_secret_value(),
            "expires_at": self.expires_at,
            "lifetime": self.lifetime,
            "refresh_token": self.refresh_token.get_secret_value() if self.refresh_token else None,
            "refresh_expires_at": self.refresh_expires_at,
            "token_type": self.token_type,
            "scope": self.scope,
            "owner_id": self.owner_id,
            "session_id": self.session_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TokenSet | None:
        """Rebuild a persisted TokenSet; None when it is not one (never raises)."""
        access = data.get("access_token")
        expires_at = _number(data.get("expires_at"))
        if not isinstance(access, str) or not access or expires_at is None:
            return None
        refresh_token = data.get("refresh_token")
        return cls(
            access_token=Secret(access),
            expires_at=expires_at,
            lifetime=_number(data.get("lifetime")) or _MIN_LIFETIME,
            refresh_token=Secret(refresh_token)
            if isinstance(refresh_token, str) and refresh_token
            else None,
            refresh_expires_at=_number(data.get("refresh_expires_at")),
            token_type=_text(data.get("token_type")) or "bearer",
            scope=_text(data.get("scope")) or "",
            owner_id=_text(data.get("owner_id")),
            session_id=_text(data.get("session_id")),
        )


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def parse_token_response(data: object, *, now: float) -> TokenSet | None:
    """A TokenSet from RingCentral's ``TokenInfo`` JSON; None when the body is not one."""
    if not isinstance(data, Mapping):
        return None
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        return None
    expires_in = _number(data.get("expires_in"))
    # Missing or absurd lifetimes are clamped: too short would make every call refresh.
    lifetime = min(
        max(expires_in if expires_in is not None else 300.0, _MIN_LIFETIME), _MAX_LIFETIME
    )
    refresh_token = data.get("refresh_token")
    refresh_in = _number(data.get("refresh_token_expires_in"))
    return TokenSet(
        access_token=Secret(access),
        expires_at=now + lifetime,
        lifetime=lifetime,
        refresh_token=Secret(refresh_token)
        if isinstance(refresh_token, str) and refresh_token
        else None,
        refresh_expires_at=now + max(refresh_in, 0.0) if refresh_in is not None else None,
        token_type=_text(data.get("token_type")) or "bearer",
        scope=_text(data.get("scope")) or "",
        owner_id=_text(data.get("owner_id")),
        session_id=_text(data.get("session_id")),
    )


# ---------------------------------------------------------------------------------- retries


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How token requests are retried: ``retries`` more attempts, ``interval`` seconds apart.

    ``deadline`` bounds each attempt as a whole (httpx timeouts are per read, so a server that
    drips bytes would otherwise never time out).
    """

    retries: int = 3
    interval: float = 10.0
    deadline: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)


DEFAULT_RETRY = RetryPolicy()


def _seconds_text(seconds: float) -> str:
    if seconds >= 90:
        return f"about {round(seconds / 60)} min"
    return f"{max(1, math.ceil(seconds))} s"


# ---------------------------------------------------------------------------------- requests


def authorize_url(
    server: Server,
    client_id: str,
    *,
    redirect_uri: str,
    state: str,
    code_challenge: str,
    scope: str | None = None,
    brand_id: str | None = None,
    prompt: str | None = None,
    login_hint: str | None = None,
) -> str:
    """The URL the system browser opens. Holds nothing secret: the challenge, not the verifier."""
    params: dict[str, str] = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    if scope:
        params["scope"] = scope
    if brand_id:
        params["brand_id"] = brand_id
    if prompt:
        params["prompt"] = prompt
    if login_hint:
        params["login_hint"] = login_hint
    return f"{server.authorize_url}?{urlencode(params)}"


def _client_auth(credentials: ClientCredentials, form: dict[str, str]) -> dict[str, str]:
    """Headers for client authentication; a public client puts ``client_id`` in ``form`` instead."""
    headers = {"Accept": "application/json"}
    if credentials.is_public:
        form["client_id"] = credentials.client_id
    else:
        assert credentials.client_secret is not None
        pair = f"{credentials.client_id}:{credentials.client_secret.get_secret_value()}"
        basic = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        register_secret(basic)
        headers["Authorization"] = f"Basic {basic}"
    return headers


_TRANSIENT_STATUSES = frozenset({408, 500, 502, 504})
# The longest Retry-After worth waiting with an authorization code in hand (codes live ~60 s).
_CODE_WAIT_LIMIT = 45.0


async def _token_request(
    http: httpx.AsyncClient,
    server: Server,
    credentials: ClientCredentials,
    form: dict[str, str],
    *,
    grant: Grant,
    retry: RetryPolicy,
    redirect_uri: str | None = None,
    now: Callable[[], float] = time.time,
) -> TokenSet:
    headers = _client_auth(credentials, form)
    attempt = 0
    waited_out_throttle = False
    while True:
        may_retry = attempt < retry.retries
        try:
            async with asyncio.timeout(retry.deadline):
                request = http.build_request("POST", server.token_url, data=form, headers=headers)
                response = await http.send(request, stream=True)
                # The size check comes before the body is read: a token answer is a few KB.
                body = await read_capped(response, _MAX_TOKEN_RESPONSE)
        except BodyTooLarge:
            raise SignInError(
                f"RingCentral's answer to the sign-in was larger than {format_size(_MAX_TOKEN_RESPONSE)}; "
                "nothing of it was used.",
                method="POST",
                path="/restapi/oauth/token",
            ) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # Nothing reached the server: safe to repeat for every grant, codes included.
            failure: ApiError = _network_error(server, exc)
        except (
            httpx.TimeoutException,
            httpx.NetworkError,
            httpx.RemoteProtocolError,
            TimeoutError,
        ) as exc:
            failure = _network_error(server, exc)
            if grant == "authorization_code":
                raise _code_maybe_spent() from None
        else:
            status = response.status_code
            if status == 200:
                tokens = _parse_success(body, now())
                if tokens is None:
                    raise SignInError(
                        "RingCentral sent an answer to the sign-in that could not be read.",
                        status=status,
                        method="POST",
                        path="/restapi/oauth/token",
                    )
                return tokens
            failure = _error_for_response(response, body, grant=grant, redirect_uri=redirect_uri)
            wait = getattr(failure, "retry_after", None)
            if (
                grant == "authorization_code"
                and status in (429, 503)
                and not waited_out_throttle
                and wait is not None
                and wait <= _CODE_WAIT_LIMIT
            ):
                # Refused before it was read, so the code is unspent; it lives about 60 s, so
                # one wait of Retry-After beats sending the user through the browser again.
                waited_out_throttle = True
                _log.info("Sign-in throttled (HTTP %d); waiting %.0f s once", status, wait)
                await retry.sleep(wait)
                continue
            retryable = status in _TRANSIENT_STATUSES and (
                grant != "authorization_code" or status == 408
            )
            if not retryable:
                if grant == "authorization_code" and status in _TRANSIENT_STATUSES:
                    raise _code_maybe_spent(status) from None
                raise failure
        if not may_retry:
            raise failure
        attempt += 1
        _log.info(
            "Token request failed (%s); retry %d of %d",
            type(failure).__name__,
            attempt,
            retry.retries,
        )
        await retry.sleep(retry.interval)


def _parse_success(body: bytes, now: float) -> TokenSet | None:
    if len(body) > _MAX_TOKEN_RESPONSE:
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return parse_token_response(data, now=now)


def _network_error(server: Server, exc: BaseException) -> TokenNetworkError:
    host = httpx.URL(server.url).host
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        text = f"RingCentral ({host}) did not answer in time. Check your internet connection and try again."
    else:
        text = (
            f"Could not reach RingCentral ({host}). Check your internet connection and try again."
        )
    return TokenNetworkError(text, method="POST", path="/restapi/oauth/token")


def _code_maybe_spent(status: int | None = None) -> SignInError:
    return SignInError(
        "The connection to RingCentral failed while finishing the sign-in. Please sign in again.",
        status=status,
        method="POST",
        path="/restapi/oauth/token",
    )


def _clean_server_text(text: str | None) -> str | None:
    if not text:
        return None
    # Server-controlled text: no line breaks or escapes (log forging), bounded, no secrets.
    flat = " ".join(text.replace("\x1b", " ").split())
    return redact(flat[:300])


def _error_for_response(
    response: httpx.Response,
    body: bytes,
    *,
    grant: Grant,
    redirect_uri: str | None,
) -> ApiError:
    status = response.status_code
    raw_code, raw_message = parse_error_body(body[:_MAX_TOKEN_RESPONSE])
    oauth_error: str | None = None
    try:
        data = json.loads(body[:_MAX_TOKEN_RESPONSE])
        if isinstance(data, Mapping) and isinstance(data.get("error"), str):
            oauth_error = data["error"]
    except (ValueError, UnicodeDecodeError):
        pass
    code = raw_code or oauth_error
    rc_message = _clean_server_text(raw_message)
    common: dict[str, Any] = {
        "status": status,
        "error_code": code,
        "rc_message": rc_message,
        "method": "POST",
        "path": "/restapi/oauth/token",
    }
    if status == 429:
        wait = parse_retry_after(response.headers.get("Retry-After"))
        wait = DEFAULT_RETRY_AFTER_S if wait is None else wait
        return TokenRateLimitedError(
            f"RingCentral is limiting sign-in requests right now. Try again in {_seconds_text(wait)}.",
            group=response.headers.get("X-Rate-Limit-Group") or "Auth",
            retry_after=wait,
            resume_at=time.time() + wait,
            **common,
        )
    if status >= 500:
        wait = parse_retry_after(response.headers.get("Retry-After"))
        if status == 503:
            wait = DEFAULT_RETRY_AFTER_S if wait is None else wait
            text = f"RingCentral's sign-in service is temporarily unavailable. Try again in {_seconds_text(wait)}."
        else:
            text = (
                "RingCentral's sign-in service is having trouble right now. Please try again later."
            )
        return TokenServerError(text, retry_after=wait, **common)
    if status == 408:
        return TokenNetworkError(
            "RingCentral did not receive the sign-in request in time. Please try again.", **common
        )
    codes = {c for c in (raw_code, oauth_error) if c}
    if "OAU-109" in codes or (
        rc_message and "redirect" in rc_message.lower() and "match" in rc_message.lower()
    ):
        where = redirect_uri or "http://127.0.0.1:<port>/callback"
        return SignInError(
            "RingCentral says the sign-in return address does not match this app's registration. "
            f"An admin must add {where} to the app's OAuth redirect URIs in the RingCentral Developer "
            "Console, or set the port the app is registered with in Settings.",
            **common,
        )
    if "invalid_client" in codes or (status == 401 and grant != "refresh_token"):
        hint = (
            " If the app is a confidential (server-side) app, enter its client secret."
            if grant == "authorization_code"
            else ""
        )
        return SignInError(
            "RingCentral did not accept this app's client ID or client secret. "
            f"Check them in the RingCentral Developer Console.{hint}",
            **common,
        )
    if "unauthorized_client" in codes or "unsupported_grant_type" in codes:
        kind = (
            "JWT"
            if grant == "jwt"
            else "browser"
            if grant == "authorization_code"
            else "this kind of"
        )
        return SignInError(
            f"This RingCentral app is not allowed to use {kind} sign-in. "
            "An admin can enable it in the app's Auth settings in the Developer Console.",
            **common,
        )
    if grant == "refresh_token":
        # invalid_grant (expired, revoked, signed out elsewhere, password changed) or any other
        # 4xx: RingCentral says do not repeat; the user signs in again.
        return TokenSessionEndedError(
            "Your RingCentral session has ended (it expired, was signed out elsewhere, or the "
            "password changed). Please sign in again.",
            **common,
        )
    if grant == "jwt":
        if "invalid_grant" in codes or status in (400, 401):
            return SignInError(
                "RingCentral did not accept the JWT credential: it may be expired, revoked, or made "
                "for another app. Create a new JWT in the RingCentral Developer Console.",
                **common,
            )
    elif "invalid_grant" in codes:
        return SignInError(
            "The sign-in expired or was already used. Please sign in again.",
            **common,
        )
    detail = f" RingCentral said: {rc_message}" if rc_message else ""
    return SignInError(f"RingCentral refused the sign-in (HTTP {status}).{detail}", **common)


# ---------------------------------------------------------------------------------- grants


async def exchange_code(
    http: httpx.AsyncClient,
    server: Server,
    credentials: ClientCredentials,
    *,
    code: Secret,
    verifier: Secret,
    redirect_uri: str,
    retry: RetryPolicy = DEFAULT_RETRY,
    now: Callable[[], float] = time.time,
) -> TokenSet:
    """Trade an authorization code and its PKCE verifier for tokens."""
    form = {
        "grant_type": "authorization_code",
        "code": code.get_secret_value(),
        "redirect_uri": redirect_uri,
        "code_verifier": verifier.get_secret_value(),
    }
    return await _token_request(
        http,
        server,
        credentials,
        form,
        grant="authorization_code",
        retry=retry,
        redirect_uri=redirect_uri,
        now=now,
    )


async def jwt_grant(
    http: httpx.AsyncClient,
    server: Server,
    credentials: ClientCredentials,
    *,
    jwt: Secret,
    retry: RetryPolicy = DEFAULT_RETRY,
    now: Callable[[], float] = time.time,
) -> TokenSet:
    """Sign in with a JWT credential (admins, service users). Needs the client secret."""
    register_secret(jwt.get_secret_value())
    if credentials.is_public:
        raise SignInError("JWT sign-in needs the app's client secret as well as its client ID.")
    form = {"grant_type": JWT_GRANT, "assertion": jwt.get_secret_value()}
    return await _token_request(http, server, credentials, form, grant="jwt", retry=retry, now=now)


async def refresh(
    http: httpx.AsyncClient,
    server: Server,
    credentials: ClientCredentials,
    *,
    refresh_token: Secret,
    retry: RetryPolicy = DEFAULT_RETRY,
    now: Callable[[], float] = time.time,
) -> TokenSet:
    """Trade a refresh token (single-use; RingCentral rotates it) for a new token set."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token.get_secret_value()}
    return await _token_request(
        http, server, credentials, form, grant="refresh_token", retry=retry, now=now
    )


async def revoke(
    http: httpx.AsyncClient,
    server: Server,
    credentials: ClientCredentials,
    *,
    token: Secret,
    deadline: float = 10.0,
) -> bool:
    """End the whole RingCentral session of ``token``. Once, errors ignored: True if it answered 2xx."""
    form = {"token": token.get_secret_value()}
    headers = _client_auth(credentials, form)
    try:
        async with asyncio.timeout(deadline):
            request = http.build_request("POST", server.revoke_url, data=form, headers=headers)
            response = await http.send(request, stream=True)
            await read_capped(response, _MAX_TOKEN_RESPONSE)
    except (httpx.HTTPError, TimeoutError, OSError, BodyTooLarge) as exc:
        _log.info("Revoking the session failed (%s); ignored", type(exc).__name__)
        return False
    if response.is_success:
        return True
    _log.info("Revoking the session failed (HTTP %d); ignored", response.status_code)
    return False
