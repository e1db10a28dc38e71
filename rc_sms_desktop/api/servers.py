"""The RingCentral environments a user can sign in to.

RingCentral runs two public platforms: production for almost everyone, and a segregated
partner platform for AT&T Office@Hand and Verizon customers. Anything else (the simulator over
loopback, a staging host given by RingCentral) is a custom URL.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from rc_sms_desktop.infra.settings import Settings

__all__ = [
    "KNOWN_SERVERS",
    "PARTNER",
    "PRODUCTION",
    "Server",
    "ServerUrlError",
    "custom_server",
    "last_server",
    "resolve_server",
]


class ServerUrlError(ValueError):
    """A custom server URL the app will not send credentials to; the message says why."""


@dataclass(frozen=True, slots=True)
class Server:
    """One RingCentral platform: a display name and the base URL of its REST API."""

    name: str
    url: str  # scheme://host[:port], no trailing slash, no path

    @property
    def token_url(self) -> str:
        return f"{self.url}/restapi/oauth/token"

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/restapi/oauth/authorize"

    @property
    def revoke_url(self) -> str:
        return f"{self.url}/restapi/oauth/revoke"


PRODUCTION = Server("RingCentral", "https://platform.ringcentral.com")
PARTNER = Server(
    "RingCentral partner (AT&T Office@Hand, Verizon)", "https://platform.ringcentral.biz"
)
KNOWN_SERVERS: dict[str, Server] = {"production": PRODUCTION, "partner": PARTNER}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def custom_server(url: str, name: str | None = None) -> Server:
    """Validate a custom base URL: https, or plain http only to this machine (the simulator).

    Credentials are sent to this host, so anything ambiguous (a path, a query, user info) is
    refused rather than guessed.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ServerUrlError(f"“{text}” is not a valid URL.") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise ServerUrlError(
            f"“{text}” is not a web address; it should look like https://platform.ringcentral.com."
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise ServerUrlError(
            "Only https:// addresses are allowed, except for a simulator on this computer."
        )
    if parts.username or parts.password:
        raise ServerUrlError("The server address must not contain a user name or password.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ServerUrlError(
            "Give only the server address (like https://platform.ringcentral.com), without a path."
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return Server(name or netloc, f"{parts.scheme}://{netloc}")


def resolve_server(value: str) -> Server:
    """A known environment by key ("production", "partner") or its URL, else a custom URL."""
    key = value.strip().lower()
    if key in KNOWN_SERVERS:
        return KNOWN_SERVERS[key]
    server = custom_server(value)
    for known in KNOWN_SERVERS.values():
        if known.url == server.url:
            return known
    return server


def last_server(settings: Settings) -> Server | None:
    """The server of the last sign-in (the window's and `check`'s one answer), or None when
    there was none or its custom URL is now refused."""
    key = settings.last_server
    if key in KNOWN_SERVERS:
        return KNOWN_SERVERS[key]
    if key == "custom" and settings.custom_server_url:
        try:
            return custom_server(settings.custom_server_url)
        except ServerUrlError:
            return None
    return None
