"""Ruled pages whose rulings cannot be trusted are read by the text's positions.

Rulings broken away beyond what ``hold_broken_rules`` parts again merge cells;
two values of neighbouring cells then sit in one cell on one line, far apart.
Such a grid is not trusted and the page is read as a page without rulings.
The scans are fresh (not recorded): the renderer's own text boxes stand in
for the engine, so what is measured is the placing of the text alone.  The
expected values are the text path's reading of the same seed form.
"""

from __future__ import annotations

import io
import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("cv2", reason="opencv comes with the OCR extra: pip install -e '.[ocr]'")

from scangen import ScanSpec, canonical_text, form_layout, make_scan, parse_seed  # noqa: E402
from scangen.compare import same_field  # noqa: E402

from selfeval import pipeline  # noqa: E402
from selfeval.extract.ocr import Engines, ReplayEngine, TextBox  # noqa: E402
from selfeval.extract.ocr.page import prepare_page  # noqa: E402
from selfeval.extract.ocr.table import Table, boxes_to_rows, credible_grid, join_texts_cut_apart  # noqa: E402
from selfeval.extract.readers import InputFile  # noqa: E402
from selfeval.settings import Settings  # noqa: E402

FORMS = parse_seed()
FIELDS = ("target_raw", "actual_raw", "weight", "score")
FUNDING = ("budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score")


def _table_2x1() -> Table:
    # two rows, one column 400 px wide: each row one cell
    return Table((0.0, 400.0), (0.0, 40.0, 80.0, 120.0, 160.0), ((0, 0, 0, 0), (1, 0, 1, 0), (2, 0, 2, 0), (3, 0, 3, 0)))


def test_cells_holding_values_far_apart_on_one_line_make_the_grid_untrusted():
    t, unit = _table_2x1(), 20.0
    pair = lambda y: [TextBox("57.00", (20, y, 80, y + 20), 1.0), TextBox("10.00", (300, y, 360, y + 20), 1.0)]  # noqa: E731
    assert credible_grid([t], pair(10) + pair(50), unit)  # two such cells: a wide cell may hold a gap
    assert not credible_grid([t], pair(10) + pair(50) + pair(90), unit)
    # one value with a short gap inside (2 characters) is no lost ruling
    close = [TextBox("≥95", (20, 10, 80, 30), 1.0), TextBox("%", (120, 10, 140, 30), 1.0)]
    assert credible_grid([t], close + pair(50) + pair(90), unit)
    # boxes on two lines of one cell are a wrapped text, not two cells
    wrapped = [TextBox("确保", (20, 2, 80, 18), 1.0), TextBox("发放", (300, 21, 360, 38), 1.0)]
    assert credible_grid([t], wrapped + pair(50) + pair(90), unit)


def test_numbers_side_by_side_in_cells_make_the_grid_untrusted():
    """Two numbers on one line of a cell, only two characters apart (two cells'
    weight and score, 100.00 and 98.00, their ruling lost), are two values; a
    number with its unit or '%' a little apart is one."""
    t, unit = _table_2x1(), 20.0
    pair = lambda y: [TextBox("100.00", (20, y, 80, y + 20), 1.0), TextBox("98.00", (120, y, 170, y + 20), 1.0)]  # noqa: E731
    assert not credible_grid([t], pair(10) + pair(50) + pair(90), unit)
    unit_apart = lambda y: [TextBox("≥95", (20, y, 50, y + 20), 1.0), TextBox("%", (80, y, 92, y + 20), 1.0)]  # noqa: E731
    assert credible_grid([t], unit_apart(10) + unit_apart(50) + unit_apart(90), unit)
    worded = lambda y: [TextBox("90", (20, y, 40, y + 20), 1.0), TextBox("万元", (70, y, 110, y + 20), 1.0)]  # noqa: E731
    assert credible_grid([t], worded(10) + worded(50) + worded(90), unit)


