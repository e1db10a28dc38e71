"""Turns RingCentral API calls into verdicts, as a stream of events. Knows nothing of Qt.

`SenderLoader(client, cache).load()` yields, in order:

- `CachedVerdicts` (a `NumbersListed` with `as_of`): the last load's verdicts from the disk
  cache, at once, before any request (only when a cache is given and holds this server);
- `SignedInAs(extension)`;
- `NumbersListed(verdicts)`: every number of the user, decided where the record alone decides;
  numbers whose SMS configuration matters show "checking" (or, when the cache has it, the
  cached configuration until the fresh one arrives);
- `Progress(0, N)`, then for each configuration fetched `VerdictUpdated(verdict)` and
  `Progress(done, N)`, the likeliest senders first, concurrently within the rate limits;
- `RateLimited(group, resume_at, reason)` whenever RingCentral pauses a group after a 429
  (reason "penalty") or a full window holds requests back for more than a few seconds ("pacing");
  `resume_at` is None when the group resumes. `LoadWarning(message)` for anything incomplete
  but usable;
- `LoadFinished(as_of)`, or `LoadFailed(error)` when the user or the numbers cannot be read.

A configuration that fails to load makes that one number `unknown` (`config-unavailable`).
Cancel by cancelling the consuming task (or closing the iterator): in-flight requests are
cancelled too. Starting a new `load()` on the same loader cancels the previous one.

Every load ends. When no request of the load has answered for the client's deadline (its
`Timeouts.deadline`, the most one attempt may take) while it was not waiting on RingCentral's rate
limits, the load stops with `LoadFailed(RequestTimeoutError)`; a failed load first marks the
numbers still being checked as not checked (`VerdictUpdated`, `config-unavailable`), so nothing
stays "being checked".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from rc_sms_desktop.api import endpoints
from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.errors import (
    ApiError,
    RateLimitedError,
    RequestTimeoutError,
    SessionEndedError,
)
from rc_sms_desktop.api.rate_limits import RateLimitPause, throttling_group
from rc_sms_desktop.core.eligibility import (
    ConfigState,
    UserFeatures,
    Verdict,
    evaluate,
    needs_configuration,
    sender_sort_key,
)
from rc_sms_desktop.core.models import (
    Extension,
    PhoneNumber,
    parse_extension,
    parse_phone_number,
    parse_sms_configuration,
)
from rc_sms_desktop.infra.cache import CachedLoad, CacheKey, VerdictCache

log = logging.getLogger(__name__)

# Configuration requests in flight at most, whatever the plan allows: the rate-limit group's
# limit (Light: 50 per window on the default plan) normally binds first.
MAX_WORKERS = 64
_YIELD_EVERY = 100  # evaluate this many numbers between turns of the event loop
# How often the stall watchdog looks at the clock (a fraction of any sensible deadline).
_WATCH_EVERY_S = 0.25


# --- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedInAs:
    """Who is signed in (the `readExtension` answer)."""

    extension: Extension


@dataclass(frozen=True)
class NumbersListed:
    """Every number of the user with a first verdict; replaces whatever was shown."""

    verdicts: tuple[Verdict, ...]


@dataclass(frozen=True)
class CachedVerdicts(NumbersListed):
    """The last load's verdicts from the disk cache (a `NumbersListed`), fetched at `as_of`."""

    as_of: datetime
    extension: Extension | None = None


@dataclass(frozen=True)
class VerdictUpdated:
    """One number's verdict after its SMS configuration arrived (or failed)."""

    verdict: Verdict


@dataclass(frozen=True)
class Progress:
    """`done` of `total` SMS configurations fetched."""

    done: int
    total: int


@dataclass(frozen=True)
class RateLimited:
    """A rate-limit group waits until `resume_at` (None: it has resumed).

    `reason` is "penalty" (RingCentral answered 429) or "pacing" (we are holding back because
    the group's window is full; announced only for waits over a few seconds).
    """

    group: str
    resume_at: datetime | None
    reason: str = "penalty"
    limit: int = 0  # with "pacing": the group's limit, `limit` requests per `window_s` seconds
    window_s: float = 0.0


