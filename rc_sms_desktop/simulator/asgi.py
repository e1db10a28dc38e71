"""The simulator's own small ASGI layer: requests, responses, routes and the application.

Why not Starlette: importing it (with anyio, python-multipart and its middleware) cost ~20 ms of
the demo's start-up (issue #20, `python -X importtime`), and the simulator uses a sliver of it.
What a client can see follows Starlette 1.x, so the simulator answers exactly as it did: JSON
bodies encoded alike, plain-text 404 "Not Found", 405 "Method Not Allowed" with `Allow`, a 307
to the path without (or with) its trailing slash, and a 500 "Internal Server Error" for an
unhandled exception, which is then re-raised for the server to log (or for
`httpx.ASGITransport` to raise in tests). Protocol: the ASGI HTTP and lifespan specifications
(https://asgi.readthedocs.io/en/latest/specs/www.html, .../specs/lifespan.html).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, MutableMapping
from typing import Any, overload
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Starlette's form limits (Request.form defaults): more is a 400 with its words.
MAX_FORM_FIELDS = 1000
MAX_FORM_FIELD_BYTES = 1024 * 1024
# A valid Host header (RFC 9110 §7.2, RFC 3986 §3.2.2; Starlette's parse_host_header).
_HOST = re.compile(
    r"(?P<host>[a-z0-9._~%!$&'()*+,;=-]+|\[(?:(?P<ipv6>[a-f0-9]*:[a-f0-9.:]+)|"
    r"(?-i:v)[a-f0-9]+\.[a-z0-9._~!$&'()*+,;=:-]+)\])(?::(?P<port>[0-9]+))?",
    re.IGNORECASE,
)
_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)}")


class HTTPError(Exception):
    """Answered as a plain-text response with `detail` (Starlette's HTTPException handler)."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class ClientDisconnect(Exception):
    """The client went away while we read its body."""


class State:
    """Attribute access to a dict: `app.state.simulator`, `request.state.session`."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        object.__setattr__(self, "_values", {} if values is None else values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"'State' object has no attribute '{name}'") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._values[name] = value


class MultiDict:
    """Query parameters or form fields in order; `get` gives a name's last value (as Starlette)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items = list(items)
        self._last = dict(self._items)

    @overload
    def get(self, key: str) -> str | None: ...
    @overload
    def get(self, key: str, default: str) -> str: ...
    def get(self, key: str, default: str | None = None) -> str | None:
        return self._last.get(key, default)

    def getlist(self, key: str) -> list[str]:
        return [value for name, value in self._items if name == key]

    def multi_items(self) -> list[tuple[str, str]]:
        return list(self._items)


class Headers:
    """A request's headers, looked up case-insensitively (the first of repeated ones)."""

    def __init__(self, raw: Iterable[tuple[bytes, bytes]]) -> None:
        self._raw = list(raw)

    @overload
    def get(self, key: str) -> str | None: ...
    @overload
    def get(self, key: str, default: str) -> str: ...
    def get(self, key: str, default: str | None = None) -> str | None:
        wanted = key.lower().encode("latin-1")
        return next((v.decode("latin-1") for k, v in self._raw if k == wanted), default)


class URL:
    def __init__(self, url: str) -> None:
        self._url = url

    def __str__(self) -> str:
        return self._url

    @classmethod
    def of(cls, scope: Scope) -> URL:
        """The URL a request named (Starlette's URL(scope=...): the Host header, else the server)."""
        scheme = scope.get("scheme", "http")
        path = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
        query = scope.get("query_string", b"").decode()
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        netloc: str | None = None
        if host is not None and _valid_host(host):
            netloc = host
        elif scope.get("server") is not None:
            name, number = scope["server"]
            name = f"[{name}]" if ":" in name and not name.startswith("[") else name
            default = {"http": 80, "https": 443, "ws": 80, "wss": 443}[scheme]
            netloc = name if number == default else f"{name}:{number}"
        if netloc is not None:
            return cls(f"{scheme}://{netloc}{path}" + (f"?{query}" if query else ""))
        if path.startswith("//"):
            path = "/%2F" + path[2:]
        return cls(f"{path}?{query}" if query else path)

    def include_query_params(self, **params: Any) -> URL:
        """This URL with `params` set: kept ones first, the given ones last (as Starlette)."""
        parts = urlsplit(self._url)
        new = {str(key): str(value) for key, value in params.items()}
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in new]
        return URL(parts._replace(query=urlencode(kept + list(new.items()))).geturl())


def _valid_host(host: str) -> bool:
    found = _HOST.fullmatch(host)
    if found is None:
        return False
    if found["ipv6"] is not None:
        try:
            ipaddress.IPv6Address(found["ipv6"])
        except ValueError:
            return False
    port = found["port"]
    return port is None or (len(port.lstrip("0")) <= 5 and int(port) <= 65535)


