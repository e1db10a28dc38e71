"""Sign-in against the RingCentral simulator, end to end, with secrets hunted in every sink.

The browser step is played by `browse`: it opens the simulator's authorize page, clicks "Allow"
and follows the redirect to the app's loopback listener, as a user's browser would.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from rc_sms_desktop.api.auth import ClientCredentials, SignInError, TokenSessionEndedError
from rc_sms_desktop.api.errors import SessionEndedError
from rc_sms_desktop.api.servers import Server
from rc_sms_desktop.api.session import TokenSession
from rc_sms_desktop.api.tokens import TokenStore
from rc_sms_desktop.infra.redaction import Secret
from tests.api.auth_fakes import FAST_RETRY, FakeClock, MemoryKeyring, browse, sentinel

simulator_app = pytest.importorskip("rc_sms_desktop.simulator.app")
simulator_config = pytest.importorskip("rc_sms_desktop.simulator.config")

SIM = Server("Simulator", "https://sim.rc-sms-desktop.test")
ME = "/restapi/v1.0/account/~/extension/~"
SECRET_FIELDS = {
    "code",
    "code_verifier",
    "assertion",
    "refresh_token",
    "access_token",
    "token",
    "client_secret",
}


def allow_link(url: str, page: str) -> str | None:
    """The user clicks "Allow" on the simulator's consent page."""
    found = re.search(r"id='allow' href='([^']+)'", page)
    return html.unescape(found.group(1)) if found else None


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """Wraps the simulator transport and remembers every secret value the app sent or received."""

    inner: httpx.AsyncBaseTransport
    secrets: set[str] = field(default_factory=set)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = request.content.decode("utf-8", "replace")
        for key, value in parse_qsl(body):
            if key in SECRET_FIELDS and value:
                self.secrets.add(value)
        authorization = request.headers.get("authorization", "")
        if authorization:
            self.secrets.add(authorization.split(" ", 1)[-1])
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        for key in ("access_token", "refresh_token"):
            match = re.search(rf'"{key}":"([^"]+)"', content.decode("utf-8", "replace"))
            if match:
                self.secrets.add(match.group(1))
        return httpx.Response(response.status_code, headers=response.headers, content=content)


@pytest.fixture
def config() -> object:
    return simulator_config.SimulatorConfig(
        rate_limits="off",
        token_prefix="SNTL-",
        client_secret=sentinel("CS"),
        jwt=simulator_config.DEMO_JWT,
    )


@pytest.fixture
def app(config: object) -> object:
    return simulator_app.create_app(config)


@pytest.fixture
async def http(app: object) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:  # type: ignore[arg-type]
        yield client


async def stats(http: httpx.AsyncClient) -> dict[str, object]:
    response = await http.get(f"{SIM.url}/_simulator/stats")
    data: dict[str, object] = response.json()
    return data


def public(config: object) -> ClientCredentials:
    return ClientCredentials(config.client_id)  # type: ignore[attr-defined]


def confidential(config: object) -> ClientCredentials:
    return ClientCredentials(config.client_id, Secret(config.client_secret))  # type: ignore[attr-defined]


async def sign_in_with_browser(
    http: httpx.AsyncClient,
    app: object,
    config: object,
    store: TokenStore | None = None,
    **options: object,
) -> TokenSession:
    site = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    async def open_browser(url: str) -> bool:
        await browse(url, site, follow_consent=allow_link)
        return True

    return await TokenSession.sign_in_with_browser(
        http,
        SIM,
        public(config),
        store,
        open_browser=open_browser,
        time_limit=10,
        retry=FAST_RETRY,
        **options,  # type: ignore[arg-type]
    )


