"""A one-shot HTTP listener on 127.0.0.1 that receives the browser's OAuth redirect.

RFC 8252 §7.3/§8.3: open the port only for the sign-in, on the loopback IP literal (never
``localhost``, never another interface), and close it once the answer arrived. The listener:

* answers only ``GET`` on the exact callback path with the right ``Host`` header (a web page
  reaching the port by DNS rebinding sends another Host); anything else gets 400/404/405 and the
  listener keeps waiting for the real redirect;
* checks ``state`` itself (RingCentral only echoes it) before anyone sees the code; a redirect on
  the callback path with a wrong or missing state, repeated parameters or an OAuth error ends the
  attempt with a plain message and no token request;
* then stops listening, so a replayed callback finds the port closed;
* stops after a timeout, or when its task is cancelled, and always frees the port;
* answers with a small static page: no script, no external resource, no referrer, all reflected
  text escaped; the request line (which carries the code) is never logged.

HTTP parsing is h11's (the parser httpx itself uses), with a bound on request size.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import html
import logging
import socket
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

import h11

from rc_sms_desktop.api.auth import SignInError
from rc_sms_desktop.infra.redaction import Secret, register_secret

__all__ = ["AuthorizationCallback", "LoopbackListener"]

_log = logging.getLogger(__name__)

_MAX_REQUEST_BYTES = 16 * 1024
_READ_TIMEOUT = 10.0
_MAX_CONNECTIONS = 16


@dataclass(frozen=True, slots=True)
class AuthorizationCallback:
    """What the browser brought back: the authorization code (secret until exchanged)."""

    code: Secret


class LoopbackListener:
    """Listens on ``http://127.0.0.1:<port><path>`` for exactly one valid OAuth redirect.

    Use as ``async with LoopbackListener(expected_state=state) as listener:``, read
    :attr:`redirect_uri`, send the browser off, then ``await listener.wait(time_limit)``.
    ``port=0`` picks a free ephemeral port; a fixed port serves app registrations whose
    redirect URI must match exactly.
    """

    def __init__(self, *, expected_state: str, port: int = 0, path: str = "/callback") -> None:
        if not path.startswith("/"):
            raise ValueError("path must start with /")
        if not 0 <= port <= 65535:
            raise ValueError("port must be 0..65535")
        self._expected_state = expected_state
        self._requested_port = port
        self._path = path
        self._server: asyncio.Server | None = None
        self._host = "127.0.0.1"
        self._port = 0
        self._result: asyncio.Future[AuthorizationCallback] | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        state = "listening" if self.is_listening else "closed"
        return f"LoopbackListener({self._host}:{self._port}{self._path}, {state})"

    @property
    def is_listening(self) -> bool:
        return self._server is not None and self._server.is_serving()

    @property
    def port(self) -> int:
        return self._port

    @property
    def redirect_uri(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}{self._path}"

    async def __aenter__(self) -> LoopbackListener:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Bind 127.0.0.1 (or ::1 if this machine has no IPv4 loopback) and start listening."""
        loop = asyncio.get_running_loop()
        self._result = loop.create_future()
        last_error: OSError | None = None
        for host in ("127.0.0.1", "::1"):
            try:
                # reuse_address stays asyncio's default: on Unix it only lets us rebind over
                # TIME_WAIT leftovers of a previous sign-in, never over a live listener.
                self._server = await asyncio.start_server(
                    self._on_connection,
                    host=host,
                    port=self._requested_port,
                    family=_family(host),
                    backlog=8,
                )
            except OSError as exc:
                last_error = exc
                if exc.errno == errno.EADDRINUSE:
                    break
                continue
            sock = self._server.sockets[0]
            self._host, self._port = host, int(sock.getsockname()[1])
            _log.debug("Sign-in listener open on %s", self.redirect_uri)
            return
        if last_error is not None and last_error.errno == errno.EADDRINUSE:
            raise SignInError(
                f"Port {self._requested_port} on this computer is used by another program, so the "
                "browser cannot return to this app. Close that program, or register and choose "
                "another port for sign-in."
            )
        raise SignInError("This app could not open a local port for the browser to return to.")

    async def wait(self, time_limit: float | None = 300.0) -> AuthorizationCallback:
        """The code from the one valid redirect; closes the listener in every case."""
        if self._result is None:
            raise RuntimeError("start() the listener first")
        try:
            async with asyncio.timeout(time_limit):
                return await asyncio.shield(self._result)
        except TimeoutError:
            minutes = (time_limit or 0) / 60
            span = f"{minutes:.0f} minutes" if minutes >= 1 else f"{time_limit or 0:g} seconds"
            raise SignInError(
                f"No answer came back from the browser within {span}, so sign-in was stopped. Please try again."
            ) from None
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop listening and drop open connections; the port is free when this returns."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for task in list(self._handlers):
            task.cancel()
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if server is not None:
            with contextlib.suppress(Exception):
                await server.wait_closed()
            _log.debug("Sign-in listener closed")
        if self._result is not None and not self._result.done():
            self._result.cancel()

    # ------------------------------------------------------------------ connection handling

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is None or len(self._handlers) >= _MAX_CONNECTIONS or self._server is None:
            writer.close()
            return
        self._handlers.add(task)
        try:
            await self._serve(reader, writer)
        except (asyncio.CancelledError, ConnectionError, TimeoutError, h11.ProtocolError):
            pass
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = h11.Connection(h11.SERVER, max_incomplete_event_size=_MAX_REQUEST_BYTES)
        request: h11.Request | None = None
        try:
            async with asyncio.timeout(_READ_TIMEOUT):
                while request is None:
                    event = connection.next_event()
                    if event is h11.NEED_DATA:
                        data = await reader.read(4096)
                        connection.receive_data(data)
                        continue
                    if isinstance(event, h11.Request):
                        request = event
                    elif isinstance(event, h11.ConnectionClosed):
                        return
        except h11.RemoteProtocolError:
            status, title, text = (
                400,
                "Bad request",
                "This address only receives the RingCentral sign-in.",
            )
            await self._respond(writer, connection, status, title, text)
            return
        status, title, text = self._handle(request)
        await self._respond(
            writer,
            connection,
            status,
            title,
            text,
            allow_get=status == 405,
            include_body=request.method != b"HEAD",
        )

    def _handle(self, request: h11.Request) -> tuple[int, str, str]:
        method = request.method.decode("ascii", "replace")
        target = request.target.decode("ascii", "replace")
        parts = urlsplit(target)
        # Path only in the log: the query carries the authorization code.
        _log.debug("Sign-in listener got %s %s", method, parts.path[:100])
        if method != "GET":
            return 405, "Not allowed", "This address only receives the RingCentral sign-in."
        host = next((v.decode("latin-1") for k, v in request.headers if k == b"host"), "")
        if host.lower() not in self._allowed_hosts():
            return 400, "Wrong address", "This address only receives the RingCentral sign-in."
        if parts.path != self._path:
            return 404, "Not found", "This address only receives the RingCentral sign-in."
        return self._callback(parts.query)

    def _allowed_hosts(self) -> set[str]:
        if ":" in self._host:
            return {f"[{self._host}]:{self._port}"}
        return {f"{self._host}:{self._port}"}

    def _callback(self, query: str) -> tuple[int, str, str]:
        result = self._result
        if result is None or result.done():
            return 410, "Already done", "This sign-in has already finished. You can close this tab."
        try:
            pairs = parse_qsl(
                query, keep_blank_values=True, strict_parsing=False, max_num_fields=20
            )
        except ValueError:
            pairs = []
        params: dict[str, str] = {}
        repeated = False
        for key, value in pairs:
            if key in params:
                repeated = True
            params[key] = value
        code = params.get("code", "")
        if code:
            register_secret(code)
        if params.get("state") != self._expected_state:
            # Before anything else: a redirect without our state is not an answer to our request.
            self._fail(
                "The answer from the browser did not belong to this sign-in (its state did not match), "
                "so it was refused. Please sign in again."
            )
            return (
                400,
                "Sign-in refused",
                "This answer does not belong to the sign-in in progress. Close this tab and try again.",
            )
        if repeated:
            self._fail(
                "The answer from the browser was malformed (repeated parameters). Please sign in again."
            )
            return 400, "Sign-in refused", "The answer was malformed. Close this tab and try again."
        error = params.get("error")
        if error:
            description = " ".join(params.get("error_description", "").split())[:200]
            if error == "access_denied":
                message = "Sign-in was cancelled in the browser."
            else:
                detail = f": {description}" if description else ""
                message = f"RingCentral did not complete the sign-in ({error[:60]}{detail})."
            self._fail(message)
            return 400, "Sign-in not completed", f"{message} You can close this tab."
        if not code:
            self._fail(
                "The answer from the browser had no authorization code. Please sign in again."
            )
            return (
                400,
                "Sign-in refused",
                "The answer had no authorization code. Close this tab and try again.",
            )
        result.set_result(AuthorizationCallback(Secret(code)))
        # Stop accepting at once: a replayed redirect must find the port closed.
        if self._server is not None:
            self._server.close()
        return (
            200,
            "Signed in",
            "You are signed in to RingCentral. You can close this tab and return to the app.",
        )

    def _fail(self, message: str) -> None:
        if self._result is not None and not self._result.done():
            self._result.set_exception(SignInError(message))
            # Nobody may be awaiting yet; mark it retrieved to avoid "exception never retrieved".
            self._result.exception()
        if self._server is not None:
            self._server.close()

    async def _respond(
        self,
        writer: asyncio.StreamWriter,
        connection: h11.Connection,
        status: int,
        title: str,
        text: str,
        *,
        allow_get: bool = False,
        include_body: bool = True,
    ) -> None:
        body = _page(title, text).encode("utf-8")
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Referrer-Policy", "no-referrer"),
            (
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'",
            ),
            ("X-Content-Type-Options", "nosniff"),
            ("Connection", "close"),
        ]
        if allow_get:
            headers.append(("Allow", "GET"))
        try:
            data = connection.send(
                h11.Response(status_code=status, headers=headers, reason=title.encode())
            )
            if include_body:  # h11 (rightly) refuses a body in the answer to HEAD
                data = (data or b"") + (connection.send(h11.Data(data=body)) or b"")
            data += connection.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError:
            # The request made h11 unable to answer (e.g. it was not HTTP/1.x): just close.
            return
        writer.write(data)
        with contextlib.suppress(ConnectionError):
            await writer.drain()


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _page(title: str, text: str) -> str:
    # Self-contained: no script, no external resource; every reflected value escaped.
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)} – RC SMS Desktop</title>"
        "<meta name=referrer content=no-referrer>"
        "<style>body{font:16px system-ui,sans-serif;margin:15vh auto;max-width:32em;padding:0 1em;color:#222}"
        "h1{font-size:1.4em}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
