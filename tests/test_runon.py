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
from test_department_forms import DEPARTMENT, FOUR_DIMENSIONS

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


def test_department_goal_texts_run_together_are_read_in_the_headers_order(department):
    """The clean copy's goal cells, run together after the three header words
    (年初绩效目标 全年(调整)绩效目标 全年目标实际完成情况): two sentences, 无, then
    the actual (the first sentence saying what was done).  Read in that order,
    as the tab copy reads them: the sentences are the 年初 target, 无 the empty
    adjusted cell."""
    [form] = department["forms"]
    assert form["goal_target"] == ("通过整合各级各类媒体、户外广告载体、宣传宣讲活动等,为建设成渝地区双城经济圈和西部(重庆)重庆科学城"
                                   "营造良好氛围。保障融媒体中心正常人事基础/日常运转,有效承担西部(重庆)科学城新闻宣传管理,"
                                   "思想文化领域建设等工作。")
    assert form["goal_adjusted"] is None
    assert form["goal_actual"] == ("中心2021年较好地完成了履职任务,有效开展了西部(重庆)科学城新闻宣传管理/思想文化领域建设等工作,"
                                   "为建设成渝地区双城经济圈和西部(重庆)重庆科学城营造了良好氛围。")
    texts = " ".join(f["text"] or "" for f in department["findings"] if f["code"] == "unparsed_line")
    assert "通过整合各级各类媒体" not in texts and "中心2021年较好地完成了履职任务" not in texts


def test_goal_texts_are_shared_out_only_when_the_text_decides():
    from selfeval.normalize.runon import share_goal_texts

    assert share_goal_texts("无甲乙丙。丁戊。已完成了庚。", 3) == ["无", "甲乙丙。丁戊。", "已完成了庚。"]
    assert share_goal_texts("甲乙丙。丁戊。无已完成了庚。", 3) == ["甲乙丙。丁戊。", "无", "已完成了庚。"]
    assert share_goal_texts("甲乙丙。丁戊。已完成了庚。", 3) is None  # two sentences, two cells: which goes where?
    assert share_goal_texts("保障学校正常工作运行", 2) is None  # nothing says what was done
    assert share_goal_texts("无偿提供服务。全年完成了服务。", 2) == ["无偿提供服务。", "全年完成了服务。"]
    assert share_goal_texts("无偿提供服务。全年完成了服务。", 3) is None


def test_goal_texts_are_shared_out_by_the_done_phrases_of_the_vocabulary():
    """What says a thing was done is data (``done_phrases``: a verb after a
    mark of the done, 已/均/顺利 …, or before 了), not a list of whole words:
    已按时足额发放, 均按时足额发放, 进行了, 全部发放 are read as actuals; a plan
    (确保 … 按时足额发放, 并完成 …) is not."""
    from selfeval.normalize.runon import share_goal_texts

    assert share_goal_texts("确保补助按时足额发放。补助已按时足额发放。", 2) == ["确保补助按时足额发放。", "补助已按时足额发放。"]
    assert share_goal_texts("慰问退休人员。对退休人员进行了慰问。", 2) == ["慰问退休人员。", "对退休人员进行了慰问。"]
    assert share_goal_texts("购买设备,并完成资金支付。完成", 2) is None  # 完成 alone: nothing marks it done


def test_goal_texts_other_forms_wrote_are_never_shared_out_wrong():
    """Goal texts the vocabulary was not made from (the hand readings of the
    Sichuan excerpts 04 and 05, tests/excerpts; the clean templates of
    fixtures/templates) and the seed's 27 (fixtures/expected/forms.csv):
    target and actual printed one after the other are shared out exactly as
    the cells held them, or not at all (reported), never cut wrong."""
    import tomllib

    from selfeval.normalize.runon import share_goal_texts

    pairs = []
    for name in ("04_sichuan_qingshen_fagai_2023", "05_sichuan_daying_sifa_2023"):
        form = tomllib.loads((Path("tests/excerpts") / f"{name}.toml").read_text(encoding="utf-8"))["form"]
        pairs.append((form["goal_target"]["value"], form["goal_actual"]["value"]))
    for template in sorted(TEMPLATES.glob("*.txt")):
        pairs += [(f["goal_target"], f["goal_actual"]) for f in _tables(template)["forms"]
                  if f["goal_target"] and f["goal_actual"]]
    held_out = len(pairs)
    pairs += [(row["goal_target"], row["goal_actual"]) for row in _expected("forms")]
    shared = [share_goal_texts(target + actual, 2) for target, actual in pairs]
    assert all(got in (None, [t, a]) for got, (t, a) in zip(shared, pairs, strict=True)), [
        (got, t, a) for got, (t, a) in zip(shared, pairs, strict=True) if got not in (None, [t, a])]
    # the seed: 8 whose actual says 已/均/进行了/确保了 …, 10 whose actual states the target again with its figures
    assert sum(got is not None for got in shared[held_out:]) >= 18
    assert sum(got is not None for got in shared[:held_out]) >= 1  # the department form (全年 … 完成了)
    # each text alone is one cell: never cut in two
    alone = [text for pair in pairs for text in pair]
    assert [text for text in alone if share_goal_texts(text, 2) is not None] == []


