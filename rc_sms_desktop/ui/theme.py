"""Colours and painted state marks that follow the system's light or dark palette.

This module is the one place with colour values: the rest of the UI asks it for colours that
fit the current palette (`mark_colour`, `tint`, `secondary_text_colour`, `link_colour`), so a
switch between light and dark, by the system or by the "Appearance" setting
(`apply_appearance`), is followed everywhere. Every text colour it gives is checked against
WCAG 2.1 AA (4.5:1, https://www.w3.org/TR/WCAG21/#contrast-minimum) by `contrast_ratio`.

The marks are vector-painted by a `QIconEngine`, so they are sharp at any device pixel ratio and
need no image files; the packaging engineer's icons under `resources/` are for the app icon.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

from rc_sms_desktop.core.marks import Mark

# (light palette, dark palette): dark variants are lighter so they keep contrast on dark grey.
_COLOURS: dict[Mark, tuple[str, str]] = {
    Mark.READY: ("#1b7f3b", "#5cc97d"),
    Mark.BLOCKED: ("#c62828", "#ff6b6b"),
    Mark.UNKNOWN: ("#a15c00", "#f0b450"),
    Mark.LOADING: ("#6b7280", "#9ca3af"),
}

class Appearance(StrEnum):
    """The "Appearance" setting and `--color-scheme`: follow the system, or force one."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


# The palettes used when the user forces light or dark (the system's own is used otherwise):
# (role, light, dark). Text colours all keep 4.5:1 or more on Base and Window.
_PALETTE: tuple[tuple[QPalette.ColorRole, str, str], ...] = (
    (QPalette.ColorRole.Window, "#efefef", "#2b2b2b"),
    (QPalette.ColorRole.WindowText, "#1a1a1a", "#ececec"),
    (QPalette.ColorRole.Base, "#ffffff", "#1e1e1e"),
    (QPalette.ColorRole.AlternateBase, "#f5f5f5", "#262626"),
    (QPalette.ColorRole.Text, "#1a1a1a", "#ececec"),
    (QPalette.ColorRole.Button, "#e6e6e6", "#3a3a3a"),
    (QPalette.ColorRole.ButtonText, "#1a1a1a", "#ececec"),
    (QPalette.ColorRole.BrightText, "#ffffff", "#ffffff"),
    (QPalette.ColorRole.Highlight, "#2d6ab0", "#2f65b0"),
    (QPalette.ColorRole.HighlightedText, "#ffffff", "#ffffff"),
    (QPalette.ColorRole.Link, "#0b57b0", "#8ab4f8"),
    (QPalette.ColorRole.LinkVisited, "#6b3fa0", "#c58af9"),
    (QPalette.ColorRole.ToolTipBase, "#ffffdc", "#3a3a3a"),
    (QPalette.ColorRole.ToolTipText, "#1a1a1a", "#ececec"),
    (QPalette.ColorRole.PlaceholderText, "#5f6368", "#a8a8a8"),
    (QPalette.ColorRole.Light, "#ffffff", "#4a4a4a"),
    (QPalette.ColorRole.Midlight, "#f0f0f0", "#3f3f3f"),
    (QPalette.ColorRole.Mid, "#b8b8b8", "#5a5a5a"),
    (QPalette.ColorRole.Dark, "#9f9f9f", "#1a1a1a"),
    (QPalette.ColorRole.Shadow, "#767676", "#000000"),
)
# Disabled text: still 4.5:1 (a greyed row must stay readable, it tells why a number cannot send).
_DISABLED_TEXT = ("#5f6368", "#a0a0a0")


