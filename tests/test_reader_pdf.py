"""The PDF reader: page geometry to grid rows, and the seed's forms rendered
to PDF in every layout read back to exactly the seed's rows."""

from __future__ import annotations

import atexit
import io
import shutil
import sys
import tempfile
from pathlib import Path

import pdfplumber
import pytest
from fixturegen import load_seed, select
from fixturegen.pdf import A3_PORTRAIT, TTF_FONT, Paging, Style, render_pdf
from fixturegen.rawpdf import RawPage, build_pdf, corrupt, no_pages_pdf, truncated
from pdfminer.pdfparser import PDFSyntaxError
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from selfeval.extract import pdf as pdf_reader
from selfeval.extract import pdf_layout as lay
from selfeval.extract import pdf_unruled as unruled
from selfeval.extract.context import ReadContext
from selfeval.extract.grid import Document, SourceRow
from selfeval.extract.readers import Source
from selfeval.settings import Settings

SUBSET = [1, 2, 9, 10, 14]  # plain, shifted rows, ASCII punctuation, labels off column, long wrapped goals
BREAKS = {1: 14, 2: 5, 9: 20, 10: 12, 14: 17}  # a page break inside each form, at this table row

VARIANTS = {
    "cid-font-one-form-per-page": (Style(), Paging()),
    "embedded-ttf": (Style(font=TTF_FONT), Paging()),
    "several-forms-per-page": (Style(page=A3_PORTRAIT), Paging(new_page_per_form=False)),
    "form-split-across-pages": (Style(), Paging(break_before=BREAKS)),
    "split-with-repeated-header-rows": (Style(), Paging(break_before=BREAKS, repeat_rows=2)),
    "split-with-repeated-block-heading": (Style(), Paging(break_before=BREAKS, repeat_block_header=True)),
    "no-ruling-lines": (Style(ruled=False, valign="top", pad=4), Paging()),
    "no-ruling-lines-split": (Style(ruled=False, valign="top", pad=4), Paging(break_before=BREAKS)),
}


FILES = Path(tempfile.mkdtemp(prefix="selfeval-test-pdf-"))  # the reader reads the file from disk
atexit.register(shutil.rmtree, FILES, True)


def read(data: bytes, name: str = "forms.pdf", settings: Settings | None = None) -> Document:
    path = FILES / name
    path.write_bytes(data)
    return pdf_reader.read_pdf(Source(path, name, data, ""), ReadContext.of(settings or Settings()))


@pytest.fixture(scope="module")
def forms():
    return select(load_seed(), SUBSET)


