"""The app's icons and Linux desktop files, found at run time wherever the package is installed.

Everything is read through `importlib.resources`, so it works from a source tree, an installed
wheel (pipx) and a PyInstaller bundle alike. The files are package data under
`rc_sms_desktop/resources/`, copied there from the top-level `resources/` by
`packaging/render_icons.py`.

Qt is imported only inside `app_icon()` / `state_icon()`, so the CLI can use this module too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import platformdirs

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

# Reverse-DNS id shared by the desktop entry, the AppStream metainfo and the installed icon name;
# the UI should pass it to QGuiApplication.setDesktopFileName() so Wayland finds the icon.
APP_ID: Final = "io.github.rcsmsdesktop.RcSmsDesktop"
ICON_NAME: Final = "rc-sms-desktop"
ICON_SIZES: Final = (16, 24, 32, 48, 64, 128, 256, 512)
# Marks for a verdict's state: core's `ready` / `blocked` / `unknown`, plus `warning`.
STATES: Final = ("ready", "blocked", "unknown", "warning")
GUI_COMMAND: Final = "rc-sms-desktop-gui"


def resource(relative: str) -> Traversable:
    """A file under the package's `resources/` folder, e.g. `resource("icons/state-ready.svg")`."""
    node = files("rc_sms_desktop").joinpath("resources")
    for part in relative.split("/"):
        node = node.joinpath(part)
    return node


def icon_svg() -> Traversable:
    """The scalable app icon."""
    return resource(f"icons/{ICON_NAME}.svg")


def icon_png(size: int) -> Traversable:
    """The app icon rendered at `size`×`size` (one of `ICON_SIZES`)."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size}px icon; sizes are {ICON_SIZES}")
    return resource(f"icons/{ICON_NAME}-{size}.png")


def state_icon_svg(state: str) -> Traversable:
    """The mark for a verdict state; an unrecognised state gets the "unknown" mark."""
    return resource(f"icons/state-{state if state in STATES else 'unknown'}.svg")


def desktop_entry() -> Traversable:
    """The Linux `.desktop` file (its `Exec=` names the `rc-sms-desktop-gui` command)."""
    return resource(f"linux/{APP_ID}.desktop")


def metainfo() -> Traversable:
    """The AppStream metainfo XML."""
    return resource(f"linux/{APP_ID}.metainfo.xml")


def app_icon() -> QIcon:
    """The window/taskbar icon: every PNG size, so Qt never has to scale a bitmap much."""
    from PySide6.QtGui import QIcon, QPixmap

    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap()
        if pixmap.loadFromData(icon_png(size).read_bytes()):
            icon.addPixmap(pixmap)
    return icon


def state_icon(state: str, sizes: Sequence[int] = (16, 24, 32, 48)) -> QIcon:
    """The mark for a verdict state as a QIcon (rendered from SVG; needs a QGuiApplication)."""
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QIcon, QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(state_icon_svg(state).read_bytes()))
    icon = QIcon()
    for size in sizes:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _gui_command() -> str:
    """An absolute command that opens the window, for the desktop entry's Exec line."""
    if getattr(sys, "frozen", False):  # PyInstaller bundle: the binary itself opens the window
        return sys.executable
    beside_python = Path(sys.executable).with_name(GUI_COMMAND)
    if beside_python.is_file():  # the venv pipx made
        return str(beside_python)
    return shutil.which(GUI_COMMAND) or GUI_COMMAND


def _quote_exec(path: str) -> str:
    # Desktop Entry spec: a literal % is %%; arguments with reserved characters are quoted.
    path = path.replace("%", "%%")
    if any(c in path for c in " \t\"'\\><~|&;$*?#()`"):
        escaped = (
            path.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
        )
        return f'"{escaped}"'
    return path


def install_desktop_entry(data_home: Path | None = None, command: str | None = None) -> list[Path]:
    """Install the desktop entry, icons and metainfo for the current user (Linux/BSD).

    Writes under `$XDG_DATA_HOME` (default ~/.local/share): `applications/<APP_ID>.desktop`
    with `Exec=` pointing at this installation, `icons/hicolor/<size>/apps/<APP_ID>.png|svg`
    and `metainfo/<APP_ID>.metainfo.xml`. Returns the files written.
    """
    base = data_home or platformdirs.user_data_path()
    command = command or _gui_command()
    written: list[Path] = []

    def put(target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        written.append(target)

    lines = []
    for line in desktop_entry().read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0]
        if key == "Exec":
            line = f"Exec={_quote_exec(command)}"
        elif key == "TryExec":  # a plain path, not a command line: no quoting
            line = f"TryExec={command}"
        lines.append(line)
    put(base / "applications" / f"{APP_ID}.desktop", ("\n".join(lines) + "\n").encode())
    for size in ICON_SIZES:
        put(
            base / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png",
            icon_png(size).read_bytes(),
        )
    put(base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg", icon_svg().read_bytes())
    put(base / "metainfo" / f"{APP_ID}.metainfo.xml", metainfo().read_bytes())
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m rc_sms_desktop.infra.app_resources --install-desktop-entry`."""
    parser = argparse.ArgumentParser(
        prog="python -m rc_sms_desktop.infra.app_resources",
        description="Add rc-sms-desktop to your desktop's application menu (Linux).",
    )
    parser.add_argument("--install-desktop-entry", action="store_true", required=True)
    parser.parse_args(argv)
    for path in install_desktop_entry():
        print(path)  # noqa: T201 - a command-line entry point (python -m …)
    return 0


if __name__ == "__main__":
    sys.exit(main())
