"""What an OCR confidence says, and where its doubts are reported.

Cells are scored by the lowest engine score of the pieces read into them;
ink left by erased rulings or specks does not make a read cell doubtful; an
empty cell is a doubt only when it holds ink; and every doubt about a form's
cell is a finding of that form naming the field.  Engine output is replayed
from ``recorded_ocr/``.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("cv2", reason="opencv comes with the OCR extra: pip install -e '.[ocr]'")

from scangen import make_scan, parse_seed  # noqa: E402
from scangen.cases import RECORDED, RECORDED_DIR, scan_for  # noqa: E402

from selfeval.extract.grid import SourceRow  # noqa: E402
from selfeval.extract.ocr import Engines, Glyph, ReplayEngine, TextBox  # noqa: E402
from selfeval.extract.ocr.table import Table, _split_across, boxes_to_rows, cell_confidence  # noqa: E402
from selfeval.normalize.ocr_check import field_names, low_confidence_doubts  # noqa: E402
from selfeval.settings import Settings  # noqa: E402

FORMS = parse_seed()
RECORDED_NOW = [n for n in RECORDED if (RECORDED_DIR / f"{n}.json").exists()]


def test_a_cell_of_several_boxes_is_as_doubtful_as_its_most_doubtful_box():
    main = TextBox("确保大龄职工生活补助按时足额发放", (0, 0, 400, 30), 0.9999)
    stray = TextBox("o", (0, 40, 12, 60), 0.63)  # the wrapped '。' read as a Latin letter
    assert cell_confidence([main, stray]) == 0.63
    assert cell_confidence([main]) == 0.9999
    assert cell_confidence([]) is None


def test_a_box_cut_at_a_cell_edge_scores_each_part_by_its_own_characters():
    glyphs = (Glyph("1", 0, 10, 0.99), Glyph("0", 10, 20, 0.97), Glyph("万", 40, 60, 0.5), Glyph("元", 60, 80, 0.7))
    left, right = _split_across(TextBox("10万元", (0, 0, 80, 20), 0.79, glyphs), [30.0])
    assert (left.text, right.text) == ("10", "万元")
    assert left.confidence == pytest.approx(0.98) and right.confidence == pytest.approx(0.6)


def _one_cell_table(unit: float = 20.0) -> Table:
    return Table((0.0, 400.0), (0.0, 60.0), ((0, 0, 0, 0),))


def test_ruling_remnants_do_not_make_a_read_cell_doubtful_but_unread_characters_do():
    t, unit = _one_cell_table(), 20.0
    box = TextBox("100.00%", (100, 20, 200, 40), 0.99)
    remnant = (50.0, 58.0, 300.0, 60.0)  # the fringe of the erased bottom ruling
    (row,) = boxes_to_rows([t], [box], unit, [remnant])
    assert row.cells[0].confidence == 0.99
    digit = (204.0, 20.0, 216.0, 40.0)  # a character nothing read, on the text's line
    (row,) = boxes_to_rows([t], [box], unit, [digit])
    assert row.cells[0].text == "100.00%" and 0 < row.cells[0].confidence <= 0.5
    wrapped = (100.0, 44.0, 108.0, 52.0)  # a '。' wrapped onto the next line
    (row,) = boxes_to_rows([t], [box], unit, [wrapped])
    assert 0 < row.cells[0].confidence <= 0.5


def test_a_mark_the_detector_left_out_is_read_when_the_recognizer_reads_it_surely_as_punctuation():
    # a goal text's final '。' wrapped onto a line of its own: the detector finds no line there
    # (300 dpi office scans, phone photos); the recognizer alone on the mark reads it
    t, unit = Table((0.0, 400.0), (0.0, 80.0), ((0, 0, 0, 0),)), 20.0
    box = TextBox("确保大龄职工生活补助按时足额发放", (20, 20, 380, 40), 0.99)
    wrapped = (20.0, 46.0, 30.0, 56.0)
    asked = []

    def read(reading):
        def read_mark(mark):
            asked.append(mark)
            return reading
        return read_mark

    (row,) = boxes_to_rows([t], [box], unit, [wrapped], read_mark=read(("。", 0.987)))
    assert row.cells[0].text == "确保大龄职工生活补助按时足额发放。" and row.cells[0].confidence == 0.987
    assert asked == [wrapped]
    # read unsurely, or as what a piece of a ruling or of a seal's ring reads as: still unread ink
    for reading in (("。", 0.6), ("1", 0.99), ("一", 0.99), ("-", 0.99), ("!", 0.99), ("", 0.0)):
        (row,) = boxes_to_rows([t], [box], unit, [wrapped], read_mark=read(reading))
        assert row.cells[0].text == box.text and row.cells[0].confidence == 0.5, reading
    # a speck, a dash and ink along the cell's edge are not read at all
    asked.clear()
    marks = [(200.0, 50.0, 202.0, 52.0), (100.0, 60.0, 130.0, 63.0), (0.0, 77.0, 400.0, 80.0)]
    boxes_to_rows([t], [box], unit, marks, read_mark=read(("。", 0.99)))
    assert asked == []


def test_a_piece_of_a_heavy_ruling_is_no_doubt_but_a_character_beside_the_text_still_is():
    """Rulings printed 1.6 pt (7 px at 200 dpi) and broken: the pieces too short to be
    found as lines stay on the page after erasing, 9 px thick, along the cell's edge.
    Thicker than the usual edge tolerance (0.3 of a 24 px character, 7.2 px), no thicker
    than the rulings themselves: a remnant.  A character beside the text is still a doubt."""
    t, unit = _one_cell_table(), 24.0
    box = TextBox("57.00", (100, 20, 170, 44), 0.99)
    piece = (120.0, 55.0, 180.0, 64.0)  # along the bottom ruling at y = 60, 9 px thick
    (row,) = boxes_to_rows([t], [box], unit, [piece])
    assert 0 < row.cells[0].confidence <= 0.5  # rulings of unknown width: the usual tolerance
    (row,) = boxes_to_rows([t], [box], unit, [piece], rule=(7.0, 7.0))
    assert row.cells[0].confidence == 0.99
    digit = (174.0, 20.0, 186.0, 44.0)  # a digit nothing read, on the text's line
    (row,) = boxes_to_rows([t], [box], unit, [digit], rule=(7.0, 7.0))
    assert 0 < row.cells[0].confidence <= 0.5


def test_ruling_width_is_measured_from_the_ink_under_the_line_masks():
    from selfeval.extract.ocr.table import ruling_width

    binary = np.zeros((200, 400), np.uint8)
    binary[50:57, 20:380] = 255  # a 7 px horizontal ruling
    binary[20:180, 100:103] = 255  # a 3 px vertical one
    horizontal = np.zeros_like(binary)
    horizontal[49:58, 20:380] = 255  # the masks run a pixel wider than the ink (found on dilated ink)
    vertical = np.zeros_like(binary)
    vertical[20:180, 99:104] = 255
    h, v = ruling_width(binary, horizontal, vertical)
    assert h == pytest.approx(7.0, abs=0.1)
    assert v == pytest.approx(3.0, abs=0.1)
    assert ruling_width(binary, np.zeros_like(binary), np.zeros_like(binary)) == (0.0, 0.0)


def test_a_speck_away_from_the_text_read_is_no_doubt():
    """What a seal's removal leaves in a cell (specks, bits of ring) away from the text
    read is not a character the engine left out of it."""
    t, unit = _one_cell_table(), 20.0
    box = TextBox("3.49", (100, 20, 160, 40), 0.99)
    speck = (300.0, 30.0, 306.0, 36.0)  # 7 characters to the right
    (row,) = boxes_to_rows([t], [box], unit, [speck])
    assert row.cells[0].confidence == 0.99


def test_an_empty_cell_is_a_doubt_only_when_it_holds_ink():
    t, unit = _one_cell_table(), 20.0
    (row,) = boxes_to_rows([t], [], unit, [])
    assert row.cells[0].confidence is None
    (row,) = boxes_to_rows([t], [], unit, [(180.0, 18.0, 194.0, 42.0)])
    assert row.cells[0].text == "" and row.cells[0].confidence == 0.0
    (row,) = boxes_to_rows([t], [], unit, [(180.0, 29.0, 200.0, 31.0)])  # a bar: the '—' placeholder
    assert row.cells[0].text == "—" and row.cells[0].confidence is None
    (row,) = boxes_to_rows([t], [], unit, [(180.0, 27.0, 197.0, 32.0)])  # a '—' blurred thick (150 dpi)
    assert row.cells[0].text == "—" and row.cells[0].confidence is None
    (row,) = boxes_to_rows([t], [], unit, [(180.0, 30.0, 187.0, 37.0)])  # a speck a third of a character: no value
    assert row.cells[0].confidence is None


@pytest.mark.parametrize("name", [n for n in RECORDED_NOW if RECORDED[n].ruled])
def test_no_cell_that_was_read_reports_confidence_zero(name):
    from test_ocr_table import replay_recorded

    recorded = json.loads((RECORDED_DIR / f"{name}.json").read_text(encoding="utf-8"))
    _, data = scan_for(RECORDED[name])
    rows = replay_recorded(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")), recorded)
    zero = [(r.line, t) for r in rows for t, c in zip(r.cells, r.confidence, strict=True) if t and c is not None and c < 0.01]
    assert not zero


def test_a_doubt_sits_on_its_form_and_names_the_field(monkeypatch, tmp_path):
    """Form 20's page read perfectly but for its 年度资金总额 全年执行数 430.54, read '43O.54' at 0.62."""
    from selfeval.pipeline import run

    page, data = make_scan(FORMS[19], 200, None)
    boxes = [TextBox(b.text, b.bbox, 0.99) for b in page.boxes]
    k = next(i for i, b in enumerate(page.boxes) if b.text == "430.54")
    boxes[k] = TextBox("43O.54", boxes[k].bbox, 0.62)
    monkeypatch.setattr(Engines, "build", lambda self, name: ReplayEngine(boxes))
    (tmp_path / "form20.png").write_bytes(data)
    tables = {n: t.to_pandas() for n, t in run([tmp_path / "form20.png"]).tables.items()}
    doubts = tables["findings"][tables["findings"]["code"] == "low_confidence"]
    assert len(doubts) == 1
    (f,) = doubts.itertuples()
    assert (f.form_seq, f.form_index, f.text) == (20, 1, "43O.54")
    total = tables["funding"][tables["funding"]["source_key"] == "total"].iloc[0]
    assert f.line == total["line"]
    assert "(funding 年度资金总额, executed)" in f.message and "0.620" in f.message
    assert (f.table, f.key, f.field) == ("funding", "total", "executed")


