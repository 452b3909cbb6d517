"""Whole-department forms and the four-dimension framework, field by field.

The expected values are typed from the fixtures (written by hand from
../shared/real-excerpts/08_* and 07_*; see fixtures/README.md), not taken
from the tool's output."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from selfeval.pipeline import run

FOLDER = Path("fixtures/templates")

# 指标名称, 计量单位, 指标性质, 年初指标值, 全年完成值, 得分系数, 指标权重, 指标得分, 是否核心指标
DEPARTMENT = [
    ("财政供养人员控制率", "%", "定量指标", "100%", "92%", 1.0, 2, 2, False),
    ("“三公”经费变动率", "%", "定量指标", None, None, 1.0, 2, 2, False),
    ("基础信息完善", "%", "定量指标", "100%", "100%", 1.0, 1, 1, False),
    ("预算完成率", "%", "定量指标", "70%", "76%", 1.0, 2, 2, True),
    ("预算调整率", "%", "定量指标", "3%", "0", 1.0, 2, 2, False),
    ("结转结余率", "%", "定量指标", "2%", "0", 1.0, 2, 2, True),
    ("公用经费控制率", "%", "定量指标", "100%", "97%", 1.0, 2, 2, True),
    ("“三公”经费控制率", "%", "定量指标", None, None, 1.0, 2, 2, False),
    ("政府采购执行率", "%", "定量指标", "100%", "72.74%", 1.0, 2, 2, True),
    ("管理制度健全性", None, "定性指标", "高", "高", 1.0, 3, 3, False),
    ("资金使用合规性", None, "定性指标", "好", "好", 1.0, 5, 5, False),
    ("预决算信息公开性", None, "定性指标", "高", "高", 1.0, 1, 1, False),
    ("资产管理安全", None, "定性指标", "好", "好", 1.0, 2, 2, False),
    ("固定资产利用率", "%", "定量指标", "90%", "100%", 1.0, 2, 2, False),
    ("党性教育培训次数", "次", "定量指标", "≥6次", "12次", 1.0, 5, 5, True),
    ("组织宣传活动次数", "次", "定量指标", "≥40次", "43次", 1.0, 10, 10, True),
    ("制作宣传品数量", "份", "定量指标", "≥10份", "20份", 1.0, 5, 5, False),
    ("播发稿件数量", "篇", "定量指标", "2200篇", "2859篇", 1.0, 10, 10, True),
    ("业务保障能力提升", "%", "定量指标", "90%", "95%", 1.0, 10, 10, False),
]

# level 1, level 2, level 3, 参考分值, 指标值（A）, 全年实际值（B）, 得分, level-1 score
FOUR_DIMENSIONS = [
    ("项目决策", "项目目标", "完整性", 4, None, "目标明确、内容细化、目标量化", 4, 10),
    ("项目决策", "项目立项", "相关性", 2, None, "按照学校管理标准对学校进行管理", 2, 10),
    ("项目决策", "项目立项", "可行性", 2, None, "实际工作需求", 2, 10),
    ("项目决策", "项目立项", "适当性", 2, None, "有资金测算标准", 2, 10),
    ("项目管理", "投入管理", "预算执行率", 10, None, "100%", 9, 25),
    ("项目管理", "财务管理", "财务管理制度有效性", 7, None, "财务制度健全,严格执行制度,会计核算规范", 7, 25),
    ("项目管理", "项目实施", "绩效监控有效性", 2, None, "持续有效", 2, 25),
    ("项目管理", "项目实施", "管理制度有效性", 6, None, "严格执行相关管理制度", 6, 25),
    ("项目产出", "数量指标", "保障人数", 10, "2370人", "2370人", 10, 30),
    ("项目产出", "质量指标", "公用经费标准", 5, "符合相关文件要求", "符合相关文件要求", 5, 30),
    ("项目产出", "时效指标", "公用经费完成时间", 5, "2021年12月完成", "2021年12月完成", 4, 30),
    ("项目产出", "成本指标", "办公所需成本", 4, "15万元", "15万元", 4, 30),
    ("项目产出", "成本指标", "维修(维护)所需成本", 3, "35万元", "35万元", 3, 30),
    ("项目产出", "成本指标", "绿化、水电费等成本", 3, "14.8万元", "14.8万元", 3, 30),
    ("项目效益", "社会效益指标", "效果显著", 15, "改善学校的办学条件", "改善学校的办学条件", 13, 35),
    ("项目效益", "可持续影响指标", "使学生和老师有个更好的学习和工作环境,做到", 10, "社会认可的办学环境。", "社会认可的办学环境。", 8, 35),
]


def _none(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


@pytest.fixture(scope="module")
def tables():
    result = run([FOLDER / "department-whole-2021.txt", FOLDER / "four-dimension-2021.txt"])
    assert not result.failed_inputs
    return {k: v.to_pylist() for k, v in result.tables.items()}


def _of(rows, doc):
    return [r for r in rows if r["doc_id"] == doc]


def test_department_form_head_goal_and_budget(tables):
    [form] = _of(tables["forms"], "department-whole-2021.txt")
    assert form["form_kind"] == "department"
    assert form["title"] == "部门整体绩效自评表"
    assert form["contact_person"] == "曾雪莲"
    assert form["total_score"] == 97.6
    assert form["goal_target"].startswith("通过整合各级各类媒体") and form["goal_target"].endswith("思想文化领域建设等工作。")
    assert form["goal_actual"].startswith("中心2021年较好地完成了履职任务")
    [budget] = _of(tables["funding"], "department-whole-2021.txt")
    assert (budget["source_key"], budget["execution_rate"], budget["weight"], budget["score"]) == ("total", 0.76, 10, 7.6)
    assert (budget["budget_initial"], budget["budget_full_year"], budget["executed"]) == (None, None, None)


def test_department_form_flat_indicator_list(tables):
    rows = _of(tables["indicators"], "department-whole-2021.txt")
    got = [
        (r["level3"], r["measure_unit"], r["indicator_kind"], r["target_raw"], r["actual_raw"],
         r["score_coefficient"], r["weight"], r["score"], r["is_core"])
        for r in rows
    ]
    assert got == DEPARTMENT
    assert all(r["level1"] is None and r["level2"] is None for r in rows)
    by_name = {r["level3"]: r for r in rows}
    assert (by_name["预算调整率"]["actual_value"], by_name["预算调整率"]["actual_unit"]) == (0, "%")  # unit from 计量单位
    assert by_name["党性教育培训次数"]["target_met"] is True  # ≥6次, 12次
    assert by_name["预算完成率"]["target_met"] is None  # no comparator written: the form states no direction


def test_department_form_findings_are_what_the_excerpt_explains(tables):
    codes = sorted(f["code"] for f in _of(tables["findings"], "department-whole-2021.txt"))
    assert codes == ["missing_form_seq", "total_score_mismatch"]  # the excerpt ends mid-list: 97.6 vs 77.6


def test_four_dimension_framework(tables):
    [form] = _of(tables["forms"], "four-dimension-2021.txt")
    assert (form["template"], form["form_kind"], form["year"], form["total_score"]) == ("cn-four-dimension", "project", 2021, 98)
    assert (form["project_name"], form["department"], form["implementing_unit"]) == ("初中公用经费", "银川市教育局", "银川市第六中学")
    [budget] = _of(tables["funding"], "four-dimension-2021.txt")
    assert (budget["budget_initial"], budget["budget_full_year"], budget["executed"], budget["execution_rate"]) == (64.8, 64.8, 64.8, 1.0)
    assert (budget["weight"], budget["score"]) == (None, None)
    rows = _of(tables["indicators"], "four-dimension-2021.txt")
    got = [
        (r["level1"], r["level2"], r["level3"], r["weight"], _none(r["target_raw"]), r["actual_raw"], r["score"], r["level1_weight"])
        for r in rows
    ]
    assert got == FOUR_DIMENSIONS
    codes = sorted(f["code"] for f in _of(tables["findings"], "four-dimension-2021.txt"))
    assert codes == ["level_weight_mismatch", "missing_form_seq", "total_score_mismatch"]
