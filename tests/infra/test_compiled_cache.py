"""The compiled cache: dataclasses and regular expressions behave exactly as without it, a
second start compiles nothing it has seen, and a damaged or foreign file costs only speed."""

from __future__ import annotations

import dataclasses
import json
import marshal
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from rc_sms_desktop.infra import compiled_cache

pytestmark = pytest.mark.skipif(
    sys.version_info[:2] not in ((3, 11), (3, 12)),
    reason="installed only where dataclasses and re compile from text as 3.11/3.12 do",
)

MAGIC = b"rc-cc3\n"

# A child process installs the cache on the file given, defines classes and patterns, uses
# them, and reports what a user of them would see plus whether anything had to be compiled.
_CHILD = textwrap.dedent(
    """
    import dataclasses, json, re, sys, typing
    from pathlib import Path
    from rc_sms_desktop.infra import compiled_cache as cache

    installed = INSTALL
    loaded = ((len(cache._cache.dataclass_code), len(cache._cache.regex_programs),
               len(cache._cache.module_code)) if cache._cache else (0, 0, 0))

    # compile() as PySide6 calls it for its embedded support modules, and as anyone else does;
    # neither may take this cache module's own __future__ flags (annotations): without them,
    # an annotation naming nothing fails when the function is defined.
    def compiled(filename):
        namespace = {}
        code = compile("def f(x: not_defined):\\n    return x * 2\\n", filename, "exec")
        try:
            exec(code, namespace)
        except NameError:
            return "annotation evaluated"
        return namespace["f"](21)
    module_results = [compiled("shibokensupport/fake.py"), compiled("elsewhere.py")]
    # PySide6 hands its sources over as bytes.
    module_results.append(eval(compile(b"6 * 7", "shibokensupport/bytes.py", "eval")))

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

    # Patterns a cache could get wrong: names, flags set inside, bytes, Unicode classes.
    phone = re.compile(r"^\\+1(?P<area>[2-9]\\d{2})(?P<rest>\\d{7})$")
    bearer = re.compile(r"(?i)\\b(bearer)(\\s+)[A-Za-z0-9._~+/=-]{8,}")
    raw = re.compile(rb"ab+c", re.IGNORECASE)
    word = re.compile(r"\\w+", re.ASCII)
    texts = ["+16505550100", "Authorization: BEARER abcdefgh12", "xx ABBBC yy", "héllo wörld"]
    matches = []
    for t in texts:
        for p in (phone, bearer, word):
            m = p.search(t)
            matches.append(None if m is None else [m.span(), list(m.groups()), m.groupdict()])
        m = raw.search(t.encode("utf-8", "replace"))
        matches.append(None if m is None else list(m.span()))
    out = {
        "installed": installed,
        "loaded": loaded,
        "grew": bool(cache._cache and cache._cache.grew),
        "repr": repr(row),
        "eq": n == Number("+16505550100", ("SmsSender",)),
        "ne": n == Number("+16505550101", ("SmsSender",)),
        "hash_equal": hash(n) == hash(Number("+16505550100", ("SmsSender",))),
        "frozen": frozen,
        "fresh_default": Row(n).notes,
        "replace": repr(dataclasses.replace(n, label="Sales")),
        "fields": [f.name for f in dataclasses.fields(Row)],
        # The generated __init__'s annotations are the types, as without the cache.
        "init_hints": {k: repr(v) for k, v in typing.get_type_hints(Number.__init__).items()},
        "modules": module_results,
        "kept_modules": sorted(k[1] for k in cache._cache.module_code) if cache._cache else [],
        "flags": [phone.flags, bearer.flags, raw.flags, word.flags],
        "groups": [phone.groups, dict(phone.groupindex), bearer.groups],
        "matches": matches,
    }
    try:
        re.compile("(unclosed")
        out["error"] = None
    except re.error as error:
        out["error"] = str(error)
    if cache._cache:
        cache.save()
        import builtins
        out["compile_given_back"] = builtins.compile.__module__ == "builtins"
    print(json.dumps(out))
    """
)
_INSTALL = 'cache.install(Path(sys.argv[1]), modules=("__main__",))'


