"""Page image to table grid: seal removal, deskew, ruling lines, cells, text boxes.

A chain of small functions, each named for what it turns into what::

    prepare_page    RGB page -> grey page without the red seal, deskewed
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

import cv2
import numpy as np

from selfeval.extract.ocr import TextBox

DEFAULT_MAX_SKEW_DEG = 5.0  # the largest rotation deskew looks for
DEFAULT_H_KERNEL_UNITS = 6.0  # a horizontal ruling line is at least this many characters long
DEFAULT_V_KERNEL_UNITS = 1.5  # a vertical one at least this many character heights
DEFAULT_BOUNDARY_COVER = 0.6  # share of a cell edge a line must cover to separate two cells
DEFAULT_LINE_GAP_UNITS = 2.5  # boxes on one text line further apart than this are separate cells
DEFAULT_UNIT_PX = 20.0  # the character height assumed when a page has no text to measure


@dataclass(frozen=True)
class PreparedPage:
    gray: np.ndarray  # deskewed grey page, red seal removed
    binary: np.ndarray  # ink = 255
    angle: float  # degrees the page was turned back (counter-clockwise positive)
    matrix: np.ndarray  # 2x3 affine map from the input image to ``gray``
    unit: float  # typical character height in pixels


@dataclass(frozen=True)
class Table:
    xs: tuple[float, ...]  # column boundaries, left to right
    ys: tuple[float, ...]  # row boundaries, top to bottom
    cells: tuple[tuple[int, int, int, int], ...]  # merged cells: (row0, col0, row1, col1), inclusive

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


@dataclass(frozen=True)
class CellText:
    text: str
    confidence: float | None  # the lowest confidence of the boxes read into the cell; None when empty


@dataclass(frozen=True)
class RowOut:
    top: float
    cells: tuple[CellText, ...]


# -- page preparation ---------------------------------------------------------


def suppress_seal(rgb: np.ndarray) -> np.ndarray:
    """Grey page with red ink (seals, red stamps) removed and black ink kept.

    Where a pixel is clearly red its red channel is used as its grey value:
    red ink is bright there while black text under the seal stays dark.
    """
    if rgb.ndim == 2:
        return rgb.copy()
    r = rgb[:, :, 0].astype(np.int16)
    gb = np.maximum(rgb[:, :, 1], rgb[:, :, 2]).astype(np.int16)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    red = (r - gb > 40) & (r > 90)
    out = gray.copy()
    out[red] = np.where(r[red] > 150, 255, r[red]).astype(np.uint8)
    return out


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink = 255 on 0, robust to uneven lighting."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def char_height(binary: np.ndarray) -> float:
    """The median height of character-sized blobs: the page's unit of length."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (h >= 6) & (h <= 200) & (w <= 3 * h) & (w >= 2)
    if n <= 1 or keep.sum() < 10:
        return DEFAULT_UNIT_PX
    # CJK glyphs break into strokes; the upper quartile is close to a full character
    return float(np.percentile(h[keep], 75))


