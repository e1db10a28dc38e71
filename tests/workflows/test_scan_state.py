"""The saved scan's codec: exactly json's text and values, with turns of the loop between slices."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rc_sms_desktop.workflows import scan_state
from rc_sms_desktop.workflows.scan_state import (
    LOAD_SLICE,
    SAVE_SLICE,
    SAVE_TURN_S,
    decode_in_slices,
    encode_state,
    load_state_in_slices,
)


async def test_saved_state_text_is_the_json_of_the_snapshot_in_slices() -> None:
    # Encoded on the loop a slice at a time (the UI keeps its turns): the file must still be
    # exactly the snapshot's JSON, for maps larger than a slice, of a slice's size, and empty.
    snapshot = {
        "version": 1,
        "accountNumbers": {str(i): {"id": i, "phoneNumber": f"+1650555{i:04d}", "label": "Ünïcode"}
                           for i in range(SAVE_SLICE * 2 + 7)},
        "extensions": {str(i): {"id": i} for i in range(SAVE_SLICE)},
        "configs": {},
        "finishedAt": None,
    }
    text = b"".join(await encode_state(snapshot)).decode()
    assert json.loads(text) == snapshot
    assert text == json.dumps(snapshot, separators=(",", ":"))


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(document=_JSON_VALUES, indent=st.sampled_from([None, 1]))
def test_a_saved_scan_decoded_in_slices_is_what_json_loads_reads(document: Any, indent: Any) -> None:
    # Resuming reads the file on the loop a slice at a time: any document, compact (as saved) or
    # not, must come back exactly as json.loads reads it.
    text = json.dumps(document, indent=indent)
    assert asyncio.run(decode_in_slices(text)) == json.loads(text)


@pytest.mark.parametrize(
    "text", ['{"configs": {"a": 1,}}', '{"configs": {"a" 1}}', '{"a": 1} {"b": 2}', '{"a": ', "", "{1: 2}"]
)
async def test_a_damaged_saved_scan_is_refused_like_json_loads_refuses_it(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        await decode_in_slices(text)


async def test_a_large_saved_scan_is_decoded_with_turns_of_the_loop_between_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    entries = LOAD_SLICE * 6
    snapshot = {
        "version": 1,
        "accountNumbers": {str(i): {"id": i, "phoneNumber": f"+1650555{i:04d}"} for i in range(entries)},
        "configs": {str(i): {"raw": {"phoneNumberId": str(i)}, "state": "loaded"} for i in range(entries)},
    }
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(snapshot, separators=(",", ":")), encoding="utf-8")
    turns = 0
    decoding = True
    seen_turns: set[int] = set()  # the other task's count each time an entry is decoded
    decoder = scan_state._DECODER

    class Watching:
        def raw_decode(self, text: str, index: int = 0) -> tuple[Any, int]:
            seen_turns.add(turns)
            return decoder.raw_decode(text, index)

    monkeypatch.setattr(scan_state, "_DECODER", Watching())

    async def other_task() -> None:  # stands for the window's own work on the same loop
        nonlocal turns
        while decoding:
            turns += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(other_task())
    try:
        state = await load_state_in_slices(path)
    finally:
        decoding = False
        await ticker
    assert state is not None and len(state.account_numbers) == entries and len(state.configs) == entries
    # Each slice gave the loop back: the other task ran between slices, not only before and after.
    assert len(seen_turns) >= 2 * entries // LOAD_SLICE


async def test_saving_gives_the_loop_a_turn_whenever_its_time_is_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # On a slow or busy machine, a fixed number of entries per turn froze the window for up to
    # 28 ms per turn; the encoder yields by the clock. Here the clock says every read is 1 ms
    # later, so each slice "takes" 1 ms and the loop must get a turn every few slices.
    ticks = iter(range(1_000_000))
    monkeypatch.setattr(scan_state.time, "perf_counter", lambda: next(ticks) / 1000)
    snapshot = {"configs": {str(i): {"id": i, "features": ["SmsSender"]} for i in range(SAVE_SLICE * 40)}}
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    other = asyncio.create_task(other_work())
    try:
        text = b"".join(await encode_state(snapshot)).decode()
    finally:
        other.cancel()
    assert json.loads(text) == snapshot
    budget_slices = round(SAVE_TURN_S * 1000)
    assert turns >= 40 // (budget_slices + 1)