async def test_browser_sign_in_with_pkce_against_the_simulator(
    http: httpx.AsyncClient, app: object, config: object
) -> None:
    backend = MemoryKeyring()
    session = await sign_in_with_browser(http, app, config, TokenStore(backend))
    token = await session.access_token()
    response = await http.get(f"{SIM.url}{ME}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert session.storage_status.persistent
    assert session.owner_id
    assert backend.values


async def test_user_denying_access_is_a_plain_message(
    http: httpx.AsyncClient, app: object, config: object
) -> None:
    site = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    def deny(url: str, page: str) -> str | None:
        found = re.search(r"id='deny' href='([^']+)'", page)
        return html.unescape(found.group(1)) if found else None

    async def open_browser(url: str) -> bool:
        await browse(url, site, follow_consent=deny)
        return True

    with pytest.raises(SignInError, match="cancelled in the browser"):
        await TokenSession.sign_in_with_browser(
            http, SIM, public(config), open_browser=open_browser, time_limit=10, retry=FAST_RETRY
        )


async def test_jwt_grant_against_the_simulator(http: httpx.AsyncClient, config: object) -> None:
    session = await TokenSession.sign_in_with_jwt(
        http,
        SIM,
        confidential(config),
        Secret(config.jwt),
        retry=FAST_RETRY,  # type: ignore[attr-defined]
    )
    token = await session.access_token()
    assert token.startswith("SNTL-")


async def test_wrong_jwt_and_wrong_secret_are_plain_messages(
    http: httpx.AsyncClient, config: object
) -> None:
    with pytest.raises(SignInError, match="did not accept the JWT credential"):
        await TokenSession.sign_in_with_jwt(
            http, SIM, confidential(config), Secret("eyJhbGc.eyJzdWIi.bad"), retry=FAST_RETRY
        )
    wrong = ClientCredentials(config.client_id, Secret("wrong-secret-value"))  # type: ignore[attr-defined]
    with pytest.raises(SignInError, match="client ID or client secret"):
        await TokenSession.sign_in_with_jwt(
            http, SIM, wrong, Secret(config.jwt), retry=FAST_RETRY
        )  # type: ignore[attr-defined]


async def test_fifty_concurrent_calls_make_one_refresh_at_the_simulator(
    http: httpx.AsyncClient, app: object, config: object
) -> None:
    clock = FakeClock()
    session = await sign_in_with_browser(http, app, config, clock=clock)
    assert (await stats(http))["refreshes"] == 0
    clock.advance(3600)
    tokens = set(await asyncio.gather(*(session.access_token() for _ in range(50))))
    assert len(tokens) == 1
    assert (await stats(http))["refreshes"] == 1


async def test_a_401_through_the_api_client_refreshes_once_and_replays_once(
    app: object, config: object
) -> None:
    from rc_sms_desktop.api.client import RingCentralClient

    client = RingCentralClient(SIM.url, httpx.ASGITransport(app=app))  # type: ignore[arg-type]
    async with client:
        session = await TokenSession.sign_in_with_jwt(
            client.http,
            SIM,
            confidential(config),
            Secret(config.jwt),
            retry=FAST_RETRY,  # type: ignore[attr-defined]
        )
        client.authenticator = session
        await client.get_json(ME)
        await client.http.post(f"{SIM.url}/_simulator/expire-tokens")  # the server drops it early
        assert (await client.get_json(ME))["id"]
        counters = (await client.http.get(f"{SIM.url}/_simulator/stats")).json()
    assert counters["refreshes"] == 1
    assert counters["unauthorized"] == 1


async def test_revoked_session_ends_with_a_message_and_clears_the_keyring(
    http: httpx.AsyncClient, app: object, config: object
) -> None:
    backend = MemoryKeyring()
    clock = FakeClock()
    session = await sign_in_with_browser(http, app, config, TokenStore(backend), clock=clock)
    await http.post(f"{SIM.url}/_simulator/revoke-sessions")  # e.g. the password was changed
    clock.advance(3600)
    with pytest.raises(TokenSessionEndedError, match="Please sign in again"):
        await session.access_token()
    assert backend.values == {}


async def test_sign_out_revokes_at_the_simulator_and_forgets_everything(
    http: httpx.AsyncClient, app: object, config: object
) -> None:
    backend = MemoryKeyring()
    session = await sign_in_with_browser(http, app, config, TokenStore(backend))
    token = await session.access_token()
    await session.sign_out()
    assert (await stats(http))["revocations"] == 1
    response = await http.get(f"{SIM.url}{ME}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert backend.values == {}


# ------------------------------------------------------------------------------ secret hygiene


def _files_under(extra: Path) -> list[str]:
    """The text of every file in the sandboxed XDG directories and ``extra``."""
    paths = [*_sandbox_files(), *extra.rglob("*")]
    return [path.read_text("utf-8", "replace") for path in paths if path.is_file()]


def _sandbox_files() -> list[Path]:
    roots = {
        Path(os.environ[name])
        for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME")
        if name in os.environ
    }
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


async def test_no_secret_reaches_debug_logs_errors_reprs_or_files(
    app: object, config: object, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "rc_sms_desktop", "asyncio"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    recorder = Recorder(httpx.ASGITransport(app=app))  # type: ignore[arg-type]
    site = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    seen_in_browser: set[str] = set()
    texts: list[str] = []

    def allow_and_note(url: str, page: str) -> str | None:
        return allow_link(url, page)

    async def open_browser(url: str) -> bool:
        response = await browse(url, site, follow_consent=allow_and_note)
        seen_in_browser.add(response.text)
        return True

    backend = MemoryKeyring()
    clock = FakeClock()
    async with httpx.AsyncClient(transport=recorder) as http:
        session = await TokenSession.sign_in_with_browser(
            http,
            SIM,
            public(config),
            TokenStore(backend),
            open_browser=open_browser,
            time_limit=10,
            retry=FAST_RETRY,
            clock=clock,
        )
        clock.advance(3600)
        token = await session.access_token()  # a refresh
        await session.handle_unauthorized(token)  # a forced refresh
        jwt_session = await TokenSession.sign_in_with_jwt(
            http,
            SIM,
            confidential(config),
            Secret(config.jwt),
            TokenStore(backend),
            retry=FAST_RETRY,  # type: ignore[attr-defined]
        )
        texts += [
            repr(session),
            str(session),
            repr(jwt_session),
            repr(session._tokens),
            repr(jwt_session._credentials),
        ]
        for attempt in (
            TokenSession.sign_in_with_jwt(
                http, SIM, confidential(config), Secret(config.jwt + "x"), retry=FAST_RETRY
            ),  # type: ignore[attr-defined]
            TokenSession.sign_in_with_jwt(
                http,
                SIM,
                ClientCredentials(config.client_id, Secret(config.client_secret + "x")),  # type: ignore[attr-defined]
                Secret(config.jwt),
                retry=FAST_RETRY,  # type: ignore[attr-defined]
            ),
        ):
            try:
                await attempt
            except SignInError as exc:
                texts += [str(exc), repr(exc), exc.user_message]
        await http.post(f"{SIM.url}/_simulator/revoke-sessions")
        clock.advance(3600)
        try:
            await session.access_token()
        except SessionEndedError as exc:
            texts += [str(exc), repr(exc), exc.user_message]
        await jwt_session.sign_out()

    secrets = {s for s in recorder.secrets if len(s) >= 8}
    secrets |= {config.client_secret, config.jwt}  # type: ignore[attr-defined]
    assert len(secrets) >= 8  # code, verifier, tokens, Basic credentials, JWT, secret...
    logged = [record.getMessage() for record in caplog.records]
    logged += [
        logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info
    ]
    files = await asyncio.to_thread(_files_under, tmp_path)
    sinks = {
        "logs": "\n".join(logged),
        "errors and reprs": "\n".join(texts),
        "files": "\n".join(files),
    }
    assert caplog.records, "logging was not captured"
    for name, text in sinks.items():
        leaked = [s[:12] + "…" for s in secrets if s in text]
        assert not leaked, f"secrets found in {name}: {leaked}"
