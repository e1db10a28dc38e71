"""The RingCentral REST client: one `httpx.AsyncClient` per signed-in session, Qt-free.

It adds the bearer token (from an `Authenticator`), paces every request through the
`RateLimitScheduler`, retries what is safe to retry, follows pages, and turns every failure into a
typed `ApiError`. Tokens only ever travel in the `Authorization` header, to the session's own
server; they never appear in a URL, a log record or an error.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import logging
import os
import random
import re
import ssl
import sys
import threading
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, Self, runtime_checkable
from urllib.parse import urlsplit

import httpx

from rc_sms_desktop import __version__
from rc_sms_desktop.api.bounded import MAX_RESPONSE_BYTES, BodyTooLarge, read_capped
from rc_sms_desktop.api.errors import (
    ApiError,
    MalformedResponseError,
    NetworkError,
    RateLimitedError,
    RedirectedError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerBusyError,
    SessionEndedError,
    error_for_status,
    parse_error_body,
)
from rc_sms_desktop.api.paging import (
    DEFAULT_MAX_PAGES,
    MAX_PER_PAGE,
    NextRequest,
    NotAPage,
    PagedResult,
    PageInfo,
    PageWalker,
    QueryParams,
    read_page,
)
from rc_sms_desktop.api.rate_limits import (
    RateLimitScheduler,
    parse_retry_after,
    throttling_group,
)
from rc_sms_desktop.core.formatting import format_duration
from rc_sms_desktop.core.text_safety import for_terminal

log = logging.getLogger(__name__)

PRODUCTION_SERVER = "https://platform.ringcentral.com"
PARTNER_SERVER = "https://platform.ringcentral.biz"  # AT&T Office@Hand, Verizon
# Connections per session: a whole Light window (50 requests on the default plan) in flight at
# once, so the loader fetches every SMS configuration in one round trip (HTTP/1.1: one request
# per connection). The rate-limit scheduler, not the pool, keeps us under the limits.
DEFAULT_MAX_CONNECTIONS = 64

# Query parameters whose values never go into a log line, whatever a server puts in its links.
_SECRET_PARAMS = frozenset(
    {"access_token", "refresh_token", "token", "assertion", "code", "code_verifier", "client_secret", "jwt"}
)


@runtime_checkable
class Authenticator(Protocol):
    """Supplies bearer tokens; implemented by `api.session.TokenSession` (and test doubles)."""

    async def access_token(self) -> str:
        """A valid access token; refreshes (single-flight) when it is within 60 s of expiry."""
        ...

    async def handle_unauthorized(self, rejected_token: str) -> str:
        """After a 401: force one refresh, or return the token another call already refreshed.

        Raises `SessionEndedError` when the session cannot be renewed.
        """
        ...


class StaticTokenAuthenticator:
    """A fixed token (tests, short scripts): a 401 ends the session."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def access_token(self) -> str:
        return self._token

    async def handle_unauthorized(self, rejected_token: str) -> str:
        raise SessionEndedError("The access token was rejected", status=401)

    def __repr__(self) -> str:
        return "StaticTokenAuthenticator(<token hidden>)"


