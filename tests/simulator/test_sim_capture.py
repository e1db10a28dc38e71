"""`simulator --data FILE` serves a capture exactly; the window opens it with `--server` (#15)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from rc_sms_desktop.api.demo import open_demo_client
from rc_sms_desktop.simulator.app import create_app
from rc_sms_desktop.simulator.config import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_JWT,
    SimulatorConfig,
)

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "explain" / "hostile.json"
NUMBERS = "/restapi/v1.0/account/~/extension/~/phone-number"


def captured_records() -> list[dict[str, object]]:
    document = json.loads(HOSTILE.read_text(encoding="utf-8"))
    records: list[dict[str, object]] = document["phoneNumbers"]["records"]
    return records


async def test_the_capture_is_served_exactly_as_captured() -> None:
    client = await open_demo_client(data_path=str(HOSTILE), rate_limits="off")
    async with client:
        served = await client.get_all(NUMBERS)
        me = await client.get_json("/restapi/v1.0/account/~/extension/~")
        account = await client.get_all("/restapi/v1.0/account/~/phone-number")
        config = await client.get_json(f"{NUMBERS}/{captured_records()[0]['id']}/sms-configuration")
    assert served.records == captured_records()  # hostile strings and all, byte for byte
    assert "<h1>H1</h1>" in me["name"]
    # Account-wide data without accountPhoneNumbers: the user's records, owned by the user.
    assert len(account.records) == len(captured_records())
    assert all(r.get("extension") for r in account.records if isinstance(r, dict))
    document = json.loads(HOSTILE.read_text(encoding="utf-8"))
    assert config == document["smsConfigurations"][str(captured_records()[0]["id"])]


def test_a_bad_capture_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"nothing": 1}', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "rc_sms_desktop", "simulator", "--port", "0", "--data", str(bad)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "phoneNumbers" in result.stderr


async def test_the_window_services_open_a_server_with_the_environment_jwt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rc_sms_desktop.infra.settings import SETTINGS_VERSION, Settings
    from rc_sms_desktop.ui.window_services import DefaultServices

    monkeypatch.setenv("RC_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("RC_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    monkeypatch.setenv("RC_JWT", DEMO_JWT)
    app = create_app(SimulatorConfig(data_path=str(HOSTILE), rate_limits="off"))
    services = DefaultServices(
        Settings(tmp_path / "settings.json", {"version": SETTINGS_VERSION}),
        transport=httpx.ASGITransport(app=app),
    )
    services.server_text = "http://127.0.0.1:9"
    session = await services.open_stored_session()
    assert session is not None and not session.is_demo
    try:
        page = await session.client.get_json(NUMBERS)
        assert page["records"] == captured_records()[: len(page["records"])]
    finally:
        await session.aclose()
