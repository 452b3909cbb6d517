"""Read the seed's pasted forms into structured specs to render as printed forms.

This is a deliberately small, tolerant reader for the test generator only: it
recovers what the printed form showed (labels, values, merged level-1/level-2
groups) from the pasted text, whose cells are often shifted by a column.  It
is not the product's normalizer and is not tested as one; the scans it leads
to are compared against their own canonical text (see ``layout.canonical_text``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"

LEVEL1 = ("产出指标", "效益指标", "满意度指标")
LEVEL2 = (
    "数量指标", "质量指标", "时效指标", "成本指标",
    "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标",
    "服务对象满意度指标",
)
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass
class Indicator:
    level1: str = ""
    level2: str = ""
    name: str = ""
    target: str = ""
    actual: str = ""
    weight: str = ""
    score: str = ""
    note: str = ""


@dataclass
class FormSpec:
    title: str
    seq_line: str
    unit_line: str
    budget_unit: str = ""
    implementing_unit: str = ""
    project_name: str = ""
    funding: list[tuple[str, list[str]]] = field(default_factory=list)  # label, 6 values
    goal_target: str = ""
    goal_actual: str = ""
    indicators: list[Indicator] = field(default_factory=list)
    total_weight: str = ""
    total_score: str = ""

    @property
    def seq(self) -> int:
        return int(re.sub(r"\D", "", self.seq_line) or 0)


def _label(text: str, vocab: tuple[str, ...]) -> bool:
    text = text.strip()
    return bool(text) and any(text == v or fuzz.ratio(text, v) >= 85 for v in vocab)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.rstrip("\n").split("\t")]


def _nonempty(cells: list[str]) -> list[str]:
    return [c for c in cells if c]


def _indicator(cells: list[str]) -> Indicator:
    ind = Indicator()
    rest = list(cells)
    while rest and not rest[0]:
        rest.pop(0)
    if rest and _label(rest[0], LEVEL1):
        ind.level1 = rest.pop(0)
        while rest and not rest[0]:
            rest.pop(0)
    if rest and _label(rest[0], LEVEL2) or (rest and ind.level1 and "满意度" in rest[0] and len(rest[0]) <= 10):
        ind.level2 = rest.pop(0)
    while rest and not rest[-1]:
        rest.pop()
    while rest and not rest[0]:
        rest.pop(0)
    if not rest:
        return ind
    numbers = [i for i, c in enumerate(rest) if _NUMBER.match(c)]
    if len(numbers) >= 2:
        i_w, i_s = numbers[-2], numbers[-1]
        ind.weight, ind.score = rest[i_w], rest[i_s]
        ind.note = "".join(rest[i_s + 1:])
        head = [c for c in rest[:i_w] if c]
    else:
        head = [c for c in rest if c]
    if len(head) >= 3:
        ind.name, ind.target, ind.actual = "".join(head[:-2]), head[-2], head[-1]
    elif len(head) == 2 and any(ch in head[0] for ch in "≥≤<>=（") or len(head) == 2 and _NUMBER.match(head[0][:1] or "x"):
        ind.target, ind.actual = head
    elif len(head) == 2:
        ind.name, ind.target = head
    elif head:
        ind.name = head[0]
    return ind


def parse_seed(path: Path = SEED) -> list[FormSpec]:
    """All forms of the seed, in order."""
    forms: list[FormSpec] = []
    blocks: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            blocks.append([line.lstrip("# ").strip()])
        elif blocks and line.strip():
            blocks[-1].append(line)
    for block in blocks:
        forms.append(_parse_block(block))
    return forms


def _parse_block(block: list[str]) -> FormSpec:
    title, lines = block[0], block[1:]
    seq_line = next(x.strip() for x in lines if x.strip().startswith("项目序号"))
    unit_line = next(x.strip() for x in lines if x.strip().startswith("金额单位"))
    spec = FormSpec(title, seq_line, unit_line)
    rows = [_cells(x) for x in lines if "\t" in x]
    i = 0
    while i < len(rows):
        cells = rows[i]
        ne = _nonempty(cells)
        first = ne[0] if ne else ""
        if first.startswith("预算单位"):
            spec.budget_unit = ne[1] if len(ne) > 1 else ""
            spec.implementing_unit = ne[3] if len(ne) > 3 else ""
        elif first.startswith("项目名称"):
            spec.project_name = ne[1] if len(ne) > 1 else ""
        elif first.startswith("项目资金"):
            for src in rows[i + 1:i + 7]:
                at = next(k for k, c in enumerate(src) if c)
                values = (src[at + 1:at + 7] + [""] * 6)[:6]
                spec.funding.append((src[at], values))
            i += 6
        elif first.startswith("年度总体目标"):
            goal = _nonempty(rows[i + 1])
            spec.goal_target = goal[0] if goal else ""
            spec.goal_actual = goal[-1] if len(goal) > 1 else ""
            i += 1
        elif first.startswith("绩效指标"):
            i += 1
            while i < len(rows) and not any(c.startswith("总分") for c in rows[i]):
                if any(rows[i]):
                    spec.indicators.append(_indicator(rows[i]))
                i += 1
            if i < len(rows):
                numbers = [c for c in rows[i] if _NUMBER.match(c)]
                if len(numbers) >= 2:
                    spec.total_weight, spec.total_score = numbers[0], numbers[1]
                elif numbers:
                    spec.total_score = numbers[0]
        i += 1
    _fill_levels(spec.indicators)
    return spec


def _fill_levels(indicators: list[Indicator]) -> None:
    """Carry level-1 labels down their group (the printed form merges them)."""
    level1 = ""
    for ind in indicators:
        if ind.level1:
            level1 = ind.level1
        elif ind.level2 and not ind.level1:
            # a level-2 label that belongs to a different level-1 group starts it
            for l1, l2s in (("产出指标", LEVEL2[:4]), ("效益指标", LEVEL2[4:8]), ("满意度指标", LEVEL2[8:])):
                if _label(ind.level2, l2s) and l1 != level1:
                    ind.level1 = level1 = l1
        ind.level1 = ind.level1 or ""
