"""Table models of the Account view: one row per account number, filtered, searched and sorted.

`AccountTableModel` adapts a plain list of `AccountRow`s; rows arrive in batches while the scan
runs (`upsert`), each batch one insert and one change signal, so 10,000 rows fill without
freezing the window. `AccountFilterModel` filters in Python over the row objects (never through
`data()`), and sorts by asking the source model to reorder its list with precomputed keys: a
C++ proxy sort would call back into Python for every comparison, which is far too slow at this
size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QIcon

from rc_sms_desktop.core.account_join import COLUMN_INDEX, COLUMNS, AccountRow
from rc_sms_desktop.ui.theme import Mark, mark_icon

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the AccountRow itself
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # its key (phone number id)

_AnyIndex = QModelIndex | QPersistentModelIndex


class AccountTableModel(QAbstractTableModel):
    """The account's numbers as a table; the columns are `core.account_join.COLUMNS`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AccountRow] = []
        self._positions: dict[str, int] = {}
        self._search_text: dict[str, str] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._in_order = False  # rows are in `_sort` order (no change since the last sort)

    # -- Qt interface -----------------------------------------------------------------------------

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.key == "reason":
                return row.reason_text
            if column.key == "number":
                return row.e164
            return None
        if role == Qt.ItemDataRole.DecorationRole and column.key == "verdict":
            return _verdict_icon(row.verdict_label)
        if role == ROW_ROLE:
            return row
        if role == KEY_ROLE:
            return row.key
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].title if 0 <= section < len(COLUMNS) else None
        return section + 1

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            self._sort = None
            return
        if self._sort == (column, order) and self._in_order:
            return  # the view asks twice (sortByColumn, then the header's indicator signal)
        self._sort = (column, order)
        self._resort()

    # -- what the view and the scan call -----------------------------------------------------------

    @property
    def rows(self) -> Sequence[AccountRow]:
        return self._rows

    def row_at(self, position: int) -> AccountRow:
        return self._rows[position]

    def position_of(self, key: str) -> int | None:
        return self._positions.get(key)

    def search_text(self, row: AccountRow) -> str:
        text = self._search_text.get(row.key)
        if text is None:
            text = _haystack(row)
            self._search_text[row.key] = text
        return text

    def upsert(self, rows: Iterable[AccountRow]) -> None:
        """Insert new rows (one insert signal) and replace known ones (one change signal)."""
        new: list[AccountRow] = []
        changed: list[int] = []
        for row in rows:
            position = self._positions.get(row.key)
            if position is None:
                new.append(row)
                continue
            self._rows[position] = row
            self._search_text[row.key] = _haystack(row)
            changed.append(position)
        if changed:
            self.dataChanged.emit(
                self.index(min(changed), 0), self.index(max(changed), len(COLUMNS) - 1)
            )
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for offset, row in enumerate(new):
                self._positions[row.key] = first + offset
                # Built while rows trickle in, so the first search is as fast as the next.
                self._search_text[row.key] = _haystack(row)
            self._rows.extend(new)
            self.endInsertRows()
        if new or changed:
            self._in_order = False
            if self._sort is not None:
                self._resort()

    def remove(self, keys: Iterable[str]) -> None:
        """Drop rows the account no longer has (one remove signal per contiguous run)."""
        positions = sorted((p for k in keys if (p := self._positions.get(k)) is not None), reverse=True)
        for position in positions:
            self.beginRemoveRows(QModelIndex(), position, position)
            row = self._rows.pop(position)
            self._search_text.pop(row.key, None)
            self.endRemoveRows()
        if positions:
            self._positions = {row.key: i for i, row in enumerate(self._rows)}

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._positions = {}
        self._search_text = {}
        self.endResetModel()

    # -- internals ----------------------------------------------------------------------------------

    def _resort(self) -> None:
        assert self._sort is not None
        column, order = self._sort
        key = COLUMNS[column].sort_key
        self.layoutAboutToBeChanged.emit()
        old_keys = [row.key for row in self._rows]
        # Stable: ties keep their current order.
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self._positions = {row.key: i for i, row in enumerate(self._rows)}
        persistent = self.persistentIndexList()
        if persistent:
            new_indexes = []
            for index in persistent:
                moved = self._positions.get(old_keys[index.row()]) if index.row() < len(old_keys) else None
                new_indexes.append(
                    self.index(moved, index.column()) if moved is not None else QModelIndex()
                )
            self.changePersistentIndexList(persistent, new_indexes)
        self._in_order = True
        self.layoutChanged.emit()


