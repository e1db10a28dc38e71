"""The picker's delegate on its own: two lines per entry, a caption above the first that cannot
send, the mark's colour where the mark is, and the whole entry mirrored right to left."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QListView, QStyleOptionViewItem

from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.ui.sender_delegate import SenderDelegate
from rc_sms_desktop.ui.sender_model import SenderListModel, SenderRole
from rc_sms_desktop.ui.theme import mark_colour
from tests.ui.verdict_samples import sample_verdicts

WIDTH = 480


def setup(qtbot: Any) -> tuple[QListView, SenderListModel, SenderDelegate]:
    view = QListView()
    qtbot.addWidget(view)
    model = SenderListModel(view)
    model.set_verdicts(sample_verdicts())
    delegate = SenderDelegate(view)
    view.setModel(model)
    view.setItemDelegate(delegate)
    return view, model, delegate


def rows_by_mark(model: SenderListModel) -> dict[Mark, int]:
    """The first entry of each mark without the section caption above it."""
    found: dict[Mark, int] = {}
    for row in range(model.rowCount()):
        if not model.index(row).data(SenderRole.SectionCaptionRole):
            found.setdefault(Mark(model.index(row).data(SenderRole.MarkRole)), row)
    return found


def render(view: QListView, delegate: SenderDelegate, row: int, direction: Qt.LayoutDirection) -> QImage:
    index = view.model().index(row, 0)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.direction = direction
    size = delegate.sizeHint(option, index)
    option.rect = QRect(0, 0, WIDTH, size.height())
    image = QImage(WIDTH, size.height(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    delegate.paint(painter, option, index)
    painter.end()
    return image


def has_colour(image: QImage, colour: QColor, x_from: int, x_to: int) -> bool:
    for x in range(x_from, x_to):
        for y in range(image.height()):
            pixel = image.pixelColor(x, y)
            if abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green()) + abs(pixel.blue() - colour.blue()) < 60:
                return True
    return False


def test_the_first_entry_that_cannot_send_carries_the_caption(qtbot: Any) -> None:
    view, model, delegate = setup(qtbot)
    marks = rows_by_mark(model)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    ready = delegate.sizeHint(option, model.index(marks[Mark.READY], 0))
    captioned = next(r for r in range(model.rowCount()) if model.index(r).data(SenderRole.SectionCaptionRole))
    assert Mark(model.index(captioned).data(SenderRole.MarkRole)) is not Mark.READY
    assert delegate.sizeHint(option, model.index(captioned, 0)).height() > ready.height()


def test_the_mark_is_painted_in_its_colour_at_the_start_of_the_line(qtbot: Any) -> None:
    view, model, delegate = setup(qtbot)
    marks = rows_by_mark(model)
    for mark in (Mark.READY, Mark.BLOCKED):
        image = render(view, delegate, marks[mark], Qt.LayoutDirection.LeftToRight)
        colour = mark_colour(mark, view.palette())
        assert has_colour(image, colour, 0, 40), mark
        assert not has_colour(image, colour, WIDTH - 40, WIDTH), mark


def test_right_to_left_mirrors_the_entry(qtbot: Any) -> None:
    view, model, delegate = setup(qtbot)
    row = rows_by_mark(model)[Mark.READY]
    image = render(view, delegate, row, Qt.LayoutDirection.RightToLeft)
    colour = mark_colour(Mark.READY, view.palette())
    assert has_colour(image, colour, WIDTH - 40, WIDTH)
    assert not has_colour(image, colour, 0, 40)
