"""Page geometry to rows of cells: the pure half of the PDF reader.

Small functions named for what they turn into what, over pdfplumber's
objects (char dicts with ``text, x0, x1, top, bottom, size``; table cells as
``(x0, top, x1, bottom)`` boxes).  Nothing here opens a file or knows what a
form is; :mod:`selfeval.extract.pdf` drives these page by page.

Ruled tables: pdfplumber finds the cells from the ruling lines; a merged cell
is one box spanning several grid rows or columns.  ``cells_to_grid`` places
each box at its top-left grid position (as pdfplumber's ``Table.rows`` does,
where covered positions are None), so covered positions become ``""`` and
the row reads like a line of pasted text.

Unruled pages: lines of characters are split into runs at wide gaps and the
runs' left edges give the columns; :mod:`selfeval.extract.pdf_unruled`
makes the rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from selfeval.extract.cells import is_wide, join_pair, join_wrapped, plain_number

Char = dict  # a pdfplumber char object
BBox = tuple[float, float, float, float]  # x0, top, x1, bottom

DEFAULT_LINE_OVERLAP = 0.5  # chars share a line when they overlap vertically by this share of the smaller height
DEFAULT_SPACE_GAP_EM = 0.2  # a gap wider than this (in em) between Latin chars is a space not drawn as a glyph
DEFAULT_RUN_GAP_EM = 0.6  # a gap wider than this (in em) on a line separates two cells
DEFAULT_WRAP_GAP_EM = 0.45  # unruled: a line closer than this (in em) below the previous one may continue its cell
DEFAULT_COLUMN_TOLERANCE = 3.0  # points: column edges and left edges closer than this are one
DEFAULT_DUPLICATE_TOLERANCE = 1.0  # points: the same char drawn again this close is a copy (fake bold)
DEFAULT_GARBLED_SHARE = 0.2  # a page is unusable when this share of its characters has no usable text
DEFAULT_SCAN_IMAGE_COVER = 0.5  # share of the page an image must cover to make a text-less page a scan
DEFAULT_SCAN_MAX_CHARS = 20  # a page with no more characters than this over such an image is a scan


# --- characters -------------------------------------------------------------


def is_garbled(text: str) -> bool:
    """A char whose text is no text: an unmapped glyph id ``(cid:123)``, the
    replacement character, or a private-use code point."""
    if text.startswith("(cid:"):
        return True
    for ch in text:
        code = ord(ch)
        if code == 0xFFFD or 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
            return True
    return False


def page_text_problem(
    chars: Sequence[Char],
    images: Sequence[dict],
    page_bbox: BBox,
    garbled_share: float = DEFAULT_GARBLED_SHARE,
) -> str | None:
    """Why a page's text layer is unusable, or None when it is usable."""
    visible = [c for c in chars if not c["text"].isspace()]
    if visible:
        bad = sum(1 for c in visible if is_garbled(c["text"]))
        if bad / len(visible) >= garbled_share:
            return (
                f"{bad} of {len(visible)} characters have no usable text "
                "((cid:…) glyph ids, U+FFFD or private-use code points)"
            )
    if len(visible) <= DEFAULT_SCAN_MAX_CHARS and images:
        x0, top, x1, bottom = page_bbox
        area = max((x1 - x0) * (bottom - top), 1.0)
        covered = sum(_clipped_area(im, page_bbox) for im in images)
        if covered / area >= DEFAULT_SCAN_IMAGE_COVER:
            return "the page is an image with no text layer (a scan)"
    return None


def dedupe_chars(chars: Sequence[Char], tolerance: float = DEFAULT_DUPLICATE_TOLERANCE) -> list[Char]:
    """Chars without the copies some PDFs draw over a glyph (a bold effect,
    a shadow): the same text within ``tolerance`` points of a kept char."""
    kept: list[Char] = []
    cells: dict[tuple[str, int, int], list[Char]] = {}
    for c in chars:
        text, kx, ky = c["text"], round(c["x0"] / tolerance), round(c["top"] / tolerance)
        if any(
            abs(k["x0"] - c["x0"]) <= tolerance and abs(k["top"] - c["top"]) <= tolerance
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for k in cells.get((text, kx + dx, ky + dy), ())
        ):
            continue
        cells.setdefault((text, kx, ky), []).append(c)
        kept.append(c)
    return kept


def _clipped_area(obj: dict, bbox: BBox) -> float:
    w = min(obj["x1"], bbox[2]) - max(obj["x0"], bbox[0])
    h = min(obj["bottom"], bbox[3]) - max(obj["top"], bbox[1])
    return max(w, 0.0) * max(h, 0.0)


def _height(c: Char) -> float:
    return max(c["bottom"] - c["top"], 0.1)


def chars_to_lines(chars: Iterable[Char], overlap: float = DEFAULT_LINE_OVERLAP) -> list[list[Char]]:
    """Group chars into text lines (top to bottom), each sorted left to right."""
    lines: list[list[Char]] = []
    top = bottom = 0.0
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines:
            shared = min(bottom, c["bottom"]) - max(top, c["top"])
            if shared >= overlap * min(max(bottom - top, 0.1), _height(c)):
                lines[-1].append(c)
                bottom = max(bottom, c["bottom"])
                continue
        lines.append([c])
        top, bottom = c["top"], c["bottom"]
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    return lines


