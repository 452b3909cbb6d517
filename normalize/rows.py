"""What a row of a form is: each row is classified once, here, by what its cells say.

The kinds (:data:`ROW_KINDS`):

``title``      the form's title (…绩效自评表), or the ``（2022年度）`` line under it
``seq``        the ``项目序号`` line (it may also carry 金额单位)
``unit``       the ``金额单位`` line
``field``      a head field: ``预算单位 … 实施单位 …``, ``项目名称 …``
``header``     a block's header row: the funding, goal or indicator columns by
               name.  Consecutive header rows of one block form a *header band*,
               merged column by column (:func:`merge_band`), so a two-row header
               (``指标值`` over ``年度指标值 / 实际完成值``) or sub-columns
               (``指标性质 / 指标值 / 度量单位`` under ``年度指标值``) are one header
``funding``    a funding-source row of the 项目资金 block
``goal``       a row of the 年度总体目标 block
``indicator``  a row of the 绩效指标 block (an indicator, or labels only)
``total``      the 总分 (合计) row
``trailer``    a closing text row: 评价结论, 存在问题, 改进措施, 项目负责人
``noise``      nothing a form holds: reported with its text by the caller

Most kinds are known from the row alone; a data row's kind depends on the
block the rows above opened (``context``), and a header row with only a few
column names is a header only directly under another header row of its
block.  :func:`classify_row` is the one place this is decided; the form
reader runs its blocks over the kinds.  Text whose cell boundaries were lost
(:mod:`.tokens`) is cut into rows at the cells that say alone which row
they open or belong to: :func:`cell_kind` decides that here too, in the
same kinds and by the same tests (:func:`names_seq`, :func:`names_unit`,
:func:`field_label`, :func:`label_key`, :func:`block_of_label`, the column
and source vocabularies), a cell alone matched more strictly
(:data:`ANCHOR_CUTOFF`) than a header row's cells, which confirm each other.
Which kind each group of the vocabulary's labels says is one table,
:data:`LABEL_GROUPS`; run-on text (:mod:`.runon`) finds its anchors by it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import filterfalse

from selfeval.extract.grid import SourceRow
from selfeval.extract.split import is_title
from selfeval.normalize import fit
from selfeval.normalize.cells import clean, compact
from selfeval.normalize.values import is_null, parse_rate
from selfeval.normalize.vocab import (
    Match,
    Vocabulary,
    column_vocabulary,
    source_vocabulary,
    unread_sections,
    vocabulary,
)
from selfeval.settings import DEFAULT_LABEL_MATCH_CUTOFF

ROW_KINDS = (
    "blank", "title", "seq", "unit", "field", "header", "funding", "goal", "indicator", "total", "trailer", "noise",
)
BLOCKS = ("head", "funding", "goal", "indicators", "after_total")  # what the rows above opened
SEQ_LABEL = "项目序号"  # the label of a seq line
UNIT_LABEL = "金额单位"  # the label of a unit line
DEPARTMENT_GROUP = "department_indicator_columns"  # 指标名称 / 计量单位 / 指标性质 / 年初指标值 … 是否核心指标
LABEL_GROUPS = (  # (vocabulary group, the kind its labels say, the block whose columns it names)
    ("header_fields", "field", None),
    ("form_texts", "trailer", None),
    ("block_labels", "header", None),  # each label's block is its own key (总分 / 合计: the total)
    ("funding_columns", "header", "funding"),
    (DEPARTMENT_GROUP, "header", "indicators"),  # a whole-department form's flat list
    ("indicator_columns", "header", "indicators"),
    ("goal_columns", "header", "goal"),
    ("funding_sources", "funding", None),
)
"""What each group of the vocabulary's labels is, the one table of it: the
row and cell classifiers here and the run-on reader (:mod:`.runon`) read the
vocabulary by it.  A cell is tried against the groups in this order, and a
label two groups hold (得分: funding and indicator columns) is the first's."""
FIELD_GROUPS = tuple((group, kind) for group, kind, _ in LABEL_GROUPS if kind in ("field", "trailer"))
COLUMN_GROUPS = tuple((block, group) for group, _, block in LABEL_GROUPS if block is not None)
COLUMN_BLOCKS = tuple((block, group) for block, group in COLUMN_GROUPS if group != DEPARTMENT_GROUP)
HEADER_GROUPS = dict(COLUMN_BLOCKS)  # each block's own header columns
DEPARTMENT_MINIMUM = 6
_COLUMNS_NEEDED = {"funding_columns": 3, DEPARTMENT_GROUP: DEPARTMENT_MINIMUM, "indicator_columns": 4}
# (block, vocabulary group, column names needed), tried in this order; a goal
# header is known by its label or its words instead (classify_row)
HEADER_ORDER = tuple(
    (block, group, _COLUMNS_NEEDED[group]) for block, group in COLUMN_GROUPS if group in _COLUMNS_NEEDED
)
HEADER_CUTOFF = 80.0  # header cells are printed text: match them strictly
FIELD_LABEL_LONGEST = {"header_fields": 12, "form_texts": 8}
YEAR_LINE = re.compile(r"^\(?\s*((?:19|20)\d{2})\s*年度?\s*\)?$")  # （2022年度） under a national title


