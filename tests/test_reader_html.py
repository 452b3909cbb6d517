"""Web pages (.html, .htm, .mht): the grid with rowspan/colspan expanded,
charsets, Word's web export, pages laid out with tables, and the seed's
forms as web pages giving the text path's tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fixturegen import load_seed, seed_text
from fixturegen.web import write_html, write_mht, write_word_html
from test_structured_equivalence import comparable

from selfeval import pipeline
from selfeval.extract.html import collapse, read_html
from selfeval.extract.readers import InputFile, Source, read_document, sniff_suffix
from selfeval.extract.webpage import decode_html
from selfeval.settings import Settings

NATIONAL = Path("fixtures/templates/national-2022-one-form.txt")


def rows_of(html: str | bytes, name: str = "page.html", settings: Settings | None = None):
    data = html.encode("utf-8") if isinstance(html, str) else html
    doc = read_html(Source(Path(name), name, data, ""), settings or Settings())
    return doc, [(r.sheet, r.cells) for r in doc.rows]


def test_rowspan_and_colspan_keep_the_text_in_the_first_position_and_blank_the_rest():
    _, rows = rows_of(
        "<table><tr><th colspan=2>项目名称</th><td colspan='3'>“三支一扶”生活补助</td></tr>"
        "<tr><td rowspan=3>绩效指标</td><td rowspan=2>产出指标</td><td>数量指标</td><td>人数</td><td>≥20人</td></tr>"
        "<tr><td>质量指标</td><td>合格率</td><td>100%</td></tr>"
        "<tr><td>效益指标</td><td colspan=2>满意度</td><td>95%</td></tr></table>"
    )
    assert rows == [
        ("table 1", ("项目名称", "", "“三支一扶”生活补助")),
        ("table 1", ("绩效指标", "产出指标", "数量指标", "人数", "≥20人")),
        ("table 1", ("", "", "质量指标", "合格率", "100%")),
        ("table 1", ("", "效益指标", "满意度", "", "95%")),
    ]


def test_text_around_tables_is_rows_of_its_own_and_layout_tables_are_opened():
    page = """<html><head><title>不是正文</title><style>p{color:red}</style></head><body>
    <table width=100%><tr><td><a href=/>首页</a> &gt; 政务公开</td></tr>
    <tr><td><h3>项目支出绩效自评表</h3>（2022年度）<br>
    <table border=1><thead><tr><th>项目名称</th><th>补助</th></tr></thead>
    <tbody><tr><td>可持续影<br>响指标</td><td>  长期
    有效 </td></tr><tr style="display:none"><td>隐藏</td></tr></tbody></table></td></tr></table>
    <script>document.write('<table><tr><td>脚本</td></tr></table>')</script><p>主办单位：某某</p></body></html>"""
    doc, rows = rows_of(page)
    assert rows == [
        (None, ("首页 > 政务公开",)),
        (None, ("项目支出绩效自评表",)),
        (None, ("（2022年度）",)),
        ("table 1", ("项目名称", "补助")),
        ("table 1", ("可持续影响指标", "长期有效")),
        (None, ("主办单位：某某",)),
    ]
    assert doc.lines == 6 and not doc.findings


def test_whitespace_is_collapsed_as_a_browser_shows_it():
    assert collapse("  APP\n  download ") == "APP download"
    assert collapse("人才奖励资金及单\n位引才补助") == "人才奖励资金及单位引才补助"  # an editor's wrapped source line
    assert collapse("1. \n全区") == "1. 全区" and collapse("人,\n\t\t解决") == "人, 解决"  # not both wide: a space
    assert collapse("资金 \n 单位") == "资金单位"
    assert collapse("a\xa0\xa0b") == "a b"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ('<meta charset="gb2312"><p>张喆</p>'.encode("gb18030"), "gb18030"),  # 喆 is GBK, not GB2312
        ('<meta http-equiv="Content-Type" content="text/html; charset=GBK"><p>张喆</p>'.encode("gbk"), "gb18030"),
        ('<meta charset="gb2312"><p>张喆</p>'.encode(), "utf-8"),  # mislabelled: the sniff decides
        ("<p>张喆</p>".encode("gb18030"), "gb18030"),  # no declaration
        (b"\xef\xbb\xbf" + '<meta charset="gbk"><p>张喆</p>'.encode(), "utf-8-sig"),  # the BOM wins
        ("<p>张喆</p>".encode("utf-16"), "utf-16"),
    ],
)
def test_the_charset_comes_from_the_bom_the_declaration_or_a_sniff(data, encoding):
    page = decode_html(data)
    assert page.encoding == encoding and "张喆" in page.html and not page.replaced
    assert rows_of(data)[1] == [(None, ("张喆",))]


def test_undecodable_bytes_are_replaced_and_reported():
    doc, _ = rows_of(b'<meta charset="utf-8"><p>abc</p>' + b"\xff\xfe\xfa" + "<p>项目</p>".encode("gb18030"))
    assert [f.code for f in doc.findings] == ["encoding_repaired"]


def test_a_span_over_the_bound_is_cut_and_reported_and_the_table_kept():
    doc, rows = rows_of(
        "<table><tr><td colspan=100000>标题</td></tr><tr><td rowspan=9999>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
        settings=Settings(max_html_span=50),
    )
    assert rows == [("table 1", ("标题",)), ("table 1", ("a", "b")), ("table 1", ("", "c"))]
    codes = [(f.code, f.sheet, f.line) for f in doc.findings]
    assert codes == [("limit_exceeded", "table 1", 1)]  # the rowspan runs to the end of the table: no cut
    assert "100000" in doc.findings[0].message and "max_html_span" in doc.findings[0].message


def test_a_file_with_no_markup_is_refused_with_its_name():
    doc, _ = rows_of(b"   \n", "empty.html")
    assert not doc.readable and "empty.html" in doc.findings[0].message


@pytest.mark.parametrize(
    ("name", "data", "suffix"),
    [
        ("report.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", ".html"),
        ("report.xlsx", b"\xef\xbb\xbf<!DOCTYPE html><html>", ".html"),
        ("saved.doc", b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n", ".mht"),
        ("page.htm", b"<p>x</p>", ".htm"),
        ("notes.txt", b"<html><body>pasted</body></html>", ".txt"),  # pasted text stays text
    ],
)
def test_web_pages_under_office_names_go_to_the_web_page_reader(name, data, suffix):
    assert sniff_suffix(Path(name), data) == suffix


def tables_of(path: Path) -> dict[str, pd.DataFrame]:
    return {name: table.to_pandas() for name, table in pipeline.run([path]).tables.items()}


def test_a_national_form_in_a_page_laid_out_with_tables_reads_as_its_text(tmp_path):
    """The 2022 national template (a form the seed's shapes do not include)
    in a page whose layout is a table, with its header in <th> cells and the
    label columns merged by rowspan."""
    text = NATIONAL.read_text(encoding="utf-8").splitlines()
    title, year, table = text[0], text[1], [line.split("\t") for line in text[2:] if line.strip()]
    width = max(len(r) for r in table)
    cells = [(r + [""] * width)[:width] for r in table]
    body = []
    for r, row in enumerate(cells):
        tds = []
        for c, value in enumerate(row):
            if c == 0 and not value and r and any(cells[r][1:]):
                continue  # covered by the rowspan above
            span = ""
            if c == 0 and value:
                n = 1
                while r + n < len(cells) and not cells[r + n][0]:
                    n += 1
                span = f" rowspan={n}" if n > 1 else ""
            tag = "th" if value.startswith("年度绩效指标") or r == 0 and c == 0 else "td"
            tds.append(f"<{tag}{span}>{value}</{tag}>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    page = (
        "<html><head><meta charset=gbk></head><body><table class=layout><tr><td>网站导航 | 信息公开</td></tr>"
        f"<tr><td><div align=center><b>{title}</b></div><div>{year}</div><table border=1>{''.join(body)}</table>"
        "</td></tr><tr><td>版权所有 联系我们</td></tr></table></body></html>"
    )
    path = tmp_path / "national.html"
    path.write_bytes(page.encode("gbk"))
    got, expected = tables_of(path), tables_of(NATIONAL)
    for name in ("forms", "funding", "indicators"):
        pd.testing.assert_frame_equal(comparable(got[name]), comparable(expected[name]), obj=name)
    indicators = got["indicators"].set_index("level3")
    assert indicators.loc["补助人员满意度", ["target_raw", "actual_raw", "score"]].tolist() == ["≥95%", "90%", 9]
    assert (indicators["sheet"] == "table 1").all()
    parts = got["findings"][got["findings"]["code"] == "no_form_in_part"]
    assert [t for t in parts["text"]] == ["网站导航 | 信息公开", "版权所有 联系我们"]
    assert "unparsed_line" not in set(got["findings"]["code"])


@pytest.fixture(scope="module")
def seed_pages(tmp_path_factory):
    forms = load_seed()
    folder = tmp_path_factory.mktemp("web")
    (folder / "seed.txt").write_text(seed_text(forms), encoding="utf-8")
    return forms, folder, tables_of(folder / "seed.txt")


WRITERS = {
    "utf8.html": lambda forms, path: write_html(forms, path, "utf-8"),
    "gb2312.html": lambda forms, path: write_html(forms, path, "gb2312"),
    "word-export.htm": write_word_html,
    "archive.mht": write_mht,
}


@pytest.mark.parametrize("name", WRITERS)
def test_the_seed_as_a_web_page_gives_the_text_tables(name, seed_pages):
    forms, folder, expected = seed_pages
    got = tables_of(WRITERS[name](forms, folder / name))
    assert len(got["forms"]) == 27
    for table in ("forms", "funding", "indicators"):
        pd.testing.assert_frame_equal(comparable(got[table]), comparable(expected[table]), obj=f"{name}: {table}")
    findings = got["findings"]
    parts = findings[findings["code"] == "no_form_in_part"]
    pd.testing.assert_frame_equal(comparable(findings[findings["code"] != "no_form_in_part"]),
                                  comparable(expected["findings"]), obj=f"{name}: findings", check_dtype=False)
    if name == "word-export.htm":
        assert parts.empty  # Word's page has nothing around the forms
    else:  # the site navigation before the first form and the footer after the last
        assert parts["text"].tolist() == ["首页 > 政务公开 > 财政预决算", "主办：重庆市荣昌区人民政府办公室\n渝ICP备05003300号"]


def test_a_real_office_web_export_reads_as_the_text(seed_pages, tmp_path):
    """LibreOffice's HTML export of the .docx fixture: real export markup."""
    from fixturegen.office import write_docx

    from selfeval.extract.soffice import convert, soffice_path

    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: make install-office")
    forms, folder, _ = seed_pages
    subset = [f for f in forms if f.seq in (1, 2, 9, 17, 27)]
    docx = write_docx(subset, tmp_path / "forms.docx")
    html = convert(docx.read_bytes(), ".docx", "html", Settings()).data
    (tmp_path / "forms.html").write_bytes(html)
    (tmp_path / "forms.txt").write_text(seed_text(subset), encoding="utf-8")
    got, expected = tables_of(tmp_path / "forms.html"), tables_of(tmp_path / "forms.txt")
    for table in ("forms", "funding", "indicators", "findings"):
        pd.testing.assert_frame_equal(comparable(got[table]), comparable(expected[table]), obj=table)


def test_an_html_file_is_read_by_read_document(tmp_path):
    path = tmp_path / "x.xls"
    path.write_bytes("<html><body><p>项目支出绩效自评表</p></body></html>".encode())
    doc = read_document(InputFile(path, "x.xls"), Settings())
    assert doc.kind == "html" and doc.rows[0].cells == ("项目支出绩效自评表",)
