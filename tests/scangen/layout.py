"""Lay a form spec out as the printed table: merged cells, and its canonical text.

The table has nine columns, like the seed's pasted copies.  A merged cell's
text sits in its top-left position and the positions it covers are empty, so
``canonical_rows`` is exactly what a clean pasted copy of the printed form
looks like (and what the OCR reader should give back for its scan).
"""

from __future__ import annotations

from dataclasses import dataclass

from .seed import FormSpec

NCOLS = 9
# column widths in mm (sum 180: A4 portrait with 15 mm margins)
COL_MM = (12.0, 26.0, 24.0, 30.0, 19.0, 19.0, 14.0, 14.0, 22.0)

FUNDING_HEADER = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass(frozen=True)
class TableLayout:
    title: str
    seq_line: str
    unit_line: str
    cells: tuple[Cell, ...]
    nrows: int


def form_layout(form: FormSpec) -> TableLayout:
    cells: list[Cell] = []

    def add(r: int, c: int, text: str, rs: int = 1, cs: int = 1) -> None:
        cells.append(Cell(r, c, rs, cs, text))

    add(0, 0, "预算单位（盖章）", cs=2)
    add(0, 2, form.budget_unit, cs=2)
    add(0, 4, "实施单位")
    add(0, 5, form.implementing_unit, cs=4)
    add(1, 0, "项目名称", cs=2)
    add(1, 2, form.project_name, cs=7)
    add(2, 0, "项目资金", rs=1 + len(form.funding))
    add(2, 1, "")
    for k, head in enumerate(FUNDING_HEADER):
        add(2, 2 + k, head, cs=2 if k == 5 else 1)
    r = 3
    for label, values in form.funding:
        add(r, 1, label)
        for k, value in enumerate(values):
            add(r, 2 + k, value, cs=2 if k == 5 else 1)
        r += 1
    add(r, 0, "年度总体目标", rs=2, cs=2)
    add(r, 2, "年初设定目标", cs=2)
    add(r, 4, "实际完成情况", cs=5)
    add(r + 1, 2, form.goal_target, cs=2)
    add(r + 1, 4, form.goal_actual, cs=5)
    r += 2
    start = r
    add(r, 0, "绩效指标", rs=len(form.indicators) + 2)
    for k, head in enumerate(INDICATOR_HEADER):
        add(r, 1 + k, head)
    r += 1
    inds = form.indicators
    groups1 = _groups([bool(i.level1) for i in inds])
    groups2 = _groups([bool(i.level2) or bool(i.level1) for i in inds])
    for g0, g1 in groups1:
        add(r + g0, 1, inds[g0].level1, rs=g1 - g0)
    for g0, g1 in groups2:
        add(r + g0, 2, inds[g0].level2, rs=g1 - g0)
    for k, ind in enumerate(inds):
        for c, value in enumerate((ind.name, ind.target, ind.actual, ind.weight, ind.score, ind.note)):
            add(r + k, 3 + c, value)
    r += len(inds)
    add(r, 1, "总分", cs=5)
    add(r, 6, form.total_weight)
    add(r, 7, form.total_score)
    add(r, 8, "")
    assert r == start + len(inds) + 1
    return TableLayout(form.title, form.seq_line, form.unit_line, tuple(cells), r + 1)


def _groups(starts: list[bool]) -> list[tuple[int, int]]:
    """Half-open index ranges of groups that begin where ``starts`` is true."""
    out: list[tuple[int, int]] = []
    for i, s in enumerate(starts):
        if s or not out:
            out.append((i, i + 1))
        else:
            out[-1] = (out[-1][0], i + 1)
    return out


def canonical_rows(layout: TableLayout) -> list[tuple[str, ...]]:
    """The form as rows of cells, the way the OCR reader should give it back."""
    rows: list[tuple[str, ...]] = [(layout.title,), (layout.seq_line,), (layout.unit_line,)]
    grid = [[""] * NCOLS for _ in range(layout.nrows)]
    for cell in layout.cells:
        grid[cell.row][cell.col] = cell.text
    rows.extend(tuple(r) for r in grid)
    return rows


def canonical_text(layout: TableLayout) -> str:
    """The canonical rows as tab-separated text, for the text path."""
    return "\n".join("\t".join(r) for r in canonical_rows(layout)) + "\n"
