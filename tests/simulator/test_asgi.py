"""The simulator's ASGI layer answers as Starlette did (issue #20 replaced it to start faster).

Each case runs the same endpoint code under both frameworks and compares what a client sees:
status, raw headers in order, body. Starlette stays a test dependency for exactly this.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
import starlette.responses
import starlette.routing
from starlette.applications import Starlette

from rc_sms_desktop.simulator import asgi


class Boom(RuntimeError):
    pass


def _endpoints(responses: ModuleType) -> dict[str, Callable[[Any], Awaitable[Any]]]:
    """The same endpoints written against `responses` (starlette.responses or our asgi)."""

    async def echo(request: Any) -> Any:
        body = await request.body()
        form = await request.form() if request.method == "POST" else None
        return responses.JSONResponse({
            "method": request.method,
            "url": str(request.url),
            "base": str(request.base_url),
            "next": str(request.url.include_query_params(page=2, perPage=5)),
            "a": request.query_params.get("a"),
            "all_a": request.query_params.getlist("a"),
            "query": request.query_params.multi_items(),
            "type": request.headers.get("content-type"),
            "thing": request.headers.get("X-Thing"),
            "params": request.path_params,
            "form": form.multi_items() if form is not None else None,
            "body": body.decode("latin-1"),
        })

    async def kinds(request: Any) -> Any:
        kind = request.path_params["kind"]
        if kind == "json":
            return responses.JSONResponse({"é": [1, None, 1.5, "\u2028"]}, status_code=400,
                                          headers={"Retry-After": "3"})
        if kind == "html":
            return responses.HTMLResponse("<p>é</p>", headers={"Cache-Control": "no-store"})
        if kind == "redirect":
            return responses.RedirectResponse("http://127.0.0.1:5/cb?x=a b&y=é#f",
                                              status_code=302, headers={"Cache-Control": "no-store"})
        if kind == "empty":
            return responses.Response(status_code=int(request.query_params.get("status", "200")))
        if kind == "typed":
            return responses.JSONResponse({}, headers={"Content-Type": "application/problem+json"})
        raise Boom(kind)

    return {"echo": echo, "kinds": kinds}


def _routes(route: Any, responses: ModuleType) -> list[Any]:
    ends = _endpoints(responses)
    return [
        route("/items/{item_id}", ends["echo"], methods=["GET", "POST"]),
        route("/items/{item_id}/parts/{part}", ends["echo"], methods=["PUT"]),
        route("/things/", ends["echo"], methods=["GET"]),
        route("/kinds/{kind}", ends["kinds"], methods=["GET"]),
    ]


def _starlette_app() -> Starlette:
    return Starlette(routes=_routes(starlette.routing.Route, starlette.responses))


def _our_app() -> asgi.App:
    return asgi.App(_routes(asgi.Route, asgi))


FORM = "application/x-www-form-urlencoded"
REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/items/7?a=1&a=2&b=&page=9&c=%20x+y", {}),
    ("GET", "/items/7", {"headers": {"Host": "example.org:8080", "X-THING": "yes"}}),
    ("GET", "/items/7", {"headers": {"Host": "[::1]:99"}}),
    ("GET", "/items/7", {"headers": {"Host": "[::zz]"}}),  # invalid: the server address
    ("GET", "/items/7", {"headers": {"Host": "bad host"}}),
    ("GET", "/items/7", {"headers": {"Host": "example.org:99999"}}),
    ("GET", "/items/caf%C3%A9?q=%E2%9C%93", {}),
    ("HEAD", "/items/7", {}),
    ("GET", "/items/7/", {}),  # trailing slash: 307 to the route
    ("GET", "/things?x=1", {}),  # missing slash: 307 to the route
    ("DELETE", "/items/7", {}),  # 405 with Allow
    ("GET", "/items/7/parts/2", {}),  # 405 from the second route
    ("PUT", "/items/7/parts/2", {"content": b"raw"}),
    ("GET", "/nowhere", {}),
    ("GET", "/", {}),
    ("POST", "/items/7", {"content": b"a=1&&b&=c&d=%zz&e=x+y%C3%A9&f=\xe9&a=2&",
                          "headers": {"Content-Type": FORM}}),
    ("POST", "/items/7", {"content": "&".join(f"k{i}=v" for i in range(1001)).encode(),
                          "headers": {"Content-Type": FORM}}),
    ("POST", "/items/7", {"content": b"k=" + b"v" * (1024 * 1024 + 1),
                          "headers": {"Content-Type": FORM}}),
    ("POST", "/items/7", {"content": b"a=" + b"v" * (1024 * 1024 - 1),
                          "headers": {"Content-Type": FORM}}),
    ("GET", "/kinds/json", {}),
    ("GET", "/kinds/html", {}),
    ("GET", "/kinds/redirect", {}),
    ("GET", "/kinds/empty?status=204", {}),
    ("GET", "/kinds/empty?status=200", {}),
    ("GET", "/kinds/typed", {}),
    ("GET", "/kinds/boom", {}),  # unhandled: 500 "Internal Server Error"
]


async def _answer(app: Any, method: str, url: str, options: dict[str, Any]) -> tuple[Any, ...]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.request(method, url, **options)
    headers = [(k, b", ".join(sorted(v.split(b", "))) if k == b"allow" else v)
               for k, v in response.headers.raw]
    return response.status_code, headers, response.content


@pytest.mark.parametrize(("method", "url", "options"), REQUESTS,
                         ids=[f"{m} {u[:40]}" for m, u, _ in REQUESTS])
async def test_answers_as_starlette(method: str, url: str, options: dict[str, Any]) -> None:
    expected = await _answer(_starlette_app(), method, url, options)
    assert await _answer(_our_app(), method, url, options) == expected


async def test_an_unhandled_error_still_reaches_the_caller() -> None:
    """As with Starlette's ServerErrorMiddleware: a 500 goes out and the error is re-raised
    (in-process, httpx raises it; served, uvicorn logs it)."""
    for app in (_starlette_app(), _our_app()):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://testserver") as client:
            with pytest.raises(Boom):
                await client.get("/kinds/boom")


async def test_lifespan_messages_match_starlette() -> None:
    async def run(app: Any) -> list[dict[str, Any]]:
        incoming = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return next(incoming)

        async def send(message: Any) -> None:
            sent.append(dict(message))

        await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
        return sent

    assert await run(_our_app()) == await run(_starlette_app()) == [
        {"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


def test_state_reads_what_was_set_and_refuses_the_rest() -> None:
    state = asgi.State()
    state.simulator = "handle"
    assert state.simulator == "handle"
    with pytest.raises(AttributeError):
        _ = state.session
