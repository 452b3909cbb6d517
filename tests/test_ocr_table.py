"""Scan reading without the OCR engine: rendered pages, generator truth and recorded boxes.

The pages come from ``scangen`` (the seed's forms drawn as printed tables and
degraded like scans).  Text boxes come either from the renderer itself (a
perfect reader: every miss is then our table code's fault) or from real engine
output recorded in ``recorded_ocr/`` (``python -m scangen record``).
"""

from __future__ import annotations

import dataclasses
import io
import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

cv2 = pytest.importorskip("cv2", reason="opencv comes with the OCR extra: pip install -e '.[ocr]'")

from scangen import (  # noqa: E402
    ScanSpec,
    canonical_rows,
    canonical_text,
    degrade,
    form_layout,
    make_scan,
    parse_seed,
    render_page,
)
from scangen.cases import RECORDED, RECORDED_DIR, scan_for  # noqa: E402
from scangen.compare import norm  # noqa: E402

from selfeval.extract.context import ReadContext  # noqa: E402
from selfeval.extract.grid import SourceRow  # noqa: E402
from selfeval.extract.image import _placeholder, low_confidence_findings, ocr_page_image, read_image  # noqa: E402
from selfeval.extract.ocr import Engines, Glyph, ReplayEngine, TextBox, load_boxes  # noqa: E402
from selfeval.extract.ocr.page import (  # noqa: E402
    map_boxes,
    prepare_page,
    recorded_boxes,
    recorded_engine,
    suppress_seal,
)
from selfeval.extract.ocr.table import (  # noqa: E402
    _join_number_tails,
    _split_across,
    cluster_table,
    find_lines,
    lines_to_tables,
    text_position_rows,
)
from selfeval.extract.readers import Source  # noqa: E402
from selfeval.settings import Settings  # noqa: E402

FORMS = parse_seed()
NULLS = {"", "—", "——", "---"}


def rgb_of(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def truth_boxes(page) -> list[TextBox]:
    return [TextBox(b.text, b.bbox, 1.0) for b in page.boxes]


def replay(rgb: np.ndarray, boxes_in_scan_frame: list[TextBox]) -> list[SourceRow]:
    """Read a page with given boxes (in the scan's pixels) instead of the engine."""
    engine = ReplayEngine(map_boxes(boxes_in_scan_frame, prepare_page(rgb).matrix))
    return ocr_page_image(Image.fromarray(rgb), 1, Settings(), engine=engine)


def replay_recorded(rgb: np.ndarray, recorded: dict) -> list[SourceRow]:
    """Read a page with recorded engine output (boxes on the deskewed page, see :func:`recorded_boxes`)."""
    return ocr_page_image(Image.fromarray(rgb), 1, Settings(), engine=recorded_engine(rgb, recorded))


def same(got: str, want: str) -> bool:
    return norm(got) == norm(want) or (got in NULLS and want in NULLS)


def compare(rows: list[SourceRow], form_index: int) -> tuple[int, int, list[tuple[int, int, str, str, float | None]]]:
    want = canonical_rows(form_layout(FORMS[form_index]))
    assert len(rows) == len(want), [r.cells for r in rows]
    total = right = 0
    wrong = []
    for k, (row, w) in enumerate(zip(rows, want, strict=True)):
        assert len(row.cells) == len(w), (k, row.cells, w)
        for c, (g, x) in enumerate(zip(row.cells, w, strict=True)):
            if g or x:
                total += 1
                if same(g, x):
                    right += 1
                else:
                    wrong.append((k, c, g, x, row.confidence[c] if row.confidence else None))
    return right, total, wrong


def layout_cells(form_index: int) -> set[tuple[int, int, int, int]]:
    layout = form_layout(FORMS[form_index])
    return {(c.row, c.col, c.row + c.rowspan - 1, c.col + c.colspan - 1) for c in layout.cells}


# -- the grid from ruling lines ---------------------------------------------


@pytest.mark.parametrize(
    "form_index, dpi, spec",
    [
        (0, 200, None),
        (14, 300, None),
        (1, 200, ScanSpec(angle=0.9, seed=2)),
        (21, 300, ScanSpec(angle=-0.5, seed=22)),
    ],
    ids=["form01-200", "form15-300", "form02-200-stamp-skew", "form22-300-stamp-skew"],
)
def test_ruling_lines_give_the_printed_grid_with_its_merged_cells(form_index, dpi, spec):
    _, data = make_scan(FORMS[form_index], dpi, spec)
    page = prepare_page(rgb_of(data))
    tables = lines_to_tables(*find_lines(page.binary, page.unit), page.unit)
    assert len(tables) == 1
    table = tables[0]
    assert len(table.xs) - 1 == 9
    assert len(table.ys) - 1 == form_layout(FORMS[form_index]).nrows
    assert set(table.cells) == layout_cells(form_index)


@pytest.mark.parametrize("angle", [0.3, -0.6, 1.0])
def test_deskew_finds_the_rotation_of_a_stamped_noisy_scan(angle):
    _, data = make_scan(FORMS[3], 200, ScanSpec(angle=angle, seed=4))
    assert prepare_page(rgb_of(data)).angle == pytest.approx(-angle, abs=0.08)


def test_straight_page_is_not_turned():
    _, data = make_scan(FORMS[3], 200, None)
    page = prepare_page(rgb_of(data))
    assert page.angle == 0.0
    assert np.array_equal(page.matrix, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))


