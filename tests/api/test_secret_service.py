"""The token store against a real Secret Service: gnome-keyring on a private D-Bus.

The suite otherwise forbids the real keyring (tests/conftest.py); this test runs a small script
in a child process under ``dbus-run-session`` with its own gnome-keyring, unlocked from stdin, its
own HOME and runtime directory, so nothing touches the developer's keyring. It skips when the
binaries are absent (CI installs ``dbus`` and ``gnome-keyring``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.keyring_real

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, os, subprocess, sys

    started = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input=b"throwaway-test-password\\n", capture_output=True, timeout=30,
    )
    for line in started.stdout.decode().splitlines():
        name, _, value = line.partition("=")
        if name:
            os.environ[name] = value

    from keyring.backends import SecretService
    from rc_sms_desktop.infra.redaction import Secret
    from rc_sms_desktop.api.tokens import SERVICE, TokenStore, store_key

    KEY = store_key("https://platform.ringcentral.com", "real-keyring-test")
    PAYLOAD = "".join(chr(0x61 + i % 26) for i in range(6000)) + "é😀"

    async def main():
        store = TokenStore()  # the backend keyring itself selects: SecretService here
        saved = await store.save(KEY, Secret(PAYLOAD))
        loaded = await store.load(KEY)
        backend = SecretService.Keyring()
        users = [KEY] + [f"{KEY}#{slot}{i}" for slot in "ab" for i in range(8)]
        present = [u for u in users if backend.get_password(SERVICE, u) is not None]
        await store.save(KEY, Secret("small"))
        after_shrink = [u for u in users if backend.get_password(SERVICE, u) is not None]
        deleted = await store.delete(KEY)
        left = [u for u in users if backend.get_password(SERVICE, u) is not None]
        print(json.dumps({
            "saved": saved,
            "round_trip": loaded is not None and loaded.get_secret_value() == PAYLOAD,
            "state": store.status.state.value,
            "entries": len(present),
            "after_shrink": len(after_shrink),
            "deleted": deleted,
            "left": len(left),
        }))

    asyncio.run(main())
    """
)


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-run-session and gnome-keyring-daemon (apt: dbus gnome-keyring)",
)
def test_chunked_session_round_trips_through_gnome_keyring(tmp_path: Path) -> None:
    script = tmp_path / "real_keyring.py"
    script.write_text(SCRIPT, encoding="utf-8")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    result = subprocess.run(
        ["dbus-run-session", "--", sys.executable, str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["saved"] is True
    assert outcome["round_trip"] is True
    assert outcome["state"] == "keyring"
    assert outcome["entries"] > 2  # a manifest and several chunks
    assert outcome["after_shrink"] == 1  # stale chunks removed
    assert outcome["deleted"] is True
    assert outcome["left"] == 0
