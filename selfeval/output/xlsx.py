"""``OUT/selfeval.xlsx``: one workbook, a sheet per table, for Excel, WPS and LibreOffice.

Cells are typed as the tables are: integers and floats are numbers, booleans
are TRUE/FALSE, text is text (never a formula, whatever it starts with), and
null is an empty cell.  Each sheet has a bold header row, frozen, with an
auto-filter; a last sheet, ``columns``, is the data dictionary (table,
column, type, meaning).

What a workbook cannot hold is said, not hidden: a text longer than Excel's
32,767 characters per cell is cut there and ends with
:data:`CUT_MARK`; control characters a workbook may not contain are shown
as U+FFFD; a table longer than a sheet (1,048,576 rows) goes on in a sheet
``NAME (2)``.  The CSV and Parquet files keep everything as read.

The workbook is written row by row (openpyxl's write-only mode) to a
temporary file and renamed into place at commit, like every table.  The
same tables give the same bytes: the package's entries carry a fixed time
and the document's created/modified stamps are that time too.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from selfeval.output import tables
from selfeval.output.writers import new_tmp_file

FILE_NAME = "selfeval.xlsx"
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
MAX_SHEET_ROWS = 1_048_576  # Excel's rows per sheet, the header row included
CUT_MARK = " …[cut: the cell is longer than a workbook holds; see the CSV]"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry
STAMP = dt.datetime(*ZIP_TIME)  # the document's created/modified: the same in every run
_BOLD = Font(bold=True)
_TYPE_NAMES = {tables.STR: "text", tables.INT: "int", tables.FLT: "float", tables.BOOL: "bool"}


def cell_text(text: str) -> str:
    """Text as a workbook can hold it (see the module's notes)."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(CUT_MARK)] + CUT_MARK
    return text


def _value(sheet, value):
    """A table value as the sheet takes it: "" as an empty cell; text that
    openpyxl would take for a formula (``=…``) as a text cell."""
    if not isinstance(value, str):
        return value
    if not value:
        return None
    text = cell_text(value)
    if text.startswith("="):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


class XlsxSink:
    """Rows of the four tables, as they come, to one workbook."""

    def __init__(self, out_dir: Path) -> None:
        self.final = Path(out_dir) / FILE_NAME
        fd, self.tmp = new_tmp_file(Path(out_dir), FILE_NAME)
        os.close(fd)
        self.book = Workbook(write_only=True)
        self.book.properties.created = self.book.properties.modified = STAMP
        self.sheets: dict[str, list] = {}  # table -> [sheet, rows in it, part number]
        for name in tables.TABLE_NAMES:
            self._new_sheet(name, 1)

    def _new_sheet(self, name: str, part: int) -> None:
        sheet = self.book.create_sheet(name if part == 1 else f"{name} ({part})")
        columns = tables.SCHEMAS[name]
        for i, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(i)].width = 12 if column.type != tables.STR else 24
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
        sheet.append([self._cell(sheet, c.name, bold=True) for c in columns])
        self.sheets[name] = [sheet, 1, part]

    def _cell(self, sheet, value, bold: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=cell_text(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text: '=…' is not a formula here
        if bold:
            cell.font = _BOLD
        return cell

    def add(self, name: str, table: pa.Table) -> None:
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        for row in zip(*columns, strict=True):
            entry = self.sheets[name]
            if entry[1] >= MAX_SHEET_ROWS:
                self._new_sheet(name, entry[2] + 1)
                entry = self.sheets[name]
            sheet = entry[0]
            sheet.append([_value(sheet, v) for v in row])
            entry[1] += 1

    def commit(self) -> Path:
        sheet = self.book.create_sheet("columns")
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABCD", (12, 22, 8, 90), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.append([self._cell(sheet, h, bold=True) for h in ("table", "column", "type", "meaning")])
        for name, columns in tables.SCHEMAS.items():
            for c in columns:
                sheet.append([name, c.name, _TYPE_NAMES[c.type], c.meaning])
        with _FixedTimeZip(self.tmp, "w", ZIP_DEFLATED, allowZip64=True) as archive:
            ExcelWriter(self.book, archive).save()  # as openpyxl's save(), without stamping the time
        os.replace(self.tmp, self.final)
        return self.final

    def abort(self) -> None:
        self.book = None
        self.tmp.unlink(missing_ok=True)


class _FixedTimeZip(ZipFile):
    """A zip whose entries all carry :data:`ZIP_TIME` (ZipFile stamps the current time)."""

    def _info(self, name: str) -> ZipInfo:
        info = ZipInfo(name, date_time=ZIP_TIME)
        info.compress_type = self.compression
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if not isinstance(zinfo_or_arcname, ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        return super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        with open(filename, "rb") as source, self.open(self._info(arcname or os.path.basename(filename)), "w") as target:
            shutil.copyfileobj(source, target)
