"""Each row's kind, decided in one place by what its cells say."""

from __future__ import annotations

import pytest

from selfeval.extract.grid import SourceRow
from selfeval.normalize.rows import CellKind, cell_kind, cell_kind_in, classify_row, column_block


def _row(*cells: str) -> SourceRow:
    return SourceRow(tuple(cells), 1)


@pytest.mark.parametrize(
    "cells,context,kind",
    [
        (("## 2020年度预算资金项目支出绩效自评表",), "head", "title"),
        (("（2022年度）",), "head", "title"),
        (("项目序号：1",), "head", "seq"),
        (("金额单位：万元（保留两位小数）",), "head", "unit"),
        (("预算单位（盖章）", "", "某局", "", "实施单位", "某局"), "head", "field"),
        (("", "年度资金总额：", "", "13.04", "13.04", "10.00", "100.00%", "10"), "funding", "funding"),
        (("", "为2020年发放人才奖励资金", "", "已发放"), "goal", "goal"),
        (("", "产出指标", "数量指标", "引进人才数", "≥3人", "3人", "20.00", "20.00"), "indicators", "indicator"),
        (("", "总分", "", "", "", "", "100.00", "99.00"), "indicators", "total"),
        (("评价结论", "根据管理办法支付"), "after_total", "trailer"),
        (("一段说明文字",), "head", "noise"),
        (("", "", "", "", "76%", "10", "7.6"), "funding", "funding"),  # a department form's budget row
    ],
)
def test_kind_by_what_the_cells_say(cells, context, kind):
    assert classify_row(_row(*cells), context).kind == kind


def test_a_data_row_takes_its_kind_from_the_block_above():
    row = _row("", "合计", "", "100")
    assert classify_row(row, "indicators").kind == "total"
    assert classify_row(row, "funding").kind == "funding"  # 合计 of the funding block is its total source


def test_header_rows_and_bands():
    header = _row("绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "", "分值", "得分")
    kind = classify_row(header, "goal")
    assert (kind.kind, kind.block, dict(kind.columns)["target"]) == ("header", "indicators", 4)
    below = _row("", "", "", "", "年度指标值", "实际完成值", "", "")
    assert classify_row(below, "indicators").kind == "indicator"  # alone, two names are no header
    band = classify_row(below, "indicators", after_header="indicators")
    assert (band.kind, dict(band.columns)) == ("header", {"target": 4, "actual": 5})
    department = _row("绩效指标", "指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值",
                      "得分系数（%）", "指标权重（分）", "指标得分（分）", "是否核心指标")
    kind = classify_row(department, "goal")
    assert kind.block == "indicators" and dict(kind.columns)["indicator_kind"] == 3 and dict(kind.columns)["is_core"] == 10


def test_an_unknown_context_is_refused():
    with pytest.raises(ValueError, match="context must be one of"):
        classify_row(_row("x"), "middle")


# -- one cell alone: the anchors of text whose cell boundaries were lost -------
@pytest.mark.parametrize(
    "cell,context",
    [
        ("2020年度预算资金项目支出绩效自评表", "head"),
        ("（2022年度）", "head"),
        ("项目序号：1", "head"),
        ("金额单位：万元", "head"),
        ("项目名称：某专项", "head"),
        ("评价结论：已完成", "after_total"),
        ("总分", "indicators"),
        ("合计", "indicators"),
        ("合计", "funding"),
        ("其中：中央资金", "funding"),
        ("2.项目实施内容及过程概述", "goal"),
    ],
)
def test_a_cell_alone_and_a_row_of_it_are_of_one_kind(cell, context):
    # the kinds a cell decides alone are decided by the rules the rows use
    assert cell_kind_in(cell, context).kind == classify_row(_row(cell), context).kind


def test_what_a_cell_says_alone():
    assert cell_kind("13.04") is None and cell_kind("100.00%") is None and cell_kind("—") is None
    assert cell_kind("为2020年发放人才奖励资金") is None
    field = cell_kind("实施单位（盖章）")  # the note is no part of the label
    assert (field.kind, field.text) == ("field", "implementing_unit")
    label = cell_kind("绩效指标（90分）")  # the block's own label, its score mark ignored
    assert (label.kind, label.block) == ("header", "indicators")
    column = cell_kind("全年预算数（A）")  # a column name, its formula mark ignored
    assert (column.kind, column.block, column.columns) == ("header", None, (("funding", "budget_full_year"),))
    assert cell_kind("数量指标").kind == "indicator"
    assert cell_kind_in("（2022年度）", "indicators") is None  # a year line is the title's only under it


def test_a_column_name_goes_on_the_block_it_is_in():
    both = CellKind("header", "得分", columns=(("funding", "score"), ("indicators", "score")))
    assert column_block(both, "indicators") == "indicators"  # a header printed again inside its block
    assert column_block(both, "funding") == "funding"
    assert column_block(both, "head") == "funding"  # outside both: the first block that has it
    goal = CellKind("header", "年初设定目标", columns=(("goal", "target"),))
    assert column_block(goal, "funding") == "goal"


def test_a_label_with_a_note_is_read_as_the_label_its_row_was_classified_by(tmp_path):
    # seed form 1 (lines 3-31) with two closing rows whose labels carry a note
    # in brackets: the row is a trailer by its label, and the form reader
    # takes the same cell as that label (it reported the first row as
    # unparsed while its kind said trailer)
    from pathlib import Path

    from selfeval.pipeline import run

    seed = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt").read_text(encoding="utf-8").split("\n")[2:31]
    path = tmp_path / "form.txt"
    path.write_text("\n".join([*seed, "项目负责人（签字）：张三", "评价结论（简述）\t按期完成"]) + "\n", encoding="utf-8")
    batch = run([path])
    form = batch.tables["forms"].to_pandas().iloc[0]
    assert (form.project_leader, form.evaluation_conclusion) == ("张三", "按期完成")
    findings = batch.tables["findings"].to_pandas()
    assert not (findings.code == "unparsed_line").any(), findings[["line", "message"]].to_string()
