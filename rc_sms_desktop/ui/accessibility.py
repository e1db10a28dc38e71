"""What the app tells assistive technology (screen readers) beyond what Qt's widgets say.

Qt's widgets expose their names, roles, values and relations by themselves
(https://doc.qt.io/qt-6/accessible-qwidget.html). Three things need the app's help, and go
through this module so that every such event has one shape and tests can watch them:

* `announce`: a result or an error nobody has focused ("Scanned 26 numbers…", a sign-in error)
  is spoken as a live-region announcement, `QAccessibleAnnouncementEvent` (Qt 6.8+,
  https://doc.qt.io/qt-6/qaccessibleannouncementevent.html). On AT-SPI it becomes an
  "Announcement" signal that Orca speaks.
* `value_changed`: a control whose shown value changed without Qt noticing (the chosen sender's
  state when its verdict arrives) sends `QAccessibleValueChangeEvent`.
* `describe`: a control's description (read after its name) carries what is wrong with it, e.g.
  the To field's recipient errors, and a change of it is sent as `DescriptionChanged`.

Nothing here costs anything while no assistive technology is active (`QAccessible.isActive()`
is false): Qt then drops the events at once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QAccessibleValueChangeEvent,
)
from PySide6.QtWidgets import QWidget

# Tests replace this to watch the events the app sends (PySide6 does not wrap Qt's
# QAccessible::installUpdateHandler).
Sender = Callable[[QAccessibleEvent], None]
_send: Sender = QAccessible.updateAccessibility


def set_event_sender(sender: Sender | None) -> Sender:
    """Route the app's accessibility events through `sender` (None: back to Qt); returns the old one."""
    global _send
    old = _send
    _send = sender or QAccessible.updateAccessibility
    return old


def announce(widget: QWidget, text: str, *, assertive: bool = False) -> None:
    """Have screen readers speak `text` now (politely, after what they are saying, unless
    `assertive`: errors that stop what the user was doing)."""
    text = " ".join(text.split())
    if not text:
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if assertive
        else QAccessible.AnnouncementPoliteness.Polite
    )
    _send(event)


def value_changed(widget: QWidget, value: str) -> None:
    """Tell screen readers that `widget` now shows `value`."""
    _send(QAccessibleValueChangeEvent(widget, value))


def describe(widget: QWidget, description: str) -> None:
    """Set `widget`'s accessible description (read after its name) and say it changed."""
    if widget.accessibleDescription() == description:
        return
    widget.setAccessibleDescription(description)
    _send(QAccessibleEvent(widget, QAccessible.Event.DescriptionChanged))