def test_two_rows_of_text_in_one_cell_make_the_grid_untrusted():
    """A row ruling lost puts two rows' texts in one cell: 分值 over 10.00 two and a
    half characters apart (middle to middle).  A text wrapped in its cell has its
    lines a line pitch apart (1.35 characters) and is one cell's."""
    t = Table((0.0, 400.0), (0.0, 80.0, 160.0, 240.0, 320.0), ((0, 0, 0, 0), (1, 0, 1, 0), (2, 0, 2, 0), (3, 0, 3, 0)))
    unit = 20.0
    stacked = lambda y: [TextBox("分值", (20, y, 60, y + 20), 1.0), TextBox("10.00", (20, y + 50, 70, y + 66), 1.0)]  # noqa: E731
    assert not credible_grid([t], stacked(5) + stacked(85) + stacked(165), unit)
    wrapped = lambda y: [TextBox("入驻企业完成招聘", (20, y, 180, y + 20), 1.0), TextBox("场次", (80, y + 27, 120, y + 47), 1.0)]  # noqa: E731
    assert credible_grid([t], wrapped(5) + wrapped(85) + wrapped(165) + wrapped(245), unit)


def test_a_table_row_found_outside_every_table_counts_as_a_lost_ruling():
    """The frame's top rows found apart from the table (their rulings lost): a line of
    four texts far apart over the table's width, outside it.  The form's own line
    above the table (项目序号 and 金额单位, two texts) is no table row."""
    t, unit = _table_2x1(), 20.0
    row = [TextBox(w, (x, -60, x + 40, -40), 1.0) for w, x in (("预算单位", 0), ("重庆市", 110), ("实施单位", 220), ("荣昌区", 340))]
    pair = lambda y: [TextBox("57.00", (20, y, 80, y + 20), 1.0), TextBox("10.00", (300, y, 360, y + 20), 1.0)]  # noqa: E731
    assert not credible_grid([t], row + pair(10) + pair(50), unit)
    seq = [TextBox("项目序号：2", (0, -60, 120, -40), 1.0), TextBox("金额单位：万元", (260, -60, 400, -40), 1.0)]
    assert credible_grid([t], seq + pair(10) + pair(50), unit)


def test_a_one_line_text_beside_a_two_line_one_in_one_cell_is_a_lost_ruling():
    """金, the second line of the label 项目资金, beside 市级资金 (its row's name, set a
    line lower: their boxes share a third of their height), four characters apart;
    a wrapped text's lines, stacked, share no height and are no such pair."""
    t, unit = _table_2x1(), 20.0
    pair = lambda y: [TextBox("金", (20, y, 40, y + 20), 1.0), TextBox("市级资金", (120, y + 13, 200, y + 33), 1.0)]  # noqa: E731
    assert not credible_grid([t], pair(0) + pair(40) + pair(80), unit)
    stacked = lambda y: [TextBox("项目资", (20, y, 80, y + 20), 1.0), TextBox("金", (140, y + 21, 160, y + 38), 1.0)]  # noqa: E731
    assert credible_grid([t], stacked(0) + stacked(40) + stacked(80), unit)


def test_a_value_in_one_row_of_a_cell_merged_over_two_rows_is_that_rows():
    """A row ruling lost merges a cell with the one above: the value printed in the
    lower row (its middle in that row's band, off the merged cell's middle) stays in
    the lower row.  A text set in a merged cell's middle (over the boundary, or in
    the middle row of three) is the merged cell's, in its first row."""
    t = Table((0.0, 200.0, 400.0), (0.0, 40.0, 80.0, 120.0, 160.0),
              ((0, 0, 0, 0), (0, 1, 0, 1), (1, 0, 1, 0), (1, 1, 2, 1), (2, 0, 2, 0), (3, 0, 3, 1)))
    unit = 20.0
    names = [TextBox(w, (20, y, 100, y + 20), 1.0) for w, y in (("年度资金", 10), ("中央资金", 50), ("市级资金", 90))]
    value = TextBox("175.82", (260, 92, 340, 110), 1.0)
    rows = boxes_to_rows([t], names + [value], unit)
    assert [[c.text for c in r.cells] for r in rows[:3]] == [["年度资金", ""], ["中央资金", ""], ["市级资金", "175.82"]]
    assert rows[2].boxes[1] == (200.0, 80.0, 400.0, 120.0)
    middle = TextBox("175.82", (260, 70, 340, 90), 1.0)  # over the boundary at 80: set in the merged cell's middle
    rows = boxes_to_rows([t], names + [middle], unit)
    assert [[c.text for c in r.cells] for r in rows[:3]] == [["年度资金", ""], ["中央资金", "175.82"], ["市级资金", ""]]
    three = Table((0.0, 200.0, 400.0), (0.0, 40.0, 80.0, 120.0), ((0, 0, 0, 0), (1, 0, 1, 0), (2, 0, 2, 0), (0, 1, 2, 1)))
    rows = boxes_to_rows([three], names + [TextBox("合计", (260, 50, 340, 70), 1.0)], unit)
    assert [r.cells[1].text for r in rows] == ["合计", "", ""]
    # a value in one column of a cell merged over two columns, off its middle, is that column's
    wide = Table((0.0, 100.0, 200.0, 300.0), (0.0, 40.0), ((0, 0, 0, 0), (0, 1, 0, 2)))
    rows = boxes_to_rows([wide], [TextBox("金额", (20, 10, 60, 30), 1.0), TextBox("10.00", (230, 10, 280, 30), 1.0)], unit)
    assert [c.text for c in rows[0].cells] == ["金额", "", "10.00"]


