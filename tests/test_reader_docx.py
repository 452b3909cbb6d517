"""The Word reader: tables with gridSpan/vMerge merges to grid rows."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from fixturegen import load_seed
from fixturegen.office import write_docx
from lxml import etree

from selfeval.extract.context import ReadContext
from selfeval.extract.docx import read_docx, table_rows
from selfeval.extract.grid import Document
from selfeval.extract.readers import Source
from selfeval.settings import Settings

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def read(data: bytes, name: str = "forms.docx") -> Document:
    return read_docx(Source(Path(name), name, data, ""), ReadContext.of(Settings()))


@pytest.fixture(scope="module")
def forms():
    return load_seed()[:10]  # all 27 are read end to end in test_structured_equivalence


@pytest.fixture(scope="module")
def document(forms, tmp_path_factory):
    return write_docx(forms, tmp_path_factory.mktemp("docx") / "forms.docx").read_bytes()


def test_the_seed_forms_read_back_to_the_seed_rows(document, forms):
    doc = read(document)
    assert [r.cells for r in doc.rows] == [row for f in forms for row in f.grid()]
    assert doc.readable and doc.findings == [] and doc.lines == len(doc.rows)


def test_rows_name_their_table_and_line(document, forms):
    doc = read(document)
    assert [r.line for r in doc.rows] == list(range(1, len(doc.rows) + 1))
    seq_rows = [r for r in doc.rows if r.cells[0].startswith("项目序号")]
    assert all(r.sheet is None for r in seq_rows)  # paragraphs are outside any table
    tables = [r.sheet for r in doc.rows if r.sheet]
    assert tables[0] == "table 1" and tables[-1] == f"table {len(forms)}"


def test_the_fixture_really_uses_horizontal_and_vertical_merges(document):
    xml = zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml")
    assert b"<w:gridSpan" in xml and b'<w:vMerge w:val="restart"/>' in xml and b"<w:vMerge/>" in xml


def tbl(rows_xml: str):
    return etree.fromstring(f'<w:tbl xmlns:w="{W}">{rows_xml}</w:tbl>')


def tc(text: str = "", props: str = "", paragraphs: list[str] | None = None) -> str:
    paras = paragraphs if paragraphs is not None else [text]
    body = "".join(f"<w:p><w:r>{p}</w:r></w:p>" if p.startswith("<") else f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paras)
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def test_merges_lay_out_as_pasted_text():
    table = tbl(
        "<w:tr>" + tc("绩效指标", '<w:vMerge w:val="restart"/>') + tc("一级指标") + tc("偏差原因", '<w:gridSpan w:val="2"/>') + "</w:tr>"
        "<w:tr>" + tc("", "<w:vMerge/>") + tc("产出指标") + tc("甲") + tc("乙") + "</w:tr>"
        '<w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr>' + tc("丙") + "</w:tr>"
    )
    assert table_rows(table) == [
        ["绩效指标", "一级指标", "偏差原因", ""],
        ["", "产出指标", "甲", "乙"],
        ["", "", "丙"],
    ]


def test_paragraphs_and_breaks_in_a_cell_join_as_wrapped_text():
    table = tbl(
        "<w:tr>"
        + tc(paragraphs=["为2020年取得", "“鸿雁计划”的人才"])
        + tc(paragraphs=["<w:t>service</w:t><w:br/><w:t>satisfaction</w:t>"])
        + tc(paragraphs=["<w:t>a</w:t><w:tab/><w:t>b</w:t>"])
        + "</w:tr>"
    )
    assert table_rows(table) == [["为2020年取得“鸿雁计划”的人才", "service satisfaction", "a b"]]


def test_a_tab_in_a_paragraph_separates_cells_and_a_break_separates_rows(tmp_path):
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("项目序号：1")
    paragraph.add_run().add_tab()
    paragraph.add_run("金额单位：万元")
    paragraph.add_run().add_break()
    paragraph.add_run("第二行")
    document.save(tmp_path / "p.docx")
    doc = read((tmp_path / "p.docx").read_bytes())
    assert [(r.cells, r.positional) for r in doc.rows] == [
        (("项目序号：1", "金额单位：万元"), False),
        (("第二行",), True),
    ]


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


BAD = {
    "html-saved-as-docx": (b"<html><body><table><tr><td>x</td></tr></table></body></html>", "HTML page"),
    "mhtml-saved-as-docx": (b"MIME-Version: 1.0\nContent-Type: multipart/related; boundary=b\n", "web archive"),
    "word-97-named-docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), "Word 97-2003 (.doc)"),
    "encrypted-docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "password-protected"),
    "zip-but-not-word": (zipped({"a.txt": b"a"}), "cannot be opened"),
    "empty": (b"", "empty"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_docx_is_an_unreadable_input_finding_naming_the_file(case):
    data, words = BAD[case]
    doc = read(data, f"{case}.docx")
    assert not doc.readable and doc.rows == []
    (finding,) = doc.findings
    assert finding.code == "unreadable_input" and finding.message.startswith(f"{case}.docx: ")
    assert words in finding.message


def test_a_truncated_docx_is_unreadable(document):
    doc = read(document[: len(document) // 2], "truncated.docx")
    assert not doc.readable and doc.findings[0].code == "unreadable_input"
