"""The account scan's saved state: its schema and a JSON codec that runs on the loop in slices.

The file holds raw RingCentral records and timestamps (nothing secret) in the user cache
directory, so a cancelled or finished scan resumes or refreshes. It is written atomically and
read back leniently: an unreadable file, or one of another `STATE_VERSION`, means "start over".
Encoding and decoding 10 MB of JSON at once froze the window (the C codec holds the GIL), so
both walk the big maps a slice at a time with a turn of the loop in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rc_sms_desktop.infra import guarded_file
from rc_sms_desktop.infra.private_files import (
    make_private_dir,
)

log = logging.getLogger(__name__)

STATE_VERSION = 1
SAVE_SLICE = 50  # saved entries JSON-encoded per call of the C encoder
SAVE_TURN_S = 0.004  # encoding gives the loop a turn after this much time (a 5 ms heartbeat)
LOAD_SLICE = 200  # saved entries JSON-decoded per turn of the loop (~2-5 ms)


@dataclass(slots=True)
class ScanState:
    """Everything fetched so far, as raw JSON plus times: the saved file's content."""

    started_at: str | None = None
    finished_at: str | None = None
    account_numbers: dict[str, Any] = field(default_factory=dict)  # key -> raw record
    account_numbers_complete: bool = False
    account_numbers_as_of: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict)  # id -> raw record
    extensions_complete: bool = False
    extension_lists: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {records, at}
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> {raw, state, at}
    recipients: dict[str, Any] = field(default_factory=dict)  # owner id -> sms-recipients body

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "accountNumbers": self.account_numbers,
            "accountNumbersComplete": self.account_numbers_complete,
            "accountNumbersAsOf": self.account_numbers_as_of,
            "extensions": self.extensions,
            "extensionsComplete": self.extensions_complete,
            "extensionLists": self.extension_lists,
            "configs": self.configs,
            "smsRecipients": self.recipients,
        }

    @classmethod
    def from_json(cls, data: object) -> ScanState | None:
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return None

        def mapping(name: str) -> dict[str, Any]:
            value = data.get(name)
            return dict(value) if isinstance(value, dict) else {}

        def text(name: str) -> str | None:
            value = data.get(name)
            return value if isinstance(value, str) else None

        return cls(
            started_at=text("startedAt"),
            finished_at=text("finishedAt"),
            account_numbers=mapping("accountNumbers"),
            account_numbers_complete=data.get("accountNumbersComplete") is True,
            account_numbers_as_of=text("accountNumbersAsOf"),
            extensions=mapping("extensions"),
            extensions_complete=data.get("extensionsComplete") is True,
            extension_lists={
                k: v for k, v in mapping("extensionLists").items()
                if isinstance(v, dict) and isinstance(v.get("records"), list)
            },
            configs={k: v for k, v in mapping("configs").items() if isinstance(v, dict)},
            recipients=mapping("smsRecipients"),
        )


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


async def load_state_in_slices(path: Path) -> ScanState | None:
    """The saved scan, or None when absent, unreadable or from another version (start over).

    The file is read in a thread and decoded on the loop `LOAD_SLICE` entries per turn.

    `json.loads` in a thread does not help: the C decoder holds the GIL for the whole file (a
    10,000-number scan is ~10 MB), and the window froze ~120 ms on every resume.
    """
    # The app's guarded reader: a damaged file is moved aside (`.corrupt-<time>`) and told once.
    text = await asyncio.to_thread(guarded_file.read_text, path, "saved account scan")
    if text is None:
        return None
    try:
        return ScanState.from_json(await decode_in_slices(text))
    except (ValueError, RecursionError, TypeError, KeyError, AttributeError) as exc:
        guarded_file.set_aside(path, "saved account scan", str(exc) or type(exc).__name__)
        return None


_DECODER = json.JSONDecoder()
_WHITESPACE = frozenset(" \t\n\r")


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