def test_red_seal_is_removed_and_the_text_under_it_kept():
    page = render_page(form_layout(FORMS[0]), dpi=200)
    stamped, _ = degrade(page, ScanSpec(angle=0.0, blur=0.0, noise=0.0, jpeg_quality=95, seed=1), "重庆市荣昌区人力资源和社会保障局")
    cx, cy = stamped.stamp_center
    r = round(20 * 200 / 25.4)
    region = (slice(round(cy) - r, round(cy) + r), slice(round(cx) - r, round(cx) + r))
    clean = np.asarray(page.image.convert("L"))[region]
    raw = np.asarray(stamped.image.convert("L"))[region]
    cleaned = suppress_seal(np.asarray(stamped.image))[region]
    paper = clean > 200
    assert (raw[paper] < 180).mean() > 0.05  # the seal is there ...
    assert (cleaned[paper] < 180).mean() < 0.005  # ... and gone
    ink = clean < 100
    assert ink.sum() > 500
    assert (cleaned[ink] < 128).mean() > 0.95  # text under the seal stays black


@pytest.mark.parametrize("colour", ["red", "blue"])
def test_grey_seal_is_removed_ring_and_star_and_the_text_under_it_kept(colour):
    """A 16-level greyscale scan: the seal's ring and star print at one grey level, the
    level the split between text and seal falls on, so removing only what is lighter
    than the split left the star and most of the ring (on the clean page's paper
    around the seal, 11-13% of pixels stayed darker than 180).  Now the seal's box is
    grown over its ring and only the text's strokes and their edges are kept in it."""
    from scangen.render import render_page

    page, data = make_scan(FORMS[0], 200, ScanSpec(angle=0.0, seed=3, output="png-grey16", stamp_color=colour))
    cx, cy = page.stamp_center
    r = round(20 * 200 / 25.4)
    region = (slice(round(cy) - r, round(cy) + r), slice(round(cx) - r, round(cx) + r))
    clean = np.asarray(render_page(form_layout(FORMS[0]), dpi=200).image.convert("L"))[region]
    rgb = rgb_of(data)
    raw = rgb[..., 0][region]
    cleaned = suppress_seal(rgb)[region]
    paper, ink = clean > 200, clean < 100
    assert (raw[paper] < 180).mean() > 0.15  # the seal is there ...
    assert (cleaned[paper] < 180).mean() < 0.07  # ... and mostly gone
    assert ink.sum() > 5000
    assert (cleaned[ink] < 128).mean() > 0.98  # text under the seal stays black


