"""Write seed forms as an .xlsx (openpyxl), an .xls (xlwt, when installed)
and a .docx (python-docx), each with real merged cells.

Workbooks hold numbers as numbers with the number format that shows them as
the seed does (``13.04`` as 13.04 in ``0.00``, ``100.00%`` as 1 in
``0.00%``), the title merged across the table, and the label merges of
:func:`fixturegen.seed.derive_merges`.  The Word file has the preamble as
paragraphs and one table per form, merged with ``gridSpan``/``vMerge``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import docx
import openpyxl
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl.styles import Alignment

from fixturegen.seed import Form

_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.(\d+))?(%?)$")


def typed(text: str) -> tuple[object, str]:
    """A seed cell as a spreadsheet would hold it: (value, number format)."""
    m = _NUMBER.match(text)
    if not m:
        return text, "General"
    decimals = len(m.group(3) or "")
    fmt = ("0." + "0" * decimals) if decimals else ("0" if m.group(4) else "General")
    if m.group(4):
        return float(text[:-1]) / 100, fmt + "%"
    value = float(text) if decimals else int(text)
    return value, fmt


def write_xlsx(
    forms: Sequence[Form],
    path: Path,
    per_sheet: int = 1,
    origin: tuple[int, int] = (1, 1),
    printable: bool = False,
) -> Path:
    """Forms ``per_sheet`` to a worksheet, the first at ``origin`` (row,
    column, 1-based), a blank row between forms on one sheet.  ``printable``
    sizes the columns to their text and the rows to their wrapped lines, and
    sets the sheet to print landscape, one page wide (as a workbook made to
    be printed is): no borders, so its print has no ruling lines."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for start in range(0, len(forms), per_sheet):
        group = forms[start : start + per_sheet]
        name = f"项目{group[0].seq}" if per_sheet == 1 else f"第{start // per_sheet + 1}页"
        sheet = book.create_sheet(name)
        row = origin[0]
        for form in group:
            end = _xlsx_form(sheet, form, row, origin[1])
            if printable:
                _print_layout(sheet, form, row + len(form.preamble), origin[1])
            row = end + 1
    book.save(path)
    return path


def _text_width(text: str) -> int:
    """Width in Excel's character units: a CJK character is two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _print_layout(sheet, form: Form, first: int, left: int) -> None:
    """Column widths from the text of unmerged cells (capped, so long text
    wraps), row heights from the lines each cell wraps into."""
    from openpyxl.utils import get_column_letter

    widths = [6] * form.width
    for r, row in enumerate(form.rows):
        for c, text in enumerate(row):
            m = form.anchor(r, c)
            if text and (m is None or m.cols == 1):
                widths[c] = max(widths[c], min(_text_width(text) + 2, 28))
    for c, w in enumerate(widths):
        sheet.column_dimensions[get_column_letter(left + c)].width = w
    for r, row in enumerate(form.rows):
        lines = 1
        for c, text in enumerate(row):
            m = form.anchor(r, c)
            if not text or form.covered(r, c):
                continue
            span = sum(widths[c : c + (m.cols if m else 1)]) - 1
            lines = max(lines, -(-_text_width(text) // span))
        sheet.row_dimensions[first + r].height = 15 * lines
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _xlsx_form(sheet, form: Form, top: int, left: int) -> int:
    """Write one form from (top, left); returns the row after it."""
    for i, line in enumerate(form.preamble):
        sheet.cell(top + i, left, line)
    sheet.merge_cells(start_row=top, start_column=left, end_row=top, end_column=left + form.width - 1)
    sheet.cell(top, left).alignment = Alignment(horizontal="center")
    first = top + len(form.preamble)
    for r, cells in enumerate(form.rows):
        for c, text in enumerate(cells):
            if text:
                value, fmt = typed(text)
                cell = sheet.cell(first + r, left + c, value)
                cell.number_format = fmt
                cell.alignment = Alignment(wrap_text=True, vertical="center")
    for m in form.merges:
        sheet.merge_cells(
            start_row=first + m.top,
            start_column=left + m.left,
            end_row=first + m.bottom,
            end_column=left + m.right,
        )
    return first + len(form.rows)


def write_xls(forms: Sequence[Form], path: Path) -> Path:
    """One form per sheet, as an Excel 97-2003 workbook; needs xlwt."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, xlwt.XFStyle] = {}
    for form in forms:
        sheet = book.add_sheet(f"项目{form.seq}")
        sheet.write_merge(0, 0, 0, form.width - 1, form.preamble[0])
        for i, line in enumerate(form.preamble[1:], start=1):
            sheet.write(i, 0, line)
        first = len(form.preamble)
        anchors = {(m.top, m.left): m for m in form.merges}
        for r, cells in enumerate(form.rows):
            for c, text in enumerate(cells):
                if not text:
                    continue
                value, fmt = typed(text)
                style = styles.setdefault(fmt, xlwt.easyxf(num_format_str=fmt))
                m = anchors.get((r, c))
                if m:
                    sheet.write_merge(first + m.top, first + m.bottom, m.left, m.right, value, style)
                else:
                    sheet.write(first + r, c, value, style)
        for m in form.merges:
            if not form.rows[m.top][m.left]:
                sheet.merge(first + m.top, first + m.bottom, m.left, m.right)
    book.save(str(path))
    return path