async def decode_in_slices(text: str) -> Any:
    """What `json.loads(text)` returns; the document and its maps are walked entry by entry
    (each entry by the C decoder), with a turn of the loop every `LOAD_SLICE` entries."""
    value, end = await _decode_value(text, _skip_space(text, 0), depth=0)
    if _skip_space(text, end) != len(text):
        raise ValueError("extra data after the saved scan")
    return value


async def _decode_value(text: str, index: int, depth: int) -> tuple[Any, int]:
    if depth > 1 or not text.startswith("{", index):
        return _DECODER.raw_decode(text, index)  # one entry: small
    result: dict[str, Any] = {}
    index = _skip_space(text, index + 1)
    if text.startswith("}", index):
        return result, index + 1
    while True:
        key, index = _DECODER.raw_decode(text, index)
        index = _skip_space(text, index)
        if not isinstance(key, str) or not text.startswith(":", index):
            raise ValueError(f"expected a key and ':' at {index}")
        result[key], index = await _decode_value(text, _skip_space(text, index + 1), depth + 1)
        if len(result) % LOAD_SLICE == 0:
            await asyncio.sleep(0)
        index = _skip_space(text, index)
        if text.startswith(",", index):
            index = _skip_space(text, index + 1)
        elif text.startswith("}", index):
            return result, index + 1
        else:
            raise ValueError(f"expected ',' or '}}' at {index}")


def write_state(path: Path, payload: dict[str, Any] | Sequence[bytes]) -> None:
    """Write atomically (a crash never leaves half a file); log, never raise, on failure.

    `payload` is the snapshot, or its JSON already encoded by `encode_state` (a list of chunks).
    """
    chunks = (
        [json.dumps(payload, separators=(",", ":")).encode()] if isinstance(payload, dict)
        else payload
    )
    try:
        make_private_dir(path.parent)
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as handle:
            # Bytes, chunk by chunk: each write releases the GIL. Writing one ~10 MB str made
            # the thread encode it to UTF-8 first, holding the GIL (and the window) ~28 ms.
            handle.writelines(chunks)
        os.replace(handle.name, path)
    except OSError as exc:
        log.warning("Could not save the account scan to %s: %s", path, exc)
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(handle.name)


async def encode_state(payload: dict[str, Any]) -> list[bytes]:
    """The snapshot's JSON (as `json.dump` writes it, UTF-8), encoded on the loop in slices.

    Encoding 10,000 numbers in a writer thread competed with the UI thread for the GIL: every
    call from Qt into Python then waited for the thread's switch interval, and the window froze
    for up to ~0.6 s per save. Here the C encoder takes `SAVE_SLICE` entries per call and the
    loop gets a turn whenever `SAVE_TURN_S` has passed: fixed 500-entry turns took up to 28 ms
    on a busy 2-core machine (a 10,000-number scan's configurations), time-boxed turns stay
    near 4 ms whatever the machine. The result stays in chunks, one per slice: joining ~10 MB
    of text into one string (or encoding it to bytes) is itself a ~28 ms turn.
    """
    parts = [b"{"]
    turn_ends = time.perf_counter() + SAVE_TURN_S
    for index, (name, value) in enumerate(payload.items()):
        parts.append((("," if index else "") + _dumps(name) + ":").encode())
        if isinstance(value, dict) and len(value) > SAVE_SLICE:
            items = list(value.items())
            parts.append(b"{")
            for start in range(0, len(items), SAVE_SLICE):
                if time.perf_counter() >= turn_ends:
                    await asyncio.sleep(0)
                    turn_ends = time.perf_counter() + SAVE_TURN_S
                # Each slice is encoded as an object; its braces go, the commas join them.
                text = _dumps(dict(items[start : start + SAVE_SLICE]))[1:-1]
                parts.append((("," if start else "") + text).encode())
            parts.append(b"}")
        else:
            parts.append(_dumps(value).encode())
    parts.append(b"}")
    return parts


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


async def save_state(path: Path, payload: dict[str, Any]) -> None:
    chunks = await encode_state(payload)
    await asyncio.to_thread(write_state, path, chunks)  # the file writes release the GIL
