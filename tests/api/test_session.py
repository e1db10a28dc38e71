"""TokenSession: single-flight refresh, 401 handling, persistence, sign-out."""

from __future__ import annotations

import asyncio
import json

import httpx
import keyring.backends.fail
import pytest

from rc_sms_desktop.api.auth import (
    SignInError,
    TokenNetworkError,
    TokenRateLimitedError,
    TokenSessionEndedError,
)
from rc_sms_desktop.api.errors import SessionEndedError
from rc_sms_desktop.api.session import TokenSession
from rc_sms_desktop.api.tokens import SERVICE, StorageState, TokenStore, store_key
from rc_sms_desktop.infra.redaction import Secret
from tests.api.auth_fakes import (
    FAKE_SERVER,
    FAST_RETRY,
    FakeClock,
    FakeOAuth,
    FaultTransport,
    HangingKeyring,
    MemoryKeyring,
    browse,
)

ME = "https://rc.fake.test/restapi/v1.0/account/~/extension/~"


async def jwt_session(
    fake: FakeOAuth,
    http: httpx.AsyncClient,
    store: TokenStore | None = None,
    clock: FakeClock | None = None,
    **options: object,
) -> TokenSession:
    return await TokenSession.sign_in_with_jwt(
        http,
        FAKE_SERVER,
        fake.credentials(confidential=True),
        Secret(fake.jwt),
        store,
        retry=FAST_RETRY,
        clock=clock or FakeClock(),
        **options,  # type: ignore[arg-type]
    )


async def browser_session(
    fake: FakeOAuth, http: httpx.AsyncClient, store: TokenStore | None = None
) -> TokenSession:
    site = fake.transport()

    async def open_browser(url: str) -> bool:
        await browse(url, site)
        return True

    return await TokenSession.sign_in_with_browser(
        http,
        FAKE_SERVER,
        fake.credentials(),
        store,
        open_browser=open_browser,
        time_limit=5,
        retry=FAST_RETRY,
    )


async def call_api(session: TokenSession, http: httpx.AsyncClient) -> httpx.Response:
    """What the API client does: one request, and on 401 one forced refresh and one replay."""
    token = await session.access_token()
    response = await http.get(ME, headers={"Authorization": f"Bearer {token}"})
    if response.status_code == 401:
        token = await session.handle_unauthorized(token)
        response = await http.get(ME, headers={"Authorization": f"Bearer {token}"})
    return response


# ------------------------------------------------------------------------------ sign-in


