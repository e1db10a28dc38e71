"""`rc-sms-desktop check`: exit codes, output shapes, sign-in sources, verbose logs without secrets.

The real-HTTP cases serve the simulator (or a tiny stand-in) with uvicorn on a loopback port.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import keyring
import keyring.backend
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rc_sms_desktop.api.auth import ClientCredentials
from rc_sms_desktop.api.servers import custom_server
from rc_sms_desktop.api.session import TokenSession
from rc_sms_desktop.api.tokens import TokenStore
from rc_sms_desktop.cli.main import main
from rc_sms_desktop.infra.redaction import Secret
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_JWT,
    SimulatorConfig,
)
from tests.loopback_server import serve

SENTINEL = "TOKSENTINEL"


@pytest.fixture
def serve_app() -> Iterator[Callable[[Any], str]]:
    """`serve_app(asgi_app)` → its base URL on 127.0.0.1 (uvicorn in a thread) until the test ends."""
    with contextlib.ExitStack() as running:
        yield lambda app: running.enter_context(serve(app))


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RC_CLIENT_ID", "RC_CLIENT_SECRET", "RC_JWT", "RC_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def demo_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RC_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("RC_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    monkeypatch.setenv("RC_JWT", DEMO_JWT)
    monkeypatch.delenv("RC_SERVER_URL", raising=False)


def test_demo_table_lists_every_number_with_its_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].startswith("Phone numbers of ")
    assert "NUMBER" in out and "Ready to send SMS" in out and "Cannot send SMS" in out
    assert "Traceback" not in err


def test_demo_json_is_the_explain_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", "--format", "json"]) == 0
    verdicts = json.loads(capsys.readouterr().out)
    assert isinstance(verdicts, list) and len(verdicts) >= 10
    assert set(verdicts[0]) >= {"id", "phoneNumber", "sms", "mms", "international", "reasons"}
    assert {v["sms"] for v in verdicts} >= {"ready", "blocked"}
    assert "unknown" not in {v["sms"] for v in verdicts}


def test_not_signed_in_is_one_line_and_exit_1(no_credentials: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "RC_JWT" in err and "--demo" in err


def test_jwt_from_the_environment_over_loopback(
    demo_credentials: None, serve_app: Callable[[Any], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve_app(create_app(SimulatorConfig(latency_ms=5, rate_window_s=1, token_prefix=SENTINEL)))
    assert main(["check", "--server", url, "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) >= 10
    assert SENTINEL not in out + err


def test_server_from_rc_server_url(
    demo_credentials: None,
    serve_app: Callable[[Any], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RC_SERVER_URL", serve_app(create_app(SimulatorConfig(rate_window_s=1))))
    assert main(["check", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_verbose_logs_each_request_and_never_a_secret(
    demo_credentials: None,
    serve_app: Callable[[Any], str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, httpx and httpcore included
    url = serve_app(create_app(SimulatorConfig(rate_window_s=1, token_prefix=SENTINEL)))
    assert main(["check", "--server", url, "--verbose"]) == 0
    out, err = capsys.readouterr()
    assert "GET /restapi/v1.0/account/~/extension/~/phone-number?page=1&perPage=1000 -> 200" in err
    assert "remaining" in err
    everything = out + err + caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (SENTINEL, DEMO_JWT, DEMO_CLIENT_SECRET):
        assert secret not in everything


def test_rejected_credentials_exit_1_with_one_line(
    serve_app: Callable[[Any], str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RC_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("RC_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    monkeypatch.setenv("RC_JWT", "not-the-demo-jwt-" + SENTINEL)
    url = serve_app(create_app(SimulatorConfig()))
    assert main(["check", "--server", url]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("rc-sms-desktop check: ")
    assert SENTINEL not in err and "Traceback" not in err


def _numbers_forbidden_app() -> Starlette:
    """Signs in fine, then refuses to read the user's data (a role without the permission)."""

    async def token(request: Request) -> JSONResponse:
        return JSONResponse({"access_token": "x" * 20, "token_type": "bearer", "expires_in": 3600,
                             "refresh_token": "y" * 20, "refresh_token_expires_in": 604800,
                             "scope": "ReadAccounts", "owner_id": "1", "session_id": "s"})

    async def forbidden(request: Request) -> JSONResponse:
        return JSONResponse({"errors": [{"errorCode": "CMN-408",
                                         "message": "[ReadExtensions] permission required"}]},
                            status_code=403)

    return Starlette(routes=[
        Route("/restapi/oauth/token", token, methods=["POST"]),
        Route("/restapi/v1.0/{rest:path}", forbidden, methods=["GET"]),
    ])


def test_a_user_whose_numbers_cannot_be_read_gets_exit_1(
    demo_credentials: None, serve_app: Callable[[Any], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve_app(_numbers_forbidden_app())
    assert main(["check", "--server", url]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err


def test_an_invalid_server_url_is_one_line(demo_credentials: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--server", "http://example.com"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_demo_and_server_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check", "--demo", "--server", "https://platform.ringcentral.com"])
    assert caught.value.code == 2


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A secure-enough keyring for one test: a dict."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


def test_the_session_stored_by_the_window_is_used(
    no_credentials: None,
    serve_app: Callable[[Any], str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    url = serve_app(create_app(SimulatorConfig(rate_window_s=1)))
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        async def sign_in_like_the_window() -> None:
            server = custom_server(url)
            async with httpx.AsyncClient() as http:
                await TokenSession.sign_in_with_jwt(
                    http, server, ClientCredentials(DEMO_CLIENT_ID, Secret(DEMO_CLIENT_SECRET)),
                    Secret(DEMO_JWT), store=TokenStore(backend),
                )

        asyncio.run(sign_in_like_the_window())
        assert backend.items, "the session was stored"
        settings = Settings.load()
        settings.last_server = "custom"
        settings.custom_server_url = url
        settings.last_client_id = DEMO_CLIENT_ID
        settings.save()
        assert main(["check", "--format", "json"]) == 0
    finally:
        keyring.set_keyring(previous)
    assert len(json.loads(capsys.readouterr().out)) >= 10


def test_csv_is_refused_without_account_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from rc_sms_desktop.cli.main import main as cli_main

    assert cli_main(["check", "--demo", "--format", "csv"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "--account" in err


def test_account_csv_through_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import io

    from rc_sms_desktop.cli.main import main as cli_main

    assert cli_main(["check", "--account", "--demo", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) > 10
    verdicts = {row["Verdict"] for row in rows}
    assert "Can send SMS" in verdicts and len(verdicts) > 1
    assert all(row["Number"].startswith("+") for row in rows)


def test_progress_line_overwrites_itself_on_a_terminal_and_is_silent_in_a_pipe() -> None:
    import io

    from rc_sms_desktop.cli.sign_in import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        line = ProgressLine(stream)
        line.show("Loading 10 of 40 numbers")
        line.show("Loading 40 of 40")
        line.clear()
    assert pipe.getvalue() == ""
    shown = terminal.getvalue()
    # the shorter second text pads over the first; clear leaves the cursor on an empty line
    assert shown.startswith("\rLoading 10 of 40 numbers\rLoading 40 of 40" + " " * 8)
    assert shown.endswith("\r")