def test_values_side_by_side_in_a_cell_merged_over_their_columns_are_each_their_columns():
    """A column ruling lost merges two cells of a row: their values stand side by
    side in the merged cell, each wholly in its own column, and are each read in
    it.  One text over the boundary, or set in the middle, stays whole in the first
    column; so does a wrapped text."""
    t = Table((0.0, 100.0, 250.0, 400.0), (0.0, 40.0, 80.0), ((0, 0, 0, 0), (0, 1, 0, 2), (1, 0, 1, 0), (1, 1, 1, 2)))
    unit = 20.0
    row = lambda y: [TextBox("42.90", (140, y, 200, y + 20), 1.0), TextBox("42.90", (300, y, 360, y + 20), 1.0)]  # noqa: E731
    rows = boxes_to_rows([t], [TextBox("总额", (20, 10, 60, 30), 1.0)] + row(10), unit)
    assert [c.text for c in rows[0].cells] == ["总额", "42.90", "42.90"]
    assert rows[0].boxes[1:] == ((100.0, 0.0, 250.0, 40.0), (250.0, 0.0, 400.0, 40.0))
    one = [TextBox("职工养老", (160, 50, 240, 70), 1.0), TextBox("保险补助", (260, 50, 340, 70), 1.0)]  # one text, gap 1 char
    rows = boxes_to_rows([t], one, unit)
    assert [c.text for c in rows[1].cells] == ["", "职工养老保险补助", ""]
    over = [TextBox("42.90", (140, 50, 200, 70), 1.0), TextBox("42.90", (230, 50, 290, 70), 1.0)]  # the second over 250
    rows = boxes_to_rows([t], over, unit)
    assert [c.text for c in rows[1].cells] == ["", "42.90 42.90", ""]


@pytest.mark.parametrize("form_index, seed, total", [
    (1, 301, (42.9, 42.9, 42.9, 10.0, 1.0, 10.0)),  # seed line 42
    (18, 318, (None, 1.48, 1.48, 10.0, 1.0, 10.0)),  # seed line 544
], ids=["form02", "form19"])
def test_a_trusted_grid_reads_values_side_by_side_in_a_merged_cell_in_their_columns(form_index, seed, total):
    """Thin rulings 15% broken at -0.7 deg; the grid is trusted.  Read by hand from the
    page: on the 年度资金总额 row the ruling between 全年预算数 and 全年执行数 (form 2,
    42.90 beside 42.90) or between 全年执行数 and 分值 (form 19, 1.48 beside 10.00) is
    lost.  Both values were read into the first column, the second lost; now each is
    in its column.  The row's values as the seed prints them."""
    got, _ = _scan_and_text(FORMS[form_index], ScanSpec(angle=-0.7, seed=seed, line_pt=0.8, rule_gaps=0.15))
    row = got["funding"].set_index("source_key").loc["total"]
    read = tuple(None if row[f] != row[f] else row[f] for f in FUNDING)
    assert read == total


def test_values_off_the_middle_of_cells_merged_over_rows_make_the_grid_untrusted():
    """Each cell merged over two rows holding a value in its lower row is a lost
    ruling; three such make the grid untrusted.  Labels spanning rows, set in their
    middle, are none."""
    ys = tuple(float(y) for y in range(0, 280, 40))
    cells = tuple((r, 0, r, 0) for r in range(6)) + ((0, 1, 1, 1), (2, 1, 3, 1), (4, 1, 5, 1))
    t = Table((0.0, 200.0, 400.0), ys, cells)
    unit = 20.0
    lower = [TextBox("175.82", (260, y + 50, 340, y + 70), 1.0) for y in (0, 80, 160)]
    assert credible_grid([t], lower[:2], unit)
    assert not credible_grid([t], lower, unit)
    centred = [TextBox("项目资金", (260, y + 30, 340, y + 50), 1.0) for y in (0, 80, 160)]
    assert credible_grid([t], centred, unit)


