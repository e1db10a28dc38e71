"""Icons and desktop files: present, valid, in sync with their sources, and inside the wheel."""

from __future__ import annotations

import configparser
import filecmp
import os
import shlex
import shutil
import struct
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pytestqt.qtbot import QtBot

from rc_sms_desktop import __version__
from rc_sms_desktop.infra import app_resources
from rc_sms_desktop.infra.app_resources import APP_ID, ICON_SIZES, STATES

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "resources"
PACKAGE_COPY = ROOT / "rc_sms_desktop" / "resources"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


@pytest.mark.parametrize("size", ICON_SIZES)
def test_app_icon_png_has_its_declared_size(size: int) -> None:
    assert png_size(app_resources.icon_png(size).read_bytes()) == (size, size)


def test_source_resources_have_every_icon_size_and_both_bundle_icon_formats() -> None:
    for size in ICON_SIZES:
        assert (SOURCE / "icons" / f"rc-sms-desktop-{size}.png").is_file()
    assert (SOURCE / "icons" / "rc-sms-desktop.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (SOURCE / "icons" / "rc-sms-desktop.icns").read_bytes()[:4] == b"icns"


def test_package_copy_matches_the_sources() -> None:
    """packaging/render_icons.py copies resources/ into the package; a stale copy fails here."""
    copies = sorted(p.relative_to(PACKAGE_COPY) for p in PACKAGE_COPY.rglob("*") if p.is_file())
    sources = sorted(
        p.relative_to(SOURCE)
        for pattern in ("icons/*.svg", "icons/*.png", "linux/*")
        for p in SOURCE.glob(pattern)
    )
    assert copies == sources, "run: .venv/bin/python packaging/render_icons.py"
    mismatched = [str(p) for p in sources if not filecmp.cmp(SOURCE / p, PACKAGE_COPY / p, False)]
    assert not mismatched, f"run packaging/render_icons.py; stale: {mismatched}"


def test_svgs_are_well_formed_and_render(qtbot: QtBot) -> None:
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    for svg in [app_resources.icon_svg(), *(app_resources.state_icon_svg(s) for s in STATES)]:
        data = svg.read_bytes()
        ElementTree.fromstring(data)
        assert QSvgRenderer(QByteArray(data)).isValid(), svg.name


def test_qt_icons_load_from_package_data(qtbot: QtBot) -> None:
    icon = app_resources.app_icon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} == set(ICON_SIZES)
    for state in [*STATES, "some-future-state"]:
        assert not app_resources.state_icon(state).isNull()


def test_unknown_state_gets_the_unknown_mark_and_bad_size_is_refused() -> None:
    assert app_resources.state_icon_svg("ready").name == "state-ready.svg"
    assert app_resources.state_icon_svg("PendingReview").name == "state-unknown.svg"
    with pytest.raises(ValueError, match="sizes are"):
        app_resources.icon_png(17)


def test_desktop_entry_starts_the_gui_entry_point_with_the_app_icon() -> None:
    entry = desktop_entry(SOURCE / "linux" / f"{APP_ID}.desktop")
    assert entry["Exec"] in PYPROJECT["project"]["gui-scripts"]
    assert entry["Icon"] == APP_ID
    assert entry["Type"] == "Application" and entry["Terminal"] == "false"


def test_metainfo_names_the_desktop_entry_and_the_commands() -> None:
    root = ElementTree.parse(SOURCE / "linux" / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("project_license") == PYPROJECT["project"]["license"]
    binaries = {b.text for b in root.iter("binary")}
    assert binaries == set(PYPROJECT["project"]["scripts"]) | set(
        PYPROJECT["project"]["gui-scripts"]
    )
    assert root.find("releases/release").get("version") == __version__  # type: ignore[union-attr]


def run_validator(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (Debian package: see .ci/run)")
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_passes_desktop_file_validate() -> None:
    run_validator(["desktop-file-validate", str(SOURCE / "linux" / f"{APP_ID}.desktop")])


def test_metainfo_passes_appstreamcli_validate() -> None:
    run_validator(
        ["appstreamcli", "validate", "--no-net", str(SOURCE / "linux" / f"{APP_ID}.metainfo.xml")]
    )


def test_installed_desktop_entry_points_at_this_installation_and_validates(
    tmp_path: Path,
) -> None:
    command = str(tmp_path / "bin dir" / "rc-sms-desktop-gui")  # a space needs quoting
    written = app_resources.install_desktop_entry(tmp_path / "share", command=command)
    desktop = tmp_path / "share" / "applications" / f"{APP_ID}.desktop"
    assert desktop in written
    entry = desktop_entry(desktop)
    assert entry["Exec"] == f'"{command}"'
    assert entry["TryExec"] == command
    for size in ICON_SIZES:
        icon = (
            tmp_path / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        )
        assert png_size(icon.read_bytes()) == (size, size)
    assert (tmp_path / "share" / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    assert (tmp_path / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    run_validator(["desktop-file-validate", str(desktop)])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the tree (never builds in the shared checkout's build/)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    source.mkdir()
    shutil.copytree(
        ROOT / "rc_sms_desktop",
        source / "rc_sms_desktop",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(work / "out"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = (work / "out").glob("rc_sms_desktop-*.whl")
    return built


def test_wheel_ships_the_icons_desktop_files_and_both_entry_points(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points_name,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entry_points = archive.read(entry_points_name).decode()
        for path in PACKAGE_COPY.rglob("*"):
            if path.is_file():
                name = f"rc_sms_desktop/resources/{path.relative_to(PACKAGE_COPY).as_posix()}"
                assert name in names
                assert archive.read(name) == path.read_bytes()
    assert "rc-sms-desktop = rc_sms_desktop.cli.main:main" in entry_points
    assert "[gui_scripts]" in entry_points
    assert "rc-sms-desktop-gui = rc_sms_desktop.cli.main:gui_main" in entry_points


def test_the_installed_desktop_entry_starts_the_app(tmp_path: Path) -> None:
    """What a desktop does on a click: run the Exec line (here with --demo --screenshot)."""
    gui = Path(sys.executable).with_name("rc-sms-desktop-gui")
    if not gui.is_file():
        pytest.skip("rc-sms-desktop-gui is not installed in this environment")
    app_resources.install_desktop_entry(tmp_path / "share", command=str(gui))
    exec_line = desktop_entry(tmp_path / "share" / "applications" / f"{APP_ID}.desktop")["Exec"]
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [*shlex.split(exec_line), "--demo", "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    width, height = png_size(shot.read_bytes())
    assert width > 0 and height > 0
