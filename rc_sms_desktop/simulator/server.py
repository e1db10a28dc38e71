"""Serving the simulator over real HTTP with uvicorn (loopback by default, `port=0` picks one)."""

from __future__ import annotations

import asyncio
import logging
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
    for line in (f"RC_SERVER_URL={url}", f"RC_CLIENT_ID={config.client_id}",
                 f"RC_CLIENT_SECRET={config.client_secret}", f"RC_JWT={config.jwt}"):
        print(line, file=out, flush=True)


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
    """Serve until interrupted (Ctrl+C)."""
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
