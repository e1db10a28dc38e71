"""Environment for child processes: offscreen Qt and throw-away settings, cache and data dirs."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path


def throwaway_dir(prefix: str) -> Path:
    """A new temporary directory, removed when the benchmark process ends (a full scan leaves
    a ~10 MB saved scan in its cache directory)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def sandbox_env(root: Path | None = None) -> dict[str, str]:
    """Variables that keep a child off this machine's real settings, cache and keyring data."""
    base = root or throwaway_dir("rc-sms-bench-")
    env = {"QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        path = base / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    return env
