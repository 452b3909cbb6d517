"""Bad input: every file in fixtures/bad/ (and the large or binary ones made
here) gives its findings and exit status, no traceback, and no lost line."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import random
import struct
import zlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from selfeval.cli import app

runner = CliRunner()
BAD = Path("fixtures/bad")
SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")


def extract(path: Path | str, out: Path, *options: str):
    result = runner.invoke(app, ["extract", str(path), "--out", str(out), *options])
    assert "Traceback" not in result.output, result.output
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    findings = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8"))))
    for entry in manifest["inputs"]:
        if entry["forms"]:  # nothing is lost
            assert entry["lines"] == entry["lines_used"] + entry["lines_reported"], entry
    return result, manifest, findings


def codes(findings: list[dict], *wanted: str) -> list[tuple[str, str]]:
    """(code, line) of the findings with one of the wanted codes, in order."""
    return [(f["code"], f["line"]) for f in findings if f["code"] in wanted]


def rows(out: Path, table: str) -> list[dict]:
    return pq.read_table(out / f"{table}.parquet").to_pylist()


def seed_form(index: int = 1) -> str:
    import make_bad_inputs

    return "\n".join(make_bad_inputs.form_lines(index)) + "\n"


def test_the_committed_corpus_is_what_the_script_writes():
    import make_bad_inputs

    files = make_bad_inputs.files()
    assert sorted(files) == sorted(p.name for p in BAD.iterdir())
    for name, data in files.items():
        assert (BAD / name).read_bytes() == data, name


# -- fixtures/bad/ --------------------------------------------------------------
@pytest.mark.parametrize("name", ["empty.txt", "whitespace-only.txt"])
def test_empty_and_blank_files_have_no_forms(tmp_path, name):
    result, manifest, findings = extract(BAD / name, tmp_path)
    assert result.exit_code == 1 and "no_forms_found" in result.output
    assert codes(findings, "no_forms_found") == [("no_forms_found", "")]
    assert manifest["inputs"][0]["lines"] == 0


def test_a_document_without_forms_reports_every_line(tmp_path):
    result, manifest, findings = extract(BAD / "no-forms.txt", tmp_path)
    assert result.exit_code == 1
    assert [f["code"] for f in findings] == ["no_forms_found"]
    entry = manifest["inputs"][0]
    assert entry["lines"] == entry["lines_reported"] == 4 and entry["lines_used"] == 0


@pytest.mark.parametrize("name", ["gb18030.txt", "utf16-no-bom.txt"])
def test_other_encodings_read_like_utf8(tmp_path, name):
    result, manifest, findings = extract(BAD / name, tmp_path)
    assert result.exit_code == 0
    assert not codes(findings, "encoding_repaired", "unreadable_input", "unparsed_line")
    (form,) = rows(tmp_path, "forms")
    assert form["project_name"] == "“鸿雁计划”专项资金" and form["total_score"] == 99.0
    assert len(rows(tmp_path, "indicators")) == 4


def test_broken_utf8_is_repaired_and_said(tmp_path):
    result, manifest, findings = extract(BAD / "broken-utf8.txt", tmp_path)
    assert result.exit_code == 0  # read, with a loss that the finding names
    assert codes(findings, "encoding_repaired") == [("encoding_repaired", "")]
    assert next(f for f in findings if f["code"] == "encoding_repaired")["severity"] == "error"
    (form,) = rows(tmp_path, "forms")
    assert "\ufffd" in form["project_name"] and form["total_score"] == 99.0
    assert manifest["inputs"][0]["lines_reported"] == 0


def test_a_form_cut_off_mid_table(tmp_path):
    result, manifest, findings = extract(BAD / "truncated-form.txt", tmp_path)
    assert result.exit_code == 0
    assert codes(findings, "missing_total_row", "unparsed_line") == [("missing_total_row", "")]
    (form,) = rows(tmp_path, "forms")
    assert form["total_score"] is None and len(rows(tmp_path, "funding")) == 6
    assert [i["level3"] for i in rows(tmp_path, "indicators")] == ["补助引进人才企业数", "引进人才数"]


def test_duplicated_form_seq_keeps_both_forms(tmp_path):
    result, manifest, findings = extract(BAD / "duplicate-form-seq.txt", tmp_path)
    assert result.exit_code == 0
    assert codes(findings, "duplicate_form_seq") == [("duplicate_form_seq", "31")]
    forms = rows(tmp_path, "forms")
    assert [(f["form_seq"], f["form_index"]) for f in forms] == [(1, 1), (1, 2)]


def test_two_total_rows_uses_the_first_and_keeps_the_second(tmp_path):
    result, manifest, findings = extract(BAD / "two-total-rows.txt", tmp_path)
    assert result.exit_code == 0
    assert codes(findings, "duplicate_total_row", "unparsed_line") == [("duplicate_total_row", "30"), ("unparsed_line", "30")]
    (form,) = rows(tmp_path, "forms")
    assert form["total_score"] == 99.0
    assert manifest["inputs"][0]["lines_reported"] == 1


def test_odd_numbers_are_read_or_reported_never_inf_or_nan(tmp_path):
    result, manifest, findings = extract(BAD / "odd-numbers.txt", tmp_path)
    assert result.exit_code == 0
    assert codes(findings, "unparsed_number") == [("unparsed_number", n) for n in ("10", "12", "12", "13", "19", "19", "20", "23")]
    texts = " ".join(f["message"] for f in findings if f["code"] == "unparsed_number")
    for raw in ("'1.2.3'", "'∞'", "'NaN'", "'1e309'"):
        assert raw in texts
    funding = {r["source_key"]: r for r in rows(tmp_path, "funding")}
    assert funding["total"]["budget_full_year"] == 1234.5 and funding["total"]["executed"] is None
    assert funding["municipal"]["budget_full_year"] is None and funding["municipal"]["executed"] is None
    district = funding["district"]["budget_full_year"]
    assert district == 0.0 and math.copysign(1, district) == 1  # -0 is 0
    indicators = rows(tmp_path, "indicators")
    assert [(i["weight"], i["score"]) for i in indicators[:3]] == [(None, None), (None, 0.0), (None, 1234.5)]
    for table in ("forms", "funding", "indicators"):
        for row in rows(tmp_path, table):
            for value in row.values():
                assert not (isinstance(value, float) and not math.isfinite(value)), (table, row)
    assert "inf" not in (tmp_path / "funding.csv").read_text(encoding="utf-8").lower()


def test_formula_cells_are_neutralised_in_csv_and_kept_in_parquet(tmp_path):
    result, manifest, findings = extract(BAD / "formula-cells.txt", tmp_path)
    assert result.exit_code == 0
    text = (tmp_path / "forms.csv").read_text(encoding="utf-8") + (tmp_path / "indicators.csv").read_text(encoding="utf-8")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    payloads = [c for c in cells if "cmd|" in c or "HYPERLINK" in c]
    assert len(payloads) == 4
    assert all(c.startswith("'") for c in payloads), payloads
    (form,) = rows(tmp_path, "forms")
    assert form["project_name"].startswith("=HYPERLINK") and form["implementing_unit"].startswith("-2+3")
    assert [i["level3"][0] for i in rows(tmp_path, "indicators")] == ["+", "引", "人", "@"]


# -- made here: binary, large, folders -----------------------------------------
def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    pixels = b"".join(b"\x00" + b"\xff\xff\xff" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))


def test_binary_garbage_is_unreadable(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_bytes(random.Random(1).randbytes(4096))
    result, manifest, findings = extract(path, tmp_path / "out")
    assert result.exit_code == 1 and "garbage.txt" in result.output
    assert [f["code"] for f in findings] == ["unreadable_input"]


def test_a_png_named_txt_goes_to_the_image_reader(tmp_path):
    path = tmp_path / "scan.txt"
    path.write_bytes(tiny_png())
    result, manifest, findings = extract(path, tmp_path / "out")
    assert result.exit_code == 1
    # without the OCR extra the image reader is missing (unreadable_input); with it, a blank image has no forms
    assert [f["code"] for f in findings] in (["unreadable_input"], ["no_forms_found"])
    assert manifest["inputs"][0]["kind"] in ("image", "unreadable")


def test_a_10_mb_line_is_cut_reported_and_the_forms_around_it_kept(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(seed_form(1) + "x" * 10_000_000 + "\n" + seed_form(2), encoding="utf-8")
    result, manifest, findings = extract(path, tmp_path / "out", "--format", "csv")
    assert result.exit_code == 0  # the line is cut, the file still yields its forms
    assert codes(findings, "limit_exceeded", "unparsed_line") == [("limit_exceeded", "30"), ("unparsed_line", "30")]
    assert manifest["inputs"][0]["forms"] == 2
    assert (tmp_path / "out" / "findings.csv").stat().st_size < 1_000_000


def test_10000_forms_in_one_file(tmp_path):
    # the seed's form head, its funding header and total row, and its 总分 row, 10,000 times:
    # splitting and numbering at scale (each form holds a record, so none is an empty_form)
    lines = seed_form(1).split("\n")
    head = [line for line in lines[:10]] + [next(line for line in lines if "总分" in line)]
    text = "\n".join("\n".join(head).replace("项目序号：1", f"项目序号：{n}") for n in range(1, 10_001)) + "\n"
    path = tmp_path / "many.txt"
    path.write_text(text, encoding="utf-8")
    result, manifest, findings = extract(path, tmp_path / "out", "--format", "csv")
    assert result.exit_code == 0
    assert manifest["inputs"][0]["forms"] == 10_000
    assert not codes(findings, "duplicate_form_seq", "missing_form_seq")
    forms = list(csv.DictReader(io.StringIO((tmp_path / "out" / "forms.csv").read_text(encoding="utf-8"))))
    assert [int(f["form_seq"]) for f in forms] == list(range(1, 10_001))


def test_a_folder_with_unsupported_files_and_a_symlink_loop(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(seed_form(1), encoding="utf-8")
    (folder / "notes.csv").write_text("a,b\n")
    (folder / "tool.exe").write_bytes(b"MZ\x90\x00")
    (folder / "README").write_text("read me\n")
    (folder / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (folder / "self").symlink_to(".", target_is_directory=True)
    result, manifest, findings = extract(folder, tmp_path / "out")
    assert result.exit_code == 0
    assert [e["doc_id"] for e in manifest["inputs"]] == ["a.txt"]
    skipped = sorted(f["doc_id"] for f in findings if f["code"] == "skipped_file")
    assert skipped == ["README", "notes.csv", "tool.exe"]


def test_an_unreadable_file(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(seed_form(1), encoding="utf-8")
    locked = folder / "locked.txt"
    locked.write_text(seed_form(1), encoding="utf-8")
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads a chmod 000 file: refuse the read as the OS would a user's
        import selfeval.extract.readers as readers

        read_regular = readers.read_regular

        def refused(path: Path, limit: int) -> bytes:
            if path.name == "locked.txt":
                raise PermissionError(13, "Permission denied", str(path))
            return read_regular(path, limit)

        monkeypatch.setattr(readers, "read_regular", refused)
    try:
        result, manifest, findings = extract(folder, tmp_path / "out")
    finally:
        locked.chmod(0o644)
    assert result.exit_code == 1 and "locked.txt" in result.output
    assert [(f["code"], f["doc_id"]) for f in findings if f["severity"] == "error"] == [("unreadable_input", "locked.txt")]
    assert manifest["totals"]["forms"] == 1


def test_a_file_over_max_file_mb_is_skipped_and_reported(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(seed_form(1) + "y" * 2 * 1024 * 1024 + "\n", encoding="utf-8")
    result, manifest, findings = extract(path, tmp_path / "out", "--max-file-mb", "1")
    assert result.exit_code == 1 and "--max-file-mb" in result.output
    assert [f["code"] for f in findings] == ["limit_exceeded"]
    assert manifest["inputs"][0]["forms"] == 0


MERGED_VALUES = """## 2020年度预算资金项目支出绩效自评表

