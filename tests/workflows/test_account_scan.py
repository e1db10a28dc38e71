"""The account scan against the simulator: joins, permissions, limits, cancel and resume."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from rc_sms_desktop.api.auth import TokenSessionEndedError
from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.demo import open_demo_client
from rc_sms_desktop.api.errors import SessionEndedError
from rc_sms_desktop.core.account_join import AUTO_RECEPTIONIST
from rc_sms_desktop.workflows.account_scan import (
    ADMIN_ROLE_HINT,
    AccountScan,
    RowsUpdated,
    ScanEvent,
    ScanFailed,
    ScanFinished,
    ScanPaused,
    ScanPermissionDenied,
    ScanProgress,
    ScanStarted,
    ScanWarning,
    default_state_path,
)
from tests.workflows.ending_session import SessionEndsAfter

# Production limits (Light 50, Medium 40, Heavy 10 per window) with the window scaled down.
FAST = {"rate_window_s": 0.05}

ClientFactory = Callable[..., Awaitable[RingCentralClient]]


@pytest.fixture
async def make_client() -> AsyncIterator[ClientFactory]:
    clients: list[RingCentralClient] = []

    async def make(**options: Any) -> RingCentralClient:
        client = await open_demo_client(**{**FAST, **options})
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def stats(client: RingCentralClient) -> dict[str, Any]:
    response = await client.http.get("/_simulator/stats")
    data: dict[str, Any] = response.json()
    return data


async def collect(scan: AccountScan) -> list[ScanEvent]:
    return [event async for event in scan.run()]


class Recorder:
    """Passes calls to the real client and remembers the paths, in order."""

    def __init__(self, client: RingCentralClient, *, signal_after: int | None = None) -> None:
        self.client = client
        self.scheduler = client.scheduler
        self.paths: list[str] = []
        self.signal_after = signal_after
        self.reached = asyncio.Event()  # set once `signal_after` requests were sent

    async def get_json(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        self.paths.append(path)
        if self.signal_after is not None and len(self.paths) >= self.signal_after:
            self.reached.set()
        return await self.client.get_json(path, params=params)


async def test_scan_joins_every_owner_kind(make_client: ClientFactory, tmp_path: Path) -> None:
    client = await make_client()
    scan = AccountScan(client, tmp_path / "scan.json")
    events = await collect(scan)

    assert isinstance(events[0], ScanStarted) and not events[0].resumed
    assert isinstance(events[-1], ScanFinished)
    rows = {row.e164: row for row in scan.rows()}
    assert events[-1].rows == len(rows) > 20
    kinds = {row.owner.kind for row in rows.values()}
    assert {"User", "Call queue", "IVR", "Site", AUTO_RECEPTIONIST} <= kinds

    # The demo's support-queue number texts through Alex; the main number through Priya.
    queue = next(r for r in rows.values() if r.owner.kind == "Call queue" and r.sms_holder)
    assert queue.sms_holder is not None and queue.sms_holder.kind == "User"
    assert queue.features and "SmsSender" in queue.features
    main = next(r for r in rows.values() if r.number.usage_type == "MainCompanyNumber")
    assert main.owner.kind == AUTO_RECEPTIONIST and main.sms_holder is not None
    # A site number nobody was given SMS for is blocked, and says so.
    site = next(r for r in rows.values() if r.owner.kind == "Site" and r.sms_holder is None)
    assert site.verdict_label == "Blocked"
    assert not any(row.pending for row in rows.values())
    # Rows with a campaign show it.
    assert any(r.campaign_status == "Confirmed" and r.use_cases for r in rows.values())
    assert (await stats(client))["throttled"] == 0


async def test_rows_arrive_in_batches_before_the_end(make_client: ClientFactory) -> None:
    client = await make_client(account_numbers=400, extensions=80)
    scan = AccountScan(client, None, flush_interval_s=0.01)
    events = await collect(scan)
    batches = [e for e in events if isinstance(e, RowsUpdated)]
    assert len(batches) > 1
    assert len({row.key for b in batches for row in b.rows}) == 400
    # Rows first appear in the account list's order (the simulator lists by id).
    first_seen = list(dict.fromkeys(row.key for b in batches for row in b.rows))
    assert first_seen == sorted(first_seen, key=int)
    progress = [e for e in events if isinstance(e, ScanProgress)]
    assert progress and progress[-1].done == progress[-1].total
    assert any(p.eta_s is not None and p.eta_s > 0 for p in progress)


async def test_a_flush_cut_short_by_the_end_of_the_scan_loses_no_row(
    make_client: ClientFactory,
) -> None:
    # The periodic flusher is cancelled when the scan ends, possibly between two slices of a
    # flush; the final flush must still send every row (it lost the unsent slices before, and a
    # 400-number scan sometimes filled the Account table with 300 rows).
    client = await make_client(account_numbers=400, extensions=80)
    scan = AccountScan(client, None)
    await collect(scan)
    scan._dirty.update(scan.join.keys())
    flushing = asyncio.create_task(scan._flush())
    await asyncio.sleep(0)  # the first slice goes out, then the flush yields to the loop
    flushing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flushing
    await scan._flush()
    sent: set[str] = set()
    while not scan._events.empty():
        event = scan._events.get_nowait()
        if isinstance(event, RowsUpdated):
            sent.update(row.key for row in event.rows)
    assert len(sent) == 400


async def test_user_without_admin_rights_gets_a_clear_message(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    client = await make_client(admin=False)
    scan = AccountScan(client, tmp_path / "scan.json")
    events = await collect(scan)

    denied = [e for e in events if isinstance(e, ScanPermissionDenied)]
    assert len(denied) == 1
    assert denied[0].error_code in ("CMN-408", "CMN-402")
    assert "not allowed" in denied[0].message
    assert denied[0].role_needed == ADMIN_ROLE_HINT
    assert not [e for e in events if isinstance(e, ScanWarning | ScanFinished)]
    assert scan.rows() == []
    # One refused request, then nothing more: no list of other people's numbers was tried.
    requests = (await stats(client))["requests"]
    assert requests.get("Light", 0) == 0 and requests.get("Medium", 0) == 0


async def test_no_429_at_scale_under_production_limits(make_client: ClientFactory) -> None:
    client = await make_client(account_numbers=2000, extensions=300)
    scan = AccountScan(client, None)
    events = await collect(scan)
    assert isinstance(events[-1], ScanFinished) and events[-1].rows == 2000
    numbers = await stats(client)
    assert numbers["throttled"] == 0
    assert numbers["requestsDuringPenalty"] == 0
    assert numbers["requests"]["Heavy"] == 2  # perPage 1000
    assert numbers["requests"]["Medium"] == 1


async def test_cancel_then_resume_continues_instead_of_starting_over(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    options = {"account_numbers": 300, "extensions": 60}
    state = tmp_path / "scan.json"

    # A full scan, for reference.
    reference_client = await make_client(**options)
    reference = AccountScan(reference_client, None)
    await collect(reference)
    full_light = (await stats(reference_client))["requests"]["Light"]
    expected = {r.key: (r.verdict_label, r.reason_code, r.sms_holder) for r in reference.rows()}

    client = await make_client(**options)
    first_calls = Recorder(client, signal_after=full_light // 2)
    first = AccountScan(first_calls, state, save_interval_s=0.0, light_workers=8)

    # Cancel half-way, as the window's Cancel button does: by cancelling the consuming task.
    task = asyncio.create_task(collect(first))
    await asyncio.wait_for(first_calls.reached.wait(), 30)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert 0 < len(first_calls.paths) < full_light
    assert state.is_file()

    second_calls = Recorder(client)
    second = AccountScan(second_calls, state)
    events = await collect(second)
    assert isinstance(events[0], ScanStarted) and events[0].resumed
    # The rows saved so far come back at once, before any new request.
    assert isinstance(events[1], RowsUpdated) and events[1].rows
    assert isinstance(events[-1], ScanFinished)
    assert len(second_calls.paths) < full_light  # it did not read everything again
    # Only the requests that were in flight when it was cancelled are asked again.
    repeated = set(first_calls.paths) & set(second_calls.paths)
    assert len(repeated) <= 8
    got = {r.key: (r.verdict_label, r.reason_code, r.sms_holder) for r in second.rows()}
    assert got == expected


async def test_task_cancel_saves_progress(make_client: ClientFactory, tmp_path: Path) -> None:
    client = await make_client(account_numbers=300, extensions=60)
    state = tmp_path / "scan.json"
    scan = AccountScan(client, state)
    underway = asyncio.Event()

    async def consume() -> None:
        async for event in scan.run():
            if isinstance(event, ScanProgress) and event.done > 20:
                underway.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(underway.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    saved = json.loads(state.read_text())
    assert saved["accountNumbersComplete"] is True
    assert saved["extensionLists"]
    assert saved["finishedAt"] is None


async def test_refresh_reads_what_changed_first(make_client: ClientFactory, tmp_path: Path) -> None:
    client = await make_client()
    state = tmp_path / "scan.json"
    await collect(AccountScan(client, state))

    # Pretend a number moved to another extension since the last scan.
    saved = json.loads(state.read_text())
    record = next(
        r for r in saved["accountNumbers"].values()
        if r.get("usageType") == "DirectNumber" and r.get("extension")
    )
    owner = str(record["extension"]["id"])
    record["extension"] = {"id": 1, "name": "Somebody Else", "extensionNumber": "999"}
    # ... and that the account had a number it no longer has.
    saved["accountNumbers"]["999"] = {"id": 999, "phoneNumber": "+16505559999",
                                      "usageType": "DirectNumber", "status": "Normal"}
    # ... and an extension, since deleted, that held the SMS of the main number.
    main = next(k for k, r in saved["accountNumbers"].items()
                if r.get("usageType") == "MainCompanyNumber")
    main_e164 = saved["accountNumbers"][main]["phoneNumber"]
    saved["extensions"]["100"] = {"id": 100, "name": "Gone Person", "extensionNumber": "777",
                                  "type": "User", "status": "Enabled"}
    saved["extensionLists"]["100"] = {"records": [{
        "id": int(main), "phoneNumber": main_e164, "usageType": "MainCompanyNumber",
        "status": "Normal", "features": ["CallerId", "SmsSender"]}], "at": saved["finishedAt"]}
    state.write_text(json.dumps(saved))

    recorder = Recorder(client)
    refresh = AccountScan(recorder, state)
    events = await collect(refresh)
    assert isinstance(events[0], ScanStarted) and events[0].resumed
    assert isinstance(events[-1], ScanFinished)
    # The old row was shown at first, then removed.
    assert any(isinstance(e, RowsUpdated) and "999" in {r.key for r in e.rows} for e in events)
    assert any(isinstance(e, RowsUpdated) and "999" in e.removed for e in events)
    assert "999" not in {r.key for r in refresh.rows()}
    holder = next(r for r in refresh.rows() if r.key == main).sms_holder
    assert holder is not None and holder.name != "Gone Person"
    light = [p for p in recorder.paths if "/extension/" in p]
    # The changed number's owner's list is read before any other extension's list.
    assert light[0].endswith(f"/extension/{owner}/phone-number")


async def test_state_file_holds_no_secret(make_client: ClientFactory, tmp_path: Path) -> None:
    client = await make_client(token_prefix="SECRET-TOKEN-")
    state = tmp_path / "scan.json"
    await collect(AccountScan(client, state))
    text = state.read_text()
    assert "SECRET-TOKEN-" not in text
    assert "access_token" not in text and "refresh_token" not in text
    assert default_state_path("37439510").name == "account-scan-37439510.json"


async def test_damaged_state_file_starts_over(make_client: ClientFactory, tmp_path: Path) -> None:
    client = await make_client()
    state = tmp_path / "scan.json"
    state.write_text("{not json")
    events = await collect(AccountScan(client, state))
    assert isinstance(events[0], ScanStarted) and not events[0].resumed
    assert isinstance(events[-1], ScanFinished)


async def test_sms_recipients_asked_only_for_shared_numbers_without_holder(
    make_client: ClientFactory,
) -> None:
    client = await make_client()
    recorder = Recorder(client)
    scan = AccountScan(recorder, None)
    await collect(scan)
    asked = [p for p in recorder.paths if p.endswith("/sms-recipients")]
    # The demo's two site numbers have no SMS holder; everything else is decided by the lists.
    unheld = {
        r.owner.id for r in scan.rows()
        if r.owner.kind in ("Site", "Call queue", "IVR") and "SmsSender" not in r.features
    }
    assert asked and {p.split("/")[-2] for p in asked} == unheld
    assert len(asked) == len(set(asked))


async def scan_with_faults_after_the_first_rows(
    client: RingCentralClient, scan: AccountScan, *faults: str
) -> list[ScanEvent]:
    """Run `scan`; when its first rows arrive, the simulator fails one request with each of
    `faults` (its fault kinds). Every event, in order."""
    events: list[ScanEvent] = []
    injected = False
    async for event in scan.run():
        if not injected and isinstance(event, RowsUpdated):
            injected = True
            for kind in faults:
                await client.http.post(f"/_simulator/fault?kind={kind}&count=1")
        events.append(event)
    return events


async def test_faults_mid_scan_are_retried_and_lose_nothing(make_client: ClientFactory) -> None:
    client = await make_client(account_numbers=300, extensions=60)
    scan = AccountScan(client, None)
    events = await scan_with_faults_after_the_first_rows(client, scan, "reset", "500", "badjson")
    assert isinstance(events[-1], ScanFinished)
    assert (await stats(client))["faults"]  # they did happen
    rows = scan.rows()
    assert len(rows) == 300 and not any(r.pending or r.unavailable for r in rows)


async def test_an_account_list_that_keeps_failing_ends_in_a_message(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    client = await make_client()
    for kind in ("500", "reset", "503", "500"):
        await client.http.post(f"/_simulator/fault?kind={kind}&count=1")
    events = await collect(AccountScan(client, tmp_path / "scan.json"))
    failed = [e for e in events if isinstance(e, ScanFailed)]
    assert len(failed) == 1 and "try again" in failed[0].message.lower()
    assert not [e for e in events if isinstance(e, ScanFinished)]


@pytest.mark.parametrize("error", [SessionEndedError, TokenSessionEndedError])
@pytest.mark.parametrize("after", [1, 3, 40])
async def test_a_session_that_ends_stops_the_scan_at_once(
    make_client: ClientFactory, error: type[SessionEndedError], after: int
) -> None:
    # after=1: the extension list (Medium); 3: pages of the lists; 40: in the Light workers,
    # whose per-row handlers must let the end of the session through.
    client = await make_client(account_numbers=300, extensions=60)
    ending = SessionEndsAfter(client, after, error)
    events = await collect(AccountScan(ending, None, per_page=100))
    assert ending.calls == after + 1  # the request that heard of the end, and not one more
    assert ending.calls_after_the_end == 0
    failed = [e for e in events if isinstance(e, ScanFailed)]
    assert len(failed) == 1 and "sign in again" in failed[0].message.lower()
    assert not [e for e in events if isinstance(e, ScanFinished | ScanWarning)]


def test_the_scan_and_the_command_line_import_no_qt() -> None:
    import subprocess
    import sys

    code = (
        "import sys, rc_sms_desktop.workflows.account_scan, rc_sms_desktop.cli.account_check;"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'qasync', 'rc_sms_desktop.ui')));"
        "sys.exit(', '.join(bad) if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


async def test_a_429_pause_is_reported_and_respected(make_client: ClientFactory) -> None:
    client = await make_client(account_numbers=300, extensions=60)
    events = await scan_with_faults_after_the_first_rows(client, AccountScan(client, None), "429")
    pauses = [e for e in events if isinstance(e, ScanPaused)]
    last = events[-1]
    assert isinstance(last, ScanFinished) and last.rows == 300
    assert [p.reason for p in pauses][:1] == ["penalty"]
    assert pauses[0].resume_at is not None and pauses[-1].resume_at is None  # paused, then resumed
    # Nothing was sent to the group while RingCentral's penalty ran.
    assert (await stats(client))["requestsDuringPenalty"] == 0
