"""corrections.csv: a reviewer's decisions applied on the next extraction."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from selfeval.cli import app
from selfeval.corrections import CorrectionsError, parse_corrections, write_corrections
from selfeval.pipeline import run
from selfeval.settings import Settings

runner = CliRunner()
SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")
DOC = SEED.name
TABLES = ("forms", "funding", "indicators", "findings")


def _settings(*rows: tuple) -> Settings:
    return Settings(corrections=parse_corrections(write_corrections(rows)))


def _run(*rows: tuple):
    return run([SEED], _settings(*rows)).tables


def _rows(tables, name, **match):
    return [r for r in tables[name].to_pylist() if all(r[k] == v for k, v in match.items())]


def test_a_corrected_executed_amount_clears_the_rate_check():
    """Form 15 (line 425) states 66.00 budget, 10.00 executed, 100.00%: correcting the
    executed amount to 66 makes the stated rate true, so its mismatch goes."""
    before = _rows(run([SEED]).tables, "findings", form_seq=15, code="execution_rate_mismatch", line=425)
    assert len(before) == 1
    tables = _run((DOC, "15", "funding", "total", "executed", "10.0", "66", "原件为66.00"))
    total = _rows(tables, "funding", form_seq=15, source_key="total")[0]
    assert total["executed"] == 66.0 and total["repairs"] == "reviewer_corrected"
    assert not _rows(tables, "findings", form_seq=15, code="execution_rate_mismatch", line=425)
    done = _rows(tables, "findings", form_seq=15, code="reviewer_corrected")
    assert [(d["table"], d["key"], d["field"], d["line"], d["severity"]) for d in done] == [
        ("funding", "total", "executed", 425, "info")]
    assert "原件为66.00" in done[0]["message"] and "'10.0' → '66'" in done[0]["message"]
    # the district row (line 428) was not corrected: its contradiction stays
    assert _rows(tables, "findings", form_seq=15, code="execution_rate_mismatch", line=428)


def test_a_corrected_amount_can_raise_a_check():
    """Form 1's 年度资金总额 (line 12): 13.04 budget, 13.04 executed, 100%. Executed 6.52 is 50%."""
    tables = _run((DOC, "1", "funding", "total", "executed", "13.04", "6.52", ""))
    raised = _rows(tables, "findings", form_seq=1, code="execution_rate_mismatch")
    assert [(r["line"], r["field"]) for r in raised] == [(12, "execution_rate")]
    assert "50.00%" in raised[0]["message"]


def test_a_corrected_target_is_parsed_and_compared_again():
    """Form 20's 补助到位时间 (line 584): target （20日 (comparator unreadable), actual 18日."""
    seq = _rows(run([SEED]).tables, "indicators", form_seq=20, line=584)[0]["indicator_seq"]
    tables = _run((DOC, "20", "indicators", str(seq), "target_raw", "(20日", "≤20日", "原件为≤20日"))
    ind = _rows(tables, "indicators", form_seq=20, indicator_seq=seq)[0]
    assert (ind["target_raw"], ind["target_op"], ind["target_value"], ind["target_unit"]) == ("≤20日", "≤", 20.0, "日")
    assert (ind["target_base"], ind["actual_base"], ind["target_met"]) == (20.0, 18.0, True)
    assert ind["repairs"] == "reviewer_corrected"


def test_a_corrected_total_weight_feeds_the_weight_check():
    """Form 12's 总分 states only 98.00 (the score). A total weight of 100 matches its weights;
    90 does not."""
    ok = _run((DOC, "12", "forms", "", "total_weight", "", "100.00", ""))
    assert _rows(ok, "forms", form_seq=12)[0]["total_weight"] == 100.0
    assert not _rows(ok, "findings", form_seq=12, code="weight_sum_mismatch")
    wrong = _run((DOC, "12", "forms", "", "total_weight", "", "90", ""))
    assert _rows(wrong, "findings", form_seq=12, code="weight_sum_mismatch")


def test_stale_and_unusable_corrections_are_reported_and_not_applied():
    tables = _run(
        (DOC, "15", "funding", "district", "executed", "12.0", "66", "the form says 10.00"),  # old value differs
        (DOC, "99", "forms", "", "total_weight", "", "100", ""),  # no form 99
        ("elsewhere.txt", "1", "forms", "", "total_weight", "", "100", ""),  # no such input
        (DOC, "1", "funding", "total", "line", "12", "13", ""),  # not correctable
        (DOC, "1", "funding", "total", "executed", "13.04", "lots", ""),  # not a number
    )
    assert _rows(tables, "funding", form_seq=15, source_key="district")[0]["executed"] == 10.0
    stale = _rows(tables, "findings", code="stale_correction")
    unusable = _rows(tables, "findings", code="unusable_correction")
    assert {r["severity"] for r in stale + unusable} == {"warning"}
    messages = " | ".join(r["message"] for r in stale)
    assert "was '12.0' when corrected, is now '10.0'" in messages
    assert "has no form 99" in messages and "no input 'elsewhere.txt'" in messages
    assert sorted(r["message"].split(": ", 1)[0] for r in unusable) == [
        "corrections.csv row 4, funding total line", "corrections.csv row 5, funding total executed"]
    assert not _rows(tables, "findings", code="reviewer_corrected")


def test_a_missing_row_is_stale():
    tables = _run((DOC, "2", "indicators", "99", "score", "1.0", "2", ""))
    (stale,) = _rows(tables, "findings", code="stale_correction")
    assert stale["form_seq"] == 2 and "no indicator '99'" in stale["message"]


def test_formula_guarded_text_round_trips():
    """A text the CSV writes with its ' guard is compared and written back as the CSV writes it."""
    tables = _run((DOC, "3", "forms", "", "project_leader", "", "'=张三", ""))
    assert _rows(tables, "forms", form_seq=3)[0]["project_leader"] == "=张三"
    again = _run((DOC, "3", "forms", "", "project_leader", "", "'=张三", ""),
                 (DOC, "3", "forms", "", "project_leader", "'=张三", "李四", ""))
    assert _rows(again, "forms", form_seq=3)[0]["project_leader"] == "李四"


def test_the_header_is_checked():
    with pytest.raises(CorrectionsError, match="header must be doc_id,form_index,table"):
        parse_corrections("doc,form,x\n")


def test_cli_applies_the_same_file_to_identical_tables(tmp_path: Path):
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(write_corrections([
        (DOC, "15", "funding", "total", "executed", "10.0", "66.0", "见原件"),
        (DOC, "15", "funding", "district", "executed", "11.0", "66.0", ""),
    ]), encoding="utf-8")
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = runner.invoke(app, ["extract", str(SEED), "--out", str(out), "--format", "csv",
                                     "--corrections", str(corrections)])
        assert result.exit_code == 0, result.output
        outs.append(out)
    for name in TABLES:
        assert (outs[0] / f"{name}.csv").read_bytes() == (outs[1] / f"{name}.csv").read_bytes()
    findings = list(csv.DictReader(io.StringIO((outs[0] / "findings.csv").read_text(encoding="utf-8"))))
    assert [r["code"] for r in findings if "correct" in r["code"]] == ["reviewer_corrected", "stale_correction"]


def test_cli_refuses_a_file_that_is_not_corrections(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(SEED), "--out", str(tmp_path / "o"), "--corrections", str(bad)])
    assert result.exit_code == 2 and "header must be" in result.output
    result = runner.invoke(app, ["extract", str(SEED), "--out", str(tmp_path / "o"),
                                 "--corrections", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "cannot be read" in result.output
