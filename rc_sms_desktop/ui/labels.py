"""Labels for text from RingCentral or the user: always plain text, never markup.

A QLabel's default text format, Qt.AutoText, shows anything that looks like HTML as rich text
(https://doc.qt.io/qt-6/qlabel.html#textFormat-prop). A name, a message or a number's
description from the server, or words the user typed, must show as written, so the labels
that hold them are made here, Qt.PlainText from the start.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(parent: QWidget, name: str, text: str = "", *, wrap: bool = False,
                selectable: bool = False) -> QLabel:
    """A plain-text label named `name` (its object name), word-wrapped if `wrap`, its text
    selectable with the mouse (to copy it) if `selectable`."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
