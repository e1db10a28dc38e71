"""Colours and painted state marks that follow the system's light or dark palette.

The marks are vector-painted by a `QIconEngine`, so they are sharp at any device pixel ratio and
need no image files; the packaging engineer's icons under `resources/` are for the app icon.
"""

from __future__ import annotations

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

def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette is a dark one (window background darker than its text)."""
    palette = palette or QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def mark_colour(mark: Mark, palette: QPalette | None = None) -> QColor:
    """The mark's colour for this palette."""
    light, dark = _COLOURS[mark]
    return QColor(dark if is_dark(palette) else light)


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
    """A quieter text colour for second lines: the palette's placeholder text colour."""
    return palette.color(QPalette.ColorRole.PlaceholderText)


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
    """Paints a mark at whatever size and device pixel ratio Qt asks for."""

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self._mark = mark

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        colour = mark_colour(self._mark)
        if mode == QIcon.Mode.Disabled:
            colour.setAlphaF(0.45)
        paint_mark(painter, QRectF(rect), self._mark, colour)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _MarkIconEngine(self._mark)


def mark_icon(mark: Mark) -> QIcon:
    """A resolution-independent icon for the mark."""
    return QIcon(_MarkIconEngine(mark))
