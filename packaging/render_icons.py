"""Render the app icon's PNG/ICO/ICNS files from the SVG and copy runtime resources into the package.

    .venv/bin/python packaging/render_icons.py          # regenerate everything
    .venv/bin/python packaging/render_icons.py --check  # exit 1 if anything is out of date

Sources of truth live in the top-level `resources/`: `icons/rc-sms-desktop.svg`, the state marks
and `linux/` (desktop entry, AppStream metainfo). This script writes, next to the SVG, the PNG
renders (`rc-sms-desktop-<size>.png`), `rc-sms-desktop.ico` (Windows) and `rc-sms-desktop.icns`
(macOS), then copies what the app reads at run time (SVGs, PNGs, linux/) to
`rc_sms_desktop/resources/`, which setuptools ships as package data. The renders are committed
so neither a wheel build nor CI needs Qt or Pillow to produce them.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources"
PACKAGE_COPY = ROOT / "rc_sms_desktop" / "resources"
APP_SVG = SOURCE / "icons" / "rc-sms-desktop.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest size Windows reads from an .ico
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render_png(size: int) -> bytes:
    """The app SVG rendered with Qt's SVG renderer at `size`×`size`, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        render_png.app = QGuiApplication([])  # type: ignore[attr-defined]  # kept alive
    renderer = QSvgRenderer(str(APP_SVG))
    if not renderer.isValid():
        raise SystemExit(f"{APP_SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def build_outputs() -> dict[Path, bytes]:
    """Every generated file (relative to the repo root) and its bytes."""
    from PIL import Image

    renders = {size: render_png(size) for size in sorted({*PNG_SIZES, *ICO_SIZES, *ICNS_SIZES})}
    images = {size: Image.open(io.BytesIO(data)).convert("RGBA") for size, data in renders.items()}
    outputs: dict[Path, bytes] = {
        SOURCE / "icons" / f"rc-sms-desktop-{size}.png": renders[size] for size in PNG_SIZES
    }
    ico = io.BytesIO()
    largest = images[max(ICO_SIZES)]
    largest.save(
        ico,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    outputs[SOURCE / "icons" / "rc-sms-desktop.ico"] = ico.getvalue()
    icns = io.BytesIO()
    images[max(ICNS_SIZES)].save(
        icns, format="ICNS", append_images=[images[s] for s in ICNS_SIZES[:-1]]
    )
    outputs[SOURCE / "icons" / "rc-sms-desktop.icns"] = icns.getvalue()
    return outputs


def package_files() -> list[tuple[Path, Path]]:
    """(source, package copy) pairs for what the app reads at run time."""
    pairs = []
    for pattern in ("icons/*.svg", "icons/*.png", "linux/*"):
        for source in sorted(SOURCE.glob(pattern)):
            pairs.append((source, PACKAGE_COPY / source.relative_to(SOURCE)))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report whether copies are current"
    )
    parser.add_argument(
        "--copy-only", action="store_true", help="skip rendering (no Qt/Pillow needed), only copy"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = [
            str(copy.relative_to(ROOT))
            for source, copy in package_files()
            if not copy.is_file() or not filecmp.cmp(source, copy, shallow=False)
        ]
        expected = {copy.relative_to(PACKAGE_COPY) for _, copy in package_files()}
        extra = [
            str(p.relative_to(ROOT))
            for p in PACKAGE_COPY.rglob("*")
            if p.is_file() and p.relative_to(PACKAGE_COPY) not in expected
        ]
        for path in stale + extra:
            print(f"out of date: {path}", file=sys.stderr)
        return 1 if stale or extra else 0
    if not args.copy_only:
        for path, data in build_outputs().items():
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")
    # Replace the package copy wholesale so a deleted source does not linger in the wheel.
    with tempfile.TemporaryDirectory(dir=ROOT / "rc_sms_desktop") as staging:
        for source, copy in package_files():
            target = Path(staging) / copy.relative_to(PACKAGE_COPY)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        shutil.rmtree(PACKAGE_COPY, ignore_errors=True)
        shutil.copytree(staging, PACKAGE_COPY)
    print(f"copied {len(package_files())} files to {PACKAGE_COPY.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
