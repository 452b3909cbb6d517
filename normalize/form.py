"""One form's rows of cells to a :class:`FormRecord`.

The rows are walked once, in order.  Each row is recognised by what it says:
the title, ``项目序号``/``金额单位``, header fields (预算单位, 实施单位,
项目名称), a block's header row (项目资金, 年度总体目标, 绩效指标 — columns
found by vocabulary), a block's data rows, and the 总分 row.  A row nothing
recognises is reported as ``unparsed_line`` with its text: nothing is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from selfeval.extract.cells import join_lines
from selfeval.extract.grid import Place, SourceRow
from selfeval.extract.split import FormCells, is_title, seq_of
from selfeval.findings import finding_at
from selfeval.normalize import funding as funding_block
from selfeval.normalize import indicators as indicator_block
from selfeval.normalize.cells import clean, compact
from selfeval.normalize.records import FormRecord
from selfeval.normalize.rows import (
    UNIT_LABEL,
    YEAR_LINE,
    RowKind,
    classify_row,
    field_label,
    header_cells,
    label_key,
    merge_band,
    names_seq,
    names_unit,
    source_label,
    unlabelled_amounts,
)
from selfeval.normalize.values import is_null, to_decimal
from selfeval.normalize.vocab import (
    Template,
    template_by_labels,
    template_for_year,
    template_named,
    total_source,
    unread_sections,
    vocabulary,
)
from selfeval.settings import Settings

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_UNIT = re.compile(rf"{UNIT_LABEL}\s*:?\s*([^\s(]+)")
_CODE = re.compile(r"^([0-9A-Z]{6,})\s*[-－—_]\s*(\S.*)$")  # 219001-池州市… , 51092324T0…-2023年…


def split_code(text: str | None) -> tuple[str | None, str | None]:
    """(code, name) of ``219001-池州市人社局``; (None, text) when there is no code."""
    if not text:
        return None, text
    match = _CODE.match(text)
    return (match.group(1), match.group(2).strip()) if match else (None, text)


def _is_word(cell: str) -> bool:
    """A null marker that is a word (无), not a dash (一一, ——)."""
    text = clean(cell)
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" and ch != "一" for ch in text)


OPTIONAL_COLUMNS = frozenset({"note"})  # a block may lack these; every other slot needs a column


def _with_defaults(defaults: dict[str, int], found: dict[str, int], apart: bool = False) -> dict[str, int]:
    """The header's columns, plus a default for each missing one.  A missing
    optional column gets its default only where no header column sits (a
    split-target header uses the note's usual place); a missing required one
    gets it too, and the row repair places the cells by content.  With
    ``apart`` (the funding block, whose columns are all values) a missing
    column whose default a header column holds goes past the header's last
    column instead: a budget block without 分值/得分 has nothing there."""
    taken = set(found.values())
    beyond = max(taken | set(defaults.values()), default=0) + 1
    placed = dict(found)
    for k, v in defaults.items():
        if k in found:
            continue
        if v not in taken:
            placed[k] = v
        elif apart:
            placed[k], beyond = beyond, beyond + 1
        elif k not in OPTIONAL_COLUMNS:
            placed[k] = v
    return placed


@dataclass
class _Total:
    row: SourceRow
    numbers: list[tuple[int, Decimal]]
    label_col: int


class FormParser:
    def __init__(self, cells: FormCells, settings: Settings):
        self.cells = cells
        self.settings = settings
        first = cells.rows[0]
        last = cells.rows[-1]
        self.form = FormRecord(
            cells.index, cells.seq, cells.line_start, cells.line_end,
            page=first.page, page_end=last.page, sheet=first.sheet,
        )
        self.mode = "head"
        self.funding_columns: dict[str, int] | None = None
        self._funding_layout: tuple[dict[str, int], int] | None = None  # the columns with defaults, the label's column
        self.goal_columns: dict[str, int] = {}
        self.indicator_columns: dict[str, int] = {}
        self.band: str | None = None  # the block of the header row right above, while a band may go on
        self.structure: set[Place] = set()  # rows read as the form's structure, no record of their own
        self.read: list[tuple[SourceRow, Place]] = []  # every non-blank row, with its place
        self.block: indicator_block.IndicatorBlock | None = None
        self.totals: list[_Total] = []
        self.goal_parts: dict[str, list[str]] = {"target": [], "target_adjusted": [], "actual": []}

    # -- the walk ---------------------------------------------------------
    def parse(self) -> FormRecord:
        context, after_header = "head", None
        cutoff = self.settings.label_match_cutoff
        for row in self.cells.rows:
            kind = classify_row(row, context, after_header, cutoff)
            if kind.kind == "blank":
                continue
            place = row.place
            self.read.append((row, place))
            self.band = after_header
            records = self._record_count()
            taken = self._read(row, kind)
            if taken is False:
                self._unparsed(row)
            else:
                if taken is not True:
                    self._report_cells(row, taken)
                if self._record_count() == records:
                    self.structure.add(place)  # read, but no record is made from it: labels, headers, head fields
            after_header = kind.block if kind.kind == "header" else None
            context = self.mode
        self._finish()
        self._account()
        return self.form

    def _record_count(self) -> int:
        return len(self.form.funding) + (len(self.block.records) if self.block is not None else 0)

    def _read(self, row: SourceRow, kind: RowKind) -> bool | frozenset[int]:
        """Run the block a row's kind belongs to: True when it took every cell,
        the columns it took when only some, False when nothing took the row."""
        match kind.kind:
            case "title":
                return self._title_row(row, next((clean(c) for c in row.cells if not is_null(c)), ""))
            case "seq" | "unit":
                return self._seq_and_unit(row)
            case "total":
                return self._total(row)
            case "field":
                return self._label_value_row(row, "header_fields")
            case "trailer":
                return self._label_value_row(row, "form_texts")
            case "header":
                return self._header(row, kind)
            case "funding":
                return self._funding_row(row)
            case "goal":
                return self._goal_row(row)
            case "indicator":
                assert self.block is not None
                return self.block.add(row)
        return False

    def _report_cells(self, row: SourceRow, taken: frozenset[int]) -> None:
        """Every non-empty cell a row's reader did not take is a finding with its text."""
        for col, cell in enumerate(row.cells):
            if col not in taken and not is_null(cell):
                self._finding("unparsed_line", f"cell {clean(cell)!r} (column {col + 1}) is not part of any record; kept here", row)

    def _account(self) -> None:
        """A line counts as used only when a record holds it or it is the
        form's own structure (title, head fields, headers, labels, 总分); any
        other non-blank row becomes an ``unparsed_line`` finding with its text.
        (A form whose rows gave no record is an ``empty_form`` error, said by
        the pipeline for every kind of input: selfeval.parts.)"""
        form = self.form
        held = {r.place for r in form.funding} | {i.place for i in form.indicators}
        form.used_lines = self.structure | held
        if form.look_alike:
            form.used_lines |= {place for _, place in self.read}  # read, reported as a whole
            return
        reported = {Place(f.line, f.page, f.sheet) for f in form.findings if f.code == "unparsed_line" and f.line is not None}
        for row, place in self.read:
            if place not in form.used_lines and place not in reported:
                self._finding("unparsed_line", "no record holds this row; kept here", row)

    def _title_row(self, row: SourceRow, first: str) -> bool:
        if self.mode == "head" and is_title(row):
            return self._title(first)
        if self.form.title and first == self.form.title:
            return True  # a print title repeated at the top of a continuation page
        year = YEAR_LINE.match(first)
        if self.mode == "head" and year:
            self.form.year = self.form.year or int(year.group(1))
            return True
        return False

    def _header(self, row: SourceRow, kind: RowKind) -> bool | frozenset[int]:
        """A header row: it starts its block, or, right under another header
        row of its block, merges into that header band; an indicator header
        repeated inside the block (a page break reprints it) continues the block.
        The header's own cells are taken; a goal header's other cells are goal texts."""
        columns = dict(kind.columns)
        taken = header_cells(row.cells, kind.block)
        if kind.block == "funding":
            self.funding_columns = merge_band(self.funding_columns or {}, columns) if self.band == "funding" else columns
            self._funding_layout = None
            self.mode = "funding"
        elif kind.block == "goal":
            self.goal_columns = merge_band(self.goal_columns, columns) if self.band == "goal" else columns
            self.mode = "goal"
            texts = tuple("" if col in taken else cell for col, cell in enumerate(row.cells))
            if any(not is_null(cell) for cell in texts):
                # the goal texts on the 年度总体目标 row itself, their headings on a row above
                # or in one cell (a scan whose rulings were lost): the row is a goal row too
                return self._goal_row(replace(row, cells=texts))
        else:
            band = merge_band(self.indicator_columns, columns) if self.band == "indicators" else columns
            self._start_indicators(band)
        return taken

    # -- head -------------------------------------------------------------
    def _title(self, text: str) -> bool:
        self.form.title = text
        word = next((w for w in vocabulary()["look_alike_titles"] if w in text), None)
        if word:
            self.form.look_alike = f"its title names a {word}"
        if any(word in text for word in vocabulary().get("department_titles", ())):
            self.form.form_kind = "department"
        match = _YEAR.search(text)
        if match:
            self.form.year = int(match.group(1))
        return True

    def _seq_and_unit(self, row: SourceRow) -> frozenset[int]:
        if self.form.form_seq is None:
            self.form.form_seq = seq_of(row)
        unit = _UNIT.search(clean(row.text).replace("\t", " "))
        if unit:
            self.form.amount_unit = unit.group(1)
        taken = set()
        for col, cell in enumerate(row.cells):
            text = compact(cell)
            if names_seq(text) or names_unit(text):  # the cells the row's kind was decided by
                taken.add(col)
                if not any(ch.isdigit() or ch in "元" for ch in text.partition(":")[2]):
                    taken.add(next((c for c in range(col + 1, len(row.cells)) if not is_null(row.cells[c])), col))
        return frozenset(taken)

    def _label_value_row(self, row: SourceRow, group: str) -> frozenset[int] | bool:
        """A row of ``label value [label value …]`` cells, or ``label：value``
        in one cell (预算单位 …, 评价结论 …, 项目负责人：…); the values go to
        the form's field of that name.  Returns the columns taken (a cell
        before the first label is not); False when no cell is such a label.
        A label is what the row's kind was decided by (:func:`rows.field_label`)."""
        pending: str | None = None
        parts: dict[str, list[str]] = {}
        taken: set[int] = set()
        for col, cell in enumerate(row.cells):
            if is_null(cell) and not (group == "form_texts" and _is_word(cell)):
                continue  # a closing text of 无 (none) is what it says
            text = clean(cell)
            inline = text.partition(":")[2]
            match = field_label(cell, group)
            if match:
                pending = match.label
                parts.setdefault(pending, [])
                taken.add(col)
                if inline.strip():
                    parts[pending].append(inline.strip())
                    pending = None  # 项目负责人:查小兵 holds its value: a further cell is not it
            elif pending:
                parts[pending].append(text)
                taken.add(col)
                if group == "header_fields":
                    pending = None  # one value per head field; a further cell is reported
        for field_name, values in parts.items():
            if values:
                setattr(self.form, field_name, " ".join(values))
        return frozenset(taken) if taken else False

    # -- blocks -----------------------------------------------------------
    def _funding_row(self, row: SourceRow) -> bool:
        assert self.funding_columns is not None
        if self._funding_layout is None:  # once per header band
            self._funding_layout = (
                _with_defaults(funding_block.DEFAULT_COLUMNS, self.funding_columns, apart=True),
                min(self.funding_columns.values()) - 1,
            )
        columns, label_expected = self._funding_layout
        found = source_label(row.cells, self.settings.label_match_cutoff)
        if found is None and unlabelled_amounts(row.cells) and not any(f.source_key == "total" for f in self.form.funding):
            found = (label_expected, total_source())  # a budget row with no label: the form's one total
        if found is None:
            return False
        col, match = found
        record, findings = funding_block.read_funding_row(
            row, col, match, columns, label_expected, self.settings.weights
        )
        self.form.funding.append(record)
        self.form.findings.extend(findings)
        return True

    def _goal_row(self, row: SourceRow) -> bool:
        texts = [(col, clean(c)) for col, c in enumerate(row.cells) if not is_null(c)]
        columns = {"target": self.goal_columns.get("target", 2), "actual": self.goal_columns.get("actual", 4)}
        if "target_adjusted" in self.goal_columns:
            columns["target_adjusted"] = self.goal_columns["target_adjusted"]
        if len(texts) == 2 and "target_adjusted" not in columns:  # with three columns, by where the texts stand
            self.goal_parts["target"].append(texts[0][1])
            self.goal_parts["actual"].append(texts[1][1])
            return True
        for col, text in texts:  # each text to the nearest goal column (the first on a tie)
            side = min(columns, key=lambda name: abs(col - columns[name]))
            self.goal_parts[side].append(text)
        return bool(texts)

    def _start_indicators(self, columns: dict[str, int]) -> None:
        """Open the indicator block, or go on with it under a header printed again."""
        self.mode = "indicators"
        self.indicator_columns = columns
        self.form.layout = "split-target" if "target_op" in columns or "target_unit" in columns else "single-target"
        placed = _with_defaults(indicator_block.DEFAULT_COLUMNS, columns)
        if self.block is not None:
            self.block.set_columns(placed)
            return
        template = self._template()
        self.form.template = template.name
        self.block = indicator_block.IndicatorBlock(
            template, placed, self.settings.label_match_cutoff, self.settings.weights
        )

    def _template(self) -> Template:
        """The framework named by --template, else the one whose own level-1
        labels the form prints (项目决策 …), else the one of the form's year."""
        if self.settings.template:
            return template_named(self.settings.template)
        chosen = template_by_labels(cell for row in self.cells.rows for cell in row.cells[:3])
        return chosen or template_for_year(self.form.year)

    def _total(self, row: SourceRow) -> bool:
        label_col = next(i for i, c in enumerate(row.cells) if not is_null(c))
        numbers = []
        for col in range(label_col + 1, len(row.cells)):
            cell = row.cells[col]
            if is_null(cell):
                continue
            value = to_decimal(cell)
            if value is None:
                self._finding("unparsed_number", f"总分 cell {clean(cell)!r} is not a number; not used", row, table="forms")
            else:
                numbers.append((col, value))
        self.totals.append(_Total(row, numbers, label_col))
        if len(self.totals) > 1:
            self._finding("duplicate_total_row", f"a second 总分 row; the first ({self.totals[0].row.place}) is used", row)
            return False
        self.mode = "after_total"
        return True

    # -- end of form --------------------------------------------------------
    def _finish(self) -> None:
        form = self.form
        columns = self.indicator_columns
        if self.block is not None and "actual" not in columns and "score" not in columns:
            form.look_alike = form.look_alike or "its indicator block has targets but no 实际完成值 or 得分 column"
        if self.block is not None and not form.look_alike:
            form.indicators = self.block.records
            form.findings.extend(self.block.findings)
        # the parts of a goal text on rows one below another are one cell's wrapped lines
        form.goal_target = join_lines(self.goal_parts["target"]) or None
        form.goal_actual = join_lines(self.goal_parts["actual"]) or None
        form.goal_adjusted = join_lines(self.goal_parts["target_adjusted"]) or None
        form.project_code, form.project_name = split_code(form.project_name)
        form.budget_unit_code, form.budget_unit = split_code(form.budget_unit)
        if form.look_alike:
            self._finding(
                "not_a_self_evaluation_form",
                f"not a self-evaluation form ({form.look_alike}); no records made from it",
                self.cells.rows[0],
            )
            form.funding, form.indicators = [], []
            form.findings = [f for f in form.findings if f.code == "not_a_self_evaluation_form"]
            return
        if form.self_score is not None:
            self._read_self_score()
        if self.totals:
            self._read_total(self.totals[0])
        elif form.total_score is None:
            self._finding("missing_total_row", f"form {form.form_seq}: no 总分 row", None, table="forms")

    def _read_self_score(self) -> None:
        """自评总分 printed in the head (a department form's total score)."""
        form = self.form
        value = to_decimal(form.self_score or "")
        if value is None:
            self._finding("unparsed_number", f"自评总分 {form.self_score!r} is not a number; not used", None, "total_score")
        else:
            form.total_score = value

    def _read_total(self, total: _Total) -> None:
        form, row = self.form, total.row
        form.total_place = row.place
        numbers = total.numbers
        self._report_total_alignment(total)
        if len(numbers) >= 2:
            form.total_weight, form.total_score = numbers[0][1], numbers[1][1]
            for _, value in numbers[2:]:
                self._finding("unparsed_line", f"extra number {value} in the 总分 row; not used", row, table="forms")
            return
        if not numbers:
            self._finding("missing_total_weight", "the 总分 row states no weight", row, "total_weight")
            self._finding("missing_total_score", "the 总分 row states no score", row, "total_score")
            return
        col, value = numbers[0]
        tolerance = Decimal(str(self.settings.score_tolerance))
        computed = form.computed_score
        weights = self._weight_sum()
        is_score = computed is not None and abs(value - computed) <= tolerance
        is_weight = weights is not None and abs(value - weights) <= tolerance
        if is_score and not is_weight:
            reading = "score"
        elif is_weight and not is_score:
            reading = "weight"
        else:
            assert self.block is not None
            cols = self.block.columns
            shift = total.label_col - cols["level1"]
            reading = "weight" if abs(col - cols["weight"] - shift) <= abs(col - cols["score"] - shift) else "score"
        if reading == "score":
            form.total_score = value
            why = "it equals the funding score + indicator scores" if is_score else "by its column"
            self._finding("missing_total_weight", f"the 总分 row has one number, {value}, read as the score ({why}); no total weight", row,
                          "total_weight")
        else:
            form.total_weight = value
            why = "it equals the sum of the weights" if is_weight else "by its column"
            self._finding("missing_total_score", f"the 总分 row has one number, {value}, read as the weight ({why}); no total score", row,
                          "total_score")

    def _report_total_alignment(self, total: _Total) -> None:
        """The 总分 numbers belong under 分值 and 得分; say so when they are not."""
        if self.block is None or not total.numbers:
            return
        expected = [self.block.columns["weight"], self.block.columns["score"]]
        cols = [col for col, _ in total.numbers[:2]]
        if len(cols) == 2 and cols == expected:
            return
        if len(cols) == 2:
            where = f"its numbers sit in columns {cols[0] + 1} and {cols[1] + 1}, not under 分值/得分 ({expected[0] + 1}, {expected[1] + 1})"
        else:
            where = f"its only number sits in column {cols[0] + 1}; placed by arithmetic"
        self._finding("row_realigned", f"总分 row: {where}", total.row, table="forms")

    def _weight_sum(self) -> Decimal | None:
        total = self.form.funding_total
        parts = [i.weight for i in self.form.indicators if i.weight is not None]
        if total is not None and total.weight is not None:
            parts.append(total.weight)
        return sum(parts, Decimal(0)) if parts else None

    def _finding(self, code: str, message: str, row: SourceRow | None, field: str | None = None,
                 table: str | None = None) -> None:
        table = table or ("forms" if field else None)
        self.form.findings.append(finding_at(code, message, row.place if row else None, row.text if row else None,
                                             table=table, field=field if table else None))

    def _unparsed(self, row: SourceRow) -> None:
        first = next((clean(c) for c in row.cells if not is_null(c)), "")
        if label_key(first) in unread_sections():  # as classify_row decided it
            self._finding("unparsed_line", f"{first}: a section of the form no table has a column for; kept here", row)
            return
        self._finding("unparsed_line", "not part of any block of the form; kept here", row)


def cut_form_start(rows: list[SourceRow], settings: Settings) -> int | None:
    """Where, in rows before a document's first form, a form cut at its top
    starts: a funding or indicator header followed by a row of its block (a
    page that begins mid-form); None when the rows hold no such block."""
    for n, row in enumerate(rows):
        kind = classify_row(row, "head", None, settings.label_match_cutoff)
        if kind.kind != "header" or kind.block not in ("funding", "indicators"):
            continue
        for below in rows[n + 1 :]:
            nxt = classify_row(below, kind.block, None, settings.label_match_cutoff)
            if nxt.kind == "blank":
                continue
            if nxt.kind in ("funding", "indicator"):
                return n
            break
    return None


def parse_form(cells: FormCells, settings: Settings) -> FormRecord:
    return FormParser(cells, settings).parse()
