"""Table models of the Account view: one row per account number, filtered, searched and sorted.

`AccountTableModel` adapts a plain list of `AccountRow`s; rows arrive in batches while the scan
runs (`upsert`), each batch one insert signal and one change signal per contiguous run of changed
rows, so 10,000 rows fill without freezing the window. While a scan streams rows in, the view may
ask the model to defer re-sorting (`defer_sorting`): one sort per interval instead of one per
batch. `AccountFilterModel` filters in Python over the row objects (never through `data()`) with
the pure predicate `AccountFilters.accepts`, and sorts by asking the source model to reorder its
list with precomputed keys: a C++ proxy sort would call back into Python for every comparison,
which is far too slow at this size. Since the proxy never reorders, the rows it shows are the
source list filtered by that predicate: `visible_rows()` computes them in Python, without walking
the proxy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QIcon

from rc_sms_desktop.core.account_join import AccountRow
from rc_sms_desktop.core.account_table import COLUMN_INDEX, COLUMNS
from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.ui.theme import mark_icon

# The columns the view offers filter choices for, in `facet_values` order.
FACETS = ("verdict", "reason", "usage", "kind", "status")


def facet_values(row: AccountRow) -> tuple[str, str, str, str, str]:
    """A row's value for each of `FACETS` (what `AccountFilters` compares)."""
    return (row.verdict_label, row.reason_summary, row.number.usage_type or "", row.owner.kind,
            row.number.status or "")


ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the AccountRow itself
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # its key (phone number id)

_AnyIndex = QModelIndex | QPersistentModelIndex
_COLUMN_COUNT = len(COLUMNS)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_VERDICT_COLUMN = COLUMN_INDEX["verdict"]
_REASON_COLUMN = COLUMN_INDEX["reason"]
_NUMBER_COLUMN = COLUMN_INDEX["number"]