def test_field_names_follow_the_cells_content_not_their_column():
    from selfeval.extract.split import split_forms
    from selfeval.normalize.form import parse_form

    rows = [
        SourceRow(("2020年度预算资金项目支出绩效自评表",), 1),
        SourceRow(("项目序号：3",), 2),
        SourceRow(("项目资金", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), 3),
        SourceRow(("", "年度资金总额：", "13.04", "13.04", "13.04", "10.00", "100.00%", "10.00"), 4),
        # shifted one column left, as pasted forms often are
        SourceRow(("市级资金", "6.52", "6.52", "6.52", "", "100.00%", "—", ""), 5),
    ]
    (cells,), _ = split_forms(rows)
    form = parse_form(cells, Settings())
    funding = {r.line: r for r in form.funding}
    names = field_names(form, rows[4], funding[5], None)
    assert names[0] == "funding 市级资金, source_label"
    assert names[1] == "funding 市级资金, budget_initial"
    assert names[3] == "funding 市级资金, executed"
    assert names[5] == "funding 市级资金, execution_rate"
    names = field_names(form, rows[3], funding[4], None)
    assert names[5] == "funding 年度资金总额, weight" and names[7] == "funding 年度资金总额, score"


def test_a_doubtful_label_on_a_head_row_is_named_the_label_not_the_field_before_it():
    # 预算单位（盖章） read with mixed brackets (a doubt at 0.86 on 300 dpi scans): the label cell,
    # left of the budget unit, is no form field (it was named the form's title)
    from selfeval.extract.split import split_forms
    from selfeval.normalize.form import parse_form

    unit = "重庆市荣昌区人力资源和社会保障局"
    rows = [
        SourceRow(("2020年度预算资金项目支出绩效自评表",), 1),
        SourceRow(("项目序号：3",), 2),
        SourceRow(("预算单位（盖章)", "", unit, "", "实施单位", unit), 3, page=1,
                  confidence=(0.86, None, 0.99, None, 0.99, 0.99)),
        SourceRow(("项目名称", "", "工资统发系统建设经费"), 4),
    ]
    (cells,), _ = split_forms(rows)
    form = parse_form(cells, Settings())
    names = field_names(form, rows[2], None, None)
    assert names[0] == "label" and names[4] == "label"
    assert names[2] == "form, budget_unit" and names[5] == "form, implementing_unit"
    (f,) = low_confidence_doubts(form, [rows[2]], Settings())
    assert "column 1 (label)" in f.message and f.field is None


