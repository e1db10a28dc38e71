"""The "Send from" picker's model: an adapter over a plain list of verdicts, kept in picker order.

Numbers that can send come first, then the ones that cannot (greyed, with their main reason), in
`sender_sort_key` order. Updates arrive in batches; a batch changes rows in place and, only when
the order changed, re-sorts with a layout change that keeps the user's selection. What a row
shows (formatted number, kind, use cases, reason) is computed when first painted, not when the
list arrives, so 1,000 numbers cost nothing until they are seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QGuiApplication

from rc_sms_desktop.core.eligibility import State, Verdict, sender_sort_key
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.marks import Mark, verdict_mark
from rc_sms_desktop.core.number_kinds import is_toll_free, number_kind
from rc_sms_desktop.core.use_cases import use_case_titles
from rc_sms_desktop.ui.theme import mark_icon

Index = QModelIndex | QPersistentModelIndex

CANNOT_SEND_CAPTION = "Cannot send SMS"


class SenderRole(IntEnum):
    """Custom roles; `VerdictRole` returns the domain object itself."""

    VerdictRole = Qt.ItemDataRole.UserRole + 1
    MarkRole = Qt.ItemDataRole.UserRole + 2
    NumberIdRole = Qt.ItemDataRole.UserRole + 3
    E164Role = Qt.ItemDataRole.UserRole + 4
    CanSendRole = Qt.ItemDataRole.UserRole + 5
    FormattedRole = Qt.ItemDataRole.UserRole + 6
    KindRole = Qt.ItemDataRole.UserRole + 7
    LabelRole = Qt.ItemDataRole.UserRole + 8
    DetailLineRole = Qt.ItemDataRole.UserRole + 9
    SectionCaptionRole = Qt.ItemDataRole.UserRole + 10
    # True while the picker suggests senders for a text and this number would be refused it.
    RefusedForTextRole = Qt.ItemDataRole.UserRole + 11


@dataclass(frozen=True, slots=True)
class SenderRow:
    """What one picker row shows, computed once from its verdict."""

    formatted: str
    e164: str
    kind: str
    label: str
    detail: str
    mark: Mark
    tooltip: str
    accessible: str
    display: str


def describe_row(verdict: Verdict) -> SenderRow:
    """Turn a verdict into the words of one picker row."""
    number = verdict.number
    e164 = number.phone_number or ""
    region = number.country.iso_code if number.country is not None else None
    formatted = format_number(e164, region) if e164 else "(no number)"
    kind = number_kind(number)
    label = (number.label or "").strip()
    mark = verdict_mark(verdict)
    use_cases = tuple(verdict.use_cases or ())
    main = verdict.main_reason
    if mark is Mark.READY:
        if use_cases:
            detail = use_case_titles(use_cases)
        elif is_toll_free(number):
            detail = "Toll-free number · text only, no MMS"
        else:
            detail = "Ready to send SMS" + ("" if verdict.mms is State.READY else " (no MMS)")
    elif mark is Mark.LOADING:
        detail = "Checking SMS registration…"
    elif main is not None and (main.summary or main.message):
        detail = _sentence_case(main.summary or main.message)
    else:
        detail = verdict.headline
    words = mark.label
    title = f"{formatted} · {kind}" + (f" · {label}" if label else "")
    tooltip_lines = [f"<b>{_escape(e164 or 'no number')}</b>", _escape(verdict.headline)]
    if main is not None and main.message and mark is not Mark.READY:
        tooltip_lines.append(_escape(main.message))
    elif detail and detail != verdict.headline:
        tooltip_lines.append(_escape(detail))
    accessible = f"{formatted}, {kind}" + (f", {label}" if label else "") + f". {words}: {detail}"
    return SenderRow(
        formatted=formatted,
        e164=e164,
        kind=kind,
        label=label,
        detail=detail,
        mark=mark,
        tooltip="<br>".join(tooltip_lines),
        accessible=accessible,
        # The closed picker's text is also its accessible value (Qt's QAccessibleComboBox): it
        # carries the number's state, so arrowing through the numbers speaks each one's state.
        display=f"{title} — {_state_words(mark, detail)}",
    )


def _state_words(mark: Mark, detail: str) -> str:
    if mark is Mark.READY:
        return "ready"
    if mark is Mark.BLOCKED:
        return f"cannot send: {detail[:1].lower()}{detail[1:]}" if detail else "cannot send"
    if mark is Mark.LOADING:
        return "checking"
    return f"not known: {detail[:1].lower()}{detail[1:]}" if detail else "not known"


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SenderListModel(QAbstractListModel):
    """The picker's rows: one verdict per number, sendable numbers first.

    Emits the standard model signals only (reset on a new list, dataChanged/layoutChanged on
    updates), so it passes `QAbstractItemModelTester`.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._verdicts: list[Verdict] = []
        self._keys: list[Any] = []
        self._rows: dict[str, SenderRow] = {}  # number id -> presentation, filled lazily
        self._first_blocked = -1
        self._generation = 0  # changes whenever a verdict does (what a cached ranking keys on)
        self._order_set = False  # rows are in an order set by `set_order`, not by sort key

    # -- Qt API ----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._verdicts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._verdicts):
            return None
        verdict = self._verdicts[index.row()]
        if role == SenderRole.VerdictRole:
            return verdict
        if role == SenderRole.NumberIdRole:
            return verdict.number.id
        if role == SenderRole.CanSendRole:
            return bool(verdict.can_send_sms)
        if role == SenderRole.SectionCaptionRole:
            return CANNOT_SEND_CAPTION if index.row() == self._first_blocked else None
        row = self._row(verdict)
        if role == Qt.ItemDataRole.DisplayRole:
            if QGuiApplication.isRightToLeft():
                # A phone number reads left to right even in a right-to-left window.
                return row.display.replace(row.formatted, f"\u2066{row.formatted}\u2069", 1)
            return row.display
        if role == Qt.ItemDataRole.DecorationRole:
            return mark_icon(row.mark)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return row.accessible
        if role == SenderRole.MarkRole:
            return row.mark
        if role == SenderRole.E164Role:
            return row.e164
        if role == SenderRole.FormattedRole:
            return row.formatted
        if role == SenderRole.KindRole:
            return row.kind
        if role == SenderRole.LabelRole:
            return row.label
        if role == SenderRole.DetailLineRole:
            return row.detail
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # Numbers that cannot send stay selectable: choosing one shows why it cannot send.
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in SenderRole:
            names[int(role)] = QByteArray((role.name[0].lower() + role.name[1:]).encode())
        return names

    # -- what the window calls -------------------------------------------------------------------

    def set_verdicts(self, verdicts: list[Verdict]) -> None:
        """Replace the whole list (a new account or a fresh listing)."""
        self.beginResetModel()
        self._generation += 1
        self._order_set = False
        pairs = sorted(((sender_sort_key(v), v) for v in verdicts), key=lambda p: p[0])
        self._keys = [key for key, _ in pairs]
        self._verdicts = [v for _, v in pairs]
        self._rows.clear()
        self._update_first_blocked()
        self.endResetModel()

    def clear(self) -> None:
        self.set_verdicts([])

    def update_verdicts(self, batch: list[Verdict]) -> None:
        """Apply a batch of new verdicts for numbers already listed (unknown ids are appended)."""
        if not batch:
            return
        self._generation += 1
        position = {v.number.id: row for row, v in enumerate(self._verdicts)}
        changed: list[int] = []
        added: list[Verdict] = []
        for verdict in batch:
            row = position.get(verdict.number.id)
            if row is None:
                added.append(verdict)
                continue
            self._verdicts[row] = verdict
            self._keys[row] = sender_sort_key(verdict)
            self._rows.pop(verdict.number.id, None)
            changed.append(row)
        if added:
            start = len(self._verdicts)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            for verdict in added:
                self._verdicts.append(verdict)
                self._keys.append(sender_sort_key(verdict))
            self.endInsertRows()
        if changed:
            top, bottom = min(changed), max(changed)
            self.dataChanged.emit(self.index(top), self.index(bottom))
        self._resort_if_needed()

    def set_order(self, places: Mapping[str, int]) -> None:
        """Show the rows in `places` order (number id -> place) until `restore_order()`: the
        sender suggestion reordering the open list. Rows without a place follow in their order;
        meanwhile changed verdicts keep their rows and new numbers go last.

        The model reorders its own list (one pass) rather than a proxy sorting it: Qt's proxy
        sort calls back into Python for every comparison, ~6,300 calls and 17-34 ms for 1,000
        numbers each time the list opened (measured).
        """
        count = len(self._verdicts)
        order = sorted(
            range(count), key=lambda row: places.get(str(self._verdicts[row].number.id), count + row)
        )
        self._order_set = True
        if order != list(range(count)):
            self._permute(order)

    def restore_order(self) -> None:
        """The picker order (by sort key) again, after `set_order`."""
        if self._order_set:
            self._order_set = False
            self._resort_if_needed()

    def verdict_at(self, row: int) -> Verdict | None:
        return self._verdicts[row] if 0 <= row < len(self._verdicts) else None

    def row_of(self, number_id_or_e164: str) -> int:
        """The row of a number by id or by E.164 (`+16505550101`), or -1."""
        for row, verdict in enumerate(self._verdicts):
            if number_id_or_e164 in (verdict.number.id, verdict.number.phone_number):
                return row
        return -1

    def verdicts(self) -> list[Verdict]:
        return list(self._verdicts)

    @property
    def generation(self) -> int:
        """A count of the changes to the verdicts: equal values, the same verdicts."""
        return self._generation

    # -- internals -------------------------------------------------------------------------------

    def _row(self, verdict: Verdict) -> SenderRow:
        key = verdict.number.id
        row = self._rows.get(key)
        if row is None:
            row = describe_row(verdict)
            self._rows[key] = row
        return row

    def _update_first_blocked(self) -> None:
        self._first_blocked = next(
            (row for row, v in enumerate(self._verdicts) if v.sms is State.BLOCKED), -1
        )
        if self._first_blocked == 0:
            self._first_blocked = -1  # nothing can send: no "cannot send" heading needed

    def _resort_if_needed(self) -> None:
        keys = self._keys
        in_order = self._order_set or all(keys[i] <= keys[i + 1] for i in range(len(keys) - 1))
        old_first = self._first_blocked
        if in_order:
            self._update_first_blocked()
            self._caption_moved(old_first)
            return
        self._permute(sorted(range(len(keys)), key=lambda i: keys[i]))

    def _permute(self, old_order: list[int]) -> None:
        """Reorder the rows: new row i is old row `old_order[i]` (one layout change)."""
        self.layoutAboutToBeChanged.emit()
        keys = self._keys
        self._verdicts = [self._verdicts[i] for i in old_order]
        self._keys = [keys[i] for i in old_order]
        new_row_of_old = {old: new for new, old in enumerate(old_order)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent,
            [
                self.index(new_row_of_old[p.row()]) if p.isValid() else QModelIndex()
                for p in persistent
            ],
        )
        self._update_first_blocked()
        self.layoutChanged.emit()

    def _caption_moved(self, old_first: int) -> None:
        if old_first == self._first_blocked:
            return
        for row in (old_first, self._first_blocked):
            if 0 <= row < len(self._verdicts):
                index = self.index(row)
                self.dataChanged.emit(index, index, [SenderRole.SectionCaptionRole])


