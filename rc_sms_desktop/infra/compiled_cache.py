"""What Python compiles again on every start, kept between starts like a `.pyc`.

CPython keeps each module's bytecode in `__pycache__`, but two things are compiled from text on
every start and never kept, and they were the two largest costs of the window's start that are
ours to remove (valgrind, instructions from process start to the first paint of the demo
window: 1,860 M before, 1,541 M without the first, 1,279 M without both):

* `dataclasses` (Python 3.11 and 3.12) writes each class's `__init__`, `__repr__`, `__eq__`,
  `__hash__` and, frozen, `__setattr__`/`__delattr__` as source text and compiles it with
  `exec`: ~400 compilations for the ~70 dataclasses defined before the first paint.
* `re` parses every pattern into its program in Python (`re._parser`, `re._compiler`): some
  hundreds of patterns at start-up, the app's and its libraries' (phonenumbers' metadata,
  httpx, email, PySide6's signature support).
* PySide6 keeps its support modules (`shibokensupport`: signatures, `__feature__`) as source
  text inside its library and compiles them with `compile()` when it is imported: 1,170 M
  instead of 1,284 M once they are kept too.

`install()` routes all three through one table loaded from one file: a dataclass method's or a
support module's source text maps to its marshalled code object, a pattern and its flags to the
program `re` computed for it (`_sre.compile`'s arguments). A hit skips the parse and the compilation; a miss does them as
Python does and is kept. `save()` writes the file once the window's start-up is over (later
compilations are served but not recorded, so a long session or a test run does not grow it).

Why this is safe: a key is the exact input (source text, file name, mode and compiler flags,
the caller's `__future__` flags included; pattern, type and flags) and the file
is per Python version (`cache_tag`), so a hit is what the compilation would have produced.
`_sre.compile` validates a program before using it, so a damaged entry fails there, and is
then compiled again. An unreadable, foreign or damaged file is ignored and rewritten. The file
sits beside the app's own `.pyc` files and is trusted as they are. One difference: warnings
that `re` gives while parsing a pattern (e.g. a possible nested set) are given only when the
pattern is first compiled. Where `dataclasses` or `re` do not look as these versions do
(Python 3.13 rewrote both parts), that part is not installed and nothing changes. `compile()`
is wrapped only until the start-up is over, and serves only PySide6's embedded modules.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import dataclasses
import marshal
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any

_MAGIC = b"rc-cc3\n"  # 3: dataclass methods no longer compiled with this module's __future__ flags
# Another file for the table, or "off" (the test suite turns it off: its processes compile
# what tests compile, not what a start needs).
PATH_ENV = "RC_SMS_DESKTOP_COMPILED_CACHE"
# Far more than a start compiles: a table this large means something keeps inventing classes
# or patterns; later ones are compiled as usual.
_MAX_ENTRIES = 4000
_SUPPORTED = ((3, 11), (3, 12))
# PySide6's support modules, compiled from the source its library carries (file names as it
# gives them to compile()).
_PYSIDE_SUPPORT = "shibokensupport/"
_PYSIDE_BOOTSTRAP = "signature_bootstrap.py"
# The real compile(), whatever stands in builtins while the start-up lasts.
_BUILTIN_COMPILE = builtins.compile
_AST_ONLY = 0x400  # ast.PyCF_ONLY_AST: the caller wants a tree, not code
_FUTURE_FLAGS = 0x1FE0000  # CO_FUTURE_* bits of a code object's co_flags (Include/cpython/code.h)


class _Cache:
    """The table (values stay marshalled until used: loading the file stays < 1 ms)."""

    def __init__(self, path: Path, modules: tuple[str, ...]) -> None:
        self.path = path
        self.modules = modules
        self.dataclass_code: dict[str, bytes] = {}
        self.regex_programs: dict[tuple[str | bytes, int], bytes] = {}
        self.module_code: dict[tuple[str | bytes, str, str, int, int], bytes] = {}
        self.recording = True
        self.grew = False
        self.original_regex_compile: Callable[..., Any] | None = None
        self.original_compile: Callable[..., Any] | None = None

    def _keep(self, table: dict[Any, bytes], key: Any, value: Any) -> None:
        if self.recording and len(table) < _MAX_ENTRIES:
            table[key] = marshal.dumps(value)
            self.grew = True

    @staticmethod
    def _stored(table: dict[Any, bytes], key: Any) -> Any:
        """The entry for `key`, unmarshalled; None when there is none or it is damaged."""
        stored = table.get(key)
        if stored is None:
            return None
        try:
            return marshal.loads(stored)
        except (EOFError, ValueError, TypeError):
            return None

    # -- dataclasses -----------------------------------------------------------------------

    def dataclass_exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        module = globals.get("__name__", "") if isinstance(globals, dict) else ""
        if not isinstance(source, str) or not str(module).startswith(self.modules):
            # Only the app's own classes: a test's or a library's would only grow the file.
            builtins.exec(source, globals, locals)
            return
        code = self._stored(self.dataclass_code, source)
        if not isinstance(code, CodeType):
            # As exec() compiles it for `dataclasses`, whose module selects no __future__
            # feature: not inheriting this module's (annotations would become strings).
            code = _BUILTIN_COMPILE(source, "<string>", "exec", dont_inherit=True)
            self._keep(self.dataclass_code, source, code)
        builtins.exec(code, globals, locals)

    # -- compile() of PySide6's embedded support modules -----------------------------------

    def compile(self, source: Any, filename: Any, mode: Any, flags: int = 0,
                dont_inherit: bool = False, optimize: int = -1, **options: Any) -> Any:
        original = self.original_compile
        assert original is not None
        # As compile() does: the caller's __future__ features count unless told not to (and
        # this module's own must not, hence dont_inherit=True below).
        inherited = 0 if dont_inherit else sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
        name = str(filename)
        if (not isinstance(source, (str, bytes)) or options or optimize != -1 or flags & _AST_ONLY
                or not (name.startswith(_PYSIDE_SUPPORT) or name == _PYSIDE_BOOTSTRAP)):
            return original(source, filename, mode, flags | inherited, True, optimize, **options)
        key = (source, name, str(mode), int(flags), inherited)
        code = self._stored(self.module_code, key)
        if isinstance(code, CodeType):
            return code
        code = original(source, filename, mode, flags | inherited, True, optimize)
        self._keep(self.module_code, key, code)
        return code

    # -- re --------------------------------------------------------------------------------

    def regex_compile(self, pattern: Any, flags: Any = 0) -> Any:
        original = self.original_regex_compile
        assert original is not None
        if not isinstance(pattern, (str, bytes)) or flags & re.DEBUG:
            return original(pattern, flags)
        key = (pattern, int(flags))
        stored = self._stored(self.regex_programs, key)
        if stored is not None:
            with contextlib.suppress(Exception):  # a damaged entry: compiled again below
                return _program_to_pattern(pattern, stored)
        program = _regex_program(pattern, int(flags))
        self._keep(self.regex_programs, key, program)
        return _program_to_pattern(pattern, program)


def _regex_program(pattern: str | bytes, flags: int) -> tuple[int, list[int], int, dict[str, int],
                                                                tuple[str | None, ...]]:
    """What `re._compiler.compile` passes to `_sre.compile`, for this pattern (3.11/3.12)."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = parsed.state.groupdict
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1,
            {str(k): int(v) for k, v in groupindex.items()}, tuple(indexgroup))