class Request:
    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self._receive = receive
        self._body: bytes | None = None
        self.method: str = scope["method"]
        self.path_params: dict[str, str] = scope.get("path_params", {})
        self.headers = Headers(scope["headers"])
        self.query_params = MultiDict(parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                                keep_blank_values=True))
        self.state = State(scope.setdefault("state", {}))

    @property
    def app(self) -> Any:
        return self.scope["app"]

    @property
    def url(self) -> URL:
        return URL.of(self.scope)

    @property
    def base_url(self) -> URL:
        root = self.scope.get("root_path", "")
        return URL.of({**self.scope, "path": root if root.endswith("/") else root + "/",
                       "query_string": b""})

    async def body(self) -> bytes:
        if self._body is None:
            chunks: list[bytes] = []
            while True:
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    raise ClientDisconnect
                if message["type"] == "http.request":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        break
            self._body = b"".join(chunks)
        return self._body

    async def form(self) -> MultiDict:
        """The body as an application/x-www-form-urlencoded form (callers check the type): the
        fields between `&`, empty ones skipped, a name without `=` has the value ""."""
        items: list[tuple[str, str]] = []
        for field in (await self.body()).split(b"&"):
            if not field:
                continue
            if len(field) - (b"=" in field) > MAX_FORM_FIELD_BYTES:
                raise HTTPError(400, "Field exceeded maximum size of "
                                f"{MAX_FORM_FIELD_BYTES // 1024}KB.")
            if len(items) == MAX_FORM_FIELDS:
                raise HTTPError(400, f"Too many fields. Maximum number of fields is {MAX_FORM_FIELDS}.")
            name, _, value = field.partition(b"=")
            items.append((unquote_plus(name.decode("latin-1")), unquote_plus(value.decode("latin-1"))))
        return MultiDict(items)


class Response:
    media_type: str | None = None

    def __init__(self, content: Any = None, status_code: int = 200,
                 headers: Mapping[str, str] | None = None, media_type: str | None = None) -> None:
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.body = self.render(content)
        self.raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                            for k, v in (headers or {}).items()]
        names = {k for k, _ in self.raw_headers}
        # Starlette's init_headers: a length unless 1xx/204/304, text types get their charset.
        if b"content-length" not in names and not (status_code < 200 or status_code in (204, 304)):
            self.raw_headers.append((b"content-length", str(len(self.body)).encode("latin-1")))
        if self.media_type is not None and b"content-type" not in names:
            content_type = self.media_type
            if content_type.startswith("text/") and "charset=" not in content_type.lower():
                content_type += "; charset=utf-8"
            self.raw_headers.append((b"content-type", content_type.encode("latin-1")))

    def render(self, content: Any) -> bytes:
        if content is None:
            return b""
        return content if isinstance(content, bytes) else str(content).encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body})


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                          separators=(",", ":")).encode("utf-8")


class HTMLResponse(Response):
    media_type = "text/html"


class PlainTextResponse(Response):
    media_type = "text/plain"


class RedirectResponse(Response):
    def __init__(self, url: str, status_code: int = 307,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(b"", status_code, headers)
        self.raw_headers.append(
            (b"location", quote(url, safe=":/%#?=@[]!$&'()*+,;").encode("latin-1")))


Endpoint = Callable[[Request], Awaitable[Response]]


class Route:
    """`path` with `{name}` segments, answered by `endpoint` for `methods` (GET brings HEAD)."""

    def __init__(self, path: str, endpoint: Endpoint, methods: Collection[str]) -> None:
        self.path = path
        self.endpoint = endpoint
        self.methods = {m.upper() for m in methods}
        if "GET" in self.methods:
            self.methods.add("HEAD")
        self._pattern: re.Pattern[str] | None = None

    def match(self, path: str) -> dict[str, str] | None:
        if self._pattern is None:  # compiled on first use: most routes never see a request
            pieces = _PARAM.split(self.path)  # literal, name, literal, name, ..., literal
            self._pattern = re.compile("^" + "".join(
                re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>[^/]+)"
                for i, piece in enumerate(pieces)) + "$")
        found = self._pattern.match(path)
        return found.groupdict() if found else None


class App:
    """Routes behind middleware; `state` holds what callers attach (`app.state.simulator`)."""

    def __init__(self, routes: Iterable[Route],
                 middleware: Iterable[Callable[[ASGIApp], ASGIApp]] = ()) -> None:
        self.routes = list(routes)
        self.state = State()
        stack: ASGIApp = self._route
        for wrap in reversed(list(middleware)):
            stack = wrap(stack)
        self._stack = stack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if scope["type"] != "http":
            await self._stack(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._stack(scope, receive, tracked)
        except Exception:
            if not started:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)
            raise

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            # Nothing to start or stop; uvicorn's lifespan="auto" still asks.
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            await send({"type": "websocket.close", "code": 1000, "reason": ""})
            return
        response = await self._respond(scope, receive)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Response:
        path, method = scope["path"], scope["method"]
        refused: tuple[Route, dict[str, str]] | None = None
        for route in self.routes:
            params = route.match(path)
            if params is None:
                continue
            if method in route.methods:
                scope["path_params"] = params
                try:
                    return await route.endpoint(Request(scope, receive))
                except HTTPError as error:
                    return PlainTextResponse(error.detail, error.status_code)
            refused = refused or (route, params)
        if refused is not None:
            scope["path_params"] = refused[1]
            return PlainTextResponse("Method Not Allowed", 405,
                                     {"Allow": ", ".join(sorted(refused[0].methods))})
        if path != "/":
            other = path.rstrip("/") if path.endswith("/") else path + "/"
            if any(route.match(other) is not None for route in self.routes):
                return RedirectResponse(str(URL.of({**scope, "path": other})))
        return PlainTextResponse("Not Found", 404)