def line_text(line: Sequence[Char], space_gap: float = DEFAULT_SPACE_GAP_EM) -> str:
    """The text of one line of chars; a space is added where two Latin chars
    stand apart by more than ``space_gap`` em without a space glyph."""
    parts: list[str] = []
    prev: Char | None = None
    for c in line:
        text = c["text"]
        if prev is not None and text and prev["text"]:
            a, b = prev["text"][-1], text[0]
            gap = c["x0"] - prev["x1"]
            if (
                gap > space_gap * _height(c)
                and not (a.isspace() or b.isspace() or is_wide(a) or is_wide(b))
            ):
                parts.append(" ")
        parts.append(text)
        prev = c
    return "".join(parts)


def chars_to_text(chars: Iterable[Char]) -> str:
    """The text of a cell's chars: its lines joined as wrapped text."""
    return join_wrapped(line_text(line) for line in chars_to_lines(chars))


@dataclass
class Run:
    """Chars of one line that stand together: one cell's text on that line."""

    chars: list[Char]

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def text(self) -> str:
        return line_text(self.chars).strip()


def line_to_runs(line: Sequence[Char], run_gap: float = DEFAULT_RUN_GAP_EM) -> list[Run]:
    """Split a line where the gap between two chars exceeds ``run_gap`` em."""
    runs: list[Run] = []
    prev: Char | None = None
    for c in line:
        if prev is None or c["x0"] - prev["x1"] > run_gap * max(_height(c), _height(prev)):
            runs.append(Run([c]))
        else:
            runs[-1].chars.append(c)
        prev = c
    return [Run(kept) for r in runs if (kept := _trimmed(r.chars))]


def _trimmed(chars: list[Char]) -> list[Char]:
    """A run without the space glyphs at its ends (its x0 is then its text's)."""
    start, end = 0, len(chars)
    while start < end and chars[start]["text"].isspace():
        start += 1
    while end > start and chars[end - 1]["text"].isspace():
        end -= 1
    return chars[start:end]


# --- ruled tables -----------------------------------------------------------


def cluster_values(values: Iterable[float], tolerance: float = DEFAULT_COLUMN_TOLERANCE) -> list[float]:
    """Sorted representatives (the smallest member) of values that lie within
    ``tolerance`` of their neighbour."""
    out: list[float] = []
    last: float | None = None
    for v in sorted(values):
        if last is None or v - last > tolerance:
            out.append(v)
        last = v
    return out


def cluster_index(representatives: Sequence[float], value: float) -> int:
    """Index of the cluster (from :func:`cluster_values`) that holds ``value``."""
    return max(bisect_right(representatives, value) - 1, 0)


def nearest_index(anchors: Sequence[float], x: float, tolerance: float = DEFAULT_COLUMN_TOLERANCE) -> int | None:
    """Index of the anchor within ``tolerance`` of ``x``, or None."""
    i = bisect_right(anchors, x + tolerance) - 1
    if i >= 0 and abs(anchors[i] - x) <= tolerance:
        return i
    return None


@dataclass
class Grid:
    """A ruled table: its cell boxes and the grid position of each."""

    cells: list[BBox]
    columns: list[float]  # left edges of the grid columns
    rows: list[float]  # top edges of the grid rows
    places: list[tuple[int, int]]  # (row, column) of each cell's top-left corner
    texts: list[list[Char]] = field(default_factory=list)

    @property
    def bbox(self) -> BBox:
        return (
            min(c[0] for c in self.cells),
            min(c[1] for c in self.cells),
            max(c[2] for c in self.cells),
            max(c[3] for c in self.cells),
        )

    def remap_columns(self, columns: Sequence[float]) -> bool:
        """Place the cells on another table's columns (the part of this table
        on the previous page) when every column edge of this one is among
        them; returns whether it did."""
        mapping = [nearest_index(columns, x) for x in self.columns]
        if any(m is None for m in mapping):
            return False
        self.places = [(r, mapping[c]) for r, c in self.places]  # type: ignore[misc]
        self.columns = list(columns)
        return True


def cells_to_grid(cells: Sequence[BBox]) -> Grid:
    """Grid positions of a table's cells: a column per distinct left edge,
    a row per distinct top edge (merged cells span several)."""
    columns = cluster_values(c[0] for c in cells)
    rows = cluster_values(c[1] for c in cells)
    places = [(cluster_index(rows, c[1]), cluster_index(columns, c[0])) for c in cells]
    return Grid(list(cells), columns, rows, places, [[] for _ in cells])


def assign_chars(chars: Iterable[Char], grids: Sequence[Grid]) -> list[Char]:
    """Put each char into the grid cell holding its centre; return the chars
    that fall in no cell.  Cells are looked up by their row and column
    edges, so the cost grows with the chars, not chars × cells."""
    index = [_cell_index(g) for g in grids]
    loose: list[Char] = []
    for c in chars:
        cx = (c["x0"] + c["x1"]) / 2
        cy = (c["top"] + c["bottom"]) / 2
        for grid, (xs, ys, owner) in zip(grids, index, strict=True):
            i, j = bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1
            if 0 <= i < len(ys) - 1 and 0 <= j < len(xs) - 1:
                k = owner.get((i, j))
                if k is not None:
                    grid.texts[k].append(c)
                    break
        else:
            loose.append(c)
    return loose