def _program_to_pattern(pattern: str | bytes, program: Any) -> Any:
    import _sre  # type: ignore[import-not-found]  # CPython's regex engine, no stub

    flags, code, groups, groupindex, indexgroup = program
    return _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)


def _regex_part_works() -> bool:
    """Whether this Python's `re` builds patterns as `_regex_program` expects: a sample built
    both ways must agree in everything a caller can see."""
    from re import _compiler  # type: ignore[attr-defined]

    sample = r"(?P<area>\d{3})[-. ]?(\d{3})(?:-(?P<line>\d{4}))?|(?i:bearer)\s+\S+"
    try:
        ours = _program_to_pattern(sample, _regex_program(sample, int(re.IGNORECASE)))
        theirs = _compiler.compile(sample, re.IGNORECASE)
    except Exception:
        return False
    texts = ("650-555-0100", "650 555", "BEARER abc", "x")
    return (ours.pattern == theirs.pattern and ours.flags == theirs.flags
            and ours.groups == theirs.groups and ours.groupindex == theirs.groupindex
            and all(_groups(ours.match(t)) == _groups(theirs.match(t)) for t in texts))


def _groups(match: Any) -> Any:
    return None if match is None else (match.span(), match.groups(), match.groupdict())


_cache: _Cache | None = None