_FORMULA_MARK = re.compile(  # 全年预算数（A）, 执行率（B/A）, 得分系数（%）, 指标权重（分）
    r"\(\s*(?:[A-Za-z](?:\s*[/×*+-]\s*[A-Za-z])*|%|分)\s*\)"
)


@lru_cache(maxsize=16384)
def header_text(cell: str) -> str:
    """A header cell without its formula and unit marks: ``执行率（B/A）`` → ``执行率``."""
    return _FORMULA_MARK.sub("", clean(cell))


@dataclass(frozen=True)
class RowKind:
    """A row's kind; for a header, its block and the columns it names."""

    kind: str
    block: str | None = None  # header rows: funding, goal or indicators
    columns: tuple[tuple[str, int], ...] = ()  # header rows: (column name, cell index)


@cache
def block_labels(kind: str) -> frozenset[str]:
    """The keys of a block's own labels (项目资金, 年度总体目标, 绩效指标, 总分)."""
    return frozenset(Vocabulary.key(t) for t in vocabulary()["block_labels"][kind])


@cache
def goal_words() -> frozenset[str]:
    """The keys of the goal block's column names (年初设定目标 …)."""
    return frozenset(Vocabulary.key(t) for texts in vocabulary()["goal_columns"].values() for t in texts)


def header_columns(cells: tuple[str, ...], block: str, minimum: int) -> dict[str, int] | None:
    """Column index of each column a header row of ``block`` names, or None
    when it names fewer than ``minimum``."""
    found = _header_columns(cells, HEADER_GROUPS[block], minimum)
    return dict(found) if found is not None else None


@lru_cache(maxsize=65536)
def _digit_free(cell: str) -> bool:
    """No digit in the cell: header cells hold none (a value or number cell does)."""
    return not any(ch.isdigit() for ch in cell)


def _candidates(cells: tuple[str, ...]) -> int:
    """How many cells could be header cells: non-blank and digit-free."""
    return sum(1 for c in cells if c.strip() and _digit_free(c))


