"""Forms from other provinces and years (fixtures/templates): each variant
read into the same records; values checked against the fixture as written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from selfeval.pipeline import run

FOLDER = Path("fixtures/templates")


@pytest.fixture(scope="module")
def batch():
    result = run([FOLDER])
    tables = {k: v.to_pandas() for k, v in result.tables.items()}
    return result, tables


def _of(tables, table, doc):
    t = tables[table]
    return t[t.doc_id == doc].reset_index(drop=True)


def test_a_folder_mixing_all_variants_runs_in_one_batch(batch):
    result, tables = batch
    assert not result.failed_inputs
    assert sorted(tables["forms"].doc_id) == [
        "broken-labels-2020.txt", "department-whole-2021.txt", "four-dimension-2021.txt",
        "national-2022-one-form.txt", "split-target-columns-2021.txt"]
    assert "unparsed_line" not in set(tables["findings"].code)
    for file in result.files:
        assert file.lines_used + file.lines_reported == file.lines


def test_national_template(batch):
    _, tables = batch
    form = _of(tables, "forms", "national-2022-one-form.txt").iloc[0]
    assert (form.year, form.template, form.form_seq) == (2022, "cn-2021", 1)  # no 项目序号: numbered by position
    assert form.department == "荣昌区人力资源和社会保障局" and pd.isna(form.budget_unit)
    assert (form.total_weight, form.total_score, form.computed_score) == (100.0, 99.0, 99.0)
    funding = _of(tables, "funding", "national-2022-one-form.txt")
    assert funding.source_key.tolist() == ["total", "fiscal_appropriation", "carryover", "other"]
    assert funding.budget_full_year.tolist() == [42.9, 14.4, 28.5, 0.0]  # 全年预算数（A）
    ind = _of(tables, "indicators", "national-2022-one-form.txt")
    # 指标1：… is a name without its list mark; 指标2： and …… rows are placeholders
    assert ind.level3.tolist() == ["生活补助人数", "人均补助标准", "服务基层人数", "补助人员满意度"]
    assert ind.level1.tolist() == ["产出指标", "成本指标", "效益指标", "满意度指标"]
    assert ind.level2.tolist() == ["数量指标", "经济成本指标", "社会效益指标", "服务对象满意度指标"]
    assert ind.level1_weight.tolist() == [40.0, 20.0, 20.0, 10.0]
    assert ind.target_base[1] == 20000.0 and ind.base_unit[1] == "元/人"
    assert ind.deviation_note[3] == "样本较少,下年扩大调查"
    codes = set(_of(tables, "findings", "national-2022-one-form.txt").code)
    assert codes == {"missing_form_seq"}  # the unmet target has its note; nothing else doubted


def test_split_target_columns(batch):
    _, tables = batch
    doc = "split-target-columns-2021.txt"
    form = _of(tables, "forms", doc).iloc[0]
    assert (form.project_code, form.project_name) == ("51092324T000010263357", "2021年高校毕业生生活补助")
    assert (form.budget_unit_code, form.budget_unit) == ("219001", "池州市人力资源和社会保障局")
    assert form.layout == "split-target"
    assert (form.total_weight, form.total_score, form.computed_score) == (100.0, 96.32, 96.32)  # 合计
    assert (form.evaluation_conclusion, form.problems, form.improvements, form.project_leader) == (
        "项目完成较好。", "部分人员放弃岗位。", "加强岗位管理。", "张三")
    funding = _of(tables, "funding", doc)
    assert funding.source_key.tolist() == ["total", "fiscal", "special_account", "unit_funds", "other"]
    assert funding.iloc[0][["budget_full_year", "executed", "execution_rate", "weight", "score"]].tolist() == [
        42.9, 40.0, 0.9324, 10.0, 9.32]
    ind = _of(tables, "indicators", doc)
    assert ind.target_op.tolist() == ["≥", "=", "≤", "≥", "≥"]  # 指标性质, ﹦ read as =
    assert ind.target_value.tolist() == [20.0, 2.0, 2.5, 100.0, 95.0]
    assert ind.target_unit.tolist() == ["人", "次", "万元/人", "%", "%"]  # 百分比 is %
    assert ind.actual_unit.tolist() == ["人", "次", "万元/人", "%", "%"]  # inferred from the target
    assert ind.target_met.tolist() == [False, True, True, True, True]
    assert ind.deviation_note[0] == "部分人员放弃岗位" and ind.weight.tolist() == [30.0, 20.0, 20.0, 10.0, 10.0]
    assert ind.target_base[3] == 1.0 and ind.actual_base[2] == 22000.0


def test_labels_broken_over_lines_and_a_level1_cell_with_only_its_score(batch):
    _, tables = batch
    doc = "broken-labels-2020.txt"
    ind = _of(tables, "indicators", doc)
    assert ind.level1.tolist() == ["产出指标", "产出指标", "满意度指标"]  # （70分） implied by 数量指标
    assert ind.level1_weight.tolist()[:2] == [70.0, 70.0]
    assert ind.level2.tolist() == ["数量指标", "质量指标", "服务对象满意度指标"]  # 服务对象\n满意度指标
    assert ind.level3.tolist()[2] == "使用单位满意度"
    findings = _of(tables, "findings", doc)
    assert findings.code.tolist() == ["level_inferred", "missing_deviation_note"]


def test_a_look_alike_is_reported_not_read(batch):
    result, tables = batch
    doc = "look-alike-target-table-2021.txt"
    assert _of(tables, "forms", doc).empty and _of(tables, "indicators", doc).empty
    assert "not_a_self_evaluation_form" in set(_of(tables, "findings", doc).code)
    assert doc not in result.failed_inputs


def test_stated_level_weights_are_checked(tmp_path):
    text = (FOLDER / "national-2022-one-form.txt").read_text(encoding="utf-8").replace("产出指标（40分）", "产出指标（50分）")
    (tmp_path / "f.txt").write_text(text, encoding="utf-8")
    findings = run([tmp_path / "f.txt"]).tables["findings"].to_pandas()
    row = findings[findings.code == "level_weight_mismatch"]
    assert len(row) == 1 and "产出指标 states 50 points but its indicators weigh 40" in row.message.iloc[0]


def test_a_header_missing_a_column_still_reads(tmp_path):
    """A header cell lost in copying moves the others onto the defaults'
    places; every required column must still have one (found by fuzzing)."""
    lines = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt").read_text(encoding="utf-8").split("\n")[:31]
    lines[19] = lines[19].replace("一级指标\t", "", 1)  # line 20, the indicator header
    (tmp_path / "f.txt").write_text("\n".join(lines), encoding="utf-8")
    result = run([tmp_path / "f.txt"])
    indicators = result.tables["indicators"].to_pandas()
    assert indicators.level3.tolist()[:2] == ["补助引进人才企业数", "引进人才数"]
    assert result.files[0].lines_used + result.files[0].lines_reported == result.files[0].lines
