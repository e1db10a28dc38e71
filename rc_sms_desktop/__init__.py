"""rc-sms-desktop: which of your RingCentral numbers can text, and why not."""

import sys

# The one place the version is written (pyproject.toml reads it from here): reading it back from
# the installed metadata costs ~25 ms of start-up for importlib.metadata.
__version__ = "0.1.0"

APP_NAME = "rc-sms-desktop"

# httpx imports its command-line client (click, rich, pygments: 40–90 ms of start-up) whenever
# those happen to be installed, and this app never runs it. A None entry makes that import fail
# at once; httpx then defines a stub `httpx.main` instead (its own fallback for a missing extra).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