@pytest.fixture(scope="module")
def rendered(forms, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    return {
        name: render_pdf(forms, folder / f"{name}.pdf", style, paging).read_bytes()
        for name, (style, paging) in VARIANTS.items()
    }


@pytest.fixture(scope="module")
def docs(rendered):
    return {name: read(data, f"{name}.pdf") for name, data in rendered.items()}


# --- page geometry ----------------------------------------------------------


def char(text, x0, top, size=10.0, width=None):
    return {"text": text, "x0": x0, "x1": x0 + (width or size), "top": top, "bottom": top + size}


def chars_of(text, x0, top, size=10.0, width=None):
    width = width or size
    return [char(ch, x0 + i * width, top, size, width) for i, ch in enumerate(text)]


def test_wrapped_cell_lines_join_without_a_space_between_cjk():
    cell = chars_of("补助引进", 0, 0) + chars_of("人才企业数", 0, 12)
    assert lay.chars_to_text(cell) == "补助引进人才企业数"


def test_wrapped_latin_words_join_with_one_space():
    cell = chars_of("APP", 0, 0, width=6) + chars_of("download", 0, 12, width=6)
    assert lay.chars_to_text(cell) == "APP download"


@pytest.mark.parametrize(("lines", "text"), [
    (["100.0", "0%"], "100.00%"),  # a rate wrapped in a narrow cell
    (["1,234,", "567.89"], "1,234,567.89"),
    (["≥9", "5%"], "≥95%"),  # a target
    (["-1", "2.5"], "-12.5"),
    (["2020", "2021"], "2020 2021"),  # two bare integers may be two numbers
    (["13.04", "6.52"], "13.04 6.52"),  # two numbers, not one
    (["项目资", "金"], "项目资金"),
    (["APP", "download"], "APP download"),
])
def test_the_parts_of_a_number_wrapped_in_a_cell_join_without_a_space(lines, text):
    cell = [c for i, line in enumerate(lines) for c in chars_of(line, 0, i * 12, width=6)]
    assert lay.chars_to_text(cell) == text


def test_a_gap_between_latin_chars_is_a_space_but_not_between_cjk():
    assert lay.line_text([char("a", 0, 0, width=5), char("b", 9, 0, width=5)]) == "a b"
    assert lay.line_text([char("年", 0, 0), char("度", 14, 0)]) == "年度"


def test_vertical_text_one_char_per_line_reads_as_a_word():
    cell = [char(ch, 0, i * 11) for i, ch in enumerate("绩效指标")]
    assert lay.chars_to_text(cell) == "绩效指标"


def test_a_glyph_drawn_twice_for_bold_is_read_once():
    title = chars_of("自评表", 0, 0)
    shadow = chars_of("自评表", 0.4, 0.3)
    assert lay.line_text(lay.chars_to_lines(lay.dedupe_chars(title + shadow))[0]) == "自评表"
    assert lay.line_text(lay.dedupe_chars(chars_of("100", 0, 0, width=5))) == "100"  # neighbours are not copies


def test_merged_cells_keep_their_text_top_left_and_cover_blank_positions():
    # a 3 x 3 table: column 0 merged over all rows, row 0 columns 1-2 merged
    cells = [(0, 0, 10, 30), (10, 0, 30, 10), (10, 10, 20, 20), (20, 10, 30, 20), (10, 20, 20, 30), (20, 20, 30, 30)]
    grid = lay.cells_to_grid(cells)
    loose = lay.assign_chars(
        [char("甲", 2, 12, size=5), char("乙", 12, 2, size=5), char("丙", 22, 22, size=5), char("外", 50, 50)],
        [grid],
    )
    assert [c["text"] for c in loose] == ["外"]
    assert [cells for _, cells in lay.grid_to_rows(grid)] == [["甲", "乙", ""], ["", "", ""], ["", "", "丙"]]


def test_a_continuation_table_takes_the_columns_of_the_part_before_it():
    before = lay.cells_to_grid([(0, 0, 10, 10), (10, 0, 20, 10), (20, 0, 30, 10)])
    after = lay.cells_to_grid([(10, 0, 30, 10)])  # only the right two columns, merged
    assert after.remap_columns(before.columns) and after.places == [(0, 1)]
    elsewhere = lay.cells_to_grid([(100, 0, 140, 10)])
    assert not elsewhere.remap_columns(before.columns)


@pytest.mark.parametrize("text", ["(cid:1234)", "\ufffd", "\ue013", "\U000f0001"])
def test_unusable_glyph_texts_are_garbled(text):
    assert lay.is_garbled(text)


@pytest.mark.parametrize("text", ["项", "a", " ", "≥", "—"])
def test_real_text_is_not_garbled(text):
    assert not lay.is_garbled(text)


def test_a_page_is_unusable_when_a_fifth_of_its_chars_are_garbled():
    page = (0, 0, 100, 100)
    good = chars_of("项目资金年度", 0, 0)
    assert lay.page_text_problem(good + [char("(cid:7)", 60, 0)], [], page) is None
    assert "2 of 8" in lay.page_text_problem(good + [char("(cid:7)", 60, 0), char("\ufffd", 70, 0)], [], page)


def test_a_page_that_is_only_an_image_is_a_scan_but_a_blank_page_is_not():
    image = {"x0": 0, "x1": 100, "top": 0, "bottom": 90}
    assert "scan" in lay.page_text_problem([], [image], (0, 0, 100, 100))
    assert lay.page_text_problem([], [], (0, 0, 100, 100)) is None
    assert lay.page_text_problem(chars_of("项目序号：1" * 5, 0, 0), [image], (0, 0, 100, 100)) is None


def _unruled(chars):
    lines = lay.lines_to_text_lines(unruled.chars_to_baseline_lines(chars))
    return unruled.unruled_rows(lines, lay.column_anchors(lines))


def test_unruled_rows_place_runs_on_column_anchors_and_join_wrapped_lines():
    rows = _unruled(
        chars_of("二〇二〇年度绩效自评表", 200, 0)  # a centred title: not on a column
        + chars_of("项目名称", 10, 30)
        + chars_of("甲乙", 100, 30)
        + chars_of("数量", 10, 50)
        + chars_of("很长的一段话写满了这一格", 100, 50)  # ends at 220: the cell is full up to the next column
        + chars_of("目标", 230, 50)
        + chars_of("文字", 100, 62)  # 2 pt below the line above: its wrapped end
        + chars_of("质量", 10, 82)
    )
    assert [(top, cells) for top, cells, _ in rows] == [
        (0, ["二〇二〇年度绩效自评表"]),
        (30, ["项目名称", "甲乙", ""]),
        (50, ["数量", "很长的一段话写满了这一格文字", "目标"]),
        (82, ["质量", "", ""]),
    ]


def test_a_short_line_close_below_another_is_a_row_of_its_own():
    """项目序号 and 金额单位 lines close together at the left margin: the
    first did not fill its column, so the second does not continue it."""
    rows = _unruled(
        chars_of("项目序号：17", 10, 0)
        + chars_of("金额单位：万元", 10, 12)
        + chars_of("预算单位", 10, 30) + chars_of("某局", 150, 30) + chars_of("实施单位", 250, 30)
    )
    assert [cells for _, cells, _ in rows] == [["项目序号：17", "", ""], ["金额单位：万元", "", ""],
                                                ["预算单位", "某局", "实施单位"]]


def test_a_label_centred_over_its_rows_goes_to_the_first_of_them():
    """Cells centred in their rows (as Excel prints): the label of a
    two-row merge sits between the rows; it belongs to the first."""
    rows = _unruled(
        chars_of("一级", 10, 0) + chars_of("三级", 100, 0) + chars_of("值", 200, 0) + chars_of("分", 250, 0)
        + chars_of("人数", 100, 20) + chars_of("5人", 200, 20) + chars_of("10", 250, 20)
        + chars_of("产出", 10, 30)  # centred on the two rows below the heading
        + chars_of("次数", 100, 40) + chars_of("3次", 200, 40) + chars_of("20", 250, 40)
        + chars_of("效益", 10, 60) + chars_of("收益", 100, 60) + chars_of("2元", 200, 60) + chars_of("30", 250, 60)
    )
    assert [cells for _, cells, _ in rows] == [
        ["一级", "三级", "值", "分"],
        ["产出", "人数", "5人", "10"],
        ["", "次数", "3次", "20"],
        ["效益", "收益", "2元", "30"],
    ]


# --- the seed's forms rendered ---------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_layout_reads_back_to_the_seed_rows(variant, docs, forms):
    doc = docs[variant]
    assert [r.cells for r in doc.rows] == [row for f in forms for row in f.grid()]
    assert doc.readable and doc.findings == []
    assert doc.lines == len(doc.rows) + doc.decoration


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_row_names_its_page_and_row_on_the_page(variant, docs):
    rows = docs[variant].rows
    assert all(r.page is not None and r.line >= 1 and r.sheet is None for r in rows)
    places = [(r.page, r.line) for r in rows]
    assert places == sorted(places) and len(set(places)) == len(places)


def test_one_form_per_page_puts_each_form_on_its_own_page(docs, forms):
    rows = docs["cid-font-one-form-per-page"].rows
    seq_pages = [r.page for r in rows if r.cells[0].startswith("项目序号")]
    assert seq_pages == list(range(1, len(forms) + 1))


def test_several_forms_share_a_page(docs):
    rows = docs["several-forms-per-page"].rows
    assert sum(1 for r in rows if r.page == 1 and r.cells[0].startswith("项目序号")) >= 2


def test_a_split_form_continues_on_the_next_page(docs, forms):
    rows = docs["form-split-across-pages"].rows
    first = [r for r in rows if r.page in (1, 2)]
    assert {r.page for r in first} == {1, 2}
    assert [r.cells for r in first] == forms[0].grid()
    # the continuation starts with the table row the break was put before
    assert next(r for r in rows if r.page == 2).cells == forms[0].grid()[len(forms[0].preamble) + BREAKS[1]]


def test_repeated_header_rows_are_dropped_and_counted_as_decoration(docs, forms):
    doc = docs["split-with-repeated-header-rows"]
    assert doc.decoration == 2 * len(forms)  # two rows repeated on each form's second page
    plain = docs["form-split-across-pages"]
    assert [r.cells for r in doc.rows] == [r.cells for r in plain.rows]


def test_a_repeated_block_heading_is_dropped_and_counted_as_decoration(docs, forms):
    doc = docs["split-with-repeated-block-heading"]
    assert doc.decoration == len(forms)  # every break falls inside the funding or the indicator block
    starts = {r.page for r in doc.rows if r.cells[0].startswith("项目序号")}
    first_rows = [next(r for r in doc.rows if r.page == p) for p in {r.page for r in doc.rows} - starts]
    assert len(first_rows) == len(forms)
    assert not any(r.cells[0] in ("项目资金", "绩效指标") for r in first_rows)


def test_page_ranges_join_forms_across_range_boundaries(rendered, docs, monkeypatch):
    monkeypatch.setattr(pdf_reader, "DEFAULT_PAGE_RANGE", 3)
    doc = read(rendered["split-with-repeated-header-rows"])
    expected = docs["split-with-repeated-header-rows"]
    assert [(r.cells, r.page, r.line) for r in doc.rows] == [(r.cells, r.page, r.line) for r in expected.rows]
    assert doc.decoration == expected.decoration


def test_pages_are_made_as_pdfplumber_makes_them_for_a_range(rendered, tmp_path):
    path = tmp_path / "split.pdf"
    path.write_bytes(rendered["form-split-across-pages"])
    with pdfplumber.open(path, pages=[3, 4, 5]) as whole:
        expected = [(p.page_number, p.initial_doctop, p.chars, p.rects) for p in whole.pages]
    with pdf_reader._opened(path) as pdf:
        made = [(p.page_number, p.initial_doctop, p.chars, p.rects) for p in pdf_reader._pages(pdf, 3, 5)]
    assert [m[:2] for m in made] == [e[:2] for e in expected] and made[1][1] > 0
    assert made == expected


def test_the_page_tree_is_walked_once_for_the_count_and_once_for_the_reading(rendered, monkeypatch):
    walks = []
    create = pdf_reader.PDFPage.create_pages

    def counted(document):
        walks.append(document)
        return create(document)

    monkeypatch.setattr(pdf_reader.PDFPage, "create_pages", counted)
    monkeypatch.setattr(pdf_reader, "DEFAULT_PAGE_RANGE", 2)  # three ranges of pages: still one opening
    doc = read(rendered["form-split-across-pages"])
    assert len({r.page for r in doc.rows}) > 4
    assert len(walks) == 2  # pdfplumber's pages and close walked the whole tree at each opening


def test_the_object_caches_are_emptied_every_range_of_pages(rendered, monkeypatch):
    sizes = []
    empty = pdf_reader._empty_caches

    def emptied(pdf):
        sizes.append(len(pdf.doc._cached_objs))
        empty(pdf)
        assert pdf.doc._cached_objs == {} and pdf.doc._parsed_objs == {}  # pdfminer's names for them

    monkeypatch.setattr(pdf_reader, "_empty_caches", emptied)
    monkeypatch.setattr(pdf_reader, "DEFAULT_PAGE_RANGE", 2)
    doc = read(rendered["form-split-across-pages"])
    pages = len({r.page for r in doc.rows})
    assert len(sizes) == pages // 2 and min(sizes) > 0  # the objects of two pages each time
    assert [(r.cells, r.page) for r in doc.rows] == [(r.cells, r.page) for r in read(rendered["form-split-across-pages"]).rows]


def test_the_pages_are_read_from_disk_not_from_the_bytes_held(rendered):
    data = rendered["cid-font-one-form-per-page"]
    whole = read(data, "held.pdf")
    path = FILES / "held.pdf"
    doc = pdf_reader.read_pdf(Source(path, "held.pdf", data[:1024], ""), ReadContext.of(Settings()))
    assert doc.rows == whole.rows and doc.rows


def test_a_pdf_changed_while_it_is_read_raises_changed_while_read(rendered):
    from selfeval.extract.text import ChangedWhileRead

    data = rendered["cid-font-one-form-per-page"]
    path = FILES / "changing.pdf"
    path.write_bytes(data)
    doc = pdf_reader.stream_pdf(Source(path, "changing.pdf", data, ""), ReadContext.of(Settings()))
    first = next(doc.stream)
    assert first.page == 1
    path.write_bytes(data + b"\n% appended\n")
    with pytest.raises(ChangedWhileRead):
        list(doc.stream)


def test_the_page_limit_stops_reading_and_says_so(rendered):
    doc = read(rendered["cid-font-one-form-per-page"], settings=Settings(max_pages=2))
    assert {r.page for r in doc.rows} == {1, 2}
    (limit,) = doc.findings
    assert limit.code == "limit_exceeded" and "pages 3-5 were not read" in limit.message


# --- pages without a usable text layer ---------------------------------------


def fake_ocr(page, settings):
    return [SourceRow(("OCR 读出",), 1, page=page.page_number)], [], "read by OCR instead"


def test_garbled_and_scanned_pages_are_reported_with_their_page(monkeypatch):
    monkeypatch.setattr(pdf_reader, "ocr_page", fake_ocr)
    kinds = ["text", "pua", "fffd", "cid", "scan", "text"]
    doc = read(build_pdf([RawPage(k) for k in kinds]), "mixed.pdf")
    flagged = [(f.code, f.page) for f in doc.findings]
    assert flagged == [("no_text_layer", p) for p in (2, 3, 4, 5)]
    assert all(f.severity == "error" and "mixed.pdf: page" in f.message for f in doc.findings)
    assert "scan" in doc.findings[-1].message
    by_page = {r.page: r.cells for r in doc.rows}
    assert by_page[1] == ("ITEM 1 BUDGET 13.04",) and by_page[6] == ("ITEM 1 BUDGET 13.04",)
    assert by_page[3] == ("OCR 读出",)  # the unusable pages went to OCR
    assert doc.readable


def test_a_scanned_page_is_rendered_and_read_by_the_ocr_reader(monkeypatch):
    image = pytest.importorskip("selfeval.extract.image", reason="OCR is an optional extra (selfeval[ocr])")
    seen = []

    def engine_reading(picture, page_no, settings, engine=None):
        seen.append((picture.size, page_no))
        return [SourceRow(("项目序号：1",), 1, page=page_no, confidence=(0.5,))]

    monkeypatch.setattr(image, "ocr_page_image", engine_reading)
    doc = read(build_pdf([RawPage("text"), RawPage("scan")]), "scan.pdf")
    assert seen == [((1653, 2339), 2)]  # A4 at 200 dpi
    assert [(r.page, r.cells) for r in doc.rows] == [(1, ("ITEM 1 BUDGET 13.04",)), (2, ("项目序号：1",))]
    assert [(f.code, f.page) for f in doc.findings] == [("no_text_layer", 2), ("low_confidence", 2)]
    assert "read by OCR" in doc.findings[0].message
    assert doc.lines == 2


def test_without_an_ocr_engine_an_unusable_page_is_reported_as_lost(monkeypatch):
    image = pytest.importorskip("selfeval.extract.image", reason="OCR is an optional extra (selfeval[ocr])")
    from selfeval.extract.ocr import EngineUnavailable

    def unavailable(*args, **kwargs):
        raise EngineUnavailable("rapidocr is not installed")

    monkeypatch.setattr(image, "ocr_page_image", unavailable)
    doc = read(build_pdf([RawPage("cid")]), "garbled.pdf")
    (finding,) = doc.findings
    assert finding.code == "no_text_layer" and finding.page == 1
    assert "text is lost" in finding.message and doc.rows == []


def test_without_the_ocr_extra_an_unusable_page_is_reported_as_lost(monkeypatch):
    monkeypatch.setitem(sys.modules, "selfeval.extract.image", None)  # as if its imports failed
    doc = read(build_pdf([RawPage("scan")]), "scan.pdf")
    (finding,) = doc.findings
    assert finding.code == "no_text_layer" and "OCR is not installed" in finding.message


# --- bad files ----------------------------------------------------------------


def encrypted_pdf(user_password: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption(user_password, ownerPassword="owner"))
    c.drawString(100, 700, "ITEM 1")
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def good_pdf(rendered):
    return rendered["cid-font-one-form-per-page"]


BAD = {
    "encrypted": (lambda good: encrypted_pdf("secret"), "encrypted with a password"),
    "truncated": (lambda good: truncated(good, 0.5), "damaged or truncated"),
    "nearly-complete": (lambda good: truncated(good, 0.99), "damaged or truncated"),
    "corrupt": (corrupt, "damaged or truncated"),
    "no-pages": (lambda good: no_pages_pdf(), "has no pages"),
    "html-named-pdf": (lambda good: b"<!DOCTYPE html><html><body>404</body></html>", "not a PDF file"),
    "empty": (lambda good: b"", "not a PDF file"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_pdf_is_an_unreadable_input_finding_naming_the_file(case, good_pdf):
    make, words = BAD[case]
    doc = read(make(good_pdf), f"{case}.pdf")
    assert not doc.readable and doc.rows == []
    (finding,) = doc.findings
    assert finding.code == "unreadable_input" and finding.severity == "error"
    assert finding.message.startswith(f"{FILES / case}.pdf: ") and words in finding.message


def test_a_pdf_gone_from_disk_once_its_bytes_were_read_is_an_unreadable_input(good_pdf, tmp_path):
    """Hand reading: the bytes are a good PDF but the file they came from is no
    longer there, and the reader reads from disk: one unreadable_input naming the
    file.  Read from ``on_disk`` (a presentation converted to PDF), the message
    names the source, not the file read, and the rows are the file read's."""
    gone = tmp_path / "gone.pdf"
    doc = pdf_reader.read_pdf(Source(gone, "gone.pdf", good_pdf, ""), ReadContext.of(Settings()))
    (finding,) = doc.findings
    assert (finding.code, doc.readable, doc.rows) == ("unreadable_input", False, [])
    assert finding.message.startswith(f"{gone}: cannot read the file (")
    deck = tmp_path / "forms.dps"
    doc = pdf_reader.read_pdf(Source(deck, "forms.dps", good_pdf, ""), ReadContext.of(Settings()), on_disk=gone)
    (finding,) = doc.findings
    assert finding.message.startswith(f"{deck}: cannot read the file (") and str(gone) not in finding.message
    on_disk = tmp_path / "converted.pdf"
    on_disk.write_bytes(good_pdf)
    doc = pdf_reader.read_pdf(Source(deck, "forms.dps", good_pdf, ""), ReadContext.of(Settings()), on_disk=on_disk)
    assert doc.source_path == str(deck) and doc.rows and doc.rows == read(good_pdf, "good.pdf").rows


def test_an_owner_password_alone_does_not_stop_reading():
    doc = read(encrypted_pdf(""), "owner-only.pdf")
    assert doc.readable and [r.cells for r in doc.rows] == [("ITEM 1",)]


def test_a_damaged_page_is_reported_and_the_other_pages_kept(good_pdf, monkeypatch):
    parse = pdfplumber.page.Page.objects.fget

    def damaged_on_page_2(page):
        if page.page_number == 2:
            raise PDFSyntaxError("unexpected end of content stream")
        return parse(page)

    monkeypatch.setattr(pdfplumber.page.Page, "objects", property(damaged_on_page_2))
    doc = read(good_pdf, "hole.pdf")
    (finding,) = doc.findings
    assert (finding.code, finding.page) == ("unreadable_input", 2)
    assert finding.message.startswith(f"{FILES / 'hole.pdf'}: page 2 cannot be read")
    assert not doc.readable
    assert {r.page for r in doc.rows} == {1, 3, 4, 5}


def _line(top, *cells):
    """A TextLine of runs (text, x0), 6 points a character."""
    runs = [lay.Run(chars_of(text, x0, top, width=6)) for text, x0 in cells]
    return lay.TextLine(top, top + 10, 10.0, runs)


def test_numbers_set_flush_right_start_no_column_and_sit_in_the_column_they_end_in():
    lines = [
        _line(0, ("项目", 0), ("全年预算数", 100), ("分值", 200)),
        _line(12, ("区级资金", 0), ("13.04", 160), ("10", 248)),  # flush right: ends at 190 and 260
        _line(24, ("市级资金", 0), ("6.5", 172), ("10.00", 230)),
    ]
    anchors = lay.column_anchors(lines)
    assert anchors == [0, 100, 200]
    cols = [[unruled.column_of(anchors, r) for r in line.runs] for line in lines]
    assert cols == [[0, 1, 2], [0, 1, 2], [0, 1, 2]]


def test_numbers_set_flush_left_still_start_their_column():
    lines = [_line(0, ("一", 0), ("20.00", 100)), _line(12, ("二", 0), ("5", 100)), _line(24, ("三", 0), ("100.00", 100))]
    assert lay.column_anchors(lines) == [0, 100]


def test_a_number_run_on_into_the_next_cell_is_cut_at_the_column_edge():
    line = _line(0, ("区级资金", 0), ("6.52—", 76))  # 6.52 ends at 100, where the next column's dash starts
    cut = unruled.split_at_columns(line, [0, 50, 100])
    assert [r.text for r in cut.runs] == ["区级资金", "6.52", "—"]
