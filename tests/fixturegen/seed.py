"""Read the seed's forms back into rows of cells and the merges they imply.

A form in the seed is a title line (``## 2020年度…``), ``项目序号：N``,
``金额单位：…`` and the table rows, tab-split.  In the printed form the
label cells are merged: ``项目资金`` over its funding rows, ``年度总体目标``
over its two rows, ``绩效指标`` and the level-1/level-2 labels over their
groups, and in the header and goal rows each value runs over the blank
cells to its right.  Pasted text keeps a merged cell's text in its first
position with blanks below and beside it; ``derive_merges`` turns those
blanks back into merged ranges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"

LEVEL1 = ("产出指标", "效益指标", "满意度指标", "成本指标")
LEVEL2 = (
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
)
BLOCK_LABELS = ("项目资金", "年度总体目标", "绩效指标")
LABELS = frozenset(LEVEL1 + LEVEL2 + BLOCK_LABELS)
LABEL_COLUMNS = 3  # the label columns of the funding and indicator blocks

_SEQ = re.compile(r"项目序号\s*[:：]\s*(\d+)")


@dataclass(frozen=True)
class Merge:
    """A merged range of table cells, inclusive, 0-based within the table."""

    top: int
    left: int
    bottom: int
    right: int

    def covers(self, row: int, col: int) -> bool:
        return self.top <= row <= self.bottom and self.left <= col <= self.right

    @property
    def rows(self) -> int:
        return self.bottom - self.top + 1

    @property
    def cols(self) -> int:
        return self.right - self.left + 1


@dataclass(frozen=True)
class Form:
    seq: int
    preamble: tuple[str, ...]  # the lines above the table, as printed (no markdown '#')
    rows: tuple[tuple[str, ...], ...]  # table rows, stripped, padded to the table width
    merges: tuple[Merge, ...]
    source: str  # the form's lines in the seed, verbatim

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def grid(self) -> list[tuple[str, ...]]:
        """What a reader of any rendering must give back: the preamble lines
        as one-cell rows, then the table rows, without trailing blanks."""
        out = [(line,) for line in self.preamble]
        out += [_trim(r) for r in self.rows]
        return [r for r in out if r]

    def anchor(self, row: int, col: int) -> Merge | None:
        """The merge whose top-left cell is (row, col)."""
        for m in self.merges:
            if m.top == row and m.left == col:
                return m
        return None

    def covered(self, row: int, col: int) -> bool:
        """True for a cell inside a merge but not its top-left."""
        return any(m.covers(row, col) and (m.top, m.left) != (row, col) for m in self.merges)


def _trim(cells: Sequence[str]) -> tuple[str, ...]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return tuple(cells[:end])


def load_seed(path: Path = SEED) -> list[Form]:
    """The seed's forms, in order."""
    chunks: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            chunks.append([])
        if chunks:
            chunks[-1].append(line)
    return [_form(chunk) for chunk in chunks]


def _form(lines: list[str]) -> Form:
    preamble: list[str] = []
    rows: list[list[str]] = []
    for line in lines:
        if not line.strip():
            continue
        if "\t" in line:
            rows.append([c.strip() for c in line.split("\t")])
        elif rows:
            raise ValueError(f"text after the table is not expected in the seed: {line!r}")
        else:
            preamble.append(line.lstrip("#").strip())
    width = max(len(_trim(r)) for r in rows)
    table = tuple(tuple((r + [""] * width)[:width]) for r in rows)
    seq = next(int(m.group(1)) for line in preamble if (m := _SEQ.search(line)))
    source = "\n".join(lines).strip("\n") + "\n"
    return Form(seq, tuple(preamble), table, tuple(derive_merges(table)), source)


def _sections(rows: Sequence[Sequence[str]]) -> list[str]:
    """The block each row belongs to: header, funding, goal or indicators."""
    starts = {"项目资金": "funding", "年度总体目标": "goal", "绩效指标": "indicators"}
    section, out = "header", []
    for row in rows:
        first = next((c for c in row if c), "")
        section = starts.get(first, section)
        out.append(section)
    return out


def derive_merges(rows: Sequence[Sequence[str]]) -> list[Merge]:
    """The merged ranges a printed form has where the pasted rows have blanks."""
    sections = _sections(rows)
    width = len(rows[0]) if rows else 0
    merges: list[Merge] = []
    taken: set[tuple[int, int]] = set()

    def add(m: Merge) -> None:
        if m.rows * m.cols > 1:
            merges.append(m)
            taken.update((r, c) for r in range(m.top, m.bottom + 1) for c in range(m.left, m.right + 1))

    for r, row in enumerate(rows):
        section = sections[r]
        for c, text in enumerate(row):
            if not text or (r, c) in taken:
                continue
            if section in ("header", "goal"):
                right = c
                while right + 1 < width and not row[right + 1]:
                    right += 1
                bottom = r
                if text == "年度总体目标":
                    while (
                        bottom + 1 < len(rows)
                        and sections[bottom + 1] == "goal"
                        and not any(rows[bottom + 1][c : right + 1])
                    ):
                        bottom += 1
                add(Merge(r, c, bottom, right))
            elif c < LABEL_COLUMNS and text in LABELS:
                bottom = r
                while bottom + 1 < len(rows) and sections[bottom + 1] == section and not rows[bottom + 1][c]:
                    bottom += 1
                add(Merge(r, c, bottom, c))
    return merges


def select(forms: Iterable[Form], seqs: Iterable[int]) -> list[Form]:
    """The forms with the given 项目序号, in the order given."""
    by_seq = {f.seq: f for f in forms}
    return [by_seq[s] for s in seqs]


def seed_text(forms: Iterable[Form]) -> str:
    """The seed text of the given forms, verbatim: the text twin of a rendering."""
    return "\n".join(f.source for f in forms)
