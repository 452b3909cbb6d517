from __future__ import annotations

import codecs

import pytest

from selfeval.extract.decode import decode_bytes
from selfeval.extract.split import split_forms
from selfeval.extract.text import (
    detect_shape,
    lost_boundaries,
    split_pipe,
    split_spaces,
    text_to_rows,
)

SAMPLE = "## 2020年度预算资金项目支出绩效自评表\n项目序号：1\n项目名称\t\t工程\n"


@pytest.mark.parametrize(
    "data,encoding",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (SAMPLE.encode("utf-8-sig"), "utf-8-sig"),
        (SAMPLE.encode("gb18030"), "gb18030"),
        (SAMPLE.encode("utf-16"), "utf-16"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_decodes_the_encodings_forms_come_in(data, encoding):
    decoded = decode_bytes(data)
    assert decoded.text == SAMPLE and decoded.encoding == encoding and decoded.replaced == 0


def test_broken_utf8_is_decoded_with_replacements_counted():
    decoded = decode_bytes("项目名称".encode() + b"\xff\xfe\xfa" + "工程".encode() * 3)
    assert decoded.text is not None and decoded.replaced > 0


def test_binary_is_refused():
    assert decode_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4).text is None
    assert decode_bytes(codecs.BOM_UTF8 + b"\x00\x01\x02" * 100).text is None


def test_shapes_are_detected_per_document():
    assert detect_shape(["a\tb", "c"]) == "tab"
    assert detect_shape(["| a | b |", "|---|---|", "| c | d |", "| e | f |"]) == "pipe"
    assert detect_shape(["a  b", "c   d"]) == "spaces"


def test_lines_of_a_lone_tab_are_blank_lines_not_cell_boundaries():
    # one cell per line, an empty cell kept as a line of one tab: the tabs
    # separate no cells, so the cell boundaries are lost (the token reader's)
    lines = ["项目资金", "\t", "年初预算数", "\t", "13.04"]
    assert detect_shape(lines) == "tab"  # no line separates cells: the default
    assert lost_boundaries(lines, "tab") == "words"
    assert detect_shape(["a  b", "\t", "c   d"]) == "spaces"  # a blank line does not make it tab-separated
    assert lost_boundaries(["a\tb", "c"], "tab") is None


def test_space_runs_keep_empty_cells():
    assert split_spaces("  年度资金总额：    13.04  13.04") == ("", "年度资金总额：", "", "13.04", "13.04")
    assert split_spaces("1. 全区 全年") == ("1. 全区 全年",)


def test_pipe_rows_keep_empty_cells_and_separators_are_decoration():
    assert split_pipe("| a |  | b |") == ("a", "", "b")
    rows, lines, decoration = text_to_rows("| a |  | b |\n|---|---|---|\n| c | d | e |\n| f | g | h |\n")
    assert [r.cells for r in rows] == [("a", "", "b"), ("c", "d", "e"), ("f", "g", "h")]
    assert (lines, decoration) == (4, 1)


def test_heading_marks_are_decoration_and_lines_are_numbered_from_one():
    rows, lines, _ = text_to_rows("\n## 标题绩效自评表\r\n\r\n项目序号：1\n")
    assert [(r.line, r.cells) for r in rows] == [(2, ("标题绩效自评表",)), (4, ("项目序号：1",))]
    assert lines == 2


def test_split_on_seq_includes_the_title_and_reports_stray_rows():
    text = "前言\n# 2020年度项目支出绩效自评表\n项目序号: 1\na\tb\n# 2020年度项目支出绩效自评表\n项目序号：２\nc\td\n"
    rows, _, _ = text_to_rows(text)
    forms, stray = split_forms(rows)
    assert [(f.seq, f.line_start, f.line_end) for f in forms] == [(1, 2, 4), (2, 5, 7)]
    assert [r.line for r in stray] == [1]


def test_split_on_titles_when_there_is_no_seq():
    rows, _, _ = text_to_rows("项目支出绩效自评表\na\tb\n项目支出绩效自评表\nc\td\n")
    forms, stray = split_forms(rows)
    assert [(f.index, f.seq, f.line_start) for f in forms] == [(1, None, 1), (2, None, 3)] and not stray