_MARKS = {"Can send SMS": Mark.READY, "Blocked": Mark.BLOCKED, "Checking…": Mark.LOADING}
_icons: dict[Mark, QIcon] = {}


def _verdict_icon(label: str) -> QIcon:
    mark = _MARKS.get(label, Mark.UNKNOWN)
    icon = _icons.get(mark)
    if icon is None:
        icon = _icons[mark] = mark_icon(mark)
    return icon


def _haystack(row: AccountRow) -> str:
    """Everything a search may match, lower-cased once per row."""
    parts = [
        row.e164,
        row.e164.lstrip("+"),
        COLUMNS[COLUMN_INDEX["number"]].text(row),
        row.number.label or "",
        row.owner.describe(),
        row.owner.kind,
        row.sms_holder.describe() if row.sms_holder else "",
        " ".join(row.use_cases),
        row.reason_text,
        row.reason_code,
        row.number.usage_type or "",
        row.campaign_status or "",
    ]
    return "\n".join(parts).casefold()


@dataclass(frozen=True, slots=True)
class AccountFilters:
    """The Account view's filters; None means "all"."""

    verdict: str | None = None  # AccountRow.verdict_label
    reason: str | None = None  # AccountRow.reason_summary
    usage_type: str | None = None
    owner_kind: str | None = None
    status: str | None = None
    text: str = ""


_NO_FILTERS = AccountFilters()


class AccountFilterModel(QSortFilterProxyModel):
    """Filters and searches `AccountTableModel` rows; sorting is delegated to the source model."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filters = AccountFilters()
        self._active = False
        self._needle = ""
        self.setDynamicSortFilter(True)

    @property
    def filters(self) -> AccountFilters:
        return self._filters

    def set_filters(self, filters: AccountFilters) -> None:
        if filters == self._filters:
            return
        begin = getattr(self, "beginFilterChange", None)  # Qt 6.9+; older Qt invalidates
        if begin is not None:
            begin()
        self._filters = filters
        self._active = filters != _NO_FILTERS
        self._needle = filters.text.strip().casefold()
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _AnyIndex) -> bool:
        source = self.sourceModel()
        if not isinstance(source, AccountTableModel) or source_parent.isValid():
            return True
        if not self._active:
            return True
        f = self._filters
        row = source.row_at(source_row)
        if f.verdict is not None and row.verdict_label != f.verdict:
            return False
        if f.reason is not None and row.reason_summary != f.reason:
            return False
        if f.usage_type is not None and (row.number.usage_type or "") != f.usage_type:
            return False
        if f.owner_kind is not None and row.owner.kind != f.owner_kind:
            return False
        if f.status is not None and (row.number.status or "") != f.status:
            return False
        return not self._needle or self._needle in source.search_text(row)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if isinstance(source, AccountTableModel):
            source.sort(column, order)

    def visible_rows(self) -> list[AccountRow]:
        """The rows the view shows, in its order: what the summary counts and exports write."""
        source = self.sourceModel()
        if not isinstance(source, AccountTableModel):
            return []
        return [
            source.row_at(self.mapToSource(self.index(i, 0)).row()) for i in range(self.rowCount())
        ]

    def row_for(self, proxy_row: int) -> AccountRow | None:
        value = self.index(proxy_row, 0).data(ROW_ROLE)
        return value if isinstance(value, AccountRow) else None
