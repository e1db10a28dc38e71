"""The one-shot loopback listener: the redirect it accepts, the attacks it refuses."""

from __future__ import annotations

import asyncio
import re
import socket

import pytest

from rc_sms_desktop.api.auth import SignInError
from rc_sms_desktop.api.loopback import LoopbackListener

STATE = "expected-state-123"


async def raw_request(
    port: int, target: str, *, method: str = "GET", host: str | None = None, extra: bytes = b""
) -> tuple[int, dict[str, str], str]:
    """Send one HTTP/1.1 request over a plain socket; (status, headers, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"{method} {target} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n".encode()
    writer.write(head + extra + b"\r\n")
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    head_text, _, body = data.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body.decode("utf-8", "replace")


def port_is_free(port: int) -> bool:
    """Whether the next sign-in could listen there (as asyncio does, over TIME_WAIT leftovers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
    return True


async def connection_refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return True
    writer.close()
    return False


async def test_valid_redirect_returns_code_answers_a_static_page_and_closes_the_port() -> None:
    async with LoopbackListener(expected_state=STATE) as listener:
        assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}/callback"
        waiting = asyncio.create_task(listener.wait(5))
        status, headers, body = await raw_request(
            listener.port, f"/callback?code=the-code-42&state={STATE}"
        )
        callback = await waiting
    assert status == 200
    assert callback.code.get_secret_value() == "the-code-42"
    assert "the-code-42" not in repr(callback)
    assert "signed in" in body.lower()
    # A self-contained page: no script, no link or resource to anywhere (RFC 9700 §4.2.4).
    assert "<script" not in body.lower()
    assert not re.search(r"https?://", body)
    assert headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in headers["content-security-policy"]
    # Replay of the redirect finds the port closed (RFC 8252 §8.3).
    assert await connection_refused(listener.port)
    assert not listener.is_listening


async def test_listener_binds_the_loopback_ip_literal_only() -> None:
    async with LoopbackListener(expected_state=STATE) as listener:
        assert listener._server is not None
        addresses = {sock.getsockname()[0] for sock in listener._server.sockets}
        assert addresses == {"127.0.0.1"}
        assert "localhost" not in listener.redirect_uri


async def test_wrong_state_is_refused_and_ends_the_attempt() -> None:
    async with LoopbackListener(expected_state=STATE) as listener:
        waiting = asyncio.create_task(listener.wait(5))
        status, _, body = await raw_request(listener.port, "/callback?code=stolen&state=WRONG")
        with pytest.raises(SignInError, match="did not belong to this sign-in"):
            await waiting
    assert status == 400
    assert "stolen" not in body
    assert await connection_refused(listener.port)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("code=abc", "did not belong"),  # no state at all
        (f"state={STATE}", "no authorization code"),
        (f"state={STATE}&code=", "no authorization code"),
        (
            f"error=access_denied&error_description=User+said+no&state={STATE}",
            "cancelled in the browser",
        ),
        (
            f"error=server_error&error_description=Try+later&state={STATE}",
            "server_error: Try later",
        ),
        (f"code=a&code=b&state={STATE}", "repeated parameters"),
        (f"code=a&state={STATE}&state={STATE}", "repeated parameters"),
    ],
)
async def test_malformed_or_refused_redirects_end_with_a_plain_message(
    query: str, message: str
) -> None:
    async with LoopbackListener(expected_state=STATE) as listener:
        waiting = asyncio.create_task(listener.wait(5))
        status, _, _ = await raw_request(listener.port, f"/callback?{query}")
        with pytest.raises(SignInError, match=message):
            await waiting
    assert status == 400


@pytest.mark.parametrize(
    ("method", "target", "host", "expected"),
    [
        ("GET", "/favicon.ico", None, 404),
        ("GET", f"/other?code=x&state={STATE}", None, 404),
        ("GET", f"/callback/extra?code=x&state={STATE}", None, 404),
        ("HEAD", f"/callback?code=x&state={STATE}", None, 405),
        ("POST", f"/callback?code=x&state={STATE}", None, 405),
        ("GET", f"/callback?code=x&state={STATE}", "evil.example", 400),  # DNS rebinding
        ("GET", f"/callback?code=x&state={STATE}", "localhost:1", 400),
    ],
)
async def test_stray_requests_are_refused_and_the_real_redirect_still_works(
    method: str, target: str, host: str | None, expected: int
) -> None:
    async with LoopbackListener(expected_state=STATE) as listener:
        waiting = asyncio.create_task(listener.wait(5))
        extra = b"Content-Length: 0\r\n" if method == "POST" else b""
        status, _, _ = await raw_request(
            listener.port, target, method=method, host=host, extra=extra
        )
        assert status == expected
        assert not waiting.done()
        ok, _, _ = await raw_request(listener.port, f"/callback?code=real&state={STATE}")
        callback = await waiting
    assert ok == 200
    assert callback.code.get_secret_value() == "real"


