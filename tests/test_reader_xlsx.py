"""The workbook readers (.xlsx with openpyxl, .xls with xlrd): the seed's
forms written with real merged ranges read back to exactly the seed's rows."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fixturegen import load_seed
from fixturegen.office import typed, write_xls, write_xlsx
from fixturegen.seed import ROOT

from selfeval.extract.grid import Document
from selfeval.extract.office import show_number
from selfeval.extract.readers import InputFile, Source, read_document
from selfeval.extract.xls import read_xls
from selfeval.extract.xlsx import read_xlsx
from selfeval.settings import Settings

STRUCTURED = ROOT / "fixtures" / "structured"
XLS = STRUCTURED / "seed-forms-1-4.xls"
ENCRYPTED = STRUCTURED / "password-protected.xlsx"


def read(reader, data: bytes, name: str) -> Document:
    return reader(Source(Path(name), name, data, ""), Settings())


@pytest.fixture(scope="module")
def forms():
    return load_seed()


@pytest.fixture(scope="module")
def one_per_sheet(forms, tmp_path_factory):
    return write_xlsx(forms, tmp_path_factory.mktemp("xlsx") / "one-per-sheet.xlsx").read_bytes()


@pytest.fixture(scope="module")
def several_per_sheet(forms, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "several.xlsx"
    return write_xlsx(forms[:7], path, per_sheet=3, origin=(3, 2)).read_bytes()


def test_one_form_per_sheet_reads_back_to_the_seed_rows(one_per_sheet, forms):
    doc = read(read_xlsx, one_per_sheet, "one-per-sheet.xlsx")
    assert [r.cells for r in doc.rows] == [row for f in forms for row in f.grid()]
    assert doc.readable and doc.findings == [] and doc.lines == len(doc.rows)
    first = [r for r in doc.rows if r.sheet == "项目1"]
    assert [r.line for r in first] == list(range(1, len(first) + 1))  # worksheet rows
    assert all(r.page is None for r in doc.rows)


def test_the_fixture_really_has_merged_ranges_and_typed_numbers(one_per_sheet):
    sheet = openpyxl.load_workbook(io.BytesIO(one_per_sheet))["项目1"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A6:A12", "A15:A26", "B16:B20"} <= merged  # 项目资金, 绩效指标, 产出指标
    assert sheet["E7"].value == 13.04 and sheet["E7"].number_format == "0.00"
    assert sheet["G7"].value == 1 and sheet["G7"].number_format == "0.00%"


def test_several_forms_per_sheet_away_from_the_corner(several_per_sheet, forms):
    doc = read(read_xlsx, several_per_sheet, "several.xlsx")
    assert [r.cells for r in doc.rows] == [row for f in forms[:7] for row in f.grid()]
    assert sorted({r.sheet for r in doc.rows}) == ["第1页", "第2页", "第3页"]
    assert doc.rows[0].line == 3  # the worksheet row, not a count


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (13.04, "0.00", "13.04"),
        (10, "0.00", "10.00"),
        (10, "General", "10"),
        (4.4, "General", "4.4"),
        (0.1 + 0.2, "General", "0.3"),
        (1, "0.00%", "100.00%"),
        (0.8714, "0.00%", "87.14%"),
        (0.9, "0%", "90%"),
        (1234.5, "#,##0.00", "1,234.50"),
        (5, "0.00_ ", "5.00"),
        (5, '0.00"万元"', "5.00"),
        (-2, "0.00;[Red]-0.00", "-2.00"),
        (-0.001, "0.00", "0.00"),
        (3300, "@", "3300"),
    ],
)
def test_numbers_show_as_the_sheet_shows_them(value, fmt, shown):
    assert show_number(value, fmt) == shown


@pytest.mark.parametrize("text", ["13.04", "100.00%", "90%", "10", "0.00", "≥3家", "—", "4.4"])
def test_typed_seed_cells_show_as_written(text):
    value, fmt = typed(text)
    assert (show_number(value, fmt) if not isinstance(value, str) else value) == text


def test_dates_text_and_line_breaks_in_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表1"
    sheet["B2"] = dt.datetime(2020, 12, 31)
    sheet["C2"] = "为2020年取得\n“鸿雁计划”的人才"
    sheet["D2"] = "service\nsatisfaction"
    sheet["B4"] = True
    book.save(tmp_path / "cells.xlsx")
    doc = read(read_xlsx, (tmp_path / "cells.xlsx").read_bytes(), "cells.xlsx")
    assert [(r.line, r.cells) for r in doc.rows] == [
        (2, ("2020-12-31", "为2020年取得“鸿雁计划”的人才", "service satisfaction")),
        (4, ("TRUE",)),
    ]


def test_formulas_never_calculated_keep_their_text_not_a_silent_blank(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["全年预算数", "全年执行数", "执行率"])
    sheet.append([5, 3.49, "=B2/A2"])  # written by a program: no calculated value stored
    book.save(tmp_path / "formulas.xlsx")
    doc = read(read_xlsx, (tmp_path / "formulas.xlsx").read_bytes(), "formulas.xlsx")
    assert doc.rows[1].cells == ("5", "3.49", "=B2/A2")


def test_calculated_formulas_read_as_their_values(tmp_path):
    book = openpyxl.Workbook()
    book.active.append([5, 3.49, "=B1/A1"])
    book.save(tmp_path / "calculated.xlsx")
    # store a calculated value the way a spreadsheet saves it: <f> and <v> together
    with zipfile.ZipFile(tmp_path / "calculated.xlsx") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert "<f>B1/A1</f><v></v>" in sheet_xml
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.replace("<f>B1/A1</f><v></v>", "<f>B1/A1</f><v>0.698</v>").encode()
    with zipfile.ZipFile(tmp_path / "calculated.xlsx", "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    doc = read(read_xlsx, (tmp_path / "calculated.xlsx").read_bytes(), "calculated.xlsx")
    assert doc.rows[0].cells == ("5", "3.49", "0.698")


def test_a_committed_xls_reads_back_to_the_seed_rows(forms):
    doc = read(read_xls, XLS.read_bytes(), XLS.name)
    assert [r.cells for r in doc.rows] == [row for f in forms[:4] for row in f.grid()]
    assert [r.sheet for r in doc.rows if r.line == 1] == ["项目1", "项目2", "项目3", "项目4"]
    assert doc.readable and doc.findings == []


def test_the_xls_writer_still_makes_the_committed_file(forms, tmp_path):
    pytest.importorskip("xlwt", reason="xlwt writes .xls fixtures; the committed one is tested above")
    written = write_xls(forms[:4], tmp_path / "again.xls").read_bytes()
    assert [r.cells for r in read(read_xls, written, "again.xls").rows] == [
        r.cells for r in read(read_xls, XLS.read_bytes(), "x.xls").rows
    ]


# --- bad workbooks ------------------------------------------------------------


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


HTML_TABLE = "<html><head><meta charset='utf-8'></head><body><table><tr><td>项目序号：1</td></tr></table></body></html>"

BAD_XLSX = {
    "html-saved-as-xlsx": (HTML_TABLE.encode(), "an HTML page saved under a .xlsx name"),
    "mhtml-saved-as-xlsx": (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n", "web archive"),
    "not-a-workbook": (zipped({"hello.txt": b"hi"}), "the workbook cannot be opened"),
    "plain-text": (b"just some text", "no Office Open XML package"),
    "empty": (b"", "the file is empty"),
}


@pytest.mark.parametrize("case", BAD_XLSX)
def test_a_bad_xlsx_is_an_unreadable_input_finding_naming_the_file(case):
    data, words = BAD_XLSX[case]
    doc = read(read_xlsx, data, f"{case}.xlsx")
    assert not doc.readable and doc.rows == []
    (finding,) = doc.findings
    assert finding.code == "unreadable_input" and finding.message.startswith(f"{case}.xlsx: ")
    assert words in finding.message


def test_a_truncated_xlsx_is_unreadable(one_per_sheet):
    doc = read(read_xlsx, one_per_sheet[: len(one_per_sheet) // 2], "truncated.xlsx")
    assert not doc.readable and doc.findings[0].code == "unreadable_input"


def test_a_password_protected_workbook_is_named_as_such():
    # an encrypted .xlsx is an OLE2 container, so it is routed to the .xls reader by content
    doc = read_document(InputFile(ENCRYPTED, ENCRYPTED.name), Settings())
    assert not doc.readable and doc.rows == []
    (finding,) = doc.findings
    assert finding.code == "unreadable_input"
    assert str(ENCRYPTED) in finding.message and "password-protected" in finding.message
    direct = read(read_xlsx, ENCRYPTED.read_bytes(), "direct.xlsx")
    assert "password-protected" in direct.findings[0].message


BAD_XLS = {
    "html-saved-as-xls": (HTML_TABLE.encode(), "an HTML page saved under a .xls name"),
    "word-97-named-xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "WordDocument".encode("utf-16-le"),
        "Word 97-2003",
    ),
    "garbage": (b"\x01\x02\x03 not a workbook at all", "not a readable .xls workbook"),
    "xlsx-named-xls": (None, ".xlsx workbook with an .xls name"),
}


@pytest.mark.parametrize("case", BAD_XLS)
def test_a_bad_xls_is_an_unreadable_input_finding_naming_the_file(case, one_per_sheet):
    data, words = BAD_XLS[case]
    doc = read(read_xls, data if data is not None else one_per_sheet, f"{case}.xls")
    assert not doc.readable and doc.rows == []
    (finding,) = doc.findings
    assert finding.code == "unreadable_input" and finding.message.startswith(f"{case}.xls: ")
    assert words in finding.message


def test_a_truncated_xls_is_unreadable():
    data = XLS.read_bytes()
    doc = read(read_xls, data[: len(data) // 3], "truncated.xls")
    assert not doc.readable and doc.findings[0].code == "unreadable_input"