def _header_texts(cells: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """(column, header text) of each non-empty cell, to match against a block's column names."""
    return tuple((col, header_text(cell)) for col, cell in enumerate(cells) if not is_null(cell))


def _columns_named(texts: tuple[tuple[int, str], ...], group: str, minimum: int) -> tuple[tuple[str, int], ...] | None:
    vocab = column_vocabulary(group, HEADER_CUTOFF)
    columns: dict[str, int] = {}
    for col, text in texts:
        match = vocab.match(text)
        if match and match.label not in columns:
            columns[match.label] = col
    return tuple(columns.items()) if len(columns) >= minimum else None


@lru_cache(maxsize=16384)
def _header_columns(cells: tuple[str, ...], group: str, minimum: int) -> tuple[tuple[str, int], ...] | None:
    if _candidates(cells) < minimum:
        return None  # header cells hold no digits: too few candidates to be a header
    return _columns_named(_header_texts(cells), group, minimum)


def _header_of(cells: tuple[str, ...]) -> tuple[str, tuple[tuple[str, int], ...]] | None:
    """(block, columns) of the first of :data:`HEADER_ORDER` a row is a header
    of, the row's cells read once for all of them; None when it is none."""
    candidates = _candidates(cells)
    texts = None
    for block, group, minimum in HEADER_ORDER:
        if candidates < minimum:
            continue
        if texts is None:
            texts = _header_texts(cells)
        found = _columns_named(texts, group, minimum)
        if found:
            return block, found
    return None


def _band_row(cells: tuple[str, ...], block: str) -> tuple[tuple[str, int], ...] | None:
    """The columns of a row made only of ``block``'s column names (and its
    own block label): the second row of a header band."""
    vocab = column_vocabulary(HEADER_GROUPS[block], HEADER_CUTOFF)
    if block == "indicators" and _header_columns(cells, DEPARTMENT_GROUP, DEPARTMENT_MINIMUM):
        return None  # a department header of its own, not a second row
    columns: dict[str, int] = {}
    for col, cell in enumerate(cells):
        if is_null(cell) or Vocabulary.key(cell) in block_labels(block):
            continue
        match = vocab.match(header_text(cell))
        if match is None:
            return None
        columns.setdefault(match.label, col)
    return tuple(columns.items()) or None


_SCORE_MARK = re.compile(r"\(\s*\d+(?:\.\d+)?\s*分\s*\)")  # 绩效指标（90分）
_TRAILING_NOTE = re.compile(r"\s*\([^()]{1,6}\)$")  # 实施单位 (盖章)


@lru_cache(maxsize=65536)
def label_key(cell: str) -> str:
    """A label cell's key without a score mark: ``绩效指标（90分）`` → ``绩效指标``."""
    return Vocabulary.key(_SCORE_MARK.sub("", clean(cell)))


def block_of_label(cell: str) -> str | None:
    """The block whose own label the cell is (funding, goal, indicators; total for 总分), or None."""
    key = label_key(cell)
    return next((name for name in vocabulary()["block_labels"] if key in block_labels(name)), None)


def is_block_label(cell: str) -> bool:
    """A block's own label (项目资金, 年度总体目标, 绩效指标(90分) …), of any block."""
    key = label_key(cell)
    return any(key in block_labels(kind) for kind in ("funding", "goal", "indicators"))


def names_seq(text: str) -> bool:
    """The text names the 项目序号 (a seq line)."""
    return "序" in text and SEQ_LABEL in compact(text)  # 序 first: a quick test before compacting


def names_unit(text: str) -> bool:
    """The text names the 金额单位 (a unit line)."""
    return "额" in text and UNIT_LABEL in compact(text)


@lru_cache(maxsize=65536)
def field_label(cell: str, group: str, cutoff: float = HEADER_CUTOFF) -> Match | None:
    """The label of ``group`` (header_fields, form_texts) a cell is, alone,
    as ``label：value`` or with a note (``实施单位（盖章）``); None if it is none."""
    if is_null(cell):
        return None
    label = _TRAILING_NOTE.sub("", clean(cell).partition(":")[0])
    if len(label) > FIELD_LABEL_LONGEST[group]:
        return None
    return column_vocabulary(group, cutoff).match(label)


@lru_cache(maxsize=4096)
def header_cells(cells: tuple[str, ...], block: str) -> frozenset[int]:
    """The cells of a header row that name a column of ``block``, a head field
    (a 项目名称 column printed in a funding header) or are a block label."""
    vocabs = [column_vocabulary(HEADER_GROUPS[block], HEADER_CUTOFF), column_vocabulary("header_fields", HEADER_CUTOFF)]
    if block == "indicators":
        vocabs.append(column_vocabulary(DEPARTMENT_GROUP, HEADER_CUTOFF))
    return frozenset(
        col for col, cell in enumerate(cells)
        if not is_null(cell) and (any(v.match(header_text(cell)) for v in vocabs) or is_block_label(cell))
    )


def merge_band(band: dict[str, int], columns: dict[str, int]) -> dict[str, int]:
    """A header band's columns with a further header row merged in, column by
    column: a column the new row names is where the new row says (``年度指标值``
    under a spanning ``指标值``; ``指标值`` between 指标性质 and 度量单位 under
    ``年度指标值``), the others stay where the rows above put them."""
    return {**band, **columns}


def label_value_group(cells: tuple[str, ...], group: str) -> bool:
    """True when some cell is a label of ``group`` (:func:`field_label`)."""
    return any(field_label(cell, group) is not None for cell in cells)


def classify_row(
    row: SourceRow, context: str = "head", after_header: str | None = None,
    cutoff: float = DEFAULT_LABEL_MATCH_CUTOFF,
) -> RowKind:
    """The kind of ``row`` inside a form whose rows above opened ``context``
    (one of :data:`BLOCKS`); ``after_header`` is the block of the header row
    right above, if the row above is one (a header band may go on).
    ``cutoff`` is the label-matching cutoff of funding-source labels."""
    if context not in BLOCKS:
        raise ValueError(f"context must be one of {BLOCKS}, not {context!r}")
    return _classify(row.cells, context, after_header, cutoff)


_BLANK, _TITLE, _SEQ, _UNIT, _FIELD, _TOTAL, _TRAILER, _FUNDING, _GOAL, _INDICATOR, _NOISE = (
    RowKind(kind) for kind in ("blank", "title", "seq", "unit", "field", "total", "trailer", "funding", "goal", "indicator", "noise")
)
_HEADER_MINIMUM = min(m for _, _, m in HEADER_ORDER)


@lru_cache(maxsize=32768)
def _classify(cells: tuple[str, ...], context: str, after_header: str | None, cutoff: float) -> RowKind:
    filled = list(filterfalse(is_null, cells))
    if not any(map(str.strip, cells)):
        return _BLANK
    first = clean(filled[0]) if filled else ""
    if len(filled) == 1 and (is_title(SourceRow(cells, 0)) or (context == "head" and YEAR_LINE.match(first))):
        return _TITLE
    joined = "".join(cells)  # cleaning changes no CJK character: look for one before cleaning
    if names_seq(joined):
        return _SEQ
    if names_unit(joined):
        return _UNIT
    key = label_key(first)
    in_indicators = context in ("indicators", "after_total")
    if key in block_labels("total") and in_indicators:
        return _TOTAL
    if key in unread_sections():
        return _NOISE  # a section no table has a column for (项目实施内容及过程概述): reported
    if after_header is not None:
        band = _band_row(cells, after_header)
        if band:
            return RowKind("header", after_header, band)
    if key in block_labels("goal") or key in goal_words():  # 年度总体目标 …, or its header printed without it
        return RowKind("header", "goal", _header_columns(cells, HEADER_GROUPS["goal"], 1) or ())
    if sum(map(_digit_free, filled)) >= _HEADER_MINIMUM:  # header cells hold no digits: else no header
        header = _header_of(cells)
        if header:
            return RowKind("header", *header)
    if context == "head" and label_value_group(cells, "header_fields"):
        return _FIELD
    if in_indicators and field_label(first, "form_texts") is not None:
        return _TRAILER
    if context == "funding":
        return _FUNDING if source_label(cells, cutoff) is not None or unlabelled_amounts(cells) else _NOISE
    if context == "goal":
        return _GOAL
    if context == "indicators":
        return _INDICATOR
    return _NOISE


def unlabelled_amounts(cells: tuple[str, ...]) -> bool:
    """A budget row of numbers with no label at all: the one row of a
    whole-department form's 部门预算执行情况 block."""
    filled = [c for c in cells if not is_null(c)]
    return len(filled) >= 2 and all(parse_rate(c).value is not None for c in filled)


def source_label(cells: tuple[str, ...], cutoff: float) -> tuple[int, Match] | None:
    """(column, match) of a row's funding-source label: the first non-empty
    cell, or the second when the first is the block's own label (项目资金) or a
    piece of it (``项目资`` | ``金``: the label's lines, each beside a row, on a
    scan whose rulings were lost)."""
    vocab = source_vocabulary(cutoff)
    seen = 0
    for col, cell in enumerate(cells):
        if is_null(cell):
            continue
        seen += 1
        if seen == 1 and _block_label_piece(compact(cell)):
            continue
        match = vocab.match(cell)
        return (col, match) if match else None
    return None


def _block_label_piece(text: str) -> bool:
    """The funding block's own label (项目资金), or a piece of it."""
    return bool(text) and any(text in label for label in block_labels("funding"))


# -- one cell alone -------------------------------------------------------------
# Text whose cell boundaries were lost (normalize/tokens.py) is cut into rows
# at the cells that say on their own what row they open or belong to.  Those
# are decided here too, in the same kinds, from the same vocabulary.
ANCHOR_CUTOFF = 90.0  # a cell read alone has no row around it to confirm it: matched more strictly
# A cell alone ending in 指标 is a level label (a cell holds one label).  The
# run-on reader takes only the templates' own level labels: inside running
# text, any …指标 would cut the indicator names that end so.
_LEVEL_ENDINGS = ("指标", "指杯", "指標")


@dataclass(frozen=True)
class CellKind:
    """What one cell says alone, in the kinds of :data:`ROW_KINDS`: the row it
    opens (``title``, ``seq``, ``unit``, ``field``, ``trailer``, ``total``,
    ``noise`` for a section no table holds), or its part of a row:
    ``header`` (a block's label, with ``block``; or a column name, with the
    ``columns`` it may be), ``funding`` (a source label) or ``indicator`` (a
    level label; whether the form's template knows it is the reader's to ask)."""

    kind: str
    text: str  # the label of a field or trailer, else the cell's text
    block: str | None = None  # header: the block whose label it is
    columns: tuple[tuple[str, str], ...] = ()  # header: (block, column) of each block it names a column of


@lru_cache(maxsize=65536)
def cell_kind(text: str) -> CellKind | None:
    """What the cell ``text`` says alone (:class:`CellKind`), or None: a
    number, rate or placeholder, or text the vocabulary does not know."""
    t = clean(text)
    if not t or fit.kind_of(t) in ("number", "rate", "null"):
        return None
    if is_title(SourceRow((t,), 0)):
        return CellKind("title", t)
    if names_seq(t):
        return CellKind("seq", t)
    if names_unit(t):
        return CellKind("unit", t)
    for group, kind in FIELD_GROUPS:
        if m := field_label(t, group, ANCHOR_CUTOFF):
            return CellKind(kind, m.label)
    key = label_key(t)
    if key in unread_sections():
        return CellKind("noise", t)
    block = block_of_label(t)
    if block is not None:
        return CellKind("total", t) if block == "total" else CellKind("header", t, block=block)
    columns = column_names(t)
    if columns:
        return CellKind("header", t, columns=columns)
    if source_vocabulary(ANCHOR_CUTOFF).match(t):
        return CellKind("funding", t)
    if t.endswith(_LEVEL_ENDINGS) or key.endswith("指标"):
        return CellKind("indicator", t)
    return None


def cell_kind_in(text: str, context: str) -> CellKind | None:
    """:func:`cell_kind` inside a form whose cells before opened ``context``
    (one of :data:`BLOCKS`), as :func:`classify_row` decides it for a row:
    ``（2022年度）`` under the title is the title's; a total label (合计) is
    the funding block's total source inside that block, the form's total
    outside it."""
    found = cell_kind(text)
    if found is None:
        return CellKind("title", clean(text)) if context == "head" and YEAR_LINE.match(clean(text)) else None
    if found.kind == "funding" and found.text == "合计" and context != "funding":
        return CellKind("total", found.text)
    if found.kind == "total" and context == "funding":
        return CellKind("funding", found.text)
    return found


@lru_cache(maxsize=16384)
def column_names(text: str) -> tuple[tuple[str, str], ...]:
    """(block, column) of each block one of whose columns ``text`` names, in
    the order of :data:`COLUMN_BLOCKS`."""
    out = []
    for block, group in COLUMN_BLOCKS:
        m = column_vocabulary(group, ANCHOR_CUTOFF).match(header_text(text))
        if m:
            out.append((block, m.label))
    return tuple(out)


def column_block(cell: CellKind, context: str) -> str:
    """The block a column name opens or goes on: the block it is in when
    that block has the column (a header printed again inside its block),
    else the first of :data:`COLUMN_BLOCKS` that has it."""
    owners = [block for block, _ in cell.columns]
    return context if context in owners else owners[0]


def column_in(cell: CellKind, block: str) -> str:
    """The column of ``block`` the column name ``cell`` names ("" if none)."""
    return next((column for b, column in cell.columns if b == block), "")
