"""A workbook printed with print titles repeats the title and 项目序号 on
every page: in a PDF that is one form continued, not a second form."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from selfeval.extract.grid import SourceRow
from selfeval.extract.split import split_forms
from selfeval.extract.text import text_to_rows
from selfeval.normalize.form import parse_form
from selfeval.settings import Settings

FORM1 = "\n".join(Path("fixtures/forms/seed-2020-rongchang-27-forms.txt").read_text(encoding="utf-8").split("\n")[:31])


def _paged(repeat_title: bool):
    rows, _, _ = text_to_rows(FORM1)  # title, 项目序号, 金额单位, … 总分
    page1 = [SourceRow(r.cells, i + 1, page=1) for i, r in enumerate(rows[:14])]
    head = [SourceRow(r.cells, i + 1, page=2) for i, r in enumerate(rows[:3])] if repeat_title else []
    page2 = [SourceRow(r.cells, len(head) + i + 1, page=2) for i, r in enumerate(rows[14:])]
    return page1 + head + page2


def test_repeated_print_titles_continue_the_form():
    forms, stray = split_forms(_paged(repeat_title=True))
    assert len(forms) == 1 and not stray
    form = parse_form(forms[0], Settings())
    assert (len(form.funding), len(form.indicators)) == (6, 4)
    assert len(form.used_lines) == len(forms[0].rows)  # the repeated title rows are read, not lost
    assert {f.code for f in form.findings} == {"label_repaired", "row_realigned"}  # form 1's own repairs


def test_the_same_form_without_repeated_titles_reads_the_same():
    paged = parse_form(split_forms(_paged(repeat_title=True))[0][0], Settings())
    plain = parse_form(split_forms(_paged(repeat_title=False))[0][0], Settings())
    unlined = lambda records: [replace(r, line=0) for r in records]  # noqa: E731 - rows on page 2 are numbered differently
    assert unlined(paged.indicators) == unlined(plain.indicators) and unlined(paged.funding) == unlined(plain.funding)


def test_in_text_a_repeated_seq_stays_a_second_form():
    rows, _, _ = text_to_rows(FORM1 + "\n" + FORM1)
    forms, _ = split_forms(rows)
    assert [f.seq for f in forms] == [1, 1]  # reported downstream as duplicate_form_seq
