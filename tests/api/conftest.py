"""Shared fixtures for the API tests (helpers live in rc_fakes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from rc_fakes import FAST_RETRY, SERVER, TOKEN_SENTINEL, FakeRingCentral

from rc_sms_desktop.api.client import RingCentralClient, StaticTokenAuthenticator, Timeouts


@pytest.fixture
def fake_rc() -> FakeRingCentral:
    return FakeRingCentral()


@pytest.fixture
async def rc_client(fake_rc: FakeRingCentral) -> AsyncIterator[RingCentralClient]:
    client = RingCentralClient(
        SERVER,
        httpx.MockTransport(fake_rc),
        authenticator=StaticTokenAuthenticator(TOKEN_SENTINEL),
        retry=FAST_RETRY,
        timeouts=Timeouts(deadline=5.0),
    )
    yield client
    await client.aclose()
