"""RowTableModel: a read-only QAbstractTableModel over a list of frozen dataclass rows.

Columns are declared once (title id, how to show a row, how to sort it). Sorting reorders the Python
list (cheap at township scale); filtering is done by the service in SQL, then `set_rows` resets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.i18n import tr

R = TypeVar("R")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole row object
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # the value sorting uses

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[R]):
    title_id: str
    display: Callable[[R], str]
    sort_key: Callable[[R], Any] | None = None
    align_right: bool = False
    width: int = 100  # default width in characters-ish pixels, before the person resizes


class RowTableModel(QAbstractTableModel, Generic[R]):
    def __init__(self, columns: Sequence[Column[R]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[R] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.highlight: Callable[[R], Any] | None = None  # row -> QBrush/QColor for the background

    # -- data access
    def rows(self) -> list[R]:
        return self._rows

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self.endResetModel()

    def find_row(self, predicate: Callable[[R], bool]) -> int:
        for i, r in enumerate(self._rows):
            if predicate(r):
                return i
        return -1

    # -- Qt interface
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.display(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if col.align_right else None
            )
        if role == Qt.ItemDataRole.BackgroundRole and self.highlight is not None:
            return self.highlight(row)
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return (col.sort_key or col.display)(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return tr(self.columns[section].title_id)
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        moved = [
            (ix, self._rows[ix.row()]) for ix in persistent if ix.isValid() and ix.row() < len(self._rows)
        ]
        self._sort = (column, order)
        self._sort_rows(column, order)
        new_row = {id(r): i for i, r in enumerate(self._rows)}
        self.changePersistentIndexList(
            [ix for ix, _ in moved], [self.index(new_row[id(r)], ix.column()) for ix, r in moved]
        )
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        col = self.columns[column]
        key = col.sort_key or col.display
        self._rows.sort(
            key=lambda r: (key(r) is None, key(r) if key(r) is not None else 0),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