def test_a_misread_rate_on_a_ruled_scan_stays_in_its_column_and_its_doubt_names_the_rate():
    # 区级资金's 100.00% read '100.00%0' (a grey seal's remains after the '%'): the cells a page's
    # rulings placed keep their columns, so 5.00 5.00 5.00 stay 年初预算数, 全年预算数, 全年执行数 (they
    # were moved one column over, 5.00 becoming the 分值), and the doubt names the rate it is about
    from selfeval.extract.split import split_forms
    from selfeval.normalize.form import parse_form

    box = (0.1, 0.1, 0.2, 0.12)  # each cell's place on the page (any: the reader found it by the rulings)
    rows = [
        SourceRow(("2020年度预算资金项目支出绩效自评表",), 1),
        SourceRow(("项目序号：12",), 2),
        SourceRow(("项目资金", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", ""), 3, page=1,
                  confidence=(1.0, None, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, None), boxes=(box,) * 9),
        SourceRow(("", "年度资金总额：", "5.00", "5.00", "5.00", "10.00", "100.00%", "10", ""), 4, page=1,
                  confidence=(None, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, None), boxes=(box,) * 9),
        SourceRow(("", "区级资金", "5.00", "5.00", "5.00", "——", "100.00%0", "", ""), 5, page=1,
                  confidence=(None, 1.0, 1.0, 1.0, 1.0, None, 0.734, None, None), boxes=(box,) * 9),
    ]
    (cells,), _ = split_forms(rows)
    form = parse_form(cells, Settings())
    district = next(r for r in form.funding if r.source_key == "district")
    assert (district.budget_initial, district.budget_full_year, district.executed) == (5, 5, 5)
    assert district.weight is None and district.execution_rate is None and "row_realigned" not in district.repairs
    assert any(f.code == "unparsed_number" and f.field == "execution_rate" for f in form.findings)
    (f,) = low_confidence_doubts(form, [rows[4]], Settings())
    assert "column 7 (funding 区级资金, execution_rate)" in f.message
    assert (f.table, f.key, f.field) == ("funding", "district", "execution_rate")


# -- broken rulings -------------------------------------------------------------


def _grid_page(stubs: bool) -> tuple[np.ndarray, Table]:
    """A 2 x 2 grid of 200 x 60 pixel cells drawn 3 px wide, whose lower middle column
    ruling is gone: broken away but for 20 px out of each junction (``stubs``), or
    never printed (a merged cell).  What the lost ruling gives: the lower row merged."""
    ink = np.zeros((140, 420), np.uint8)
    xs, ys = (10.0, 210.0, 410.0), (10.0, 70.0, 130.0)
    for y in ys:
        ink[round(y) - 1:round(y) + 2, 10:411] = 255
    for x in xs:
        ink[10:131, round(x) - 1:round(x) + 2] = 255
    ink[(91 if stubs else 72):(110 if stubs else 128), 209:212] = 0
    return ink, Table(xs, ys, ((0, 0, 0, 0), (0, 1, 0, 1), (1, 0, 1, 1)))


def test_a_cell_merged_by_a_broken_ruling_is_parted_where_the_ruling_left_stubs():
    from selfeval.extract.ocr.table import hold_broken_rules

    ink, table = _grid_page(stubs=True)
    (fixed,) = hold_broken_rules([table], ink, [], 20.0)
    assert fixed.cells == ((0, 0, 0, 0), (0, 1, 0, 1), (1, 0, 1, 0), (1, 1, 1, 1))
    ink, table = _grid_page(stubs=False)  # a merged cell: no ruling runs out of its junctions
    assert hold_broken_rules([table], ink, [], 20.0)[0].cells == table.cells


def test_a_broken_ruling_under_text_running_over_it_is_no_boundary():
    from selfeval.extract.ocr.table import hold_broken_rules

    ink, table = _grid_page(stubs=True)
    across = TextBox("重庆市荣昌区人力资源", (120, 90, 300, 110), 0.99)  # one line over the lost ruling
    assert hold_broken_rules([table], ink, [across], 20.0)[0].cells == table.cells


def test_a_piece_of_ruling_read_as_I_is_no_text():
    t = Table((0.0, 200.0, 400.0), (0.0, 60.0), ((0, 0, 0, 0), (0, 1, 0, 1)))
    boxes = [TextBox("2323人", (40, 20, 120, 40), 0.99), TextBox("I", (194, 18, 206, 42), 0.55),
             TextBox("1", (280, 20, 290, 40), 0.99)]
    (row,) = boxes_to_rows([t], boxes, 20.0)
    assert [c.text for c in row.cells] == ["2323人", "1"]
    assert row.cells[0].confidence == 0.99


def test_ink_paler_than_the_pages_text_or_coloured_on_the_scan_is_no_missed_character():
    from selfeval.extract.ocr.table import faint_ink, seal_ink

    gray = np.full((100, 300), 250, np.uint8)
    gray[20:40, 20:120] = 30  # the text the engine read
    gray[60:70, 200:210] = 200  # a pale smudge (a photocopy's, a grey seal's fringe)
    gray[60:70, 240:250] = 40  # a character printed like the text
    ink = (gray < 220).astype(np.uint8) * 255
    faint = faint_ink(gray, ink, [TextBox("年度资金总额", (20, 20, 120, 40), 0.99)])
    assert faint((200, 60, 209, 69)) and not faint((240, 60, 249, 69))
    colour = np.zeros_like(gray)
    colour[55:75, 195:215] = 120  # the smudge was red on the scan
    assert seal_ink((200, 60, 209, 69), ink, colour) and not seal_ink((240, 60, 249, 69), ink, colour)
    assert not seal_ink((200, 60, 209, 69), ink, None)  # a grey scan says nothing of colour
