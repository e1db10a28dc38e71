"""The keyring token store: chunking, damage, missing/null/locked/hanging backends."""

from __future__ import annotations

import asyncio
import json

import keyring.backends.fail
import keyring.backends.null
import pytest

from rc_sms_desktop.api.tokens import SERVICE, StorageState, TokenStore, store_key
from rc_sms_desktop.infra.redaction import Secret
from tests.api.auth_fakes import HangingKeyring, LockedKeyring, MemoryKeyring, SilentKeyring

KEY = store_key("https://platform.ringcentral.com", "client-1")
WINDOWS_LIMIT = 2560


def payload(size: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz0123456789") -> Secret:
    text = (alphabet * (size // len(alphabet) + 1))[:size]
    return Secret(text)


def stored_users(backend: MemoryKeyring) -> set[str]:
    return {user for service, user in backend.values if service == SERVICE}


async def test_small_value_round_trips_in_one_entry_named_for_server_and_client() -> None:
    backend = MemoryKeyring()
    store = TokenStore(backend)
    assert await store.save(KEY, Secret('{"token": "abc"}'))
    assert stored_users(backend) == {"https://platform.ringcentral.com|client-1"}
    loaded = await store.load(KEY)
    assert loaded is not None and loaded.get_secret_value() == '{"token": "abc"}'
    assert store.status.state is StorageState.KEYRING
    assert store.status.persistent


@pytest.mark.parametrize("size", [2_000, 5_000, 10_000])
async def test_values_over_the_windows_limit_are_chunked_and_reassembled(size: int) -> None:
    backend = MemoryKeyring(max_bytes=WINDOWS_LIMIT)
    store = TokenStore(backend)
    value = payload(size)
    assert await store.save(KEY, value)
    assert all(len(v.encode("utf-16-le")) <= WINDOWS_LIMIT for v in backend.values.values())
    loaded = await store.load(KEY)
    assert loaded is not None and loaded.get_secret_value() == value.get_secret_value()


async def test_non_bmp_characters_are_never_split() -> None:
    backend = MemoryKeyring(max_bytes=WINDOWS_LIMIT)
    store = TokenStore(backend)
    value = payload(3_000, alphabet="a😀é")
    assert await store.save(KEY, value)
    for text in backend.values.values():
        text.encode("utf-16-le")  # a lone surrogate would raise here
    loaded = await store.load(KEY)
    assert loaded is not None and loaded.get_secret_value() == value.get_secret_value()


async def test_rewrites_leave_no_stale_chunks() -> None:
    backend = MemoryKeyring(max_bytes=WINDOWS_LIMIT)
    store = TokenStore(backend)
    await store.save(KEY, payload(10_000))
    big = len(stored_users(backend))
    await store.save(KEY, payload(4_000, "xyz"))  # other slot; the old slot is swept
    assert len(stored_users(backend)) < big
    assert (await store.load(KEY)).get_secret_value() == payload(4_000, "xyz").get_secret_value()  # type: ignore[union-attr]
    await store.save(KEY, Secret("short"))
    assert stored_users(backend) == {KEY}
    assert (await store.load(KEY)).get_secret_value() == "short"  # type: ignore[union-attr]


async def test_delete_removes_every_entry() -> None:
    backend = MemoryKeyring(max_bytes=WINDOWS_LIMIT)
    store = TokenStore(backend)
    await store.save(KEY, payload(10_000))
    other = store_key("https://platform.ringcentral.biz", "client-1")
    await store.save(other, Secret("keep me"))
    assert await store.delete(KEY)
    assert stored_users(backend) == {other}
    assert await store.load(KEY) is None


async def test_a_missing_chunk_is_treated_as_no_session_and_cleaned_up() -> None:
    backend = MemoryKeyring(max_bytes=WINDOWS_LIMIT)
    store = TokenStore(backend)
    await store.save(KEY, payload(10_000))
    del backend.values[(SERVICE, f"{KEY}#a1")]
    assert await store.load(KEY) is None
    assert stored_users(backend) == set()


async def test_a_corrupt_chunk_is_never_used_truncated() -> None:
    backend = MemoryKeyring(max_bytes=WINDOWS_LIMIT)
    store = TokenStore(backend)
    await store.save(KEY, payload(10_000))
    backend.values[(SERVICE, f"{KEY}#a0")] = backend.values[(SERVICE, f"{KEY}#a0")][:-1] + "!"
    assert await store.load(KEY) is None


@pytest.mark.parametrize(
    "garbage", ["not json", "[]", '{"v": 99, "data": "x"}', '{"v": 1, "slot": "a", "chunks": "3"}']
)
async def test_garbage_in_the_keyring_is_treated_as_no_session(garbage: str) -> None:
    backend = MemoryKeyring()
    backend.values[(SERVICE, KEY)] = garbage
    store = TokenStore(backend)
    assert await store.load(KEY) is None
    assert stored_users(backend) == set()


async def test_an_interrupted_write_keeps_the_previous_session() -> None:
    backend = MemoryKeyring(max_bytes=WINDOWS_LIMIT)
    store = TokenStore(backend)
    first = payload(6_000)
    await store.save(KEY, first)
    backend.fail_after_writes = backend.writes + 2  # dies after two chunks of the next value
    assert not await store.save(KEY, payload(6_000, "zyx"))
    assert store.status.state is StorageState.SESSION_ONLY
    backend.fail_after_writes = None
    loaded = await store.load(KEY)
    assert loaded is not None and loaded.get_secret_value() == first.get_secret_value()
    assert not any(user.startswith(f"{KEY}#b") for user in stored_users(backend))


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        (keyring.backends.fail.Keyring(), "No secure system keyring"),
        (keyring.backends.null.Keyring(), "No secure system keyring"),
        (SilentKeyring(), "did not keep it"),
        (LockedKeyring(), "locked"),
    ],
    ids=["fail", "null", "silent", "locked"],
)
async def test_unusable_keyrings_mean_session_only_with_a_message(
    backend: object, words: str
) -> None:
    store = TokenStore(backend)  # type: ignore[arg-type]
    assert not await store.save(KEY, Secret('{"token": "abc"}'))
    assert store.status.state is StorageState.SESSION_ONLY
    assert words in store.status.message
    assert "session only" in store.status.message
    assert await store.load(KEY) is None


class BrokenKeyring(MemoryKeyring):
    """Reads or writes (as chosen) fail with an error that quotes a secret."""

    def __init__(self, broken: str) -> None:
        super().__init__()
        self.broken = broken

    def get_password(self, service: str, username: str) -> str | None:
        if self.broken == "read":
            raise OSError("secret-in-the-error")
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.broken == "write":
            raise OSError("secret-in-the-error")
        super().set_password(service, username, password)


@pytest.mark.parametrize(("broken", "words"), [
    ("read", "The system keyring could not be read (OSError)"),
    ("write", "The system keyring refused to save (OSError)"),
])
async def test_a_failing_keyring_call_means_session_only_naming_only_the_error_type(
    broken: str, words: str
) -> None:
    store = TokenStore(BrokenKeyring(broken))
    if broken == "read":
        assert await store.load(KEY) is None
    else:
        assert not await store.save(KEY, Secret('{"token": "abc"}'))
    assert store.status.state is StorageState.SESSION_ONLY
    assert store.status.message.startswith(words)
    assert "session only" in store.status.message
    assert "secret-in-the-error" not in store.status.message


async def test_a_hanging_keyring_times_out_and_the_event_loop_keeps_running() -> None:
    backend = HangingKeyring()
    store = TokenStore(backend, timeout=0.2)
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    beating = asyncio.create_task(heartbeat())
    try:
        assert not await store.save(KEY, Secret("value"))
    finally:
        beating.cancel()
    assert ticks > 3  # the loop ran while the keyring thread was stuck
    assert store.status.state is StorageState.SESSION_ONLY
    assert "did not respond" in store.status.message
    # Later calls do not pile more stuck threads onto the keyring.
    calls = backend.calls
    assert not await store.save(KEY, Secret("value"))
    assert await store.load(KEY) is None
    assert backend.calls == calls
    backend.release.set()


async def test_store_repr_and_status_hold_no_secret() -> None:
    backend = MemoryKeyring()
    store = TokenStore(backend)
    await store.save(KEY, Secret("TOPSECRET-VALUE-123"))
    assert "TOPSECRET" not in repr(store)
    assert "TOPSECRET" not in repr(store.status)
    loaded = await store.load(KEY)
    assert "TOPSECRET" not in repr(loaded)


async def test_manifest_records_count_length_and_digest() -> None:
    backend = MemoryKeyring(max_bytes=WINDOWS_LIMIT)
    store = TokenStore(backend)
    await store.save(KEY, payload(5_000))
    manifest = json.loads(backend.values[(SERVICE, KEY)])
    assert manifest["v"] == 1
    assert manifest["length"] == 5_000
    assert len(manifest["sha256"]) == 64
    assert manifest["chunks"] == len(stored_users(backend)) - 1