def scheme_palette(dark: bool) -> QPalette:
    """The app's own light or dark palette (used when the user forces one)."""
    palette = QPalette()
    column = 2 if dark else 1
    for row in _PALETTE:
        palette.setColor(row[0], QColor(row[column]))
    disabled = QColor(_DISABLED_TEXT[1 if dark else 0])
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_appearance(appearance: Appearance | str) -> None:
    """Follow the system's colour scheme, or force light or dark, live.

    Qt's `QStyleHints.setColorScheme` switches native styles where the platform supports it
    (https://doc.qt.io/qt-6/qstylehints.html#colorScheme-prop); the app's own palette makes the
    choice hold on every platform (X11 without a desktop theme, offscreen screenshots). Widgets
    that paint with theme colours re-read them on the palette-change event this sends.
    """
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return
    choice = Appearance(appearance) if appearance in Appearance.__members__.values() else Appearance.SYSTEM
    hints = QGuiApplication.styleHints()
    if choice is Appearance.SYSTEM:
        hints.unsetColorScheme()
        QGuiApplication.setPalette(QPalette())  # back to the platform's palette
        return
    dark = choice is Appearance.DARK
    hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
    QGuiApplication.setPalette(scheme_palette(dark))


def relative_luminance(colour: QColor) -> float:
    """WCAG 2.1 relative luminance (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2.1 contrast ratio of two opaque colours, 1 to 21."""
    a, b = relative_luminance(first), relative_luminance(second)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


AA_TEXT = 4.5  # WCAG 2.1 AA for normal text


def readable(colour: QColor, background: QColor, minimum: float = AA_TEXT) -> QColor:
    """`colour`, moved towards black or white (whichever the background is not) until its
    contrast with `background` reaches `minimum`; unchanged when it already does."""
    colour = QColor(colour)
    colour.setAlphaF(1.0)
    if contrast_ratio(colour, background) >= minimum:
        return colour
    target = QColor(0, 0, 0) if relative_luminance(background) > 0.18 else QColor(255, 255, 255)
    for step in range(1, 21):
        share = step / 20
        mixed = QColor.fromRgbF(
            colour.redF() * (1 - share) + target.redF() * share,
            colour.greenF() * (1 - share) + target.greenF() * share,
            colour.blueF() * (1 - share) + target.blueF() * share,
        )
        if contrast_ratio(mixed, background) >= minimum:
            return mixed
    return target


# Text glyphs for the marks where they sit in text (the detail pane): real characters, so they
# follow the text's colour and size and a screen reader reads the words written after them.
MARK_GLYPHS: dict[Mark, str] = {
    Mark.READY: "✔",
    Mark.BLOCKED: "✖",
    Mark.UNKNOWN: "?",
    Mark.LOADING: "…",
}


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette is a dark one (window background darker than its text)."""
    palette = palette or QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def mark_colour(mark: Mark, palette: QPalette | None = None) -> QColor:
    """The mark's colour for this palette (also used for text: readable on its Base)."""
    palette = palette or QGuiApplication.palette()
    light, dark = _COLOURS[mark]
    return readable(QColor(dark if is_dark(palette) else light), palette.color(QPalette.ColorRole.Base))


def tint(mark: Mark, palette: QPalette | None = None) -> QColor:
    """A background tint of the mark's colour over the window colour, readable on both palettes."""
    palette = palette or QGuiApplication.palette()
    over = mark_colour(mark, palette)
    alpha = 0.22 if is_dark(palette) else 0.12
    under = palette.color(QPalette.ColorRole.Window)
    return QColor.fromRgbF(
        under.redF() * (1 - alpha) + over.redF() * alpha,
        under.greenF() * (1 - alpha) + over.greenF() * alpha,
        under.blueF() * (1 - alpha) + over.blueF() * alpha,
    )


def secondary_text_colour(palette: QPalette) -> QColor:
    """A quieter text colour for second lines and greyed rows: the palette's placeholder text
    colour where it is readable (4.5:1 on Base and Window), else darkened or lightened until it is.
    """
    base = palette.color(QPalette.ColorRole.Base)
    window = palette.color(QPalette.ColorRole.Window)
    colour = readable(palette.color(QPalette.ColorRole.PlaceholderText), base)
    return readable(colour, window)


def link_colour(palette: QPalette | None = None) -> QColor:
    """The palette's link colour, readable on its Base."""
    palette = palette or QGuiApplication.palette()
    return readable(palette.color(QPalette.ColorRole.Link), palette.color(QPalette.ColorRole.Base))