def test_a_text_across_a_column_boundary_with_no_ruling_above_or_below_it_joins_the_cells():
    """The column ruling at x=200 runs through row 0 and stops at row 1 (40-100),
    where one text (y 58-82) runs across it: the only ink on the boundary in row 1
    is the text's strokes, none between the text and the rulings across.  The two
    cells are one.  With the ruling printed through row 1 (ink above and below the
    text) they stay two: an engine's box can run over a ruling erased under it."""
    unit = 20.0
    ink = np.zeros((140, 400), np.uint8)
    ink[[0, 40, 100, 139], :] = 255
    ink[:, [0, 399]] = 255
    ink[0:41, 199:202] = 255  # the ruling in row 0
    ink[60:80, 198:203] = 255  # the text's strokes on the boundary
    t = Table((0.0, 200.0, 400.0), (0.0, 40.0, 100.0, 140.0),
              ((0, 0, 0, 0), (0, 1, 0, 1), (1, 0, 1, 0), (1, 1, 1, 1), (2, 0, 2, 1)))
    name = [TextBox("机关事业单位人员招录考务费", (100, 58, 330, 82), 1.0)]
    (joined,) = join_texts_cut_apart([t], ink, name, unit)
    assert joined.cells == ((0, 0, 0, 0), (0, 1, 0, 1), (1, 0, 1, 1), (2, 0, 2, 1))
    ruled = ink.copy()
    ruled[40:101, 199:202] = 255
    assert join_texts_cut_apart([t], ruled, name, unit)[0].cells == t.cells
    short = [TextBox("考务费", (195, 58, 245, 82), 1.0)]  # over the boundary by less than half a character
    assert join_texts_cut_apart([t], ink, short, unit)[0].cells == t.cells


def test_a_project_name_across_a_bridged_ruling_gap_is_read_whole():
    """Form 6, 1.8 pt rulings 25% broken at 0.3 deg.  The column ruling between
    全年预算数 and 全年执行数 ends at the 项目名称 row from above (实施单位's left edge)
    and below; the join across its gap lay on the strokes of the project name, so
    the row was parted there and the name read as '机' (and 16 forms' names so).
    Read by hand from the page: no ruling crosses the name; the seed (line 156)
    prints 机关事业单位人员招录考务费."""
    got, _ = _scan_and_text(FORMS[5], ScanSpec(angle=0.3, seed=705, line_pt=1.8, rule_gaps=0.25))
    (row,) = got["forms"].to_dict("records")
    assert row["project_name"] == "机关事业单位人员招录考务费"


def test_tables_lying_over_one_another_are_not_trusted():
    a = Table((0.0, 400.0), (0.0, 200.0), ((0, 0, 0, 0),))
    b = Table((100.0, 300.0), (50.0, 120.0), ((0, 0, 0, 0),))
    below = Table((0.0, 400.0), (210.0, 300.0), ((0, 0, 0, 0),))
    assert not credible_grid([a, b], [], 20.0)
    assert credible_grid([a, below], [], 20.0)


def _tables(path: Path, engines: Engines | None = None) -> dict:
    from selfeval.pipeline import BatchResult

    result = (pipeline.read_file(InputFile(path, path.name), Settings(), engines=engines).result if engines
              else pipeline.process_file(InputFile(path, path.name), Settings()))
    return {k: v.to_pandas() for k, v in BatchResult([result]).tables.items()}


def _engine_boxes(truth, angle: float, matrix: np.ndarray) -> list[TextBox]:
    """The renderer's boxes as an engine reading the deskewed page gives them.

    The scan's boxes are the hulls of the texts turned by ``angle``: taller
    than the text by its width times the sine (a 400 px line 10 px at 0.7
    deg), and a hull mapped back is taller again.  The engine reads the page
    after deskewing, where a text's box is the text's own size; so each box
    keeps its middle, mapped by the deskew, and the size the text was printed
    in (a hull W x H of a text w x h turned by a: W = w cos a + h sin a,
    H = w sin a + h cos a)."""
    c, s = math.cos(math.radians(angle)), abs(math.sin(math.radians(angle)))
    out = []
    for b in truth:
        x0, y0, x1, y1 = b.bbox
        wide, high = x1 - x0, y1 - y0
        w, h = (wide * c - high * s) / (c * c - s * s), (high * c - wide * s) / (c * c - s * s)
        cx, cy = np.array([(x0 + x1) / 2, (y0 + y1) / 2, 1.0]) @ matrix.T
        out.append(TextBox(b.text, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), 1.0))
    return out


