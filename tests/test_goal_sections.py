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