def text_on(background: QColor, palette: QPalette | None = None) -> QColor:
    """Readable text for a tinted background (the demo notice, the status banner)."""
    palette = palette or QGuiApplication.palette()
    return readable(palette.color(QPalette.ColorRole.WindowText), background)


def paint_mark(painter: QPainter, rect: QRectF, mark: Mark, colour: QColor) -> None:
    """Paint a round mark: tick (ready), cross (blocked), question mark (unknown) or dots (loading)."""
    side = min(rect.width(), rect.height())
    box = QRectF(0, 0, side, side)
    box.moveCenter(rect.center())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    if mark is Mark.LOADING:
        # A hollow ring with three dots: "not known yet", deliberately quieter than the others.
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, max(1.0, side * 0.09)))
        painter.drawEllipse(box.adjusted(side * 0.06, side * 0.06, -side * 0.06, -side * 0.06))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        radius = side * 0.07
        for dx in (-0.22, 0.0, 0.22):
            painter.drawEllipse(QPointF(box.center().x() + dx * side, box.center().y()), radius, radius)
        painter.restore()
        return
    painter.drawEllipse(box)
    pen = QPen(QColor("white"), max(1.2, side * 0.13))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    x, y = box.x(), box.y()
    if mark is Mark.READY:
        path = QPainterPath(QPointF(x + side * 0.27, y + side * 0.52))
        path.lineTo(QPointF(x + side * 0.44, y + side * 0.69))
        path.lineTo(QPointF(x + side * 0.74, y + side * 0.34))
        painter.drawPath(path)
    elif mark is Mark.BLOCKED:
        a, b = side * 0.32, side * 0.68
        painter.drawLine(QPointF(x + a, y + a), QPointF(x + b, y + b))
        painter.drawLine(QPointF(x + b, y + a), QPointF(x + a, y + b))
    else:  # UNKNOWN: a question mark drawn as text keeps its shape at every size
        font = painter.font()
        font.setBold(True)
        font.setPixelSize(max(1, round(side * 0.72)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "?")
    painter.restore()


class _MarkIconEngine(QIconEngine):
    """Paints a mark at whatever size and device pixel ratio Qt asks for.

    Each size is drawn once into a pixmap and blitted after that: the Account table repaints
    its verdict column several times a second while a scan fills it, and drawing the mark's
    paths anew each time was a sixth of a repaint (measured with 10,000 rows).
    """

    _CACHE_LIMIT = 32  # sizes x modes x palettes actually seen are a handful

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self._mark = mark
        self._cache: dict[tuple[int, int, float, int, int], QPixmap] = {}

    def _colour(self, mode: QIcon.Mode) -> QColor:
        colour = mark_colour(self._mark)
        if mode == QIcon.Mode.Disabled:
            colour.setAlphaF(0.45)
        return colour

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        # The palette's cache key changes with the palette (a dark theme switched on), and so
        # does the mark's colour.
        key = (rect.width(), rect.height(), ratio, mode.value,
               QGuiApplication.palette().cacheKey())
        pixmap = self._cache.get(key)
        if pixmap is None:
            if len(self._cache) >= self._CACHE_LIMIT:
                self._cache.clear()
            pixmap = self._cache[key] = self._drawn(rect.width(), rect.height(), ratio, mode)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._drawn(size.width(), size.height(), 1.0, mode)

    def _drawn(self, width: int, height: int, ratio: float, mode: QIcon.Mode) -> QPixmap:
        """The mark drawn into a transparent pixmap of `width` x `height` logical pixels."""
        pixmap = QPixmap(max(1, round(width * ratio)), max(1, round(height * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        paint_mark(painter, QRectF(0, 0, width, height), self._mark, self._colour(mode))
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _MarkIconEngine(self._mark)


def mark_icon(mark: Mark) -> QIcon:
    """A resolution-independent icon for the mark."""
    return QIcon(_MarkIconEngine(mark))