async def test_browser_sign_in_end_to_end_with_pkce(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    session = await browser_session(fake, http)
    assert fake.code_exchanges == 1
    form = fake.seen_token_forms[-1]
    assert form["grant_type"] == "authorization_code"
    assert form["client_id"] == fake.client_id  # public client: no secret anywhere
    assert form["redirect_uri"].startswith("http://127.0.0.1:")
    assert (await call_api(session, http)).status_code == 200


async def test_browser_that_cannot_open_still_waits_for_the_redirect(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    shown: list[str] = []
    ready = asyncio.Event()

    async def no_browser(url: str) -> bool:
        shown.append(url)  # the UI would show this address to copy
        ready.set()
        raise OSError("no browser on this machine")

    async def user_pastes_the_address() -> None:
        await ready.wait()
        await browse(shown[0], fake.transport())

    helper = asyncio.create_task(user_pastes_the_address())
    session = await TokenSession.sign_in_with_browser(
        http,
        FAKE_SERVER,
        fake.credentials(),
        open_browser=no_browser,
        time_limit=5,
        retry=FAST_RETRY,
    )
    await helper
    assert session.is_active


async def test_cancelling_a_browser_sign_in_frees_the_port(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    urls: list[str] = []
    opened = asyncio.Event()

    async def remember(url: str) -> bool:
        urls.append(url)
        opened.set()
        return True

    task = asyncio.create_task(
        TokenSession.sign_in_with_browser(
            http, FAKE_SERVER, fake.credentials(), open_browser=remember, time_limit=30
        )
    )
    await opened.wait()
    redirect = httpx.URL(urls[0]).params["redirect_uri"]
    port = httpx.URL(redirect).port
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    assert fake.token_calls == 0


async def test_a_code_for_another_pkce_challenge_is_refused(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    """An attacker who races their own code (right state) into the listener gets nothing (A16)."""
    site = fake.transport()

    async def attacker_first(url: str) -> bool:
        params = httpx.URL(url).params
        fake.codes["CODE-attacker-000"] = ("challenge-of-another-verifier", params["redirect_uri"])
        await browse(
            f"{params['redirect_uri']}?code=CODE-attacker-000&state={params['state']}", site
        )
        return True

    with pytest.raises(SignInError, match="Please sign in again"):
        await TokenSession.sign_in_with_browser(
            http,
            FAKE_SERVER,
            fake.credentials(),
            open_browser=attacker_first,
            time_limit=5,
            retry=FAST_RETRY,
        )


# ------------------------------------------------------------------------------ refresh


async def test_fifty_concurrent_calls_with_an_expired_token_cause_exactly_one_refresh(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    clock = FakeClock()
    session = await jwt_session(fake, http, clock=clock)
    fake.refresh_delay = 0.05  # the refresh is slow: everyone piles up behind it
    clock.advance(3600)
    tokens = await asyncio.gather(*(session.access_token() for _ in range(50)))
    assert fake.refreshes == 1
    assert len(set(tokens)) == 1
    assert tokens[0] in fake.access


async def test_refresh_happens_at_least_sixty_seconds_before_expiry(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    clock = FakeClock()
    session = await jwt_session(fake, http, clock=clock)
    first = await session.access_token()
    clock.advance(3600 - 61)
    assert await session.access_token() == first
    assert fake.refreshes == 0
    clock.advance(2)  # now 59 s before expiry
    assert await session.access_token() != first
    assert fake.refreshes == 1


async def test_a_401_forces_one_refresh_and_one_replay(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    session = await jwt_session(fake, http)
    fake.access.clear()  # RingCentral dropped the access token (e.g. session limit)
    response = await call_api(session, http)
    assert response.status_code == 200
    assert fake.refreshes == 1
    assert fake.api_calls == 2


async def test_concurrent_401s_share_one_refresh(fake: FakeOAuth, http: httpx.AsyncClient) -> None:
    session = await jwt_session(fake, http)
    fake.refresh_delay = 0.05
    fake.access.clear()
    responses = await asyncio.gather(*(call_api(session, http) for _ in range(20)))
    assert {r.status_code for r in responses} == {200}
    assert fake.refreshes == 1


async def test_a_401_on_the_renewed_token_ends_the_session_instead_of_looping(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    store = TokenStore(MemoryKeyring())
    session = await jwt_session(fake, http, store)
    rejected = await session.access_token()
    renewed = await session.handle_unauthorized(rejected)
    with pytest.raises(SessionEndedError, match="even after renewing"):
        await session.handle_unauthorized(renewed)
    assert fake.refreshes == 1
    assert not session.is_active
    with pytest.raises(SessionEndedError):
        await session.access_token()


async def test_a_stale_401_returns_the_token_someone_else_already_renewed(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    session = await jwt_session(fake, http)
    old = await session.access_token()
    new = await session.handle_unauthorized(old)
    assert await session.handle_unauthorized(old) == new
    assert fake.refreshes == 1


async def test_invalid_grant_ends_the_session_and_clears_the_keyring(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    backend = MemoryKeyring()
    store = TokenStore(backend)
    clock = FakeClock()
    session = await browser_session(fake, http, store)
    session._clock = clock  # type: ignore[assignment]
    assert backend.values
    fake.refresh.clear()  # the refresh token was revoked (password change)
    clock.advance(3600)
    with pytest.raises(TokenSessionEndedError, match="session has ended") as caught:
        await session.access_token()
    assert isinstance(caught.value, SessionEndedError)
    assert backend.values == {}
    calls = fake.token_calls
    with pytest.raises(SessionEndedError):
        await session.access_token()
    assert fake.token_calls == calls  # an ended session never asks again


async def test_network_down_during_refresh_keeps_the_session(fake: FakeOAuth) -> None:
    transport = FaultTransport(fake.transport())
    clock = FakeClock()
    async with httpx.AsyncClient(transport=transport) as http:
        session = await jwt_session(fake, http, clock=clock)
        clock.advance(3600)
        transport.faults += [httpx.ConnectError("network is unreachable")] * 4
        with pytest.raises(TokenNetworkError):
            await session.access_token()
        assert session.is_active
        token = await session.access_token()  # the network is back
    assert token in fake.access
    assert fake.refreshes == 1


async def test_after_a_429_no_token_request_is_sent_until_retry_after(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    clock = FakeClock()
    session = await jwt_session(fake, http, clock=clock)
    clock.advance(3600)
    fake.scripted.append((429, {"errorCode": "CMN-301"}, {"Retry-After": "40"}))
    with pytest.raises(TokenRateLimitedError):
        await session.access_token()
    calls = fake.token_calls
    clock.advance(20)
    with pytest.raises(TokenRateLimitedError, match="Try again in 20 s"):
        await session.access_token()
    assert fake.token_calls == calls  # nothing sent into the penalty
    clock.advance(21)
    assert await session.access_token() in fake.access
    assert session.is_active


async def test_jwt_session_signs_in_again_with_the_jwt_when_the_refresh_token_is_gone(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    clock = FakeClock()
    session = await jwt_session(fake, http, clock=clock)
    fake.refresh.clear()
    clock.advance(3600)
    assert await session.access_token() in fake.access
    assert fake.jwt_grants == 2


async def test_session_without_refresh_tokens_asks_to_sign_in_again_at_expiry(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    fake.issue_refresh_tokens = False
    clock = FakeClock()
    session = await TokenSession.sign_in_with_browser(
        http,
        FAKE_SERVER,
        fake.credentials(),
        open_browser=lambda url: _browse_true(url, fake),
        time_limit=5,
        retry=FAST_RETRY,
        clock=clock,
    )
    clock.advance(3600)
    with pytest.raises(SessionEndedError, match="expired"):
        await session.access_token()


async def _browse_true(url: str, fake: FakeOAuth) -> bool:
    await browse(url, fake.transport())
    return True


# ------------------------------------------------------------------------------ persistence


async def test_the_stored_session_is_reused_across_restarts_without_token_requests(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    backend = MemoryKeyring()
    first = await jwt_session(fake, http, TokenStore(backend))
    token = await first.access_token()
    for _ in range(10):  # ten app restarts
        restored = await TokenSession.restore(
            FAKE_SERVER, fake.client_id, TokenStore(backend), http=http
        )
        assert restored is not None
        assert await restored.access_token() == token
    assert fake.token_calls == 1


async def test_a_restored_expired_session_refreshes_and_saves_the_rotated_token_first(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    backend = MemoryKeyring()
    clock = FakeClock()
    await browser_session(fake, http, TokenStore(backend))
    clock.advance(3600)
    restored = await TokenSession.restore(
        FAKE_SERVER, fake.client_id, TokenStore(backend), http=http, clock=clock, retry=FAST_RETRY
    )
    assert restored is not None
    token = await restored.access_token()
    assert fake.refreshes == 1
    saved = json.loads(backend.values[(SERVICE, store_key(FAKE_SERVER.url, fake.client_id))])
    stored = json.loads(saved["data"])["tokens"]
    assert stored["access_token"] == token
    assert stored["refresh_token"] in fake.refresh  # the new, rotated one


async def test_restore_finds_nothing_for_another_server_or_app(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    backend = MemoryKeyring()
    await jwt_session(fake, http, TokenStore(backend))
    from rc_sms_desktop.api.servers import PARTNER

    assert (
        await TokenSession.restore(PARTNER, fake.client_id, TokenStore(backend), http=http) is None
    )
    assert (
        await TokenSession.restore(FAKE_SERVER, "other-app", TokenStore(backend), http=http) is None
    )


async def test_restore_drops_an_expired_session_that_cannot_be_renewed(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    backend = MemoryKeyring()
    fake.issue_refresh_tokens = False
    await browser_session(fake, http, TokenStore(backend))
    clock = FakeClock()
    clock.advance(7200)
    assert (
        await TokenSession.restore(
            FAKE_SERVER, fake.client_id, TokenStore(backend), http=http, clock=clock
        )
        is None
    )
    assert backend.values == {}


async def test_sign_out_revokes_once_and_deletes_every_keyring_entry(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    backend = MemoryKeyring(max_bytes=300)  # small limit: the session is chunked
    store = TokenStore(backend, max_value_bytes=250)
    session = await jwt_session(fake, http, store)
    assert len(backend.values) > 1
    await session.sign_out()
    assert fake.revokes == 1
    assert backend.values == {}
    assert not fake.refresh  # RingCentral ended the whole session
    with pytest.raises(SessionEndedError, match="signed out"):
        await session.access_token()


async def test_sign_out_while_offline_still_forgets_the_session(fake: FakeOAuth) -> None:
    transport = FaultTransport(fake.transport())
    backend = MemoryKeyring()
    async with httpx.AsyncClient(transport=transport) as http:
        session = await jwt_session(fake, http, TokenStore(backend))
        transport.faults.append(httpx.ConnectError("offline"))
        requests = transport.requests
        await session.sign_out()
    assert transport.requests == requests + 1  # tried once, not retried
    assert backend.values == {}


# ------------------------------------------------------------------------------ no keyring


async def test_without_a_keyring_sign_in_works_for_this_session_only(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    session = await jwt_session(fake, http, TokenStore(keyring.backends.fail.Keyring()))
    assert (await call_api(session, http)).status_code == 200
    assert session.storage_status.state is StorageState.SESSION_ONLY
    assert "session only" in session.storage_status.message


async def test_a_hanging_keyring_does_not_stop_sign_in(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    backend = HangingKeyring()
    session = await jwt_session(fake, http, TokenStore(backend, timeout=0.2))
    assert (await call_api(session, http)).status_code == 200
    assert session.storage_status.state is StorageState.SESSION_ONLY
    assert "did not respond" in session.storage_status.message
    backend.release.set()


async def test_no_store_at_all_is_session_only(fake: FakeOAuth, http: httpx.AsyncClient) -> None:
    session = await jwt_session(fake, http, None)
    assert not session.storage_status.persistent


async def test_session_repr_holds_no_secret(fake: FakeOAuth, http: httpx.AsyncClient) -> None:
    session = await jwt_session(fake, http)
    token = await session.access_token()
    text = repr(session) + str(session) + repr(session._tokens) + repr(session._credentials)
    for secret in (token, fake.client_secret, fake.jwt, *fake.refresh):
        assert secret not in text


async def test_a_second_app_instance_adopts_the_session_the_first_one_renewed(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    backend = MemoryKeyring()
    await jwt_session(fake, http, TokenStore(backend))
    clock = FakeClock()
    first, second = [
        await TokenSession.restore(
            FAKE_SERVER,
            fake.client_id,
            TokenStore(backend),
            http=http,
            clock=clock,
            retry=FAST_RETRY,
        )
        for _ in range(2)
    ]
    assert first is not None and second is not None
    clock.advance(3600)
    renewed = await first.access_token()  # spends the refresh token both instances loaded
    assert await second.access_token() == renewed  # invalid_grant, then the keyring's newer pair
    assert first.is_active and second.is_active
    assert fake.refreshes == 1
    assert backend.values  # nobody deleted the live session
