"""Numbers the form's own arithmetic says were misread (``ocr_suspect``).

The forms are the seed's, laid out as the scan reader gives them back
(``scangen.canonical_rows``) with an OCR confidence on every cell; one cell
is changed to what a misreading engine would give.  The expected proposals
come from the printed form: form 10's 年度资金总额 全年执行数 is 2.54 and
form 15's 清理整理社保档案册数 actual is 22.6万册.  Characters read as their
look-alikes come from misreadings the engine made on drawn audit pages
(人力 read 人刀, 慰问 read 慰间, both at 0.99 or more), put into the seed's
own cells: form 7's indicator 慰问退休干部人数 and its 预算单位
重庆市荣昌区人力资源和社会保障局 (seed lines 186-197).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scangen import canonical_rows, form_layout, parse_seed

from selfeval.extract.grid import SourceRow
from selfeval.extract.split import split_forms
from selfeval.normalize.form import parse_form
from selfeval.normalize.ocr_suspect import ocr_suspects, slips
from selfeval.normalize.ocr_words import misreadings
from selfeval.settings import Settings

FORMS = parse_seed()


def scanned_rows(form_index: int, label: str | None = None, old: str = "", new: str = "", nth: int = 0) -> list[SourceRow]:
    """The form's rows, the ``nth`` cell holding ``old`` after ``label`` on its row read as ``new``."""
    out = []
    for k, cells in enumerate(canonical_rows(form_layout(FORMS[form_index]))):
        if label is not None and label in cells:
            at = cells.index(old, cells.index(label))
            for _ in range(nth):
                at = cells.index(old, at + 1)
            cells = (*cells[:at], new, *cells[at + 1:])
        out.append(SourceRow(cells, k + 1, page=1, confidence=tuple(0.99 if c else None for c in cells)))
    return out


def suspects(rows: list[SourceRow]):
    (cells,), _ = split_forms(rows)
    form = parse_form(cells, Settings())
    return form, ocr_suspects(form, cells.rows, Settings())


def test_slips_are_one_decimal_point_or_one_confusable_digit():
    assert "2.54" in slips("254") and "25.4" in slips("254")
    assert slips("2.54")[0] == "254"
    assert "13.04" in slips("18.04") and "10.00" in slips("70.00") and "16" in slips("10")
    assert all(s.count(".") <= 1 for s in slips("100.00%"))
    assert slips("—") == [] and slips("好") == []
    assert "130.00" in slips("30.00") and "≥15" in slips("≥5")  # a leading 1 lost


def test_a_leading_1_lost_from_an_amount_is_proposed_back():
    # form 27's 年度资金总额: 全年预算数 130.00, 全年执行数 130.00, 执行率 100.00% (seed line 779); the
    # executed 130.00 read as 30.00 (a red seal's removal took the 1 on a phone photo): the rate and
    # the sources' sum (市级资金 130.00) both fail
    form, found = suspects(scanned_rows(26, "年度资金总额：", "130.00", "30.00", nth=1))
    (f,) = found
    assert "全年执行数 read as '30.00'" in f.message and "'130.00' (a leading 1 lost)" in f.message
    assert (f.table, f.key, f.field) == ("funding", "total", "executed")
    assert str(form.funding_total.executed) == "30.00"  # never changed


@pytest.mark.parametrize("read, slip", [
    ("≥15000元人", "a '/' lost"), ("≥15000元l人", "a '/' read as 'l'"),
    # the stroke read as a digit leaves no unit to read (a 300 dpi pale photocopy read ≥28000元1人)
    ("≥15000元1人", "a '/' read as '1'"),
])
def test_a_unit_that_lost_its_slash_beside_the_other_values_is_suspect(read, slip):
    # form 21's 发放生活补助人均标准: ≥15000元/人, actual 15209元/人 (seed line 614)
    form, found = suspects(scanned_rows(20, "发放生活补助人均标准", "≥15000元/人", read))
    (f,) = found
    ind = next(i for i in form.indicators if i.level3 == "发放生活补助人均标准")
    assert f.code == "ocr_suspect" and f.line == ind.line and ind.target.raw == read
    assert f"'≥15000元/人' ({slip})" in f.message and "'元/人'" in f.message
    assert (f.table, f.key, f.field) == ("indicators", str(ind.indicator_seq), "target_raw")


def test_a_dropped_decimal_point_in_an_amount_is_proposed_back_and_the_value_kept():
    form, found = suspects(scanned_rows(9, "年度资金总额：", "2.54", "254"))
    (f,) = found
    assert f.code == "ocr_suspect" and f.severity.value == "warning"
    assert "'254'" in f.message and "'2.54' (a dropped decimal point)" in f.message
    assert "执行率 = 全年执行数 ÷ 全年预算数" in f.message
    assert f.line == next(r.line for r in form.funding if r.source_key == "total") and f.text == "254"
    assert str(form.funding_total.executed) == "254"  # never changed
    assert (f.table, f.key, f.field) == ("funding", "total", "executed")  # shown on the value in the report