@dataclass(frozen=True)
class LoadWarning:
    """Something is incomplete but the results are usable (paging stopped early, a long pause…)."""

    message: str


@dataclass(frozen=True)
class LoadFinished:
    """The load completed; the verdicts are as of `as_of`."""

    as_of: datetime


@dataclass(frozen=True)
class LoadFailed:
    """The load could not produce verdicts (sign-in ended, numbers unreadable, offline)."""

    error: Exception

    @property
    def message(self) -> str:
        """Plain text for the user."""
        if isinstance(self.error, ApiError):
            return self.error.user_message
        return "Something went wrong while loading your numbers."


LoadEvent = (
    SignedInAs
    | NumbersListed
    | VerdictUpdated
    | Progress
    | RateLimited
    | LoadWarning
    | LoadFinished
    | LoadFailed
)

_DONE = object()


# --- the loader --------------------------------------------------------------------------------


class _Watch:
    """One load's liveness: when a request last answered, which numbers are still being checked."""

    def __init__(self) -> None:
        self.last_answer = time.monotonic()
        self.unfinished: dict[str, PhoneNumber] = {}
        self.producer = asyncio.current_task()

    def answered(self) -> None:
        self.last_answer = time.monotonic()

    def mark_unfinished(self, emit: Callable[[object], None], user: UserFeatures | None) -> None:
        """A load that failed says so for every number still being checked: not checked."""
        for number in self.unfinished.values():
            emit(VerdictUpdated(
                evaluate(number, None, config_state=ConfigState.FAILED, user=user)
            ))
        self.unfinished.clear()