def _run(cache_file: Path, *, enabled: bool = True) -> dict[str, object]:
    code = _CHILD.replace("INSTALL", _INSTALL if enabled else "False")
    env = {k: v for k, v in os.environ.items() if k != compiled_cache.PATH_ENV}
    done = subprocess.run(
        [sys.executable, "-c", code, str(cache_file)],
        capture_output=True, text=True, timeout=60, check=True, env=env,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


_SEEN = ("repr", "eq", "ne", "hash_equal", "frozen", "fresh_default", "replace", "fields",
         "init_hints",
         "flags", "groups", "matches", "error", "modules")


def _same_behaviour(a: dict[str, object], b: dict[str, object]) -> bool:
    return all(a[k] == b[k] for k in _SEEN)


def test_classes_and_patterns_behave_as_without_it_and_a_second_start_compiles_nothing(
    tmp_path: Path,
) -> None:
    cache_file = tmp_path / "compiled.bin"
    without = _run(cache_file, enabled=False)
    assert not cache_file.exists()
    first = _run(cache_file)
    assert first["installed"] is True
    assert first["loaded"] == [0, 0, 0] and first["grew"] is True
    assert cache_file.read_bytes().startswith(MAGIC)
    assert first["compile_given_back"] is True  # compile() is wrapped only for the start-up
    # Only PySide6's support modules are kept; anything else is compiled as usual.
    assert first["kept_modules"] == ["shibokensupport/bytes.py", "shibokensupport/fake.py"]
    second = _run(cache_file)
    dataclass_entries, regex_entries, module_entries = second["loaded"]  # type: ignore[misc]
    assert dataclass_entries > 0 and regex_entries > 0 and module_entries == 2
    assert second["grew"] is False  # every method and every pattern came from the file
    assert _same_behaviour(without, first)
    assert _same_behaviour(without, second)
    assert without["frozen"] == "yes" and without["fresh_default"] == []
    assert without["error"]  # a bad pattern still raises re.error, with the same message
    assert without["modules"] == ["annotation evaluated", "annotation evaluated", 42]


@pytest.mark.parametrize(
    "damage",
    [b"", b"garbage", MAGIC + b"\x00\x01\x02", MAGIC + b"\xe9" * 64,
     MAGIC + marshal.dumps(["not", "a", "table"])],
    ids=["empty", "foreign", "truncated", "nonsense", "wrong-shape"],
)
def test_a_damaged_file_is_ignored_and_rewritten(tmp_path: Path, damage: bytes) -> None:
    cache_file = tmp_path / "compiled.bin"
    cache_file.write_bytes(damage)
    result = _run(cache_file)
    assert result["installed"] is True and result["loaded"] == [0, 0, 0]
    assert _same_behaviour(_run(tmp_path / "other.bin", enabled=False), result)
    assert cache_file.read_bytes().startswith(MAGIC)
    assert _run(cache_file)["grew"] is False


def test_damaged_entries_are_compiled_again_and_give_the_right_answers(tmp_path: Path) -> None:
    cache_file = tmp_path / "compiled.bin"
    without = _run(cache_file, enabled=False)
    _run(cache_file)
    table = marshal.loads(cache_file.read_bytes()[len(MAGIC):])
    # Every entry damaged a different way: not marshal, the wrong type, and (for patterns) a
    # program that _sre refuses or that has the wrong shape.
    bad_values = [b"not marshal", marshal.dumps("not code"),
                  marshal.dumps((0, [999, 999], 0, {}, ())), marshal.dumps((1, 2))]
    for part in ("dataclass", "regex", "compile"):
        table[part] = {key: bad_values[n % len(bad_values)] for n, key in enumerate(table[part])}
    cache_file.write_bytes(MAGIC + marshal.dumps(table))
    result = _run(cache_file)
    assert result["grew"] is True  # compiled again
    assert _same_behaviour(without, result)


@pytest.fixture()
def in_process(tmp_path: Path) -> Iterator[Path]:
    """Install in this process on a file of its own; uninstalled after."""
    compiled_cache.uninstall()
    try:
        yield tmp_path / "in-process.bin"
    finally:
        compiled_cache.uninstall()


def test_install_is_once_and_save_writes_once_then_stops_recording(in_process: Path) -> None:
    assert compiled_cache.install(in_process, modules=(__name__,)) is True
    assert compiled_cache.install(in_process) is False  # already installed

    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: int

    assert Point(1, 2) == Point(1, 2)
    assert re.compile(r"(?P<x>\d+),(?P<y>\d+)-only-here").match("1,2-only-here") is not None
    assert compiled_cache.save() is True
    assert compiled_cache.save() is False  # nothing new since
    assert re.compile(r"compiled-after-start-up-\d").match("compiled-after-start-up-1")
    assert compiled_cache.save() is False  # after the start-up nothing more is recorded
    assert in_process.stat().st_size > 0


def test_classes_of_other_modules_are_compiled_as_usual_and_not_kept(in_process: Path) -> None:
    assert compiled_cache.install(in_process, modules=("rc_sms_desktop.nothing",))
    table = compiled_cache._cache
    assert table is not None

    @dataclasses.dataclass
    class Elsewhere:
        value: int

    assert Elsewhere(1) == Elsewhere(1)
    assert table.dataclass_code == {}


def test_an_unwritable_place_loses_nothing_but_the_cache(in_process: Path) -> None:
    blocked = in_process.parent / "a-file"
    blocked.write_text("not a directory")
    assert compiled_cache.install(blocked / "cache.bin", modules=(__name__,)) is True

    @dataclasses.dataclass
    class Item:
        name: str

    assert Item("a").name == "a"
    assert re.compile(r"unwritable-\w+").match("unwritable-ok")
    assert compiled_cache.save() is False
    assert not list(in_process.parent.glob("**/*.tmp"))


def test_off_in_the_environment_installs_nothing(
    in_process: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(compiled_cache.PATH_ENV, "off")
    assert compiled_cache.install() is False
    assert compiled_cache._cache is None
    assert "exec" not in vars(dataclasses)


def test_uninstall_gives_dataclasses_and_re_back(in_process: Path) -> None:
    import builtins
    from re import _compiler  # type: ignore[attr-defined]

    before, compile_before = _compiler.compile, builtins.compile
    assert compiled_cache.install(in_process)
    assert _compiler.compile is not before and builtins.compile is not compile_before
    compiled_cache.uninstall()
    assert _compiler.compile is before and builtins.compile is compile_before
    assert "exec" not in vars(dataclasses)
