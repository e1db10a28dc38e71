"""Token endpoint calls: PKCE, grants, plain error messages, retry rules."""

from __future__ import annotations

import base64
import hashlib
import re
import string
from collections.abc import Coroutine
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rc_sms_desktop.api import auth
from rc_sms_desktop.api.auth import (
    SignInError,
    TokenNetworkError,
    TokenRateLimitedError,
    TokenServerError,
    TokenSessionEndedError,
)
from rc_sms_desktop.api.errors import SessionEndedError
from rc_sms_desktop.infra.redaction import Secret
from tests.api.auth_fakes import CLIENT_ID, FAKE_SERVER, FAST_RETRY, FakeOAuth, FaultTransport

UNRESERVED = set(string.ascii_letters + string.digits + "-._~")
VERIFIER = "v" * 43
REDIRECT_URI = "http://127.0.0.1:1/callback"
KNOWN_REFRESH = "RT-known-1234"


def jwt_grant(http: httpx.AsyncClient, fake: FakeOAuth) -> Coroutine[Any, Any, auth.TokenSet]:
    """The fake's confidential app signs in with the fake's JWT."""
    return auth.jwt_grant(http, FAKE_SERVER, fake.credentials(confidential=True),
                          jwt=Secret(fake.jwt), retry=FAST_RETRY)


def refresh(http: httpx.AsyncClient, fake: FakeOAuth, token: str = KNOWN_REFRESH, *,
            retry: auth.RetryPolicy = FAST_RETRY) -> Coroutine[Any, Any, auth.TokenSet]:
    """The fake's public app trades `token` for new tokens."""
    return auth.refresh(http, FAKE_SERVER, fake.credentials(), refresh_token=Secret(token),
                        retry=retry)


def exchange(http: httpx.AsyncClient, fake: FakeOAuth, *,
             retry: auth.RetryPolicy = FAST_RETRY) -> Coroutine[Any, Any, auth.TokenSet]:
    """The fake's public app trades the code CODE-abcdefgh (and `VERIFIER`) for tokens."""
    return auth.exchange_code(http, FAKE_SERVER, fake.credentials(), code=Secret("CODE-abcdefgh"),
                              verifier=Secret(VERIFIER), redirect_uri=REDIRECT_URI, retry=retry)


def test_pkce_verifier_is_long_random_unreserved_and_challenge_is_s256() -> None:
    seen = set()
    for _ in range(2000):
        pair = auth.new_pkce()
        verifier = pair.verifier.get_secret_value()
        assert 43 <= len(verifier) <= 128
        assert set(verifier) <= UNRESERVED
        expected = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        assert pair.challenge == expected
        assert pair.method == "S256"
        assert verifier not in repr(pair)
        seen.add(verifier)
    assert len(seen) == 2000


def test_authorize_url_always_sends_s256_and_never_the_verifier() -> None:
    pair = auth.new_pkce()
    url = auth.authorize_url(
        FAKE_SERVER,
        CLIENT_ID,
        redirect_uri="http://127.0.0.1:5000/callback",
        state="st",
        code_challenge=pair.challenge,
        brand_id="3420",
    )
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}"
        == "https://rc.fake.test/restapi/oauth/authorize"
    )
    assert query == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": "http://127.0.0.1:5000/callback",
        "state": "st",
        "code_challenge": pair.challenge,
        "code_challenge_method": "S256",
        "brand_id": "3420",
    }
    assert pair.verifier.get_secret_value() not in url