class AccountTableModel(QAbstractTableModel):
    """The account's numbers as a table; the columns are `core.account_table.COLUMNS`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AccountRow] = []
        self._positions: dict[str, int] = {}
        self._search_text: dict[str, str] = {}
        # How many rows have each value of each filter column, kept up to date row by row: the
        # filter choices need them every second of a scan and a full count of 10,000 rows
        # costs ~25 ms.
        self._counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._in_order = False  # rows are in `_sort` order (no change since the last sort)
        # While a scan streams rows in, re-sorting 10,000 rows (and the proxy and view relaying
        # them out) after every batch would hold the loop: `defer_sorting` batches it on a timer.
        self._resort_timer = QTimer(self)
        self._resort_timer.setSingleShot(True)
        self._resort_timer.timeout.connect(self._resort_if_needed)
        self._defer_ms = 0

    # -- Qt interface -----------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Qt's own index() asks rowCount() and columnCount(), two calls into Python, each time the
        # proxy maps a cell: 2,700 of them per repaint of the table (measured), a third of the
        # Python a repaint runs. One Python call answers the same question here.
        if 0 <= row < len(self._rows) and 0 <= column < _COLUMN_COUNT and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _AnyIndex, role: int = _DISPLAY) -> Any:
        position = index.row()  # -1 for an invalid index
        if not 0 <= position < len(self._rows) or not index.isValid():
            return None
        return _value(self._rows[position], index.column(), role)

    def multiData(self, index: _AnyIndex, roles: QModelRoleDataSpan | QModelRoleData) -> None:
        # The item delegate asks for seven roles of each cell it paints (text, icon, font,
        # alignment, colours, check state) in one multiData call. Qt's default answers it with
        # one data() call per role, each a call into Python; through the filter proxy, each
        # also maps the index back (one more call): 14 Python calls per cell, about half the
        # time of a repaint of the table (measured, BENCHMARKS "Fourth pass"). One call here.
        position = index.row()
        row = self._rows[position] if 0 <= position < len(self._rows) and index.isValid() else None
        column = index.column()
        if isinstance(roles, QModelRoleData):
            roles = QModelRoleDataSpan(roles)
        span: Any = roles  # PySide6's stubs omit the span's len() and [] (it has both)
        for k in range(len(span)):
            item = span[k]
            value = None if row is None else _value(row, column, item.role())
            if value is None:
                item.clearData()
            else:
                item.setData(value)

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
        self._resort_timer.stop()
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

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """For each name in `FACETS`, how many rows have each value (values with none left out)."""
        return {
            name: {value: n for value, n in counts.items() if n > 0}
            for name, counts in self._counts.items()
        }

    def _count(self, row: AccountRow, delta: int) -> None:
        for name, value in zip(FACETS, facet_values(row), strict=True):
            self._counts[name][value] += delta

    def upsert(self, rows: Iterable[AccountRow]) -> None:
        """Insert new rows (one insert signal) and replace known ones (one change signal per
        contiguous run of positions); keeps the sort order at once, or within the deferral."""
        new: list[AccountRow] = []
        changed: list[int] = []
        for row in rows:
            position = self._positions.get(row.key)
            if position is None:
                new.append(row)
                continue
            self._count(self._rows[position], -1)
            self._count(row, 1)
            self._rows[position] = row
            self._search_text[row.key] = _haystack(row)
            changed.append(position)
        # One signal per contiguous run: a single (min, max) range over scattered rows would make
        # the proxy re-check every row in between.
        last_column = len(COLUMNS) - 1
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for offset, row in enumerate(new):
                self._positions[row.key] = first + offset
                # Built while rows trickle in, so the first search is as fast as the next.
                self._search_text[row.key] = _haystack(row)
                self._count(row, 1)
            self._rows.extend(new)
            self.endInsertRows()
        if new or changed:
            self._in_order = False
            if self._sort is not None:
                if self._defer_ms <= 0:
                    self._resort()
                elif not self._resort_timer.isActive():
                    self._resort_timer.start(self._defer_ms)

    def defer_sorting(self, interval_ms: int) -> None:
        """Re-sort at most every `interval_ms` after upserts (0: at once, and sort now if due).

        Meanwhile new rows wait at the end and changed rows in place; a sort the user asks for
        is always applied at once.
        """
        self._defer_ms = max(0, interval_ms)
        if self._defer_ms == 0:
            self._resort_timer.stop()
            self._resort_if_needed()

    def remove(self, keys: Iterable[str]) -> None:
        """Drop rows the account no longer has (one remove signal per contiguous run)."""
        positions = sorted((p for k in keys if (p := self._positions.get(k)) is not None), reverse=True)
        for position in positions:
            self.beginRemoveRows(QModelIndex(), position, position)
            row = self._rows.pop(position)
            self._search_text.pop(row.key, None)
            self._count(row, -1)
            self.endRemoveRows()
        if positions:
            self._positions = {row.key: i for i, row in enumerate(self._rows)}

    def clear(self) -> None:
        self._resort_timer.stop()
        self.beginResetModel()
        self._rows = []
        self._positions = {}
        self._search_text = {}
        self._counts = {name: Counter() for name in FACETS}
        self.endResetModel()

    # -- internals ----------------------------------------------------------------------------------

    def _resort_if_needed(self) -> None:
        if self._sort is not None and not self._in_order:
            self._resort()

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


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted (first, last) runs of consecutive positions: [7, 3, 4, 9, 8] → [(3, 4), (7, 9)]."""
    runs: list[tuple[int, int]] = []
    for position in sorted(set(positions)):
        if runs and position == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


def _value(row: AccountRow, column: int, role: int) -> Any:
    """What the table shows of `row` in `column` for `role` (None: nothing)."""
    if role == _DISPLAY:
        return COLUMNS[column].text(row) if 0 <= column < _COLUMN_COUNT else None
    if role == _DECORATION:
        return _mark_icon(row.mark) if column == _VERDICT_COLUMN else None
    if role == _TOOLTIP:
        if column == _REASON_COLUMN:
            return row.reason_text
        if column == _NUMBER_COLUMN:
            return row.e164
        return None
    if role == ROW_ROLE:
        return row
    if role == KEY_ROLE:
        return row.key
    return None


