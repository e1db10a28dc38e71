"""RingCentralClient: retries what is safe, types every failure, never leaks a token."""

from __future__ import annotations

import asyncio
import logging
import pickle

import httpx
import pytest

from rc_sms_desktop.api.client import (
    Authenticator,
    RetryPolicy,
    RingCentralClient,
    StaticTokenAuthenticator,
    Timeouts,
    trust_store_context,
)
from rc_sms_desktop.api.errors import (
    ApiError,
    BadRequestError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RequestTimeoutError,
    ServerError,
    SessionEndedError,
)
from tests.api.rc_fakes import (
    FAST_RETRY,
    SERVER,
    TOKEN_SENTINEL,
    FakeRingCentral,
    json_response,
    sequence,
)

EXT = "/restapi/v1.0/account/~/extension/~"
SMS = "/restapi/v1.0/account/~/extension/~/sms"
OK = json_response(200, {"id": 42})


def err(status: int, code: str, message: str = "msg") -> httpx.Response:
    return json_response(status, {"errors": [{"errorCode": code, "message": message}]})


@pytest.mark.parametrize(
    "failure",
    [
        json_response(500, {}),
        err(503, "CMN-211"),
        httpx.Response(502, content=b"<html>bad gateway</html>"),
        httpx.ReadError,
        httpx.RemoteProtocolError,
        httpx.ConnectError,
        httpx.ReadTimeout,
        httpx.Response(200, content=b'{"id": 4'),  # truncated body
    ],
    ids=["500", "503", "502-html", "reset", "protocol", "refused", "read-timeout", "badjson"],
)
async def test_get_recovers_from_transient_failures(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral, failure: object
) -> None:
    fake_rc.route("GET", EXT, sequence(failure, failure, OK))  # type: ignore[arg-type]
    assert await rc_client.get_json(EXT) == {"id": 42}
    assert fake_rc.count(EXT) == 3


