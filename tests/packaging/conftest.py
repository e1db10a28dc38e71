"""Bundle smoke tests run only from `make package` (packaging/build.py sets RC_SMS_PACKAGING=1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="bundle smoke test: run `make package` (RC_SMS_PACKAGING=1)")
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.packaging)
            if os.environ.get("RC_SMS_PACKAGING") != "1":
                item.add_marker(skip)


@pytest.fixture(scope="session")
def bundle() -> Path:
    """The one-folder bundle packaging/build.py made."""
    path = Path(os.environ.get("RC_SMS_BUNDLE", str(ROOT / "dist" / "rc-sms-desktop")))
    if not (path / "rc-sms-desktop").is_file():
        pytest.fail(f"no bundle at {path}: run packaging/build.py")
    return path
