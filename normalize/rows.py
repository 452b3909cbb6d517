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

from selfeval.extract.grid import SourceRow
from selfeval.extract.split import is_title
from selfeval.normalize.cells import clean, compact
from selfeval.normalize.values import is_null
from selfeval.normalize.vocab import (
    Match,
    Vocabulary,
    column_vocabulary,
    source_vocabulary,
    vocabulary,
)
from selfeval.settings import DEFAULT_LABEL_MATCH_CUTOFF

ROW_KINDS = (
    "blank", "title", "seq", "unit", "field", "header", "funding", "goal", "indicator", "total", "trailer", "noise",
)
BLOCKS = ("head", "funding", "goal", "indicators", "after_total")  # what the rows above opened
HEADER_GROUPS = {"funding": "funding_columns", "goal": "goal_columns", "indicators": "indicator_columns"}
HEADER_CUTOFF = 80.0  # header cells are printed text: match them strictly
HEADER_MINIMUM = {"funding": 3, "indicators": 4}  # column names a header row needs on its own
FIELD_LABEL_LONGEST = {"header_fields": 12, "form_texts": 8}
YEAR_LINE = re.compile(r"^\(?\s*((?:19|20)\d{2})\s*年度?\s*\)?$")  # （2022年度） under a national title


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


def header_columns(cells: tuple[str, ...], block: str, minimum: int) -> dict[str, int] | None:
    """Column index of each column a header row of ``block`` names, or None
    when it names fewer than ``minimum``."""
    found = _header_columns(cells, HEADER_GROUPS[block], minimum)
    return dict(found) if found is not None else None


@lru_cache(maxsize=16384)
def _header_columns(cells: tuple[str, ...], group: str, minimum: int) -> tuple[tuple[str, int], ...] | None:
    if sum(1 for c in cells if c.strip() and not any(ch.isdigit() for ch in c)) < minimum:
        return None  # header cells hold no digits: too few candidates to be a header
    vocab = column_vocabulary(group, HEADER_CUTOFF)
    columns: dict[str, int] = {}
    for col, cell in enumerate(cells):
        if is_null(cell):
            continue
        match = vocab.match(cell)
        if match and match.label not in columns:
            columns[match.label] = col
    return tuple(columns.items()) if len(columns) >= minimum else None


def _band_row(cells: tuple[str, ...], block: str) -> tuple[tuple[str, int], ...] | None:
    """The columns of a row made only of ``block``'s column names (and its
    own block label): the second row of a header band."""
    vocab = column_vocabulary(HEADER_GROUPS[block], HEADER_CUTOFF)
    columns: dict[str, int] = {}
    for col, cell in enumerate(cells):
        if is_null(cell) or Vocabulary.key(cell) in block_labels(block):
            continue
        match = vocab.match(cell)
        if match is None:
            return None
        columns.setdefault(match.label, col)
    return tuple(columns.items()) or None


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


@lru_cache(maxsize=32768)
def _classify(cells: tuple[str, ...], context: str, after_header: str | None, cutoff: float) -> RowKind:
    filled = [clean(c) for c in cells if not is_null(c)]
    if not any(c.strip() for c in cells):
        return RowKind("blank")
    row = SourceRow(cells, 0)
    first = filled[0] if filled else ""
    if is_title(row):
        return RowKind("title")
    if context == "head" and YEAR_LINE.match(first) and len(filled) == 1:
        return RowKind("title")
    text = compact("".join(cells))
    if "项目序号" in text:
        return RowKind("seq")
    if "金额单位" in text:
        return RowKind("unit")
    key = Vocabulary.key(first)
    in_indicators = context in ("indicators", "after_total")
    if key in block_labels("total") and in_indicators:
        return RowKind("total")
    if context == "head" and label_value_group(cells, "header_fields"):
        return RowKind("field")
    if (
        in_indicators
        and column_vocabulary("form_texts", HEADER_CUTOFF).match(first.partition(":")[0]) is not None
        and label_value_group(cells, "form_texts")
    ):
        return RowKind("trailer")
    if after_header is not None:
        band = _band_row(cells, after_header)
        if band:
            return RowKind("header", after_header, band)
    found = _header_columns(cells, HEADER_GROUPS["funding"], HEADER_MINIMUM["funding"])
    if found:
        return RowKind("header", "funding", found)
    if key in block_labels("goal"):
        return RowKind("header", "goal", _header_columns(cells, HEADER_GROUPS["goal"], 1) or ())
    found = _header_columns(cells, HEADER_GROUPS["indicators"], HEADER_MINIMUM["indicators"])
    if found:
        return RowKind("header", "indicators", found)
    if context == "funding":
        return RowKind("funding") if _has_source_label(cells, cutoff) else RowKind("noise")
    if context == "goal":
        return RowKind("goal")
    if context == "indicators":
        return RowKind("indicator")
    return RowKind("noise")


def _has_source_label(cells: tuple[str, ...], cutoff: float) -> bool:
    return source_label(cells, cutoff) is not None


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