def write_docx(forms: Sequence[Form], path: Path) -> Path:
    """The preamble lines as paragraphs and each form as one merged table."""
    document = docx.Document()
    for form in forms:
        for i, line in enumerate(form.preamble):
            paragraph = document.add_paragraph(line)
            if i == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        table = document.add_table(rows=len(form.rows), cols=form.width)
        table.style = "Table Grid"

        for r, cells in enumerate(form.rows):
            for c, text in enumerate(cells):
                if text:
                    _cell(table, r, c).text = text
        for m in form.merges:
            _cell(table, m.top, m.left).merge(_cell(table, m.bottom, m.right))
        document.add_paragraph("")
    document.save(str(path))
    return path


def _cell(table, row: int, col: int):
    """A table cell by grid position (``Table.cell`` re-reads the whole table
    on every call, which makes writing a form quadratic)."""
    return table.rows[row].cells[col]


_FODP_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
}


def write_fodp(forms: Sequence[Form], path: Path, size_pt: float = 5.0) -> Path:
    """A presentation (flat ODF, ``.fodp``) with one slide per form: the
    preamble lines as text boxes and the table as a presentation table with
    real merged cells (``number-columns-spanned``/``number-rows-spanned``)."""
    from xml.sax.saxutils import escape

    ns = " ".join(f'xmlns:{k}="{v}"' for k, v in _FODP_NS.items())
    pages = []
    for form in forms:
        anchors = {(m.top, m.left): m for m in form.merges}
        rows = []
        for r, cells in enumerate(form.rows):
            out = []
            for c, text in enumerate(cells):
                if form.covered(r, c):
                    out.append("<table:covered-table-cell/>")
                    continue
                m = anchors.get((r, c))
                span = f' table:number-columns-spanned="{m.cols}" table:number-rows-spanned="{m.rows}"' if m else ""
                para = f'<text:p text:style-name="P1">{escape(text)}</text:p>'  # an empty one sets the row's height too
                out.append(f"<table:table-cell{span}>{para}</table:table-cell>")
            rows.append("<table:table-row>" + "".join(out) + "</table:table-row>")
        boxes = "".join(
            f'<draw:frame svg:x="1cm" svg:y="{0.3 + 0.4 * i:.2f}cm" svg:width="26cm" svg:height="0.4cm">'
            f'<draw:text-box><text:p text:style-name="P1">{escape(line)}</text:p></draw:text-box></draw:frame>'
            for i, line in enumerate(form.preamble)
        )
        top = 0.3 + 0.4 * len(form.preamble) + 0.2
        table = (
            f'<draw:frame svg:x="1cm" svg:y="{top:.2f}cm" svg:width="26cm" svg:height="10cm">'
            f'<table:table><table:table-column table:number-columns-repeated="{form.width}"/>'
            + "".join(rows) + "</table:table></draw:frame>"
        )
        pages.append(f'<draw:page draw:name="项目{form.seq}">{boxes}{table}</draw:page>')
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document {ns} office:version="1.2" '
        'office:mimetype="application/vnd.oasis.opendocument.presentation">'
        '<office:automatic-styles><style:style style:name="P1" style:family="paragraph">'
        f'<style:text-properties fo:font-size="{size_pt}pt" style:font-size-asian="{size_pt}pt"/>'
        "</style:style></office:automatic-styles>"
        "<office:body><office:presentation>" + "".join(pages) + "</office:presentation></office:body></office:document>"
    )
    path.write_text(xml, encoding="utf-8")
    return path
