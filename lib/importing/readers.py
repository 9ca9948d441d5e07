"""Bytes of an uploaded file -> a raw grid of cells, safely.

CSV: UTF-8 (with or without BOM), then GB18030 (a superset of GBK); binary data is refused. XLSX: the zip's
entry count and unpacked size are checked before any XML is parsed, then python-calamine (whose XML parser
expands no DTD entities) reads a dense sheet, openpyxl (through defusedxml) streams any other (xlsx_sheet.py).
Old binary .xls and files that only claim to be XLSX are refused.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lib.core.errors import CodedError
from lib.importing import xlsx_sheet
from lib.importing.values import MAX_ABS_NUMBER

# The one upload limit: the page's file widget, the server (.streamlit/config.toml maxUploadSize, checked by
# a test) and the pipeline (CLI included) all refuse a file above it.
MAX_UPLOAD_MB = 50
# in decimal MB, as the widget shows sizes and refuses files (on Linux/macOS; the server's own check counts
# MiB, so it never refuses a file the widget let through: no raw "AxiosError 413")
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000
# Real cells, never a sheet's declared <dimension>, bound the work: a weekly export has a few thousand
# rows and ~40 columns; the benchmark imports 100,000 rows.
MAX_ROWS = 200_000
MAX_COLUMNS = 100
MAX_CELLS = 5_000_000  # rows x columns: what fits in memory as Python values (~0.5 GB)
MAX_XLSX_ENTRIES = 500
MAX_XLSX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_XLSX_RATIO = 200  # unpacked / packed size of one entry beyond which it is a zip bomb
HEAD_ROWS = 30
EXTRA_CSV_FIELDS = 8  # rows searched for the header line (title rows come above it)
ENCODINGS = ("utf-8-sig", "gb18030")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters but tab, CR, LF


class ReadError(CodedError):
    """The file as a whole cannot be read; `code` is an i18n key under importing.error."""

    prefix = "importing.error"


@dataclass
class RawTable:
    """The cells of a file before any header is known. `head` holds the first rows (for header detection);
    `frame(header_index)` gives the rows below that header with their file row numbers (1-based)."""

    file_format: str  # csv / xlsx
    encoding: str | None
    head: list[list[Any]]
    _text: str | None = None
    _rows: list[tuple] | None = field(default=None, repr=False)
    _sep: str = ","

    def frame(
        self, header_index: int, numeric_columns: frozenset[int] = frozenset()
    ) -> tuple[list[str], pd.DataFrame, np.ndarray]:
        """(header cells, DataFrame with positional columns 0..n-1, file row numbers) below the header;
        completely empty rows are dropped. CSV columns in `numeric_columns` are left to the C parser's
        number inference (a column it cannot read as numbers stays text); all others are read as text."""
        header = [_header_text(c) for c in self.head[header_index]]
        width = len(header)
        rows_below = (
            len(self._rows or []) - header_index - 1
            if self.file_format == "xlsx"
            else self._line_count() - header_index - 1
        )
        if rows_below * max(width, 1) > MAX_CELLS:
            raise ReadError("too_many_cells", rows=rows_below, columns=width, limit=MAX_CELLS)
        if self.file_format == "csv":
            frame = self._csv_frame(header_index, width, numeric_columns)
            numbers = np.arange(len(frame), dtype="int64") + header_index + 2
        else:
            rows = (self._rows or [])[header_index + 1 :]
            for n, r in enumerate(rows):  # a cell right of the header is refused, as in a CSV
                if len(r) > width and not all(_blank(c) for c in r[width:]):
                    raise ReadError("extra_fields", row=header_index + 2 + n, width=width)
            # empty rows go before any copy: a stray cell far below costs no padded rows between
            kept = [n for n, r in enumerate(rows) if r and not all(_blank(c) for c in r)]
            frame = pd.DataFrame.from_records(
                [tuple(rows[n][:width]) + (None,) * (width - len(rows[n])) for n in kept],
                columns=list(range(width)),
                coerce_float=False,
            )
            numbers = np.array(kept, dtype="int64") + header_index + 2
        if len(frame):
            empty = np.ones(len(frame), dtype=bool)
            for col in frame.columns:
                s = frame[col]
                if pd.api.types.is_string_dtype(s) and self.file_format == "csv":
                    empty &= (s.isna() | (s == "")).to_numpy()
                else:
                    empty &= (
                        s.map(_blank).to_numpy(dtype=bool) if s.dtype == "object" else s.isna().to_numpy()
                    )
                if not empty.any():
                    break
            if empty.any():
                frame = frame.loc[~empty].reset_index(drop=True)
                numbers = numbers[~empty]
        return header, frame, numbers

    def _csv_frame(self, header_index: int, width: int, numeric_columns: frozenset[int]) -> pd.DataFrame:
        """The CSV rows below the header, `width` columns; refused when a cell stands right of the header."""
        # Most files have no cell right of the header: read exactly its width; only when a line is
        # longer, read again with spare columns to tell trailing commas from stray values.
        spare = 0
        try:
            frame = self._read_csv(header_index, width, numeric_columns, spare)
        except ReadError:
            spare = EXTRA_CSV_FIELDS
            frame = self._read_csv(header_index, width, numeric_columns, spare)
        # the C parser reads `Infinity` / `1e308` as floats: re-read such columns as text, so a
        # refusal quotes the value exactly as the file has it
        odd = frozenset(i for i in numeric_columns if i in frame and _has_odd_floats(frame[i]))
        if odd:
            frame = self._read_csv(header_index, width, numeric_columns - odd, spare)
        if spare:
            stray = np.zeros(len(frame), dtype=bool)
            for col in range(width, width + spare):
                cells = frame[col]
                stray |= (cells.notna() & (cells != "")).to_numpy()
            if stray.any():
                row = int(np.flatnonzero(stray)[0]) + header_index + 2
                raise ReadError("extra_fields", row=row, width=width)
            frame = frame[list(range(width))]
        return frame

    def _read_csv(
        self, header_index: int, width: int, numeric_columns: frozenset[int], spare: int
    ) -> pd.DataFrame:
        """`spare` columns right of the header: room for trailing commas / stray cells. The C parser drops
        the cells of a FIRST row wider than `width + spare` with only a warning: that is an error here."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                return self._pandas_csv(header_index, width, numeric_columns, spare)
        except pd.errors.ParserWarning:
            if not spare:
                raise ReadError("bad_csv", detail="wide first row") from None  # read again with spares
            row = header_index + 2 + _first_wide_row(self._text or "", self._sep, header_index, width)
            raise ReadError("extra_fields", row=row, width=width) from None
        except (pd.errors.ParserError, ValueError) as exc:
            raise ReadError("bad_csv", detail=str(exc).strip()[:200]) from None

    def _pandas_csv(
        self, header_index: int, width: int, numeric_columns: frozenset[int], spare: int
    ) -> pd.DataFrame:
        return pd.read_csv(  # type: ignore[call-overload]  # na_values by column position: pandas-stubs wants str keys
            io.StringIO(self._text or ""),
            sep=self._sep,
            header=None,
            skiprows=header_index + 1,
            dtype={i: str for i in range(width + spare) if i not in numeric_columns},
            keep_default_na=False,
            na_values={i: ["", "-", "--"] for i in numeric_columns},
            skip_blank_lines=False,
            names=list(range(width + spare)),
            engine="c",
            on_bad_lines="error",
            index_col=False,
        )

    def _line_count(self) -> int:
        return (self._text or "").count("\n") + 1


