"""What an XLSX's first sheet holds, found without allocating it, and its rows as python-calamine gives them.

python-calamine (Rust's calamine) is ~10x faster than openpyxl, but it holds a sheet as ONE rectangle from
its first to its last real cell, ~32 bytes a cell, whatever lies between: a stray cell at row 200,000 of a
2-row export costs 130 MB and seconds of Python for empty rows. The sheet's XML says beforehand how big
that rectangle can be (its rows' and cells' own references; the declared <dimension> is never read) and
how many cells are real, so the reader can choose: calamine for a dense sheet, streaming openpyxl for a
sparse or oversized one.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Any namespace prefix (<x:row>, <x:c>): calamine reads those too, so they must count here as well.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b")
_ROW_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\br=\"(\d{1,9})\"")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b")
_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\br=\"([A-Z]{1,3})\d{1,9}\"")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
SAFE_INTEGER = 2**53  # floats below this are exact integers
# calamine may allocate its rectangle only when real cells fill at least a quarter of it (a real export
# leaves some cells empty), beyond a slack any sheet may have (title rows, a header wider than its data)
CALAMINE_FILL = 4
CALAMINE_SLACK = 65_536


@dataclass(frozen=True)
class SheetExtent:
    """Upper bounds of the rectangle calamine would allocate, and the number of cells the XML really has."""

    rows: int
    columns: int
    cells: int

    @property
    def rectangle(self) -> int:
        return self.rows * self.columns

    def dense(self, max_cells: int) -> bool:
        """Whether calamine's rectangle is both bounded and mostly real cells."""
        return self.rectangle <= min(max_cells, CALAMINE_FILL * self.cells + CALAMINE_SLACK)


def first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The first sheet's XML part, in the workbook's own order (through its relationships); None when the
    workbook lists no sheet. ValueError when the workbook parts are missing or unreadable."""
    from defusedxml import ElementTree

    try:
        first = ElementTree.fromstring(archive.read("xl/workbook.xml")).find(f"{_MAIN}sheets/{_MAIN}sheet")
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # noqa: BLE001 - missing, corrupt (CRC, deflate) or hostile XML: not a workbook
        raise ValueError("no readable workbook part") from None
    if first is None:
        return None
    for rel in rels:
        if rel.get("Id") == first.get(_REL_ID):
            target = rel.get("Target", "").lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    raise ValueError("the first sheet has no part")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def sheet_extent(xml: bytes) -> SheetExtent:
    """Rows and cells written without a reference follow the one before, so each can add at most one to
    its row's or column's count: the bounds hold whatever the writer left out."""
    row_refs = _ROW_REF.findall(xml)
    rows = max((int(r) for r in row_refs), default=0) + len(_ROW_TAG.findall(xml)) - len(row_refs)
    cell_refs = _CELL_REF.findall(xml)
    cells = len(_CELL_TAG.findall(xml))
    columns = max((_column_number(c) for c in set(cell_refs)), default=0) + cells - len(cell_refs)
    return SheetExtent(rows=rows, columns=columns, cells=cells)


def calamine_rows(sheet: Any) -> Iterator[tuple]:
    """The sheet's rows as the rest of the pipeline reads them (as openpyxl gave them): each as wide as its
    last real cell, an empty cell as None (calamine also gives a whitespace-only text as empty: blank
    either way), a whole number as an int (calamine gives every number as a float; an account id typed as
    a number must not become "3712052.0"), a date-formatted day as a datetime at midnight."""
    for raw in sheet.iter_rows():
        end = len(raw)
        while end and raw[end - 1] == "":
            end -= 1
        if not end:
            yield ()
            continue
        yield tuple(
            None
            if c == ""
            else int(c)
            if type(c) is float and c.is_integer() and -SAFE_INTEGER <= c <= SAFE_INTEGER
            else datetime.datetime(c.year, c.month, c.day)
            if type(c) is datetime.date
            else c
            for c in raw[:end]
        )