def test_a_palette_seal_is_removed_where_it_lies_and_the_text_beside_it_left_as_printed():
    """Form 16, a palette PNG with a blue seal (seed 1070, -0.6 deg): the palette's greys along the
    text's edges join the seal's light ink into one patch reaching far over the text beside the seal
    (x 422-1223 px on a 1654 px page for a seal 315 px across), and the removal inside it took
    strokes off characters 60 mm from the seal (重 of 重庆市 read 中).  The seal's place is the
    largest cluster of its light ink away from the text's strokes, and the others as far as a seal
    reaches across: the seal's square (the generator stamps 40 mm across at ``stamp_center``) holds
    the removal, and the text outside it keeps every dark pixel of the page turned back as the
    removal turned it."""
    page, data = make_scan(FORMS[15], 200, dataclasses.replace(RECORDED["form03-200dpi-blue-seal-palette"].scan, seed=1070))
    rgb = rgb_of(data)
    prepared = prepare_page(rgb)
    assert prepared.seal is not None
    cx, cy = page.stamp_center
    half = 26 * 200 / 25.4  # the seal's half-width (20 mm) and 6 mm, for its rim
    ys, xs = np.nonzero(prepared.seal.mask)
    assert cx - half <= xs.min() < xs.max() <= cx + half and cy - half <= ys.min() < ys.max() <= cy + half
    # the page turned back as prepare_page turned it, without removing anything
    back = cv2.warpAffine(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), prepared.matrix, rgb.shape[1::-1],
                          flags=cv2.INTER_CUBIC, borderValue=255)
    away = np.ones(back.shape, bool)
    away[max(0, round(cy - half)):round(cy + half), max(0, round(cx - half)):round(cx + half)] = False
    dark = (back < 128) & away
    assert dark.sum() > 50_000
    assert (prepared.gray[dark] < 128).mean() > 0.999


# -- perfect reading: every miss would be the table code's ---------------------


@pytest.mark.parametrize(
    "form_index, dpi, spec",
    [(0, 200, None), (14, 200, ScanSpec(angle=0.7, seed=3)), (8, 300, ScanSpec(angle=-1.0, seed=5))],
    ids=["form01-clean", "form15-stamp-skew", "form09-300-stamp-skew"],
)
def test_perfect_reading_gives_back_the_canonical_rows(form_index, dpi, spec):
    page, data = make_scan(FORMS[form_index], dpi, spec)
    rows = replay(rgb_of(data), truth_boxes(page))
    want = canonical_rows(form_layout(FORMS[form_index]))
    assert [len(r.cells) for r in rows] == [len(w) for w in want]
    # exact but for spaces: a space the printer wrapped a line at is not visible on paper
    assert [[c.replace(" ", "") for c in r.cells] for r in rows] == [[c.replace(" ", "") for c in w] for w in want]
    assert [r.line for r in rows] == list(range(1, len(rows) + 1))
    assert {r.page for r in rows} == {1}
    for row in rows:
        assert len(row.confidence) == len(row.cells)
        assert all((c is None) == (not t) for t, c in zip(row.cells, row.confidence, strict=True))


def test_a_mark_the_reader_missed_makes_its_cell_doubtful():
    page, data = make_scan(FORMS[0], 200, None)
    boxes = [b for b in truth_boxes(page) if b.text not in ("3人", "—")]
    rows = replay(rgb_of(data), boxes)
    by_text = {r.cells[3]: r for r in rows if len(r.cells) > 3}
    row = by_text["引进人才数"]
    assert row.cells[5] == "" and row.confidence[5] == 0.0  # ink nobody read
    findings = low_confidence_findings(rows, Settings())
    assert any(f.line == row.line and "did not read" in f.message for f in findings)
    funding = next(r for r in rows if len(r.cells) > 1 and r.cells[1] == "其中：中央资金")
    assert funding.cells[5] == "—" and funding.cells[7] == "—"  # dashes recognised by their shape


def test_box_running_over_a_cell_edge_is_cut_at_its_glyphs():
    glyphs = tuple(Glyph(ch, 100 + 20 * i, 118 + 20 * i, 0.99 if i < 5 else 0.7) for i, ch in enumerate("13.0413.04"))
    box = TextBox("13.0413.04", (100, 10, 298, 40), 0.7, glyphs)
    left, right = _split_across(box, [199.0])
    assert (left.text, right.text) == ("13.04", "13.04")
    assert left.confidence == 0.99 and right.confidence == 0.7
    plain = TextBox("预算单位实施单位", (0, 0, 800, 40), 0.9)
    assert [p.text for p in _split_across(plain, [400.0])] == ["预算单位", "实施单位"]


