"""The PyInstaller bundle starts, reports its version, and renders the demo window offscreen."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from rc_sms_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]
# The version the bundle must report: the package's, which pyproject.toml also takes.
VERSION = __version__


def executable(bundle: Path) -> Path:
    return bundle / ("rc-sms-desktop.exe" if sys.platform == "win32" else "rc-sms-desktop")


@pytest.fixture
def sandbox_env(tmp_path: Path) -> dict[str, str]:
    """A clean user: empty config/cache/log dirs, no keyring, offscreen Qt, no proxy surprises."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "PYTHON", "RC_SMS_"))}
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[name] = str(tmp_path / name.lower())
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["HOME"] = str(tmp_path / "home")
    Path(env["HOME"]).mkdir()
    return env


def run_bundle(
    bundle: Path, env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(executable(bundle)), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=env["HOME"],
    )


def test_version(bundle: Path, sandbox_env: dict[str, str]) -> None:
    result = run_bundle(bundle, sandbox_env, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"rc-sms-desktop {VERSION}"


def test_help_lists_the_window_options_and_commands(
    bundle: Path, sandbox_env: dict[str, str]
) -> None:
    result = run_bundle(bundle, sandbox_env, "--help")
    assert result.returncode == 0, result.stderr
    for word in ("--demo", "--screenshot", "explain", "check", "send", "simulator"):
        assert word in result.stdout


def test_bundle_holds_keyring_backends_simulator_and_qt_plugins(bundle: Path) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(executable(bundle))).open_embedded_archive("PYZ.pyz").toc)
    expected = {
        "keyring.backends.SecretService",
        "keyring.backends.libsecret",
        "keyring.backends.kwallet",
        "keyring.backends.fail",
        "jeepney",
        "secretstorage",
        "truststore",
        "qasync",
        "uvicorn.loops.auto",
        "uvicorn.protocols.http.auto",
        "uvicorn.lifespan.on",
        "rc_sms_desktop.simulator.messaging",  # imported by name on its first request
        "rc_sms_desktop.cli.explain",
        "rc_sms_desktop.infra.app_resources",
    }
    assert expected <= modules, sorted(expected - modules)
    # Test dependencies only since issue #20 (the simulator has its own ASGI layer).
    assert not {m for m in modules if m.split(".")[0] in ("starlette", "python_multipart")}
    plugins = next(bundle.glob("_internal/PySide6/Qt/plugins"))
    for plugin in (
        "platforms/libqoffscreen.so",
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
    ):
        if sys.platform.startswith("linux"):
            assert (plugins / plugin).is_file(), plugin
    icons = bundle / "_internal" / "rc_sms_desktop" / "resources" / "icons"
    assert (icons / "rc-sms-desktop-256.png").is_file()


def test_demo_window_screenshot_is_a_png(
    bundle: Path, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    shot = tmp_path / "out.png"
    result = run_bundle(bundle, sandbox_env, "--demo", "--screenshot", str(shot), timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 400 and height >= 300


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG log location")
def test_window_run_writes_its_log_in_the_platform_log_directory(
    bundle: Path, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    result = run_bundle(
        bundle, sandbox_env, "--demo", "--screenshot", str(tmp_path / "s.png"), timeout=180
    )
    assert result.returncode == 0, result.stderr[-4000:]
    logs = list(Path(sandbox_env["XDG_STATE_HOME"]).glob("rc-sms-desktop/log/*.log"))
    assert logs, "the window run wrote no log file"