def _scan_and_text(form, spec: ScanSpec | None) -> tuple[dict, dict]:
    """The tables of ``form`` scanned at 200 dpi as ``spec`` says, read with the
    renderer's own boxes replayed as the engine's (confidence 1.0), and the
    tables of the same form as text."""
    page, data = make_scan(form, 200, spec)
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    boxes = _engine_boxes(page.boxes, spec.angle if spec else 0.0, prepare_page(rgb).matrix)
    with tempfile.TemporaryDirectory() as tmp:
        scan, text = Path(tmp) / "page.png", Path(tmp) / "page.txt"
        scan.write_bytes(data)
        text.write_text(canonical_text(form_layout(form)), encoding="utf-8")
        return _tables(scan, Engines({"rapidocr": ReplayEngine(boxes)})), _tables(text)


@pytest.mark.parametrize(
    "form_index, spec, floor",
    [
        # indicator and funding values right: on the grid 22 of 48, by position 41, and all 48 once a
        # '100.00' and the '%' wrapped under it are one value and a two-line header joins its row
        (1, ScanSpec(angle=0.5, seed=2, line_pt=1.2, rule_gaps=0.2), 1.0),
        # on the grid 30 of 52, by position 46, then 52 (an indicator name wrapped round its values)
        (5, ScanSpec(angle=-0.4, seed=6, line_pt=0.8, rule_gaps=0.25), 1.0),
        # break patterns the reader was not written against: other forms, seeds, weights, skews
        (10, ScanSpec(angle=-0.3, seed=60, line_pt=1.0, rule_gaps=0.22), 1.0),
        (21, ScanSpec(angle=0.6, seed=91, line_pt=1.4, rule_gaps=0.3), 1.0),
        # grids that were trusted though rulings were lost: 100.00 and 98.00 side by side, 分值 over
        # 10.00 in one cell (all fields 53/80 and 49/80 on the grid)
        (16, ScanSpec(angle=-0.3, seed=66, line_pt=1.0, rule_gaps=0.22), 1.0),
        (25, ScanSpec(angle=0.6, seed=95, line_pt=1.4, rule_gaps=0.3), 1.0),
        # trusted though the frame's top rows were found outside it (65/80 and 81/92 on the grid)
        (12, ScanSpec(angle=0.6, seed=82, line_pt=1.4, rule_gaps=0.3), 1.0),
        (22, ScanSpec(angle=0.6, seed=92, line_pt=1.4, rule_gaps=0.3), 1.0),
        # thin rulings 15% broken, -0.7 deg: trusted though 金 stood beside 市级资金 in one cell and
        # the three level headings shared one (57/80 and 52/80 on the grid)
        (7, ScanSpec(angle=-0.7, seed=307, line_pt=0.8, rule_gaps=0.15), 1.0),
        (12, ScanSpec(angle=-0.7, seed=312, line_pt=0.8, rule_gaps=0.15), 1.0),
        # trusted; 项目资金 read in two pieces, 项目资 beside 市级资金 and 金 beside 区级资金: the two
        # rows were not read (seed line 575: 市级 324.00 209.91 64.79%; 区级 331.09 148.70 148.70 100.00%)
        (19, ScanSpec(angle=-0.7, seed=319, line_pt=0.8, rule_gaps=0.15), 1.0),
    ],
    ids=["form02-broken-20pct", "form06-thin-broken-25pct", "form11-broken-22pct", "form22-heavy-broken-30pct",
         "form17-broken-22pct", "form26-heavy-broken-30pct", "form13-heavy-broken-30pct", "form23-heavy-broken-30pct",
         "form08-thin-broken-15pct", "form13-thin-broken-15pct",
         "form20-thin-broken-15pct"],
)
def test_a_page_whose_rulings_are_lost_reads_its_values_by_position(form_index, spec, floor):
    form = FORMS[form_index]
    got, want = _scan_and_text(form, spec)
    total = right = 0
    for name, fields, key in (("indicators", FIELDS, "indicator_seq"), ("funding", FUNDING, "source_key")):
        merged = want[name].merge(got[name], on=["form_seq", key], how="left", suffixes=("_t", "_s"))
        for _, row in merged.iterrows():
            for f in fields:
                total += 1
                right += bool(same_field(row.get(f"{f}_s"), row.get(f"{f}_t")))
    assert total > 40
    assert right / total >= floor, f"{right}/{total}"


