"""Sizes, empty bodies, redirects: the client refuses what it must not buffer or trust (#15, 6 and 10)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from auth_fakes import FAKE_SERVER
from rc_fakes import FAST_RETRY, SERVER

from rc_sms_desktop.api import auth
from rc_sms_desktop.api.auth import ClientCredentials, SignInError
from rc_sms_desktop.api.client import RingCentralClient, Timeouts
from rc_sms_desktop.api.errors import MalformedResponseError, RedirectedError, ResponseTooLargeError
from rc_sms_desktop.infra.redaction import Secret

EXT = "/restapi/v1.0/account/~/extension/~"


class Endless(httpx.AsyncByteStream):
    """A body that never ends, counting what was pulled from it."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b" " * 65536
        while True:
            self.sent += len(chunk)
            yield chunk
            await asyncio.sleep(0)


def client_for(handler: httpx.MockTransport, cap: int = 1 << 20) -> RingCentralClient:
    client = RingCentralClient(SERVER, handler, retry=FAST_RETRY, timeouts=Timeouts(deadline=30))
    client.max_response_bytes = cap
    return client


async def test_an_endless_body_is_refused_at_the_cap_not_buffered_to_the_deadline() -> None:
    stream = Endless()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=stream))
    async with client_for(transport) as client:
        with pytest.raises(ResponseTooLargeError) as raised:
            await client.get_json(EXT)
    assert stream.sent <= (1 << 20) + 65536 * 2  # stopped at the cap
    assert "1 MiB" in raised.value.user_message


async def test_an_announced_length_over_the_cap_is_refused_before_reading() -> None:
    stream = Endless()
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"Content-Length": str(500 << 20)}, stream=stream)
    )
    async with client_for(transport) as client:
        with pytest.raises(ResponseTooLargeError):
            await client.get_json(EXT)
    assert stream.sent == 0


@pytest.mark.parametrize("body", [b"", b"   \n\t "])
async def test_an_empty_or_whitespace_200_is_an_error_not_an_empty_reply(body: bytes) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    async with client_for(transport) as client:
        with pytest.raises(MalformedResponseError):
            await client.get_json(EXT)


async def test_a_redirect_says_it_was_one_and_where_to_without_following_it() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/login?code=SECRET"})

    async with client_for(httpx.MockTransport(handler)) as client:
        with pytest.raises(RedirectedError) as raised:
            await client.get_json(EXT)
    message = raised.value.user_message
    assert "redirect" in message and "https://elsewhere.example/login" in message
    assert "SECRET" not in message
    assert len(seen) == 1  # never followed


async def test_the_token_answer_is_size_checked_before_it_is_read() -> None:
    stream = Endless()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=stream))
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(SignInError) as raised:
            await auth.jwt_grant(
                http, FAKE_SERVER, ClientCredentials("id", Secret("secret")), jwt=Secret("a.b.c"),
                retry=auth.RetryPolicy(retries=0),
            )
    assert "larger than" in str(raised.value)
    assert stream.sent <= 256 * 1024 + 65536 * 2