def _cell_index(grid: Grid) -> tuple[list[float], list[float], dict[tuple[int, int], int]]:
    """Every distinct cell edge, and which cell owns each elementary box."""
    xs = sorted({c[0] for c in grid.cells} | {c[2] for c in grid.cells})
    ys = sorted({c[1] for c in grid.cells} | {c[3] for c in grid.cells})
    owner: dict[tuple[int, int], int] = {}
    for k, (x0, top, x1, bottom) in enumerate(grid.cells):
        for i in range(bisect_right(ys, top) - 1, bisect_right(ys, bottom) - 1):
            for j in range(bisect_right(xs, x0) - 1, bisect_right(xs, x1) - 1):
                owner.setdefault((i, j), k)
    return xs, ys, owner


def grid_to_rows(grid: Grid) -> list[tuple[float, list[str]]]:
    """The table as (top, cells) rows; a merged cell's text sits at its
    top-left position, covered positions are ``""``."""
    width = len(grid.columns)
    table = [[""] * width for _ in grid.rows]
    for (r, col), chars in zip(grid.places, grid.texts, strict=True):
        if chars:
            table[r][col] = join_pair(table[r][col], chars_to_text(chars))
    return list(zip(grid.rows, table, strict=True))


def grid_row_boxes(grid: Grid) -> list[list[BBox | None]]:
    """Each grid position's cell box, row by row as :func:`grid_to_rows` gives the
    cells: a merged cell's box at its top-left position, None where it covers."""
    width = len(grid.columns)
    table: list[list[BBox | None]] = [[None] * width for _ in grid.rows]
    for (r, col), box in zip(grid.places, grid.cells, strict=True):
        table[r][col] = box
    return table


# --- unruled pages ----------------------------------------------------------


@dataclass
class TextLine:
    """One line of chars outside any ruled table, split into runs."""

    top: float
    bottom: float
    em: float
    runs: list[Run]


def lines_to_text_lines(lines: Iterable[Sequence[Char]]) -> list[TextLine]:
    out = []
    for line in lines:
        runs = line_to_runs(line)
        if runs:
            em = max(_height(c) for c in line)
            out.append(TextLine(min(c["top"] for c in line), max(c["bottom"] for c in line), em, runs))
    return out


def is_number_run(run: Run) -> bool:
    """A run that is one plain number (``13.04``, ``100.00%``, :func:`plain_number`):
    a spreadsheet prints it flush right, where its left edge starts no column."""
    return plain_number(run.text)


_DASHES = frozenset("—–-－")


def _number_before_dash(run: Run) -> Run | None:
    """The number of a run that is a plain number run on into a dash
    (``175.82—``: a number set flush right against the next cell's dash set
    flush left), or None.  Its left edge starts no column."""
    chars = run.chars
    end = len(chars)
    while end > 1 and chars[end - 1]["text"] in _DASHES:
        end -= 1
    if end == len(chars) or end == 0:
        return None
    head = Run(chars[:end])
    return head if is_number_run(head) else None


def column_anchors(lines: Iterable[TextLine]) -> list[float]:
    """Left edges of the columns of an unruled table: where the runs of lines
    with several runs (table rows; a title is one run) start.  Runs of plain
    numbers count only where they are set flush left (their left edges agree
    better than their right ones): numbers set flush right or centred, as a
    spreadsheet prints them, start no column (they are placed by
    :func:`selfeval.extract.pdf_unruled.column_of`)."""
    runs = [r for line in lines if len(line.runs) > 1 for r in line.runs]
    runs = [_number_before_dash(r) or r for r in runs]
    edges = [r.x0 for r in runs if not is_number_run(r)]
    numbers = [r for r in runs if is_number_run(r)]
    tol = DEFAULT_COLUMN_TOLERANCE
    text_edges = sorted(edges)
    right = max((r.chars[-1]["x1"] for r in runs), default=0.0)
    for r in numbers:
        lefts = sum(1 for o in numbers if abs(o.x0 - r.x0) <= tol)
        rights = sum(1 for o in numbers if abs(o.chars[-1]["x1"] - r.chars[-1]["x1"]) <= tol)
        if lefts > rights or (lefts == rights == 1 and not _ends_flush(r, text_edges, right)):
            edges.append(r.x0)  # flush left (or alone, not ending at a column's end): a column's edge
    return cluster_values(edges)


def _ends_flush(run: Run, edges: Sequence[float], right: float) -> bool:
    """Whether a run ends where a column ends: within a character of the
    next column's left edge (its padding), or at the table's right edge."""
    x1, em = run.chars[-1]["x1"], _height(run.chars[-1])
    if right - x1 <= 0.5:
        return True
    k = bisect_right(edges, x1)
    return k < len(edges) and edges[k] - x1 <= em