async def test_error_description_is_escaped_in_the_page() -> None:
    async with LoopbackListener(expected_state=STATE) as listener:
        waiting = asyncio.create_task(listener.wait(5))
        query = f"error=x&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={STATE}"
        _, _, body = await raw_request(listener.port, f"/callback?{query}")
        with pytest.raises(SignInError):
            await waiting
    assert "<script>" not in body
    assert "&lt;script&gt;" in body


async def test_oversized_and_garbage_requests_do_not_stop_the_listener() -> None:
    async with LoopbackListener(expected_state=STATE) as listener:
        waiting = asyncio.create_task(listener.wait(5))
        big = await raw_request(listener.port, "/callback?pad=" + "x" * 40_000)
        assert big[0] == 400
        reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
        writer.write(b"\x16\x03\x01 not http at all\r\n\r\n")
        await writer.drain()
        await reader.read()
        writer.close()
        ok, _, _ = await raw_request(listener.port, f"/callback?code=real&state={STATE}")
        assert (await waiting).code.get_secret_value() == "real"
    assert ok == 200


async def test_timeout_gives_a_plain_message_and_frees_the_port() -> None:
    listener = LoopbackListener(expected_state=STATE)
    await listener.start()
    port = listener.port
    assert not port_is_free(port)
    with pytest.raises(SignInError, match="No answer came back from the browser"):
        await listener.wait(0.2)
    assert port_is_free(port)


async def test_cancelling_the_sign_in_closes_the_listener_and_frees_the_port() -> None:
    listener = LoopbackListener(expected_state=STATE)
    await listener.start()
    port = listener.port
    # A browser connection that never finishes its request must not keep the port busy.
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /callback HTTP/1.1\r\n")
    task = asyncio.create_task(listener.wait(30))
    await asyncio.sleep(0.05)
    assert not port_is_free(port)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert port_is_free(port)
    writer.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_fixed_port_is_used_exactly() -> None:
    port = free_port()
    async with LoopbackListener(expected_state=STATE, port=port) as listener:
        assert listener.redirect_uri == f"http://127.0.0.1:{port}/callback"
        waiting = asyncio.create_task(listener.wait(5))
        await raw_request(port, f"/callback?code=c&state={STATE}")
        await waiting
    # The same fixed port can be used again right away for the next attempt.
    async with LoopbackListener(expected_state="next", port=port) as again:
        assert again.port == port


async def test_fixed_port_in_use_gives_a_plain_message() -> None:
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = int(occupant.getsockname()[1])
        with pytest.raises(
            SignInError, match=f"Port {port} on this computer is used by another program"
        ):
            async with LoopbackListener(expected_state=STATE, port=port):
                pass


async def test_a_flood_of_connections_is_bounded_and_the_redirect_still_arrives() -> None:
    async with LoopbackListener(expected_state=STATE) as listener:
        waiting = asyncio.create_task(listener.wait(5))
        idle = [await asyncio.open_connection("127.0.0.1", listener.port) for _ in range(30)]
        await asyncio.sleep(0.05)
        assert len(listener._handlers) <= 16
        for _, writer in idle:
            writer.close()
        await asyncio.sleep(0.05)
        ok, _, _ = await raw_request(listener.port, f"/callback?code=c&state={STATE}")
        await waiting
    assert ok == 200


async def test_an_old_attempts_redirect_is_refused_by_the_next_attempt_on_the_same_port() -> None:
    port = free_port()
    async with LoopbackListener(expected_state="attempt-1", port=port) as first:
        first_wait = asyncio.create_task(first.wait(30))
        first_wait.cancel()  # the user gave up and started again
        with pytest.raises(asyncio.CancelledError):
            await first_wait
    async with LoopbackListener(expected_state="attempt-2", port=port) as second:
        waiting = asyncio.create_task(second.wait(5))
        status, _, _ = await raw_request(port, "/callback?code=old&state=attempt-1")
        with pytest.raises(SignInError, match="did not belong"):
            await waiting
    assert status == 400


def ipv6_loopback_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback on this machine")
async def test_without_ipv4_loopback_the_listener_uses_ipv6_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_start_server = asyncio.start_server

    async def no_ipv4(*args: object, host: str, **kwargs: object) -> asyncio.Server:
        if host == "127.0.0.1":
            raise OSError(99, "Cannot assign requested address")
        return await real_start_server(*args, host=host, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(asyncio, "start_server", no_ipv4)
    async with LoopbackListener(expected_state=STATE) as listener:
        assert listener.redirect_uri == f"http://[::1]:{listener.port}/callback"
        waiting = asyncio.create_task(listener.wait(5))
        reader, writer = await asyncio.open_connection("::1", listener.port)
        writer.write(
            f"GET /callback?code=six&state={STATE} HTTP/1.1\r\nHost: [::1]:{listener.port}\r\n\r\n".encode()
        )
        await writer.drain()
        assert (await reader.read()).startswith(b"HTTP/1.1 200")
        writer.close()
        assert (await waiting).code.get_secret_value() == "six"
