"""Row repair on the seed's hardest rows, one stage at a time."""

from __future__ import annotations

from selfeval.extract.grid import SourceRow
from selfeval.normalize.indicators import DEFAULT_COLUMNS, IndicatorBlock, read_row
from selfeval.normalize.vocab import level_vocabulary, template_named

T2020 = template_named("cn-2020")


def row(line: str, n: int = 1) -> SourceRow:
    return SourceRow(tuple(line.split("\t")), n)


def reading(line: str):
    return read_row(row(line), DEFAULT_COLUMNS, T2020, 70.0)


def test_values_shifted_behind_a_gap_are_placed_by_content():  # seed line 407
    r = reading("\t\t时效指标\t补助到位时间\t\t<20日\t18日\t20.00\t20.00\t")
    assert r.name == (3, "补助到位时间")
    assert {k: v[1] for k, v in r.placement.cells.items()} == {"target": "<20日", "actual": "18日", "weight": "20.00", "score": "20.00"}


def test_whole_row_one_column_right():  # seed line 30
    r = reading("\t\t满意度指标\t服务对象满意度\t引才企业满意度\t≥95%\t90%\t10.00\t9.00\t")
    assert [lab.match.label for lab in r.labels] == ["满意度指标", "服务对象满意度指标"] and r.shift == 1
    assert r.name == (4, "引才企业满意度")


def test_a_level2_label_in_the_name_column_is_a_placeholder():  # seed line 318
    r = reading("\t\t\t质量指标\t\t\t\t\t")
    assert [lab.match.label for lab in r.labels] == ["质量指标"] and r.name is None and not r.placement.cells


def test_a_name_that_resembles_a_label_stays_a_name():
    r = reading("\t\t\t服务对象满意度\t≥95%\t90%\t20.00\t18.00\t")
    assert r.labels == () and r.name == (3, "服务对象满意度")


def test_block_inherits_merged_labels_and_infers_level1():
    block = IndicatorBlock(T2020, dict(DEFAULT_COLUMNS), 70.0)
    block.add(row("\t效益指标\t社会效益指标\t就业人数\t≥3人\t5人\t20\t20\t", 1))
    block.add(row("\t\t\t档案人次\t≥4000人次\t4163人次\t20\t20\t", 2))
    block.add(row("\t成本指标\t人均费用\t≤5万/人\t4.4万/人\t20\t20\t", 3))
    assert [(r.level1, r.level2, r.level3) for r in block.records] == [
        ("效益指标", "社会效益指标", "就业人数"),
        ("效益指标", "社会效益指标", "档案人次"),
        ("产出指标", "成本指标", "人均费用"),
    ]
    third = block.records[2]
    assert "level_inferred" in third.repairs and third.target_base == 50000 and third.actual_base == 44000
    assert third.target_met is True


def test_confused_labels_are_repaired_and_reported():
    l1, l2 = level_vocabulary("cn-2020", 70.0)
    assert l2.match("质最指标").label == "质量指标"
    assert l2.match("可持續影響指標").how == "variant"
    assert l2.match("服务对象满意度").how == "fuzzy"
    assert l1.match("引才企业满意度") is None


def test_pieces_of_the_funding_label_beside_source_rows_are_the_label():
    """项目资金 printed in two pieces, one beside each of two source rows (its lines
    each on a row of their own: a scan whose rulings were lost): the piece is the
    block's label, and the source label is the next cell.  A piece with no source
    label after it, or a text that is no piece of 项目资金, is no label."""
    from selfeval.normalize.rows import classify_row, source_label

    for first, label in (("项目资", "市级资金"), ("金", "区级资金"), ("项目", "中央资金"), ("资金", "其他资金")):
        cells = (first, label, "331.09", "148.70", "148.70", "—", "100.00%", "—")
        assert source_label(cells, 80.0)[0] == 1, first
        assert classify_row(SourceRow(cells, 1), "funding").kind == "funding", first
    assert source_label(("项目资", "资金来源说明", "331.09"), 80.0) is None
    assert source_label(("工程款", "市级资金", "331.09"), 80.0) is None
