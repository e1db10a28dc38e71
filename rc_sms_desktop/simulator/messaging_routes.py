"""Routes for sending and reading messages (filled in by the messaging endpoints)."""

from __future__ import annotations

from starlette.routing import Route


def routes(extension_prefix: str) -> list[Route]:
    return []
