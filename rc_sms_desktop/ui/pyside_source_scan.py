"""Spares PySide6's source scan of every module imported after it (PYSIDE-2029).

Once PySide6 is loaded, its import hook (`shibokensupport.feature.feature_imported`) reads the
whole source of each newly imported module through `inspect.getsource`, looking for the word
"PySide6", to know whether the module may select a `__feature__` (snake_case, true_property);
every file read stays in `linecache`. At start-up that is ~80 files (the window's Qt modules,
qasync, their dependencies) and again for each view built after the first paint.

This app never selects a `__feature__`, so the modules already loaded, and (through a
meta-path finder inserted first) each module about to be loaded, are recorded in the hook's
table with the value the hook gives a module that mentions PySide6 (0: no feature selected);
the hook skips a module already in its table. Measured: 270 files (4.5 MB of source text) read
when the window's modules are imported, 39 after (those PySide6 and qasync import themselves).
Where the table is not found (another PySide6), nothing is done and the hook works as before.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

_NO_FEATURE = 0


class _MarkNoFeature:
    # A meta-path finder by protocol (find_spec), not by subclassing importlib.abc.MetaPathFinder:
    # importing importlib.abc pulls importlib.resources, tempfile and zipfile (~4 ms at start-up).

    def __init__(self, table: dict[str, Any]) -> None:
        self._table = table

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        self._table.setdefault(fullname, _NO_FEATURE)
        return None  # the usual finders find the module


def install() -> bool:
    """Insert the finder (once); False when PySide6's table is not where 6.10 keeps it."""
    feature = sys.modules.get("shibokensupport.feature")
    table = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(table, dict):
        return False
    # Its hook runs at every import statement, of modules loaded before PySide6 too.
    for name in list(sys.modules):
        table.setdefault(name, _NO_FEATURE)
    if not any(isinstance(finder, _MarkNoFeature) for finder in sys.meta_path):
        sys.meta_path.insert(0, _MarkNoFeature(table))
    return True


install()
