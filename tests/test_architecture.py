"""The layering in ARCHITECTURE.md holds: import-linter contracts pass, and the Qt-free layers
really load without PySide6 (checked in a fresh interpreter, where nothing else imported Qt)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

QT_FREE_MODULES = [
    "rc_sms_desktop.core",
    "rc_sms_desktop.core.models",
    "rc_sms_desktop.core.eligibility",
    "rc_sms_desktop.core.use_cases",
    "rc_sms_desktop.core.number_kinds",
    "rc_sms_desktop.core.formatting",
    "rc_sms_desktop.core.error_codes",
    "rc_sms_desktop.api",
    "rc_sms_desktop.api.client",
    "rc_sms_desktop.api.errors",
    "rc_sms_desktop.api.demo",
    "rc_sms_desktop.workflows.loader",
    "rc_sms_desktop.infra.cache",
    "rc_sms_desktop.simulator",
    "rc_sms_desktop.cli.explain",
]


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    command = [str(lint_imports)] if lint_imports.exists() else [sys.executable, "-m", "importlinter.cli"]
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.mark.parametrize("module", QT_FREE_MODULES)
def test_qt_free_module_does_not_load_pyside6(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} does not exist yet")
    probe = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync', 'shiboken6'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [], f"{module} pulls in Qt"
