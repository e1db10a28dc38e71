"""The account scan: every account number, its owner, SMS holder and configuration, within limits.

RingCentral needs four kinds of request for this (listAccountPhoneNumbers; listExtensions, readExtension; https://developers.ringcentral.com/guide/basics/rate-limits): the account number list
(Heavy, 10/min), the extension list (Medium, 40/min), each extension's own number list (Light)
and each number's SMS configuration (Light, 50/min shared with the lists). The Light group is
the floor: the scan keeps every group busy at its own limit in parallel (the client's rate-limit
scheduler paces each group; we only keep enough requests waiting), so it finishes close to
`Light requests / Light limit` and never provokes a 429.

`AccountScan(client, state_path).run()` yields `ScanEvent`s as data arrives: rows first from the
saved state (if any; its format and codec live in `scan_state`), then batches of changed rows,
progress with an ETA, and a final event.
Cancel it by cancelling the task that consumes it; progress is saved to `state_path` (raw
RingCentral records and timestamps; nothing secret) so the next run resumes. A run after a
finished scan refreshes: it re-lists numbers and extensions and re-reads what changed first.
Qt-free: the window and the command line both drive it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from rc_sms_desktop.api import endpoints
from rc_sms_desktop.api.errors import ApiError, PermissionDeniedError, SessionEndedError, explain
from rc_sms_desktop.core.account_join import AccountJoin, AccountRow
from rc_sms_desktop.core.eligibility import ConfigState
from rc_sms_desktop.core.models import MalformedPage, parse_page, record_id
from rc_sms_desktop.core.support_capture import build_account_capture
from rc_sms_desktop.workflows.scan_state import (
    ScanState,
    encode_state,
    load_state_in_slices,
    parse_time,
    save_state,
    write_state,
)

log = logging.getLogger(__name__)

FLUSH_BATCH = 100  # rows per RowsUpdated event, and per slice of the loop's time (~5 ms each)
RESTORE_SLICE = 100  # saved records parsed per turn of the loop
PER_PAGE = 1000  # the maximum: fewer Heavy calls (10 numbers pages for 10,000 numbers)
ACCOUNT_NUMBERS_PATH = endpoints.ACCOUNT_NUMBERS
EXTENSIONS_PATH = endpoints.EXTENSIONS

# Priorities of Light work (lower first). Lists come before configurations: one list reveals the
# features of many numbers (and so whether their configuration matters at all).
_P_CHANGED_LIST = 0
_P_LIST = 1
_P_CHANGED_CONFIG = 2
_P_CONFIG = 3
_P_STALE_LIST = 4
_P_STALE_CONFIG = 5
_P_RECIPIENTS = 6

ADMIN_ROLE_HINT = (
    "The Account view reads the company's phone numbers and extensions, which RingCentral allows "
    "only to users whose role includes the “Company Phone Numbers” and “Extensions” read "
    "permissions (for example Super Admin or Phone System Admin). Ask a super admin of your "
    "account to give you such a role, then scan again."
)


class JsonClient(Protocol):
    """What the scan needs of `api.client.RingCentralClient`."""

    async def get_json(self, path: str, *, params: Any = None) -> Any: ...


def state_path_for(server_url: str, owner_id: str | None) -> Path:
    """A signed-in user's saved scan: one file per server and user, the name saying neither."""
    digest = hashlib.sha256(f"{server_url}|{owner_id}".encode()).hexdigest()[:16]
    return default_state_path(digest)


def default_state_path(account_key: str = "default") -> Path:
    """Where a scan's progress lives: the user cache directory (it can be rebuilt any time)."""
    import platformdirs

    safe = "".join(ch for ch in account_key if ch.isalnum() or ch in "-_") or "default"
    return Path(platformdirs.user_cache_dir("rc-sms-desktop")) / f"account-scan-{safe}.json"


# -- events -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScanStarted:
    """The scan began; `resumed` when it continues or refreshes a saved one."""

    resumed: bool
    previous_as_of: datetime | None


