"""Bytecode for the methods `dataclasses` writes, kept like a `.pyc` between starts.

Python 3.11's `dataclasses` writes each class's `__init__`, `__repr__`, `__eq__`, `__hash__`
(and, frozen, `__setattr__`/`__delattr__`) as source text and compiles it with `exec` every
time the class is defined: ~400 small compilations for the ~70 dataclasses the window defines
before its first paint, the largest single cost of the start that is ours (measured with
valgrind: ~200 M of ~1,860 M instructions to the first paint). CPython keeps module bytecode
in `__pycache__`; nothing keeps this. So `install()` gives the `dataclasses` module an `exec`
that looks the source text up in a table of code objects loaded from one marshal file, and
compiles only what it has not seen; `save()` writes the table back when it grew.

The key is the exact source text, so a hit runs the very code `exec` would have compiled (the
same text compiles to the same code). The file is per Python version (`cache_tag`); an
unreadable, foreign or damaged file is ignored and rewritten. Python 3.13 rewrote how
`dataclasses` builds methods (one `exec` per class): there, and wherever the module does not
look as expected, nothing is installed.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import dataclasses
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

_MAGIC = b"rc-dcc2\n"
# Far more than the app defines: a table this large means something keeps inventing classes.
_MAX_ENTRIES = 4000


class _Table:
    """Source text -> marshalled code; each entry is unmarshalled when first used (loading
    the whole file as code objects took ~5 ms, as bytes ~0.5 ms)."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        self.codes: dict[str, bytes] = {}
        self.grew = False
        self.path: Path | None = None
        self.modules = modules

    def exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        module = globals.get("__name__", "") if isinstance(globals, dict) else ""
        if not isinstance(source, str) or not str(module).startswith(self.modules):
            # Only the app's own classes: a test's or a library's would only grow the file.
            builtins.exec(source, globals, locals)
            return
        stored = self.codes.get(source)
        code = None
        if stored is not None:
            with contextlib.suppress(EOFError, ValueError, TypeError):
                code = marshal.loads(stored)
        if not isinstance(code, CodeType):
            code = compile(source, "<string>", "exec")
            if len(self.codes) < _MAX_ENTRIES:
                self.codes[source] = marshal.dumps(code)
                self.grew = True
        builtins.exec(code, globals, locals)


_table: _Table | None = None


def default_path() -> Path:
    """Beside the app's own bytecode: `rc_sms_desktop/__pycache__/dataclass-code.<tag>.bin`."""
    tag = sys.implementation.cache_tag or "unknown"
    return Path(__file__).resolve().parents[1] / "__pycache__" / f"dataclass-code.{tag}.bin"


def _read(path: Path) -> dict[str, bytes]:
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    if not data.startswith(_MAGIC):
        return {}
    try:
        table = marshal.loads(data[len(_MAGIC):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, bytes)}


def install(path: Path | None = None, modules: tuple[str, ...] = ("rc_sms_desktop",)) -> bool:
    """Route `dataclasses`' compilations of classes defined in `modules` (name prefixes)
    through the table loaded from `path`; False when this Python's `dataclasses` is not the one
    this was written for, or when already installed."""
    global _table
    if _table is not None or sys.version_info[:2] not in ((3, 11), (3, 12)):
        return False
    if not callable(getattr(dataclasses, "_create_fn", None)) or "exec" in vars(dataclasses):
        return False
    table = _Table(modules)
    table.path = path or default_path()
    table.codes = _read(table.path)
    dataclasses.exec = table.exec  # type: ignore[attr-defined]
    _table = table
    atexit.register(save)
    return True


def uninstall() -> None:
    """Give `dataclasses` the built-in `exec` back (tests)."""
    global _table
    if _table is not None and vars(dataclasses).get("exec") == _table.exec:
        del dataclasses.exec  # type: ignore[attr-defined]
    _table = None


def save() -> bool:
    """Write the table if it grew since it was loaded (atomically); True when written."""
    table = _table
    if table is None or not table.grew or table.path is None:
        return False
    path = table.path
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(_MAGIC + marshal.dumps(table.codes))
        os.replace(temporary, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            temporary.unlink()
        return False
    table.grew = False
    return True
