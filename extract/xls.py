"""Excel 97-2003 workbook reader (.xls) with xlrd.

Read like .xlsx (see :mod:`selfeval.extract.xlsx`): each non-blank sheet row
is a grid row from the sheet's leftmost used column; merged ranges keep the
top-left value and blank the covered cells; numbers are shown through their
number format.  Provenance: sheet name and 1-based row.

Files that reach this reader by their OLE2 signature but are no workbook
are named for what they are: a password-protected .xlsx (an encrypted
package), a Word 97-2003 file, a web page saved as .xls.
"""

from __future__ import annotations

import xlrd

from selfeval.extract.cells import cell_text
from selfeval.extract.grid import Document
from selfeval.extract.office import (
    container_problem,
    damaged,
    emit_sheet,
    show_date,
    show_number,
)
from selfeval.extract.readers import Source
from selfeval.findings import describe
from selfeval.settings import Settings


def read_xls(source: Source, settings: Settings) -> Document:
    doc = Document(source.doc_id, str(source.path), kind="xls")
    problem = container_problem(source.path, source.data, "xls")
    book = None
    if problem is None:
        try:
            book = xlrd.open_workbook(
                file_contents=source.data, formatting_info=True, on_demand=True, logfile=_Quiet()
            )
        except xlrd.XLRDError as exc:
            problem = _xlrd_problem(source, exc)
        except Exception as exc:  # a damaged container fails in many ways (CompDocError, struct.error); reported
            problem = damaged(source.path, "workbook", exc, "Excel")
    if problem is not None or book is None:
        return doc.refuse(problem)
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        covered = {
            (r, c)
            for rlo, rhi, clo, chi in sheet.merged_cells
            for r in range(rlo, rhi)
            for c in range(clo, chi)
            if (r, c) != (rlo, clo)
        }
        values = {}
        for r in range(sheet.nrows):
            for c, cell in enumerate(sheet.row(r)):
                if (r, c) not in covered and (text := _show(book, cell)):
                    values[(r + 1, c + 1)] = text
        emit_sheet(doc, values, sheet.name)
        book.unload_sheet(index)
    book.release_resources()
    return doc


def _show(book: xlrd.Book, cell: xlrd.sheet.Cell) -> str:
    kind = cell.ctype
    if kind == xlrd.XL_CELL_TEXT:
        return cell_text(cell.value)
    if kind == xlrd.XL_CELL_NUMBER:
        xf = book.xf_list[cell.xf_index]
        fmt = book.format_map.get(xf.format_key)
        return show_number(cell.value, fmt.format_str if fmt else None)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return show_date(xlrd.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return show_number(cell.value, None)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    return ""


def _xlrd_problem(source: Source, exc: xlrd.XLRDError) -> str:
    text = describe(exc)
    if "encrypted" in text.lower():
        return f"{source.path}: the workbook is password-protected (encrypted); remove the password and save an unprotected copy"
    if "xlsx" in text.lower():
        return f"{source.path}: this is an .xlsx workbook with an .xls name; rename it to .xlsx"
    return f"{source.path}: not a readable .xls workbook ({text}); open it in Excel or WPS and save it as .xlsx"


class _Quiet:
    """xlrd writes warnings to a log file; they are not findings."""

    def write(self, text: str) -> int:
        return len(text)