# -- recorded real engine output ---------------------------------------------------

RULED = [name for name, case in RECORDED.items() if case.ruled]


@pytest.mark.parametrize("name", RULED)
def test_recorded_engine_output_reads_the_form(name):
    case = RECORDED[name]
    recorded = json.loads((RECORDED_DIR / f"{name}.json").read_text(encoding="utf-8"))
    _, data = scan_for(case)
    rows = replay_recorded(rgb_of(data), recorded)
    right, total, wrong = compare(rows, case.form_index)
    assert right / total >= case.floor, wrong
    threshold = Settings().ocr_confidence_threshold
    unflagged = [w for w in wrong if w[4] is None or w[4] >= threshold]
    assert len(unflagged) <= case.unflagged, f"wrong cells that no finding would report: {unflagged}"


def test_borderless_table_falls_back_to_clustering_rows_and_columns():
    form = FORMS[RECORDED["form07-200dpi-borderless"].form_index]
    page, data = make_scan(form, 200, None, ruled=False)
    prepared = prepare_page(rgb_of(data))
    assert lines_to_tables(*find_lines(prepared.binary, prepared.unit), prepared.unit) == []
    rows = [tuple(c.text for c in r.cells) for r in cluster_table(truth_boxes(page), prepared.unit)]
    assert rows[0] == (form.title,)
    columns = set()
    for ind in form.indicators:
        if not ind.target:
            continue
        row = next(r for r in rows if ind.target in r and ind.actual in r)
        at = row.index(ind.target)
        assert row[at + 1:at + 4] == (ind.actual, ind.weight, ind.score)
        columns.add(at)
    assert len(columns) == 1  # the targets line up in one column


def test_recorded_borderless_page_keeps_values_in_their_rows():
    case = RECORDED["form07-200dpi-borderless"]
    recorded = json.loads((RECORDED_DIR / "form07-200dpi-borderless.json").read_text(encoding="utf-8"))
    _, data = scan_for(case)
    rows = replay_recorded(rgb_of(data), recorded)
    form = FORMS[case.form_index]
    texts = [[unicodedata.normalize("NFKC", c) for c in r.cells] for r in rows]
    for ind in form.indicators:
        if ind.target:
            want = [unicodedata.normalize("NFKC", v) for v in (ind.target, ind.actual, ind.weight, ind.score)]
            assert any(all(v in r for v in want) for r in texts), want


# -- small parts ----------------------------------------------------------------


def test_dash_only_cells_become_the_placeholder():
    assert _placeholder("一") == "—"
    assert _placeholder("一一") == "——"
    assert _placeholder(" - ") == "—"
    assert _placeholder("一级指标") == "一级指标"
    assert _placeholder("-5") == "-5"


def test_low_confidence_findings_name_page_row_column_and_text():
    rows = [
        SourceRow(("产出指标", "≥95%", ""), line=4, page=2, confidence=(0.99, 0.62, None)),
        SourceRow(("总分",), line=5, page=2, confidence=(0.95,)),
    ]
    (f,) = low_confidence_findings(rows, Settings(), doc_id="scan.jpg")
    assert (f.code, f.page, f.line, f.text, f.doc_id) == ("low_confidence", 2, 4, "≥95%", "scan.jpg")
    assert "column 2" in f.message and "0.62" in f.message
    assert low_confidence_findings(rows, Settings(ocr_confidence_threshold=0.5)) == []


def test_unreadable_image_is_a_finding_not_an_exception(tmp_path: Path):
    data = b"\x89PNG\r\n\x1a\n" + b"not really a png"
    doc = read_image(Source(tmp_path / "x.png", "x.png", data, "0"), ReadContext.of(Settings()))
    assert not doc.readable
    assert [f.code for f in doc.findings] == ["unreadable_input"]
    assert "PNG or JPEG" in doc.findings[0].message