项目序号：1

金额单位：万元（保留两位小数）

预算单位（盖章）\t\t重庆市荣昌区交通局\t\t实施单位\t重庆市荣昌区交通局
项目名称\t\t农村公路建设
项目资金\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分
\t年度资金总额：\t100.00\t100.00\t100.00\t10.00\t100.00%\t10.00
\t其中：中央资金\t\t\t0.00\t—\t\t—
\t市级资金\t100.00\t100.00\t100.00\t—\t100.00%\t—
年度总体目标\t\t年初设定目标\t\t实际完成情况
\t\t完成农村公路建设\t\t完成农村公路建设
绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施
\t产出指标\t数量指标\t完成投资额\t≥18亿元\t18.49亿元20.00\t\t20.00\t
\t\t质量指标\t验收合格率\t≥95%30.00\t100%\t\t30.00\t
\t\t时效指标\t完工时间\t2020年12月31日\t2020年12月31日\t20.00\t20.00\t
\t效益指标\t满意度指标\t群众满意度\t≥90%\t95%\t20.00\t20.00\t
\t总分\t\t\t\t\t90.00\t90.00
"""


def extract_merged_values_with(tmp_path: Path, name: str, printed: str, instead: str):
    """extract() of MERGED_VALUES with the text ``printed`` replaced by ``instead``."""
    text = MERGED_VALUES.replace(printed, instead)
    assert text != MERGED_VALUES
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    return extract(source, tmp_path / "out")


def test_a_value_holding_a_second_number_after_its_unit_is_named(tmp_path):
    """Hand reading: 完成投资额's 实际完成值 cell reads 18.49亿元20.00 (the actual and the
    weight 20.00 in one cell, its 分值 cell empty) and 验收合格率's 年度指标值 reads
    ≥95%30.00 (the target and the weight). Neither is one value: each is an
    unparsed_number finding naming the text, the row's line (16, 17) and the field;
    the dates and the other values (≥18亿元, 100%, ≥90%, 95%) are single values and
    give none."""
    source = tmp_path / "merged-values.txt"
    source.write_text(MERGED_VALUES, encoding="utf-8")
    result, manifest, findings = extract(source, tmp_path / "out")
    merged = [f for f in findings if f["code"] == "unparsed_number"]
    assert [(f["line"], f["table"], f["key"], f["field"], f["severity"]) for f in merged] == [
        ("16", "indicators", "1", "actual_raw", "warning"),
        ("17", "indicators", "2", "target_raw", "warning"),
    ]
    assert "'18.49亿元20.00'" in merged[0]["message"] and "'20.00'" in merged[0]["message"]
    assert "'≥95%30.00'" in merged[1]["message"] and "'30.00'" in merged[1]["message"]
    indicators = {i["level3"]: i for i in rows(tmp_path / "out", "indicators")}
    assert indicators["完成投资额"]["actual_raw"] == "18.49亿元20.00" and indicators["完成投资额"]["actual_value"] is None
    assert indicators["群众满意度"]["actual_value"] == 95.0


def test_a_rate_stated_for_a_row_whose_executed_amount_is_not_there_is_named(tmp_path):
    """Hand reading: 市级资金 states 全年预算数 100.00 and 执行率 100.00% but its
    全年执行数 cell is empty, the 100.00 standing in the 中央资金 row above (a cell
    spanning two rows, read into the upper one).  The sources still add up, so only
    the rate tells: an execution_rate_mismatch on 市级资金's executed (line 12).
    中央资金's 0.00 rows and the total row (100.00 of 100.00 at 100%) give none."""
    result, manifest, findings = extract_merged_values_with(
        tmp_path, "moved-amount.txt",
        "\t其中：中央资金\t\t\t0.00\t—\t\t—\n\t市级资金\t100.00\t100.00\t100.00\t—\t100.00%\t—\n",
        "\t其中：中央资金\t\t\t100.00\t—\t\t—\n\t市级资金\t100.00\t100.00\t\t—\t100.00%\t—\n",
    )
    rate = [f for f in findings if f["code"] == "execution_rate_mismatch"]
    assert [(f["line"], f["table"], f["key"], f["field"], f["severity"]) for f in rate] == [
        ("12", "funding", "municipal", "executed", "warning"),
    ]
    assert "市级资金" in rate[0]["message"] and "100" in rate[0]["message"]


def test_goal_texts_on_the_goal_label_row_under_their_headings_are_read(tmp_path):
    """Hand reading: the goal headings 年初设定目标 / 实际完成情况 on a row of their own,
    and the texts on the 年度总体目标 row under them: the target is 修建农村公路20公里,
    the actual 修建农村公路21公里; no line is left over."""
    result, manifest, findings = extract_merged_values_with(
        tmp_path, "goal-on-label-row.txt",
        "年度总体目标\t\t年初设定目标\t\t实际完成情况\n\t\t完成农村公路建设\t\t完成农村公路建设\n",
        "\t\t年初设定目标\t\t实际完成情况\n年度总体目标\t\t修建农村公路20公里\t\t修建农村公路21公里\n",
    )
    (form,) = rows(tmp_path / "out", "forms")
    assert (form["goal_target"], form["goal_actual"]) == ("修建农村公路20公里", "修建农村公路21公里")
    assert not [f for f in findings if f["code"] == "unparsed_line"]