@dataclass(frozen=True)
class Timeouts:
    """Per-operation httpx timeouts, plus `deadline`: the most one attempt of a call may take.

    httpx's timeouts restart on every byte, so a server that drips a byte a second would never
    trip them; the deadline (asyncio.timeout around the whole attempt) does.
    """

    connect: float = 10.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 30.0
    deadline: float = 60.0

    def httpx(self) -> httpx.Timeout:
        """The httpx form of the per-operation timeouts."""
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter for idempotent requests.

    RingCentral recommends starting near 2 s and doubling; we start at 1 s because the scheduler
    already keeps us under the rate limits, and give up after `attempts` tries in total.
    `max_retry_after` caps how long we honour a server's `Retry-After` on a 5xx before reporting.
    """

    attempts: int = 4
    initial_backoff: float = 1.0
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    rate_limit_retries: int = 3

    def backoff(self, retry_number: int) -> float:
        """Seconds before retry `retry_number` (0-based): half fixed, half random ("equal jitter")."""
        ceiling = min(self.max_backoff, self.initial_backoff * (2**retry_number))
        return float(ceiling / 2 + random.uniform(0, ceiling / 2))


_trust_store_lock = threading.Lock()
_trust_store: ssl.SSLContext | None = None

# What httpx imports lazily: the transport (httpcore, h11) when a client is built without a
# transport, its asyncio backend at the first request. Private names, hence only a warm-up.
_LAZY_NETWORK_MODULES = ("httpcore", "httpcore._backends.anyio", "anyio._backends._asyncio")


def trust_store_context() -> ssl.SSLContext:
    """The process's TLS context: verified against the operating system's trust store
    (corporate CAs included), hostname checked, certificate required.

    Built once and shared by every `RingCentralClient` (thread-safe). Never change it: a CA
    loaded into it would be trusted by every session.
    """
    global _trust_store
    with _trust_store_lock:
        if _trust_store is None:
            if sys.platform.startswith("linux"):
                _trust_store = _linux_system_ca_context()
            else:  # macOS and Windows: the OS verifies (keychain, CryptoAPI, corporate CAs)
                import truststore

                _trust_store = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return _trust_store


# Where Linux distributions keep the system CA bundle (truststore's list, from certifi-system-store).
_LINUX_CA_FILES = (
    "/etc/ssl/cert.pem",  # Alpine, Arch, Fedora 34-43, RHEL 9-10, BSD
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # Fedora 44+, RHEL 11+
    "/etc/pki/tls/cert.pem",  # older Fedora, RHEL, CentOS
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu
    "/etc/ssl/ca-bundle.pem",  # SUSE
)
_HASHED_CERT_NAME = re.compile(r"^[0-9a-fA-F]{8}\.[0-9]$")


def _linux_system_ca_context() -> ssl.SSLContext:
    """OpenSSL verification against the system CA store, the same check truststore makes on
    Linux, with the store loaded once.

    truststore 0.10 reloads the whole CA bundle for every new connection (~25 ms each, on the
    event loop: truststore issue #212), so a first load opening 20+ connections would stall the
    window for half a second. Only difference: a CA added while the app runs needs a restart.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # hostname checked, certificate required
    defaults = ssl.get_default_verify_paths()  # honours SSL_CERT_FILE / SSL_CERT_DIR
    capath_has_certs = bool(defaults.capath) and os.path.isdir(defaults.capath) and any(
        _HASHED_CERT_NAME.match(name) for name in os.listdir(defaults.capath)
    )
    if defaults.cafile or capath_has_certs:
        context.set_default_verify_paths()
    else:  # an OpenSSL built for another layout (a bundled Python): look where distros keep it
        for cafile in _LINUX_CA_FILES:
            if os.path.isfile(cafile):
                context.load_verify_locations(cafile=cafile)
                break
        else:
            log.warning("No system CA certificates found: secure connections will be refused")
    return context


def warm_up_tls() -> None:
    """Pay the first client's one-time costs now, off the event loop.

    Builds `trust_store_context()` and imports the network modules httpx loads lazily, which
    together cost ~20-40 ms the first time a `RingCentralClient` is built and first sends
    (nothing later): call `await asyncio.to_thread(warm_up_tls)` before building the first
    client. Idempotent, safe from any thread; verification is exactly as without it.
    """
    trust_store_context()
    for name in _LAZY_NETWORK_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # another httpx/httpcore layout: the first request imports it
            log.debug("Warm-up: %s not importable", name)


def _safe_target(url: httpx.URL) -> str:
    """Path and query for logs, with any secret-looking parameter value hidden."""
    if not url.query:
        return url.path
    pairs = []
    for key, value in url.params.multi_items():
        pairs.append(f"{key}={'***' if key.lower() in _SECRET_PARAMS else value}")
    return f"{url.path}?{'&'.join(pairs)}"


_RATE_HEADERS = (
    ("x-rate-limit-limit", "limit"),
    ("x-rate-limit-remaining", "remaining"),
    ("x-rate-limit-window", "window"),
    ("retry-after", "retry after"),
)


class RingCentralClient:
    """Talks to one RingCentral server for one signed-in session.

    `server_url` is production (`PRODUCTION_SERVER`), the partner platform (`PARTNER_SERVER`) or
    any URL (a simulator). `transport` replaces the network (e.g. `httpx.ASGITransport` for the
    in-process demo); without it we use the OS trust store and proxies from the environment.
    Close with `aclose()` or use `async with`.
    """

    def __init__(
        self,
        server_url: str,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        authenticator: Authenticator | None = None,
        scheduler: RateLimitScheduler | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_rate_limit_wait: float = 300.0,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        parts = urlsplit(self.server_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"Not a server URL: {server_url!r}")
        self.authenticator = authenticator
        self.scheduler = scheduler or RateLimitScheduler()
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        # A penalty longer than this is reported (RateLimitedError) instead of waited out.
        self.max_rate_limit_wait = max_rate_limit_wait
        # The most bytes read from one response (api/bounded.py); more is refused.
        self.max_response_bytes = MAX_RESPONSE_BYTES
        # The most requests this client sends at once (worker pools size themselves by it).
        self.max_connections = max(1, max_connections)
        limits = httpx.Limits(
            max_connections=self.max_connections, max_keepalive_connections=self.max_connections
        )
        common: dict[str, Any] = {
            "base_url": self.server_url,
            "timeout": self.timeouts.httpx(),
            "limits": limits,
            "headers": {"User-Agent": f"rc-sms-desktop/{__version__}", "Accept": "application/json"},
            "follow_redirects": False,  # a redirect could carry the token to another host
        }
        if transport is None:
            self._http = httpx.AsyncClient(verify=trust_store_context(), trust_env=True, **common)
        else:
            self._http = httpx.AsyncClient(transport=transport, **common)

    def __repr__(self) -> str:
        return f"RingCentralClient(server_url={self.server_url!r})"

    @property
    def http(self) -> httpx.AsyncClient:
        """The underlying httpx client (for the sign-in code's token requests to the same server)."""
        return self._http

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the session's refresh in flight, the scheduler's timers, and close connections."""
        self.scheduler.close()
        closer = getattr(self.authenticator, "aclose", None)
        if closer is not None:
            try:
                await closer()
            except Exception:
                log.debug("Closing the session failed", exc_info=True)
        await self._http.aclose()

    # --- public calls ------------------------------------------------------------------------

    def concurrency_for(self, group: str) -> int:
        """How many requests of a rate-limit group are worth having in flight at once: as many
        as its window takes now (the scheduler gates each one anyway), never more than the
        connection pool, or a request would wait for a connection while holding a slot."""
        limit, _window = self.scheduler.limit_for(group)
        return max(1, min(limit, self.max_connections))

    async def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | QueryParams | None = None,
        group: str | None = None,
    ) -> Any:
        """GET `path` (on this server) and return its JSON, retrying what is safe to retry."""
        return await self._call("GET", path, params=params, group=group)

    async def post_json(
        self,
        path: str,
        json_body: Any = None,
        *,
        params: Mapping[str, Any] | QueryParams | None = None,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        group: str | None = None,
        retry_rate_limited: bool = False,
    ) -> Any:
        """POST and return the JSON answer. Never retried once bytes may have reached the server.

        A 429 still pauses its group; with `retry_rate_limited` we wait and send again (the
        server did not act on a throttled request), otherwise `RateLimitedError` is raised.
        """
        return await self._call(
            "POST",
            path,
            params=params,
            json_body=json_body,
            files=files,
            data=data,
            group=group,
            retry_rate_limited=retry_rate_limited,
        )

    async def post_form(
        self,
        path: str,
        form: Mapping[str, str],
        *,
        basic_auth: tuple[str, str] | None = None,
        group: str | None = None,
    ) -> Any:
        """POST a form without the bearer token (the OAuth token and revoke endpoints).

        `basic_auth` is (client id, client secret) for `client_secret_basic`. Paced in the
        group of the path (Auth for OAuth); retried only when nothing reached the server.
        """
        headers = {}
        if basic_auth is not None:
            pair = f"{basic_auth[0]}:{basic_auth[1]}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return await self._call(
            "POST", path, data=dict(form), group=group, bearer=False, headers=headers
        )

    async def paginate(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | QueryParams | None = None,
        group: str | None = None,
        per_page: int = MAX_PER_PAGE,
        max_pages: int = DEFAULT_MAX_PAGES,
        warnings: list[str] | None = None,
    ) -> AsyncIterator[PageInfo]:
        """Yield each page of a RingCentral list. Stops early with a message in `warnings`
        (cycles, off-host links, pages past the total, a malformed later page)."""
        walker = PageWalker(
            self.server_url, path, _param_items(params), per_page=per_page, max_pages=max_pages
        )
        request: NextRequest | None = walker.first
        group = group or throttling_group("GET", path)
        first = True
        try:
            while request is not None:
                body = await self.get_json(request.path, params=request.params, group=group)
                try:
                    page = read_page(body)
                except NotAPage as exc:
                    if first:
                        raise MalformedResponseError(
                            f"Not a list answer: {exc}", method="GET", path=request.path
                        ) from None
                    walker.warnings.append(
                        f"A later page of the list was unreadable ({exc}); showing the records so far."
                    )
                    return
                first = False
                yield page
                request = walker.after(request, page)
        finally:
            if warnings is not None:
                warnings.extend(walker.warnings)
            for message in walker.warnings:
                log.warning("Paging %s: %s", path, message)

    async def get_all(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | QueryParams | None = None,
        group: str | None = None,
        per_page: int = MAX_PER_PAGE,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> PagedResult:
        """Every record of a list (all pages), with warnings if paging stopped early."""
        result = PagedResult()
        async for page in self.paginate(
            path,
            params=params,
            group=group,
            per_page=per_page,
            max_pages=max_pages,
            warnings=result.warnings,
        ):
            result.records.extend(page.records)
            result.pages += 1
            if page.total_elements is not None:
                result.total_elements = page.total_elements
        return result

    # --- the request loop --------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | QueryParams | None = None,
        json_body: Any = None,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        group: str | None = None,
        retry_rate_limited: bool | None = None,
        bearer: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send with pacing, token, retries; return the parsed JSON body (None when empty)."""
        if urlsplit(path).netloc or not path.startswith("/"):
            raise ValueError("Requests go to paths on the session's own server")
        idempotent = method in ("GET", "HEAD")
        if retry_rate_limited is None:
            retry_rate_limited = idempotent
        group = group or throttling_group(method, path)
        failures = 0  # 5xx, timeouts, dropped connections, malformed bodies
        rate_limited = 0
        refreshed = False
        query: list[tuple[str, str | int | float | bool | None]] | None = (
            list(_param_items(params)) if params is not None else None
        )
        while True:
            token = (
                await self.authenticator.access_token()
                if bearer and self.authenticator is not None
                else None
            )
            request_headers = dict(headers or {})
            if token:
                request_headers["Authorization"] = f"Bearer {token}"
            request = self._http.build_request(
                method,
                path,
                params=query,
                json=json_body,
                files=files,
                data=data,
                headers=request_headers,
            )
            permit = await self.scheduler.acquire(group, max_penalty_wait=self.max_rate_limit_wait)
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.timeouts.deadline):
                    # Streamed and read with a cap (api/bounded.py), all within the deadline:
                    # a huge or endless body is refused instead of buffered.
                    response = await self._http.send(request, stream=True)
                    body = await read_capped(response, self.max_response_bytes)
            except BodyTooLarge as exc:
                permit.finish()
                self._log(request, None, started, permit.group, note="too large")
                raise ResponseTooLargeError(
                    f"RingCentral's answer was {exc}, more than the app reads from one "
                    "response; nothing of it was used.",
                    method=method,
                    path=request.url.path,
                ) from None
            except (TimeoutError, httpx.TimeoutException) as exc:
                permit.finish()
                self._log(request, None, started, permit.group, note="timed out")
                nothing_sent = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                error: ApiError = RequestTimeoutError(
                    "RingCentral did not answer in time", method=method, path=request.url.path
                )
                if (idempotent or nothing_sent) and failures + 1 < self.retry.attempts:
                    await asyncio.sleep(self.retry.backoff(failures))
                    failures += 1
                    continue
                raise error from None
            except httpx.TransportError as exc:
                permit.finish()
                self._log(request, None, started, permit.group, note=type(exc).__name__)
                nothing_sent = isinstance(exc, httpx.ConnectError)
                if (idempotent or nothing_sent) and failures + 1 < self.retry.attempts:
                    await asyncio.sleep(self.retry.backoff(failures))
                    failures += 1
                    continue
                raise NetworkError(
                    f"Could not reach RingCentral ({type(exc).__name__})",
                    method=method,
                    path=request.url.path,
                ) from None
            except BaseException:
                permit.finish()
                raise
            penalty = permit.finish(response.status_code, response.headers)
            self._log(request, response, started, permit.group)
            status = response.status_code
            if status < 300:
                try:
                    return _parse_json(body, status, method)
                except (ValueError, UnicodeDecodeError):
                    if idempotent and failures + 1 < self.retry.attempts:
                        await asyncio.sleep(self.retry.backoff(failures))
                        failures += 1
                        continue
                    raise MalformedResponseError(
                        "RingCentral's answer was not valid JSON",
                        status=status,
                        method=method,
                        path=request.url.path,
                    ) from None
            code, rc_message = parse_error_body(body)
            if status == 401 and self.authenticator is not None and token and not refreshed:
                refreshed = True
                await self.authenticator.handle_unauthorized(token)
                continue
            if status == 429:
                retry_after = penalty if penalty is not None else 0.0
                if retry_rate_limited and rate_limited < self.retry.rate_limit_retries and retry_after <= self.max_rate_limit_wait:
                    rate_limited += 1
                    continue  # the scheduler holds us until the penalty is over
                raise RateLimitedError(
                    "RingCentral rate limit exceeded",
                    group=permit.group,
                    retry_after=retry_after,
                    resume_at=time.time() + retry_after,
                    status=status,
                    error_code=code,
                    rc_message=rc_message,
                    method=method,
                    path=request.url.path,
                )
            if 300 <= status < 400:
                # Never followed (it could carry the token elsewhere); say so, and where to.
                raise RedirectedError(
                    f"The server answered with a redirect (HTTP {status}) to "
                    f"{_safe_location(response.headers.get('location'))}; the app does not "
                    "follow redirects. Check the server address.",
                    status=status,
                    method=method,
                    path=request.url.path,
                )
            if status >= 500 and idempotent and failures + 1 < self.retry.attempts:
                asked = parse_retry_after(response.headers.get("retry-after"))
                if asked is None or asked <= self.retry.max_retry_after:
                    wait = asked if asked is not None else self.retry.backoff(failures)
                    await asyncio.sleep(wait)
                    failures += 1
                    continue
                raise ServerBusyError(
                    f"RingCentral is having trouble (HTTP {status}) and asked to wait "
                    f"{format_duration(asked)} before trying again, longer than the app waits "
                    f"({format_duration(self.retry.max_retry_after)}). Try again later.",
                    status=status,
                    error_code=code,
                    rc_message=rc_message,
                    method=method,
                    path=request.url.path,
                )
            raise error_for_status(
                status, error_code=code, rc_message=rc_message, method=method, path=request.url.path
            )

    def _log(
        self,
        request: httpx.Request,
        response: httpx.Response | None,
        started: float,
        group: str,
        *,
        note: str = "",
    ) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        elapsed_ms = (time.monotonic() - started) * 1000
        outcome = str(response.status_code) if response is not None else note
        rate = ""
        if response is not None:
            found = [
                f"{label} {response.headers[name]}"
                for name, label in _RATE_HEADERS
                if name in response.headers
            ]
            rate = " [" + ", ".join(found) + "]" if found else ""
        log.debug(
            "%s %s -> %s in %.0f ms (group %s)%s",
            request.method,
            _safe_target(request.url),
            outcome,
            elapsed_ms,
            group,
            rate,
        )


def _parse_json(content: bytes, status: int = 200, method: str = "GET") -> Any:
    """The JSON of a body; raises ValueError when it is not JSON.

    Empty is None only where RingCentral answers with no body: a 204, or a write (linkNumbers
    answers 200 "Numbers linked successfully" with none). A read's 200 promises JSON, so an empty
    one is an error, and a body of only whitespace is one anywhere (it is not "no body").
    """
    if not content.strip():
        if content or (status == 200 and method in ("GET", "HEAD")):
            raise ValueError("an empty answer")
        return None
    return json.loads(content)


def _safe_location(location: str | None) -> str:
    """Where a redirect points, without its query (it could carry a code or token)."""
    if not location:
        return "an unnamed place"
    parts = urlsplit(location)
    shown = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path
    return for_terminal(shown[:200])


def _param_items(params: Mapping[str, Any] | QueryParams | None) -> list[tuple[str, str]]:
    """Query parameters as (name, value) pairs; lists repeat the name (`style: form, explode`)."""
    if params is None:
        return []
    items: list[tuple[str, str]] = []
    pairs = params.items() if isinstance(params, Mapping) else params
    for key, value in pairs:
        if value is None:
            continue
        if isinstance(value, list | tuple):
            items.extend((key, _query_value(v)) for v in value)
        else:
            items.append((key, _query_value(value)))
    return items


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