def test_every_frame_of_a_tiff_is_a_page(tmp_path: Path, monkeypatch):

    frames = [Image.new("RGB", (400, 200), "white") for _ in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    line = TextBox("项目序号：1", (20, 20, 200, 50), 0.5)
    monkeypatch.setattr(Engines, "build", lambda self, name: ReplayEngine([line]))
    doc = read_image(Source(tmp_path / "x.tif", "x.tif", buf.getvalue(), "0"), ReadContext.of(Settings(max_pages=2)))
    assert [(r.page, r.line, r.cells) for r in doc.rows] == [(1, 1, ("项目序号：1",)), (2, 1, ("项目序号：1",))]
    assert [f.code for f in doc.findings] == ["limit_exceeded", "low_confidence", "low_confidence"]
    assert doc.lines == 2


def _fields_against_text(form_index: int, data: bytes, engine, tmp_path: Path) -> tuple[int, int]:
    """(fields right, fields) of a page read with ``engine`` against the form's text reading."""
    from scangen.compare import same_field

    from selfeval import pipeline
    from selfeval.extract.readers import InputFile
    from selfeval.pipeline import BatchResult

    page, txt = tmp_path / "page.png", tmp_path / "form.txt"
    page.write_bytes(data)
    txt.write_text(canonical_text(form_layout(FORMS[form_index])), encoding="utf-8")
    scan = BatchResult([pipeline.read_file(InputFile(page, page.name), Settings(),
                                           engines=Engines({"rapidocr": engine})).result]).tables
    text = BatchResult([pipeline.process_file(InputFile(txt, txt.name), Settings())]).tables
    fields = {"funding": (["source_key"], ("budget_initial", "budget_full_year", "executed", "weight",
                                          "execution_rate", "score")),
              "indicators": (["indicator_seq"], ("level1", "level2", "level3", "target_raw", "actual_raw",
                                                  "weight", "score")),
              "forms": (["form_seq"], ("budget_unit", "project_name", "goal_target", "goal_actual",
                                       "total_weight", "total_score"))}
    right = total = 0
    for name, (keys, columns) in fields.items():
        merged = text[name].to_pandas().merge(scan[name].to_pandas(), on=keys, how="left", suffixes=("_t", "_s"))
        for _, row in merged.iterrows():
            for c in columns:
                total += 1
                right += same_field(row[f"{c}_s"], row[f"{c}_t"])
    return right, total


@pytest.mark.parametrize("form_index, spec", [
    (4, None), (7, None),
    # an indicator name wrapped round its one-line values (25), '100.00%' wrapped
    # with the rows set a line pitch apart (2), a label over two rows between them (10)
    (1, None), (9, None), (24, None),
    # forms not looked at while writing the reader (before: 45, 56, 74 and 66 of their fields)
    (10, None), (11, None), (19, None), (25, None),
    # a '。' wrapped alone (19); scanned: turned, blurred, noisy JPEG (20: a goal of six
    # lines beside one of seven, between the funding rows and the indicators)
    (18, None), (16, ScanSpec(angle=0.4, seed=116, stamp=False)), (19, ScanSpec(angle=0.4, seed=119, stamp=False)),
])
def test_a_page_without_rulings_is_read_by_text_positions_like_an_unruled_pdf(form_index, spec, tmp_path):
    """Seed forms printed without rules (not the recorded borderless form 7), read
    perfectly with the renderer's boxes: wrapped lines join their cell, a centred
    '100.00%' wrapped in two lines is one value on its row, merged labels head
    their rows; every field equals the text reading's."""
    page, data = make_scan(FORMS[form_index], 200, spec, ruled=False)
    right, total = _fields_against_text(form_index, data, ReplayEngine(map_boxes(truth_boxes(page), prepare_page(rgb_of(data)).matrix)), tmp_path)
    assert right == total


BORDERLESS = [name for name, case in RECORDED.items() if not case.ruled]


@pytest.mark.parametrize("name", BORDERLESS)
def test_the_recorded_page_without_rulings_reads_every_field(name, tmp_path):
    """The real engine's boxes on pages printed without rules: form 10 sets two
    columns' texts edge to edge on one line (服务对象满意 | 享受补贴人员满意) and
    wraps labels of two lines; form 24 centres 年初设定目标 over two columns; form 14,
    turned and blurred, boxes a cell's wrapped line (人数) as tall as the numbers
    beside the line above it; form 25, turned 1.2 degrees, boxes 入驻人力资源产业 from
    well left of its first character, into the column before."""
    case = RECORDED[name]
    recorded = json.loads((RECORDED_DIR / f"{name}.json").read_text(encoding="utf-8"))
    _, data = scan_for(case)
    right, total = _fields_against_text(case.form_index, data, recorded_engine(rgb_of(data), recorded), tmp_path)
    assert right == total


def test_a_wrapped_full_stop_the_detector_left_out_is_read_by_the_recognizer_alone(tmp_path):
    """The page turned 4.2 degrees: 确保大龄职工生活补助按时足额发放 wraps its '。' onto a line of its
    own, where the detector found no text; the recorded reading of that mark (the recognizer
    alone, 0.987) puts it back, and the cell is no doubt.  Without it the goal misses its '。'."""
    case = RECORDED["form19-200dpi-rotated-4deg"]
    recorded = json.loads((RECORDED_DIR / "form19-200dpi-rotated-4deg.json").read_text(encoding="utf-8"))
    _, data = scan_for(case)
    rgb = rgb_of(data)
    rows = ocr_page_image(Image.fromarray(rgb), 1, Settings(), engine=recorded_engine(rgb, recorded))
    goal = [(c, k) for r in rows for c, k in zip(r.cells, r.confidence, strict=True) if c.startswith("确保大龄")]
    assert goal == [("确保大龄职工生活补助按时足额发放。", goal[0][1])] and goal[0][1] >= 0.9
    right, total = _fields_against_text(case.form_index, data, recorded_engine(rgb, recorded), tmp_path)
    assert right == total
    unread = ocr_page_image(Image.fromarray(rgb), 1, Settings(), engine=ReplayEngine(recorded_boxes(rgb, recorded)))
    assert any(c == "确保大龄职工生活补助按时足额发放" for r in unread for c in r.cells)


def test_the_page_without_rulings_reads_the_same_when_boxes_move_a_pixel(tmp_path):
    """The engine's boxes for one page differ by a pixel from run to run or machine to
    machine (seen on 10 of this page's 83 boxes): the reading must not hang on it."""
    import random

    case = RECORDED["form07-200dpi-borderless"]
    recorded = json.loads((RECORDED_DIR / "form07-200dpi-borderless.json").read_text(encoding="utf-8"))
    _, data = scan_for(case)
    rng = random.Random(7)
    for _ in range(3):
        moved = []
        for b in load_boxes(recorded["boxes"]):
            dx, dy = rng.choice((-1, 0, 1)), rng.choice((-1, 0, 1))
            x0, y0, x1, y1 = b.bbox
            glyphs = tuple(Glyph(g.text, g.x0 + dx, g.x1 + dx, g.confidence) for g in b.glyphs)
            moved.append(TextBox(b.text, (x0 + dx, y0 + dy, x1 + dx, y1 + dy), b.confidence, glyphs))
        right, total = _fields_against_text(case.form_index, data, ReplayEngine(moved), tmp_path)
        assert right == total


def _box(text: str, cx: float, cy: float) -> TextBox:
    """A rendered line's box at a character height of 20 px: CJK 20 px wide, other
    characters 11; digits alone 16 px high, a '。' alone 8 px, on the line's foot."""
    width = sum(20 if ord(ch) > 0x2000 else 11 for ch in text)
    if text == "。":
        return TextBox(text, (cx - 10, cy + 2, cx + 10, cy + 10), 1.0)
    half = 8 if all(ch.isdigit() or ch in ".%" for ch in text) else 10
    return TextBox(text, (cx - width / 2, cy - half, cx + width / 2, cy + half), 1.0)


# columns (centres): level 2 at 100, indicator at 300, target 460, actual 580, weight 700
_HEADER = [_box("二级指标", 100, 40), _box("三级指标", 300, 40), _box("年度指标值", 460, 40),
           _box("实际完成值", 580, 40), _box("分值", 700, 40)]


def _texts(rows) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in rows]