def test_a_grid_showing_lost_rulings_in_cells_merged_off_their_middle_is_not_trusted():
    """Form 4, 1.4 pt rulings 30% broken.  It was trusted with two cells showing a
    lost ruling (预算单位 beside its value; 区级资金 over 上年结转资金) and read 16 of
    80 fields wrong.  Read by hand from the page, two more cells were merged by a
    lost ruling and hold their text wholly in one of their columns, off the merged
    cell's middle: 经济效益指标 in the 二级指标 column of a cell merged with
    一级指标, and a '—' in the 分值 column of a cell merged with 全年执行数.  Now the
    page is read by text positions.  The values, read by hand from the seed (line 97
    on): 区级资金 6.00 6.00 6.00 10.00 100.00% 10.00, 上年结转资金 empty, the three
    indicators' scores 40.00, 30.00, 19.00 and their 偏差原因 empty."""
    form = FORMS[3]
    got, want = _scan_and_text(form, ScanSpec(angle=0.6, seed=73, line_pt=1.4, rule_gaps=0.3))
    funding = got["funding"].set_index("source_key")
    district, carryover = funding.loc["district"], funding.loc["carryover"]
    assert tuple(district[f] for f in FUNDING) == (6.0, 6.0, 6.0, 10.0, 1.0, 10.0)
    assert all(carryover[f] != carryover[f] for f in FUNDING)
    indicators = got["indicators"].set_index("indicator_seq")
    assert indicators["score"].tolist() == [40.0, 30.0, 19.0]
    assert indicators["deviation_note"].isna().all()
    (row,) = got["forms"].to_dict("records")
    assert row["budget_unit"] == form.budget_unit


def test_a_value_under_a_lost_row_ruling_is_read_on_its_own_row():
    """Form 14, thin rulings 15% broken at -0.7 deg: the ruling between 中央资金 and
    市级资金 is lost in the 全年执行数 column (under the seal), so 市级资金's 175.82
    stood in a cell merged with 中央资金's and was read as 中央资金's, with no
    finding.  Read by hand from the seed (line 393 on) and the page: 中央资金 holds
    only '—' (分值, 得分); 市级资金 175.82, 175.82, 100.00%."""
    form = FORMS[13]
    got, _ = _scan_and_text(form, ScanSpec(angle=-0.7, seed=313, line_pt=0.8, rule_gaps=0.15))
    funding = got["funding"].set_index("source_key")
    central, municipal = funding.loc["central"], funding.loc["municipal"]
    assert all(central[f] != central[f] for f in ("budget_initial", "budget_full_year", "executed", "execution_rate"))
    assert (municipal["budget_full_year"], municipal["executed"], municipal["execution_rate"]) == (175.82, 175.82, 1.0)
    assert municipal["budget_initial"] != municipal["budget_initial"]
    total = funding.loc["total"]
    assert (total["budget_full_year"], total["executed"], total["weight"], total["execution_rate"], total["score"]) == \
        (175.82, 175.82, 10.0, 1.0, 10.0)


@pytest.mark.parametrize("form_index, seed", [(19, 319), (26, 326)], ids=["form20", "form27"])
def test_goal_texts_on_the_goal_label_row_under_headings_apart_are_read(form_index, seed):
    """Thin rulings 15% broken, -0.7 deg, a trusted grid.  Read by hand from the page:
    the goal headings are on a row of their own above 年度总体目标 (form 20:
    年初设定目标 in the label column, 实际完成情况 in the fifth; form 27: both in one
    cell), and the two goal texts stand on the 年度总体目标 row itself, the target
    first.  Before, both texts were unparsed_line findings and the goal fields empty;
    now they are the goal's target and actual, as the seed prints them."""
    form = FORMS[form_index]
    got, _ = _scan_and_text(form, ScanSpec(angle=-0.7, seed=seed, line_pt=0.8, rule_gaps=0.15))
    (row,) = got["forms"].to_dict("records")
    assert same_field(row["goal_target"], form.goal_target), row["goal_target"]
    assert same_field(row["goal_actual"], form.goal_actual), row["goal_actual"]
    findings = got["findings"][got["findings"]["code"] == "unparsed_line"]
    assert not any(form.goal_target[:12] in str(m) for m in findings["message"])