class SendableFilterModel(QSortFilterProxyModel):
    """Hides numbers that cannot send when "Only numbers that can send" is on.

    While a sender suggestion is set (`set_suggestion`, see ui/sender_suggestion.py) the rows
    take the places it gives and each detail line starts with its note ("fits: Delivery
    updates"); `clear_suggestion` puts the picker order back.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._only_sendable = False
        self._suggesting = False  # a suggestion has reordered the rows (see set_suggestion)
        self._notes: dict[str, str] = {}
        self._refused: frozenset[str] = frozenset()

    @property
    def suggesting(self) -> bool:
        return self._suggesting

    def set_suggestion(
        self, places: dict[str, int], notes: dict[str, str], refused: frozenset[str]
    ) -> None:
        """Order rows by `places` (number id -> place), with `notes` on their detail lines and
        the `refused` ids greyed."""
        self._suggesting, self._notes, self._refused = True, dict(notes), refused
        source = self.sourceModel()
        if isinstance(source, SenderListModel):
            source.set_order(places)
        self._details_changed()

    def clear_suggestion(self) -> None:
        if not self._suggesting:
            return
        self._suggesting, self._notes, self._refused = False, {}, frozenset()
        source = self.sourceModel()
        if isinstance(source, SenderListModel):
            source.restore_order()  # the picker order again
        self._details_changed()

    def _details_changed(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(self.rowCount() - 1, 0),
                [SenderRole.DetailLineRole, SenderRole.RefusedForTextRole],
            )

    @property
    def only_sendable(self) -> bool:
        return self._only_sendable

    def set_only_sendable(self, only: bool) -> None:
        if only == self._only_sendable:
            return
        # Qt 6.9+ deprecates invalidateRowsFilter() (PySide warns) for begin/endFilterChange().
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self._only_sendable = only
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # Qt 6.7, 6.8
            self._only_sendable = only
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._only_sendable:
            return True
        model = self.sourceModel()
        return bool(model.data(model.index(source_row, 0, source_parent), SenderRole.CanSendRole))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == SenderRole.SectionCaptionRole and self._only_sendable:
            return None
        if self._suggesting and role in (
            SenderRole.DetailLineRole, SenderRole.RefusedForTextRole
        ):
            number_id = str(super().data(index, SenderRole.NumberIdRole))
            if role == SenderRole.RefusedForTextRole:
                return number_id in self._refused
            note = self._notes.get(number_id)
            detail = super().data(index, role)
            return f"{note} · {detail}" if note and detail else (note or detail)
        if role == SenderRole.RefusedForTextRole:
            return False
        return super().data(index, role)
