"""A client whose RingCentral session ends after a number of requests (scan and window tests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.errors import SessionEndedError


class SessionEndsAfter:
    """The real client until `after` requests were sent; then every request fails as a token
    session does once RingCentral refused to renew it (the error class is the parameter)."""

    def __init__(self, client: RingCentralClient, after: int, error: type[SessionEndedError]) -> None:
        self.client = client
        self.scheduler = client.scheduler
        self.after = after
        self.error = error
        self.calls = 0
        self.calls_after_the_end = 0

    async def get_json(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        self.calls += 1
        if self.calls > self.after:
            if self.calls > self.after + 1:
                self.calls_after_the_end += 1
            raise self.error("Your RingCentral session has expired. Please sign in again.", status=401)
        return await self.client.get_json(path, params=params)