def test_an_actual_stating_the_target_again_is_where_it_starts():
    """With no word saying what was done, the actual is where the text
    states the target again with the figures reached: the opening words
    again, then each of the target's figures with its unit, in order."""
    from selfeval.normalize.runon import share_goal_texts

    assert share_goal_texts("举办农技培训3期,培训农户120户。举办农技培训4期,培训农户136户,发放资料500份。", 2) == [
        "举办农技培训3期,培训农户120户。", "举办农技培训4期,培训农户136户,发放资料500份。"]
    # no sentence end in the target: the cut is where the opening comes again
    assert share_goal_texts("2021年度新建村级卫生室12个2021年度新建村级卫生室12个,全部投入使用", 2) == [
        "2021年度新建村级卫生室12个", "2021年度新建村级卫生室12个,全部投入使用"]
    # a list restarting at 1.: the list marks are no sentence ends
    assert share_goal_texts("1. 维修校舍2处; 2. 购置课桌50套。1. 维修校舍2处; 2. 购置课桌48套。", 2) == [
        "1. 维修校舍2处; 2. 购置课桌50套。", "1. 维修校舍2处; 2. 购置课桌48套。"]


def test_a_text_that_only_looks_restated_is_not_cut():
    """What a restating reading must not take for one: like items of one
    list (资助学生 … 资助教师 …), an opening that stops before the first
    figure or holds fewer than four characters, a figure of the target the
    later text does not state again, a clause it does not speak of, a text
    with no figure, an opening that comes again after a comma, a target with
    no sentence end that the actual's first words may run on."""
    from selfeval.normalize.runon import restated_at

    assert restated_at("资助贫困家庭学生100人。资助贫困家庭教师20人。共资助120人。") is None  # like items
    assert restated_at("2021年全年招聘30人。2021年全年培训32人。") is None  # 年全年: three characters
    assert restated_at("建设村级服务站6个。建设村级服务站8个。建设村级服务站9个。") is None  # twice: which one?
    assert restated_at("改造农村公路15公里。改造农村公路14.2公里,群众满意。") == len("改造农村公路15公里。")
    assert restated_at("改造农村公路15公里。改造农村公路,群众满意。") is None  # 15公里 not stated again
    assert restated_at("改造农村公路15公里,提升群众出行条件。改造农村公路15.3公里。") is None  # 出行条件: not spoken of
    assert restated_at("保障学校正常运转。保障学校正常运转,教学秩序良好。") is None  # no figure
    assert restated_at("开展技能鉴定10批次,开展技能鉴定种类5类") is None  # after a comma: the same sentence
    # the same, where only the comma says so: 开展技能鉴定#批次, again, with its figure and unit
    assert restated_at("开展技能鉴定10批次,开展技能鉴定12批次,合格率98%") is None
    # the actual says a sentence first: 培训工作按期完成 is not said again in 开展培训3批
    assert restated_at("开展培训2批。培训工作按期完成。开展培训3批。") is None
    # no sentence end: 实际 may be the actual's first word, and 人实际 is not what follows 60
    assert restated_at("招聘大学生50人实际招聘大学生60人,实际完成率120%") is None


