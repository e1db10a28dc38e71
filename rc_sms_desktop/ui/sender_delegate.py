"""Paints one "Send from" entry in two lines, like the dropdown in RingCentral's guide.

    ✔  (650) 555-0101   Direct · Sales line
       Customer care, Delivery updates
    ─ Cannot send SMS ───────────────────────────
    ✖  (650) 555-0105   Direct · Events            (greyed)
       Campaign pending review                     (in the warning colour)

The first number that cannot send gets a small heading above it, so the two groups read apart.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.ui.sender_model import SenderRole
from rc_sms_desktop.ui.theme import mark_colour, paint_mark, secondary_text_colour

Index = QModelIndex | QPersistentModelIndex

_PAD_X = 8
_PAD_Y = 5
_MARK = 18
_GAP = 10


class SenderDelegate(QStyledItemDelegate):
    """Two-line picker entry: mark, formatted number, kind and label; then use cases or reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    @staticmethod
    def _fonts(option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        base = QFont(option.font)
        bold = QFont(base)
        bold.setWeight(QFont.Weight.DemiBold)
        small = QFont(base)
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(7.0, small.pointSizeF() * 0.92))
        return base, bold, small

    def _caption_height(self, option: QStyleOptionViewItem) -> int:
        _, _, small = self._fonts(option)
        return QFontMetrics(small).height() + 8

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        _base, bold, small = self._fonts(option)
        line1 = max(QFontMetrics(bold).height(), _MARK)
        line2 = QFontMetrics(small).height()
        height = _PAD_Y * 2 + line1 + 2 + line2
        if index.data(SenderRole.SectionCaptionRole):
            height += self._caption_height(option)
        text = f"{index.data(SenderRole.FormattedRole) or ''}  {index.data(SenderRole.KindRole) or ''} · {index.data(SenderRole.LabelRole) or ''}"
        width = _PAD_X * 2 + _MARK + _GAP + max(
            QFontMetrics(bold).horizontalAdvance(text),
            QFontMetrics(small).horizontalAdvance(str(index.data(SenderRole.DetailLineRole) or "")),
        )
        return QSize(min(width, 720), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        palette: QPalette = opt.palette
        rect = QRect(opt.rect)
        base, bold, small = self._fonts(opt)

        painter.save()
        caption = index.data(SenderRole.SectionCaptionRole)
        if caption:
            height = self._caption_height(opt)
            caption_rect = QRect(rect.left(), rect.top(), rect.width(), height)
            painter.setFont(small)
            painter.setPen(secondary_text_colour(palette))
            text_rect = caption_rect.adjusted(_PAD_X, 2, -_PAD_X, -2)
            advance = QFontMetrics(small).horizontalAdvance(str(caption)) + 8
            words = QStyle.visualRect(opt.direction, text_rect,
                                      QRect(text_rect.left(), text_rect.top(), advance, text_rect.height()))
            painter.drawText(words, Qt.AlignmentFlag.AlignCenter, str(caption))
            rule = QStyle.visualRect(opt.direction, text_rect, QRect(
                text_rect.left() + advance, text_rect.top(), max(0, text_rect.width() - advance), 1))
            y = caption_rect.center().y()
            painter.drawLine(rule.left(), y, rule.right(), y)
            rect.setTop(rect.top() + height)

        # Background and focus/selection via the style, only on the entry part.
        opt.rect = rect
        opt.text = ""
        opt.icon = opt.icon.__class__()
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        mark = Mark(index.data(SenderRole.MarkRole) or Mark.UNKNOWN)  # Qt hands back a plain str
        can_send = mark is Mark.READY and not index.data(SenderRole.RefusedForTextRole)
        group = QPalette.ColorGroup.Active
        text_colour = palette.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        if not can_send and not selected:
            # Greyed, yet readable (WCAG AA): a greyed row still tells why it cannot send.
            text_colour = secondary_text_colour(palette)
        second_colour = QColor(text_colour) if selected else secondary_text_colour(palette)
        if mark is Mark.BLOCKED and not selected:
            second_colour = mark_colour(Mark.BLOCKED, palette)
        elif mark is Mark.UNKNOWN and not selected:
            second_colour = mark_colour(Mark.UNKNOWN, palette)

        inner = rect.adjusted(_PAD_X, _PAD_Y, -_PAD_X, -_PAD_Y)
        direction = opt.direction  # right to left (-reverse): every part is mirrored

        def place(part: QRect) -> QRect:
            return QStyle.visualRect(direction, inner, part)

        # Logical alignment: Qt mirrors AlignLeft itself when the painter lays out right to left.
        middle = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        bold_metrics = QFontMetrics(bold)
        line1_height = max(bold_metrics.height(), _MARK)
        mark_rect = QRectF(place(QRect(inner.left(), inner.top() + (line1_height - _MARK) // 2, _MARK, _MARK)))
        colour = mark_colour(mark, palette)
        if not can_send and mark is not Mark.BLOCKED:
            colour.setAlphaF(0.85)
        paint_mark(painter, mark_rect, mark, colour)

        x = inner.left() + _MARK + _GAP
        line1 = QRect(x, inner.top(), inner.right() - x, line1_height)
        number = str(index.data(SenderRole.FormattedRole) or "")
        painter.setFont(bold)
        painter.setPen(text_colour)
        # A phone number reads left to right in every layout: "(650) 555-0101".
        painter.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        number_width = bold_metrics.horizontalAdvance(number)
        painter.drawText(place(QRect(x, line1.top(), number_width + 1, line1.height())),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, number)
        painter.setLayoutDirection(direction)
        x_after = x + bold_metrics.horizontalAdvance(number) + 12
        kind = str(index.data(SenderRole.KindRole) or "")
        label = str(index.data(SenderRole.LabelRole) or "")
        rest = kind + (f" · {label}" if label else "")
        painter.setFont(base)
        rest_rect = QRect(x_after, inner.top(), max(0, inner.right() - x_after), line1_height)
        rest = QFontMetrics(base).elidedText(rest, Qt.TextElideMode.ElideRight, rest_rect.width())
        painter.drawText(place(rest_rect), middle, rest)

        detail = str(index.data(SenderRole.DetailLineRole) or "")
        small_metrics = QFontMetrics(small)
        line2 = QRect(x, inner.top() + line1_height + 2, inner.right() - x, small_metrics.height())
        painter.setFont(small)
        painter.setPen(second_colour)
        detail = small_metrics.elidedText(detail, Qt.TextElideMode.ElideRight, line2.width())
        painter.drawText(place(line2), middle, detail)
        painter.restore()
