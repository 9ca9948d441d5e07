"""What an XLSX's first sheet holds, found without allocating it, and its rows as python-calamine gives them.

python-calamine (Rust's calamine) is ~10x faster than openpyxl, but it holds a sheet as ONE rectangle from
its first to its last real cell, ~32 bytes a cell, whatever lies between: a stray cell at row 200,000 of a
2-row export costs 130 MB and seconds of Python for empty rows. The sheet's XML says beforehand how big
that rectangle can be (its cells' own references; the declared <dimension> is never read) and how many
cells are real, so the reader can choose: calamine for a dense sheet written the usual way, streaming
openpyxl for a sparse, oversized or unusually written one.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# The usual way to write a cell: unprefixed, its reference as first attribute in double quotes (openpyxl,
# XlsxWriter, Excel, the platforms' exports). A sheet with any other cell tag gets no extent (see below).
_WIDE_COLUMN = re.compile(rb'<c r="([A-Z]{2,3})\d')
_ODD_REFERENCE = re.compile(rb'<c r="(?![A-Z]{1,3}\d{1,9}")')
_ROW_DIGITS = [re.compile(rb'<c r="[A-Z]{1,3}(\d{6,9})"')] + [
    re.compile(rb'<c r="[A-Z]{1,3}(\d{%d})"' % n) for n in range(5, 0, -1)
]
# Any other cell start tag: another blank after its name, none at all, or a namespace prefix (calamine
# reads <x:c> like <c>); text that looks like one only makes a sheet look unusual, never smaller.
_OTHER_CELL_TAG = re.compile(rb"<c[\t\n\r>/]")
_PREFIXED_CELL_TAG = re.compile(rb":c[\s>/]")
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


def sheet_extent(xml: bytes) -> SheetExtent | None:
    """The rectangle calamine would allocate, from the cells' own references (calamine places a cell by
    its reference, not by its row's), or None when any cell is written another way (prefixed, without a
    reference, quoted otherwise): a file the reader then streams instead of guessing its extent. Byte
    counts and two literal-led patterns: ~1 s for a 100,000-row sheet, where an XML parse takes ~10 s."""
    cells = xml.count(b"<c ")
    if cells != xml.count(b'<c r="') or _OTHER_CELL_TAG.search(xml) or _PREFIXED_CELL_TAG.search(xml):
        return None
    if _ODD_REFERENCE.search(xml):  # a reference of another shape (a4, A0123456789)
        return None
    return SheetExtent(rows=_last_row(xml), columns=_last_column(xml), cells=cells)


def _last_row(xml: bytes) -> int:
    """The last (bottom) row referenced: the references with the most digits, the largest of them (equal lengths
    compare as bytes like numbers) - one pass for a 100,000-row sheet, not 2 million numbers parsed."""
    for pattern in _ROW_DIGITS:
        found = pattern.findall(xml)
        if found:
            longest = max(map(len, found))
            return int(max(n for n in found if len(n) == longest))
    return 0


def _last_column(xml: bytes) -> int:
    """The rightmost column referenced: wide ones by pattern (rare), one-letter ones by a byte search from
    Z down (a sheet of 21 columns needs 5 searches that find nothing and one that stops early)."""
    wide = _WIDE_COLUMN.findall(xml)
    if wide:
        return max(_column_number(c) for c in set(wide))
    for number in range(26, 0, -1):
        if xml.find(b'<c r="' + bytes([64 + number])) >= 0:
            return number
    return 0


def calamine_rows(sheet: Any) -> Iterator[tuple]:
    """The sheet's rows as the rest of the pipeline reads them (as openpyxl gave them): each as wide as its
    last real cell, an empty cell as None (calamine also gives a whitespace-only text as empty: blank
    either way), a whole number as an int (calamine gives every number as a float; an account id typed as
    a number must not become "3712052.0"), a date-formatted day as a datetime at midnight."""
    date, midnight, safe = datetime.date, datetime.datetime, SAFE_INTEGER
    for raw in sheet.iter_rows():
        while raw and raw[-1] == "":
            raw.pop()
        yield tuple(
            [
                (c or None)
                if (kind := type(c)) is str
                else (int(c) if c.is_integer() and -safe <= c <= safe else c)
                if kind is float
                else midnight(c.year, c.month, c.day)
                if kind is date
                else c
                for c in raw
            ]
        )