async def test_jwt_grant_uses_basic_auth_and_puts_secrets_only_in_header_and_body(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    tokens = await auth.jwt_grant(
        http, FAKE_SERVER, fake.credentials(confidential=True), jwt=Secret(fake.jwt)
    )
    assert tokens.access_token.get_secret_value() in fake.access
    assert tokens.refresh_token is not None
    assert tokens.owner_id == "1001"
    assert fake.jwt_grants == 1
    form = fake.seen_token_forms[-1]
    assert form == {
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "assertion": fake.jwt,
    }
    assert "client_secret" not in form and "client_id" not in form
    assert all(fake.jwt not in url and fake.client_secret not in url for url in fake.seen_urls)
    assert tokens.access_token.get_secret_value() not in repr(tokens)
    assert tokens.refresh_token.get_secret_value() not in str(tokens)


async def test_jwt_grant_without_client_secret_is_refused_before_any_request(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    with pytest.raises(SignInError, match="needs the app's client secret"):
        await auth.jwt_grant(http, FAKE_SERVER, fake.credentials(), jwt=Secret(fake.jwt))
    assert fake.token_calls == 0


async def test_rejected_jwt_is_a_plain_message_and_not_retried(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    with pytest.raises(SignInError) as caught:
        await auth.jwt_grant(
            http,
            FAKE_SERVER,
            fake.credentials(confidential=True),
            jwt=Secret("eyJx.eyJy.wrong"),
            retry=FAST_RETRY,
        )
    assert "did not accept the JWT credential" in caught.value.user_message
    assert caught.value.error_code == "OAU-140"
    assert fake.token_calls == 1


async def test_wrong_client_secret_is_a_plain_message(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    credentials = auth.ClientCredentials(CLIENT_ID, Secret("not-the-secret"))
    with pytest.raises(SignInError, match="did not accept this app's client ID or client secret"):
        await auth.jwt_grant(
            http, FAKE_SERVER, credentials, jwt=Secret(fake.jwt), retry=FAST_RETRY
        )
    assert fake.token_calls == 1


async def test_public_client_sends_client_id_in_body_and_no_authorization(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    fake.refresh.add("RT-known-1234")
    await auth.refresh(
        http, FAKE_SERVER, fake.credentials(), refresh_token=Secret("RT-known-1234")
    )
    assert fake.seen_token_forms[-1] == {
        "grant_type": "refresh_token",
        "refresh_token": "RT-known-1234",
        "client_id": CLIENT_ID,
    }


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"error": "invalid_grant", "errors": [{"errorCode": "OAU-106"}]},
            400,
            "expired or was already used",
        ),
        (
            {
                "error": "invalid_grant",
                "errors": [{"errorCode": "OAU-109", "message": "Redirect URIs do not match"}],
            },
            400,
            r"add http://127\.0\.0\.1:1/callback to the app's OAuth redirect URIs",
        ),
        (
            {"error": "invalid_client", "error_description": "Invalid client"},
            401,
            "client ID or client secret",
        ),
        ({"error": "unauthorized_client"}, 400, "not allowed to use browser sign-in"),
        (
            {"error": "weird", "error_description": "Line one\r\nFAKE LOG LINE"},
            400,
            "RingCentral said: Line one FAKE LOG LINE",
        ),
    ],
)
async def test_code_exchange_errors_become_plain_messages(
    fake: FakeOAuth, http: httpx.AsyncClient, body: dict[str, object], status: int, message: str
) -> None:
    fake.scripted.append((status, body, {}))
    with pytest.raises(SignInError, match=message) as caught:
        await exchange(http, fake)
    assert "\n" not in str(caught.value) and "\r" not in str(caught.value)
    assert fake.token_calls == 1  # a 4xx is never repeated


async def test_503_reports_retry_after_and_is_not_retried(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    fake.scripted.append((503, {}, {"Retry-After": "120"}))
    fake.refresh.add("RT-known-1234")
    with pytest.raises(TokenServerError) as caught:
        await refresh(http, fake)
    assert caught.value.retry_after == 120
    assert "temporarily unavailable. Try again in about 2 min" in caught.value.user_message
    assert fake.token_calls == 1


async def test_refresh_retries_transient_failures_three_times(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    fake.refresh.add("RT-known-1234")
    fake.scripted += [(500, {}, {}), (502, {}, {}), (408, {}, {})]
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    policy = auth.RetryPolicy(retries=3, interval=10.0, sleep=record)
    tokens = await refresh(http, fake, retry=policy)
    assert tokens.access_token.get_secret_value() in fake.access
    assert fake.token_calls == 4
    assert sleeps == [10.0, 10.0, 10.0]  # RingCentral: "repeat 3 times with 10 seconds intervals"


async def test_refresh_gives_up_after_three_retries_and_keeps_it_retryable(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    fake.scripted += [(500, {}, {})] * 5
    fake.refresh.add("RT-known-1234")
    with pytest.raises(TokenServerError, match="having trouble"):
        await refresh(http, fake)
    assert fake.token_calls == 4


async def test_refresh_invalid_grant_ends_the_session(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    with pytest.raises(TokenSessionEndedError, match="session has ended") as caught:
        await refresh(http, fake, "RT-unknown-1234")
    assert isinstance(caught.value, SessionEndedError)
    assert fake.token_calls == 1


async def test_dropped_connections_are_retried_for_refresh(fake: FakeOAuth) -> None:
    transport = FaultTransport(fake.transport())
    transport.faults += [httpx.ConnectError("refused"), httpx.ReadError("reset by peer")]
    fake.refresh.add("RT-known-1234")
    async with httpx.AsyncClient(transport=transport) as http:
        await refresh(http, fake)
    assert transport.requests == 3


async def test_network_down_after_retries_is_a_retryable_network_error(fake: FakeOAuth) -> None:
    transport = FaultTransport(fake.transport())
    transport.faults += [httpx.ConnectError("refused")] * 4
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(
            TokenNetworkError, match=r"Could not reach RingCentral \(rc\.fake\.test\)"
        ):
            await jwt_grant(http, fake)
    assert transport.requests == 4


async def test_code_exchange_is_retried_only_when_the_code_cannot_have_been_spent(
    fake: FakeOAuth,
) -> None:
    # Never connected: safe to repeat.
    transport = FaultTransport(fake.transport())
    transport.faults += [httpx.ConnectError("refused")]
    fake.codes["CODE-abcdefgh"] = (_challenge(VERIFIER), REDIRECT_URI)
    async with httpx.AsyncClient(transport=transport) as http:
        tokens = await exchange(http, fake)
    assert tokens.access_token.get_secret_value() in fake.access
    assert transport.requests == 2


@pytest.mark.parametrize("fault", ["read-error", "500"])
async def test_code_exchange_is_not_replayed_once_the_server_may_have_used_the_code(
    fake: FakeOAuth, fault: str
) -> None:
    transport = FaultTransport(fake.transport())
    if fault == "read-error":
        transport.faults.append(httpx.ReadError("connection reset"))
    else:
        fake.scripted.append((500, {}, {}))
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(SignInError, match="Please sign in again"):
            await exchange(http, fake)
    assert transport.requests == 1


@pytest.mark.parametrize(
    "content",
    [b"<html>Gateway</html>", b"", b"[]", b'{"token_type": "bearer"}', b'{"access_token": 5}'],
)
async def test_unreadable_success_is_a_plain_error_without_the_body(content: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(SignInError, match="could not be read") as caught:
            await auth.refresh(
                http,
                FAKE_SERVER,
                auth.ClientCredentials(CLIENT_ID),
                refresh_token=Secret("RT-known-1234"),
            )
    assert "Gateway" not in str(caught.value)


def test_token_response_lifetimes_are_parsed_leniently() -> None:
    tokens = auth.parse_token_response(
        {"access_token": "AT-12345678", "expires_in": "7199", "refresh_token_expires_in": 604799},
        now=1000.0,
    )
    assert tokens is not None
    assert tokens.expires_at == 8199.0
    assert tokens.refresh_expires_at == 605799.0
    # Absurd lifetimes are clamped instead of causing a refresh on every call.
    short = auth.parse_token_response({"access_token": "AT-12345678", "expires_in": -5}, now=0.0)
    assert short is not None and short.lifetime == 30.0
    assert (
        auth.parse_token_response({"access_token": "AT-12345678", "expires_in": "nan"}, now=0.0)
        is not None
    )
    assert auth.parse_token_response({"expires_in": 10}, now=0.0) is None


@pytest.mark.parametrize(
    ("header", "retry_after", "shown"),
    [
        ("40", 40.0, "Try again in 40 s"),
        # Not delta-seconds: RingCentral's documented 30 s, never 0 (a retry inside the Auth
        # penalty would restart it).
        ("-10", 30.0, "Try again in 30 s"),
        ("nonsense", 30.0, "Try again in 30 s"),
        # Absurdly long: an hour, said in minutes, instead of a number no one can act on.
        ("99999999999999999999", 3600.0, "Try again in about 60 min"),
    ],
)
async def test_429_says_when_to_try_again_even_with_a_nonsense_retry_after_and_is_not_retried(
    fake: FakeOAuth, http: httpx.AsyncClient, header: str, retry_after: float, shown: str
) -> None:
    fake.scripted.append(
        (429, {"errorCode": "CMN-301"}, {"Retry-After": header, "X-Rate-Limit-Group": "auth"})
    )
    with pytest.raises(TokenRateLimitedError) as caught:
        await jwt_grant(http, fake)
    assert caught.value.retry_after == retry_after
    assert caught.value.group == "auth"
    assert shown in caught.value.user_message
    assert fake.token_calls == 1


async def test_revoke_is_sent_once_and_its_errors_are_ignored(fake: FakeOAuth) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(500)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        assert (
            await auth.revoke(
                http, FAKE_SERVER, fake.credentials(), token=Secret("RT-1234567890")
            )
            is False
        )
    assert calls == 1

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        assert (
            await auth.revoke(
                http, FAKE_SERVER, fake.credentials(), token=Secret("RT-1234567890")
            )
            is False
        )


async def test_revoke_sends_the_token_in_the_body_only(
    fake: FakeOAuth, http: httpx.AsyncClient
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        assert await auth.revoke(
            client,
            FAKE_SERVER,
            fake.credentials(confidential=True),
            token=Secret("RT-1234567890"),
        )
    request = seen[0]
    assert "RT-1234567890" not in str(request.url)
    assert parse_qs(request.content.decode()) == {"token": ["RT-1234567890"]}
    assert request.headers["authorization"].startswith("Basic ")


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def test_error_reprs_and_strings_hold_no_secret() -> None:
    error = TokenSessionEndedError(
        "Your RingCentral session has ended.", status=400, error_code="invalid_grant"
    )
    assert re.search("ended", str(error))
    assert "Bearer" not in repr(error)


# An unreadable Retry-After waits the documented 30 s (it once meant 0: a replay inside the
# penalty, which restarts it).
@pytest.mark.parametrize(("header", "waited"), [("20", 20.0), ("-10", 30.0), ("soon", 30.0)])
async def test_code_exchange_waits_out_one_short_throttle_then_succeeds(
    fake: FakeOAuth, http: httpx.AsyncClient, header: str, waited: float
) -> None:
    fake.codes["CODE-abcdefgh"] = (_challenge(VERIFIER), REDIRECT_URI)
    fake.scripted.append((429, {"errorCode": "CMN-301"}, {"Retry-After": header}))
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    tokens = await exchange(http, fake, retry=auth.RetryPolicy(sleep=record))
    assert tokens.access_token.get_secret_value() in fake.access
    assert sleeps == [waited]
    assert fake.token_calls == 2


@pytest.mark.parametrize("retry_after", ["50", "600"])
async def test_code_exchange_gives_up_when_the_throttle_outlives_the_code(
    fake: FakeOAuth, http: httpx.AsyncClient, retry_after: str
) -> None:
    fake.scripted += [(429, {}, {"Retry-After": retry_after}), (429, {}, {"Retry-After": "1"})]
    with pytest.raises(TokenRateLimitedError, match="Try again in"):
        await exchange(http, fake)
    assert fake.token_calls == 1
