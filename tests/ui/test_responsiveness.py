"""Nothing blocks the UI: a 1,000-number load leaves the Qt loop free to paint and take input.

A 10 ms heartbeat timer records the longest gap between its ticks while the window loads.

* The window's own work (model, delegate, detail pane, banner) is measured with a scripted event
  stream of 1,000 verdicts computed beforehand: that is what the UI owes.
* The end-to-end load from the in-process simulator is measured too; there the simulator's own
  request handling shares the loop (a real server would not), so the bar is the matrix's hard one.

The bars here are generous (a shared 2-core CI machine); `benchmarks/ui_heartbeat.py` reports the
measured figures against the 50 ms target.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from pytestqt.qtbot import QtBot

from rc_sms_desktop.core.eligibility import ConfigState, Verdict, evaluate
from rc_sms_desktop.core.models import parse_extension, parse_phone_number, parse_sms_configuration
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.ui.main_window import MainWindow
from rc_sms_desktop.ui.window_services import AccountSession, DefaultServices
from rc_sms_desktop.workflows.loader import (
    LoadFinished,
    NumbersListed,
    Progress,
    SignedInAs,
    VerdictUpdated,
)
from tests.ui.qasync_helpers import Heartbeat, first_load

# Hard-fail bars: the matrix's debug budget for the UI's own work, Qt Creator's watchdog for
# end to end. The 50 ms target is checked by the benchmark.
MAX_UI_GAP_S = 0.1
MAX_GAP_S = 0.3


async def test_loading_1000_numbers_keeps_the_loop_responsive(
    qtbot: QtBot, demo_services: Callable[..., DefaultServices], ui_settings: Settings
) -> None:
    window = MainWindow(demo_services(user_numbers=1000, rate_window_s=0.2), settings=ui_settings)
    qtbot.addWidget(window)
    window.show()
    heartbeat = Heartbeat()
    heartbeat.start()
    try:
        await first_load(window, within=60)
    finally:
        heartbeat.stop()
        await window.shutdown()
    assert window.sender_model.rowCount() == 1000
    assert heartbeat.ticks > 10
    print(f"max heartbeat gap {heartbeat.max_gap * 1000:.1f} ms over {heartbeat.ticks} ticks")  # noqa: T201 - the measurement, for `pytest -s`
    assert heartbeat.max_gap < MAX_GAP_S, f"the UI stalled for {heartbeat.max_gap * 1000:.0f} ms"


def scripted_load(count: int) -> tuple[list[Verdict], list[Verdict]]:
    """`count` numbers as first listed (checking…) and as finally decided (a third blocked)."""
    numbers = [
        parse_phone_number({
            "id": str(i), "phoneNumber": f"+1650555{i:04d}", "usageType": "DirectNumber",
            "paymentType": "Local", "type": "VoiceFax", "status": "Normal",
            "features": ["CallerId", "SmsSender", "MmsSender"], "country": {"isoCode": "US"},
        })
        for i in range(count)
    ]
    listed = [evaluate(n, None, config_state=ConfigState.LOADING) for n in numbers]
    final = [
        evaluate(n, parse_sms_configuration({
            "phoneNumberId": n.id,
            "smsCampaignInfo": {"status": "Submitted" if i % 3 == 0 else "Confirmed",
                                "useCases": ["CustomerCare"], "registrationTier": "LowVolume"},
            "smsBrandInfo": {"status": "Verified"},
        }))
        for i, n in enumerate(numbers)
    ]
    return listed, final


class ScriptedServices:
    """Replays a load as fast as the loop turns: only the window's own work is measured."""

    def __init__(self, listed: list[Verdict], final: list[Verdict]) -> None:
        self.listed, self.final = listed, final

    async def open_stored_session(self) -> AccountSession | None:
        return None

    async def open_demo_session(self) -> AccountSession:
        return AccountSession(client=None, environment="Scripted", is_demo=True)

    def load(self, session: AccountSession) -> AsyncIterator[Any]:
        return self._events()

    async def _events(self) -> AsyncIterator[Any]:
        yield SignedInAs(parse_extension({"id": "1", "name": "Test User", "extensionNumber": "101"}))
        yield NumbersListed(tuple(self.listed))
        for done, verdict in enumerate(self.final, start=1):
            yield VerdictUpdated(verdict)
            yield Progress(done, len(self.final))
            if done % 16 == 0:
                await asyncio.sleep(0.001)  # answers arrive over time, 16 workers at once
        yield LoadFinished(datetime.now(UTC))


async def test_the_windows_own_work_for_1000_numbers_never_stalls_the_loop(
    qtbot: QtBot, ui_settings: Settings
) -> None:
    listed, final = scripted_load(1000)
    window = MainWindow(ScriptedServices(listed, final), settings=ui_settings)
    qtbot.addWidget(window)
    window.show()
    heartbeat = Heartbeat()
    heartbeat.start()
    try:
        await first_load(window, within=30)
    finally:
        heartbeat.stop()
        await window.shutdown()
    assert window.sender_model.rowCount() == 1000
    assert sum(1 for v in window.sender_model.verdicts() if v.can_send_sms) == 666
    print(f"max heartbeat gap (UI only) {heartbeat.max_gap * 1000:.1f} ms over {heartbeat.ticks} ticks")  # noqa: T201 - the measurement, for `pytest -s`
    assert heartbeat.max_gap < MAX_UI_GAP_S, f"the UI stalled for {heartbeat.max_gap * 1000:.0f} ms"
