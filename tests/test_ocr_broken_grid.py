"""A ruled grid read through heavy rulings partly broken away.

Broken rulings join cells that were printed apart; what is left of the
rulings (pieces at junctions, pieces the engine reads as 'I' or '一') and
the texts' own places tell the cells apart again.  Small hand-drawn line
masks and tables: each test states the printed layout it stands for.  The
real engine's reading of such a page is replayed from
``tests/recorded_ocr/form06-200dpi-heavy-broken-rules.json`` by
``tests/test_ocr_table.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("cv2", reason="opencv comes with the OCR extra: pip install -e '.[ocr]'")

from selfeval.extract.ocr import Glyph, TextBox  # noqa: E402
from selfeval.extract.ocr.table import (  # noqa: E402
    Table,
    _under,
    boxes_to_rows,
    credible_grid,
    lines_to_tables,
    text_position_rows,
)

UNIT = 20.0


def _masks(width: int, height: int, rows: dict[int, list[tuple[int, int]]], cols: dict[int, list[tuple[int, int]]]):
    """Horizontal and vertical line masks, 3 px thick: ``rows`` y -> [(x0, x1)], ``cols`` x -> [(y0, y1)]."""
    h = np.zeros((height + 1, width + 1), np.uint8)
    v = np.zeros_like(h)
    for y, spans in rows.items():
        for x0, x1 in spans:
            h[max(0, y - 1):y + 2, x0:x1 + 1] = 255
    for x, spans in cols.items():
        for y0, y1 in spans:
            v[y0:y1 + 1, max(0, x - 1):x + 2] = 255
    return h, v


def _l_shaped_grid():
    """Four rows of four columns (100 x 40 px).  The column rulings are lost in row 1
    (a name row: its label and value joined) and the row rulings under it in column 0
    (a label merged over rows 2-3 joined to it): the joined cells make an L."""
    full = [(0, 400)]
    rows = {0: full, 40: full, 80: [(100, 400)], 120: [(100, 400)], 160: full}
    cols = {0: [(0, 160)], 400: [(0, 160)], **{x: [(0, 40), (80, 160)] for x in (100, 200, 300)}}
    return _masks(400, 160, rows, cols)


def test_cells_joined_in_an_l_are_rectangles_not_its_bounding_box():
    """Before, the L's bounding box (rows 1-3, every column) was one merged cell lying
    over the nine cells in its corner.  Now the merged cells are the L's rectangles:
    row 1 whole, and column 0 of rows 2-3; no two cells share a position."""
    h, v = _l_shaped_grid()
    (t,) = lines_to_tables(h, v, UNIT)
    assert (1, 0, 1, 3) in t.cells and (2, 0, 3, 0) in t.cells
    owned = [(r, c) for r0, c0, r1, c1 in t.cells for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    assert sorted(owned) == sorted({(r, c) for r in range(4) for c in range(4)})
    # nothing on the page shows the rulings between the two rectangles: the L is a lost ruling
    assert t.ragged == 1


def test_an_l_parted_where_the_ink_shows_a_ruling_is_no_lost_ruling():
    """The ruling under row 1 in column 0 was printed, only too short a piece to be
    found as a line (a 100 px piece between two breaks): its ink runs out of the
    junction.  The L is parted there, as a merged cell is by a ruling's stub, and it
    is no sign of a lost ruling; without that ink it is."""
    h, v = _l_shaped_grid()
    ink = h | v
    ink[79:82, 0:40] = 255  # the ruling's piece out of the frame's left side, under row 1
    ink[39:82, 99:102] = 255  # the column ruling between the name's label and its value
    (t,) = lines_to_tables(h, v, UNIT, ink)
    assert (1, 0, 1, 3) in t.cells and (2, 0, 3, 0) in t.cells
    assert t.ragged == 0


def test_a_cell_whose_rulings_are_all_cut_off_from_the_frame_is_no_table_of_its_own():
    """Two rows, three columns (200 x 100 px); the top middle cell's rulings are broken
    at every junction, so they make a frame of their own inside the table's.  It was a
    second table lying over the first, and the grid was not trusted."""
    rows = {0: [(0, 185), (200, 400), (415, 600)], 100: [(0, 185), (200, 400), (415, 600)], 200: [(0, 600)]}
    cols = {0: [(0, 200)], 600: [(0, 200)], 200: [(0, 100), (115, 200)], 400: [(0, 100), (115, 200)]}
    h, v = _masks(600, 200, rows, cols)
    tables = lines_to_tables(h, v, UNIT)
    assert len(tables) == 1
    assert [round(x) for x in tables[0].xs] == [0, 200, 400, 600]
    assert credible_grid(tables, [], UNIT)


def test_a_label_and_its_value_merged_over_several_columns_are_each_their_own():
    """The top row: 实施单位 in column 0 and its value printed in a cell merged over
    columns 1-4; the ruling between them lost.  The value is read in column 1 (the
    first of its cell) and the label alone in column 0."""
    t = Table((0.0, 100.0, 200.0, 300.0, 400.0, 500.0), (0.0, 40.0), ((0, 0, 0, 4),))
    label = TextBox("实施单位", (10, 10, 90, 30), 1.0)
    value = TextBox("重庆市荣昌区人力资源和社会保障局", (150, 10, 450, 30), 1.0)
    (row,) = boxes_to_rows([t], [label, value], UNIT)
    assert [c.text for c in row.cells] == ["实施单位", "重庆市荣昌区人力资源和社会保障局", "", "", ""]
    assert row.boxes[1] == (100.0, 0.0, 500.0, 40.0)


def test_a_two_line_label_beside_a_one_line_text_in_a_merged_cell_is_each_its_columns():
    """二级指标 服务对象满意度指标 on two lines beside the one-line 三级指标 使用单位满意度,
    the ruling between them lost: each is read in its own column."""
    t = Table((0.0, 100.0, 300.0, 500.0), (0.0, 50.0), ((0, 0, 0, 0), (0, 1, 0, 2)))
    boxes = [TextBox("服务对象满意", (110, 5, 290, 25), 1.0), TextBox("度指标", (150, 27, 250, 47), 1.0),
             TextBox("使用单位满意度", (305, 15, 480, 35), 1.0)]
    (row,) = boxes_to_rows([t], boxes, UNIT)
    assert [c.text for c in row.cells] == ["", "服务对象满意度指标", "使用单位满意度"]
    # one text wrapped over two lines, set across the boundary, stays whole
    wrapped = [TextBox("2020年建成人力资源服务", (110, 5, 480, 25), 1.0), TextBox("产业园", (250, 27, 350, 47), 1.0)]
    (row,) = boxes_to_rows([t], wrapped, UNIT)
    assert [c.text for c in row.cells] == ["", "2020年建成人力资源服务产业园", ""]


def test_a_text_wholly_in_a_tall_row_of_a_merged_cell_is_that_rows():
    """Column 1's cell merged over a short row (40 px, 经济效益指标) and a tall one (80 px,
    社会效益指标), the ruling between them lost: the 三级指标 printed on two lines in the
    tall row covers the merged cell's middle, but is not centred on it.  It is the tall
    row's; a text centred on the merged cell stays its first row's."""
    t = Table((0.0, 200.0, 400.0), (0.0, 40.0, 120.0), ((0, 0, 0, 0), (1, 0, 1, 0), (0, 1, 1, 1)))
    names = [TextBox("经济效益指标", (20, 10, 120, 30), 1.0), TextBox("社会效益指标", (20, 70, 120, 90), 1.0)]
    text = [TextBox("入驻人力资源服产", (220, 55, 380, 75), 1.0), TextBox("业园企业个数", (240, 78, 360, 98), 1.0)]
    rows = boxes_to_rows([t], names + text, UNIT)
    assert [[c.text for c in r.cells] for r in rows] == [["经济效益指标", ""], ["社会效益指标", "入驻人力资源服产业园企业个数"]]
    centred = [TextBox("项目资金", (260, 50, 340, 70), 1.0)]
    rows = boxes_to_rows([t], names + centred, UNIT)
    assert [r.cells[1].text for r in rows] == ["项目资金", ""]


def test_pieces_of_ruling_read_as_text_are_not_read():
    """A piece of the right frame read as 'i' (its box across the line, its middle
    off it), a piece of a column ruling as '一', a piece of a row ruling as '一', and a
    comma the engine read where a column ruling was erased under its line
    (到高校招聘场次，≥15场 across the ruling between 三级指标 and its target)."""
    t = Table((0.0, 200.0, 400.0), (0.0, 40.0, 80.0), ((0, 0, 0, 0), (0, 1, 0, 1), (1, 0, 1, 0), (1, 1, 1, 1)))
    name = "到高校招聘场次"
    glyphs = tuple(Glyph(ch, 40 + 20 * k, 60 + 20 * k, 1.0) for k, ch in enumerate(name)) + (
        Glyph("，", 190, 210, 0.9), *(Glyph(ch, 230 + 20 * k, 250 + 20 * k, 1.0) for k, ch in enumerate("≥15场")))
    line = TextBox(name + "，≥15场", (40, 10, 310, 30), 0.99, glyphs)
    pieces = [TextBox("i", (360, 45, 420, 75), 0.5), TextBox("一", (192, 50, 206, 70), 0.9),
              TextBox("一", (90, 37, 110, 43), 0.9)]
    rows = boxes_to_rows([t], [line, *pieces], UNIT)
    assert [[c.text for c in r.cells] for r in rows] == [[name, "≥15场"], ["", ""]]
    assert credible_grid([t], [line, *pieces], UNIT)


def _box(text: str, x0: float, y0: float, glyphs: tuple[Glyph, ...] = (), conf: float = 1.0) -> TextBox:
    x1 = glyphs[-1].x1 if glyphs else x0 + 20 * len(text)
    return TextBox(text, (x0, y0, x1, y0 + UNIT), conf, glyphs)


def test_text_positions_cut_boxes_at_the_found_column_rulings():
    """Five columns of 100 px, three rows of 40 px, every ruling found; a grid read by text
    positions (as when too many rulings elsewhere were lost).  Printed: a head row
    名称 预算 执行 分值 得分; 资金 8.20 8.20 10.00 (execution and weight set close to the
    ruling between them, whose erased piece the engine read as a '1' at 0.6 inside the one
    box it made of both); 其他 0.00 0.00 10.00 5.00, with a junction's stub and dashes at
    the left of the row read as 'l--.' at 0.5."""
    t = Table((0, 100, 200, 300, 400, 500), (0, 40, 80, 120), tuple((r, c, r, c) for r in range(3) for c in range(5)))
    head = [_box(w, 30 + 100 * k, 10) for k, w in enumerate(("名称", "预算", "执行", "分值", "得分"))]
    joined = tuple(Glyph(w, x0, x1, c) for w, x0, x1, c in (("8.20", 240, 292, 1.0), ("1", 294, 306, 0.6),
                                                             ("10.00", 308, 370, 1.0)))
    funding = [_box("资金", 30, 50), _box("8.20", 125, 50, (Glyph("8.20", 125, 175, 1.0),)),
               _box("8.2010.00", 240, 50, joined)]
    other = [_box("l--.", 85, 85, (Glyph("l--.", 85, 135, 0.5),), 0.5), _box("其他", 30, 90),
             *(_box(w, 125 + 100 * k, 90, (Glyph(w, 125 + 100 * k, 175 + 100 * k, 1.0),))
               for k, w in enumerate(("0.00", "0.00", "10.00", "5.00")))]
    rows = [[c.text for c in r.cells] for r in text_position_rows(head + funding + other, UNIT, [t])]
    assert rows == [["名称", "预算", "执行", "分值", "得分"],
                    ["资金", "8.20", "8.20", "10.00", ""],
                    ["其他", "0.00", "0.00", "10.00", "5.00"]]


def test_a_wrapped_line_under_a_box_reaching_over_a_rulings_stub_continues_it():
    """A label 绩效指 / 标 in one cell, characters 20 px: the first line's box reaches over a
    ruling's stub beside it and is 33 px high, so it lies 13 px (0.65 character) over the
    box of its next line 标; the next line is still the label's.  A box 18 px (0.9
    character) into the one above is that box's own line, read apart, not its next line."""
    label, wrapped = TextBox("绩效指", (100, 0, 160, 33), 1.0), TextBox("标", (120, 20, 140, 40), 1.0)
    value, beside = TextBox("95%", (300, 0, 360, 20), 1.0), TextBox("≥", (310, 2, 330, 22), 1.0)
    assert _under([[label], [wrapped]], UNIT) == [(wrapped, label)]
    assert _under([[value], [beside]], UNIT) == []