class SenderLoader:
    """Loads the signed-in user's numbers and SMS configurations into verdicts (see module doc)."""

    def __init__(
        self,
        client: RingCentralClient,
        cache: VerdictCache | None = None,
        *,
        max_workers: int = MAX_WORKERS,
    ) -> None:
        self.client = client
        self.cache = cache
        self.max_workers = max(1, max_workers)
        self._current: asyncio.Task[None] | None = None
        self._user: UserFeatures | None = None  # the signed-in user's serviceFeatures

    def cancel(self) -> None:
        """Stop the load in flight, if any."""
        if self._current is not None and not self._current.done():
            self._current.cancel()

    def load_cached(self) -> CachedVerdicts | None:
        """The last cached verdicts for this server, without any request (None when none)."""
        if self.cache is None:
            return None
        entry = self.cache.latest(self.client.server_url)
        if entry is None:
            return None
        return _cached_event(entry)

    async def load(self) -> AsyncIterator[LoadEvent]:
        """The events of one load (see the module doc). Cancels the previous load of this loader."""
        self.cancel()
        queue: asyncio.Queue[object] = asyncio.Queue()
        producer = asyncio.get_running_loop().create_task(
            self._produce(queue.put_nowait, queue), name="sender-loader"
        )
        self._current = producer
        # Cancelling the consuming task must stop the requests at once, even when the consumer
        # is cancelled outside this generator (which then waits for garbage collection).
        consumer = asyncio.current_task()

        def consumer_done(_task: object) -> None:
            producer.cancel()

        if consumer is not None:
            consumer.add_done_callback(consumer_done)
        try:
            while True:
                item = await queue.get()
                if item is _DONE:
                    return
                yield cast(LoadEvent, item)
        finally:
            if consumer is not None:
                consumer.remove_done_callback(consumer_done)
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await producer
            if self._current is producer:
                self._current = None

    # --- the work ------------------------------------------------------------------------------

    async def _produce(self, emit: Callable[[object], None], queue: asyncio.Queue[object]) -> None:
        def on_pause(pause: RateLimitPause) -> None:
            emit(RateLimited(pause.group, pause.resume_datetime, pause.reason, pause.limit, pause.window_s))

        unsubscribe = self.client.scheduler.add_listener(on_pause)
        watch = _Watch()
        try:
            async with asyncio.TaskGroup() as tasks:
                run = tasks.create_task(self._run(emit, watch), name="sender-loader-run")
                watchdog = tasks.create_task(self._watch(run, watch), name="sender-loader-watchdog")
                run.add_done_callback(lambda _run: watchdog.cancel())
        except asyncio.CancelledError:
            raise
        except BaseExceptionGroup as group:
            error = _first_error(group)
            watch.mark_unfinished(emit, self._user)
            if isinstance(error, ApiError):
                log.info("Load failed: %s", error)
            else:
                log.error("Load failed unexpectedly", exc_info=error)
            emit(LoadFailed(error))
        finally:
            unsubscribe()
            queue.put_nowait(_DONE)

    async def _watch(self, run: asyncio.Task[None], watch: _Watch) -> None:
        """Fail the load when nothing has answered for the client's deadline (see module doc)."""
        deadline = float(getattr(getattr(self.client, "timeouts", None), "deadline", 60.0))
        while not run.done():
            await asyncio.sleep(_WATCH_EVERY_S)
            now = time.monotonic()
            if self._waiting_on_rate_limits():
                # Pacing and penalties are RingCentral's (and shown as such), not a stall.
                watch.answered()
            elif now - watch.last_answer > deadline:
                log.warning("No answer from RingCentral for %.0f s; the load stops", deadline)
                raise RequestTimeoutError(
                    "RingCentral did not answer in time", method="GET", path=endpoints.MY_NUMBERS
                )

    def _waiting_on_rate_limits(self) -> bool:
        snapshot = getattr(self.client.scheduler, "snapshot", None)
        if not callable(snapshot):
            return False
        try:
            groups = list(snapshot())
        except Exception:  # diagnostics only
            return False
        return any(g.paused_until or (g.limit and g.in_window >= g.limit) for g in groups)


    async def _run(self, emit: Callable[[object], None], watch: _Watch) -> None:
        cached: CachedLoad | None = None
        if self.cache is not None:
            cached = self.cache.latest(self.client.server_url)
            if cached is not None:
                emit(_cached_event(cached))
                await asyncio.sleep(0)

        extension_raw = await self.client.get_json(
            endpoints.MY_EXTENSION, group=throttling_group("GET", endpoints.MY_EXTENSION)
        )
        watch.answered()
        extension = parse_extension(extension_raw)
        user = self._user = extension.service_features  # the user's role applies to every number
        emit(SignedInAs(extension))
        key = CacheKey(self.client.server_url, extension.account_id or "", extension.id)
        if cached is not None and cached.key != key:
            cached = self.cache.load(key) if self.cache is not None else None

        listing = await self.client.get_all(endpoints.MY_NUMBERS, params={"perPage": 1000})
        watch.answered()
        for warning in listing.warnings:
            emit(LoadWarning(warning))
        numbers_raw = list(listing.records)
        cached_configs = cached.configurations if cached is not None else {}

        verdicts: dict[str, Verdict] = {}
        to_fetch: list[PhoneNumber] = []
        for index, record in enumerate(numbers_raw):
            number = parse_phone_number(record)
            if needs_configuration(number):
                to_fetch.append(number)
                cached_raw = cached_configs.get(number.id)
                if cached_raw is not None:
                    verdict = evaluate(
                        number,
                        parse_sms_configuration(cached_raw),
                        config_state=ConfigState.LOADED,
                        user=user,
                    )
                else:
                    verdict = evaluate(number, None, config_state=ConfigState.LOADING, user=user)
            else:
                verdict = evaluate(number, user=user)
            verdicts[_verdict_key(number, index)] = verdict
            if index % _YIELD_EVERY == _YIELD_EVERY - 1:
                await asyncio.sleep(0)
        watch.unfinished = {n.id: n for n in to_fetch}
        emit(NumbersListed(tuple(verdicts.values())))

        fresh_configs = await self._fetch_configurations(to_fetch, verdicts, emit, watch)
        as_of = datetime.now(UTC)
        if self.cache is not None and extension.id:
            self.cache.save(
                CachedLoad(
                    key=key,
                    as_of=as_of,
                    extension=extension_raw,
                    numbers=numbers_raw,
                    configurations=fresh_configs,
                )
            )
        emit(LoadFinished(as_of))

    async def _fetch_configurations(
        self,
        numbers: Sequence[PhoneNumber],
        first_verdicts: dict[str, Verdict],
        emit: Callable[[object], None],
        watch: _Watch,
    ) -> dict[str, object]:
        total = len(numbers)
        emit(Progress(0, total))
        if not total:
            return {}
        # Likeliest senders first: the user's primary and direct numbers before shared ones.
        order = sorted(
            numbers,
            key=lambda n: sender_sort_key(first_verdicts.get(n.id) or evaluate(n)),
        )
        pending = deque(order)
        fresh: dict[str, object] = {}
        done = 0
        warned_long_pause = False
        group = throttling_group("GET", endpoints.sms_configuration("1"))
        # As many requests in flight as the group's window takes (the listing's answer has taught
        # the scheduler its limit), so one round trip fetches them all: sized by the limit, not
        # by what remains now, because slots free up while the workers run and the scheduler
        # gates every request anyway (no 429). Never more than the client's connection pool,
        # or a request would wait for a connection while holding a rate-limit slot.
        workers = max(1, min(self.max_workers, total, self.client.concurrency_for(group)))

        # A cancelled load must start no new request, even in the loop turns before the
        # cancellation reaches the workers through the task group.
        # The load's own task and the producer above it (whose cancellation reaches this task
        # one loop turn later, through its task group).
        owners = [t for t in (asyncio.current_task(), watch.producer) if t is not None]

        async def worker() -> None:
            nonlocal done, warned_long_pause
            while pending and not any(owner.cancelling() for owner in owners):
                number = pending.popleft()
                config_state = ConfigState.LOADED
                config = None
                if not number.id.isdigit():
                    config_state = ConfigState.FAILED
                else:
                    try:
                        raw = await self.client.get_json(
                            endpoints.sms_configuration(number.id), group=group
                        )
                        watch.answered()
                    except SessionEndedError:
                        raise
                    except RateLimitedError as error:
                        config_state = ConfigState.FAILED
                        if not warned_long_pause:
                            warned_long_pause = True
                            emit(LoadWarning(error.user_message))
                    except ApiError as error:
                        watch.answered()
                        log.info("SMS configuration of number %s unavailable: %s", number.id, error)
                        config_state = ConfigState.FAILED
                    else:
                        config = parse_sms_configuration(raw)
                        fresh[number.id] = raw
                watch.unfinished.pop(number.id, None)
                emit(VerdictUpdated(
                    evaluate(number, config, config_state=config_state, user=self._user)
                ))
                done += 1
                emit(Progress(done, total))

        async with asyncio.TaskGroup() as group_tasks:
            for index in range(workers):
                group_tasks.create_task(worker(), name=f"sms-config-{index}")
        return fresh