def test_a_name_wrapped_round_its_one_line_values_stays_on_their_row():
    """The indicator's name takes two lines (27 px apart, 1.35 characters), centred
    on its row; its values take one, between the two name lines.  Read by hand:
    row 1 is 数量指标 / 入驻企业完成招聘场次 / ≥10次 / 15次 / 30.00, row 2 时效指标 /
    完成时限 / ≤12月 / 9月 / 10.00."""
    boxes = _HEADER + [
        _box("数量指标", 100, 100), _box("入驻企业完成招聘", 300, 86.5), _box("场次", 300, 113.5),
        _box("≥10次", 460, 100), _box("15次", 580, 100), _box("30.00", 700, 100),
        _box("时效指标", 100, 160), _box("完成时限", 300, 160), _box("≤12月", 460, 160),
        _box("9月", 580, 160), _box("10.00", 700, 160),
    ]
    assert _texts(text_position_rows(boxes, 20.0)) == [
        ["二级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
        ["数量指标", "入驻企业完成招聘场次", "≥10次", "15次", "30.00"],
        ["时效指标", "完成时限", "≤12月", "9月", "10.00"],
    ]


def test_one_line_cells_of_rows_set_close_are_not_one_wrapped_text():
    """Rows a line pitch apart (27 px), each name one line and centred: 质量指标 sits
    right under 数量指标, but it would have fitted on its line in the widest name
    of the column (入驻企业完成招聘, 8 characters), so 数量指标 did not wrap."""
    boxes = _HEADER + [
        _box("入驻企业完成招聘", 300, 73), _box("≥10次", 460, 73), _box("15次", 580, 73), _box("30.00", 700, 73),
        _box("数量指标", 100, 100), _box("场次", 300, 100), _box("≥2场", 460, 100), _box("3场", 580, 100),
        _box("10.00", 700, 100),
        _box("质量指标", 100, 127), _box("合格率", 300, 127), _box("100%", 460, 127), _box("98%", 580, 127),
        _box("10.00", 700, 127),
    ]
    assert [r[:2] for r in _texts(text_position_rows(boxes, 20.0))] == [
        ["二级指标", "三级指标"], ["", "入驻企业完成招聘"], ["数量指标", "场次"], ["质量指标", "合格率"]]


def test_a_full_stop_wrapped_alone_ends_its_goal():
    """A goal of one full line and a '。' on the next: the '。''s box is a third of a
    line high, set on its line's foot (its gap to the line above is a whole
    character), and still ends the goal."""
    goal = "确保大龄职工生活补助按时足额发放"  # 16 characters: 320 px, the widest in its column
    boxes = _HEADER + [
        _box(goal, 300, 100), _box("。", 300, 127), _box("≥7人", 460, 113.5), _box("7人", 580, 113.5),
        _box("30.00", 700, 113.5),
    ]
    rows = _texts(text_position_rows(boxes, 20.0))
    assert [goal + "。"] == [c for r in rows for c in r if c.startswith("确保")]
    assert "。" not in [c for r in rows for c in r]


def test_a_percent_sign_a_line_pitch_under_its_number_joins_the_closest():
    """Boxes round digits are shorter than a character: '100.00' and the '%' wrapped
    under it leave 11 px (over half a character) between them, their middles a line
    pitch (27 px) apart.  A '%' one row further (two pitches) is not that line."""
    boxes = [_box("100.00", 200, 40), _box("100.00", 200, 73), _box("%", 200, 100)]
    assert [b.text for b in _join_number_tails(boxes, 20.0)] == ["100.00", "100.00%"]
    far = [_box("100.00", 200, 40), _box("%", 200, 94)]
    assert [b.text for b in _join_number_tails(far, 20.0)] == ["100.00", "%"]


@pytest.mark.parametrize(("head", "tail", "joined"), [
    ("100.00", "%", "100.00%"),  # a rate wrapped in a narrow cell
    ("≥95", "%", "≥95%"),  # a target
    ("90", "％", "90％"),  # a full-width percent sign
    ("达标", "%", None),  # text is no number
    ("95%", "%", None),  # a rate already
])
def test_a_percent_sign_wrapped_under_its_number_joins_it(head, tail, joined):
    # one definition of a wrapped number's parts (extract/cells.one_number) for the
    # PDF readers and the OCR'd tables alike
    boxes = [TextBox(head, (100, 10, 160, 30), 0.9), TextBox(tail, (120, 32, 134, 52), 0.8)]
    texts = [b.text for b in _join_number_tails(boxes, 20.0)]
    assert texts == ([joined] if joined else [head, tail])
