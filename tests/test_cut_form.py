"""A document that starts mid-form (as ../shared/real-excerpts/05_* does: the
tail of one form, then the next): the rows before the first form that hold a
block of a form are read as a form of their own, numbered first, and said
(``form_cut_at_top``).  On shapes of our own: the split-target form of
fixtures/templates cut at its indicator header, and at its funding header,
each followed by the whole form.  Expected values typed from that file."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfeval.pipeline import run

FORM = Path("fixtures/templates/split-target-columns-2021.txt").read_text(encoding="utf-8")
NAMES = ["生活补助人数", "慰问次数", "人均补助标准", "服务基层覆盖率", "补助人员满意度"]


def _read(tmp_path: Path, cut_at: str) -> dict:
    lines = FORM.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(cut_at))
    path = tmp_path / "starts-mid-form.txt"
    path.write_text("\n".join(lines[start:]) + "\n" + FORM, encoding="utf-8")
    result = run([path])
    return {k: v.to_pylist() for k, v in result.tables.items()}


@pytest.mark.parametrize("cut_at", ["一级指标", "项目资金"])
def test_the_tail_of_a_form_is_read_as_a_form_and_said(tmp_path, cut_at):
    tables = _read(tmp_path, cut_at)
    cut, whole = tables["forms"]
    assert (cut["form_index"], cut["title"], cut["total_weight"], cut["total_score"], cut["project_leader"],
            cut["problems"]) == (1, None, 100.0, 96.32, "张三", "部分人员放弃岗位。")
    assert (whole["form_index"], whole["title"], whole["project_name"]) == (2, "2021年度项目支出绩效自评表",
                                                                          "2021年高校毕业生生活补助")
    for form in (1, 2):
        rows = [r for r in tables["indicators"] if r["form_index"] == form]
        assert [r["level3"] for r in rows] == NAMES
        assert [r["weight"] for r in rows] == [30.0, 20.0, 20.0, 10.0, 10.0]
    funded = {r["form_index"] for r in tables["funding"]}
    assert funded == ({1, 2} if cut_at == "项目资金" else {2})
    said = [f for f in tables["findings"] if f["code"] == "form_cut_at_top"]
    assert [f["form_index"] for f in said] == [1]
    assert not [f for f in tables["findings"] if "before the first form" in f["message"]]
