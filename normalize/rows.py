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
reader runs its blocks over the kinds, and any reader that rebuilds rows of
cells from text (where cell boundaries were lost) can ask it what a row is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import filterfalse

from selfeval.extract.grid import SourceRow
from selfeval.extract.split import is_title
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
HEADER_GROUPS = {"funding": "funding_columns", "goal": "goal_columns", "indicators": "indicator_columns"}
DEPARTMENT_GROUP = "department_indicator_columns"  # 指标名称 / 计量单位 / 指标性质 / 年初指标值 … 是否核心指标
DEPARTMENT_MINIMUM = 6
HEADER_ORDER = (  # (block, vocabulary group, column names needed), tried in this order
    ("funding", "funding_columns", 3),
    ("indicators", DEPARTMENT_GROUP, DEPARTMENT_MINIMUM),  # a whole-department form's flat list
    ("indicators", "indicator_columns", 4),
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


def is_block_label(cell: str) -> bool:
    """A block's own label (项目资金, 年度总体目标, 绩效指标(90分) …), of any block."""
    key = Vocabulary.key(_SCORE_MARK.sub("", clean(cell)))
    return any(key in block_labels(kind) for kind in ("funding", "goal", "indicators"))


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
    """True when some cell is a label of ``group`` (header_fields, form_texts),
    alone or as ``label：value``."""
    vocab = column_vocabulary(group, HEADER_CUTOFF)
    longest = FIELD_LABEL_LONGEST[group]
    for cell in cells:
        if is_null(cell):
            continue
        label = clean(cell).partition(":")[0]
        if len(label) <= longest and vocab.match(label) is not None:
            return True
    return False


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
    if "序" in joined and "项目序号" in compact(joined):
        return _SEQ
    if "额" in joined and "金额单位" in compact(joined):
        return _UNIT
    key = Vocabulary.key(first)
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
    if (
        in_indicators
        and column_vocabulary("form_texts", HEADER_CUTOFF).match(first.partition(":")[0]) is not None
        and label_value_group(cells, "form_texts")
    ):
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
    cell, or the second when the first is the block's own label (项目资金)."""
    vocab = source_vocabulary(cutoff)
    seen = 0
    for col, cell in enumerate(cells):
        if is_null(cell):
            continue
        seen += 1
        if seen == 1 and compact(cell) in block_labels("funding"):
            continue
        match = vocab.match(cell)
        return (col, match) if match else None
    return None
