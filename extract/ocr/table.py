"""Prepared page to table grid: ruling lines, cells, text boxes placed in cells.

A chain of small functions, each named for what it turns into what (the
page itself is prepared first by :func:`selfeval.extract.ocr.page.prepare_page`)::

    find_lines      binary page -> horizontal and vertical ruling-line masks
    lines_to_tables line masks -> tables (column and row boundaries, merged cells)
    boxes_to_rows   tables + OCR text boxes -> rows of (text, confidence) cells

Where a page has no ruling lines, ``cluster_table`` builds rows from text
lines and columns from the gaps between boxes.  Every tunable is a named
``DEFAULT_*`` constant, relative to ``unit``: the page's typical character
height in pixels, measured from the page itself, so nothing depends on the
resolution.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from selfeval.extract.cells import one_number
from selfeval.extract.grid import SEAL_COVER_CONFIDENCE
from selfeval.extract.ocr import Glyph, TextBox
from selfeval.extract.ocr.components import components

DEFAULT_H_KERNEL_UNITS = 6.0  # a horizontal ruling line is at least this many characters long
DEFAULT_V_KERNEL_UNITS = 1.5  # a vertical one at least this many character heights
DEFAULT_BOUNDARY_COVER = 0.3  # share of a cell edge a (possibly broken) line must cover to separate two cells
DEFAULT_RULE_GAP_UNITS = 2.0  # a ruling broken by gaps up to this long is still one line
DEFAULT_MIN_RULE_ROWS = 3  # an inner column ruling separates at least this many rows (a seal's arc does not)
DEFAULT_LINE_GAP_UNITS = 2.5  # boxes on one text line further apart than this are separate cells
DEFAULT_CELL_GAP_UNITS = 0.8  # without rulings, a gap this wide inside a box parts two cells
DEFAULT_UNREAD_CONFIDENCE = 0.5  # a read cell beside ink as large as a character that nothing read
DEFAULT_INK_ONLY_CONFIDENCE = 0.0  # an empty cell holding ink that nothing read: a reviewer must look
DEFAULT_SEAL_COVER_UNITS = 0.5  # ... that much ink painted out there, in square character heights (a value's digits or more)
DEFAULT_MARK_PAD_UNITS = 0.6  # a mark the detector left out is read with this much paper round it
DEFAULT_MARK_READ_CONFIDENCE = 0.9  # ... and taken into its cell's text when read as punctuation this surely
DEFAULT_VALUE_MARK_UNITS = 0.5  # ... ink at least this many character heights across (a digit; not a speck)
DEFAULT_EDGE_UNITS = 0.3  # ink this close to a ruling is what erasing the ruling left, not text
DEFAULT_RULE_WIDTHS = 1.5  # ... or this many times the rulings' printed width, when they are heavier
DEFAULT_STUB_UNITS = 0.5  # a piece of ruling this long out of a junction still parts two cells (see hold_broken_rules)


@dataclass(frozen=True)
class Table:
    xs: tuple[float, ...]  # column boundaries, left to right
    ys: tuple[float, ...]  # row boundaries, top to bottom
    cells: tuple[tuple[int, int, int, int], ...]  # merged cells: (row0, col0, row1, col1), inclusive
    ragged: int = 0  # joined cells that made no rectangle, parted where no ink shows a ruling (see :func:`_merge_cells`)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


@dataclass(frozen=True)
class CellText:
    text: str
    confidence: float | None  # see :func:`cell_confidence`; None when the cell is empty and holds no ink


@dataclass(frozen=True)
class RowOut:
    top: float
    cells: tuple[CellText, ...]
    boxes: tuple[tuple[float, float, float, float] | None, ...] | None = None  # ruled cells' pixel boxes


# -- ruling lines and tables --------------------------------------------------


def _band(bounds: list[float], value: float) -> int:
    """The index of the band of ``bounds`` that holds ``value``, clamped to the first and last band."""
    return min(max(bisect_right(bounds, value) - 1, 0), len(bounds) - 2)


def find_lines(binary: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray]:
    """Masks of horizontal and vertical ruling lines (morphological opening).

    Pieces of line are found first with short kernels, joined across gaps of
    up to ``DEFAULT_RULE_GAP_UNITS`` (a worn or broken ruling), and only then
    required to be as long as a ruling is."""
    # thicken across the line only, to bridge the one-pixel steps of a residual skew
    # without joining the strokes of neighbouring characters along it
    gap = max(3, round(DEFAULT_RULE_GAP_UNITS * unit))
    h_long = max(10, round(DEFAULT_H_KERNEL_UNITS * unit))
    v_long = max(10, round(DEFAULT_V_KERNEL_UNITS * unit))
    horizontal = _line_mask(cv2.dilate(binary, np.ones((3, 1), np.uint8)), (max(8, round(1.5 * unit)), 1), (gap, 1), (h_long, 1))
    # a vertical piece is as long as a ruling must be: shorter ones are character strokes,
    # which a join would chain down a column of wrapped lines
    vertical = _line_mask(cv2.dilate(binary, np.ones((1, 3), np.uint8)), (1, v_long), (1, gap), (1, v_long))
    return horizontal, vertical


def _line_mask(ink: np.ndarray, piece: tuple[int, int], gap: tuple[int, int], length: tuple[int, int]) -> np.ndarray:
    rect = lambda size: cv2.getStructuringElement(cv2.MORPH_RECT, size)  # noqa: E731
    pieces = cv2.morphologyEx(ink, cv2.MORPH_OPEN, rect(piece))
    # the kernels are one pixel across (sizes are (width, height)): each row (or column) is joined and measured
    # on its own, and one without pieces stays empty, so only the few holding pieces are worked on (the same
    # mask, several times faster)
    across = 0 if piece[1] == 1 else 1  # the axis the kernels are one pixel thick along: rows, or columns
    held = np.flatnonzero(pieces.any(axis=1 - across))
    out = np.zeros_like(pieces)
    if held.size:
        part = np.ascontiguousarray(np.take(pieces, held, axis=across))
        joined = cv2.morphologyEx(part, cv2.MORPH_CLOSE, rect(gap))
        kept = cv2.morphologyEx(joined, cv2.MORPH_OPEN, rect(length))
        if across == 0:
            out[held] = kept
        else:
            out[:, held] = kept
    return out


def erase_lines(gray: np.ndarray, horizontal: np.ndarray, vertical: np.ndarray, tables: list[Table],
                paper: np.ndarray | None = None) -> np.ndarray:
    """The page with its tables' ruling lines painted white (or ``paper``'s level
    there), so text detection sees cells apart.

    Only inside the tables: outside them, long strokes of large type (a title)
    look like short lines and must stay.
    """
    out = gray.copy()
    lines = (horizontal > 0) | (vertical > 0)
    for t in tables:
        x0, y0, x1, y1 = (round(v) for v in t.bbox)
        m = 4
        ys, xs = slice(max(0, y0 - m), y1 + m + 1), slice(max(0, x0 - m), x1 + m + 1)
        where = lines[ys, xs]
        out[ys, xs][where] = 255 if paper is None else paper[ys, xs][where]
    return out


def paper_level(gray: np.ndarray, unit: float) -> np.ndarray:
    """The paper's grey level at every pixel, ink closed over (a shadowed photo's
    paper is far from white)."""
    k = max(3, round(unit / 2)) | 1
    return cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))


def _segments(mask: np.ndarray, axis: int) -> list[tuple[float, float, float]]:
    """Line segments of a mask as (position, start, end); axis 0 = horizontal lines.

    A line mask is mostly empty: its components are found band by band (the
    runs of rows, or columns, holding any pixel; no component crosses an
    empty one), each position as the whole mask's centroid would give it."""
    held = np.flatnonzero(mask.any(axis=1 - axis))
    out = []
    for first, last in _runs(held):
        band = mask[first:last + 1] if axis == 0 else mask[:, first:last + 1]
        n, _, stats, centroids = components(band)
        for k in range(1, n):
            x, y, w, h = (int(v) for v in stats[k, :4])
            area = int(stats[k, cv2.CC_STAT_AREA])
            # the centroid is the sum of the pixels' positions over their count: that sum, moved to the mask's frame
            if axis == 0:
                out.append(((round(float(centroids[k][1]) * area) + first * area) / area, float(x), float(x + w)))
            else:
                out.append(((round(float(centroids[k][0]) * area) + first * area) / area, float(y), float(y + h)))
    return out


