"""Shared fixtures for the API tests (helpers live in rc_fakes.py and auth_fakes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from rc_sms_desktop.api.client import RingCentralClient, StaticTokenAuthenticator, Timeouts
from tests.api.auth_fakes import FakeOAuth
from tests.api.rc_fakes import FAST_RETRY, SERVER, TOKEN_SENTINEL, FakeRingCentral


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


@pytest.fixture
def fake() -> FakeOAuth:
    """A counting OAuth server (the sign-in and session tests)."""
    return FakeOAuth()


@pytest.fixture
async def http(fake: FakeOAuth) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client whose requests reach `fake`."""
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        yield client