def test_four_dimension_form_run_together_reads_head_funding_and_rows(tmp_path):
    text = _run_on((TEMPLATES / "four-dimension-2021.txt").read_text(encoding="utf-8"))
    text = text.replace("参考分值", "考值参分").replace("项目产出", "顼目产出").replace("项目实施", "项Fl实施")  # OCR slips, as in 07_*
    path = tmp_path / "four-dimension-run-on.txt"
    path.write_text(text, encoding="utf-8")
    tables = _tables(path)
    [form] = tables["forms"]
    assert (form["title"], form["year"], form["project_name"], form["department"], form["implementing_unit"],
            form["total_score"], form["template"]) == ("银川市本级部门项目支出绩效自评表(2021年)", 2021, "初中公用经费",
                                                       "银川市教育局", "银川市第六中学", 98.0, "cn-four-dimension")
    [total] = tables["funding"]
    assert (total["source_key"], total["budget_initial"], total["budget_full_year"], total["executed"],
            total["execution_rate"]) == ("total", 64.8, 64.8, 64.8, 1.0)
    got = [(r["level1"], r["level2"], r["level3"], r["weight"], r["target_raw"], r["actual_raw"], r["score"],
            r["level1_weight"]) for r in tables["indicators"]]
    assert got == FOUR_DIMENSIONS
    texts = " ".join(f["text"] or "" for f in tables["findings"] if f["code"] == "unparsed_line")
    assert "保障学校正常工作运行" in texts  # one goal text after both header words: not shared out, reported
    repaired = {f["text"] for f in tables["findings"] if f["code"] == "label_repaired"}
    assert {"考值参分", "顼目产出(30分)", "项Fl实施"} <= repaired


def test_a_head_value_printed_out_of_place_and_a_value_past_reading(tmp_path):
    """The four-dimension copy run together with two OCR habits it was not
    written with: the 实施单位 cell printed after the row (after 自评得分 and a 财政审核评分
    no table holds, one character misread), and a 指标值 whose
    first digits print as a letter and a mark (Q.8万元).  The name is read
    as 实施单位's and said; the value is kept as printed, no number read from
    it, and said; the label is reported."""
    text = (TEMPLATES / "four-dimension-2021.txt").read_text(encoding="utf-8")
    text = text.replace("实施单位\t银川市第六中学", "实施单位").replace("自评得分\t98", "自评得分\t98\t财政审枝评分\t银川市第六中学")
    text = text.replace("3\t14.8万元\t14.8万元\t3", "3\tQ.8万元\t14.8万元\t3")
    path = tmp_path / "four-dimension-moved.txt"
    path.write_text(_run_on(text), encoding="utf-8")
    tables = _tables(path)
    [form] = tables["forms"]
    assert (form["implementing_unit"], form["department"], form["total_score"]) == ("银川市第六中学", "银川市教育局", 98.0)
    [row] = [r for r in tables["indicators"] if r["level3"] == "绿化、水电费等成本"]
    assert (row["target_raw"], row["target_value"], row["actual_value"], row["weight"], row["score"]) == (
        "Q.8万元", None, 14.8, 3.0, 3.0)
    said = {(f["code"], f["text"]) for f in tables["findings"]}
    assert ("row_realigned", "银川市第六中学") in said
    assert ("unparsed_line", "财政审枝评分") in said
    assert ("unparsed_number", "绿化、水电费等成本3Q.8万元14.8万元3") in said


def test_project_rows_are_cut_by_name_weight_values_and_score():
    from selfeval.normalize.runon import project_rows

    rows = [r[2] for r in project_rows("相关性2一按照标准管理2可行性2实际工作需求2")]
    assert rows == [
        {"level3": "相关性", "weight": "2", "target": "", "actual": "按照标准管理", "score": "2"},
        {"level3": "可行性", "weight": "2", "target": "", "actual": "实际工作需求", "score": "2"}]
    [row] = [r[2] for r in project_rows("保障人数102370人2370人IO")]  # 指标值 = 全年实际值, IO for 10
    assert (row["weight"], row["target"], row["actual"], row["score"]) == ("10", "2370人", "2370人", "10")
    assert list(project_rows("覆盖率5全部完成9")) == [None]  # a score more than its weight: no row, reported


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


SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")
EXPECTED = Path("fixtures/expected")
FUNDING_FIELDS = ("source_label", "budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score")
INDICATOR_FIELDS = ("level1", "level2", "level3", "target_raw", "target_op", "target_value", "target_unit",
                    "actual_raw", "actual_value", "actual_unit", "weight", "score", "target_met")
FORM_FIELDS = ("title", "year", "amount_unit", "budget_unit", "implementing_unit", "project_name", "total_weight",
               "total_score", "template")