def default_path() -> Path:
    """Beside the app's own bytecode: `rc_sms_desktop/__pycache__/compiled-cache.<tag>.bin`."""
    tag = sys.implementation.cache_tag or "unknown"
    return Path(__file__).resolve().parents[1] / "__pycache__" / f"compiled-cache.{tag}.bin"


def _read(path: Path) -> tuple[dict[str, bytes], dict[tuple[str | bytes, int], bytes],
                               dict[tuple[str | bytes, str, str, int, int], bytes]]:
    try:
        data = path.read_bytes()
        if not data.startswith(_MAGIC):
            return {}, {}, {}
        table = marshal.loads(data[len(_MAGIC):])
    except (OSError, EOFError, ValueError, TypeError):
        return {}, {}, {}
    if not isinstance(table, dict):
        return {}, {}, {}
    code, programs, modules = table.get("dataclass"), table.get("regex"), table.get("compile")
    code = code if isinstance(code, dict) else {}
    programs = programs if isinstance(programs, dict) else {}
    modules = modules if isinstance(modules, dict) else {}
    return (
        {k: v for k, v in code.items() if isinstance(k, str) and isinstance(v, bytes)},
        {k: v for k, v in programs.items()
         if isinstance(k, tuple) and len(k) == 2 and isinstance(k[0], (str, bytes))
         and isinstance(k[1], int) and isinstance(v, bytes)},
        {k: v for k, v in modules.items()
         if isinstance(k, tuple) and len(k) == 5 and isinstance(k[0], (str, bytes))
         and all(isinstance(p, str) for p in k[1:3])
         and all(isinstance(p, int) for p in k[3:]) and isinstance(v, bytes)},
    )


def install(path: Path | None = None, modules: tuple[str, ...] = ("rc_sms_desktop",)) -> bool:
    """Serve dataclass methods (of classes defined in `modules`, name prefixes) and regular
    expressions from the file at `path`; False when already installed or when this Python is
    not one these parts were written for."""
    global _cache
    if _cache is not None or sys.version_info[:2] not in _SUPPORTED:
        return False
    if path is None:
        chosen = os.environ.get(PATH_ENV, "").strip()
        if chosen.lower() == "off":
            return False
        path = Path(chosen) if chosen else default_path()
    cache = _Cache(path, modules)
    cache.dataclass_code, cache.regex_programs, cache.module_code = _read(cache.path)
    installed = False
    if callable(getattr(dataclasses, "_create_fn", None)) and "exec" not in vars(dataclasses):
        dataclasses.exec = cache.dataclass_exec  # type: ignore[attr-defined]
        installed = True
    compiler = getattr(re, "_compiler", None)
    if compiler is not None and callable(getattr(compiler, "_code", None)) and _regex_part_works():
        cache.original_regex_compile = compiler.compile
        compiler.compile = cache.regex_compile
        installed = True
    if installed:
        # Until the start-up is over (save()): PySide6 compiles its support modules on import.
        cache.original_compile = builtins.compile
        builtins.compile = cache.compile
        _cache = cache
        atexit.register(save)  # a process that ends before its start-up is over (--screenshot)
    return installed


def uninstall() -> None:
    """Give `dataclasses` and `re` back what they had (tests)."""
    global _cache
    cache = _cache
    if cache is None:
        return
    if vars(dataclasses).get("exec") == cache.dataclass_exec:
        del dataclasses.exec  # type: ignore[attr-defined]
    compiler = getattr(re, "_compiler", None)
    if compiler is not None and cache.original_regex_compile is not None:
        compiler.compile = cache.original_regex_compile
    _give_compile_back(cache)
    _cache = None


def _give_compile_back(cache: _Cache) -> None:
    if cache.original_compile is not None and builtins.compile == cache.compile:
        builtins.compile = cache.original_compile


def save() -> bool:
    """Write the table if it grew (atomically), then stop recording; True when written.

    The window calls this once its start-up is over: what it compiled by then is what the next
    start needs.
    """
    cache = _cache
    if cache is None:
        return False
    cache.recording = False
    _give_compile_back(cache)
    if not cache.grew:
        return False
    path = cache.path
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    table = {"dataclass": cache.dataclass_code, "regex": cache.regex_programs,
             "compile": cache.module_code}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(_MAGIC + marshal.dumps(table))
        os.replace(temporary, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            temporary.unlink()
        return False
    cache.grew = False
    return True
