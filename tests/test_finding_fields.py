"""Findings name the record and column they are about (table, key, field)."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfeval.findings import Finding
from selfeval.output.tables import SCHEMAS
from selfeval.pipeline import run

KEY_COLUMN = {"funding": "source_key", "indicators": "indicator_seq"}


def _keys(tables) -> dict[str, set[tuple]]:
    """(doc_id, form_index, key) of every record, per table; key None for forms."""
    out: dict[str, set[tuple]] = {}
    for name in ("forms", "funding", "indicators"):
        frame = tables[name].to_pandas()
        column = KEY_COLUMN.get(name)
        out[name] = {
            (d, int(i), None if column is None else str(k))
            for d, i, k in zip(frame.doc_id, frame.form_index, frame[column] if column else frame.doc_id, strict=True)
        }
    return out


def _assert_every_named_record_exists(tables) -> int:
    keys = _keys(tables)
    named = 0
    for row in tables["findings"].to_pylist():
        if row["table"] is None:
            assert row["key"] is None and row["field"] is None, row
            continue
        named += 1
        assert (row["doc_id"], row["form_index"], row["key"]) in keys[row["table"]], row
        if row["field"] is not None:
            assert row["field"] in {c.name for c in SCHEMAS[row["table"]]}, row
    return named


def test_seed_findings_name_real_records_and_columns(seed_batch):
    assert _assert_every_named_record_exists(seed_batch.tables) > 100


def test_seed_findings_point_at_the_contradicting_values(seed_batch, seed_tables):
    """Read off the seed by hand: form 15 states 执行率 100.00% for 年度资金总额
    (line 425) and 区级资金 (line 428) with 10 of 66 executed; form 10's total
    score 4 where 32.56% × 10 = 3.26; form 20's target （20日 sits on line 584;
    form 12's 总分 has no weight."""
    about = {(r["form_seq"], r["code"], r["line"]): (r["table"], r["key"], r["field"])
             for r in seed_batch.tables["findings"].to_pylist()}
    assert about[(15, "execution_rate_mismatch", 425)] == ("funding", "total", "execution_rate")
    assert about[(15, "execution_rate_mismatch", 428)] == ("funding", "district", "execution_rate")
    assert about[(10, "funding_score_mismatch", 278)] == ("funding", "total", "score")
    assert about[(12, "missing_total_weight", 355)] == ("forms", None, "total_weight")
    ind = seed_tables["indicators"]
    seq = ind[(ind.form_seq == 20) & (ind.line == 584)].indicator_seq.item()
    assert about[(20, "unrecognized_comparator", 584)] == ("indicators", str(seq), "target_raw")


def test_findings_name_records_on_shifted_and_confused_variants():
    """Variants the reading was not written against: every named record exists,
    and a repaired label names the level column it repaired."""
    batch = run([Path("fixtures/variants/seed-shifted-cells.txt"), Path("fixtures/variants/seed-confused-labels.txt")])
    tables = batch.tables
    assert _assert_every_named_record_exists(tables) > 50
    repaired = [r for r in tables["findings"].to_pylist() if r["code"] == "label_repaired" and r["table"] == "indicators"]
    assert repaired and all(r["field"] in ("level1", "level2") for r in repaired)


def test_placeholder_rows_name_no_record():
    """A label-only placeholder row (质量指标 with nothing after it) becomes no
    indicator, so a finding about it names none."""
    text = (
        "2020年度预算资金项目支出绩效自评表\n项目序号：1\t金额单位：万元\n"
        "项目名称\t测试项目\n"
        "项目资金\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
        "\t年度资金总额：\t10.00\t10.00\t10.00\t10.00\t100.00%\t10\n"
        "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
        "\t产出指标\t数量指标\t补助人数\t≥10人\t12人\t90.00\t90.00\t\n"
        "\t\t\t质最指标\n"
        "总分\t\t\t\t\t\t100.00\t100.00\t\n"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "placeholder.txt"
        path.write_text(text, encoding="utf-8")
        rows = run([path]).tables["findings"].to_pylist()
    repaired = [r for r in rows if r["code"] == "label_repaired"]
    assert repaired and all(r["table"] is None for r in repaired)


def test_about_checks_the_table():
    f = Finding("unit_inferred", "x").about("indicators", 3, "actual_unit")
    assert (f.table, f.key, f.field) == ("indicators", "3", "actual_unit")
    with pytest.raises(ValueError, match="not one of"):
        Finding("unit_inferred", "x").about("indicator", 3, "actual_unit")
