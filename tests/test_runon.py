"""Run-on text (cells printed one after another with nothing between them, as
the OCR text layer of ../shared/real-excerpts/07_* and 08_*) on shapes the
reader was not written against: the clean hand-made copies in
fixtures/templates with every tab and line break removed and the text cut
into lines of 300 characters, plus a slip of the kind OCR makes.  The
expected values are the hand-typed ones of tests/test_department_forms.py."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from test_department_forms import DEPARTMENT

from selfeval.normalize.runon import atoms, cut_budget, cut_pair, department_row
from selfeval.pipeline import run

TEMPLATES = Path("fixtures/templates")


def _run_on(text: str, width: int = 300) -> str:
    flat = "".join(cell for line in text.splitlines() for cell in line.split("\t"))
    return "\n".join(flat[i : i + width] for i in range(0, len(flat), width)) + "\n"


def _tables(path: Path) -> dict:
    result = run([path])
    return {k: v.to_pylist() for k, v in result.tables.items()}


@pytest.fixture(scope="module")
def department(tmp_path_factory):
    text = _run_on((TEMPLATES / "department-whole-2021.txt").read_text(encoding="utf-8"))
    text = text.replace("年初预算数", "年初预匏数", 1).replace("定性指标", "性标定指", 1)  # OCR slips
    path = tmp_path_factory.mktemp("runon") / "department-run-on.txt"
    path.write_text(text, encoding="utf-8")
    return _tables(path)


def test_department_form_run_together_reads_every_row(department):
    [form] = department["forms"]
    assert (form["title"], form["form_kind"], form["total_score"], form["contact_person"]) == (
        "部门整体绩效自评表", "department", 97.6, "曾雪莲")
    [total] = department["funding"]
    assert (total["execution_rate"], total["weight"], total["score"]) == (0.76, 10.0, 7.6)
    rows = department["indicators"]
    assert len(rows) == len(DEPARTMENT)
    for row, want in zip(rows, DEPARTMENT, strict=True):
        name, unit, kind, target, actual, coefficient, weight, score, core = want
        got = (row["level3"], row["measure_unit"], row["indicator_kind"], row["target_raw"], row["actual_raw"],
               row["score_coefficient"], row["weight"], row["score"], row["is_core"])
        assert got == (name, unit, kind, target, actual, coefficient, weight, score, core), name
    said = {f["code"] for f in department["findings"]}
    assert "label_repaired" in said  # 年初预匏数, 性标定指: read, and said


def test_department_goal_texts_run_together_are_reported(department):
    [form] = department["forms"]
    assert form["goal_target"] is None and form["goal_actual"] is None
    texts = " ".join(f["text"] or "" for f in department["findings"] if f["code"] == "unparsed_line")
    assert "通过整合各级各类媒体" in texts and "中心2021年较好地完成了履职任务" in texts


def test_four_dimension_form_run_together_head_funding_read_indicators_reported(tmp_path):
    path = tmp_path / "four-dimension-run-on.txt"
    path.write_text(_run_on((TEMPLATES / "four-dimension-2021.txt").read_text(encoding="utf-8")), encoding="utf-8")
    tables = _tables(path)
    [form] = tables["forms"]
    assert (form["title"], form["year"], form["project_name"], form["department"], form["implementing_unit"],
            form["total_score"]) == ("银川市本级部门项目支出绩效自评表(2021年)", 2021, "初中公用经费", "银川市教育局",
                                     "银川市第六中学", 98.0)
    [total] = tables["funding"]
    assert (total["source_key"], total["budget_initial"], total["budget_full_year"], total["executed"],
            total["execution_rate"]) == ("total", 64.8, 64.8, 64.8, 1.0)
    assert tables["indicators"] == []
    texts = " ".join(f["text"] or "" for f in tables["findings"] if f["code"] == "unparsed_line")
    for name in ("完整性", "财务管理制度有效性", "保障人数", "绿化、水电费等成本", "效果显著"):
        assert name in texts  # the rows it cannot cut are reported with their text
    assert "保障学校正常工作运行" in texts  # one goal text after both header words: not shared out, reported


def test_glued_numbers_are_cut_by_the_arithmetic():
    assert cut_pair("1010", Decimal(1)) == ("10", "10")
    assert cut_pair("107.6", Decimal("0.76")) == ("10", "7.6")
    assert cut_pair("108", Decimal("0.8")) == ("10", "8")
    assert cut_pair("22", Decimal("0.5")) is None  # 2 × 50% is not 2
    assert cut_budget("64.864.864.8100%", 3) == (["64.8", "64.8", "64.8", "100%"], "")
    assert cut_budget("42.942.940.093.24%109.32", 3) == (["42.9", "42.9", "40.0", "93.24%", "10", "9.32"], "")
    assert cut_budget("O76%107.6", 3) == (["O", "76%", "10", "7.6"], "")
    assert atoms("到0次43次", "次") == ["到0次", "43次"]
    assert atoms("3%0", None) == ["3%", "0"]


def test_a_department_row_is_read_by_what_its_parts_are():
    assert department_row("固定资产利用率%定量指标90%100%100%22否") == {
        "level3": "固定资产利用率", "measure_unit": "%", "indicator_kind": "定量指标", "target": "90%",
        "actual": "100%", "score_coefficient": "100%", "weight": "2", "score": "2", "is_core": "否"}
    row = department_row("培训人次人次≥300人次320人次80%108是")  # a two-character unit, a coefficient of 80%
    assert (row["level3"], row["target"], row["actual"], row["weight"], row["score"]) == (
        "培训人次", "≥300人次", "320人次", "10", "8")
    row = department_row("服务质量定性指标优优100%55否")
    assert (row["level3"], row["indicator_kind"], row["target"], row["actual"]) == ("服务质量", "定性指标", "优", "优")
