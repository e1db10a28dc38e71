"""Per-group rate-limit scheduler: learns RingCentral's limits and never walks into a 429 trap.

RingCentral counts requests per user, app and *group* in a sliding window, and restarts the
penalty of a throttled group on every request sent during it. So:

- Every request first takes a slot in its group's window (`RateLimitScheduler.acquire`). A slot
  is occupied from the moment it is taken until one window after the response arrived (the latest
  moment the server could have counted it), so `X-Rate-Limit-Remaining` never runs out: bursts up
  to the limit, then one request each time a slot frees.
- The limit and window come from the `X-Rate-Limit-*` headers of each response; until the first
  answer of a group arrives we use the documented defaults and send one request at a time.
  If the server says fewer requests remain than we think (another app instance, an earlier run),
  we believe the server.
- A 429 pauses only its group until `Retry-After` (30 s when absent or unreadable, at most an
  hour: `parse_retry_after`): nothing is sent to that group meanwhile. Listeners hear of each
  pause and resume (the UI's countdown).

Group names are opaque: a request is first filed under the spec's `x-throttling-group` for its
operation (`throttling_group`), then under whatever `X-Rate-Limit-Group` the server answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from rc_sms_desktop.api.errors import RateLimitedError

log = logging.getLogger(__name__)

# RingCentral's documented default user-level plans (requests per window, window seconds); only a
# starting point: every response tells the real values.
DEFAULT_LIMITS: dict[str, tuple[int, float]] = {
    "light": (50, 60.0),
    "medium": (40, 60.0),
    "heavy": (10, 60.0),
    "auth": (5, 60.0),
}
UNKNOWN_GROUP_LIMIT = (10, 60.0)  # as strict as Heavy until the server says otherwise
# RingCentral: "If Retry-After is not returned, … retried in 30 seconds or later."
DEFAULT_RETRY_AFTER_S = 30.0
# The longest Retry-After believed (see `parse_retry_after`); callers report long waits anyway.
MAX_RETRY_AFTER_S = 3600.0
PACING_NOTICE_S = 5.0  # a wait for a free slot longer than this is announced to listeners
# A slot stays occupied a little longer than one window: clocks and rounding differ.
_WINDOW_MARGIN_FRACTION = 0.02
_WINDOW_MARGIN_S = 0.01

# (method, path pattern, group) for the operations this app calls, from the spec's
# x-throttling-group (tests/api/test_rate_limits.py checks them against the spec when present).
_ACCOUNT = r"/restapi/v1\.0/account/[^/]+"
_EXTENSION = _ACCOUNT + r"/extension/[^/]+"
_OPERATION_GROUPS: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(pattern + r"/?$"), group)
    for method, pattern, group in (
        ("POST", r"/restapi/oauth/(token|revoke)", "Auth"),
        ("GET", _EXTENSION + r"/phone-number", "Light"),
        ("GET", _EXTENSION + r"/phone-number/[^/]+/sms-configuration", "Light"),
        ("GET", _EXTENSION, "Light"),
        ("GET", _EXTENSION + r"/features", "Medium"),
        ("GET", _EXTENSION + r"/sms-recipients", "Light"),
        ("GET", _EXTENSION + r"/message-store", "Light"),
        ("GET", _EXTENSION + r"/message-store/[^/]+", "Light"),
        ("POST", _EXTENSION + r"/sms", "Medium"),
        ("POST", _EXTENSION + r"/mms", "Medium"),
        ("GET", _ACCOUNT + r"/extension", "Medium"),
        ("GET", _ACCOUNT + r"/phone-number", "Heavy"),
        ("GET", _ACCOUNT + r"/phone-number/[^/]+", "Light"),
        ("GET", r"/restapi/v2/accounts/[^/]+/phone-numbers", "Heavy"),
        ("GET", _ACCOUNT + r"/sms-registration-brands(/.*)?", "Light"),
        ("POST", _ACCOUNT + r"/sms-registration-brands/[^/]+/campaigns/[^/]+/submit-phone-numbers",
         "Light"),
        ("POST", _EXTENSION + r"/sms-recipients/bulk-assign", "Medium"),
        ("POST", _ACCOUNT + r"/a2p-sms/batches", "Light"),
        ("GET", _ACCOUNT + r"/a2p-sms/.+", "Light"),
    )
)


def throttling_group(method: str, path: str) -> str:
    """The spec's rate-limit group for an operation ("Light", "Medium", "Heavy", "Auth").

    Unknown operations go to "Heavy", the strictest shared group, until the server says otherwise.
    """
    return known_throttling_group(method, path) or "Heavy"


def known_throttling_group(method: str, path: str) -> str | None:
    """The spec's group for an operation this app knows, else None."""
    method = method.upper()
    for op_method, pattern, group in _OPERATION_GROUPS:
        if op_method == method and pattern.match(path):
            return group
    return None