_icons: dict[Mark, QIcon] = {}


def _mark_icon(mark: Mark) -> QIcon:
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

    @property
    def active(self) -> bool:
        """Whether any row can be hidden (a search of blanks hides nothing)."""
        return (
            self.verdict is not None or self.reason is not None or self.usage_type is not None
            or self.owner_kind is not None or self.status is not None or bool(self.needle)
        )

    @property
    def needle(self) -> str:
        """The search text as matched: trimmed and case-folded."""
        return self.text.strip().casefold()

    def accepts(
        self, row: AccountRow, search_text: Callable[[AccountRow], str], needle: str | None = None
    ) -> bool:
        """Whether the view shows `row`; `search_text(row)` gives its lower-cased haystack,
        asked only when there is a search (`needle`, when given, is `self.needle` precomputed)."""
        if self.verdict is not None and row.verdict_label != self.verdict:
            return False
        if self.reason is not None and row.reason_summary != self.reason:
            return False
        if self.usage_type is not None and (row.number.usage_type or "") != self.usage_type:
            return False
        if self.owner_kind is not None and row.owner.kind != self.owner_kind:
            return False
        if self.status is not None and (row.number.status or "") != self.status:
            return False
        if needle is None:
            needle = self.needle
        return not needle or needle in search_text(row)

    def select(
        self, rows: Iterable[AccountRow], search_text: Callable[[AccountRow], str]
    ) -> list[AccountRow]:
        """The rows `accepts` keeps, in their order."""
        if not self.active:
            return list(rows)
        needle = self.needle
        return [row for row in rows if self.accepts(row, search_text, needle)]


class AccountFilterModel(QSortFilterProxyModel):
    """Filters and searches `AccountTableModel` rows; sorting is delegated to the source model."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filters = AccountFilters()
        self._active = False
        self._needle = ""
        self._table: AccountTableModel | None = None
        self.setDynamicSortFilter(True)

    def setSourceModel(self, source: QAbstractItemModel) -> None:
        # Kept here so filterAcceptsRow, called per row, makes no Qt call to find it.
        self._table = source if isinstance(source, AccountTableModel) else None
        super().setSourceModel(source)

    @property
    def filters(self) -> AccountFilters:
        return self._filters

    @property
    def filtering(self) -> bool:
        """Whether the filters can hide rows."""
        return self._active

    def set_filters(self, filters: AccountFilters) -> None:
        if filters == self._filters:
            return
        begin = getattr(self, "beginFilterChange", None)  # Qt 6.9+; older Qt invalidates
        if begin is not None:
            begin()
        self._filters = filters
        self._active = filters.active
        self._needle = filters.needle
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _AnyIndex) -> bool:
        # Called once per source row whenever the proxy rebuilds: the common case (no filter)
        # must return before any other call.
        if not self._active:
            return True
        table = self._table
        if table is None or source_parent.isValid():
            return True
        return self._filters.accepts(table.row_at(source_row), table.search_text, self._needle)

    def multiData(self, index: _AnyIndex, roles: QModelRoleDataSpan | QModelRoleData) -> None:
        # Qt's proxy answers multiData one role at a time through its own data(), mapping the
        # index for each: hand the whole cell to the table in one call instead.
        table = self._table
        if table is None:
            super().multiData(index, roles)
            return
        table.multiData(self.mapToSource(index), roles)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._table is not None:
            self._table.sort(column, order)

    def visible_rows(self) -> list[AccountRow]:
        """The rows the view shows, in its order: what the summary counts and exports write.

        Computed from the source list (the proxy keeps its order) with the proxy's own
        predicate, without one Qt call per row.
        """
        table = self._table
        if table is None:
            return []
        return self._filters.select(table.rows, table.search_text)

    def row_for(self, proxy_row: int) -> AccountRow | None:
        value = self.index(proxy_row, 0).data(ROW_ROLE)
        return value if isinstance(value, AccountRow) else None
