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


# Issue #20: the simulator runs on its own small ASGI layer (simulator/asgi.py); Starlette and
# python-multipart are test dependencies only (the import-linter contract "The app imports no
# Starlette" forbids them in the package; the probe below also catches an indirect import).
# Neither they nor anyio (httpcore's network backend, unused in-process) load for the demo, and
# the demo's first load (sign-in, the
# extension, its numbers, their SMS configurations) imports none of the endpoints it does not
# call. The simulator's other endpoints load on their first request.
_UNUSED_ON_FIRST_LOAD = (
    "rc_sms_desktop.simulator.messaging",
    "rc_sms_desktop.simulator.registrations",
    "rc_sms_desktop.simulator.recipient_assign",
    "rc_sms_desktop.simulator.capture",  # `simulator --data` only
)
_DEMO_LOAD_PROBE = """
import asyncio, json, sys
import httpx
from rc_sms_desktop.api.demo import open_demo_client
from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.workflows.loader import SenderLoader

WATCHED = ("starlette", "anyio", "python_multipart", "multipart") + %r

def loaded():
    return sorted(m for m in WATCHED if m in sys.modules)

async def main():
    client = await open_demo_client()
    events = [type(event).__name__ async for event in SenderLoader(client).load()]
    await client.aclose()
    report = {"events": events, "after_first_load": loaded(), "later": {}}
    config = SimulatorConfig()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(config)),
                                 base_url="http://sim.test") as http:
        token = (await http.post("/restapi/oauth/token", auth=(config.client_id, config.client_secret),
                                 data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                       "assertion": config.jwt})).json()["access_token"]
        http.headers["Authorization"] = "Bearer " + token
        for path in ("/restapi/v1.0/account/~/sms-registration-brands",
                     "/restapi/v1.0/account/~/extension/~/message-store/1"):
            status = (await http.get(path)).status_code
            report["later"][path] = [status, loaded()]
    print(json.dumps(report))

asyncio.run(main())
"""


def test_demo_first_load_imports_neither_starlette_nor_unused_endpoints() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _DEMO_LOAD_PROBE % (_UNUSED_ON_FIRST_LOAD,)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["events"][-1] == "LoadFinished" and "VerdictUpdated" in report["events"]
    assert report["after_first_load"] == [], "the demo's first load imported these"
    brands, message = report["later"].values()
    # Each endpoint module is imported by its first request, and answers it.
    assert brands == [200, ["rc_sms_desktop.simulator.registrations"]]
    assert message == [404, ["rc_sms_desktop.simulator.messaging",
                             "rc_sms_desktop.simulator.registrations"]]