@dataclass(frozen=True, slots=True)
class RowsUpdated:
    """New or changed rows (insert or replace by `AccountRow.key`) and keys that disappeared."""

    rows: tuple[AccountRow, ...]
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """Requests done and (estimated) total; `eta_s` from the rate limits and the pace so far."""

    done: int
    total: int
    eta_s: float | None
    phase: str


@dataclass(frozen=True, slots=True)
class ScanPaused:
    """A rate-limit group waits: `reason` "pacing" (its window is full: the normal pace of a
    long scan) or "penalty" (RingCentral answered 429); `resume_at` None when it goes again."""

    group: str
    resume_at: datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class ScanWarning:
    """Something went wrong for part of the data; the rest of the scan goes on."""

    message: str


@dataclass(frozen=True, slots=True)
class ScanPermissionDenied:
    """The signed-in user may not read the account lists (403 CMN-408 / CMN-402)."""

    message: str
    role_needed: str
    error_code: str | None


@dataclass(frozen=True, slots=True)
class ScanFinished:
    """Every request is answered; `as_of` is when this scan started asking."""

    as_of: datetime
    rows: int
    warnings: int


@dataclass(frozen=True, slots=True)
class ScanFailed:
    """The scan stopped: the session ended, RingCentral is down… `message` is for a person."""

    message: str


ScanEvent = (
    ScanStarted
    | RowsUpdated
    | ScanProgress
    | ScanPaused
    | ScanWarning
    | ScanPermissionDenied
    | ScanFinished
    | ScanFailed
)


class _StopScan(Exception):
    """An error that ends the whole scan: it passes through every per-row handler."""


class _PermissionDenied(_StopScan):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class _SessionEnded(_StopScan):
    """The sign-in is no longer valid: every further request would fail the same way."""


class _Fatal(Exception):
    """A list the scan cannot go on without was unreadable (one extension's list is only a
    warning: its per-row handler catches this)."""


# -- the scan --------------------------------------------------------------------------------


