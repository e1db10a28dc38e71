"""The dataclass bytecode cache: the classes behave exactly as without it, a second start
compiles nothing it has seen, and a damaged or foreign cache file costs nothing but speed."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from rc_sms_desktop.infra import dataclass_code_cache

pytestmark = pytest.mark.skipif(
    sys.version_info[:2] not in ((3, 11), (3, 12)),
    reason="the cache is only installed where dataclasses compiles one exec per method",
)

# A child process defines these classes with the cache installed, uses them, and reports what
# a user of the classes would see plus whether the cache had to compile anything.
_CHILD = textwrap.dedent(
    """
    import dataclasses, json, sys
    from pathlib import Path
    from rc_sms_desktop.infra import dataclass_code_cache as cache

    installed = INSTALL
    loaded = len(cache._table.codes) if cache._table else 0

    @dataclasses.dataclass(frozen=True)
    class Number:
        e164: str
        features: tuple[str, ...] = ()
        label: str | None = None

    @dataclasses.dataclass
    class Row:
        number: Number
        shown: bool = True
        notes: list[str] = dataclasses.field(default_factory=list)

    n = Number("+16505550100", ("SmsSender",))
    try:
        n.e164 = "x"
        frozen = "no"
    except dataclasses.FrozenInstanceError:
        frozen = "yes"
    row = Row(n)
    row.notes.append("a")
    out = {
        "installed": installed,
        "loaded": loaded,
        "grew": bool(cache._table and cache._table.grew),
        "repr": repr(row),
        "eq": n == Number("+16505550100", ("SmsSender",)),
        "ne": n == Number("+16505550101", ("SmsSender",)),
        "hash_equal": hash(n) == hash(Number("+16505550100", ("SmsSender",))),
        "frozen": frozen,
        "fresh_default": Row(n).notes,
        "replace": repr(dataclasses.replace(n, label="Sales")),
        "fields": [f.name for f in dataclasses.fields(Row)],
    }
    print(json.dumps(out))
    """
)


_INSTALL = 'cache.install(Path(sys.argv[1]), modules=("__main__",))'
_CHILD = _CHILD.replace("INSTALL", _INSTALL)


def _run(cache_file: Path, *, enabled: bool = True) -> dict[str, object]:
    code = _CHILD if enabled else _CHILD.replace(_INSTALL, "False")
    done = subprocess.run(
        [sys.executable, "-c", code, str(cache_file)],
        capture_output=True, text=True, timeout=60, check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _same_behaviour(a: dict[str, object], b: dict[str, object]) -> bool:
    keys = ("repr", "eq", "ne", "hash_equal", "frozen", "fresh_default", "replace", "fields")
    return all(a[k] == b[k] for k in keys)


def test_classes_behave_as_without_the_cache_and_the_second_start_compiles_nothing(
    tmp_path: Path,
) -> None:
    cache_file = tmp_path / "dataclass-code.bin"
    without = _run(cache_file, enabled=False)
    first = _run(cache_file)
    assert first["installed"] is True
    assert first["loaded"] == 0 and first["grew"] is True
    assert cache_file.is_file()  # written when the process ended
    second = _run(cache_file)
    assert second["loaded"] > 0
    assert second["grew"] is False  # every method came from the file
    assert _same_behaviour(without, first)
    assert _same_behaviour(without, second)
    assert without["frozen"] == "yes" and without["fresh_default"] == []


@pytest.mark.parametrize(
    "damage",
    [b"", b"garbage", b"rc-dcc2\n" + b"\x00\x01\x02", b"rc-dcc2\n" + b"\xe9" * 64],
    ids=["empty", "foreign", "truncated", "nonsense"],
)
def test_a_damaged_cache_file_is_ignored_and_rewritten(tmp_path: Path, damage: bytes) -> None:
    cache_file = tmp_path / "dataclass-code.bin"
    cache_file.write_bytes(damage)
    result = _run(cache_file)
    assert result["installed"] is True and result["loaded"] == 0
    assert _same_behaviour(_run(tmp_path / "other.bin", enabled=False), result)
    assert cache_file.read_bytes().startswith(b"rc-dcc2\n")
    assert _run(cache_file)["grew"] is False


def test_an_entry_of_the_wrong_type_is_not_used(tmp_path: Path) -> None:
    import marshal

    cache_file = tmp_path / "dataclass-code.bin"
    _run(cache_file)
    table = marshal.loads(cache_file.read_bytes()[len(b"rc-dcc2\n"):])
    poisoned = dict.fromkeys(table, "not code")
    cache_file.write_bytes(b"rc-dcc2\n" + marshal.dumps(poisoned))
    result = _run(cache_file)
    assert result["loaded"] == 0 and result["grew"] is True
    assert result["eq"] is True and result["frozen"] == "yes"


@pytest.fixture()
def fresh_install(tmp_path: Path) -> Iterator[Path]:
    """Install the cache in this process on a file of its own; the previous state after."""
    previous = dataclass_code_cache._table
    dataclass_code_cache.uninstall()
    path = tmp_path / "in-process.bin"
    try:
        yield path
    finally:
        dataclass_code_cache.uninstall()
        if previous is not None:
            dataclass_code_cache._table = previous
            dataclasses.exec = previous.exec  # type: ignore[attr-defined]


def test_install_is_once_and_save_writes_only_when_something_new_was_compiled(
    fresh_install: Path,
) -> None:
    assert dataclass_code_cache.install(fresh_install, modules=(__name__,)) is True
    assert dataclass_code_cache.install(fresh_install) is False  # already installed

    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: int

    assert Point(1, 2) == Point(1, 2)
    assert dataclass_code_cache.save() is True
    assert dataclass_code_cache.save() is False  # nothing new since
    assert fresh_install.stat().st_size > 0


def test_classes_of_other_modules_are_compiled_as_usual_and_not_kept(fresh_install: Path) -> None:
    assert dataclass_code_cache.install(fresh_install, modules=("rc_sms_desktop.nothing",))

    @dataclasses.dataclass
    class Elsewhere:
        value: int

    assert Elsewhere(1) == Elsewhere(1)
    assert dataclass_code_cache.save() is False  # nothing of the app's was compiled


def test_an_unwritable_place_loses_nothing_but_the_cache(fresh_install: Path) -> None:
    blocked = fresh_install.parent / "a-file"
    blocked.write_text("not a directory")
    assert dataclass_code_cache.install(blocked / "cache.bin", modules=(__name__,)) is True

    @dataclasses.dataclass
    class Item:
        name: str

    assert Item("a").name == "a"
    assert dataclass_code_cache.save() is False
    assert not list(fresh_install.parent.glob("**/*.tmp"))
