"""Write the header-shape variants of the seed into fixtures/headers/.

Each is the seed's 27 forms with the indicator block's header printed the way
other archives print it; each must give the seed's values field by field
(``tests/test_header_bands.py``).  Run ``python tests/make_header_variants.py``
after changing this file; the test checks the committed files are what this
script writes.

- ``seed-repeated-indicator-header.txt``: a page break reprints the indicator
  header row before each 效益指标 group.
- ``seed-two-row-header.txt``: ``指标值`` spans ``年度指标值 / 实际完成值`` on a
  second header row.
- ``seed-two-row-split-target.txt``: under ``年度指标值`` a second header row
  splits the target into ``指标性质 / 指标值 / 度量单位``, and every target cell
  is split the same way (``≥3家`` → ``≥ | 3 | 家``).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
OUT = ROOT / "fixtures" / "headers"

_TARGET = re.compile(r"^(?P<op>≥|≤|>|<|=)?(?P<num>\d+(?:\.\d+)?)(?P<unit>\D*)$")


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def _is_indicator_header(cells: list[str]) -> bool:
    return "一级指标" in cells and "三级指标" in cells


def repeated_indicator_header(lines: list[str]) -> str:
    """The form's indicator header row printed again before its 效益指标 group."""
    out: list[str] = []
    header: str | None = None
    for line in lines:
        cells = line.split("\t")
        if _is_indicator_header(cells):
            header = line
        elif header is not None and "效益指标" in cells:
            out.append(header)
        if "总分" in cells:
            header = None
        out.append(line)
    return "\n".join(out)


def two_row_header(lines: list[str]) -> str:
    """``指标值`` over the target and actual columns; the two names on a second row."""
    out: list[str] = []
    for line in lines:
        cells = line.split("\t")
        if _is_indicator_header(cells):
            t = cells.index("年度指标值")
            top = cells[:t] + ["指标值", ""] + cells[t + 2:]
            below = [""] * len(cells)
            below[t], below[t + 1] = "年度指标值", "实际完成值"
            out += ["\t".join(top), "\t".join(below)]
        else:
            out.append(line)
    return "\n".join(out)


def _split_target(cell: str) -> list[str]:
    """``≥3家`` → ``≥``, ``3``, ``家``; a target that is not comparator + number +
    unit stays whole in the 指标值 cell."""
    match = _TARGET.match(cell)
    if not match:
        return ["", cell, ""]
    return [match.group("op") or "", match.group("num"), match.group("unit")]


def two_row_split_target(lines: list[str]) -> str:
    """年度指标值 over 指标性质 / 指标值 / 度量单位; each target split into the three."""
    out: list[str] = []
    in_block = False
    for line in lines:
        cells = line.split("\t")
        if _is_indicator_header(cells):
            t = cells.index("年度指标值")
            top = cells[:t] + ["年度指标值", "", ""] + cells[t + 1:]
            below = [""] * len(top)
            below[t:t + 3] = ["指标性质", "指标值", "度量单位"]
            out += ["\t".join(top), "\t".join(below)]
            in_block = True
            continue
        if in_block and "总分" in cells:
            at = cells.index("总分") + 1
            out.append("\t".join(cells[:at] + ["", ""] + cells[at:]))
            in_block = False
            continue
        if in_block:
            values = [i for i, c in enumerate(cells) if _TARGET.match(c) or c.startswith(("≥", "≤", "（"))]
            if values:  # the first value cell is the target: split it in three
                t = values[0]
                cells = cells[:t] + _split_target(cells[t]) + cells[t + 1:]
            out.append("\t".join(cells))
            continue
        out.append(line)
    return "\n".join(out)


SHAPES = {
    "seed-repeated-indicator-header.txt": repeated_indicator_header,
    "seed-two-row-header.txt": two_row_header,
    "seed-two-row-split-target.txt": two_row_split_target,
}


def write_all(out: Path = OUT) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    lines = seed_lines()
    written = {}
    for name, shape in SHAPES.items():
        path = out / name
        path.write_bytes(shape(lines).encode("utf-8"))
        written[name] = path
    return written


if __name__ == "__main__":
    for name, path in write_all().items():
        print(f"{name:40s} {path.relative_to(ROOT)}")