def _first_error(group: BaseExceptionGroup[BaseException]) -> Exception:
    """The error that ended a load, out of the task groups' (possibly nested) exception groups."""
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            return _first_error(error)
        if isinstance(error, Exception):
            return error
    raise group


def _verdict_key(number: PhoneNumber, index: int) -> str:
    return number.id or f"#{index}"


def _cached_event(entry: CachedLoad) -> CachedVerdicts:
    numbers = [parse_phone_number(record) for record in entry.numbers]
    extension = parse_extension(entry.extension) if entry.extension is not None else None
    user = extension.service_features if extension is not None else None
    verdicts = []
    for number in numbers:
        raw = entry.configurations.get(number.id)
        if raw is not None and needs_configuration(number):
            verdicts.append(evaluate(
                number, parse_sms_configuration(raw), config_state=ConfigState.LOADED, user=user
            ))
        elif needs_configuration(number):
            verdicts.append(evaluate(number, None, config_state=ConfigState.NOT_LOADED, user=user))
        else:
            verdicts.append(evaluate(number, user=user))
    return CachedVerdicts(verdicts=tuple(verdicts), as_of=entry.as_of, extension=extension)


def final_verdicts(events: Sequence[Any]) -> list[Verdict]:
    """The verdicts a complete event sequence ends with (for the command line and tests)."""
    current: dict[str, Verdict] = {}
    for event in events:
        if isinstance(event, NumbersListed) and not isinstance(event, CachedVerdicts):
            current = {
                _verdict_key(v.number, i): v for i, v in enumerate(event.verdicts)
            }
        elif isinstance(event, VerdictUpdated):
            current[event.verdict.number.id] = event.verdict
    return list(current.values())