async def test_get_gives_up_after_bounded_attempts_with_a_typed_error(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    fake_rc.route("GET", EXT, sequence(err(503, "CMN-211", "unavailable")))
    with pytest.raises(ServerError) as caught:
        await rc_client.get_json(EXT)
    assert fake_rc.count(EXT) == FAST_RETRY.attempts
    assert caught.value.status == 503
    assert caught.value.error_code == "CMN-211"


async def test_persistent_malformed_body_is_a_malformed_response_error(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    fake_rc.route("GET", EXT, sequence(httpx.Response(200, content=b"not json")))
    with pytest.raises(MalformedResponseError):
        await rc_client.get_json(EXT)
    assert fake_rc.count(EXT) == FAST_RETRY.attempts


async def test_persistent_dropped_connection_is_a_network_error(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    fake_rc.route("GET", EXT, sequence(httpx.ReadError))
    with pytest.raises(NetworkError) as caught:
        await rc_client.get_json(EXT)
    assert "ReadError" in str(caught.value)


@pytest.mark.parametrize(
    ("response", "error_type", "code"),
    [
        (err(404, "CMN-102"), NotFoundError, "CMN-102"),
        (err(403, "CMN-408", "[ReadAccounts] permission required"), PermissionDeniedError, "CMN-408"),
        (err(403, "CMN-402"), PermissionDeniedError, "CMN-402"),
        (err(400, "CMN-101"), BadRequestError, "CMN-101"),
        (json_response(409, {"errorCode": "InvalidParameter", "message": "legacy"}), BadRequestError, "InvalidParameter"),
    ],
)
async def test_other_4xx_are_never_retried_and_carry_the_error_code(
    rc_client: RingCentralClient,
    fake_rc: FakeRingCentral,
    response: httpx.Response,
    error_type: type[ApiError],
    code: str,
) -> None:
    fake_rc.route("GET", EXT, sequence(response))
    with pytest.raises(error_type) as caught:
        await rc_client.get_json(EXT)
    assert fake_rc.count(EXT) == 1
    assert caught.value.error_code == code
    assert caught.value.user_message  # plain text, from the catalogue or the fallback


async def test_permission_error_message_comes_from_the_error_code_catalogue(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    fake_rc.route("GET", EXT, sequence(err(403, "CMN-408", "Localised server text")))
    with pytest.raises(PermissionDeniedError) as caught:
        await rc_client.get_json(EXT)
    assert "Localised server text" not in caught.value.user_message


async def test_post_is_not_retried_after_the_server_may_have_acted(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    fake_rc.route("POST", SMS, sequence(json_response(500, {}), OK))
    with pytest.raises(ServerError):
        await rc_client.post_json(SMS, {"text": "hi"})
    fake_rc.route("POST", SMS, sequence(httpx.ReadError, OK))
    with pytest.raises(NetworkError):
        await rc_client.post_json(SMS, {"text": "hi"})
    assert fake_rc.count(SMS) == 2


async def test_post_is_retried_when_the_connection_was_never_made(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    fake_rc.route("POST", SMS, sequence(httpx.ConnectError, OK))
    assert await rc_client.post_json(SMS, {"text": "hi"}) == {"id": 42}
    assert fake_rc.count(SMS) == 2


async def test_retry_after_on_503_is_honoured(fake_rc: FakeRingCentral) -> None:
    fake_rc.route("GET", EXT, sequence(json_response(503, {}, {"Retry-After": "0.2"}), OK))
    loop = asyncio.get_running_loop()
    async with RingCentralClient(SERVER, httpx.MockTransport(fake_rc), retry=FAST_RETRY) as client:
        started = loop.time()
        assert await client.get_json(EXT) == {"id": 42}
    gap = fake_rc.seen[1].at - fake_rc.seen[0].at
    assert gap >= 0.19, "the second attempt must wait for Retry-After"
    assert loop.time() - started >= 0.19


async def test_retry_after_beyond_the_cap_is_reported_instead_of_waited(fake_rc: FakeRingCentral) -> None:
    fake_rc.route("GET", EXT, sequence(json_response(503, {}, {"Retry-After": "3600"}), OK))
    async with RingCentralClient(SERVER, httpx.MockTransport(fake_rc), retry=FAST_RETRY) as client:
        with pytest.raises(ServerError) as raised:
            await client.get_json(EXT)
    assert fake_rc.count(EXT) == 1
    # What the server asked is said, not only that it failed (#15).
    assert "1 h 0 min" in raised.value.user_message


async def test_overall_deadline_stops_a_server_that_never_finishes(fake_rc: FakeRingCentral) -> None:
    async def drip(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        return OK

    fake_rc.route("GET", EXT, drip)
    retry = RetryPolicy(attempts=2, initial_backoff=0.001, max_backoff=0.001)
    async with RingCentralClient(
        SERVER, httpx.MockTransport(fake_rc), retry=retry, timeouts=Timeouts(deadline=0.1)
    ) as client:
        with pytest.raises(RequestTimeoutError):
            await client.get_json(EXT)
    assert fake_rc.count(EXT) == 2


class RotatingAuthenticator:
    """Hands out token-1, then token-2 after a 401; ends the session after that."""

    def __init__(self) -> None:
        self.token = f"{TOKEN_SENTINEL}-1"
        self.refreshes = 0

    async def access_token(self) -> str:
        return self.token

    async def handle_unauthorized(self, rejected_token: str) -> str:
        self.refreshes += 1
        if self.refreshes > 1:
            raise SessionEndedError("no more refreshes")
        self.token = f"{TOKEN_SENTINEL}-2"
        return self.token


async def test_a_401_refreshes_once_and_replays_with_the_new_token(fake_rc: FakeRingCentral) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == f"Bearer {TOKEN_SENTINEL}-2":
            return OK
        return err(401, "TokenInvalid")

    fake_rc.route("GET", EXT, handler)
    auth = RotatingAuthenticator()
    assert isinstance(auth, Authenticator)
    async with RingCentralClient(SERVER, httpx.MockTransport(fake_rc), authenticator=auth) as client:
        assert await client.get_json(EXT) == {"id": 42}
    assert auth.refreshes == 1
    assert fake_rc.count(EXT) == 2


async def test_a_second_401_ends_the_session(fake_rc: FakeRingCentral) -> None:
    fake_rc.route("GET", EXT, sequence(err(401, "TokenInvalid")))
    async with RingCentralClient(
        SERVER, httpx.MockTransport(fake_rc), authenticator=RotatingAuthenticator()
    ) as client:
        with pytest.raises(SessionEndedError):
            await client.get_json(EXT)
    assert fake_rc.count(EXT) == 2


async def test_tokens_never_reach_logs_errors_or_reprs(
    fake_rc: FakeRingCentral, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_rc.route("GET", EXT, sequence(httpx.ReadError, err(500, "CMN-201"), err(403, "CMN-408")))
    errors: list[BaseException] = []
    async with RingCentralClient(
        SERVER,
        httpx.MockTransport(fake_rc),
        authenticator=StaticTokenAuthenticator(TOKEN_SENTINEL),
        retry=FAST_RETRY,
    ) as client:
        for _ in range(2):
            try:
                await client.get_json(EXT, params={"page": 1})
            except ApiError as error:
                errors.append(error)
        texts = [repr(client), repr(client.authenticator), repr(client.scheduler.snapshot())]
    assert errors, "the scripted failures must surface"
    assert all(s.headers["Authorization"] == f"Bearer {TOKEN_SENTINEL}" for s in fake_rc.seen)
    texts += [str(e) for e in errors] + [repr(e) for e in errors] + [e.user_message for e in errors]
    texts += [pickle.loads(pickle.dumps(e)).__repr__() for e in errors]
    texts += [r.getMessage() for r in caplog.records] + [caplog.text]
    assert not [t for t in texts if TOKEN_SENTINEL in t]
    assert any("GET /restapi/v1.0/account/~/extension/~?page=1 -> 403" in r.getMessage() for r in caplog.records)


async def test_list_query_parameters_repeat_the_name(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    fake_rc.route("GET", EXT, sequence(OK))
    await rc_client.get_json(EXT, params={"usageType": ["DirectNumber", "MainCompanyNumber"], "x": None})
    assert fake_rc.seen[0].url.params.get_list("usageType") == ["DirectNumber", "MainCompanyNumber"]
    assert "x" not in fake_rc.seen[0].url.params


async def test_requests_stay_on_the_session_server(rc_client: RingCentralClient) -> None:
    with pytest.raises(ValueError):
        await rc_client.get_json("https://evil.example/restapi/v1.0/account/~")


async def test_redirects_are_not_followed(rc_client: RingCentralClient, fake_rc: FakeRingCentral) -> None:
    fake_rc.route("GET", EXT, sequence(httpx.Response(302, headers={"Location": "https://evil.example/"})))
    with pytest.raises(ApiError):
        await rc_client.get_json(EXT)
    assert [s.url.host for s in fake_rc.seen] == ["rc.test"]


def test_server_url_must_be_http_or_https() -> None:
    with pytest.raises(ValueError):
        RingCentralClient("ftp://platform.ringcentral.com")


async def test_production_client_uses_the_os_trust_store_and_environment_proxies() -> None:
    async with RingCentralClient("https://platform.ringcentral.com") as client:
        assert client.http._trust_env is True
        pool = client.http._transport._pool  # type: ignore[attr-defined]
        # The OS trust store (see test_client_tls.py for what that is on each platform).
        assert pool._ssl_context is trust_store_context()
