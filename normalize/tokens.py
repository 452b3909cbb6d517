"""The token reader: text whose cell boundaries are lost, back into rows of cells.

Pasted text loses its cell boundaries in many ways: cells one space apart,
one cell per line, a whole form on one line, the text a PDF viewer copies
(labels of merged cells printed in the middle of their group, long cells
wrapped over lines), or runs of 2–4 spaces where one tab was.  Such a
document is read as a stream of tokens, each with its source line, and
re-segmented by what the tokens say:

* **anchors** are the cells that say alone which row they open or belong to
  (:func:`.rows.cell_kind`, in the row kinds of :mod:`.rows`, decided by the
  same tests as the rows): the title, ``项目序号``/``金额单位``, header
  fields (预算单位, 项目名称 …), block labels and header words (项目资金,
  年初预算数 … 得分, 绩效指标, 一级指标 … 偏差原因分析及改进措施), funding
  source labels, level-1/level-2 labels of the form's template, 总分/合计 and
  the trailing texts (评价结论 …).  A label split over tokens (``预算单位``
  ``(盖章)``, ``其中:`` ``中央资金``, a wrapped ``可持续影`` ``响指标``) is
  joined;
* a block's **header band** gives its columns, in the order printed;
* between anchors, **values are typed and fitted** to those columns under the
  form's own arithmetic (:mod:`.fit`), which decides which column an empty
  cell was;
* indicator rows are a name and its values; a level-2 label printed in the
  middle of its group (a merged cell centred over its rows) is given the rows
  around it (:mod:`.groups`), and level 1 follows from the template.

The result is rows of cells in the ordinary grid shape (the tab-separated
seed's), so the ordinary row reader does the rest.  Each row keeps the lines
its tokens came from (``SourceRow.span``), for the line accounting, and a
token no row took is returned as an ``unparsed_line`` finding with its text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from selfeval.extract.cells import join_pair
from selfeval.extract.grid import Place, SourceRow
from selfeval.findings import Finding, finding_at
from selfeval.normalize import fit, groups
from selfeval.normalize.cells import clean
from selfeval.normalize.rows import CellKind, cell_kind, cell_kind_in, column_block, column_in
from selfeval.normalize.vocab import level_vocabulary, template_for_year

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_PREFIX = re.compile(r"^其中\s*[:：]?$")  # 其中: before a source label
_PAREN_NOTE = re.compile(r"^[(（].*[)）]$")
_PAREN = re.compile(r"^[(（][^()（）]{1,6}[)）]$")  # (盖章) after 预算单位


@dataclass(frozen=True)
class Token:
    text: str  # "" for an empty cell that the text kept (`` |`` lines)
    line: int
    more: tuple[int, ...] = ()  # other lines of a label joined over lines
    x: int | None = None  # character column where it starts, in column-aligned text


@dataclass
class _Row:
    cells: list[str]
    lines: set[int]


# -- tokens -------------------------------------------------------------------
def tokenize(rows: list[SourceRow], shape: str) -> list[Token]:
    """The document's tokens in reading order.  ``cells`` keeps each cell of a
    row whole (space runs, pdftotext columns, ``a |`` lines: a cell's own
    spaces are text); ``words`` splits every cell on whitespace."""
    out: list[Token] = []
    for row in rows:
        for n, cell in enumerate(row.cells):
            if shape == "cells":
                text = clean(cell)
                if text:
                    out.append(Token(text, row.line, x=row.starts[n] if row.starts else None))
            else:
                out.extend(Token(w, row.line) for w in clean(cell).split(" ") if w)
    return _join_pieces(out)


def pipe_cells(rows: list[SourceRow]) -> list[Token] | None:
    """One cell per line, each ending `` |`` (a web page's table flattened):
    every line is one cell, an empty one included."""
    lines = [r for r in rows if not r.is_blank()]
    ending = [r for r in lines if r.text.rstrip().endswith("|") and r.text.count("|") <= 2]
    if len(lines) < 5 or len(ending) < 0.8 * len(lines):
        return None
    out = []
    for row in lines:
        text = row.text.strip()
        text = text[:-1] if text.endswith("|") else text
        out.append(Token(clean(text.lstrip("|")), row.line))
    return _join_pieces(out)


def _join_pieces(tokens: list[Token]) -> list[Token]:
    """Join two or three adjacent tokens that together, and not apart, make
    an anchor: ``预算单位`` ``(盖章)``, ``其中:`` ``中央资金``, ``可持续影`` ``响指标``."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        joined = None
        for n in (2, 3):
            if i + n > len(tokens):
                break
            parts = tokens[i : i + n]
            if any(fit.kind_of(p.text) != "text" for p in parts):
                break
            text = "".join(p.text for p in parts)
            if len(text) <= 14 and cell_kind(text) and (not cell_kind(parts[-1].text) or _PREFIX.match(tok.text)):
                if cell_kind(tok.text) and not _PAREN.match(parts[-1].text):
                    break
                more = tuple(sorted({p.line for p in parts} - {tok.line}))
                joined = (Token(text, tok.line, more), n)
                break
        if joined:
            out.append(joined[0])
            i += joined[1]
        else:
            out.append(tok)
            i += 1
    return out


# -- the reader ---------------------------------------------------------------
_ITEM = {"funding": "source", "indicator": "level"}  # a block item's name (groups.rows_of): a row's label
@dataclass
class _Block:
    kind: str
    label: Token | None = None
    heads: list[tuple[str, Token]] = field(default_factory=list)  # (slot or "", token)
    items: list = field(default_factory=list)
    extra_lines: set[int] = field(default_factory=set)


class TokenReader:
    def __init__(self, tokens: list[Token], cutoff: float, whole_cells: bool = False):
        self.tokens = tokens
        self.whole_cells = whole_cells  # each token is a whole cell (not a word of one)
        self.cutoff = cutoff
        self.rows: list[_Row] = []
        self.unplaced: list[Token] = []
        self.year: int | None = None
        self.block: _Block | None = None
        self.outside = "head"  # what the rows outside a block opened: the head, or after_total past a 总分 row
        self.centred = False  # the form prints merged labels at their centre (a PDF's text)
        self.uncertain: list[tuple[Token, str]] = []  # close calls, reported
        self.empty_lines: set[int] = set()  # lines of empty cells before any row (a web table's blank cells)
        self.doubted: dict[int, tuple[_Row, str]] = {}  # a close call's place: the row it went to, and its field

    # the walk
    def read(self) -> list[_Row]:
        i = 0
        while i < len(self.tokens):
            i = self._step(i)
        self._close()
        return self.rows

    @property
    def context(self) -> str:
        """The block the tokens before opened, as :func:`rows.classify_row` names it."""
        return self.block.kind if self.block is not None else self.outside

    def _kind(self, tok: Token) -> CellKind | None:
        """What the token says alone (:func:`rows.cell_kind_in`); a level label
        only when the form's template knows it."""
        found = cell_kind_in(tok.text, self.context)
        if found is not None and found.kind == "indicator" and not self._level(tok.text):
            return None
        return found

    def _level(self, text: str) -> str | None:
        l1, l2 = level_vocabulary(template_for_year(self.year).name, self.cutoff)
        m = l2.match(text) or l1.match(text)
        return m.label if m else None

    def _step(self, i: int) -> int:
        tok = self.tokens[i]
        if not tok.text:  # an empty cell kept by the text: a place in a row, or nothing
            if self.block is not None and (self.block.items or self.block.kind == "goal"):
                self.block.items.append(("value", tok, None))
            else:
                self._note_line(tok.line)
            return i + 1
        kind = self._kind(tok)
        name = kind.kind if kind else None
        if name == "title":
            self._close()
            self.outside = "head"
            self.centred = False
            if m := _YEAR.search(tok.text):
                self.year = int(m.group(1))
            self._emit([tok.text], [tok])
            return i + 1
        if name in ("seq", "unit"):
            self._close()
            self.outside = "head"
            j = i + 1
            parts = [tok]
            if tok.text.rstrip().endswith(("：", ":")) and j < len(self.tokens):
                parts.append(self.tokens[j])  # 项目序号: 1, 金额单位: 万元
                j += 1
            while name == "unit" and j < len(self.tokens) and self.tokens[j].line == tok.line \
                    and _PAREN_NOTE.match(self.tokens[j].text):
                parts.append(self.tokens[j])  # (保留两位小数)
                j += 1
            self._emit([" ".join(p.text for p in parts)], parts)
            return j
        if name == "noise":  # a section no table has a column for: it and its text are reported
            self._close()
            self.unplaced.append(tok)
            return i + 1
        if name in ("field", "trailer") and (self.block is None or name == "trailer" or self.block.kind != "indicators"):
            if name == "field":
                self._close()
            return self._label_value(i)
        if name in ("header", "total"):
            return self._block_anchor(i, kind)
        if self.block is not None:
            if kind is None and self._extra_head(i):
                self.block.heads.append(("", tok))  # a column the vocabulary does not name (原因)
            else:
                self.block.items.append((_ITEM.get(name, name or "value"), tok, kind.text if kind else None))
            return i + 1
        self.unplaced.append(tok)
        return i + 1

    def _extra_head(self, i: int) -> bool:
        """A text token right after a header band is one of its columns when it
        sits on the band's line, when another column name of the block follows
        it, or when a row's label follows it."""
        block, tok = self.block, self.tokens[i]
        if block is None or block.items or not block.heads or block.kind == "goal" or fit.kind_of(tok.text) != "text":
            return False
        if not self.whole_cells and tok.line == block.heads[-1][1].line:
            return True
        after = self._kind(self.tokens[i + 1]) if i + 1 < len(self.tokens) else None
        if after is not None and after.kind == "header" and after.block is None:  # between two column names
            return column_block(after, block.kind) == block.kind
        return after is not None and after.kind in ("funding", "indicator")

    def _note_line(self, line: int) -> None:
        if self.block is not None:
            self.block.extra_lines.add(line)
        elif self.rows:
            self.rows[-1].lines.add(line)
        else:
            self.empty_lines.add(line)  # an empty cell before any row: no text, nothing to keep

    def _emit(self, cells: list[str], toks: list[Token], extra: set[int] = frozenset()) -> None:
        self.rows.append(_Row(cells, {line for t in toks for line in (t.line, *t.more)} | set(extra)))

    def _label_value(self, i: int) -> int:
        tok = self.tokens[i]
        j = i + 1
        values: list[Token] = []
        inline = ":" in clean(tok.text)  # 项目负责人:张三 holds its value; 项目负责人: alone has none
        while not inline and j < len(self.tokens) and self.tokens[j].text and self._kind(self.tokens[j]) is None:
            values.append(self.tokens[j])
            j += 1
            if self.whole_cells:
                break
        self._emit([tok.text, " ".join(v.text for v in values)] if values else [tok.text], [tok, *values])
        return j

    # blocks
    def _block_anchor(self, i: int, cell: CellKind) -> int:
        """A block's label or one of its column names (a header), or 总分."""
        tok = self.tokens[i]
        if cell.kind == "total":
            return self._total(i)
        head = cell.block is None  # a column name, not the block's label
        kind = column_block(cell, self.context) if head else cell.block
        if self.block is not None and self.block.kind == kind:
            if head and self.block.items and self.block.heads:  # a header printed again inside its block
                self.block.extra_lines.add(tok.line)
            elif head:
                if self.block.items:
                    # words between the block's label and its first column name are no row's: reported
                    self.unplaced.extend(t for _, t, _ in self.block.items if t.text)
                    self.block.extra_lines.update(t.line for _, t, _ in self.block.items if not t.text)
                    self.block.items.clear()
                self.block.heads.append((column_in(cell, kind), tok))
            elif self.block.label is None:
                self.block.label = tok
                self.centred = self.centred or bool(self.block.heads)  # a merged label printed at its centre
            else:
                self.block.extra_lines.add(tok.line)
            return i + 1
        self._close()
        self.block = _Block(kind)
        if head:
            self.block.heads.append((column_in(cell, kind), tok))
        else:
            self.block.label = tok
        return i + 1

    def _total(self, i: int) -> int:
        tok = self.tokens[i]
        j = i + 1
        numbers: list[Token] = []
        while j < len(self.tokens) and fit.kind_of(self.tokens[j].text) in ("number", "null", "empty"):
            numbers.append(self.tokens[j])
            j += 1
        block = self.block if self.block is not None and self.block.kind == "indicators" else None
        self._close()
        self.outside = "after_total"
        columns = _indicator_columns(block) if block else {}
        width = max(columns.values(), default=7) + 1
        cells = [""] * max(width, 3 + len(numbers))
        cells[1] = tok.text
        filled = [n for n in numbers if n.text]
        slots = [columns.get("weight", width - 2), columns.get("score", width - 1)]
        for n, col in zip(filled, slots, strict=False):
            cells[col] = n.text
        self.unplaced.extend(filled[2:])
        self._emit(cells, [tok, *numbers])
        return j

    def _close(self) -> None:
        block, self.block = self.block, None
        if block is None:
            return
        if block.kind == "funding":
            self._funding(block)
        elif block.kind == "goal":
            self._goal(block)
        else:
            self._indicators(block)

    # funding
    def _funding(self, block: _Block) -> None:
        columns = tuple(slot for slot, _ in block.heads)
        head = [block.label.text if block.label else "", "", *(t.text for _, t in block.heads)]
        self._emit(head, [t for _, t in block.heads] + ([block.label] if block.label else []), block.extra_lines)
        rows: list[tuple[Token, list[Token]]] = []
        for name, tok, _ in block.items:
            if name == "source":
                rows.append((tok, []))
            elif rows:
                rows[-1][1].append(tok)
            else:
                self.unplaced.append(tok)
        fitted = []
        head_xs = _aligned_heads(block)
        for _label, values in rows:
            texts = tuple(v.text for v in values)
            xs = tuple(v.x for v in values)
            readings = fit.funding_readings(texts, columns, xs, head_xs)
            if not readings and len(texts) > len(columns):  # more values than columns
                readings = fit.funding_readings(texts[: len(columns)], columns, xs[: len(columns)], head_xs)
            fitted.append((texts, readings))
        chosen = fit.block_sums(fitted, columns)
        for (label, values), cols in zip(rows, chosen, strict=True):
            cells = ["", label.text] + [""] * len(columns)
            if cols is None:
                self.unplaced.extend(v for v in values if v.text)
            else:
                for v, c in zip(values, cols, strict=False):
                    cells[2 + c] = v.text
                self.unplaced.extend(v for v in values[len(cols):] if v.text)
            self._emit(cells, [label, *values])

    # goal
    def _goal(self, block: _Block) -> None:
        heads = [t for _, t in block.heads]
        head = [block.label.text if block.label else "", "", *(x for t in heads for x in (t.text, ""))]
        self._emit(head[: 2 + 2 * len(heads) - 1] if heads else head[:1], heads + ([block.label] if block.label else []),
                   block.extra_lines)
        texts = [tok for name, tok, _ in block.items if tok.text]
        first_doubt = len(self.uncertain)
        target, actual = groups.split_goal(texts, self.centred, _aligned_heads(block), self.uncertain)
        if target or actual:
            self._emit(["", "", _joined(target), "", _joined(actual)], target + actual)
            for n in range(first_doubt, len(self.uncertain)):
                self.doubted[n] = (self.rows[-1], "goal_target")

    # indicators
    def _indicators(self, block: _Block) -> None:
        merged = _band(block.heads)
        kept = {id(t) for _, t in merged}  # the spanning header word's line is the band's too
        block.extra_lines.update(line for _, t in block.heads if id(t) not in kept for line in (t.line, *t.more))
        block.heads = merged
        columns = _indicator_columns(block)
        head = [block.label.text if block.label else ""] + [t.text for _, t in block.heads]
        self._emit(head, [t for _, t in block.heads] + ([block.label] if block.label else []), block.extra_lines)
        value_slots = tuple(s for s, _ in sorted(columns.items(), key=lambda kv: kv[1])
                            if s not in ("level1", "level2", "level3"))
        l2_vocab = level_vocabulary(template_for_year(self.year).name, self.cutoff)[1]
        by_slot = {slot: x for (slot, _), x in zip(block.heads, _aligned_heads(block) or [None] * len(block.heads),
                                                   strict=True) if slot}
        items = groups.rows_of(block.items, value_slots, l2_vocab, tuple(by_slot.get(s) for s in value_slots))
        width = max(columns.values()) + 1
        first_doubt = len(self.uncertain)
        for cells_by_slot, toks in groups.arrange(items, template_for_year(self.year), self.centred, self.uncertain):
            cells = [""] * width
            for slot, text in cells_by_slot.items():
                if slot in columns:
                    cells[columns[slot]] = text
            self._emit(cells, toks)
            if "note" in columns and cells_by_slot.get("level3") \
                    and not any(cells_by_slot.get(s) for s in value_slots):
                # a name and no value: it may be the text of the row above's 未完成原因分析 column
                self.uncertain.append((toks[0], f"indicator {cells_by_slot['level3']!r} has no values; it may be the "
                                       f"text of the {head[columns['note']]!r} column of the row above; check it"))
                self.doubted[len(self.uncertain) - 1] = (self.rows[-1], "level3")
            for n in range(first_doubt, len(self.uncertain)):  # a row whose group was a close call
                if n not in self.doubted and any(t is self.uncertain[n][0] for t in toks):
                    self.doubted[n] = (self.rows[-1], "level2")
        self.unplaced.extend(groups.leftovers(items))


def _aligned_heads(block: _Block) -> tuple[int | None, ...]:
    """Where the header words start, when the text is column-aligned: most
    of the block's values start where some header word starts.  Else ()."""
    heads = [t.x for _, t in block.heads]
    values = [tok.x for _, tok, _ in block.items if tok.text and tok.x is not None and fit.kind_of(tok.text) != "text"]
    if block.kind == "goal":
        values = [tok.x for _, tok, _ in block.items if tok.text and tok.x is not None]
    if not heads or None in heads or not values:  # a block with no header words has no columns to align to
        return ()
    near = sum(1 for x in values if min(abs(x - h) for h in heads) <= 1)
    return tuple(heads) if near >= 0.7 * len(values) else ()


def _joined(tokens: list[Token]) -> str:
    """Tokens of one cell: a space between words of one line, lines joined as
    wrapped text (no space next to a CJK character)."""
    text, line = "", None
    for tok in tokens:
        text = tok.text if not text else (text + " " + tok.text if tok.line == line else join_pair(text, tok.text))
        line = tok.line
    return text


# the columns a spanning target header is split into on the band's second row: 指标值 over
# 年度指标值 / 实际完成值, 年度指标值 over 指标性质 / 指标值 / 度量单位
_TARGET_PARTS = frozenset({"target_op", "target", "target_unit", "actual"})


def _band(heads: list[tuple[str, Token]]) -> list[tuple[str, Token]]:
    """A two-row header band as one row.  With the row boundaries lost, the
    second row's words come after the whole first row: a run of target parts
    at the end, naming the target again, is the split of the first row's
    target column, and takes its place (as :func:`.rows.merge_band` puts a
    lower row's columns where the lower row says)."""
    run = len(heads)
    while run > 0 and heads[run - 1][0] in _TARGET_PARTS:
        run -= 1
    parts = heads[run:]
    spanning = next((n for n in range(run) if heads[n][0] == "target"), None)
    if len(parts) < 2 or spanning is None or not any(slot == "target" for slot, _ in parts):
        return heads
    return heads[:spanning] + parts + heads[spanning + 1:run]


def _indicator_columns(block: _Block) -> dict[str, int]:
    columns: dict[str, int] = {}
    for n, (slot, _) in enumerate(block.heads, start=1):
        if slot and slot not in columns:
            columns[slot] = n
    for default, col in (("level1", 1), ("level2", 2), ("level3", 3)):
        columns.setdefault(default, col)
    return columns


def regrid(rows: list[SourceRow], shape: str, cutoff: float, source_path: str = "") -> tuple[list[SourceRow], list[Finding], int]:
    """Rows of cells in the grid shape, the findings for what no row took,
    and how many lines held only an empty cell (`` |``) no row holds."""
    cells = pipe_cells(rows)
    tokens = cells or tokenize(rows, shape)
    reader = TokenReader(tokens, cutoff, whole_cells=cells is not None or shape == "cells")
    out = []
    read = reader.read()
    held = {line for row in read for line in row.lines} | {tok.line for tok in reader.unplaced}
    # a token on a line no row holds was dropped by no rule: reported with its text, so the accounting stays true
    reader.unplaced.extend(t for t in tokens if t.text and t.line not in held and not held.intersection(t.more))
    for row in read:
        lines = sorted(row.lines)
        if not lines:
            continue
        out.append(SourceRow(tuple(row.cells), lines[0], positional=True, span=tuple(lines[1:])))
    findings = []
    by_line: dict[int, list[str]] = defaultdict(list)
    for tok in reader.unplaced:
        by_line[tok.line].append(tok.text)
    for line, texts in sorted(by_line.items()):
        findings.append(finding_at("unparsed_line", f"text that no cell of the form could hold: {' '.join(texts)!r}",
                                   Place(line), " ".join(texts)))
    for n, (tok, message) in enumerate(reader.uncertain):
        # on the row the close call went to (its first line is the record's line), naming the field:
        # the pipeline gives it to the form and record read from that row
        if n in reader.doubted:
            row, field = reader.doubted[n]
            table = "forms" if field.startswith("goal") else "indicators"
            findings.append(finding_at("uncertain_reading", message, Place(min(row.lines)), table=table, field=field))
        else:
            findings.append(finding_at("uncertain_reading", message, Place(tok.line)))
    held = {line for row in out for line in (row.line, *row.span)} | {tok.line for tok in reader.unplaced}
    return out, findings, len(reader.empty_lines - held)


def regrid_document(doc, settings) -> None:
    """Re-read a text document whose cell boundaries are lost (``doc.shape``),
    in place.  A document in which the token reader finds no form keeps its
    rows as read, so that it is reported as it was."""
    from selfeval.extract.split import split_forms

    rows, findings, empty = regrid(doc.rows, "cells" if doc.shape == "runs" else "words", settings.label_match_cutoff)
    if not split_forms(rows)[0]:
        return
    doc.rows = rows
    doc.decoration += empty  # lines of blank cells no row holds count as blank lines do
    doc.findings.extend(replace(f, doc_id=doc.doc_id) for f in findings)
