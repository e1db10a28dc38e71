"""Bodies read with a cap: a server (or anything between) cannot make the app buffer without end."""

from __future__ import annotations

import httpx

__all__ = ["MAX_RESPONSE_BYTES", "BodyTooLarge", "format_size", "read_capped"]

# The largest answer RingCentral sends is a page of 1,000 records (perPage's maximum,
# https://developers.ringcentral.com/api-reference/Phone-Numbers/listAccountPhoneNumbers):
# ~1-3 MB of JSON. 32 MiB leaves a tenfold margin for longer labels and new fields.
MAX_RESPONSE_BYTES = 32 << 20


class BodyTooLarge(Exception):
    """The body is larger than the cap (it was not read further)."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"larger than {format_size(cap)}")
        self.cap = cap


def format_size(size: int) -> str:
    return f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """A streamed response's (decoded) body; raises `BodyTooLarge` past `cap` bytes. The response
    is closed either way.

    An announced Content-Length over the cap is refused before any of it is read, and an endless
    body stops at the cap, so memory stays near the cap and time near what the cap takes to arrive.
    """
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise BodyTooLarge(cap)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                raise BodyTooLarge(cap)
        return b"".join(chunks)
    finally:
        await response.aclose()