def estimate_skew(binary: np.ndarray, max_deg: float = DEFAULT_MAX_SKEW_DEG) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines and rulings level."""
    scale = min(1.0, 1000.0 / max(binary.shape))
    small = cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else binary
    h, w = small.shape
    center = (w / 2, h / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(center, angle, 1.0)
        rotated = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-max_deg, max_deg + 1e-9, 0.25), key=score)
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, 0.025)
    best = float(max(fine, key=score))
    return 0.0 if abs(best) < 0.02 else round(best, 3)


def prepare_page(rgb: np.ndarray, max_skew: float = DEFAULT_MAX_SKEW_DEG) -> PreparedPage:
    """Remove the seal, measure the skew and turn the page level."""
    gray = suppress_seal(rgb)
    binary = binarize(gray)
    angle = estimate_skew(binary, max_skew)
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    if angle:
        gray = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
        binary = binarize(gray)
    return PreparedPage(gray, binary, angle, matrix, char_height(binary))


def map_boxes(boxes: list[TextBox], matrix: np.ndarray) -> list[TextBox]:
    """Boxes from input-image pixels to prepared-page pixels (axis-aligned hull)."""
    out = []
    for b in boxes:
        x0, y0, x1, y1 = b.bbox
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=float) @ matrix.T
        out.append(TextBox(b.text, (pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()), b.confidence))
    return out


# -- ruling lines and tables --------------------------------------------------


def find_lines(binary: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray]:
    """Masks of horizontal and vertical ruling lines (morphological opening)."""
    # thicken across the line only, to bridge the one-pixel steps of a residual skew
    # without joining the strokes of neighbouring characters along it
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(10, round(DEFAULT_H_KERNEL_UNITS * unit)), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(10, round(DEFAULT_V_KERNEL_UNITS * unit))))
    horizontal = cv2.morphologyEx(cv2.dilate(binary, np.ones((3, 1), np.uint8)), cv2.MORPH_OPEN, hk)
    vertical = cv2.morphologyEx(cv2.dilate(binary, np.ones((1, 3), np.uint8)), cv2.MORPH_OPEN, vk)
    return horizontal, vertical


def erase_lines(gray: np.ndarray, horizontal: np.ndarray, vertical: np.ndarray, tables: list[Table]) -> np.ndarray:
    """The page with its tables' ruling lines painted white, so text detection sees cells apart.

    Only inside the tables: outside them, long strokes of large type (a title)
    look like short lines and must stay.
    """
    out = gray.copy()
    lines = (horizontal > 0) | (vertical > 0)
    for t in tables:
        x0, y0, x1, y1 = (round(v) for v in t.bbox)
        m = 4
        ys, xs = slice(max(0, y0 - m), y1 + m + 1), slice(max(0, x0 - m), x1 + m + 1)
        out[ys, xs][lines[ys, xs]] = 255
    return out


def _segments(mask: np.ndarray, axis: int) -> list[tuple[float, float, float]]:
    """Line segments of a mask as (position, start, end); axis 0 = horizontal lines."""
    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for k in range(1, n):
        x, y, w, h = stats[k, :4]
        if axis == 0:
            out.append((float(centroids[k][1]), float(x), float(x + w)))
        else:
            out.append((float(centroids[k][0]), float(y), float(y + h)))
    return out


def _cluster(values: list[float], tol: float) -> list[float]:
    values = sorted(values)
    groups: list[list[float]] = []
    for v in values:
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [float(np.median(g)) for g in groups]


def lines_to_tables(horizontal: np.ndarray, vertical: np.ndarray, unit: float) -> list[Table]:
    """Tables from ruling lines: each connected frame of lines is one table."""
    frame = cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(frame, connectivity=8)
    tables = []
    for k in range(1, n):
        x, y, w, h = (int(v) for v in stats[k, :4])
        if w < 8 * unit or h < 2 * unit:
            continue
        hs = [s for s in _segments(horizontal[y:y + h, x:x + w], 0) if s[2] - s[1] >= 2 * unit]
        vs = [s for s in _segments(vertical[y:y + h, x:x + w], 1) if s[2] - s[1] >= unit]
        if len(hs) < 2 or len(vs) < 2:
            continue
        ys = _cluster([s[0] + y for s in hs], unit / 2)
        xs = _cluster([s[0] + x for s in vs], unit / 2)
        if len(ys) < 2 or len(xs) < 2:
            continue
        tables.append(_merge_cells(tuple(xs), tuple(ys), horizontal, vertical, unit))
    tables.sort(key=lambda t: t.ys[0])
    return tables


def _covered(mask: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> float:
    """Share of a thin band's length (along its long side) that has line pixels."""
    xa, xb = max(0, round(x0)), min(mask.shape[1], round(x1))
    ya, yb = max(0, round(y0)), min(mask.shape[0], round(y1))
    if xb <= xa or yb <= ya:
        return 0.0
    band = mask[ya:yb, xa:xb] > 0
    along = band.any(axis=0) if (xb - xa) >= (yb - ya) else band.any(axis=1)
    return float(along.mean())


def _merge_cells(xs, ys, horizontal, vertical, unit) -> Table:
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
    cells = []
    for members in groups.values():
        rows = [m[0] for m in members]
        cols = [m[1] for m in members]
        cells.append((min(rows), min(cols), max(rows), max(cols)))
    cells.sort()
    return Table(xs, ys, tuple(cells))


# -- text boxes into cells ----------------------------------------------------


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        p = p.strip()
        if out and p and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return out


