"""Excel workbook reader (.xlsx, .xlsm) with openpyxl.

Every worksheet is read top to bottom; each non-blank worksheet row is one
row of the grid, its cells from the sheet's leftmost used column, so a form
laid out from column B reads the same as one from column A.  Several forms
on a sheet, or one per sheet, both read in order; the normalizer splits them
on 项目序号.  A merged range keeps its value in its top-left cell and the
covered cells are blank (openpyxl blanks them on load), which is the pasted
text's layout.  Numbers are shown as the sheet shows them (``13.04``,
``100.00%``), since that is what pasted text carries.  Provenance: the
sheet's name and the worksheet row number.

Cached formula results are read, as a copy from Excel gives them; a formula
cell that was never calculated (a program wrote the file and no spreadsheet
saved it) keeps its formula text (``=E7/D7``), which the normalizer reports
instead of the value being silently blank.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile

import openpyxl

from selfeval.extract.cells import cell_text
from selfeval.extract.grid import Document
from selfeval.extract.limits import extent_problem
from selfeval.extract.office import (
    container_problem,
    damaged,
    emit_sheet,
    package_problem,
    sheet_over_limit,
    show_date,
    show_number,
)
from selfeval.extract.readers import Source
from selfeval.findings import Finding
from selfeval.settings import Settings

_FORMULA = re.compile(rb"<(?:\w+:)?f[ >]")


def read_xlsx(source: Source, settings: Settings) -> Document:
    doc = Document(source.doc_id, str(source.path), kind="xlsx")
    problem = container_problem(source.path, source.data, "xlsx")
    book = None
    if problem is None:
        over = package_problem(source.data, settings.max_inflated_bytes, settings.max_sheet_cells)
        if over:
            doc.findings.append(Finding("limit_exceeded", f"{source.path}: {over}; nothing of it was read; "
                                        "raise --max-inflated-mb or --max-sheet-cells to read it",
                                        doc_id=source.doc_id))
            doc.readable = False
            return doc
        try:
            book = _load(source.data, data_only=True)
        except Exception as exc:  # a damaged package fails in many ways (zip, XML, missing parts); reported
            problem = damaged(source.path, "workbook", exc, "Excel")
    if problem is not None or book is None:
        return doc.refuse(problem)
    formulas = _uncalculated_formulas(source.data, book, settings.max_sheet_cells)
    for sheet in book.worksheets:
        bounds = (sheet.min_row, sheet.min_column, sheet.max_row, sheet.max_column)
        too_big = extent_problem(bounds[2] - bounds[0] + 1, bounds[3] - bounds[1] + 1, settings.max_sheet_cells)
        if too_big:  # iter_rows would make a cell object for every position of the extent
            sheet_over_limit(doc, sheet.title, too_big)
            continue
        values = {
            (cell.row, cell.column): text
            for row in sheet.iter_rows(min_row=bounds[0], min_col=bounds[1], max_row=bounds[2], max_col=bounds[3])
            for cell in row
            if (text := show_cell(cell.value, cell.number_format))
        }
        values.update(formulas.get(sheet.title, {}))
        emit_sheet(doc, values, sheet.title, settings.max_sheet_cells)
    book.close()
    return doc


def _load(data: bytes, data_only: bool) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unsupported extensions (data validation, slicers)
        return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


def _uncalculated_formulas(data: bytes, book: openpyxl.Workbook, limit: int) -> dict[str, dict[tuple[int, int], str]]:
    """When no formula of the workbook has a calculated value (a program
    wrote the file and no spreadsheet ever saved it), the formula texts per
    sheet, so that those cells are not silently blank; the normalizer
    reports them.  A workbook with calculated values keeps them all (a
    formula may rightly calculate to blank)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(_FORMULA.search(package.read(n)) for n in sheets):
            return {}
    found: dict[str, dict[tuple[int, int], str]] = {}
    for sheet in _load(data, data_only=False).worksheets:
        if extent_problem(sheet.max_row, sheet.max_column, limit):
            continue  # the sheet is reported over its limit when it is read
        cached = book[sheet.title]
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    if cached.cell(cell.row, cell.column).value is not None:
                        return {}
                    found.setdefault(sheet.title, {})[(cell.row, cell.column)] = str(cell.value)
    return found


def show_cell(value: object, number_format: str | None) -> str:
    """A cell's value as the sheet displays it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, (bool, int, float)):
        return show_number(value, number_format)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return show_date(value)
    return cell_text(str(value))