def _first_wide_row(text: str, sep: str, header_index: int, width: int) -> int:
    """Index (from the first row below the header) of the first row with a non-empty cell right of the
    header; only read when the C parser said there is one."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    for index, row in enumerate(reader):
        if index > header_index and any(c.strip() for c in row[width:]):
            return index - header_index - 1
    return 0


def _has_odd_floats(series: pd.Series) -> bool:
    """A float column holding an infinity or a magnitude no count or amount has."""
    if not pd.api.types.is_float_dtype(series):
        return False
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return bool((np.isinf(values) | (np.abs(values) > MAX_ABS_NUMBER)).any())


def _blank(cell: Any) -> bool:
    return (
        cell is None
        or (isinstance(cell, str) and not cell.strip())
        or (isinstance(cell, float) and np.isnan(cell))
    )


def _header_text(cell: Any) -> str:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    return str(cell).strip().lstrip("\ufeff")


def check_size(size: int) -> None:
    """Refuse a file above the one upload limit (the CLI calls it before reading a file at all)."""
    if size > MAX_UPLOAD_BYTES:
        raise ReadError("file_too_large", size_mb=f"{size / 1_000_000:.1f}", limit_mb=MAX_UPLOAD_MB)


def read_bytes(data: bytes, file_name: str) -> RawTable:
    """Detect the format from the content (and refuse a name that lies about it), then read."""
    check_size(len(data))
    if not data or not data.strip():
        raise ReadError("empty_file")
    name = file_name.lower()
    if data.startswith(OLE_MAGIC):
        raise ReadError("xls_not_supported")
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(ZIP_MAGIC):
        if not data.startswith(ZIP_MAGIC):
            raise ReadError("not_xlsx")
        return read_xlsx(data)
    return read_csv(data)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not) first, then GB18030; refuse binary content."""
    sample = data[:65536]
    if b"\x00" in sample:
        raise ReadError("binary_file")
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = len(_CONTROLS.findall(text, 0, 20000))
        if controls > max(2, len(text[:20000]) // 200):
            raise ReadError("binary_file")
        return text, encoding
    raise ReadError("bad_encoding")


def read_csv(data: bytes) -> RawTable:
    text, encoding = decode_text(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    sample = text[:8192]
    delimiter = ","
    first_lines = [line for line in sample.splitlines()[:5] if line.strip()]
    if first_lines and all("\t" in line for line in first_lines) and not any("," in x for x in first_lines):
        delimiter = "\t"
    _check_csv_size(text, delimiter)
    head: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS and any(c.strip() for c in row[MAX_COLUMNS:]):
                raise ReadError(
                    "too_many_columns", row=reader.line_num, column=MAX_COLUMNS + 1, limit=MAX_COLUMNS
                )
            head.append(row[:MAX_COLUMNS])
            if len(head) >= HEAD_ROWS:
                break
    except csv.Error as exc:
        raise ReadError("bad_csv", detail=str(exc)) from None
    return RawTable("csv", encoding, head, _text=text, _sep=delimiter)


def _check_csv_size(text: str, delimiter: str) -> None:
    """Rows and columns are bounded before any parser builds them: a line of a million commas or a file
    of a million empty lines is refused from counts, not parsed."""
    lines = text.count("\n") + 1
    if lines > MAX_ROWS + HEAD_ROWS:
        # quoted fields may hold line breaks: count the records exactly only when the lines exceed
        records = sum(1 for _ in csv.reader(io.StringIO(text), delimiter=delimiter))
        if records > MAX_ROWS + HEAD_ROWS:
            raise ReadError("too_many_rows", limit=MAX_ROWS)
    widest = 0
    for number, line in enumerate(io.StringIO(text[: 1 << 20]), start=1):
        if number > HEAD_ROWS:
            break
        widest = max(widest, line.count(delimiter) + 1)
        if widest > 4 * MAX_COLUMNS:  # even with quoted delimiters, far too wide to be a real export
            raise ReadError("too_many_columns", row=number, column=MAX_COLUMNS + 1, limit=MAX_COLUMNS)


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open the zip and check entry count and unpacked size from its directory, before any parsing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ReadError("not_xlsx") from None
    infos = archive.infolist()
    if len(infos) > MAX_XLSX_ENTRIES:
        raise ReadError("xlsx_too_many_entries", count=len(infos), limit=MAX_XLSX_ENTRIES)
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_UNPACKED_BYTES:
        raise ReadError(
            "xlsx_too_large", size_mb=total // (1024 * 1024), limit_mb=MAX_XLSX_UNPACKED_BYTES >> 20
        )
    for info in infos:
        if info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
            raise ReadError(
                "xlsx_too_large", size_mb=total // (1024 * 1024), limit_mb=MAX_XLSX_UNPACKED_BYTES >> 20
            )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise ReadError("not_xlsx")
    return archive


def _sheet_rows(sheet_rows: Iterable[tuple]) -> list[tuple]:
    """The sheet's rows as value tuples, as wide as their last real cell (a sheet's declared <dimension>,
    which a 2 KB file can set to A1:XFD1048576, is never read), and reading stops at MAX_ROWS /
    MAX_COLUMNS / MAX_CELLS."""
    rows: list[tuple] = []
    cells = 0
    for number, row in enumerate(sheet_rows, start=1):
        if number > MAX_ROWS + HEAD_ROWS:  # (title and header rows come above the data)
            raise ReadError("too_many_rows", limit=MAX_ROWS)
        if len(row) > MAX_COLUMNS:
            extra = [i for i, c in enumerate(row[MAX_COLUMNS:], start=MAX_COLUMNS) if not _blank(c)]
            if extra:
                raise ReadError("too_many_columns", row=number, column=extra[0] + 1, limit=MAX_COLUMNS)
            row = row[:MAX_COLUMNS]
        cells += len(row)
        if cells > MAX_CELLS:
            raise ReadError("too_many_cells", rows=number, columns=len(row), limit=MAX_CELLS)
        rows.append(tuple(row))
    return rows


def _dense_enough(archive: zipfile.ZipFile) -> bool | None:
    """Whether calamine may read the first sheet: its rectangle (bounded from the sheet's own cell
    references) is within MAX_CELLS and mostly real cells; a part not found where expected is left to
    openpyxl. None when the workbook lists no sheet."""
    try:
        if (part := xlsx_sheet.first_sheet_part(archive)) is None:
            return None
        extent = xlsx_sheet.sheet_extent(archive.read(part)) if part in archive.namelist() else None
    except Exception:  # noqa: BLE001 - missing or corrupt part (bad CRC, broken deflate stream)
        raise ReadError("not_xlsx") from None
    return extent is not None and extent.rows <= MAX_ROWS + HEAD_ROWS and extent.dense(max_cells=MAX_CELLS)


def _calamine_rows(data: bytes) -> list[tuple]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return _sheet_rows(xlsx_sheet.calamine_rows(workbook.get_sheet_by_index(0)))
    except ReadError:
        raise
    except Exception:  # noqa: BLE001 - any parser failure means "not a readable XLSX"
        raise ReadError("not_xlsx") from None


def _openpyxl_rows(data: bytes) -> list[tuple]:
    import openpyxl  # defusedxml is installed: openpyxl then parses through it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parser failure means "not a readable XLSX"
        raise ReadError("not_xlsx") from None
    try:
        if not workbook.worksheets:
            raise ReadError("empty_file")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # no padding of rows to a declared width or height
        return _sheet_rows(sheet.iter_rows(values_only=True))
    except ReadError:
        raise
    except Exception:  # noqa: BLE001
        raise ReadError("not_xlsx") from None
    finally:
        workbook.close()


def read_xlsx(data: bytes) -> RawTable:
    """The first sheet, after the zip's own checks (entry count, unpacked size, compression ratio) bounded
    what may be unpacked: through python-calamine when dense (~10x faster than openpyxl on a 100,000-row
    export), else streamed by openpyxl, so a few far-apart cells never allocate the space between them."""
    dense = _dense_enough(check_zip(data))
    if dense is None:
        raise ReadError("empty_file")
    rows = _calamine_rows(data) if dense else _openpyxl_rows(data)
    while rows and all(c is None or (isinstance(c, str) and not c.strip()) for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ReadError("empty_file")
    head = [list(r) for r in rows[:HEAD_ROWS]]
    return RawTable("xlsx", None, head, _rows=rows)
