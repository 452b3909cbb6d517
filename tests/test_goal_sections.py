"""The Sichuan 项目基本情况 block (as in ../shared/real-excerpts/04_* and 05_*),
on a shape of our own: the split-target form of fixtures/templates with its
年度总体目标 block replaced by 项目基本情况 | 1.项目年度目标完成情况 | 项目年度目标 |
年度目标完成情况, placed after the funding block (the real forms print it
before), with a 2.项目实施内容及过程概述 section no table has a column for.
Tab-separated, and flattened one cell per line (``a |``).  Expected values
are the fixture's text, typed here by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfeval.pipeline import run

FOLDER = Path("fixtures/sections")
SHAPES = ["basic-info-goal-tabs.txt", "basic-info-goal-cell-per-line.txt"]


@pytest.fixture(scope="module")
def tables():
    result = run([FOLDER / name for name in SHAPES])
    assert not result.failed_inputs
    return {k: v.to_pylist() for k, v in result.tables.items()}


@pytest.mark.parametrize("doc", SHAPES)
def test_goal_read_into_the_goal_columns(tables, doc):
    [form] = [f for f in tables["forms"] if f["doc_id"] == doc]
    assert form["goal_target"] == "招聘大学生20名,发放生活补助。"
    assert form["goal_actual"] == "招聘18名,补助按时发放。"
    assert form["project_name"] == "2021年高校毕业生生活补助"
    funding = {r["source_key"]: r for r in tables["funding"] if r["doc_id"] == doc}
    assert set(funding) == {"total", "fiscal", "special_account", "unit_funds", "other"}
    assert (funding["total"]["executed"], funding["total"]["score"]) == (40.0, 9.32)
    names = [r["level3"] for r in tables["indicators"] if r["doc_id"] == doc]
    for name in ("生活补助人数", "慰问次数", "人均补助标准", "服务基层覆盖率", "补助人员满意度"):
        assert name in names


@pytest.mark.parametrize("doc", SHAPES)
def test_a_section_without_a_column_is_reported_with_its_text(tables, doc):
    said = [f"{f['text'] or ''} {f['message']}" for f in tables["findings"]
            if f["doc_id"] == doc and f["code"] == "unparsed_line"]
    assert any("项目实施内容及过程概述" in s for s in said), said
    assert any("全年招聘大学生18名" in s and "按月发放生活补助。" in s for s in said), said
    [form] = [f for f in tables["forms"] if f["doc_id"] == doc]
    for value in (form["goal_target"], form["goal_actual"]):
        assert "项目实施" not in value and "按月发放" not in value


# The indicator rows of basic-info-goal-tabs.txt (lines 16-20), typed by hand
# from the tab source: (level1, level2, level3, target_op, target_value,
# target_unit, actual_value, weight, score, deviation_note).  Line 16's last
# cell, 部分人员放弃岗位, is under 未完成原因分析 (line 15's last column).
HAND_INDICATORS = [
    ("产出指标", "数量指标", "生活补助人数", "≥", 20.0, "人", 18.0, 30.0, 27.0, "部分人员放弃岗位"),
    ("产出指标", "数量指标", "慰问次数", "=", 2.0, "次", 2.0, 20.0, 20.0, ""),
    ("成本指标", "经济成本指标", "人均补助标准", "≤", 2.5, "万元/人", 2.2, 20.0, 20.0, ""),
    ("效益指标", "社会效益指标", "服务基层覆盖率", "≥", 100.0, "%", 100.0, 10.0, 10.0, ""),
    ("满意度指标", "服务对象满意度指标", "补助人员满意度", "≥", 95.0, "%", 96.0, 10.0, 10.0, ""),
]
FIELDS = ("level1", "level2", "level3", "target_op", "target_value", "target_unit", "actual_value", "weight", "score",
          "deviation_note")


def _indicators(rows, doc):
    return [tuple(r[f] or "" if f in ("deviation_note",) else r[f] for f in FIELDS)
            for r in rows if r["doc_id"] == doc]


@pytest.mark.parametrize("doc", SHAPES)
def test_a_note_after_the_last_value_is_the_rows_deviation_note(tables, doc):
    """One cell per line, 部分人员放弃岗位 comes after the row's 得分 and before
    the next row's blank 一级/二级 cells: it is the row's 未完成原因分析, not
    an indicator of its own."""
    assert _indicators(tables["indicators"], doc) == HAND_INDICATORS
    assert not [f for f in tables["findings"] if f["doc_id"] == doc and f["code"] == "uncertain_reading"]


def _pipe_cells(text: str) -> str:
    """A tab-separated text flattened one cell per line, ``cell |``, empty
    cells kept (``|``), as a web page's table copies."""
    out = []
    for line in text.split("\n"):
        if "\t" in line:
            out.extend(f"{c.strip()} |" if c.strip() else "|" for c in line.split("\t"))
        elif line.strip():
            out.append(f"{line.strip()} |")
    return "\n".join(out) + "\n"


def test_notes_on_two_rows_flattened_one_cell_per_line(tmp_path):
    """basic-info-goal-tabs.txt with a second note (慰问次数, line 17: 一次慰问延期),
    flattened one cell per line, empty cells kept: each note stays on its row."""
    lines = (FOLDER / "basic-info-goal-tabs.txt").read_text(encoding="utf-8").split("\n")
    assert lines[16].startswith("\t\t慰问次数") and lines[16].endswith("\t")
    lines[16] += "一次慰问延期"
    path = tmp_path / "two-notes-cell-per-line.txt"
    path.write_text(_pipe_cells("\n".join(lines)), encoding="utf-8")
    result = run([path])
    expected = list(HAND_INDICATORS)
    expected[1] = (*expected[1][:-1], "一次慰问延期")
    assert _indicators(result.tables["indicators"].to_pylist(), path.name) == expected


SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")


@pytest.mark.parametrize("shape", ["cell_per_line", "single_spaces"])
def test_a_seed_forms_note_in_a_shape_without_cell_boundaries(tmp_path, shape):
    """The seed with a note in form 1's 偏差原因分析及改进措施 column (line 21,
    补助引进人才企业数), in tests/make_token_shapes.py's shapes (empty cells
    gone): the note is that row's deviation_note and no indicator of its own.
    Expected: the hand reading of form 1 (fixtures/expected/hand/indicators.csv)
    with that note."""
    import csv
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import make_token_shapes

    lines = SEED.read_text(encoding="utf-8").split("\n")
    row = lines[20].split("\t")  # line 21
    assert row[3] == "补助引进人才企业数" and row[8] == ""
    row[8] = "两家企业延期落户"
    lines[20] = "\t".join(row)
    path = tmp_path / f"seed-note-{shape}.txt"
    path.write_text(getattr(make_token_shapes, shape)(lines), encoding="utf-8")
    result = run([path])
    got = [r for r in result.tables["indicators"].to_pylist() if r["form_seq"] == 1]
    with open("fixtures/expected/hand/indicators.csv", encoding="utf-8") as fh:
        hand = [r for r in csv.DictReader(fh) if r["form_seq"] == "1"]
    hand[0]["deviation_note"] = "两家企业延期落户"
    assert len(got) == len(hand)
    for g, h in zip(got, hand, strict=True):
        for f in ("level1", "level2", "level3", "target_op", "target_unit", "actual_unit", "deviation_note"):
            assert (g[f] or "") == h[f], (h["indicator_seq"], f)
        for f in ("target_value", "actual_value", "weight", "score"):
            assert g[f] == (float(h[f]) if h[f] else None), (h["indicator_seq"], f)