class AccountScan:
    """Scans the whole account within RingCentral's rate limits (see the module docstring).

    `light_workers` bounds how many Light requests wait in the scheduler at once (enough to keep
    the group at its limit; more only costs memory). Tests shorten the intervals.
    """

    def __init__(
        self,
        client: JsonClient,
        state_path: Path | None = None,
        *,
        per_page: int = PER_PAGE,
        light_workers: int = 12,
        flush_interval_s: float = 0.2,
        save_interval_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._state_path = state_path
        self._per_page = per_page
        self._light_workers = max(1, light_workers)
        self._flush_interval = flush_interval_s
        self._save_interval = save_interval_s
        self._clock = clock
        self.join = AccountJoin()
        self._state = ScanState()
        self._events: asyncio.Queue[ScanEvent | None] = asyncio.Queue()
        self._dirty: set[str] = set()
        self._removed: set[str] = set()
        self._light: asyncio.PriorityQueue[tuple[int, int, str, str]] = asyncio.PriorityQueue()
        self._seq = 0
        self._queued_lists: dict[str, int] = {}  # extension id -> best priority queued
        self._lists_read: set[str] = set()
        self._queued_configs: set[str] = set()
        self._outstanding = 0  # queued + running Light items
        self._lists_done = asyncio.Event()
        self._heavy_medium_done = False
        self._changed_numbers: set[str] = set()
        # Set once the account list answered: a user without admin rights learns it from one
        # request, before anything else is sent.
        self._allowed = asyncio.Event()
        self._recipients_available = True
        self._resolved: set[str] = set()  # keys whose features are known (for the estimate)
        self._light_answered = False  # the scheduler knows the Light limit from a response
        self._refresh = False
        self._done = 0
        self._known_total = 0
        self._started = 0.0
        self._warnings = 0
        self._last_save = 0.0
        self._save_task: asyncio.Task[None] | None = None
        # The first error that ends the scan (session ended, permission denied, unreadable list):
        # once set, no further request is sent.
        self._stop_error: _StopScan | None = None
        self._stopped = asyncio.Event()

    # -- public -----------------------------------------------------------------------------

    async def run(self) -> AsyncIterator[ScanEvent]:
        """Scan, yielding events; ends after `ScanFinished`, `ScanFailed` or permission denial.

        To stop early, cancel the consuming task, or leave the loop inside
        `contextlib.aclosing(scan.run())`: either way progress is saved before it returns.
        """
        producer = asyncio.create_task(self._produce(), name="account-scan")
        unsubscribe = self._listen_to_pauses()
        try:
            while True:
                event = await self._events.get()
                if event is None:
                    break
                yield event
                # Queue.get() does not yield while events wait: without this, a consumer would
                # apply a backlog of batches (thousands of rows) in one go and freeze the window.
                await asyncio.sleep(0)
        finally:
            unsubscribe()
            if not producer.done():
                producer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await producer
            # A background save still running holds an older snapshot: let it land first.
            if self._save_task is not None:
                with contextlib.suppress(Exception):
                    await self._save_task
            # The last save is encoded on the loop in slices, then written by a thread, which
            # finishes the file even if this task is cancelled again meanwhile.
            if self._state_path is not None:
                payload = self._snapshot()
                try:
                    chunks = await encode_state(payload)
                except asyncio.CancelledError:
                    # Cancelled again while encoding: the thread encodes and writes it all.
                    await asyncio.to_thread(write_state, self._state_path, payload)
                    raise
                await asyncio.to_thread(write_state, self._state_path, chunks)

    def rows(self) -> list[AccountRow]:
        """All rows as the scan knows them now."""
        return self.join.rows()

    def capture(self, own_extension_id: str | None) -> dict[str, Any]:
        """What the scan read, as a support capture (core/support_capture.py)."""
        state = self._state
        return build_account_capture(
            own_extension_id, state.account_numbers.values(), state.extensions,
            state.extension_lists, state.configs,
        )

    def _listen_to_pauses(self) -> Callable[[], None]:
        scheduler = getattr(self._client, "scheduler", None)
        add_listener = getattr(scheduler, "add_listener", None)
        if not callable(add_listener):
            return lambda: None

        def heard(pause: Any) -> None:
            resume = getattr(pause, "resume_datetime", None)
            self._emit(
                ScanPaused(
                    str(getattr(pause, "group", "")),
                    resume if isinstance(resume, datetime) else None,
                    str(getattr(pause, "reason", "penalty")),
                )
            )

        remove = add_listener(heard)
        return remove if callable(remove) else (lambda: None)

    # -- orchestration ----------------------------------------------------------------------

    async def _produce(self) -> None:
        try:
            await self._scan_until_stopped()
        except _PermissionDenied as denied:
            error = denied.error
            code = getattr(error, "error_code", None)
            rc_message = getattr(error, "rc_message", None)
            message = "You are not allowed to read this account's phone numbers and extensions"
            if code:
                message += f" (RingCentral {code}"
                message += f": {rc_message})" if rc_message else ")"
            self._emit(ScanPermissionDenied(message + ".", ADMIN_ROLE_HINT, code))
        except asyncio.CancelledError:
            raise
        except (_Fatal, _SessionEnded) as exc:
            self._emit(ScanFailed(str(exc)))
        except ApiError as exc:  # RingCentral (or the network) failed us even after retries
            log.warning("Account scan stopped: %s", exc)
            self._emit(ScanFailed(_user_message(exc)))
        except Exception as exc:  # the consumer must hear of every failure, never hang
            log.exception("Account scan failed")
            self._emit(ScanFailed(_user_message(exc)))
        finally:
            self._events.put_nowait(None)

    async def _scan_until_stopped(self) -> None:
        """Run the scan; a `_StopScan` raised in a Light worker ends it at once (the worker's
        own task would otherwise die unheard while the scan waits for it)."""
        scan = asyncio.create_task(self._scan(), name="account-scan-main")
        stopped = asyncio.create_task(self._stopped.wait(), name="account-scan-stop")
        try:
            await asyncio.wait({scan, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (scan, stopped):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
        if self._stop_error is not None:
            raise self._stop_error
        scan.result()

    def _stop(self, error: _StopScan) -> _StopScan:
        """Record the error that ends the scan (the first one wins) and return it."""
        if self._stop_error is None:
            self._stop_error = error
            self._stopped.set()
        return self._stop_error

    async def _scan(self) -> None:
        self._started = self._clock()
        previous = await load_state_in_slices(self._state_path) if self._state_path else None
        resumed = previous is not None
        if previous is not None:
            await self._restore(previous)
        finished_before = bool(previous and previous.finished_at)
        self._refresh = finished_before
        started = _now()
        if previous is None or finished_before:
            self._state.started_at = started.isoformat()
            self._state.finished_at = None
        self._emit(ScanStarted(resumed, parse_time(previous.started_at) if previous else None))
        await self._flush()

        relist_numbers = not self._state.account_numbers_complete or finished_before
        relist_extensions = not self._state.extensions_complete or finished_before
        if not relist_numbers:
            self._allowed.set()
        workers = [
            asyncio.create_task(self._light_worker(), name=f"account-scan-light-{i}")
            for i in range(self._light_workers)
        ]
        flusher = asyncio.create_task(self._flush_loop(), name="account-scan-flush")
        try:
            if not relist_extensions:
                self._queue_all_lists()
            await asyncio.gather(
                self._list_account_numbers() if relist_numbers else _noop(),
                self._list_extensions() if relist_extensions else _noop(),
            )
            self._heavy_medium_done = True
            if self._refresh:
                self._queue_stale_work()
            await self._queue_configs_of_all()
            await self._wait_light_idle()
            # Every list is in (or failed): numbers without a holder now have a final verdict,
            # and some may now need their configuration.
            self._mark(self.join.set_all_lists_loaded())
            await self._queue_configs_of_all()
            await self._queue_recipients()
            await self._wait_light_idle()
        finally:
            for task in (*workers, flusher):
                task.cancel()
            for task in (*workers, flusher):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._state.finished_at = _now().isoformat()
        await self._flush()
        self._emit_progress("done")
        self._emit(ScanFinished(as_of=started, rows=len(self.join), warnings=self._warnings))

    async def _restore(self, state: ScanState) -> None:
        """Rebuild the join from a saved scan, in slices: 10,000 numbers take seconds of
        parsing, and the window must keep turning meanwhile."""
        self._state = state
        numbers = list(state.account_numbers.values())
        as_of = parse_time(state.account_numbers_as_of)
        for start in range(0, len(numbers), RESTORE_SLICE):
            self.join.add_account_numbers(numbers[start : start + RESTORE_SLICE], as_of=as_of)
            await asyncio.sleep(0)
        extensions = list(state.extensions.values())
        for start in range(0, len(extensions), RESTORE_SLICE):
            self.join.add_extensions(extensions[start : start + RESTORE_SLICE])
            await asyncio.sleep(0)
        for index, (ext_id, entry) in enumerate(state.extension_lists.items()):
            self.join.add_extension_numbers(ext_id, entry["records"], as_of=parse_time(entry.get("at")))
            if index % 20 == 19:
                await asyncio.sleep(0)
        for index, (key, entry) in enumerate(state.configs.items()):
            config_state = ConfigState.FAILED if entry.get("failed") else ConfigState.LOADED
            self.join.set_config(key, entry.get("raw"), state=config_state, as_of=parse_time(entry.get("at")))
            if index % RESTORE_SLICE == RESTORE_SLICE - 1:
                await asyncio.sleep(0)
        for owner_id, body in state.recipients.items():
            self.join.set_sms_recipients(owner_id, body)
        if state.finished_at:
            self.join.set_all_lists_loaded()
        self._dirty.update(self.join.keys())

    # -- Heavy and Medium: the two account-wide lists ------------------------------------------

    async def _pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[list[Any]]:
        """All pages of a list: page 1 first (to learn the count), then the rest concurrently."""
        first = await self._get_page(path, {**params, "page": 1, "perPage": self._per_page})
        self._count(1)
        if path == ACCOUNT_NUMBERS_PATH:
            self._allowed.set()
        yield first.records
        total_pages = first.total_pages or 1
        if total_pages <= 1:
            if first.next_page_uri and len(first.records) >= self._per_page:
                # No page count but a next page: walk sequentially.
                page = 2
                while True:
                    nxt = await self._get_page(path, {**params, "page": page, "perPage": self._per_page})
                    self._count(1)
                    yield nxt.records
                    if not nxt.next_page_uri or not nxt.records:
                        return
                    page += 1
            return
        self._known_total += total_pages - 1
        tasks = [
            asyncio.create_task(self._get_page(path, {**params, "page": n, "perPage": self._per_page}))
            for n in range(2, total_pages + 1)
        ]
        try:
            for task in asyncio.as_completed(tasks):
                page = await task
                self._done += 1
                yield page.records
        finally:
            for task in tasks:
                task.cancel()

    async def _get_page(self, path: str, params: dict[str, Any]) -> Any:
        body = await self._get(path, params)
        try:
            return parse_page(body)
        except MalformedPage as exc:
            raise _Fatal(f"RingCentral sent a list we could not read ({exc}).") from exc

    async def _list_account_numbers(self) -> None:
        self._known_total += 1
        previous = dict(self._state.account_numbers)
        as_of = _now()
        seen: dict[str, Any] = {}
        async for page in self._pages(ACCOUNT_NUMBERS_PATH, {}):
            for start in range(0, len(page), FLUSH_BATCH):
                if start:
                    await asyncio.sleep(0)  # a 1000-record page is processed in slices
                self._add_account_slice(page[start : start + FLUSH_BATCH], previous, seen, as_of)
        self._state.account_numbers = seen
        self._state.account_numbers_complete = True
        self._state.account_numbers_as_of = as_of.isoformat()
        # Lists read before the account list was complete kept everything; trim them now.
        for index, (ext_id, entry) in enumerate(list(self._state.extension_lists.items())):
            entry["records"] = [r for r in entry["records"] if self.join.is_relevant(ext_id, r)]
            if index % 100 == 99:
                await asyncio.sleep(0)
        gone = self.join.remove_numbers_not_in(set(seen) | {
            k for k in self.join if k.startswith("unidentified-")
        })
        if gone:
            self._removed.update(gone)
            for key in gone:
                self._state.configs.pop(key, None)
                self._dirty.discard(key)
        self._maybe_save()

    def _add_account_slice(
        self, records: list[Any], previous: Mapping[str, Any], seen: dict[str, Any], as_of: datetime
    ) -> None:
        # The join and the saved state share one compact copy of each record.
        compacted = [_compact(raw) for raw in records]
        keys = self.join.add_account_numbers(compacted, as_of=as_of)
        for compact in compacted:
            key = record_id(compact)
            if key is None:
                continue  # shown as a malformed row; nothing worth saving
            seen[key] = compact
            self._state.account_numbers[key] = compact
            old = previous.get(key)
            if self._refresh and (old is None or not _same_json(old, compact)):
                self._changed_numbers.add(key)
                owner = _owner_id(compact)
                if owner:
                    self._queue_list(owner, _P_CHANGED_LIST)
        self._mark(keys)
        self._queue_ready_configs(keys)

    def _add_extension_slice(
        self, records: list[Any], previous: Mapping[str, Any], seen: dict[str, Any]
    ) -> None:
        for raw in records:
            ext_id = record_id(raw)
            if ext_id is None:
                continue
            compact = seen[ext_id] = _compact(raw)
            self._state.extensions[ext_id] = compact
            old = previous.get(ext_id)
            changed = old is None or _ext_signature(old) != _ext_signature(compact)
            self._queue_list(
                ext_id,
                _P_CHANGED_LIST if self._refresh and changed else
                (_P_LIST if not self.join.list_loaded(ext_id) else _P_STALE_LIST),
            )
        self._mark(self.join.add_extensions(records))

    async def _list_extensions(self) -> None:
        self._known_total += 1
        await self._allowed.wait()
        previous = dict(self._state.extensions)
        seen: dict[str, Any] = {}
        async for page in self._pages(EXTENSIONS_PATH, {}):
            for start in range(0, len(page), FLUSH_BATCH):
                if start:
                    await asyncio.sleep(0)
                self._add_extension_slice(page[start : start + FLUSH_BATCH], previous, seen)
        # Extensions deleted since the last scan no longer hold anything.
        for ext_id in set(previous) - set(seen):
            self._state.extension_lists.pop(ext_id, None)
            self._mark(self.join.add_extension_numbers(ext_id, []))
        self._state.extensions = seen
        self._state.extensions_complete = True
        self._maybe_save()

    # -- Light: each extension's own list, each number's configuration -------------------------

    def _queue_all_lists(self) -> None:
        for ext_id in self._state.extensions:
            if ext_id not in self._state.extension_lists:
                self._queue_list(ext_id, _P_LIST)

    def _queue_stale_work(self) -> None:
        """A refresh re-reads everything, but what changed goes first (queued already)."""
        for ext_id in self._state.extensions:
            self._queue_list(ext_id, _P_STALE_LIST)

    def _queue_list(self, ext_id: str, priority: int) -> None:
        queued = self._queued_lists.get(ext_id)
        if queued is not None and queued <= priority:
            return
        if not self._refresh and ext_id in self._state.extension_lists:
            return
        if ext_id in self._lists_read:
            return
        # Queued again with a better priority (a refresh found a change): the worker skips
        # whichever copy comes second.
        self._queued_lists[ext_id] = priority
        self._put(priority, "list", ext_id)

    def _queue_ready_configs(self, keys: Any) -> None:
        for key in keys:
            if key in self._queued_configs:
                continue
            entry = self._state.configs.get(key)
            stale = entry is not None
            if entry is not None and not self._refresh and not entry.get("failed"):
                continue
            target = self.join.config_target(key)
            if target is None:
                continue
            self._queued_configs.add(key)
            if not stale:
                priority = _P_CONFIG
            else:
                priority = _P_CHANGED_CONFIG if key in self._changed_numbers else _P_STALE_CONFIG
            self._put(priority, "config", key)

    async def _queue_configs_of_all(self) -> None:
        keys = list(self.join)
        for start in range(0, len(keys), FLUSH_BATCH):
            self._queue_ready_configs(keys[start : start + FLUSH_BATCH])
            await asyncio.sleep(0)

    async def _queue_recipients(self) -> None:
        """Shared numbers no list shows a holder for: ask who texts for their owner, once each."""
        owners: set[str] = set()
        for index, key in enumerate(self.join):
            if index % FLUSH_BATCH == FLUSH_BATCH - 1:
                await asyncio.sleep(0)
            owner = self.join.needs_recipients(key)
            if owner is not None and owner not in owners:
                owners.add(owner)
                self._put(_P_RECIPIENTS, "recipients", owner)

    def _put(self, priority: int, kind: str, item: str) -> None:
        self._seq += 1
        self._outstanding += 1
        self._known_total += 1
        self._lists_done.clear()
        self._light.put_nowait((priority, self._seq, kind, item))

    async def _wait_light_idle(self) -> None:
        while self._outstanding > 0:
            await self._lists_done.wait()

    async def _light_worker(self) -> None:
        await self._allowed.wait()
        while True:
            _, _, kind, item = await self._light.get()
            try:
                if kind == "list":
                    if item in self._lists_read:
                        self._known_total -= 1
                        self._done -= 1
                        continue
                    self._lists_read.add(item)
                    await self._read_extension_list(item)
                elif kind == "recipients":
                    await self._read_recipients(item)
                else:
                    await self._read_config(item)
            except _StopScan as exc:
                self._stop(exc)
                return
            finally:
                self._done += 1
                self._light_answered = True
                self._outstanding -= 1
                if self._outstanding == 0:
                    self._lists_done.set()

    async def _read_extension_list(self, ext_id: str) -> None:
        path = endpoints.extension_numbers(ext_id)
        records: list[Any] = []
        try:
            async for page in self._pages_quiet(path):
                records.extend(page)
        except _StopScan:
            raise
        except Exception as exc:  # one extension's list must not stop the scan
            self._warn(f"Could not read the numbers of extension {ext_id}: {_user_message(exc)}")
            self._mark(self.join.mark_list_failed(ext_id, _user_message(exc)))
            return
        at = _now()
        records = [_compact(r) for r in records]
        changed = self.join.add_extension_numbers(ext_id, records, as_of=at)
        # Save only what the join needs: a company number on every user's list is not.
        kept = [r for r in records if self.join.is_relevant(ext_id, r)]
        self._state.extension_lists[ext_id] = {"records": kept, "at": at.isoformat()}
        self._mark(changed)
        self._queue_ready_configs(changed)
        self._maybe_save()

    async def _pages_quiet(self, path: str) -> AsyncIterator[list[Any]]:
        """Pages of an extension's own list; extra pages (rare) are counted as they come."""
        page_no = 1
        while True:
            page = await self._get_page(path, {"page": page_no, "perPage": self._per_page})
            yield page.records
            total = page.total_pages or 1
            if page_no >= total and not (page.total_pages is None and page.next_page_uri):
                return
            if not page.records:
                return
            page_no += 1

    async def _read_config(self, key: str) -> None:
        target = self.join.config_target(key)
        if target is None:
            return
        ext_id, number_id = target
        path = endpoints.sms_configuration(number_id, ext_id)
        at = _now()
        try:
            raw = await self._get(path, None)
        except _StopScan:
            raise
        except Exception as exc:
            self._state.configs[key] = {"raw": None, "failed": _user_message(exc), "at": at.isoformat()}
            self._mark(self.join.set_config(key, None, state=ConfigState.FAILED, as_of=at))
            return
        self._state.configs[key] = {"raw": raw, "at": at.isoformat()}
        self._mark(self.join.set_config(key, raw, as_of=at))
        self._maybe_save()

    async def _read_recipients(self, owner_id: str) -> None:
        """`sms-recipients` (availability Limited): silently unused where the account lacks it."""
        if not self._recipients_available:
            return
        try:
            body = await self._get(endpoints.sms_recipients(owner_id), None)
        except _StopScan:
            raise
        except Exception as exc:
            status = getattr(exc, "status", None)
            if status in (403, 404, 501):
                self._recipients_available = False  # not on this account: the lists must do
            else:
                self._warn(f"Could not read who texts for extension {owner_id}: {_user_message(exc)}")
            return
        self._state.recipients[owner_id] = body
        self._mark(self.join.set_sms_recipients(owner_id, body))

    # -- plumbing ------------------------------------------------------------------------------

    async def _get(self, path: str, params: Mapping[str, Any] | None) -> Any:
        if self._stop_error is not None:
            raise self._stop_error  # the scan is over: not one more request
        try:
            return await self._client.get_json(path, params=params)
        except asyncio.CancelledError:
            raise
        except PermissionDeniedError as exc:
            if path in (ACCOUNT_NUMBERS_PATH, EXTENSIONS_PATH):
                raise self._stop(_PermissionDenied(exc)) from exc
            raise
        except SessionEndedError as exc:  # TokenSessionEndedError included
            raise self._stop(_SessionEnded(_user_message(exc))) from exc

    def _count(self, n: int) -> None:
        self._done += n

    def _mark(self, keys: Any) -> None:
        self._dirty.update(keys)

    def _warn(self, message: str) -> None:
        self._warnings += 1
        self._emit(ScanWarning(message))

    def _emit(self, event: ScanEvent) -> None:
        self._events.put_nowait(event)

    async def _flush(self) -> None:
        """Send changed rows in batches of `FLUSH_BATCH`, letting the loop breathe in between
        (building a row runs the rules; 10,000 at once would freeze the window)."""
        if self._removed:
            self._emit(RowsUpdated((), tuple(sorted(self._removed))))
            self._removed.clear()
        pending = self.join.ordered(self._dirty)  # account-list order: the table fills in it
        self._dirty.intersection_update(pending)  # keys the join does not know are dropped
        for start in range(0, len(pending), FLUSH_BATCH):
            if start:
                await asyncio.sleep(0)
            # A key leaves the dirty set only as its row is emitted: the periodic flusher is
            # cancelled at the end of a scan, possibly between two slices, and the final flush
            # must still send the rows of the slices it did not reach (it lost them before: a
            # 400-number scan sometimes ended with 300 rows in the table).
            chunk = pending[start : start + FLUSH_BATCH]
            self._dirty.difference_update(chunk)
            rows = self.join.rows(chunk)
            self._resolved.update(row.key for row in rows if row.features_known)
            if rows:
                self._emit(RowsUpdated(tuple(rows)))

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval)
            await self._flush()
            self._emit_progress("scanning")

    def _emit_progress(self, phase: str) -> None:
        total = max(self._known_total + self._estimated_configs(), self._done)
        self._emit(ScanProgress(self._done, total, self._eta(total), phase))

    def _estimated_configs(self) -> int:
        """Configuration reads not queued yet: numbers whose features are still unknown, times
        the share of decided numbers that needed one (all of them until we know better)."""
        if self._heavy_medium_done and self.join.all_lists_loaded:
            return 0
        unresolved = len(self.join) - len(self._resolved)
        if unresolved <= 0:
            return 0
        needed = max(len(self._queued_configs), len(self._state.configs))
        share = needed / len(self._resolved) if self._resolved else 1.0
        return round(unresolved * min(share, 1.0))

    def _eta(self, total: int) -> float | None:
        remaining = total - self._done
        if remaining <= 0:
            return 0.0
        scheduler = getattr(self._client, "scheduler", None)
        limit_for = getattr(scheduler, "limit_for", None)
        if callable(limit_for) and self._light_answered:
            with contextlib.suppress(Exception):
                limit, window = limit_for("Light")
                if limit > 0:
                    return remaining * float(window) / float(limit)
        elapsed = self._clock() - self._started
        if self._done <= 0 or elapsed <= 0:
            return None
        return remaining * elapsed / self._done

    def _maybe_save(self) -> None:
        if self._state_path is None:
            return
        now = self._clock()
        if now - self._last_save < self._save_interval:
            return
        if self._save_task is not None and not self._save_task.done():
            return
        self._last_save = now
        payload = self._snapshot()
        path = self._state_path
        self._save_task = asyncio.create_task(save_state(path, payload))

    def _snapshot(self) -> dict[str, Any]:
        # Shallow copies: the writer thread never sees a dict that changes under it.
        data = self._state.to_json()
        for name in ("accountNumbers", "extensions", "extensionLists", "configs", "smsRecipients"):
            data[name] = dict(data[name])
        return data


def _now() -> datetime:
    return datetime.now(UTC)


async def _noop() -> None:
    return None


def _compact(raw: Any) -> Any:
    """A record without its `uri` links (a third of its size; the scan never follows them)."""
    if not isinstance(raw, dict):
        return raw
    out = {k: v for k, v in raw.items() if k != "uri"}
    for name in ("country", "extension", "site"):
        inner = out.get(name)
        if isinstance(inner, dict) and "uri" in inner:
            out[name] = {k: v for k, v in inner.items() if k != "uri"}
    return out


def _owner_id(raw: object) -> str | None:
    extension = raw.get("extension") if isinstance(raw, dict) else None
    return record_id(extension)


def _same_json(old: object, new: object) -> bool:
    return json.dumps(old, sort_keys=True, default=str) == json.dumps(new, sort_keys=True, default=str)


def _ext_signature(raw: object) -> tuple[Any, ...]:
    if not isinstance(raw, dict):
        return (raw,)
    site = raw.get("site")
    return (raw.get("type"), raw.get("status"), raw.get("name"), raw.get("extensionNumber"),
            site.get("id") if isinstance(site, dict) else None)


def _user_message(exc: BaseException) -> str:
    """`explain`'s words, with RingCentral's code when it sent one (to quote to support)."""
    words = explain(exc).message
    code = exc.error_code if isinstance(exc, ApiError) else None
    return f"{words} ({code})" if code else words