def _text_lines(boxes: list[TextBox]) -> list[list[TextBox]]:
    """Boxes grouped into text lines (top to bottom), each left to right."""
    lines: list[list[TextBox]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        if lines:
            last = lines[-1]
            ref = sum(x.cy for x in last) / len(last)
            if abs(b.cy - ref) <= 0.5 * max(b.height, min(x.height for x in last)):
                last.append(b)
                continue
        lines.append([b])
    return [sorted(line, key=lambda b: b.bbox[0]) for line in lines]


def cell_text(boxes: list[TextBox]) -> CellText:
    if not boxes:
        return CellText("", None)
    text = _join([b.text for line in _text_lines(boxes) for b in line])
    return CellText(text, min(b.confidence for b in boxes))


def _split_across(box: TextBox, cuts: list[float]) -> list[TextBox]:
    """A box that runs over cell edges, cut there in proportion to character widths."""
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


def boxes_to_rows(tables: list[Table], boxes: list[TextBox], unit: float) -> list[RowOut]:
    """Rows of cells for the whole page: table rows and free text lines, top to bottom."""
    cell_boxes: dict[tuple[int, tuple[int, int, int, int]], list[TextBox]] = {}
    free: list[TextBox] = []
    lookup = []
    for t in tables:
        owner = {}
        for cell in t.cells:
            for r in range(cell[0], cell[2] + 1):
                for c in range(cell[1], cell[3] + 1):
                    owner[(r, c)] = cell
        lookup.append(owner)
    for box in boxes:
        ti = next((i for i, t in enumerate(tables) if _inside(box, t)), None)
        if ti is None:
            free.append(box)
            continue
        t = tables[ti]
        row = min(max(bisect_right(t.ys, box.cy) - 1, 0), len(t.ys) - 2)
        cuts = [x for x in t.xs[1:-1] if box.bbox[0] + unit / 2 < x < box.bbox[2] - unit / 2]
        for piece in _split_across(box, cuts) if cuts else [box]:
            col = min(max(bisect_right(t.xs, piece.cx) - 1, 0), len(t.xs) - 2)
            cell_boxes.setdefault((ti, lookup[ti][(row, col)]), []).append(piece)
    out: list[RowOut] = []
    for ti, t in enumerate(tables):
        nr, nc = len(t.ys) - 1, len(t.xs) - 1
        grid = [[CellText("", None)] * nc for _ in range(nr)]
        for cell in t.cells:
            grid[cell[0]][cell[1]] = cell_text(cell_boxes.get((ti, cell), []))
        out.extend(RowOut(t.ys[r], tuple(grid[r])) for r in range(nr))
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
        group = [line[0]]
        for b in line[1:]:
            if b.bbox[0] - group[-1].bbox[2] > DEFAULT_LINE_GAP_UNITS * unit:
                out.append(RowOut(min(x.bbox[1] for x in group), (cell_text(group),)))
                group = [b]
            else:
                group.append(b)
        out.append(RowOut(min(x.bbox[1] for x in group), (cell_text(group),)))
    return out


# -- pages without ruling lines -----------------------------------------------


def cluster_table(boxes: list[TextBox], unit: float) -> list[RowOut]:
    """Rows and columns from the text alone: lines are rows, shared gaps are columns.

    Column edges are the x positions that no narrow box covers; a box wider
    than a quarter of the text block (a merged cell) keeps the column of its
    left edge.  Lines that span one group only (titles) become one-cell rows.
    """
    if not boxes:
        return []
    left = min(b.bbox[0] for b in boxes)
    right = max(b.bbox[2] for b in boxes)
    narrow = [b for b in boxes if b.bbox[2] - b.bbox[0] < (right - left) / 4]
    cover = np.zeros(max(1, math.ceil(right - left)) + 1, dtype=bool)
    for b in narrow:
        cover[max(0, round(b.bbox[0] - left)):round(b.bbox[2] - left) + 1] = True
    edges, inside = [left], True
    for i, on in enumerate(cover):
        if inside and not on:
            start, inside = i, False
        elif not inside and on:
            if i - start >= unit / 2:
                edges.append(left + (start + i) / 2)
            inside = True
    edges.append(right + 1)
    rows: list[RowOut] = []
    for line in _text_lines(boxes):
        cols: dict[int, list[TextBox]] = {}
        for b in line:
            anchor = b.bbox[0] if b.bbox[2] - b.bbox[0] >= (right - left) / 4 else b.cx
            cols.setdefault(min(max(bisect_right(edges, anchor) - 1, 0), len(edges) - 2), []).append(b)
        cells = [CellText("", None)] * (len(edges) - 1)
        for c, bs in cols.items():
            cells[c] = cell_text(bs)
        top = min(b.bbox[1] for b in line)
        if len(cols) == 1 and len(line) == 1 and line[0].bbox[2] - line[0].bbox[0] < (right - left) / 2 and top == min(x.bbox[1] for x in boxes):
            rows.append(RowOut(top, (cell_text(line),)))
        else:
            rows.append(RowOut(top, tuple(cells)))
    return rows
