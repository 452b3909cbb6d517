"""The 绩效指标 block: rows of cells to indicator records.

Each row is read by trying every way its leading cells can be level labels
(none, a level-1, a level-2, or both), placing the rest as name + values by
:func:`selfeval.normalize.slots.fit`, and keeping the most plausible reading.
Merged level-1/level-2 cells are inherited from the rows above; a level-2
label implies its level-1 by the template wherever it sits; a row with only
labels is a template placeholder, not an indicator.  Every repair is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from selfeval.extract.grid import SourceRow
from selfeval.findings import Finding, finding_at
from selfeval.normalize import scorers
from selfeval.normalize.cells import clean
from selfeval.normalize.records import IndicatorRecord
from selfeval.normalize.rows import block_labels
from selfeval.normalize.slots import Placement, fit
from selfeval.normalize.values import (
    Value,
    base_of,
    comparators,
    compare,
    is_null,
    parse_amount,
    parse_rate,
    parse_value,
    trailing_number,
)
from selfeval.normalize.vocab import (
    Match,
    Template,
    Vocabulary,
    level_vocabulary,
    template_named,
    vocabulary,
)
from selfeval.settings import DEFAULT_WEIGHTS, ScoringWeights

DEFAULT_COLUMNS = vocabulary()["default_columns"]["indicators"]  # where a header names no column
VALUE_SLOTS = ("target", "actual", "weight", "score", "note")
SPLIT_TARGET_SLOTS = ("target_op", "target", "target_unit")  # 指标性质 / 指标值 / 度量单位
SLOT_LOOKS = {  # which scorer each value slot uses (normalize/scorers.py)
    "target_op": "comparator",
    "target_unit": "unit",
    "target": "value",
    "actual": "value",
    "weight": "number",
    "score": "number",
    "note": "note",
    "measure_unit": "unit",
    "indicator_kind": "kind",
    "target_adjusted": "value",
    "score_coefficient": "rate",
    "is_core": "flag",
}


@cache
def slot_scorers(weights: ScoringWeights) -> dict:
    looks = scorers.cell_scorers(weights)
    return {slot: looks[look] for slot, look in SLOT_LOOKS.items()}


_SCORE_MARK = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*分\s*\)")  # 产出指标（50分）
_LIST_MARK = re.compile(  # 指标1：补助人数
    r"^(?:" + "|".join(map(re.escape, vocabulary()["list_marks"])) + r")\s*\d+\s*[:.、]\s*"
)


DEPARTMENT_SLOTS = ("measure_unit", "indicator_kind", "target_adjusted", "score_coefficient", "is_core")
LEVEL_SLOTS = ("level1", "level2", "level3")


def is_flat(columns: dict[str, int]) -> bool:
    """A whole-department form's flat indicator list (计量单位, 指标性质, 年初指标值 …)."""
    return any(s in columns for s in DEPARTMENT_SLOTS)


def value_slots(columns: dict[str, int]) -> tuple[str, ...]:
    """The value columns of this block's header, in reading order."""
    if is_flat(columns):  # the header's own order
        return tuple(sorted((s for s in columns if s not in LEVEL_SLOTS), key=lambda s: columns[s]))
    target = tuple(s for s in SPLIT_TARGET_SLOTS if s in columns) or ("target",)
    return target + tuple(s for s in VALUE_SLOTS[1:] if s in columns)