def test_an_actual_out_of_its_targets_scale_is_proposed_back():
    form, found = suspects(scanned_rows(14, "清理整理社保档案册数", "22.6万册", "226万册"))
    (f,) = found
    assert "'226万册'" in f.message and "'22.6万册'" in f.message and "≥20万册" in f.message
    ind = next(i for i in form.indicators if i.level3 == "清理整理社保档案册数")
    assert f.line == ind.line and ind.actual.raw == "226万册"
    assert (f.table, f.key, f.field) == ("indicators", str(ind.indicator_seq), "actual_raw")


def test_of_two_numbers_that_could_explain_a_sum_the_one_explaining_more_checks_is_named():
    # form 4's 年度资金总额 分值 10.00 read as 70.00: the funding score check and 总分's weight sum
    # both fail; 总分's 100.00 as 160.00 would mend only the sum
    _, found = suspects(scanned_rows(3, "年度资金总额：", "10.00", "70.00"))
    assert len(found) == 1
    assert "分值 read as '70.00'" in found[0].message and "'10.00' (1 read as 7)" in found[0].message
    assert (found[0].table, found[0].key, found[0].field) == ("funding", "total", "weight")


def test_a_suspect_total_names_the_forms_total_column():
    # form 4's 总分 分值 100.00 (40 + 30 + 20 + the funding's 10) read as 700.00
    _, found = suspects(scanned_rows(3, "总分", "100.00", "700.00"))
    (f,) = found
    assert "'100.00' (1 read as 7)" in f.message and "总分's 分值" in f.message
    assert (f.table, f.key, f.field) == ("forms", None, "total_weight")


@pytest.mark.parametrize("form_index", range(len(FORMS)))
def test_no_suspect_where_every_number_was_read_as_printed(form_index):
    _, found = suspects(scanned_rows(form_index))
    assert found == []


def test_text_inputs_get_no_suspects():
    rows = [SourceRow(r.cells, r.line) for r in scanned_rows(9, "年度资金总额：", "2.54", "254")]
    assert suspects(rows)[1] == []


def test_a_character_read_as_its_look_alike_that_makes_no_word_is_suspect():
    form, found = suspects(scanned_rows(6, "数量指标", "慰问退休干部人数", "慰间退休干部人数"))
    (f,) = found
    ind = next(i for i in form.indicators if i.level3 == "慰间退休干部人数")  # kept as read
    assert f.code == "ocr_suspect" and f.line == ind.line and f.text == "慰间退休干部人数"
    assert "'间' may be a misread '问' (making '慰问')" in f.message
    assert (f.table, f.key, f.field) == ("indicators", str(ind.indicator_seq), "level3")


def test_a_look_alike_in_a_head_cell_names_the_forms_column():
    unit = "重庆市荣昌区人力资源和社会保障局"
    form, found = suspects(scanned_rows(6, "预算单位（盖章）", unit, unit.replace("力", "刀")))
    (f,) = found
    assert form.budget_unit == unit.replace("力", "刀")
    assert "'刀' may be a misread '力' (making '人力')" in f.message
    assert (f.table, f.key, f.field) == ("forms", None, "budget_unit")


def test_a_cell_already_doubted_is_not_suspected_again():
    rows = scanned_rows(6, "数量指标", "慰问退休干部人数", "慰间退休干部人数")
    rows = [SourceRow(r.cells, r.line, page=1, confidence=tuple(0.5 if c == "慰间退休干部人数" else k
                                                               for c, k in zip(r.cells, r.confidence, strict=True)))
            for r in rows]
    assert suspects(rows)[1] == []  # its low_confidence doubt says it already


@pytest.mark.parametrize("text", ["人力资源和社会保障局", "补助到位时间", "已按时足额发放", "离体建工人生活补助",
                                  "企业新入职员工一次性招工补助", "≤20日", "未完成", "末端", "≥3300人"])
def test_words_as_printed_are_not_suspect(text):
    # 离体 stands in 离体保存 and 新入 in 孙新入 (rare words): a character standing in any
    # word with a neighbour is not doubted, though 离休 and 新人 are common
    assert misreadings(text) == []


def test_no_cell_of_the_real_excerpts_is_suspect():
    folder = Path(__file__).resolve().parents[2] / "shared" / "real-excerpts"
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here (the shared real inputs)")
    cells = [c.strip() for p in sorted(folder.glob("*.txt"))
             for line in p.read_text(encoding="utf-8", errors="replace").splitlines()
             for c in line.replace("|", "\t").split("\t") if c.strip()]
    assert len(cells) > 100
    assert [c for c in cells if misreadings(c)] == []


def test_the_lexicon_is_drawn_from_jiebas_dictionary_with_the_look_alikes_of_the_code():
    import importlib.metadata
    import json
    from importlib import resources

    from selfeval.normalize import ocr_words

    text = ocr_words.jieba_dictionary()
    if text is None:
        pytest.skip("jieba is not installed (the test extra installs it)")
    kept = json.loads(resources.files("selfeval.data").joinpath(ocr_words.LEXICON).read_text(encoding="utf-8"))
    assert kept == ocr_words.build_lexicon(text, importlib.metadata.version("jieba")), \
        "selfeval/data/look_alike_words.json is stale: python -m selfeval.normalize.ocr_words"
    assert kept["look_alikes"] == list(ocr_words.LOOK_ALIKES)
