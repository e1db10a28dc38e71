"""Window services for benchmarks: the real window and loader, over a served simulator.

`MainWindow` takes its outside world as `WindowServices`; here the "demo" session is a real
`RingCentralClient` over loopback (to a served simulator, or to a closed port for the warm
start), optionally with the on-disk verdict cache, so the window runs exactly as for a user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from rc_sms_desktop.ui.window_services import AccountSession


class ServedSimulatorServices:
    """Opens a session signed in to `url` (or, with `offline`, an unsigned client to it)."""

    def __init__(self, url: str, *, cache_dir: Path | None = None, offline: bool = False) -> None:
        self.url = url
        self.cache_dir = cache_dir
        self.offline = offline

    async def open_stored_session(self) -> AccountSession | None:
        return None

    async def open_demo_session(self) -> AccountSession:
        import asyncio

        from benchmarks.simulator_process import RunningSimulator, signed_in_client
        from rc_sms_desktop.api.client import (
            RingCentralClient,
            StaticTokenAuthenticator,
            warm_up_tls,
        )

        # As the app's stored-session path does before its first client (window_services.py).
        await asyncio.to_thread(warm_up_tls)
        if self.offline:
            # The network is down: the saved token is all we have, and nothing answers.
            client = RingCentralClient(self.url, authenticator=StaticTokenAuthenticator("offline"))
        else:
            client = await signed_in_client(RunningSimulator(url=self.url, pid=0))
        return AccountSession(client=client, environment="Benchmark simulator", is_demo=False,
                              server_url=self.url)

    def load(self, session: AccountSession) -> AsyncIterator[Any]:
        from rc_sms_desktop.infra.cache import VerdictCache
        from rc_sms_desktop.workflows.loader import SenderLoader

        cache = VerdictCache(self.cache_dir) if self.cache_dir is not None else None
        return SenderLoader(session.client, cache=cache).load()