@lru_cache(maxsize=1024)
def _value_slots(column_items: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    return value_slots(dict(column_items))


@dataclass(frozen=True)
class Label:
    level: int
    match: Match
    column: int
    text: str
    weight: Decimal | None = None  # a score stated in the label: 产出指标（50分）

    @property
    def weight_only(self) -> bool:
        """A level-1 cell that shows only its score, ``（50分）``."""
        return self.level == 1 and not self.match.label

    @property
    def outside(self) -> bool:
        """A level-2 label that is no label of the template, read as one
        because it sits in the header's 二级指标 column with the name after it."""
        return self.match.how == OUTSIDE


@dataclass(frozen=True)
class Reading:
    labels: tuple[Label, ...]
    shift: int
    name: tuple[int, str] | None  # (column, name); the name is "" for a bare list mark (指标2：)
    placement: Placement
    score: float

    @property
    def named(self) -> bool:
        return bool(self.name and self.name[1])


def classify_label(text: str, template: Template, cutoff: float) -> Label | None:
    """The level label a cell names, or None; the better of the two levels."""
    return _classify(text, template.name, cutoff)


@lru_cache(maxsize=16384)
def _classify(text: str, template_name: str, cutoff: float) -> Label | None:
    template = template_named(template_name)
    cleaned = clean(text)
    mark = _SCORE_MARK.search(cleaned)
    weight = Decimal(mark.group(1)) if mark else None
    bare = _SCORE_MARK.sub("", cleaned).strip() if mark else cleaned
    if mark and not bare:
        return Label(1, Match("", 100.0, "exact"), -1, cleaned, weight)
    l1_vocab, l2_vocab = level_vocabulary(template.name, cutoff)
    m1, m2 = l1_vocab.match(bare), l2_vocab.match(bare)
    if m1 and (not m2 or m1.score > m2.score or (m1.score == m2.score and m1.how == "exact")):
        return Label(1, m1, -1, cleaned, weight)
    if m2:
        return Label(2, m2, -1, cleaned, weight)
    return None


def _label_prefix(cells: tuple[str, ...], template: Template, cutoff: float) -> list[Label]:
    """Up to two leading non-empty cells that read as labels, in level order."""
    prefix: list[Label] = []
    for col, cell in enumerate(cells):
        if is_null(cell):
            continue
        label = classify_label(cell, template, cutoff)
        if label is None or (prefix and (prefix[-1].level >= label.level)):
            break
        prefix.append(Label(label.level, label.match, col, label.text, label.weight))
        if label.level == 2:
            break
    return prefix


OUTSIDE = "outside"  # Match.how of a level-2 label outside the template


def _outside_label(cells: tuple[str, ...], prefix: list[Label], columns: dict[str, int], positional: bool) -> Label | None:
    """A level-2 label the template does not have (校园用户满意度), read by
    the header band: the row keeps its positions, the cell sits in the
    二级指标 column right after the row's level-1 label (or after the empty
    cells a merged level-1 leaves), and the next cell, in the 三级指标
    column, is the name.  Without this the label is read as the name and
    the name is lost."""
    level1, level2, level3 = (columns.get(s) for s in LEVEL_SLOTS)
    if not positional or level2 is None or level3 is None or level3 <= level2:
        return None
    if prefix and not (len(prefix) == 1 and prefix[0].level == 1 and prefix[0].column == level1):
        return None
    if _first_filled(cells, prefix[0].column + 1 if prefix else 0) != level2:
        return None
    if _first_filled(cells, level2 + 1) != level3 or not all(scorers.name_cell(cells[c]) for c in (level2, level3)):
        return None
    text = clean(cells[level2])
    if _SCORE_MARK.search(text) or _LIST_MARK.match(text):
        return None
    return Label(2, Match(text, 0.0, OUTSIDE), level2, text)


def _first_filled(cells: tuple[str, ...], start: int) -> int | None:
    return next((i for i in range(start, len(cells)) if not is_null(cells[i])), None)


def read_row(
    row: SourceRow, columns: dict[str, int], template: Template, cutoff: float, weights: ScoringWeights = DEFAULT_WEIGHTS
) -> Reading | None:
    """The most plausible reading of an indicator-block row, None for a blank one.

    A reading depends only on the row's cells, whether their positions are
    kept, the block's columns, the template and the cutoff, so it is
    memoised on those: forms repeat rows heavily (every form carries the
    same placeholder rows), and a batch reads each distinct row once."""
    return _read_cells(row.cells, row.positional, tuple(sorted(columns.items())), template.name, cutoff, weights)


def _without_block_label(cells: tuple[str, ...], columns: dict[str, int]) -> tuple[str, ...]:
    """The row without the block's own label (绩效指标) left of the level-1
    column: a merged cell down the block's rows that starts on its first
    indicator row when the header row leaves that column blank.  It names
    the block, not a level (read as a level it is 时效指标 by one character)."""
    first = _first_filled(cells, 0)
    level1 = columns.get("level1")
    if first is None or level1 is None or first >= level1 or Vocabulary.key(cells[first]) not in block_labels("indicators"):
        return cells
    return (*cells[:first], "", *cells[first + 1:])


@lru_cache(maxsize=32768)
def _read_cells(
    cells: tuple[str, ...], positional: bool, column_items: tuple[tuple[str, int], ...], template_name: str, cutoff: float,
    w: ScoringWeights,
) -> Reading | None:
    columns = dict(column_items)
    template = template_named(template_name)
    cells = _without_block_label(cells, columns)
    first = _first_filled(cells, 0)
    if first is None:
        return None
    prefix = _label_prefix(cells, template, cutoff)
    if (outside := _outside_label(cells, prefix, columns, positional)) is not None:
        prefix = [*prefix, outside]
    slot_names = _value_slots(column_items)
    bound = _fit_bound(slot_names, w)
    best: Reading | None = None
    for k in range(len(prefix), -1, -1):
        labels = tuple(prefix[:k])
        if labels:
            head = labels[0]
            shift = head.column - columns["level1" if head.level == 1 else "level2"]
            rest = labels[-1].column + 1
        else:
            named = scorers.name_cell(cells[first]) or _LIST_MARK.match(clean(cells[first]))
            shift = first - (columns["level3"] if named else columns["target"])
            rest = 0
        score = sum(_label_points(lab, w) for lab in labels)
        if len(labels) == 2 and labels[1].column == columns["level2"] + shift:
            score += w.second_label_in_place
        name_col = _first_filled(cells, rest)
        name = None
        if name_col is not None:
            text = clean(cells[name_col])
            listed = _LIST_MARK.match(text)
            if listed or scorers.name_cell(cells[name_col]):
                name = (name_col, text[listed.end():].strip() if listed else text)
                if name[1]:
                    score += w.name - w.name_misplaced * abs(name_col - (columns["level3"] + shift))
                    as_label = classify_label(cells[name_col], template, cutoff)
                    if as_label is not None and as_label.match.how == "exact":
                        score -= w.name_is_a_label
        if best is not None and bound is not None and score + bound + 1e-6 <= best.score:
            continue  # no placement of the values can make this reading the best
        start = name[0] + 1 if name else rest
        slots = [(s, columns[s] + shift) for s in slot_names]
        placement = fit(cells, start, slots, slot_scorers(w), positional=positional, weights=w)
        score += placement.score
        if name and name[1] and not placement.cells:
            as_label = classify_label(cells[name[0]], template, cutoff)
            if as_label is not None and as_label.match.repaired:
                score -= w.name_is_a_label  # a row of labels only: a repaired label is a label, not a name
        if not (name and name[1]) and any(s in placement.cells for s in ("target", "actual", "weight", "score")):
            score -= w.nameless
            if labels and _implied(labels, template):
                score -= w.implied_label  # the cell is the row's name: its level 2 follows anyway
        if best is None or score > best.score:
            best = Reading(labels, shift, name, placement, score)
    return best


@cache
def _fit_bound(slot_names: tuple[str, ...], w: ScoringWeights) -> float | None:
    """The most a placement of these value slots can score (every cell
    earning its slot's best points, none lost, no offset); after the
    placement a reading only loses points.  None when some weight that
    costs points is negative (then there is no such bound)."""
    costs = (w.lost_cell, w.lost_placeholder, w.offset, w.loose_offset, w.nameless, w.implied_label, w.name_is_a_label)
    if min(costs) < 0:
        return None
    looks = slot_scorers(w)
    bests = [getattr(looks[s], "best", None) for s in slot_names]
    return None if None in bests else sum(bests)


def _label_points(label: Label, w: ScoringWeights) -> float:
    return {"exact": w.label_exact, "variant": w.label_variant, "fuzzy": w.label_fuzzy, OUTSIDE: w.label_fuzzy}[label.match.how]


def _implied(labels: tuple[Label, ...], template: Template) -> bool:
    """The last label is a repaired level-2 label that the template would imply
    anyway: the only level 2 under its level 1 (服务对象满意度 → 服务对象满意度指标
    under 满意度指标).  Read as the level 2, the row loses its name; read as
    the name, it loses nothing."""
    last = labels[-1]
    if last.level != 2 or not last.match.repaired or last.outside:
        return False
    parents = template.level2_parents[last.match.label]
    return template.only_child(parents[0]) == last.match.label


@dataclass
class IndicatorBlock:
    """Reads the rows of one form's indicator block, carrying merged labels."""

    template: Template
    columns: dict[str, int]
    cutoff: float
    weights: ScoringWeights = DEFAULT_WEIGHTS
    level1: str | None = None
    level2: str | None = None
    level1_weights: dict[str, Decimal] = field(default_factory=dict)  # stated in the labels
    pending_weight: Decimal | None = None  # from a level-1 cell showing only （50分）
    indicator_kind: str | None = None  # 指标性质 of a department form, carried down its merged cell
    records: list[IndicatorRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.set_columns(self.columns)

    def set_columns(self, columns: dict[str, int]) -> None:
        """The block's columns, from its header band (again when it is printed again)."""
        self.columns = columns
        self._column_items = tuple(sorted(columns.items()))  # the memo key of this block's rows

    def add(self, row: SourceRow) -> bool:
        """Read one row; False when the row holds nothing (blank)."""
        reading = _read_cells(row.cells, row.positional, self._column_items, self.template.name, self.cutoff, self.weights)
        if reading is None:
            return False
        repairs: list[str] = []
        first = len(self.findings)
        self._apply_labels(row, reading, repairs)
        self._report_alignment(row, reading, repairs)
        values = reading.placement.cells
        if not reading.named and not values:
            if len(self.findings) > first:
                self.findings[first:] = [f.about(None) for f in self.findings[first:]]  # a placeholder: no record
            return True  # a template placeholder: labels only
        self.records.append(self._record(row, reading, repairs))
        seq = self.records[-1].indicator_seq
        if len(self.findings) > first:
            self.findings[first:] = [f.about("indicators", seq, f.field) for f in self.findings[first:]]
        return True

    def _note(self, code: str, message: str, row: SourceRow, field: str | None = None) -> None:
        self.findings.append(finding_at(code, message, row.place, row.text, table="indicators", field=field))

    def _apply_labels(self, row: SourceRow, reading: Reading, repairs: list[str]) -> None:
        for label in reading.labels:
            if label.outside:
                self.level2 = label.text
                self._note(
                    "unknown_label",
                    f"level-2 {label.text!r} is not a label of template {self.template.name}; "
                    "kept as written: it sits in the header's level-2 column",
                    row, "level2",
                )
                continue
            if label.match.repaired:
                repairs.append("label_repaired")
                self._note(
                    "label_repaired",
                    f"{label.text!r} read as {label.match.label!r} "
                    f"({label.match.how} match, score {label.match.score:g})",
                    row, f"level{label.level}",
                )
            if label.weight_only:
                self.level1, self.level2, self.pending_weight = None, None, label.weight
            elif label.level == 1:
                self.level1, self.level2 = label.match.label, None
                if label.weight is not None:
                    self.level1_weights[label.match.label] = label.weight
            else:
                l2 = label.match.label
                parent = self.template.parent_of(l2, self.level1)
                written_l1 = next((lab.match.label for lab in reading.labels if lab.level == 1), None)
                if written_l1 and written_l1 not in self.template.level2_parents[l2]:
                    self._note(
                        "unknown_label",
                        f"level-2 {l2!r} is not under level-1 {written_l1!r} "
                        f"in template {self.template.name}; kept {written_l1!r}",
                        row, "level1",
                    )
                    parent = written_l1
                if self.level1 is None and self.pending_weight is not None:
                    self.level1_weights[parent] = self.pending_weight
                    self.pending_weight = None
                    repairs.append("level_inferred")
                    self._note(
                        "level_inferred",
                        f"the level-1 cell shows only its score; {parent!r} implied by level-2 {l2!r}",
                        row, "level1",
                    )
                elif self.level1 is not None and parent != self.level1:
                    repairs.append("level_inferred")
                    self._note(
                        "level_inferred",
                        f"level-1 {parent!r} implied by level-2 {l2!r} "
                        f"(template {self.template.name})",
                        row, "level1",
                    )
                self.level1, self.level2 = parent, l2

    def _report_alignment(self, row: SourceRow, reading: Reading, repairs: list[str]) -> None:
        moves = []
        if reading.shift:
            moves.append(f"cells sit {abs(reading.shift)} column(s) {'right' if reading.shift > 0 else 'left'} of the header's columns")
        if reading.placement.offset and reading.placement.cells:  # moving only a "……" moves no value
            moves.append(f"values a further {reading.placement.offset:+d} column(s) off")
        if moves:
            repairs.append("row_realigned")
            self._note("row_realigned", f"{'; '.join(moves)}; placed by content", row)
        for col, text in reading.placement.lost:
            self._note("unparsed_line", f"cell {text!r} (column {col + 1}) fits no column; not used", row)

    def _record(self, row: SourceRow, reading: Reading, repairs: list[str]) -> IndicatorRecord:
        cells = reading.placement.cells
        text = {slot: cells[slot][1] if slot in cells else "" for slot in (*SPLIT_TARGET_SLOTS, *VALUE_SLOTS, *DEPARTMENT_SLOTS)}
        if text["target_op"] or text["target_unit"]:  # split columns: 指标性质 / 指标值 / 度量单位
            text["target"] = clean(text["target_op"]) + clean(text["target"]) + clean(text["target_unit"])
        if self.level2 is None and self.level1 is not None:
            only = self.template.only_child(self.level1)
            if only:
                self.level2 = only
                repairs.append("level_inferred")
                self._note("level_inferred", f"level-2 {only!r} implied: it is the only one under {self.level1!r}", row, "level2")
        flat = is_flat(self.columns)
        if not flat and (self.level1 is None or self.level2 is None):
            level = 1 if self.level1 is None else 2
            self._note("unknown_label", f"indicator without a level-{level} label", row, f"level{level}")
        if not reading.named:
            self._note("missing_indicator_name", "an indicator row with values but no name", row, "level3")
        target, actual = parse_value(text["target"]), parse_value(text["actual"])
        for side, value in (("target", target), ("actual", actual)):
            if value.status == "unrecognized_comparator":
                self._note(
                    "unrecognized_comparator",
                    f"{side} {value.raw!r} has no comparator that can be read; "
                    f"the number {value.value} is kept, the comparator left empty",
                    row, f"{side}_raw",
                )
            tail = trailing_number(value.raw)
            if tail is not None:
                self._note(
                    "unparsed_number",
                    f"{side} {value.raw!r} holds a second number {tail!r} after the value's unit: "
                    "two cells read as one? kept as text, no number; check it against the source",
                    row, f"{side}_raw",
                )
        extra = self._department_fields(row, text) if flat else {}
        if extra.get("measure_unit"):  # the form states the unit in its own column
            target, actual = (_with_unit(v, extra["measure_unit"]) for v in (target, actual))
        target, actual = self._infer_units(row, target, actual, repairs)
        weight, score = (self._number(row, slot, text[slot]) for slot in ("weight", "score"))
        base_unit, target_base, actual_base, met = self._compare(row, target, actual)
        if flat and not _written_comparator(target):
            met = None  # a department form states no direction (控制率, 完成率 alike); 得分系数 says how it was judged
        return IndicatorRecord(
            indicator_seq=len(self.records) + 1,
            level1=self.level1,
            level2=self.level2,
            level3=(reading.name[1] if reading.name else None) or None,
            level1_weight=self.level1_weights.get(self.level1) if self.level1 else None,
            target=target,
            actual=actual,
            base_unit=base_unit,
            target_base=target_base,
            actual_base=actual_base,
            target_met=met,
            weight=weight,
            score=score,
            deviation_note=clean(text["note"]) or None,
            line=row.line,
            page=row.page,
            sheet=row.sheet,
            repairs=tuple(dict.fromkeys(repairs)),
            ocr_conf=_confidence(row, reading),
            **extra,
        )

    def _department_fields(self, row: SourceRow, text: dict[str, str]) -> dict:
        """计量单位, 指标性质 (a merged cell: it carries down), 调整指标值, 得分系数, 是否核心指标."""
        if clean(text["indicator_kind"]):
            self.indicator_kind = clean(text["indicator_kind"])
        coefficient = parse_rate(text["score_coefficient"])
        if coefficient.problem:
            self._note("unparsed_number", f"score_coefficient {coefficient.problem}; left empty", row, "score_coefficient")
        flag = clean(text["is_core"])
        if flag and flag not in ("是", "否"):
            self._note("unparsed_number", f"是否核心指标 {flag!r} is neither 是 nor 否; left empty", row, "is_core")
        return {
            "measure_unit": clean(text["measure_unit"]) or None,
            "indicator_kind": self.indicator_kind,
            "target_adjusted": parse_value(text["target_adjusted"]),
            "score_coefficient": coefficient.value,
            "is_core": {"是": True, "否": False}.get(flag),
        }

    def _infer_units(self, row: SourceRow, target: Value, actual: Value, repairs: list[str]) -> tuple[Value, Value]:
        if target.value is None or actual.value is None or (target.unit is None) == (actual.unit is None):
            return target, actual
        side, unit = ("target", actual.unit) if target.unit is None else ("actual", target.unit)
        repairs.append("unit_inferred")
        self._note("unit_inferred", f"the {side} has no unit; took {unit!r} from the other side", row, f"{side}_unit")
        if side == "target":
            return Value(target.raw, target.op, target.value, unit, target.status), actual
        return target, Value(actual.raw, actual.op, actual.value, unit, actual.status)

    def _compare(self, row: SourceRow, target: Value, actual: Value):
        t_unit, t_factor = base_of(target.unit)
        a_unit, a_factor = base_of(actual.unit)
        target_base = target.value * t_factor if target.value is not None else None
        actual_base = actual.value * a_factor if actual.value is not None else None
        if target_base is None or actual_base is None:
            return (t_unit if target_base is not None else a_unit), target_base, actual_base, None
        if t_unit != a_unit:
            self._note("unit_mismatch", f"target in {target.unit!r} and actual in {actual.unit!r} cannot be compared", row, "actual_unit")
            return t_unit, target_base, actual_base, None
        met = compare(actual_base, target.op, target_base) if target.op else None
        return t_unit, target_base, actual_base, met

    def _number(self, row: SourceRow, slot: str, text: str) -> Decimal | None:
        amount = parse_amount(text)
        if amount.problem:
            self._note("unparsed_number", f"{slot} {amount.problem}; left empty", row, slot)
        return amount.value


def _written_comparator(value: Value) -> bool:
    """The value's comparator is written (≥6次), not the ``=`` a bare number gets."""
    body = value.raw.replace(" ", "")
    prefixes, suffixes = comparators()
    return value.op is not None and (
        any(body.startswith(p) for p, _ in prefixes) or any(body.endswith(s) for s, _ in suffixes)
    )


def _with_unit(value: Value, unit: str) -> Value:
    """A number without unit takes the unit its 计量单位 column states."""
    if value.value is None or value.unit is not None:
        return value
    return Value(value.raw, value.op, value.value, unit, value.status)


def _confidence(row: SourceRow, reading: Reading) -> float | None:
    if row.confidence is None:
        return None
    cols = [c for c, _ in reading.placement.cells.values()] + ([reading.name[0]] if reading.name else [])
    confs = [row.confidence[c] for c in cols if c < len(row.confidence) and row.confidence[c] is not None]
    return min(confs) if confs else None