_DAY_NAMES = frozenset({"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"})
_DELTA_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # ASCII digits only: no "-", "inf", "1_0"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header; None when it is absent or unreadable.

    The app's one policy, used by the scheduler (429), the client (5xx) and sign-in (429/503):

    - RingCentral sends delta-seconds ("40"); an HTTP-date (RFC 9110) is read too, and one
      without a zone is taken as GMT, which is what HTTP dates are. A date in the past means 0.
    - Unreadable means None: empty, words, a garbled date, and numbers that are not
      delta-seconds (negative, "inf", "nan"). Callers then wait RingCentral's documented
      `DEFAULT_RETRY_AFTER_S` (30 s), never 0: coming back too early restarts the penalty.
    - Anything longer than `MAX_RETRY_AFTER_S` (an hour; "99999999999999999999" included) is
      an hour: the server wants a long pause, and honouring it as an hour keeps the value
      finite and displayable and means no pause lasts forever. Callers decide what they wait
      themselves (the client's `max_rate_limit_wait` and `RetryPolicy.max_retry_after`, a
      sign-in code's lifetime) and report anything longer as "try again in N min".
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _DELTA_SECONDS.fullmatch(text):
        return min(float(text), MAX_RETRY_AFTER_S)  # float() of 400 digits is inf: still capped
    day, comma, _rest = text.partition(",")
    if comma and day.strip().title() not in _DAY_NAMES:
        return None  # email.utils ignores the weekday; a garbled one means a garbled header
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    try:
        delta = when.timestamp() - current
    except (OverflowError, OSError, ValueError):
        return None
    return min(max(0.0, delta), MAX_RETRY_AFTER_S)


@dataclass(frozen=True)
class RateLimitPause:
    """A group stopped (`resume_at`, POSIX time) or started again (`resume_at` None).

    `reason` is "penalty" after a 429, or "pacing" when the group's window is full and the next
    request must wait more than `PACING_NOTICE_S` (the quiet minute of a long scan).
    """

    group: str
    resume_at: float | None
    reason: str = "penalty"
    # The group's limit as the scheduler knows it: `limit` requests per `window_s` seconds.
    limit: int = 0
    window_s: float = 0.0

    @property
    def resume_datetime(self) -> datetime | None:
        """`resume_at` as an aware datetime (UTC), for display."""
        if self.resume_at is None:
            return None
        return datetime.fromtimestamp(self.resume_at, tz=UTC)


@dataclass(eq=False)
class _Slot:
    owner: _GroupState  # the group whose window holds this slot (moves when groups merge)
    expires_at: float | None = None  # None while the request is in flight


@dataclass(eq=False)
class _GroupState:
    """One group's window and queue.

    Waiting costs O(1) wake-ups per grant: only the head of `queue` can be granted (waiters are
    served in arrival order), so a grant or an answer wakes the head alone (`notify_head`), and
    only the head has a timer (`timer`: the next slot expiry, or the end of a penalty). Everyone
    is woken (`notify`) only by what concerns every waiter: a penalty starting (each checks its
    `max_penalty_wait`) and a merge of groups (each looks up its group again).
    """

    key: str
    display_name: str
    limit: int
    window: float
    probed: bool = False  # an answer for this group has arrived (so limits are known, if sent)
    paused_until: float = 0.0  # monotonic
    in_flight: set[_Slot] = field(default_factory=set)
    # Expiry times (monotonic) of the answered slots still in the window, a min-heap: expiries
    # are mostly appended in increasing order, but not always (the window is learned, and can
    # change), and a heap keeps both pruning and the next expiry cheap either way.
    expiries: list[float] = field(default_factory=list)
    queue: deque[int] = field(default_factory=deque)
    waiters: dict[int, asyncio.Future[None]] = field(default_factory=dict)  # ticket -> wake-up
    timer: asyncio.TimerHandle | None = None  # wakes the head at `timer_at`
    timer_at: float = 0.0  # monotonic
    sent: int = 0
    penalty_handle: asyncio.TimerHandle | None = None
    pacing_announced: bool = False

    def prune(self, now: float) -> None:
        expiries = self.expiries
        while expiries and expiries[0] <= now:
            heapq.heappop(expiries)

    def in_window(self) -> int:
        return len(self.in_flight) + len(self.expiries)

    def next_expiry(self) -> float | None:
        return self.expiries[0] if self.expiries else None

    def wake(self, ticket: int) -> None:
        woken = self.waiters.pop(ticket, None)
        if woken is not None and not woken.done():
            woken.set_result(None)

    def notify_head(self) -> None:
        """Wake the first in line: the only waiter that a freed slot or an answer can serve."""
        if self.queue:
            self.wake(self.queue[0])

    def notify(self) -> None:
        """Wake every waiter (a penalty started, groups merged, or a test moved the clock)."""
        for ticket in list(self.waiters):
            self.wake(ticket)

    def disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


@dataclass(frozen=True)
class GroupSnapshot:
    """What the scheduler believes about one group (for diagnostics and `--verbose`)."""

    group: str
    limit: int
    window_s: float
    in_window: int
    paused_until: float | None  # POSIX time, or None when not paused
    sent: int


class Permit:
    """A slot in a group's window, taken by `RateLimitScheduler.acquire`; finish it exactly once."""

    def __init__(self, scheduler: RateLimitScheduler, hint: str, key: str, slot: _Slot) -> None:
        self._scheduler = scheduler
        self.hint = hint
        self.key = key
        self._slot = slot
        self._done = False

    def finish(
        self, status: int | None = None, headers: Mapping[str, str] | None = None
    ) -> float | None:
        """Record the answer (or None when none came). Returns the penalty seconds after a 429."""
        if self._done:
            return None
        self._done = True
        return self._scheduler._finish(self, self._slot, status, headers)

    @property
    def group(self) -> str:
        """The group's name as the server spells it (or the spec's, before the first answer)."""
        return self._scheduler._display_name(self.key)


class RateLimitScheduler:
    """Paces requests per RingCentral rate-limit group; one per signed-in session.

    Use: `permit = await scheduler.acquire("Light")`, send, then `permit.finish(status, headers)`
    (or `permit.finish()` when no response came). Observe pauses with `add_listener`.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        defaults: Mapping[str, tuple[int, float]] | None = None,
    ) -> None:
        self._clock = clock
        self._wall_clock = wall_clock
        self._defaults = {k.casefold(): v for k, v in (defaults or DEFAULT_LIMITS).items()}
        self._groups: dict[str, _GroupState] = {}
        self._aliases: dict[str, str] = {}  # spec group (casefolded) -> server's group key
        self._tickets = itertools.count()
        self._listeners: list[Callable[[RateLimitPause], None]] = []

    # --- observation -------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[RateLimitPause], None]) -> Callable[[], None]:
        """Call `listener` on every pause and resume; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def paused_groups(self) -> dict[str, float]:
        """Groups in a penalty now: name -> POSIX time they resume."""
        now = self._clock()
        return {
            s.display_name: self._to_wall(s.paused_until)
            for s in self._groups.values()
            if s.paused_until > now
        }

    def snapshot(self) -> list[GroupSnapshot]:
        """The scheduler's view of every group it has seen."""
        now = self._clock()
        result = []
        for state in self._groups.values():
            state.prune(now)
            result.append(
                GroupSnapshot(
                    group=state.display_name,
                    limit=state.limit,
                    window_s=state.window,
                    in_window=state.in_window(),
                    paused_until=(
                        self._to_wall(state.paused_until) if state.paused_until > now else None
                    ),
                    sent=state.sent,
                )
            )
        return result

    def limit_for(self, hint: str) -> tuple[int, float]:
        """(requests, window seconds) currently believed for a group: sizes worker pools."""
        state = self._state(hint)
        return state.limit, state.window

    # --- acquiring -------------------------------------------------------------------------

    async def acquire(self, hint: str, *, max_penalty_wait: float | None = None) -> Permit:
        """Wait for a free slot in the group of `hint` (a spec or server group name) and take it.

        Waiters of one group are served in arrival order. During a penalty nothing is granted; if
        the penalty would outlast `max_penalty_wait` seconds, raises `RateLimitedError` at once.
        """
        ticket = next(self._tickets)
        self._state(hint).queue.append(ticket)
        loop = asyncio.get_running_loop()
        granted = False
        try:
            while True:
                state = self._state(hint)  # may change when the server names the group
                # Registered before looking, so that a wake-up during this pass (a listener
                # acting on a notice) is not lost: the await below then returns at once.
                woken: asyncio.Future[None] = loop.create_future()
                state.waiters[ticket] = woken
                now = self._clock()
                state.prune(now)
                first = not state.queue or state.queue[0] == ticket
                if state.paused_until > now:
                    remaining = state.paused_until - now
                    if max_penalty_wait is not None and remaining > max_penalty_wait:
                        raise RateLimitedError(
                            "Rate limit penalty in progress",
                            group=state.display_name,
                            retry_after=remaining,
                            resume_at=self._to_wall(state.paused_until),
                            status=429,
                        )
                    if first:  # `_end_pause` wakes it too; the timer is the fallback
                        self._arm(state, state.paused_until, now)
                elif not first:
                    pass  # someone earlier is first in line; it wakes us when we are
                elif not state.probed and state.in_flight:
                    state.disarm()  # the first answer will tell us the real limit
                elif state.in_window() < state.limit:
                    slot = _Slot(state)
                    state.in_flight.add(slot)
                    if state.queue:
                        state.queue.popleft()
                    state.sent += 1
                    granted = True
                    if state.pacing_announced:
                        state.pacing_announced = False
                        self._emit(RateLimitPause(
                            state.display_name, None, "pacing", state.limit, state.window))
                    if not state.queue:
                        state.disarm()
                    state.notify_head()  # the next in line may fit too (a burst up to the limit)
                    return Permit(self, hint, state.key, slot)
                else:
                    expiry = state.next_expiry()
                    if expiry is None:
                        state.disarm()  # all slots in flight: an answer will wake us
                    else:
                        wait = max(0.0, expiry - now)
                        if wait > PACING_NOTICE_S and not state.pacing_announced:
                            state.pacing_announced = True
                            self._emit(RateLimitPause(
                                state.display_name, self._to_wall(expiry), "pacing",
                                state.limit, state.window))
                        self._arm(state, expiry, now)
                await woken
        finally:
            state = self._state(hint)
            state.waiters.pop(ticket, None)
            if not granted:
                was_first = bool(state.queue) and state.queue[0] == ticket
                with contextlib.suppress(ValueError):
                    state.queue.remove(ticket)
                if was_first:
                    state.notify_head()  # the next in line goes instead

    # --- internals ---------------------------------------------------------------------------

    def _arm(self, state: _GroupState, when: float, now: float) -> None:
        """Wake the group's head at `when` (monotonic); one timer per group, kept if unchanged."""
        if state.timer is not None:
            if state.timer_at == when:
                return
            state.timer.cancel()
        state.timer_at = when
        state.timer = asyncio.get_running_loop().call_later(
            max(0.0, when - now), self._on_timer, state)

    @staticmethod
    def _on_timer(state: _GroupState) -> None:
        # Timers may fire a little early (the loop's clock resolution, Qt's whole milliseconds):
        # the head then finds the slot not yet free and arms a new timer for the rest.
        state.timer = None
        state.notify_head()

    def _state(self, hint: str) -> _GroupState:
        folded = hint.casefold()
        key = self._aliases.get(folded, folded)
        state = self._groups.get(key)
        if state is None:
            limit, window = self._defaults.get(key, UNKNOWN_GROUP_LIMIT)
            state = _GroupState(key=key, display_name=hint, limit=limit, window=window)
            self._groups[key] = state
        return state

    def _display_name(self, key: str) -> str:
        state = self._groups.get(key)
        return state.display_name if state else key

    def _to_wall(self, monotonic_time: float) -> float:
        return self._wall_clock() + (monotonic_time - self._clock())

    def _learn_group_name(self, permit: Permit, server_name: str) -> _GroupState:
        """File `permit.hint` under the server's group name, merging what we knew under the hint."""
        server_key = server_name.casefold()
        if permit.key == server_key:
            target = self._state(server_name)
        else:
            old = self._groups.pop(permit.key, None)
            existing = self._groups.get(server_key)
            if existing is not None:
                target = existing
            else:
                limit, window = self._defaults.get(
                    server_key, (old.limit, old.window) if old else UNKNOWN_GROUP_LIMIT
                )
                target = _GroupState(
                    key=server_key, display_name=server_name, limit=limit, window=window
                )
                self._groups[server_key] = target
            # Every name that led to the old key now leads to the server's key.
            for alias, key in list(self._aliases.items()):
                if key == permit.key:
                    self._aliases[alias] = server_key
            self._aliases[permit.key] = server_key
            self._aliases[permit.hint.casefold()] = server_key
            if old is not None:
                for slot in old.in_flight:
                    slot.owner = target
                target.in_flight |= old.in_flight
                target.expiries.extend(old.expiries)
                heapq.heapify(target.expiries)
                target.queue = deque(sorted([*target.queue, *old.queue]))
                target.waiters.update(old.waiters)
                old.waiters.clear()
                old.disarm()
                target.paused_until = max(target.paused_until, old.paused_until)
                target.probed = target.probed or old.probed
                target.sent += old.sent
                # Old waiters look up their group again, the merged queue may have a new head,
                # and the merged group may be in a penalty: everyone checks.
                target.notify()
            permit.key = server_key
        target.display_name = server_name
        return target

    def _finish(
        self,
        permit: Permit,
        slot: _Slot,
        status: int | None,
        headers: Mapping[str, str] | None,
    ) -> float | None:
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        server_group = headers.get("x-rate-limit-group")
        if server_group and server_group.strip():
            state = self._learn_group_name(permit, server_group.strip())
        else:
            state = self._state(permit.hint)
        now = self._clock()
        limit = _positive_int(headers.get("x-rate-limit-limit"))
        window = _positive_float(headers.get("x-rate-limit-window"))
        if limit is not None:
            state.limit = limit
        if window is not None:
            state.window = window
        if status is not None:
            state.probed = True
        # The server counted this request somewhere between sending and now: keep its slot for
        # one (slightly padded) window from now.
        margin = state.window * _WINDOW_MARGIN_FRACTION + _WINDOW_MARGIN_S
        expires = now + state.window + margin
        slot.expires_at = expires
        owner = slot.owner  # `state`, unless the slot's group was merged elsewhere meanwhile
        owner.in_flight.discard(slot)
        heapq.heappush(owner.expiries, expires)
        state.prune(now)
        remaining = _non_negative_int(headers.get("x-rate-limit-remaining"))
        if remaining is not None and status is not None and status != 429:
            server_used = state.limit - remaining
            if server_used > state.in_window():
                # Requests we did not send (another instance, an earlier run) fill the window.
                for _ in range(server_used - state.in_window()):
                    heapq.heappush(state.expiries, expires)
        penalty: float | None = None
        if status == 429:
            parsed = parse_retry_after(headers.get("retry-after"))
            penalty = DEFAULT_RETRY_AFTER_S if parsed is None else parsed
            self._pause(state, penalty)
        # Only the head can use what changed (a limit learned, a slot's expiry known); a penalty
        # has woken everyone in `_pause`.
        state.notify_head()
        if owner is not state:
            owner.notify_head()
        return penalty

    def _pause(self, state: _GroupState, seconds: float) -> None:
        now = self._clock()
        until = now + seconds
        if until <= state.paused_until:
            return
        state.paused_until = until
        log.info("Rate limit: pausing group %s for %.1f s", state.display_name, seconds)
        self._emit(RateLimitPause(state.display_name, self._to_wall(until)))
        # Every waiter checks the penalty against its own `max_penalty_wait` (a caller that
        # will not wait that long hears so at once), not only the head: nothing may be sent to
        # the group until it ends, or the penalty starts over
        # (https://developers.ringcentral.com/guide/basics/rate-limits).
        state.notify()
        if state.penalty_handle is not None:
            state.penalty_handle.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        state.penalty_handle = loop.call_later(max(0.0, seconds), self._end_pause, state.key)

    def _end_pause(self, key: str) -> None:
        state = self._groups.get(self._aliases.get(key, key))  # the group may have been renamed
        if state is None:
            return
        state.penalty_handle = None
        if state.paused_until > self._clock() + 0.001:  # extended meanwhile
            return
        self._emit(RateLimitPause(state.display_name, None))
        state.notify_head()  # it takes a slot and wakes the next in line

    def _emit(self, pause: RateLimitPause) -> None:
        for listener in list(self._listeners):
            try:
                listener(pause)
            except Exception:
                log.exception("Rate-limit listener failed")

    def close(self) -> None:
        """Cancel pending resume timers (the session is over)."""
        for state in self._groups.values():
            if state.penalty_handle is not None:
                state.penalty_handle.cancel()
                state.penalty_handle = None
            # The heads' timers stay: a request still waiting wakes at its time (as when every
            # waiter had a timer of its own) rather than hanging forever.


def _positive_int(value: str | None) -> int | None:
    number = _non_negative_int(value)
    return number if number else None


def _non_negative_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _positive_float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None
