"""Keeps the signed-in session in the operating system's keyring, and nowhere else.

Why it is more than ``keyring.set_password``:

* **Never block the event loop.** A locked Secret Service collection or an absent D-Bus daemon
  can block for minutes, so every operation runs in its own daemon thread under a deadline; a
  call that misses it leaves the store in session-only mode and the app goes on. (Daemon
  threads, not ``asyncio.to_thread``: a hung default-executor thread would also hang the event
  loop's shutdown.)
* **Never store nothing silently.** ``keyring.backends.null`` and broken backends "succeed"
  while keeping nothing, so every write is read back. Backends below keyring's own
  "recommended" priority (``fail``, ``null``, the plain-text ones of ``keyrings.alt``) are not
  used at all: nothing secret is ever written in plain text.
* **Fit every backend.** Windows Credential Manager rejects values over 2,560 bytes (UTF-16),
  so long values are split into chunks written *before* a manifest that names them with their
  count, length and SHA-256. Chunks alternate between two slots, so an interrupted write keeps
  the previous session readable; a damaged set is treated as absent, never used truncated.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from rc_sms_desktop.infra.redaction import Secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# `keyring` itself is imported by the blocking parts, which run in a worker thread: its import
# (~20 ms, entry points and backends) stays off the start-up path and off the event loop.

__all__ = [
    "SERVICE",
    "StorageState",
    "StorageStatus",
    "TokenStore",
    "store_key",
]

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

SERVICE = "rc-sms-desktop"
_FORMAT_VERSION = 1
# Windows allows 2,560 bytes per secret, stored as UTF-16; stay well below it.
DEFAULT_MAX_VALUE_BYTES = 2000
# Refuse absurd payloads rather than write hundreds of chunks (a session is ~ 2-10 KB).
MAX_PAYLOAD_CHARS = 64 * 1024
# When sweeping stale chunks of unknown count, how far past the known end to look.
_SWEEP_SLACK = 8


def store_key(server_url: str, client_id: str) -> str:
    """The keyring user name of one session: one entry per server and app (client id)."""
    return f"{server_url}|{client_id}"


class StorageState(enum.Enum):
    """Whether sign-ins outlive the app."""

    UNKNOWN = "unknown"  # the keyring has not been used yet
    KEYRING = "keyring"  # sessions are saved in the OS keyring
    SESSION_ONLY = "session-only"  # nothing is saved; the user signs in again next time


@dataclass(frozen=True, slots=True)
class StorageStatus:
    """What the UI tells the user about where their sign-in is kept."""

    state: StorageState
    message: str = ""

    @property
    def persistent(self) -> bool:
        return self.state is StorageState.KEYRING


class _Unusable(Exception):
    """The keyring cannot be used; the message is for the user and contains no secret."""


@contextlib.contextmanager
def _unusable_when_it_fails(failed: str) -> Iterator[None]:
    """A keyring read or write that fails raises `_Unusable`: locked, or it `failed` ("could not
    be read"), naming only the error's type."""
    import keyring.errors

    try:
        yield
    except keyring.errors.KeyringLocked:
        raise _Unusable(
            "The system keyring is locked; your sign-in is kept for this session only."
        ) from None
    except Exception as exc:
        raise _Unusable(
            f"The system keyring {failed} ({type(exc).__name__}); your sign-in is kept for this "
            "session only."
        ) from None


class TokenStore:
    """Saves, loads and deletes one opaque secret payload per session key in the keyring.

    ``backend`` is any ``keyring.backend.KeyringBackend`` (tests pass fakes); by default the
    backend keyring selects. Operations never raise for keyring trouble: they return
    ``None``/``False`` and update :attr:`status`, whose message explains it to the user.
    """

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        *,
        timeout: float = 20.0,
        max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
        service: str = SERVICE,
    ) -> None:
        if max_value_bytes < 200:
            raise ValueError("max_value_bytes is too small for a manifest")
        self._backend = backend
        self._timeout = timeout
        self._max_value_bytes = max_value_bytes
        self._service = service
        self._status = StorageStatus(StorageState.UNKNOWN)
        # Serialises backend access across threads, including a thread that outlived its
        # deadline: the next operation waits for it instead of interleaving writes.
        self._thread_lock = threading.Lock()
        self._gave_up = False

    def __repr__(self) -> str:
        return f"TokenStore(service={self._service!r}, state={self._status.state.value})"

    @property
    def status(self) -> StorageStatus:
        return self._status

    # ------------------------------------------------------------------ public, async

    async def load(self, key: str) -> Secret | None:
        """The stored payload for ``key``, or None when absent, damaged or unreadable."""
        if self._gave_up:
            return None
        try:
            value = await self._run(self._load_sync, key)
        except _Unusable as exc:
            self._session_only(str(exc))
            return None
        if self._status.state is StorageState.UNKNOWN:
            self._status = StorageStatus(
                StorageState.KEYRING, "Your sign-in is kept in the system keyring."
            )
        return value

    async def save(self, key: str, payload: Secret) -> bool:
        """Store ``payload``; True when it is verifiably in the keyring."""
        if self._gave_up:
            return False
        if len(payload.get_secret_value()) > MAX_PAYLOAD_CHARS:
            self._session_only(
                "Your sign-in is too large to keep in the system keyring; it is kept for this session only."
            )
            return False
        try:
            await self._run(self._save_sync, key, payload)
        except _Unusable as exc:
            self._session_only(str(exc))
            return False
        self._status = StorageStatus(
            StorageState.KEYRING, "Your sign-in is kept in the system keyring."
        )
        return True

    async def delete(self, key: str) -> bool:
        """Remove every entry of ``key`` (manifest and chunks); True when that succeeded.

        Tried even after an earlier timeout: leaving tokens behind on sign-out is worse than
        waiting once more.
        """
        try:
            await self._run(self._delete_sync, key)
        except _Unusable as exc:
            self._session_only(f"{exc} Your saved sign-in could not be removed from the keyring.")
            return False
        return True

    # ------------------------------------------------------------------ threading

    def _session_only(self, message: str) -> None:
        _log.warning("Token storage: %s", message)
        self._status = StorageStatus(StorageState.SESSION_ONLY, message)

    async def _run(self, function: Callable[..., _T], *args: Any) -> _T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_T] = loop.create_future()

        def deliver(outcome: Callable[[], None]) -> None:
            if not future.done():
                outcome()

        def work() -> None:
            try:
                with self._thread_lock:
                    result = function(*args)
            except BaseException as exc:  # delivered to the awaiting coroutine
                error = exc
                self._post(loop, lambda: deliver(lambda: future.set_exception(error)))
            else:
                self._post(loop, lambda: deliver(lambda: future.set_result(result)))

        threading.Thread(target=work, name="rc-sms-desktop-keyring", daemon=True).start()
        try:
            async with asyncio.timeout(self._timeout):
                return await future
        except TimeoutError:
            self._gave_up = True
            raise _Unusable(
                "The system keyring did not respond (it may be locked); your sign-in is kept for this session only."
            ) from None

    @staticmethod
    def _post(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
        # RuntimeError: the loop closed while the keyring was busy; nobody is waiting.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(callback)

    # ------------------------------------------------------------------ blocking parts

    def _resolve_backend(self) -> KeyringBackend:
        import keyring

        try:
            backend = self._backend if self._backend is not None else keyring.get_keyring()
            priority = float(type(backend).priority)
        except Exception as exc:  # SecretService raises from `priority` when D-Bus is missing
            raise _Unusable(
                f"No system keyring is available ({type(exc).__name__}); your sign-in is kept for this session only."
            ) from None
        if priority < 1:
            # keyring's own threshold for "recommended"; below it are fail, null and the
            # plain-text backends, which would break the promise that nothing is on disk in clear.
            raise _Unusable(
                f"No secure system keyring is available (found {type(backend).__module__}); "
                "your sign-in is kept for this session only."
            )
        return backend

    def _get(self, backend: KeyringBackend, user: str) -> str | None:
        with _unusable_when_it_fails("could not be read"):
            value = backend.get_password(self._service, user)
        return value

    def _set(self, backend: KeyringBackend, user: str, value: str) -> None:
        with _unusable_when_it_fails("refused to save"):
            backend.set_password(self._service, user, value)

    def _remove(self, backend: KeyringBackend, user: str) -> bool:
        """Delete one entry; False when it did not exist."""
        import keyring.errors

        try:
            backend.delete_password(self._service, user)
        except keyring.errors.PasswordDeleteError:
            return False
        except keyring.errors.KeyringLocked:
            raise _Unusable("The system keyring is locked.") from None
        except Exception as exc:
            raise _Unusable(
                f"The system keyring could not delete an entry ({type(exc).__name__})."
            ) from None
        return True

    def _utf16_bytes(self, text: str) -> int:
        return len(text.encode("utf-16-le", "surrogatepass"))

    def _split(self, payload: str) -> list[str]:
        """Cut ``payload`` into pieces of at most max_value_bytes as UTF-16, whole code points."""
        pieces: list[str] = []
        start = 0
        size = 0
        for index, char in enumerate(payload):
            width = 4 if ord(char) > 0xFFFF else 2
            if size + width > self._max_value_bytes:
                pieces.append(payload[start:index])
                start, size = index, 0
            size += width
        pieces.append(payload[start:])
        return pieces

    @staticmethod
    def _chunk_user(key: str, slot: str, index: int) -> str:
        return f"{key}#{slot}{index}"

    @staticmethod
    def _parse_primary(raw: str | None) -> dict[str, Any] | None:
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(value, dict) or value.get("v") != _FORMAT_VERSION:
            return None
        return value

    def _sweep(
        self, backend: KeyringBackend, key: str, slot: str, known: int, start: int = 0
    ) -> None:
        """Delete chunks of ``slot`` from ``start``: all of the first ``known``, then until one is missing."""
        index = start
        while index < known + _SWEEP_SLACK:
            existed = self._remove(backend, self._chunk_user(key, slot, index))
            if not existed and index >= known:
                break
            index += 1

    def _load_sync(self, key: str) -> Secret | None:
        backend = self._resolve_backend()
        raw = self._get(backend, key)
        if raw is None:
            return None
        primary = self._parse_primary(raw)
        if primary is None:
            return self._damaged(backend, key, None)
        if "data" in primary:
            data = primary["data"]
            return (
                Secret(data) if isinstance(data, str) else self._damaged(backend, key, primary)
            )
        slot, count = primary.get("slot"), primary.get("chunks")
        if slot not in ("a", "b") or not isinstance(count, int) or not 0 < count <= 1000:
            return self._damaged(backend, key, primary)
        pieces: list[str] = []
        for index in range(count):
            piece = self._get(backend, self._chunk_user(key, slot, index))
            if piece is None:
                return self._damaged(backend, key, primary)
            pieces.append(piece)
        payload = "".join(pieces)
        if len(payload) != primary.get("length") or _digest(payload) != primary.get("sha256"):
            return self._damaged(backend, key, primary)
        return Secret(payload)

    def _damaged(
        self, backend: KeyringBackend, key: str, primary: dict[str, Any] | None
    ) -> Secret | None:
        # Treated as absent (the user signs in again) and removed, so the next save starts clean.
        _log.warning(
            "The saved sign-in in the keyring is incomplete or damaged; it is ignored and removed."
        )
        self._delete_entries(backend, key, primary)
        return None

    def _save_sync(self, key: str, payload: Secret) -> None:
        backend = self._resolve_backend()
        text = payload.get_secret_value()
        old = self._parse_primary(self._get(backend, key))
        old_slot = old.get("slot") if old else None
        old_chunks = old.get("chunks") if old else None
        old_count = old_chunks if isinstance(old_chunks, int) else 0
        inline = json.dumps({"v": _FORMAT_VERSION, "data": text})
        if self._utf16_bytes(inline) <= self._max_value_bytes:
            self._set(backend, key, inline)
            self._verify(backend, key, inline)
            if old_slot in ("a", "b"):
                self._sweep(backend, key, str(old_slot), old_count)
            return
        slot = "b" if old_slot == "a" else "a"
        pieces = self._split(text)
        try:
            for index, piece in enumerate(pieces):
                self._set(backend, self._chunk_user(key, slot, index), piece)
            for index, piece in enumerate(pieces):
                self._verify(backend, self._chunk_user(key, slot, index), piece)
        except _Unusable:
            # Keep the previous manifest and its chunks; drop what this attempt wrote.
            with contextlib.suppress(_Unusable):
                self._sweep(backend, key, slot, len(pieces))
            raise
        # Leftovers of an older, longer write in this slot would confuse nobody (the count is
        # in the manifest) but are secrets; remove them.
        self._sweep(backend, key, slot, 0, start=len(pieces))
        manifest = json.dumps(
            {
                "v": _FORMAT_VERSION,
                "slot": slot,
                "chunks": len(pieces),
                "length": len(text),
                "sha256": _digest(text),
            }
        )
        self._set(backend, key, manifest)
        self._verify(backend, key, manifest)
        if old_slot in ("a", "b") and old_slot != slot:
            self._sweep(backend, key, str(old_slot), old_count)

    def _verify(self, backend: KeyringBackend, user: str, expected: str) -> None:
        if self._get(backend, user) != expected:
            raise _Unusable(
                "The system keyring accepted your sign-in but did not keep it; it is kept for this session only."
            )

    def _delete_sync(self, key: str) -> None:
        backend = self._resolve_backend()
        primary = self._parse_primary(self._get(backend, key))
        self._delete_entries(backend, key, primary)

    def _delete_entries(
        self, backend: KeyringBackend, key: str, primary: dict[str, Any] | None
    ) -> None:
        count = primary.get("chunks") if primary else None
        known = count if isinstance(count, int) and 0 < count <= 1000 else 0
        # Both slots: an interrupted earlier write may have left chunks in either.
        for slot in ("a", "b"):
            self._sweep(backend, key, slot, known)
        self._remove(backend, key)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
