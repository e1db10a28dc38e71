"""Suite-wide isolation: no test writes to the real home, cache or keyring; Qt runs offscreen."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_SANDBOX = Path(tempfile.mkdtemp(prefix="rc-sms-desktop-tests-"))

# Set before any test module imports Qt or platformdirs.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_name] = str(_SANDBOX / _name.lower())
# Test processes compile what tests compile, not what a start needs: no compiled cache
# (infra/compiled_cache.py); its own tests give it a file of their own.
os.environ["RC_SMS_DESKTOP_COMPILED_CACHE"] = "off"
# Never reach the developer's real keyring from a test; tests that want one install their own.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

SPEC_ENV = "RC_OPENAPI_SPEC"
DEFAULT_SPEC = (
    Path(__file__).resolve().parents[2] / "shared/reference/ringcentral-openapi/rc-public-openapi.yml"
)


def openapi_spec_path() -> Path | None:
    """Where RingCentral's official OpenAPI spec is, if this machine has it (never copied here)."""
    path = Path(os.environ.get(SPEC_ENV, str(DEFAULT_SPEC)))
    return path if path.is_file() else None


_spec_cache: dict[str, Any] = {}


@pytest.fixture(scope="session")
def openapi_spec() -> Iterator[dict[str, Any]]:
    """The parsed OpenAPI spec; tests that use it skip cleanly when the file is absent."""
    path = openapi_spec_path()
    if path is None:
        pytest.skip(f"RingCentral OpenAPI spec not found (set {SPEC_ENV})")
    if "spec" not in _spec_cache:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with path.open("rb") as handle:
            _spec_cache["spec"] = yaml.load(handle, Loader=loader)
    yield _spec_cache["spec"]
