"""The budget checks (selfeval.extract.limits) at their edges, and the
smaller points that come with them: per-line decoding, --max-file-mb 0,
--max-pages."""

from __future__ import annotations

import os
import zipfile

import pytest

from selfeval.extract.decode import decode_bytes
from selfeval.extract.limits import (
    NotRegular,
    TooLarge,
    bounded_span,
    downscale_size,
    extent_problem,
    inflated_problem,
    merged_problem,
    pixels_problem,
    read_regular,
    ref_area,
    render_dpi,
)
from selfeval.extract.readers import InputFile, printable_name, read_document
from selfeval.settings import Settings


def test_pixels_are_bounded_exactly_at_the_limit():
    assert pixels_problem(10_000, 10_000, 100_000_000) is None  # exactly the limit: read
    problem = pixels_problem(10_001, 10_000, 100_000_000)
    assert problem and "10001×10000" in problem and "100.0 Mpx limit" in problem
    assert pixels_problem(10**6, 10**6, 0) is None  # 0: no limit


def test_a_page_is_scaled_to_the_ocr_budget():
    assert downscale_size(2000, 3000, 8_000_000) == (2000, 3000)
    width, height = downscale_size(6000, 8000, 12_000_000)  # 48 Mpx, scaled by 1/2
    assert (width, height) == (3000, 4000)
    width, height = downscale_size(7016, 9921, 12_000_000)  # A3 at 600 dpi
    assert width * height <= 12_000_000 and abs(width / height - 7016 / 9921) < 0.001
    assert render_dpi(595, 842, 200, 8_000_000) == 200  # A4 at 200 dpi is 3.9 Mpx
    dpi = render_dpi(14400, 14400, 200, 12_000_000)  # 200 × 200 inches
    assert dpi == 17.32 and (200 * dpi) ** 2 <= 12_000_000


def test_ranges_and_spans():
    assert ref_area("A1") == 1 and ref_area("B2:C4") == 6 and ref_area("$A$1:$B$2") == 4
    assert ref_area("A1:XFD1048576") == 16384 * 1048576 and ref_area("nonsense") == 0
    assert merged_problem([10, 20], 30) is None and "more than 29 cells" in merged_problem([10, 20], 29)
    assert extent_problem(1000, 1000, 1_000_000) is None and extent_problem(1001, 1000, 1_000_000)
    assert bounded_span(0, 1000) == (1, None) and bounded_span(1000, 1000) == (1000, None)
    span, problem = bounded_span(10**8, 1000)
    assert span == 1000 and "100,000,000 columns" in problem


def test_inflated_bytes_are_the_declared_sizes_of_the_members():
    a, b = zipfile.ZipInfo("a.xml"), zipfile.ZipInfo("xl/big.xml")
    a.file_size, b.file_size = 10, 90
    assert inflated_problem([a, b], 100) is None
    assert "xl/big.xml" in inflated_problem([a, b], 99)


def test_only_regular_files_are_read_and_never_past_the_limit(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 100)
    assert read_regular(path, 100) == b"x" * 100 and read_regular(path, 0) == b"x" * 100
    with pytest.raises(TooLarge):
        read_regular(path, 99)
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(NotRegular, match="fifo"):
        read_regular(tmp_path / "pipe.txt", 100)  # returns at once: opened without blocking
    os.symlink("/dev/zero", tmp_path / "zero.txt")
    with pytest.raises(NotRegular, match="character device"):
        read_regular(tmp_path / "zero.txt", 100)


def test_max_file_bytes_0_means_no_limit(tmp_path):
    import make_bad_inputs

    path = tmp_path / "form.txt"
    path.write_text("\n".join(make_bad_inputs.form_lines(1)) + "\n", encoding="utf-8")
    doc = read_document(InputFile(path, "form.txt"), Settings(max_file_bytes=0))
    assert doc.readable and not doc.findings and doc.rows
    doc = read_document(InputFile(path, "form.txt"), Settings(max_file_bytes=100))
    assert [f.code for f in doc.findings] == ["limit_exceeded"] and "--max-file-mb" in doc.findings[0].message


def test_names_that_are_not_utf8_are_escaped():
    name = os.fsdecode(b"bad-\xff\xd6\xd0.txt")
    assert printable_name(name) == "bad-\\xff\\xd6\\xd0.txt"
    assert printable_name("中文.txt") == "中文.txt"


def test_a_gb18030_file_with_one_utf8_line_decodes_each_line():
    lines = ["项目序号：1", "项目名称\t“鸿雁计划”专项资金", "金额单位：万元（保留两位小数）", "预算单位\t重庆市荣昌区人力资源和社会保障局"]
    data = b"\n".join([lines[0].encode("gb18030"), lines[1].encode("gb18030"), lines[2].encode("utf-8"),
                       lines[3].encode("gb18030")])
    decoded = decode_bytes(data)
    assert decoded.text == "\n".join(lines) and decoded.replaced == 0
    assert decoded.encoding == "gb18030/utf-8"


def test_a_utf8_file_with_a_damaged_byte_stays_utf8():
    data = "项目名称\t鸿雁计划\n预算单位\t人社局\n".encode() + b"\xff" + "实施单位\t人社局".encode()
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8" and decoded.replaced == 1 and decoded.text.endswith("\ufffd实施单位\t人社局")


def test_max_pages_is_an_option(tmp_path):
    from typer.testing import CliRunner

    from selfeval.cli import app

    result = CliRunner().invoke(app, ["extract", "--help"])
    assert "--max-pages" in result.output and "--max-image-mpx" in result.output


def test_every_budget_is_in_the_readme_limits_table_with_a_real_flag():
    from dataclasses import fields
    from pathlib import Path

    from typer.testing import CliRunner

    from selfeval.cli import app

    section = Path("README.md").read_text(encoding="utf-8").split("### Limits")[1].split("Exit status:")[0]
    help_text = CliRunner().invoke(app, ["extract", "--help"], env={"COLUMNS": "300"}).output
    budgets = [f.name for f in fields(Settings) if f.name.startswith("max_") or f.name.endswith("_budget_s")]
    assert len(budgets) >= 9
    for name in budgets:
        row = next((line for line in section.splitlines() if f"(`{name}`" in line or f"`{name}`;" in line), None)
        assert row is not None, f"{name} is not in the README's Limits table"
        for flag in [w.strip("`") for w in row.split() if w.startswith("`--")]:
            assert flag in help_text, flag
