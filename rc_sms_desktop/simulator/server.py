"""Serving the simulator over real HTTP with uvicorn (loopback by default, `port=0` picks one)."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import secrets
import socket
import sys
from collections.abc import Callable
from typing import TextIO

import uvicorn

from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.simulator.gate import SimulatedConnectionReset


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket; binding first lets us print the real port before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this; without it each small response waits ~40 ms (Nagle plus
    # delayed ACK) when uvicorn is handed a socket instead of a host and port (measured).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def server_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def announce(config: SimulatorConfig, url: str, stream: TextIO | None = None) -> None:
    """Print the connection settings, one per line, flushed (tests and scripts read them)."""
    out = stream or sys.stdout
    lines = [f"RC_SERVER_URL={url}", f"RC_CLIENT_ID={config.client_id}",
             f"RC_CLIENT_SECRET={config.client_secret}", f"RC_JWT={config.jwt}"]
    if config.control_token:
        lines.append(f"RC_SIMULATOR_TOKEN={config.control_token}")
    for line in lines:
        print(line, file=out, flush=True)


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address or name (only this machine can connect)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def beyond_loopback_warning(host: str) -> str | None:
    """The loud warning for a bind other machines can reach (None on loopback)."""
    if is_loopback(host):
        return None
    return (
        f"WARNING: the simulator listens on {host}, beyond this machine: anyone who can reach "
        "it can sign in with the printed demo credentials. Its /_simulator/* control endpoints "
        "need the RC_SIMULATOR_TOKEN printed below. Use --host 127.0.0.1 unless you mean this."
    )


class _QuietResets(logging.Filter):
    """Injected `reset` faults are expected: no traceback for them in the server log."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, SimulatedConnectionReset)


def make_server(config: SimulatorConfig, log_level: str = "warning") -> uvicorn.Server:
    uv_config = uvicorn.Config(create_app(config), log_level=log_level, access_log=False,
                               lifespan="off")
    server = uvicorn.Server(uv_config)  # loads uvicorn's logging config, so filter after it
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietResets) for f in logger.filters):
        logger.addFilter(_QuietResets())
    return server


def serve(config: SimulatorConfig, host: str = "127.0.0.1", port: int = 0,
          on_ready: Callable[[str], None] | None = None, log_level: str = "warning") -> None:
    """Serve until interrupted (Ctrl+C).

    A served simulator always has a control token of its own (a fresh one per run unless the
    config names one): anything that can connect could otherwise reset or fault it.
    """
    if not config.control_token:
        config = dataclasses.replace(config, control_token=secrets.token_urlsafe(24))
    warning = beyond_loopback_warning(host)
    if warning is not None:
        sys.stderr.write(warning + "\n")
        sys.stderr.flush()
    sock = bind_socket(host, port)
    url = server_url(sock)
    (on_ready or (lambda u: announce(config, u)))(url)
    server = make_server(config, log_level)
    try:
        asyncio.run(server.serve(sockets=[sock]))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