def _expected(table: str) -> list[dict]:
    import csv

    with (EXPECTED / f"{table}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _same(got, want: str) -> bool:
    if want == "":
        return got is None or got == ""
    if isinstance(got, bool):
        return str(got) == want
    if isinstance(got, (int, float)):
        return abs(got - float(want)) < 1e-9
    return got == want


@pytest.fixture(scope="module", params=[300, 173])
def seed_run_on(request, tmp_path_factory):
    """All 27 seed forms run together (every tab and line break removed), cut
    into lines of 300 and of 173 characters: the seed's own column orders
    (分值 before 执行率 in the funding block; 年度指标值 实际完成值 分值 得分)."""
    path = tmp_path_factory.mktemp("runon") / f"seed-run-on-{request.param}.txt"
    path.write_text(_run_on(SEED.read_text(encoding="utf-8"), request.param), encoding="utf-8")
    return _tables(path)


def test_seed_forms_run_together_read_the_golden_funding_and_indicators(seed_run_on):
    """Every funding and indicator value of the 27 seed forms, run together,
    as the golden tables hold it (fixtures/expected, read from the tab
    copy): the funding rows cut by executed ÷ budget = rate and rate × weight
    = score in the header's order, a lone number an amount or a weight as the
    sources' sum to 年度资金总额 says; the indicator rows cut in the header's
    order (name, 年度指标值, 实际完成值, 分值, 得分)."""
    got = {(r["form_seq"], r["source_key"]): r for r in seed_run_on["funding"]}
    want = _expected("funding")
    assert len(got) == len(want)
    for row in want:
        key = (int(row["form_seq"]), row["source_key"])
        for field in FUNDING_FIELDS:
            assert _same(got[key][field], row[field]), (key, field, got[key][field], row[field])
    got = {(r["form_seq"], r["indicator_seq"]): r for r in seed_run_on["indicators"]}
    want = _expected("indicators")
    assert len(got) == len(want)
    for row in want:
        key = (int(row["form_seq"]), int(row["indicator_seq"]))
        for field in INDICATOR_FIELDS:
            assert _same(got[key][field], row[field]), (key, field, got[key][field], row[field])


def test_seed_forms_run_together_read_their_heads_and_report_what_cannot_be_cut(seed_run_on):
    """The head fields and the 总分 of every form as the golden table holds
    them (form 12's 总分 prints one number: the score, as the sums say); the
    goal texts read as the tab copy reads them where the actual's first
    sentence says what was done; what no reading decides is reported with
    its text: the other goal texts (nothing says where the first ends), and
    the source rows of a lone 0.00 (an amount or a weight: the sums do not
    decide)."""
    forms = {r["form_seq"]: r for r in seed_run_on["forms"]}
    texts = " ".join(f["text"] or "" for f in seed_run_on["findings"] if f["code"] == "unparsed_line")
    read_goals = 0
    for row in _expected("forms"):
        seq = int(row["form_seq"])
        for field in FORM_FIELDS:
            assert _same(forms[seq][field], row[field]), (seq, field, forms[seq][field], row[field])
        goals = (forms[seq]["goal_target"], forms[seq]["goal_actual"])
        if goals == (row["goal_target"], row["goal_actual"]):
            read_goals += 1
        else:  # not shared out: both texts reported, nothing read into a column
            assert goals == (None, None) and row["goal_target"][:8] in texts, (seq, goals)
    # the actual's first sentence says what was done (已按时足额发放, 进行了 …: 8), or the actual states the
    # target again with its figures (10: 开展职业技能鉴定140批次 … / 开展职业技能鉴定162批次 …)
    assert read_goals >= 18
    assert "missing_total_weight" in {f["code"] for f in seed_run_on["findings"] if f["form_seq"] == 12}
    uncertain = [f for f in seed_run_on["findings"] if f["code"] == "uncertain_reading"]
    assert any("0.00——" in (f["text"] or "") for f in uncertain)
    assert any("≥500519元/人" in (f["text"] or "") for f in uncertain)  # ≥500 and 519元/人: the numbers nearest


def test_forms_sharing_a_line_count_it_once(tmp_path):
    """The accounting holds when forms run on into each other on one line
    (the seed run together): a line two forms read counts once, as used."""
    path = tmp_path / "seed-run-on.txt"
    path.write_text(_run_on(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    [entry] = run([path]).files
    assert entry.lines == entry.lines_used + entry.lines_reported == 50, (entry.lines, entry.lines_used,
                                                                          entry.lines_reported)


def test_budget_rows_are_read_in_the_headers_order():
    from selfeval.normalize.runon import fit_budget_row

    seed = ["budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score"]
    assert fit_budget_row("13.0413.0410.00100.00%10", seed) == [
        {"budget_full_year": "13.04", "executed": "13.04", "weight": "10.00", "execution_rate": "100.00%", "score": "10"}]
    assert fit_budget_row("5.005.003.4910.0070.00%7.00", seed) == [  # 3.49 ÷ 5 = 69.8%: within half a point
        {"budget_initial": "5.00", "budget_full_year": "5.00", "executed": "3.49", "weight": "10.00",
         "execution_rate": "70.00%", "score": "7.00"}]
    assert fit_budget_row("159.24159.24159.2410.00100.00%10", seed)[0]["executed"] == "159.24"  # amounts alike
    assert fit_budget_row("10.00——", seed) == [{"executed": "10.00"}, {"weight": "10.00"}]  # the sums decide
    department = ["budget_initial", "budget_full_year", "executed", "execution_rate", "weight", "score"]
    assert fit_budget_row("O76%107.6", department) == [
        {"executed": "O", "execution_rate": "76%", "weight": "10", "score": "7.6"}]


def test_indicator_rows_are_read_in_the_headers_order():
    from selfeval.normalize.runon import rows_in_order

    order = ("target", "actual", "weight", "score")
    rows = [r[2] for r in rows_in_order("补助引进人才企业数≥3家3家40.0040.00人均引进费用≤5万/人4.4万/人20.0020.00", order)]
    assert [(r["level3"], r["target"], r["actual"], r["weight"], r["score"]) for r in rows] == [
        ("补助引进人才企业数", "≥3家", "3家", "40.00", "40.00"), ("人均引进费用", "≤5万/人", "4.4万/人", "20.00", "20.00")]
    [row] = [r[2] for r in rows_in_order("就业大学生满意度≥95%90%109.00", order)]  # 分值 10, 得分 9.00: no weight over 100
    assert (row["weight"], row["score"]) == ("10", "9.00")
    [row] = [r[2] for r in rows_in_order("群众满意度提升提升10.0010.00", order)]  # one text printed twice
    assert (row["level3"], row["target"], row["actual"]) == ("群众满意度", "提升", "提升")
    assert list(rows_in_order("覆盖率≥90%95%59", order)) == [None]  # a score over its weight: no row
    # a 偏差原因 note runs into the next row's name: that name is a sentence, the row is not read (reported)
    rows = list(rows_in_order("覆盖率≥90%85%10.008.00因资金晚到,进度滞后引进人才数≥3人3人20.0020.00", order))
    assert rows[0][2]["level3"] == "覆盖率" and rows[1][2] is None


def test_prose_naming_the_form_opens_no_form(tmp_path):
    """A report's paragraph (a long line, hardly a space, many of the form's
    words) that names the 绩效自评表 inside a sentence is not a form."""
    path = tmp_path / "report.txt"
    path.write_text(
        "根据区财政局的统一安排,我单位于2024年3月开展了2023年度项目支出绩效自评表的填报工作,现将情况报告如下:"
        "一是项目名称和主管部门按要求填写,年初预算数、全年预算数、全年执行数均与决算一致,执行率达到百分之百;"
        "二是绩效指标的一级指标、二级指标、三级指标按照模板填写,年度指标值与实际完成值对照说明,分值与得分按照"
        "评分标准计算,偏差原因分析及改进措施逐项说明;三是存在问题和改进措施另行报告。\n", encoding="utf-8")
    tables = _tables(path)
    assert tables["forms"] == []
    assert [f["code"] for f in tables["findings"]] == ["no_forms_found"]


_PLACE = {"doc_id", "source_path", "line", "line_start", "line_end", "repairs"}  # where a value was printed


def test_a_form_printed_on_one_line_reads_as_in_lines_of_300(tmp_path, department):
    """The department form with no line break at all (the reader's stream is
    then the one line is_runon looked at) gives the values the same text in
    lines of 300 characters gives, field by field."""
    text = _run_on((TEMPLATES / "department-whole-2021.txt").read_text(encoding="utf-8"), width=10**6)
    text = text.replace("年初预算数", "年初预匏数", 1).replace("定性指标", "性标定指", 1)
    assert text.count("\n") == 1
    path = tmp_path / "department-one-line.txt"
    path.write_text(text, encoding="utf-8")
    one_line = _tables(path)
    for table in ("forms", "funding", "indicators"):
        got = [{k: v for k, v in row.items() if k not in _PLACE} for row in one_line[table]]
        want = [{k: v for k, v in row.items() if k not in _PLACE} for row in department[table]]
        assert got and got == want, table
