"""The verdict marks drawn through their icons: each size is drawn once and blitted after that
(the Account table repaints its verdict column several times a second during a scan), and what
is blitted must be what drawing the mark paints, in the palette of the moment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette

from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.ui.theme import mark_colour, mark_icon, paint_mark


def _canvas(side: int, ratio: float) -> QImage:
    image = QImage(round(side * ratio) + 8, round(side * ratio) + 8, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.GlobalColor.white)
    return image


def _through_icon(icon: QIcon, side: int, ratio: float) -> QImage:
    image = _canvas(side, ratio)
    painter = QPainter(image)
    icon.paint(painter, QRect(2, 2, side, side))
    painter.end()
    return image


def _drawn(mark: Mark, side: int, ratio: float) -> QImage:
    image = _canvas(side, ratio)
    painter = QPainter(image)
    paint_mark(painter, QRectF(2, 2, side, side), mark, mark_colour(mark))
    painter.end()
    return image


@pytest.fixture
def restore_palette(qapp: Any) -> Iterator[None]:
    before = QGuiApplication.palette()
    yield
    QGuiApplication.setPalette(before)


@pytest.mark.parametrize("mark", list(Mark))
@pytest.mark.parametrize(("side", "ratio"), [(16, 1.0), (24, 1.0), (16, 2.0)])
def test_a_mark_painted_from_the_cache_is_the_mark_drawn(qapp: Any, mark: Mark, side: int,
                                                       ratio: float) -> None:
    icon = mark_icon(mark)
    first = _through_icon(icon, side, ratio)
    again = _through_icon(icon, side, ratio)  # served from the cache
    assert again == first
    assert first == _drawn(mark, side, ratio)


def test_a_palette_change_repaints_marks_in_the_new_colours(qapp: Any, restore_palette: None) -> None:
    icon = mark_icon(Mark.READY)
    light = _through_icon(icon, 16, 1.0)
    light_colour = mark_colour(Mark.READY)
    dark = QPalette(QGuiApplication.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#181818"))
    QGuiApplication.setPalette(dark)
    assert mark_colour(Mark.READY) != light_colour  # the test's premise
    now = _through_icon(icon, 16, 1.0)
    assert now != light
    assert now == _drawn(Mark.READY, 16, 1.0)