def _runs(indexes: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) of each run of consecutive values in ``indexes`` (sorted)."""
    if not indexes.size:
        return []
    breaks = np.flatnonzero(np.diff(indexes) > 1)
    starts = [int(indexes[0]), *(int(indexes[b + 1]) for b in breaks)]
    ends = [*(int(indexes[b]) for b in breaks), int(indexes[-1])]
    return list(zip(starts, ends, strict=True))


def _cluster(values: list[float], tol: float) -> list[float]:
    values = sorted(values)
    groups: list[list[float]] = []
    for v in values:
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [float(np.median(g)) for g in groups]


def lines_to_tables(horizontal: np.ndarray, vertical: np.ndarray, unit: float,
                    binary: np.ndarray | None = None) -> list[Table]:
    """Tables from ruling lines: each connected frame of lines is one table.

    With the page's ink (``binary``), two cells are told apart by the line
    pixels that are ink: the join across a broken ruling's gaps that finds
    the lines can also bridge a merged cell one text line high, between the
    rulings that end above and below it."""
    edges = (horizontal, vertical) if binary is None else (horizontal, vertical & cv2.dilate(binary, np.ones((1, 3), np.uint8)))
    frame = cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8))
    n, _, stats, _ = components(frame)
    tables = []
    for k in range(1, n):
        x, y, w, h = (int(v) for v in stats[k, :4])
        if w < 8 * unit or h < 2 * unit or _within_another(stats, k, unit):
            continue
        hs = [s for s in _segments(horizontal[y:y + h, x:x + w], 0) if s[2] - s[1] >= 2 * unit]
        vs = [s for s in _segments(vertical[y:y + h, x:x + w], 1) if s[2] - s[1] >= unit]
        if len(hs) < 2 or len(vs) < 2:
            continue
        ys = _cluster([s[0] + y for s in hs], unit / 2)
        xs = _rulings(_cluster([s[0] + x for s in vs], unit / 2), ys, vertical, unit)
        if len(ys) < 2 or len(xs) < 2:
            continue
        tables.append(_merge_cells(tuple(xs), tuple(ys), *edges, unit, binary))
    tables.sort(key=lambda t: t.ys[0])
    return tables


def _within_another(stats: np.ndarray, k: int, unit: float) -> bool:
    """Whether frame component ``k`` lies wholly inside another's box: a cell's own
    rulings cut off from the frame around them where every line out of it is broken
    (实施单位's cell in the top row).  The frame's table reads its lines already."""
    x, y, w, h = (int(v) for v in stats[k, :4])
    for j in range(1, len(stats)):
        X, Y, W, H = (int(v) for v in stats[j, :4])
        if j != k and W * H > w * h and X - unit <= x and Y - unit <= y and x + w <= X + W + unit and y + h <= Y + H + unit:
            return True
    return False


def _rulings(xs: list[float], ys: list[float], vertical: np.ndarray, unit: float) -> list[float]:
    """The column rulings among vertical line candidates: the frame's two sides, and
    inner lines that separate at least ``DEFAULT_MIN_RULE_ROWS`` rows (or every row
    of a shorter table).  A seal's ring or a stroke that happens to be vertical
    crosses a row or two, not a column of them."""
    if len(xs) <= 2:
        return xs
    need = min(DEFAULT_MIN_RULE_ROWS, len(ys) - 1)
    t = max(2.0, unit / 4)
    keep = [xs[0]]
    for x in xs[1:-1]:
        rows = 0
        for y0, y1 in pairwise(ys):
            m = min(unit / 2, (y1 - y0) / 4)
            rows += _covered(vertical, x - t, x + t, y0 + m, y1 - m) >= DEFAULT_BOUNDARY_COVER
        if rows >= need:
            keep.append(x)
    return [*keep, xs[-1]]


def _covered(mask: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> float:
    """Share of a thin band's length (along its long side) that has line pixels."""
    xa, xb = max(0, round(x0)), min(mask.shape[1], round(x1))
    ya, yb = max(0, round(y0)), min(mask.shape[0], round(y1))
    if xb <= xa or yb <= ya:
        return 0.0
    band = mask[ya:yb, xa:xb] > 0
    along = band.any(axis=0) if (xb - xa) >= (yb - ya) else band.any(axis=1)
    return float(along.mean())


def _merge_cells(xs, ys, horizontal, vertical, unit, binary: np.ndarray | None = None) -> Table:
    """The table's merged cells: cells joined across every edge that less than
    ``DEFAULT_BOUNDARY_COVER`` of a line covers.  A group of joined cells that makes
    no rectangle is parted into rectangles (:func:`_rectangles`), rows first or else
    columns first, whichever parting the page's ink (``binary``) shows at every edge
    between the parts (:func:`_parted_by_stubs`); when neither does, rows first, and
    the table's ``ragged`` counts it: a ruling was lost that nothing places."""
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    t = max(2.0, unit / 4)
    for r in range(nr):
        for c in range(nc):
            m = min(unit / 2, (ys[r + 1] - ys[r]) / 4)
            if c + 1 < nc and _covered(vertical, xs[c + 1] - t, xs[c + 1] + t, ys[r] + m, ys[r + 1] - m) < DEFAULT_BOUNDARY_COVER:
                parent[find(r * nc + c)] = find(r * nc + c + 1)
            m = min(unit / 2, (xs[c + 1] - xs[c]) / 4)
            if r + 1 < nr and _covered(horizontal, xs[c] + m, xs[c + 1] - m, ys[r + 1] - t, ys[r + 1] + t) < DEFAULT_BOUNDARY_COVER:
                parent[find(r * nc + c)] = find((r + 1) * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(find(r * nc + c), []).append((r, c))
    cells, ragged = [], 0
    for members in groups.values():
        parts = _rectangles(set(members))
        if len(parts) > 1 and not _parted_by_stubs(xs, ys, parts, binary, unit):
            # a column's cells merged over rows (年度总体目标's label over its two rows) joined with a
            # row's: parted column by column when the ink shows that parting instead
            across = [(c0, r0, c1, r1) for r0, c0, r1, c1 in _rectangles({(c, r) for r, c in members})]
            if _parted_by_stubs(xs, ys, across, binary, unit):
                parts = across
            else:
                ragged += 1
        cells.extend(parts)
    cells.sort()
    return Table(xs, ys, tuple(cells), ragged)


def _rectangles(members: set[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """A group of joined cells as merged cells: itself when it fills its bounding box,
    else rectangles of it: each row's runs of cells, a run stacked on the one above
    when it spans the same columns.

    A printed merged cell is a rectangle.  A group that is not (an L: a row's cells
    joined with a column's across two broken rulings) was joined through rulings
    that were printed; its bounding box would lie over the cells in its corner.
    Rows first: a row's cells merged over columns (a label, a name, a value) are
    the commoner merge, and a column's over rows (项目资金) stack again."""
    rows = [m[0] for m in members]
    cols = [m[1] for m in members]
    box = (min(rows), min(cols), max(rows), max(cols))
    if len(members) == (box[2] - box[0] + 1) * (box[3] - box[1] + 1):
        return [box]
    out: list[list[int]] = []
    open_: dict[tuple[int, int], list[int]] = {}  # (col0, col1) -> the rectangle ending on the row above
    for r in range(box[0], box[2] + 1):
        here = sorted(c for (rr, c) in members if rr == r)
        runs = []
        for c in here:
            if runs and c == runs[-1][1] + 1:
                runs[-1][1] = c
            else:
                runs.append([c, c])
        now = {}
        for c0, c1 in runs:
            rect = open_.get((c0, c1))
            if rect is None:
                rect = [r, c0, r, c1]
                out.append(rect)
            rect[2] = r
            now[(c0, c1)] = rect
        open_ = now
    return sorted(tuple(rect) for rect in out)


def _parted_by_stubs(xs, ys, parts: list[tuple[int, int, int, int]], binary: np.ndarray | None, unit: float) -> bool:
    """Whether the ink shows a ruling at every edge between the rectangles a ragged
    group was parted into: a piece at least ``DEFAULT_STUB_UNITS`` long running out of
    a junction along the edge, as :func:`hold_broken_rules` parts a merged cell."""
    if binary is None:
        return False
    t = max(2.0, unit / 4)
    need = DEFAULT_STUB_UNITS * unit + t
    owner = {(r, c): k for k, p in enumerate(parts) for r in range(p[0], p[2] + 1) for c in range(p[1], p[3] + 1)}
    for (r, c), k in owner.items():
        if owner.get((r, c + 1), k) != k and _stub(binary, True, xs[c + 1], ys[r], ys[r + 1], t) < need:
            return False
        if owner.get((r + 1, c), k) != k and _stub(binary, False, ys[r + 1], xs[c], xs[c + 1], t) < need:
            return False
    return True


# -- broken rulings ------------------------------------------------------------


def _stub(binary: np.ndarray, vertical: bool, at: float, a: float, b: float, t: float) -> float:
    """How far ink runs along a cell boundary (at ``at``, from ``a`` to ``b``) out of
    either end: the piece of a ruling left at a junction, however short."""
    if vertical:
        band = binary[max(0, round(a)):round(b), max(0, round(at - t)):round(at + t) + 1] > 0
        along = band.any(axis=1)
    else:
        band = binary[max(0, round(at - t)):round(at + t) + 1, max(0, round(a)):round(b)] > 0
        along = band.any(axis=0)
    if not along.size or along.all():
        return float(along.size)
    return float(max(np.argmin(along), np.argmin(along[::-1])))


def _crossed(boxes: list[TextBox], vertical: bool, at: float, a: float, b: float, t: float) -> bool:
    """Whether a text box runs over a boundary (at ``at``, between ``a`` and ``b``)."""
    for box in boxes:
        x0, y0, x1, y1 = box.bbox
        if vertical and a <= box.cy <= b and x0 < at - t and x1 > at + t:
            return True
        if not vertical and x0 < b and x1 > a and y0 < at - t and y1 > at + t:
            return True
    return False


def hold_broken_rules(tables: list[Table], binary: np.ndarray, boxes: list[TextBox], unit: float) -> list[Table]:
    """Tables whose cells a broken ruling merged, parted again where the ruling left a piece.

    A ruling broken away (worn print, a seal's removal) can lose all of its
    length along one cell edge, or keep only pieces too short to be told from
    strokes of text; :func:`lines_to_tables` then merges the cells on either
    side.  What is left at the edge's ends is telling: a printed line runs out
    of its junction with the crossing ruling, which a merged cell's inner
    edge never does.  So a merged cell is cut along a row (column) boundary
    when, in any of its columns (rows), ink runs at least
    ``DEFAULT_STUB_UNITS`` along that boundary out of a junction (beyond the
    crossing line's own width), and no text box in the cell runs over the
    boundary; each part is then cut again the same way.
    """
    t = max(2.0, unit / 4)
    need = DEFAULT_STUB_UNITS * unit + t
    out = []
    for table in tables:
        xs, ys = table.xs, table.ys
        cells = []
        for cell in table.cells:
            r0, c0, r1, c1 = cell
            if r0 == r1 and c0 == c1:
                cells.append(cell)
                continue
            inside = [b for b in boxes if xs[c0] <= b.cx <= xs[c1 + 1] and ys[r0] <= b.cy <= ys[r1 + 1]]
            cells.extend(_cut(table, cell, binary, inside, t, need))
        out.append(Table(xs, ys, tuple(sorted(cells)), table.ragged))
    return out


def _cut(table: Table, cell: tuple[int, int, int, int], binary: np.ndarray, inside: list[TextBox], t: float,
         need: float) -> list[tuple[int, int, int, int]]:
    """A merged cell cut at its first row (else column) boundary that a ruling's stub
    shows and no text runs over, each part cut again; the cell itself when none."""
    xs, ys = table.xs, table.ys
    r0, c0, r1, c1 = cell
    for r in range(r0, r1):  # a row boundary at ys[r + 1]
        if any(_stub(binary, False, ys[r + 1], xs[c], xs[c + 1], t) >= need for c in range(c0, c1 + 1)) \
                and not _crossed(inside, False, ys[r + 1], xs[c0], xs[c1 + 1], t):
            return _cut(table, (r0, c0, r, c1), binary, inside, t, need) + \
                _cut(table, (r + 1, c0, r1, c1), binary, inside, t, need)
    for c in range(c0, c1):  # a column boundary at xs[c + 1]
        if any(_stub(binary, True, xs[c + 1], ys[r], ys[r + 1], t) >= need for r in range(r0, r1 + 1)) \
                and not _crossed(inside, True, xs[c + 1], ys[r0], ys[r1 + 1], t):
            return _cut(table, (r0, c0, r1, c), binary, inside, t, need) + \
                _cut(table, (r0, c + 1, r1, c1), binary, inside, t, need)
    return [cell]


def join_texts_cut_apart(tables: list[Table], binary: np.ndarray, boxes: list[TextBox], unit: float) -> list[Table]:
    """Tables whose two cells of a row a text runs across were found apart with no
    ruling between them, joined.

    Finding the rulings joins a broken line across its gaps, and keeps the
    join where it lies on ink; a text printed across the gap is ink too, so a
    heavy line's gap bridged over one text-line-high row (the 项目名称 row under
    a column ruling that ends at it) parts the row's one value in two.  A
    printed ruling runs the row's height, past the text line above and below
    it; a join on the text has no ink there.  So two cells of the same rows
    on either side of a column boundary are one when a text box runs over the
    boundary by at least half a character on either side (as a box is cut
    in :func:`boxes_to_rows`) and, in the boundary's
    band above and below the box (clear of the rulings across), less than
    ``DEFAULT_BOUNDARY_COVER`` of the height holds ink."""
    t = max(2.0, unit / 4)
    out = []
    for table in tables:
        xs, ys = table.xs, table.ys
        cells = list(table.cells)
        changed = True
        while changed:
            changed = False
            for a in cells:
                b = next((b for b in cells if b[1] == a[3] + 1 and b[0] == a[0] and b[2] == a[2]), None)
                if b is None:
                    continue
                x, top, bottom = xs[b[1]], ys[a[0]], ys[a[2] + 1]
                across = [box for box in boxes if top <= box.cy <= bottom
                          and box.bbox[0] < x - unit / 2 and box.bbox[2] > x + unit / 2]
                if not across:
                    continue
                y0, y1 = min(box.bbox[1] for box in across), max(box.bbox[3] for box in across)
                clear = [(top + t, y0 - 1), (y1 + 1, bottom - t)]
                span = sum(max(0.0, hi - lo) for lo, hi in clear)
                if span < unit / 2:  # no room above and below the text to tell
                    continue
                inked = sum(_covered(binary, x - t, x + t, lo, hi) * (hi - lo) for lo, hi in clear if hi - lo >= 1)
                if inked / span < DEFAULT_BOUNDARY_COVER:
                    cells = [c for c in cells if c not in (a, b)] + [(a[0], a[1], a[2], b[3])]
                    changed = True
                    break
        out.append(Table(xs, ys, tuple(sorted(cells)), table.ragged))
    return out


DEFAULT_LOST_RULINGS = 3  # cells holding text apart on one line, from which on a grid is not trusted


def credible_grid(tables: list[Table], boxes: list[TextBox], unit: float) -> bool:
    """Whether the tables found from the rulings can be trusted to place the text.

    Rulings broken away beyond what :func:`hold_broken_rules` parts again
    merge cells: two values printed in neighbouring cells then sit in one
    cell side by side (sharing any height: on one line, or a one-line text
    beside a two-line one), further apart than ``DEFAULT_LINE_GAP_UNITS``
    (wider than any gap inside one printed value), or two numbers side by
    side (:func:`_two_numbers`); a row ruling lost puts two rows' texts in one
    cell, lines further apart than a wrapped text's (:func:`_rows_apart`), or
    leaves one row's text off the middle of the merged cell, in that row
    (:func:`_lies_in`); a frame whose top rows were found apart leaves their lines outside every
    table, three or more texts far apart over a table's width; cells joined in no
    rectangle, parted where the ink shows no ruling (``Table.ragged``).  Pieces of
    ruling read as text (:func:`_ruling_remnant`) are no text here.  A grid with
    ``DEFAULT_LOST_RULINGS`` such cells, lines and groups, or with tables lying over one
    another (pieces of one frame found apart), is not trusted; the page is
    then read by text positions (:func:`text_position_rows`)."""
    for a, b in pairwise(sorted(tables, key=lambda t: t.ys[0])):
        if b.ys[0] < a.ys[-1] - unit and b.xs[0] < a.xs[-1] and a.xs[0] < b.xs[-1]:
            return False
    boxes = [b for b in boxes if not _ruling_remnant(b, tables, unit)]
    apart = sum(t.ragged for t in tables)
    gap = DEFAULT_LINE_GAP_UNITS * unit
    for t in tables:
        inside = [b for b in boxes if _inside(b, t)]
        for cell in t.cells:
            x0, y0, x1, y1 = _cell_box(t, cell)
            here = sorted((b for b in inside if x0 <= b.cx <= x1 and y0 <= b.cy <= y1), key=lambda b: b.bbox[0])
            if any((abs(a.cy - b.cy) < unit / 2 and _two_numbers(a, b, unit)) or (_overlap(a, b) and b.bbox[0] - a.bbox[2] > gap)
                   for i, a in enumerate(here) for b in here[i + 1:]) or _rows_apart(here, unit) \
                    or _lies_in(t, cell, here, unit) != cell[:2]:
                apart += 1
    outside = [b for b in boxes if not any(_inside(b, t) for t in tables)]
    for line in _text_lines(outside):
        # a table's row found outside every table (the frame's top found apart): three or more
        # texts far apart on one line over the table's width (a form's 项目序号 and 金额单位 line has two)
        groups = 1 + sum(b.bbox[0] - a.bbox[2] > gap for a, b in pairwise(line))
        if groups >= 3 and any(t.xs[0] - unit <= line[0].bbox[0] and line[-1].bbox[2] <= t.xs[-1] + unit
                               for t in tables):
            apart += 1
    return apart < DEFAULT_LOST_RULINGS


def _lies_in(t: Table, cell: tuple[int, int, int, int], boxes: list[TextBox], unit: float) -> tuple[int, int]:
    """The row and column of a merged cell its text was printed in.

    A printed merged cell sets its text in its middle (or, top or left
    aligned, in its first row and column).  Text that lies wholly within one
    of a merged cell's other rows (columns), away from the cell's middle,
    is that row's (column's) own: the ruling above it (before it) was lost
    and merged its cell with the one above (before).  Otherwise, and for an
    empty or single cell, the cell's first row and column."""
    r0, c0, r1, c1 = cell
    if not boxes or (r0 == r1 and c0 == c1):
        return r0, c0
    x0, y0 = min(b.bbox[0] for b in boxes), min(b.bbox[1] for b in boxes)
    x1, y1 = max(b.bbox[2] for b in boxes), max(b.bbox[3] for b in boxes)
    return _one_band(t.ys, r0, r1, y0, y1, unit), _one_band(t.xs, c0, c1, x0, x1, unit)


def _one_band(bounds: tuple[float, ...], first: int, last: int, lo: float, hi: float, unit: float) -> int:
    """Of bands ``first`` .. ``last``, the one a text from ``lo`` to ``hi`` lies wholly
    in, away from their middle; ``first`` when it is centred on the middle or lies in
    no one band.  A text may cover the middle and still lie wholly in a band off it,
    when the bands differ in height (a two-line 三级指标 in its row, under a short row
    merged with it): centred, its own middle is the cells' middle."""
    slack = unit / 4
    middle = (bounds[first] + bounds[last + 1]) / 2
    if abs((lo + hi) / 2 - middle) <= unit / 2:  # the text is set in the cell's middle
        return first
    for k in range(first + 1, last + 1):
        if bounds[k] - slack <= lo and hi <= bounds[k + 1] + slack:
            return k
    return first


def _side_by_side(t: Table, cell: tuple[int, int, int, int], boxes: list[TextBox], unit: float,
                  read: list[TextBox] | None = None) -> list[tuple[int, int, list[TextBox]]] | None:
    """A merged cell's one line of text parted into the columns it was printed in.

    Two cells' values side by side in a cell merged over their columns (the
    ruling between them lost): the line falls apart at gaps wider than any gap
    inside one value (``DEFAULT_LINE_GAP_UNITS``, or two numbers more than a
    character apart, see :func:`_two_numbers`), and each part lies wholly in
    columns of its own, left to right: one column, or a run of them when the
    part's own cell was printed merged over several (实施单位's value beside the
    label, their ruling lost).  Then each part is that first column's to its
    last, as (first, last, boxes); else None (one value, a wrapped text, or
    parts sharing a column).  Texts on several lines part at column boundaries
    (:func:`_stacked_side_by_side`; ``read``: the boxes as read, before being cut
    at the cell edges they ran over)."""
    r0, c0, r1, c1 = cell
    if c0 == c1 or len(boxes) < 2:
        return None
    if len(_text_lines(boxes)) != 1:
        return _stacked_side_by_side(t, cell, boxes, unit, boxes if read is None else read)
    line = sorted(boxes, key=lambda b: b.bbox[0])
    groups = [[line[0]]]
    for a, b in pairwise(line):
        if b.bbox[0] - a.bbox[2] > DEFAULT_LINE_GAP_UNITS * unit or _two_numbers(a, b, unit):
            groups.append([b])
        else:
            groups[-1].append(b)
    if len(groups) < 2:
        return None
    slack = unit / 4
    out = []
    for g in groups:
        lo, hi = g[0].bbox[0], max(b.bbox[2] for b in g)
        first, last = _band(t.xs, lo + slack), _band(t.xs, hi - slack)
        if first < c0 or last > c1 or last < first or (out and first <= out[-1][1]):
            return None
        out.append((first, last, g))
    return out


def _stacked_side_by_side(t: Table, cell: tuple[int, int, int, int], boxes: list[TextBox], unit: float,
                          read: list[TextBox]) -> list[tuple[int, int, list[TextBox]]] | None:
    """:func:`_side_by_side` for a merged cell's texts on several lines (a two-line
    服务对象满意度指标 beside a one-line 三级指标, their ruling lost): parted at each
    column boundary that no box (as read) runs over by half a character on both sides and
    across which two boxes sharing height stand apart as two cells' values do
    (further than ``DEFAULT_LINE_GAP_UNITS``, or two numbers).  Each part is the
    columns its boxes lie in, between its boundaries; None when no boundary parts."""
    r0, c0, r1, c1 = cell
    half = unit / 2
    cuts = []
    for k in range(c0 + 1, c1 + 1):
        x = t.xs[k]
        if any(b.bbox[0] < x - half and b.bbox[2] > x + half for b in read):
            continue
        left = [b for b in boxes if b.cx < x]
        right = [b for b in boxes if b.cx >= x]
        if any(_overlap(a, b) and (b.bbox[0] - a.bbox[2] > DEFAULT_LINE_GAP_UNITS * unit or _two_numbers(a, b, unit))
               for a in left for b in right):
            cuts.append(k)
    if not cuts:
        return None
    out = []
    for lo_k, hi_k in pairwise([c0, *cuts, c1 + 1]):
        g = sorted((b for b in boxes if t.xs[lo_k] <= b.cx < t.xs[hi_k]), key=lambda b: (b.cy, b.bbox[0]))
        if not g:
            continue
        first = max(lo_k, _band(t.xs, min(b.bbox[0] for b in g) + half))
        last = min(hi_k - 1, _band(t.xs, max(b.bbox[2] for b in g) - half))
        out.append((first, max(first, last), g))
    return out if len(out) > 1 else None


def _overlap(a: TextBox, b: TextBox) -> bool:
    """Whether two boxes share any height: on one line, or one beside the lines of
    another (a one-line cell centred next to a two-line one)."""
    return min(a.bbox[3], b.bbox[3]) > max(a.bbox[1], b.bbox[1])


DEFAULT_ROW_APART_UNITS = 2.2  # a cell's next text line this far under (middles) is another row's


def _rows_apart(boxes: list[TextBox], unit: float) -> bool:
    """Whether a cell's text lines include two that follow each other further apart
    than ``DEFAULT_ROW_APART_UNITS`` (middle to middle): a wrapped text's lines are
    a line pitch apart (about 1.4 characters), two rows' texts at least a row's
    height; so a cell holding them is two rows whose ruling is lost."""
    lines = _text_lines(boxes)
    middles = [sum(b.cy for b in line) / len(line) for line in lines]
    return any(b - a > DEFAULT_ROW_APART_UNITS * unit for a, b in pairwise(middles))


def _two_numbers(a: TextBox, b: TextBox, unit: float) -> bool:
    """Two values side by side on one line (``100.00`` ``98.00``, ``≥95%`` ``90%``):
    a text holding a digit, and after a gap wider than a character a text that
    starts with a digit.  No one value is printed so (a number's unit or its
    '%' follows it closely); two cells' numbers are, when the ruling between
    them is lost."""
    return (b.bbox[0] - a.bbox[2] > unit and any(ch.isdigit() for ch in a.text)
            and b.text.strip()[:1].isdigit())


# -- text boxes into cells ----------------------------------------------------


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        p = p.strip()
        if out and p and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return out


def _text_lines(boxes: list[TextBox], stacked: bool = False) -> list[list[TextBox]]:
    """Boxes grouped into text lines (top to bottom), each left to right.
    ``stacked``: a box standing under a box of the line (over half the narrower's
    width in common) starts the next line however close their middles are: on a
    blurred scan a cell's wrapped line (职工养老保险发放 / 人数) is boxed tall
    enough to reach its neighbours' line."""
    lines: list[list[TextBox]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        if lines:
            last = lines[-1]
            ref = sum(x.cy for x in last) / len(last)
            under = stacked and any(min(b.bbox[2], x.bbox[2]) - max(b.bbox[0], x.bbox[0])
                                    > 0.5 * min(b.bbox[2] - b.bbox[0], x.bbox[2] - x.bbox[0]) for x in last)
            if not under and abs(b.cy - ref) <= 0.5 * max(b.height, min(x.height for x in last)):
                last.append(b)
                continue
        lines.append([b])
    return [sorted(line, key=lambda b: b.bbox[0]) for line in lines]


def cell_confidence(boxes: list[TextBox]) -> float | None:
    """How sure the engine is of a cell's text: the lowest score of the pieces read into it.

    A piece is a text line the engine read (scored by the engine: the mean
    probability of its characters) or the part of one that falls in this cell
    when a line runs over a cell edge (scored the same way, over the
    characters in the part).  The lowest, not the mean: a cell is as doubtful
    as its most doubtful piece, and a short piece (a wrapped '。' read as 'o')
    would vanish in a mean over the whole cell.
    """
    return min((b.confidence for b in boxes), default=None)


def cell_text(boxes: list[TextBox]) -> CellText:
    if not boxes:
        return CellText("", None)
    # boxes on a line may be words; wrapped lines continue the text without a break
    text = "".join(_join([b.text for b in line]) for line in _text_lines(boxes))
    return CellText(text, cell_confidence(boxes))


def _glyph_text(glyphs: list[Glyph], height: float) -> str:
    """Glyphs joined as written: a space only where a wide gap parts two Latin words."""
    out = ""
    for prev, g in zip([None, *glyphs], glyphs, strict=False):
        if prev is not None and g.x0 - prev.x1 > 0.35 * height and out[-1:].isascii() and g.text[:1].isascii():
            out += " "
        out += g.text
    return out.strip()


def _split_across(box: TextBox, cuts: list[float]) -> list[TextBox]:
    """A box that runs over cell edges, cut there: at its glyphs' positions when
    the engine gave them, else in proportion to character widths."""
    if box.glyphs:
        bounds = [-math.inf, *sorted(cuts), math.inf]
        pieces = []
        for a, b in pairwise(bounds):
            part = [g for g in box.glyphs if a <= (g.x0 + g.x1) / 2 < b]
            if part:
                x0, x1 = max(box.bbox[0], part[0].x0), min(box.bbox[2], part[-1].x1)
                conf = sum(g.confidence for g in part) / len(part)
                text = _glyph_text(part, box.height)
                pieces.append(TextBox(text, (x0, box.bbox[1], x1, box.bbox[3]), conf, tuple(part)))
        return pieces or [box]
    weights = [0.55 if ch.isascii() else 1.0 for ch in box.text]
    total = sum(weights) or 1.0
    x0, x1 = box.bbox[0], box.bbox[2]
    pieces, start, acc, edges = [], 0, 0.0, [c for c in cuts if x0 < c < x1]
    bounds = [x0, *edges, x1]
    for k in range(len(bounds) - 1):
        end = start
        while end < len(weights) and x0 + (acc + weights[end] / 2) / total * (x1 - x0) < bounds[k + 1]:
            acc += weights[end]
            end += 1
        if end > start:
            pieces.append(TextBox(box.text[start:end], (bounds[k], box.bbox[1], bounds[k + 1], box.bbox[3]), box.confidence))
        start = end
    return pieces or [box]


def unread_marks(binary: np.ndarray, boxes: list[TextBox], unit: float) -> list[tuple[float, float, float, float]]:
    """Boxes of ink blobs that no text box covers (``binary`` without ruling lines).

    The detector can miss a lone mark: a '—' placeholder, a '。' wrapped onto
    its own line, a digit under a seal.  Blobs smaller than a fifth of a
    character (noise) are ignored.
    """
    covered = np.zeros(binary.shape, dtype=bool)
    m = max(2, round(unit / 6))
    for b in boxes:
        x0, y0, x1, y1 = (round(v) for v in b.bbox)
        covered[max(0, y0 - m):y1 + m, max(0, x0 - m):x1 + m] = True
    n, labels, stats, _ = components(binary)
    hit = np.bincount(labels[covered], minlength=n)
    w, h, area = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
    keep = (np.maximum(w, h) >= unit / 5) & (area >= (unit / 5) ** 2) & (hit <= 0.5 * area)
    keep[0] = False  # the background
    return [
        (float(x), float(y), float(x + ww), float(y + hh))
        for x, y, ww, hh in stats[keep][:, :4]
    ]


def mark_rect(mark: tuple[float, float, float, float], unit: float) -> tuple[float, float, float, float]:
    """The rectangle a mark is read in: the mark with ``DEFAULT_MARK_PAD_UNITS`` of paper round it."""
    pad = DEFAULT_MARK_PAD_UNITS * unit
    return (mark[0] - pad, mark[1] - pad, mark[2] + pad, mark[3] + pad)


_MISSED_MARKS = frozenset("。，、；：？）】》」』”’%")  # what a detector leaves out alone: a wrapped tail


def _read_mark(mark: tuple[float, float, float, float], read) -> TextBox | None:
    """A mark's reading (``read``: mark -> (text, score), by the recognizer alone) as
    a text box, when it reads surely (``DEFAULT_MARK_READ_CONFIDENCE``) as one of
    the marks a detector leaves out when alone on a line (``_MISSED_MARKS``: a
    '。', a closing bracket, a '%').  A letter, digit or dash read from a lone
    mark could as well be a piece of a ruling or of a seal's ring ('1', '一',
    '-', '!'), so it stays unread."""
    text, score = read(mark)
    text = text.strip()
    if text not in _MISSED_MARKS or score < DEFAULT_MARK_READ_CONFIDENCE:
        return None
    return TextBox(text, mark, score, (Glyph(text, mark[0], mark[2], score),))


def seal_ink(mark: tuple[float, float, float, float], ink: np.ndarray, colour: np.ndarray | None) -> bool:
    """Whether a mark is what removing a coloured seal left: its ink was coloured on
    the scan (its median channel spread above ``DEFAULT_SEAL_CHROMA``).  Black text,
    under a seal or not, stays dark in every channel, so a digit the engine missed
    under a red or blue seal is still ink not read."""
    if colour is None:
        return False
    from selfeval.extract.ocr.page import DEFAULT_SEAL_CHROMA

    x0, y0, x1, y1 = (round(v) for v in mark)
    region = ink[y0:y1 + 1, x0:x1 + 1] > 0
    if not region.any():
        return False
    return float(np.median(colour[y0:y1 + 1, x0:x1 + 1][region])) > DEFAULT_SEAL_CHROMA


def without_grey_seal(gray: np.ndarray, ink: np.ndarray, boxes: list[TextBox], seal) -> np.ndarray:
    """``ink`` with what a grey seal's removal left taken out (``seal``: a
    :class:`~selfeval.extract.ocr.page.GreySeal`, or None).

    Removing a seal by its grey level leaves the ring's and star's darker
    pixels, and where the ring crosses a character it joins the two into one
    blob that reaches out of the character's text box.  Inside the seal's
    patches, ink counts only where it is darker than midway between the
    text's dark strokes (the darkest tenth of the ink under the boxes the
    engine read) and the seal's level: a character the engine missed under
    the seal is printed as dark as the others and stays."""
    if seal is None:
        return ink
    read = np.zeros(ink.shape, dtype=bool)
    for b in boxes:
        x0, y0, x1, y1 = (round(v) for v in b.bbox)
        read[max(0, y0):y1, max(0, x0):x1] = True
    text_px = gray[read & (ink > 0) & (seal.mask == 0)]
    if text_px.size < 100:
        return ink
    cut = (float(np.percentile(text_px, 10)) + seal.level) / 2
    out = ink.copy()
    out[(seal.mask > 0) & (gray > cut)] = 0
    return out


def faint_ink(gray: np.ndarray, ink: np.ndarray, boxes: list[TextBox]):
    """A test telling marks much paler than the page's text: nearer the paper's
    grey than the text's (measured under the boxes the engine read).  What a
    seal's removal leaves (a grey ring's fringe) and a photocopy's smudges are
    pale; a character the engine missed is printed as dark as the others."""
    read = np.zeros(ink.shape, dtype=bool)
    for b in boxes:
        x0, y0, x1, y1 = (round(v) for v in b.bbox)
        read[max(0, y0):y1, max(0, x0):x1] = True
    text_px = gray[read & (ink > 0)]
    paper_px = gray[::4, ::4][ink[::4, ::4] == 0]
    if text_px.size < 100 or paper_px.size < 100:
        return lambda mark: False
    text, paper = float(np.median(text_px)), float(np.median(paper_px))
    split = (text + paper) / 2

    def faint(mark: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = (round(v) for v in mark)
        region = ink[y0:y1 + 1, x0:x1 + 1] > 0
        return bool(region.any()) and float(np.median(gray[y0:y1 + 1, x0:x1 + 1][region])) > split

    return faint


def _dash_like(mark: tuple[float, float, float, float], unit: float) -> bool:
    w, h = mark[2] - mark[0], mark[3] - mark[1]
    # '—', or each '-' of '---'; blur at 150 dpi thickens a dash to near a third of a character
    return w >= 0.2 * unit and h <= 0.3 * unit and w >= 2.5 * h


def _beside(mark: tuple[float, float, float, float], box: tuple[float, float, float, float], unit: float) -> bool:
    """A mark within a character of a text box, across and along: a character the
    engine left out of the text (a digit under a seal, a wrapped '。')."""
    dx = max(box[0] - mark[2], mark[0] - box[2], 0.0)
    dy = max(box[1] - mark[3], mark[1] - box[3], 0.0)
    return dx <= unit and dy <= unit


def _char_like(mark: tuple[float, float, float, float], unit: float) -> bool:
    """A mark as large as a character or a punctuation mark: a digit, a word
    or a '。' the engine missed (specks are dropped before, see ``unread_marks``)."""
    w, h = mark[2] - mark[0], mark[3] - mark[1]
    return max(w, h) >= 0.3 * unit and min(w, h) >= 0.15 * unit


def ruling_width(binary: np.ndarray, horizontal: np.ndarray, vertical: np.ndarray) -> tuple[float, float]:
    """How thick the page's horizontal and vertical rulings are printed, in pixels:
    the ink under the line masks over their length (0 where there are none)."""
    out = []
    for mask, axis in ((horizontal, 0), (vertical, 1)):
        length = float(sum(round(end - start) for _, start, end in _segments(mask, axis)))  # the lines' lengths
        out.append(float(np.count_nonzero((mask > 0) & (binary > 0))) / length if length else 0.0)
    return out[0], out[1]


def _on_edge(mark: tuple[float, float, float, float], box: tuple[float, float, float, float], unit: float,
             rule: tuple[float, float] = (0.0, 0.0)) -> bool:
    """A mark hugging its cell's edge: what erasing a ruling left (a thick or
    blurred line's fringe, a piece of a broken line too short to be found as
    one), not writing, which keeps clear of the lines.  "Hugging" is within
    ``DEFAULT_EDGE_UNITS`` of a character, or within one and a half times the
    rulings' own width (``rule``: horizontal, vertical) where they are
    printed heavier than that."""
    x0, y0, x1, y1 = mark
    eh = max(DEFAULT_EDGE_UNITS * unit, DEFAULT_RULE_WIDTHS * rule[0])
    ev = max(DEFAULT_EDGE_UNITS * unit, DEFAULT_RULE_WIDTHS * rule[1])
    thin_h = y1 - y0 <= eh and (y0 - box[1] <= eh or box[3] - y1 <= eh)
    thin_v = x1 - x0 <= ev and (x0 - box[0] <= ev or box[2] - x1 <= ev)
    return thin_h or thin_v


def _on_inner_ruling(mark: tuple[float, float, float, float], t: Table, unit: float,
                     rule: tuple[float, float] = (0.0, 0.0)) -> bool:
    """A mark standing on a ruling inside a merged cell: a piece of the lost ruling
    that merged it (a stub out of its junction), as thin as :func:`_on_edge`'s and
    on a column (row) boundary of the table.  Nothing written stands on a ruling."""
    x0, y0, x1, y1 = mark
    eh = max(DEFAULT_EDGE_UNITS * unit, DEFAULT_RULE_WIDTHS * rule[0])
    ev = max(DEFAULT_EDGE_UNITS * unit, DEFAULT_RULE_WIDTHS * rule[1])
    on_v = x1 - x0 <= ev and any(abs((x0 + x1) / 2 - x) <= ev / 2 for x in t.xs)
    on_h = y1 - y0 <= eh and any(abs((y0 + y1) / 2 - y) <= eh / 2 for y in t.ys)
    return on_v or on_h


_THIN = frozenset("I|l1i丨｜!！一")  # what a piece of vertical ruling is read as
_FLAT = frozenset("一—-_")  # ... and of a horizontal one


def _ruling_remnant(box: TextBox, tables: list[Table], unit: float) -> bool:
    """A lone thin glyph standing on a column ruling (its middle on it, or its box
    across it), or a lone flat one on a row ruling: a piece of the ruling that
    erasing the lines missed (a broken, heavy line), read as 'I' or '一' (with dots
    after it, 'I..', where the piece's broken ends are read too).  Printed
    text keeps clear of the rulings; nothing written stands on one (a '—'
    placeholder is set in its cell's middle)."""
    text = box.text.strip().rstrip(".·。")  # the piece's ends read as dots ('I..')
    if len(text) != 1 or text not in _THIN | _FLAT:
        return False
    near = DEFAULT_EDGE_UNITS * unit
    x0, y0, x1, y1 = box.bbox
    return any(
        t.xs[0] - near <= box.cx <= t.xs[-1] + near and t.ys[0] <= box.cy <= t.ys[-1]
        and ((text in _THIN and any(abs(box.cx - x) <= near or x0 < x < x1 for x in t.xs))
             or (text in _FLAT and any(abs(box.cy - y) <= near for y in t.ys)))
        for t in tables
    )


_ON_RULING = _THIN | frozenset("，,、")  # ... or, inside a line running over it, as a comma


def _off_rulings(box: TextBox, cuts: list[float]) -> TextBox:
    """A box running over column rulings (at ``cuts``: edges between two cells)
    without the glyphs standing on one: a thin mark or a comma the engine read
    where a ruling was erased under its line ('到高校招聘场次，≥15场' across the
    ruling between 三级指标 and its target).  Printed text keeps clear of the
    rulings; a character of it does not lie across one."""
    keep = tuple(g for g in box.glyphs if not (g.text in _ON_RULING and any(g.x0 < x < g.x1 for x in cuts)))
    if len(keep) == len(box.glyphs) or not keep:
        return box
    text = _glyph_text(list(keep), box.height)
    return TextBox(text, box.bbox, sum(g.confidence for g in keep) / len(keep), keep)


def cell_owners(table: Table) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """Each grid position of ``table`` -> the (merged) cell it belongs to."""
    owner = {}
    for cell in table.cells:
        for r in range(cell[0], cell[2] + 1):
            for c in range(cell[1], cell[3] + 1):
                owner[(r, c)] = cell
    return owner


DEFAULT_REMNANT_CONFIDENCE = 0.8  # a thin glyph on a column ruling read less surely than this is a piece of it


def off_found_rulings(tables: list[Table], boxes: list[TextBox], unit: float) -> list[TextBox]:
    """The boxes of a ruled page whose grid is not trusted (:func:`credible_grid`), for
    :func:`text_position_rows`: cut at the column rulings that were found, and
    without what the erased rulings left.

    The engine's boxes run over erased rulings, so the texts of two cells come in
    one box, and a piece of ruling the erasing missed is read as a glyph ('1执行率',
    '≥2万/人！2万/人') or a box of its own ('I'): glyphs that close the gap between two
    columns' texts, or make a column of their own.  Where the rulings found part
    the box's row into two cells, the box is cut there at its glyphs' positions (as
    :func:`boxes_to_rows` cuts it), and a thin glyph standing on that ruling is left
    out (:func:`_off_rulings`); on a column ruling inside a merged cell (lost there,
    or merged as printed) only a thin glyph read less surely than
    ``DEFAULT_REMNANT_CONFIDENCE`` is (a '一' of 三支一扶 read over one stays); lone pieces of
    ruling (:func:`_ruling_remnant`) are dropped.  A box outside every table is left as it is."""
    owners = [cell_owners(t) for t in tables]
    out = []
    for box in boxes:
        if _ruling_remnant(box, tables, unit):
            continue
        ti = next((i for i, t in enumerate(tables) if _inside(box, t)), None)
        if ti is None:
            out.append(box)
            continue
        t, row = tables[ti], _band(tables[ti].ys, box.cy)
        if _junction_piece(box, t):
            continue
        inner = [x for x in t.xs[1:-1] if box.bbox[0] < x < box.bbox[2]]
        edges = [x for k, x in enumerate(t.xs) if x in inner and owners[ti][(row, k - 1)] != owners[ti][(row, k)]]
        doubtful = tuple(g for g in box.glyphs if g.text in _THIN and g.confidence < DEFAULT_REMNANT_CONFIDENCE
                         and any(g.x0 < x < g.x1 for x in inner))
        kept = _off_rulings(box, edges)
        if doubtful and len(doubtful) < len(kept.glyphs):
            keep = tuple(g for g in kept.glyphs if g not in doubtful)
            kept = TextBox(_glyph_text(list(keep), box.height), box.bbox,
                           sum(g.confidence for g in keep) / len(keep), keep)
        out.extend(_split_across(kept, edges) if edges else [kept])
    return out


def _junction_piece(box: TextBox, t: Table) -> bool:
    """A box read over a ruling that holds nothing but strokes and dots ('l--.': a
    column ruling's stub and the dashes of a broken row ruling out of one junction),
    read less surely than ``DEFAULT_REMNANT_CONFIDENCE``: pieces of the rulings, not text."""
    text = box.text.replace(" ", "").strip(".·。")
    if not text or any(ch not in _THIN | _FLAT | frozenset(".·。") for ch in text):
        return False
    x0, y0, x1, y1 = box.bbox
    return box.confidence < DEFAULT_REMNANT_CONFIDENCE and (any(x0 < x < x1 for x in t.xs)
                                                            or any(y0 < y < y1 for y in t.ys))


def _cell_box(t: Table, cell: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
    return (t.xs[cell[1]], t.ys[cell[0]], t.xs[cell[3] + 1], t.ys[cell[2] + 1])


def boxes_to_rows(
    tables: list[Table], boxes: list[TextBox], unit: float, marks: list[tuple[float, float, float, float]] = (),
    rule: tuple[float, float] = (0.0, 0.0), covered: np.ndarray | None = None, read_mark=None,
) -> list[RowOut]:
    """Rows of cells for the whole page: table rows and free text lines, top to bottom.

    ``marks`` (see ``unread_marks``) that fall in a cell, away from its
    rulings, make it doubtful: an otherwise empty cell holding dash-like bars
    (and no mark as large as a character) reads as '—' placeholders; an empty
    cell holding a mark as large as a character or a '。' gets
    ``DEFAULT_INK_ONLY_CONFIDENCE`` (ink that nothing read); a read cell
    beside such a mark gets at most ``DEFAULT_UNREAD_CONFIDENCE``, unless
    ``read_mark`` (mark -> (text, score): the recognizer alone on the mark, see
    :func:`mark_rect`) reads the mark surely as a mark detectors leave out:
    then it is the cell's text (a '。' wrapped onto its own line, see
    :func:`_read_mark`).  Specks
    and ruling remnants (marks along a cell edge no thicker than the rulings,
    ``rule``: their printed widths, see :func:`ruling_width`) change nothing,
    nor does a piece of a ruling the engine read as 'I' (see
    :func:`_ruling_remnant`).

    ``covered`` (255 where a black seal's lettering was painted out, see
    ``page.BlackSeal``): a cell left empty in which at least
    ``DEFAULT_SEAL_COVER_UNITS`` square character heights of it were painted
    out gets ``SEAL_COVER_CONFIDENCE``: a value printed under the
    lettering goes with it, and what is left cannot tell that cell from one
    that held only the seal's letters.

    A merged cell whose text lies wholly in one of its rows or columns, off
    its middle (:func:`_lies_in`), or whose text parts into values each in
    columns of its own (:func:`_side_by_side`), was merged by a lost ruling:
    its text is read in the row and column(s) it was printed in.
    """
    boxes = [b for b in boxes if not _ruling_remnant(b, tables, unit)]
    cell_boxes: dict[tuple[int, tuple[int, int, int, int]], list[TextBox]] = {}
    whole: dict[tuple[int, tuple[int, int, int, int]], list[TextBox]] = {}  # the boxes read, before cutting
    free: list[TextBox] = []
    lookup = [cell_owners(t) for t in tables]
    for box in boxes:
        ti = next((i for i, t in enumerate(tables) if _inside(box, t)), None)
        if ti is None:
            free.append(box)
            continue
        t = tables[ti]
        row = _band(t.ys, box.cy)
        cuts = [x for x in t.xs[1:-1] if box.bbox[0] + unit / 2 < x < box.bbox[2] - unit / 2]
        edges = [x for k, x in enumerate(t.xs) if x in cuts and lookup[ti][(row, k - 1)] != lookup[ti][(row, k)]]
        for piece in _split_across(_off_rulings(box, edges), cuts) if cuts else [box]:
            col = _band(t.xs, piece.cx)
            cell_boxes.setdefault((ti, lookup[ti][(row, col)]), []).append(piece)
            if box not in whole.setdefault((ti, lookup[ti][(row, col)]), []):
                whole[(ti, lookup[ti][(row, col)])].append(box)
    cell_marks: dict[tuple[int, tuple[int, int, int, int]], list] = {}
    for mark in marks:
        cx, cy = (mark[0] + mark[2]) / 2, (mark[1] + mark[3]) / 2
        for ti, t in enumerate(tables):
            if t.xs[0] < cx < t.xs[-1] and t.ys[0] < cy < t.ys[-1]:
                row = _band(t.ys, cy)
                col = _band(t.xs, cx)
                cell_marks.setdefault((ti, lookup[ti][(row, col)]), []).append(mark)
                break
    out: list[RowOut] = []
    for ti, t in enumerate(tables):
        nr, nc = len(t.ys) - 1, len(t.xs) - 1
        grid = [[CellText("", None)] * nc for _ in range(nr)]
        where: list[list[tuple[float, float, float, float] | None]] = [[None] * nc for _ in range(nr)]
        for cell in t.cells:
            where[cell[0]][cell[1]] = (t.xs[cell[1]], t.ys[cell[0]], t.xs[cell[3] + 1], t.ys[cell[2] + 1])
            here = cell_boxes.get((ti, cell), [])
            first = read = cell_text(here)
            box = _cell_box(t, cell)
            unread = [m for m in cell_marks.get((ti, cell), [])
                      if not _on_edge(m, box, unit, rule) and not _on_inner_ruling(m, t, unit, rule)]
            dashes = [m for m in unread if _dash_like(m, unit)]
            marks = [m for m in unread if _char_like(m, unit) and not _dash_like(m, unit)]
            if read.text:  # a character missed goes with the text read: on its line or the next
                marks = [m for m in marks if any(_beside(m, b.bbox, unit) for b in here)]
                found = {m: text for m in marks if read_mark is not None and (text := _read_mark(m, read_mark)) is not None}
                if found:
                    here = [*here, *found.values()]
                    first = read = cell_text(here)
                    marks = [m for m in marks if m not in found]
            else:  # a value missed is at least a digit's size; a lone speck is no value
                marks = [m for m in marks if max(m[2] - m[0], m[3] - m[1]) >= DEFAULT_VALUE_MARK_UNITS * unit]
            if dashes and not read.text and not marks and len(dashes) <= 3:
                read = CellText(("—", "——", "---")[len(dashes) - 1], None)
            elif marks and not read.text:
                read = CellText("", DEFAULT_INK_ONLY_CONFIDENCE)
            elif read.text and marks:
                read = CellText(read.text, min(read.confidence or 1.0, DEFAULT_UNREAD_CONFIDENCE))
            if covered is not None and not read.text and read.confidence is None:
                x0, y0, x1, y1 = (max(0, round(v)) for v in box)
                if np.count_nonzero(covered[y0:y1, x0:x1]) >= DEFAULT_SEAL_COVER_UNITS * unit * unit:
                    read = CellText("", SEAL_COVER_CONFIDENCE)
            r, c = _lies_in(t, cell, here, unit)
            parts = _side_by_side(t, cell, here, unit, whole.get((ti, cell), here))
            if parts and (r, c) == cell[:2] and read.confidence == first.confidence:  # no unread ink lowered it
                # (the parts hold every box of the cell)
                r = _one_band(t.ys, cell[0], cell[2], min(b.bbox[1] for b in here), max(b.bbox[3] for b in here), unit)
                for k, last, g in parts:  # a lost column ruling: each value in the column(s) it was printed in
                    grid[r][k] = cell_text(g)
                    where[r][k] = (t.xs[k], t.ys[r], t.xs[last + 1], t.ys[r + 1])
                continue
            grid[r][c] = read
            if (r, c) != cell[:2]:  # a lost ruling's row (column): the text where it was printed
                where[r][c] = (t.xs[c], t.ys[r], t.xs[c + 1], t.ys[r + 1])
        out.extend(RowOut(t.ys[r], tuple(grid[r]), tuple(where[r])) for r in range(nr))
    out.extend(free_rows(free, unit))
    out.sort(key=lambda r: r.top)
    return out


def _inside(box: TextBox, t: Table) -> bool:
    x0, y0, x1, y1 = t.bbox
    return x0 <= box.cx <= x1 and y0 <= box.cy <= y1


def free_rows(boxes: list[TextBox], unit: float) -> list[RowOut]:
    """Text outside tables: one row per line, and one per group far apart on a line."""
    out = []
    for line in _text_lines(boxes):
        top = min(b.bbox[1] for b in line)  # one top for the line keeps its groups in order
        group = [line[0]]
        for b in line[1:]:
            if b.bbox[0] - group[-1].bbox[2] > DEFAULT_LINE_GAP_UNITS * unit:
                out.append(RowOut(top, (cell_text(group),)))
                group = [b]
            else:
                group.append(b)
        out.append(RowOut(top, (cell_text(group),)))
    return out


# -- pages without ruling lines -----------------------------------------------


def split_at_gaps(box: TextBox, unit: float) -> list[TextBox]:
    """A box cut where its glyphs leave a gap as wide as the space between cells."""
    cuts = [
        (a.x1 + b.x0) / 2
        for a, b in pairwise(box.glyphs)
        if b.x0 - a.x1 > DEFAULT_CELL_GAP_UNITS * unit
    ]
    return _split_across(box, cuts) if cuts else [box]


def _to_glyphs(box: TextBox) -> TextBox:
    """A box narrowed to where its glyphs are: the engine's box may reach past its text
    (入驻人力资源产业 boxed from 587 on a turned page, its first glyph at 624), and on a
    page without rulings where the text stands is all that tells columns and full lines."""
    if not box.glyphs:
        return box
    x0, x1 = max(box.bbox[0], box.glyphs[0].x0), min(box.bbox[2], box.glyphs[-1].x1)
    if x1 <= x0 or (x0, x1) == (box.bbox[0], box.bbox[2]):
        return box
    return TextBox(box.text, (x0, box.bbox[1], x1, box.bbox[3]), box.confidence, box.glyphs)


def _body_columns(boxes: list[TextBox], unit: float) -> tuple[list[RowOut], list[list[TextBox]], list[float], float]:
    """A page without rulings: its free rows above the table, the table's text
    lines, its column edges and the width past which a box is wide (see
    :func:`cluster_table`)."""
    lines = _text_lines([_to_glyphs(piece) for b in boxes for piece in split_at_gaps(b, unit)], stacked=True)
    start = next((i for i, line in enumerate(lines) if len(line) >= 3), len(lines))
    rows = free_rows([b for line in lines[:start] for b in line], unit)
    body = [b for line in lines[start:] for b in line]
    if not body:
        return rows, [], [], 0.0
    left = min(b.bbox[0] for b in body)
    right = max(b.bbox[2] for b in body)
    wide = (right - left) / 4
    cover = np.zeros(max(1, math.ceil(right - left)) + 2, dtype=bool)
    dense = [b for line in lines[start:] if len(line) >= 5 for b in line] or [b for b in body if b.bbox[2] - b.bbox[0] < wide]
    for b in dense:
        cover[max(0, round(b.bbox[0] - left)):round(b.bbox[2] - left) + 1] = True
    edges, gap_start = [left], None
    for i, on in enumerate(cover):
        if not on and gap_start is None:
            gap_start = i
        elif on and gap_start is not None:
            # a gap at the left edge is a column too when text stands in it alone
            # (a block's label left of every row, 项目资金, 绩效指标)
            lead = gap_start == 0 and any(b.bbox[2] < left + i - unit / 2 for b in body)
            if i - gap_start >= unit / 2 and (gap_start > 0 or lead):
                edges.append(left + (gap_start + i) / 2 if gap_start > 0 else
                             max(b.bbox[2] for b in body if b.bbox[2] < left + i - unit / 2) + unit / 4)
            gap_start = None
    edges += _agreed_edges([line for line in lines[start:] if len(line) >= 5], left, len(cover), edges, unit)
    edges.sort()
    edges.append(right + 1)
    return rows, lines[start:], edges, wide


DEFAULT_EDGE_VOTES = 3  # dense lines with a gap at a place one text crosses that make it a column edge


def _agreed_edges(dense: list[list[TextBox]], left: float, width: int, edges: list[float], unit: float) -> list[float]:
    """Column edges that one text of the dense lines crosses but several lines show
    as a gap between their texts (``DEFAULT_EDGE_VOTES``): a text that fills its cell
    up to its neighbour's (服务对象满意 | 享受补贴人员满意, each set edge to edge)
    leaves no gap between the two columns on its line, while the funding rows above
    show it plainly (年初预算数 | 全年预算数).  The edge is the middle of the stretch
    at most one line crosses; where none does, :func:`_body_columns` has put it."""
    cross = np.zeros(width, dtype=int)
    gaps = np.zeros(width, dtype=int)
    for line in dense:
        on = np.zeros(width, dtype=bool)
        for b in line:
            on[max(0, round(b.bbox[0] - left)):round(b.bbox[2] - left) + 1] = True
        cross += on
        between = ~on  # a gap between two texts of the line, not the room beyond its ends
        between[:max(0, round(line[0].bbox[2] - left))] = False
        between[max(0, round(max(b.bbox[0] for b in line) - left)):] = False
        gaps += between
    out: list[float] = []
    i = 0
    while i < width:
        if cross[i] > 1:
            i += 1
            continue
        j = i
        while j < width and cross[j] <= 1:
            j += 1
        lo, hi = left + i, left + j
        if (j - i >= unit / 4 and gaps[i:j].max() >= DEFAULT_EDGE_VOTES
                and not any(lo - unit <= e <= hi + unit for e in edges)):
            out.append(left + (i + j) / 2)
        i = j
    return out


def _column_of(box: TextBox, edges: list[float], wide: float, unit: float) -> int:
    """The column of a box's centre; of its left edge when it is wide, or when it
    reaches a character or more into the columns on both sides of an edge: the text
    of a merged cell, centred in it (年初设定目标 over two columns), belongs to the
    cell's first column, as the text path has it.  Not when that first column is the
    block's: it holds the block labels (项目资金, 绩效指标), placed on the rows they are
    centred on, and a cell merged from it over the next (预算单位（盖章）, 年度总体目标)
    stays in the next column, where it heads its row."""
    x0, x1 = box.bbox[0], box.bbox[2]
    if x1 - x0 >= wide:
        return _band(edges, x0)
    first = _band(edges, x0 + unit)
    return first if 0 < first != _band(edges, x1 - unit) else _band(edges, box.cx)


def cluster_table(boxes: list[TextBox], unit: float) -> list[RowOut]:
    """Rows and columns from the text alone: lines are rows, shared gaps are columns.

    Lines above the first line of three or more boxes (title, 项目序号…) are
    free text.  Column edges are the gaps that no box crosses on the lines of
    five or more boxes (the lines that show the grid; merged cells sit on
    sparser lines), and those that one box crosses where several of those lines
    show a gap (:func:`_agreed_edges`).  Any other box keeps the column of its
    centre, or of its left edge when it is wider than a quarter of the block or
    runs over a column edge (:func:`_column_of`).  A cell's wrapped
    lines stay separate rows here (:func:`text_position_rows` joins them).
    """
    rows, lines, edges, wide = _body_columns(boxes, unit)
    for line in lines:
        cols: dict[int, list[TextBox]] = {}
        for b in line:
            cols.setdefault(_column_of(b, edges, wide, unit), []).append(b)
        cells = [CellText("", None)] * (len(edges) - 1)
        for c, bs in cols.items():
            cells[c] = cell_text(bs)
        rows.append(RowOut(min(b.bbox[1] for b in line), tuple(cells)))
    return rows


DEFAULT_POINT_EM = 10.5  # the text-position rows work in points, a character's height taken as this


def text_position_rows(boxes: list[TextBox], unit: float, tables: list[Table] = ()) -> list[RowOut]:
    """A table without rulings read from where its text stands, as an unruled
    PDF page is (:mod:`selfeval.extract.pdf_unruled`): columns as
    :func:`cluster_table` finds them, then the PDF reader's cell blocks
    (a wrapped line joins the line above it in its column when that one was
    full), rows by the blocks' tops or middles, and merged labels on the
    first row they are centred on.

    The boxes become that reader's chars: each box is moved to start at its
    column's left edge (the PDF reader finds columns by left edges, while a
    scan's cells are mostly centred), and pixels become points with the
    page's character height as ``DEFAULT_POINT_EM``.  A cell's confidence is
    the lowest of its boxes'."""
    from selfeval.extract import pdf_layout, pdf_unruled  # noqa: PLC0415 - the PDF reader's, only here

    if tables:
        boxes = off_found_rulings(tables, boxes, unit)
    rows, lines, edges, wide = _body_columns(_join_number_tails(boxes, unit), unit)
    if not lines:
        return rows
    scale = DEFAULT_POINT_EM / unit
    pad = unit / 4
    pairs = _under(lines, unit)
    column = _wrapped_columns(lines, edges, wide, pairs, unit)
    above = _wrapped(lines, column, edges, unit, pairs)  # id(box) -> id(the box whose line it continues)

    def wraps(block: pdf_unruled.Block, run: pdf_layout.Run) -> bool:
        last = {c["box"] for c in block.runs[-1].chars}
        return any(above.get(c["box"]) in last for c in run.chars)

    chars = []
    for b in (b for line in lines for b in line):
        col = column[id(b)]
        for text, x0, x1 in [(g.text, g.x0, g.x1) for g in b.glyphs] or _even_glyphs(b):
            chars.append({"text": text, "x0": x0 * scale, "x1": x1 * scale, "top": b.bbox[1] * scale,
                          "bottom": b.bbox[3] * scale, "conf": b.confidence, "column": col, "box": id(b)})
    text_lines = []
    for line in pdf_unruled.chars_to_baseline_lines(chars):
        runs = []
        for col in sorted({c["column"] for c in line}):
            mine = [c for c in line if c["column"] == col]
            shift = (edges[col] + pad) * scale - mine[0]["x0"]  # the run starts at its column's left edge
            runs.append(pdf_layout.Run([{**c, "x0": c["x0"] + shift, "x1": c["x1"] + shift} for c in mine]))
        em = max(c["bottom"] - c["top"] for c in line)
        text_lines.append(pdf_layout.TextLine(min(c["top"] for c in line), max(c["bottom"] for c in line), em, runs))
    anchors = [(e + pad) * scale for e in edges[:-1]]
    blocks, marked = pdf_unruled.table_blocks(text_lines, anchors, wraps=wraps)
    ncol = len(anchors)
    for band in pdf_unruled.rows_of_blocks(blocks):
        texts, confs = [""] * ncol, [None] * ncol
        for blk in sorted(band, key=lambda b: b.top):
            texts[blk.column] = texts[blk.column] + blk.text if texts[blk.column] else blk.text
            low = min(c["conf"] for r in blk.runs for c in r.chars)
            confs[blk.column] = low if confs[blk.column] is None else min(confs[blk.column], low)
        rows.append(RowOut(min(b.top for b in band) / scale,
                           tuple(CellText(t, c) for t, c in zip(texts, confs, strict=True))))
    for line, aligned in marked:
        if not aligned:
            rows.append(RowOut(line.top / scale, tuple(CellText(r.text, min(c["conf"] for c in r.chars)) for r in line.runs)))
    rows.sort(key=lambda r: r.top)
    return rows


_TAIL = frozenset("%‰％")  # a percent sign alone, wrapped under its number
DEFAULT_WRAP_PITCH_UNITS = 1.75  # the next line of a cell's text: its middle at most this far below (a line pitch)
DEFAULT_WRAP_OVERLAP_UNITS = 0.75  # ... its box over the line above's by at most this much


def _join_number_tails(boxes: list[TextBox], unit: float) -> list[TextBox]:
    """A number and the '%' wrapped under it in its cell (``100.00`` / ``%``, centred
    in a narrow column) as one box: one value, its middle the cell's.  The '%' is
    the next line: its middle at most ``DEFAULT_WRAP_PITCH_UNITS`` below the
    number's (a box round digits alone is shorter than a character, so the gap
    between the two boxes says less than their middles do); the closest such
    number, when several are."""
    out = list(boxes)
    for tail in [b for b in boxes if b.text.strip() in _TAIL]:
        heads = [b for b in out if b is not tail and one_number(b.text.strip(), tail.text.strip())
                 and 0 < tail.cy - b.cy <= DEFAULT_WRAP_PITCH_UNITS * unit and tail.bbox[1] - b.bbox[3] > -0.5 * unit
                 and b.bbox[0] - unit / 2 <= tail.cx <= b.bbox[2] + unit / 2]
        head = min(heads, key=lambda b: tail.cy - b.cy, default=None)
        if head is None:
            continue
        joined = TextBox(head.text.strip() + tail.text.strip(),
                         (min(head.bbox[0], tail.bbox[0]), head.bbox[1], max(head.bbox[2], tail.bbox[2]), tail.bbox[3]),
                         min(head.confidence, tail.confidence))
        out = [joined if b is head else b for b in out if b is not tail]
    return out


def _wrapped_columns(lines: list[list[TextBox]], edges: list[float], wide: float,
                     pairs: list[tuple[TextBox, TextBox]], unit: float) -> dict[int, int]:
    """Each box's column (:func:`_column_of`), but a line wrapped in its cell (one of
    ``pairs``, :func:`_under`'s: right under a box, within its width, and centred on
    it or starting where it starts) keeps that box's column: a short last line
    centred in a merged cell would otherwise fall in the column its centre is in."""
    column = {id(b): _column_of(b, edges, wide, unit) for line in lines for b in line}
    for b, a in pairs:
        column[id(b)] = column[id(a)]
    return column


def _under(lines: list[list[TextBox]], unit: float) -> list[tuple[TextBox, TextBox]]:
    """(box, the box above it) for each box set as the next line of a box above in
    one cell: right under it, within its width, and centred on it or starting
    where it starts.  "Right under" is a gap under half a character, or an
    overlap up to ``DEFAULT_WRAP_OVERLAP_UNITS`` (a box that reaches over a
    ruling's stub beside its text is as tall as the stub: 绩效指 boxed 53 pixels
    high over its 40-pixel line, over the top of its next line 标; two boxes of
    one line overlap by their whole height); a box
    round a small mark alone (a '。' wrapped onto a line of its own) is far
    shorter than a line and sits on its line's foot, so for it the two boxes'
    feet are at most a line pitch (``DEFAULT_WRAP_PITCH_UNITS``) apart."""
    out = []
    for k, below in enumerate(lines):
        for b in below:
            # the line above in its cell may not be the page's line above: a cell beside, one
            # line high and centred, sits between a two-line cell's lines
            for a in (a for above in reversed(lines[max(0, k - 3):k]) for a in above):
                gap = b.bbox[1] - a.bbox[3]
                within = a.bbox[0] - unit / 2 <= b.bbox[0] and b.bbox[2] <= a.bbox[2] + unit / 2
                lined_up = abs(a.cx - b.cx) <= unit or abs(a.bbox[0] - b.bbox[0]) <= unit / 2
                close = gap < 0.5 * unit or (b.height < 0.5 * a.height
                                             and b.bbox[3] - a.bbox[3] <= DEFAULT_WRAP_PITCH_UNITS * unit)
                if -DEFAULT_WRAP_OVERLAP_UNITS * unit < gap and close and within and lined_up:
                    out.append((b, a))
                    break
    return out


def _wrapped(lines: list[list[TextBox]], column: dict[int, int], edges: list[float], unit: float,
             pairs: list[tuple[TextBox, TextBox]]) -> dict[int, int]:
    """id(box) -> id(the box above) for each of ``pairs`` (box, the box above it in
    its cell: :func:`_under`'s) whose box continues the text of the box above
    because that line was full: its width and the next line's first character
    together reach the widest text seen starting and ending in the same columns
    (a cell's text is no wider than the cell; half a character of slack).  The
    column edges of a scan are only the gaps between texts, and its cells are centred, so how far a line runs to its column's edge
    does not tell (as it does for a PDF's cells set flush left).  Two one-line
    cells of rows set a line apart are not one wrapped text: a short one would
    have fitted, and beside the widest, the two lines hold texts of their own
    in another column too, a line pitch apart (a cell's next line may share
    its line with another row's cells, as a label's second line the row it is
    centred on, but not with the next row of the first line's row)."""
    def span(b: TextBox) -> tuple[int, int]:
        return _band(edges, b.bbox[0] + unit / 2), _band(edges, b.bbox[2] - unit / 2)

    widest: dict[tuple[int, int], float] = {}
    for line in lines:
        for b in line:
            widest[span(b)] = max(widest.get(span(b), 0.0), b.bbox[2] - b.bbox[0])
    under = {(id(b), id(a)) for b, a in pairs}
    boxes = [b for line in lines for b in line]
    pitch = DEFAULT_WRAP_PITCH_UNITS * unit
    out = {}
    for b, a in pairs:
        first = b.glyphs[0].x1 - b.glyphs[0].x0 if b.glyphs else _even_glyphs(b)[0][2] - b.bbox[0]
        if a.bbox[2] - a.bbox[0] + first < widest[span(a)] - unit / 2:
            continue
        # two rows set a line apart, not one cell's two lines: in another column, a text on
        # each line, the lower no more than a line pitch under the upper and not its next line
        ups = [y for y in boxes if y is not a and abs(y.cy - a.cy) < unit / 2]
        if any(column[id(x)] == column[id(y)] and 0 < x.cy - y.cy <= pitch and (id(x), id(y)) not in under
               for x in boxes if x is not b and abs(x.cy - b.cy) < unit / 2 for y in ups):
            continue
        out[id(b)] = id(a)
    return out


def _even_glyphs(box: TextBox) -> list[tuple[str, float, float]]:
    """A box's characters spread evenly over its width (the engine gave no positions)."""
    x0, x1 = box.bbox[0], box.bbox[2]
    n = max(1, len(box.text))
    step = (x1 - x0) / n
    return [(ch, x0 + k * step, x0 + (k + 1) * step) for k, ch in enumerate(box.text)]
