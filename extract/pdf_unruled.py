"""Tables without ruling lines: rows of cells from text positions alone.

A page without rules is lines of chars, each split into runs at wide gaps
(:mod:`selfeval.extract.pdf_layout`).  Here they become table rows:

* **columns** are the left edges of the runs of lines with several runs
  (the header bands and data rows; a title is one run), clustered;
* a **line** whose runs all start on a column edge is a table line; any
  other line (a centred title, prose) is a row of its own;
* a **cell block** is a run and the runs below it in its column that
  continue it: wrapped text, a line that sits closer below than a row gap
  *and* under a line that filled its column (it wrapped because it was
  full).  So the title, 项目序号 and 金额单位 lines, short and at the left
  margin, stay lines of their own;
* **rows** ("baselines") are the blocks that line up: cells of a row share
  their top (cells set at the top) or their middle (cells centred, as Excel
  prints), whichever the page shows more of;
* a **merged label** (a block without digits, with cells to its right,
  alone in its column over several rows) is centred on the rows it covers
  when cells are centred: it goes to the first of the widest run of rows,
  free in its column, that it is centred on, which is where the pasted text
  of a merged cell has it.  Set at the top, it is already on its first row;
* a **hidden row** is a row no cell of which is set on its own line (its
  only text is a label merged over it and its neighbours, centred
  elsewhere): the room between two rows with numbers, in whole row pitches,
  tells how many there are when the labels in between sit on the lattice of
  those rows;
* a label on a row with other cells is moved onto rows it is centred on only
  when they nest in the column to its left (one cell of that column at most);
* a page holding several forms one below another is cut at each form's title
  (or 项目序号) line, and each part gets columns of its own;
* a page holding forms next to each other (two titles, or two 项目序号
  lines, on one line) is first cut into upright strips: between two forms'
  x-ranges lies a gutter no run of the page crosses (their header bands end
  at their last column, and the next form's columns start after it), and
  each strip is read as a page of its own.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from selfeval.extract.cells import is_wide, join_wrapped, one_number
from selfeval.extract.grid import SourceRow
from selfeval.extract.pdf_layout import (
    DEFAULT_WRAP_GAP_EM,
    Run,
    TextLine,
    is_number_run,
    nearest_index,
)
from selfeval.extract.split import is_title, seq_of

DEFAULT_ALIGN_TOLERANCE = 1.5  # points: tops or middles closer than this are one row
DEFAULT_CENTRE_TOLERANCE_EM = 0.6  # a merged label's middle within this of its rows' middle
CELL_GAP_EM = 0.3  # a gap this wide (in em) inside a run, ending on a column edge, parts two cells


@dataclass
class Block:
    column: int
    runs: list[Run]
    top: float
    bottom: float
    em: float
    end: float  # x1 of the last run
    moved: bool = False  # put on the first row of the rows it is centred on
    hidden: bool = False  # stands for a row no cell of which is set on its own line

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def text(self) -> str:
        return join_wrapped(r.text for r in self.runs)


@dataclass
class _Row:
    top: float
    cells: list[str]
    aligned: bool
    blocks: list[Block] = field(default_factory=list)


def _x1(run: Run) -> float:
    return run.chars[-1]["x1"]


def column_of(anchors: Sequence[float], run: Run) -> int | None:
    """The column a run is in: the one whose left edge it starts on, or, for
    a plain number set flush right or centred (a spreadsheet's print), the
    one whose span holds its middle."""
    col = nearest_index(anchors, run.x0)
    if col is not None or not anchors or not is_number_run(run):
        return col
    middle = (run.x0 + _x1(run)) / 2
    k = bisect_right(anchors, middle) - 1
    return k if k >= 0 else None


def _limit(anchors: Sequence[float], column: int, x1: float, right: float) -> float:
    """Where the column a run starts in ends: the next column edge past the
    run's end (a run may span columns), or the table's right edge."""
    for a in anchors[column + 1 :]:
        if a > x1:
            return a
    return right


def _first_word(run: Run) -> float:
    """The width of a run's first word: its first character when that is
    CJK (which breaks anywhere), else up to its first space."""
    chars = run.chars
    end = 0
    if not is_wide(chars[0]["text"][:1] or " "):
        while end + 1 < len(chars) and not chars[end + 1]["text"].isspace() and not is_wide(chars[end + 1]["text"][:1]):
            end += 1
    return chars[end]["x1"] - chars[0]["x0"]


def _gutter(lines: Sequence[TextLine], anchors: Sequence[float], right: float) -> float:
    """The least room a run of the table leaves before its column's end:
    the cells' padding, as the fullest cell shows it."""
    gaps = []
    for line in lines:
        for run in line.runs:
            col = column_of(anchors, run)
            if col is not None:
                gaps.append(_limit(anchors, col, _x1(run), right) - _x1(run))
    positive = sorted(g for g in gaps if g > 1.0)
    ems = [line.em for line in lines]
    cap = 2.0 * (sorted(ems)[len(ems) // 2] if ems else 10.0)  # padding is never wider than two characters
    return min(positive[len(positive) // 10], cap) if positive else 0.0


def _two_cells(block: Block, run: Run) -> bool:
    """Whether ``run`` cannot continue ``block`` although it sits close
    under it: a plain number under anything but the first part of the same
    number, or anything under a plain number.  A number set flush right ends
    at its column's edge as if it filled it, and the header above a column
    of numbers is often that close; the parts of one number wrapped in a
    narrow cell (``100.0`` / ``0%``) still join."""
    above = block.runs[-1]
    if not (is_number_run(run) or is_number_run(above)):
        return False
    return not (len(block.runs) == 1 and one_number(above.text, run.text))


def split_at_columns(line: TextLine, anchors: Sequence[float]) -> TextLine:
    """A line whose runs may hold a number set flush right in one cell run
    on into the next cell's text set flush left at its column's edge
    (``6.52—``, too close to be parted by the gap): cut where a character
    starts on a column edge right after a number, or after a gap wider
    than characters of one text leave (``CELL_GAP_EM``: two texts flush
    left, the first filling its cell, parted only by the cells' padding).
    A title or 项目序号 run
    is never cut (``2020`` / ``年度…自评表`` when its 年 happens to start
    on a column edge)."""
    runs: list[Run] = []
    for run in line.runs:
        if _starts_form(run):
            runs.append(run)
            continue
        start = 0
        for i in range(1, len(run.chars)):
            c, prev = run.chars[i], run.chars[i - 1]
            head = Run(run.chars[start:i])
            on_edge = c["x0"] >= prev["x1"] - 0.1 and nearest_index(anchors, c["x0"], 1.5) is not None
            if on_edge and ((is_number_run(head) and not c["text"].isdigit())
                            or c["x0"] - prev["x1"] >= CELL_GAP_EM * line.em):
                runs.append(head)
                start = i
        runs.append(Run(run.chars[start:]))
    return TextLine(line.top, line.bottom, line.em, runs) if len(runs) != len(line.runs) else line


def table_blocks(lines: Sequence[TextLine], anchors: Sequence[float], wrap_gap: float = DEFAULT_WRAP_GAP_EM,
                 wraps: Callable[[Block, Run], bool] | None = None) -> tuple[list[Block], list[tuple[TextLine, bool]]]:
    """The cell blocks of the table lines, and every line with whether it is
    a table line.

    ``wraps`` (block, run): whether the run is the next line of the block's
    cell, for a reader that knows it better than the runs' ends show (a
    scan, whose cells are centred and whose column edges are only the gaps
    between texts); it then stands in for the gap and fill tests and for the
    rule that a line of cells most of which start there starts a row.  A
    plain number still never continues another text (``_two_cells``)."""
    right = max((_x1(r) for line in lines for r in line.runs), default=0.0)
    gutter = _gutter(lines, anchors, right)
    blocks: list[Block] = []
    last: dict[int, Block] = {}  # column -> its latest block, which a next line may continue
    marked: list[tuple[TextLine, bool]] = []
    for line in lines:
        cols = [column_of(anchors, r) for r in line.runs]
        aligned = bool(anchors) and all(c is not None for c in cols)
        marked.append((line, aligned))
        if not aligned:
            last = {}  # a line outside the table ends every cell above it
            continue
        goes_on = []
        for run, col in zip(line.runs, cols, strict=True):
            assert col is not None
            block = last.get(col)
            if wraps is not None:
                goes_on.append(block is not None and wraps(block, run) and not _two_cells(block, run))
                continue
            gap = line.top - block.bottom if block is not None else None
            goes_on.append(
                block is not None
                and gap is not None
                and -0.5 * line.em < gap < wrap_gap * line.em
                and block.end + _first_word(run) >= _limit(anchors, col, block.end, right) - gutter - 0.5 * line.em
                and not _two_cells(block, run)
            )
        if wraps is None and len(goes_on) >= 2 and 2 * sum(goes_on) <= len(goes_on):
            goes_on = [False] * len(goes_on)  # a line of cells most of which start here starts a row
        for run, col, on in zip(line.runs, cols, goes_on, strict=True):
            assert col is not None
            block = last.get(col)
            if on:
                assert block is not None
                block.runs.append(run)
                block.bottom, block.end = line.bottom, _x1(run)
            else:
                block = Block(col, [run], line.top, line.bottom, line.em, _x1(run))
                blocks.append(block)
            last[col] = block
    return blocks, marked


def _mode(blocks: Sequence[Block], tolerance: float) -> str:
    """``"top"`` or ``"middle"``: how the page sets cells in their rows, by
    which of the two lines up more blocks of different columns."""
    tops = middles = 0
    ordered = sorted(blocks, key=lambda b: b.top)
    columns = {b.column for b in blocks}
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.top - a.top > 60:
                break
            if a.column == b.column:
                continue
            if _is_label(a, columns) or _is_label(b, columns):
                continue  # a label may be merged over rows: where it sits says nothing of a row's alignment
            tops += abs(a.top - b.top) <= tolerance
            middles += abs(a.middle - b.middle) <= tolerance
    if tops != middles:
        return "middle" if middles > tops else "top"
    # every row one line high: centred cells show in a label set across two rows
    columns = {b.column for b in blocks}
    for a in ordered:
        reach = 0.15 * a.em  # touching counts: a label centred across two rows touches both
        beside = [b for b in ordered if b.column != a.column and b.top < a.bottom + reach and b.bottom > a.top - reach]
        if _is_label(a, columns) and beside and not any(abs(a.top - b.top) <= tolerance for b in beside):
            return "middle"
    return "top"


def _is_label(block: Block, columns_right: set[int]) -> bool:
    return not any(ch.isdigit() for ch in block.text) and any(c > block.column for c in columns_right)


def rows_of_blocks(blocks: list[Block], tolerance: float = DEFAULT_ALIGN_TOLERANCE,
                   centre_em: float = DEFAULT_CENTRE_TOLERANCE_EM, continued: bool = False) -> list[list[Block]]:
    """Blocks grouped into rows, top to bottom (a merged label in the first
    row it covers); ``continued``: the blocks continue the previous page's
    table."""
    if not blocks:
        return []
    mode = _mode(blocks, tolerance)
    key = (lambda b: b.top) if mode == "top" else (lambda b: b.middle)
    clusters: list[list[Block]] = []
    for b in sorted(blocks, key=key):
        if clusters and key(b) - key(clusters[-1][-1]) <= tolerance and all(o.column != b.column for o in clusters[-1]):
            clusters[-1].append(b)
        else:
            clusters.append([b])
    if mode == "top":
        return clusters
    columns = {b.column for b in blocks}
    first = min(columns)
    bands: list[list[Block]] = []
    floating: list[Block] = []
    for cluster in clusters:
        cols = sorted(b.column for b in cluster)
        leading = len(cols) == 1 or (cols[0] == first and cols == list(range(first, first + len(cols))))
        if leading and all(_is_label(b, columns) for b in cluster):
            floating.extend(cluster)  # labels between rows, or centred on a row of their range
        else:
            bands.append(cluster)
    bands.extend(_hidden_rows(bands, floating))
    for column in sorted(columns, reverse=True):  # a label's rows are found from the columns right of it
        _place_column(column, bands, floating, columns, centre_em, continued)
    bands = [kept for band in bands if (kept := [b for b in band if not b.hidden])]  # hidden rows only placed labels
    return sorted(bands, key=lambda band: min(b.top for b in band))


_UNSET = object()


def _place_column(column: int, bands: list[list[Block]], floating: list[Block], columns: set[int],
                  centre_em: float, continued: bool = False, forced: object = _UNSET) -> int:
    """Put the labels of one column on the first row of the rows they are
    centred on, the rows of consecutive labels following each other; how
    many it put so.  On a page that continues the previous page's table
    (``continued``), the leading rows may belong to a label printed on that
    page only (``forced``: the rows the column's first label takes, when
    trying them)."""
    placed = 0
    home = {id(b): band for band in bands for b in band}
    left = [b.middle for b in floating if b.column == column - 1] + [
        b.middle for band in bands for b in band if b.column == column - 1 and not b.hidden]
    own = sorted([b for b in floating if b.column == column] + [b for band in bands for b in band if b.column == column],
                 key=lambda b: b.middle)
    done_to = float("-inf")  # the bottom of the rows the column's previous block took
    for i, b in enumerate(own):
        band = home.get(id(b))
        if not _is_label(b, columns) or (band is not None and _heading_row([o for o in band if o is not b])):
            done_to = max(done_to, _extent(band)[1] if band is not None else b.bottom)
            continue
        ordered = sorted((band for band in bands if band), key=lambda band: _extent(band)[0])
        stop = own[i + 1].middle if i + 1 < len(own) else float("inf")
        # the rows a label heads start right after its column's previous block, on a row
        # with a cell to its right (not a line above the table)
        start = next((k for k, band in enumerate(ordered) if _extent(band)[0] > done_to), None)
        if start is not None and not any(o.hidden or o.column > b.column for o in ordered[start] if o is not b):
            start = None
        best: tuple[float, int, int] | None = None
        if start is not None and _extent(ordered[start])[0] <= b.bottom:  # the closest run from the first free row
            best = min(_centred_runs(b, ordered, start, stop, band is None, left, centre_em), default=None,
                       key=lambda run: run[0])
        if continued and done_to == float("-inf") and start is not None and column > 0:
            # the column's first label on a page continuing a table (not the block's column, whose
            # labels, 绩效指标 and 总分, head no rows of the form's levels)
            if forced is not _UNSET:
                best = forced  # type: ignore[assignment]
            else:
                choices = _carried_choices(b, ordered, start, _carried_floor(ordered, column), stop, band is None,
                                           left, centre_em)
                best = _best_choice(best, choices, column, bands, floating, columns, centre_em)
        if best is not None:
            placed += 1
            target, end = ordered[best[1]], _extent(ordered[best[2]])[1]
            if home.get(id(b)) is not target:
                if id(b) in home:
                    home[id(b)].remove(b)
                elif b in floating:
                    floating.remove(b)
                target.append(b)
                b.moved = True
                home[id(b)] = target
            done_to = end
            continue
        if id(b) not in home:  # centred on no rows: a row of its own
            floating.remove(b)
            bands.append([b])
            home[id(b)] = bands[-1]
        done_to = max(done_to, _extent(home[id(b)])[1])
    return placed


def _best_choice(default: tuple[float, int, int] | None, choices: list[tuple[float, int, int]], column: int,
                 bands: list[list[Block]], floating: list[Block], columns: set[int],
                 centre_em: float) -> tuple[float, int, int] | None:
    """The rows for the first label of a column on a page continuing a
    table: ``default`` (the rows from the first free row, or None), unless a
    run of rows that starts further down lets more labels of the column
    find rows they are centred on (the others' rows follow from the
    first's); of those, the widest, then the closest."""
    choices = [c for c in choices if c != default]
    if not choices:
        return default
    blocks = [b for band in bands for b in band] + floating

    def placed(choice: tuple[float, int, int] | None) -> int:
        moved = [b.moved for b in blocks]
        n = _place_column(column, [list(band) for band in bands], list(floating), columns, centre_em, True, choice)
        for b, flag in zip(blocks, moved, strict=True):
            b.moved = flag
        return n

    least = placed(default) + 1
    best: tuple[tuple[int, int, float], tuple[float, int, int]] | None = None
    for choice in choices:
        n = placed(choice)
        key = (-n, choice[1] - choice[2], choice[0])
        if n >= least and (best is None or key < best[0]):
            best = (key, choice)
    return default if best is None else best[1]


def _carried_floor(ordered: list[list[Block]], column: int) -> float:
    """The top of the first row holding a block of the column right of ``column``."""
    return min((_extent(o)[0] for o in ordered if any(x.column == column + 1 and not x.hidden for x in o)),
               default=float("-inf"))


def _carried_choices(b: Block, ordered: list[list[Block]], start: int, floor: float, stop: float, floating: bool,
                     left: Sequence[float], centre_em: float) -> list[tuple[float, int, int]]:
    """The runs of rows (error, first, last) the first label of a column may
    head on a page that continues a table: a merged label cut by the page
    break is printed on the previous page only, so the page's leading rows
    with that column empty may be its rows.  A run starts at the first free
    row or further down, not above the first block of the column to the
    right (the rows above that are held by labels of the previous page),
    and ends before the column's next label."""
    out: list[tuple[float, int, int]] = []
    for s in range(start, len(ordered)):
        top = _extent(ordered[s])[0]
        if top > b.bottom:
            break
        if top < floor - 0.5 or not any(o.hidden or o.column > b.column for o in ordered[s] if o is not b):
            continue
        out.extend(_centred_runs(b, ordered, s, stop, floating, left, centre_em))
    return out


def _centred_runs(b: Block, ordered: list[list[Block]], first: int, stop: float, floating: bool,
                  left: Sequence[float], centre_em: float) -> list[tuple[float, int, int]]:
    """The runs of rows (error, first, last) from row ``first`` on that label
    ``b`` is centred on, top to bottom: each ends at or below the label's top
    and before ``stop`` (the middle of the column's next label; the first row
    always counts), its middle within ``centre_em`` em of the label's, and,
    for a label on a row with other cells (not ``floating``), nested in the
    column to its left (:func:`_nested`)."""
    top = _extent(ordered[first])[0]
    out: list[tuple[float, int, int]] = []
    for e in range(first, len(ordered)):
        bottom = _extent(ordered[e])[1]
        if bottom > stop and e > first:
            break
        if bottom < b.top:
            continue
        error = abs((top + bottom) / 2 - b.middle)
        if error <= centre_em * b.em and (floating or _nested(top, bottom, left)):
            out.append((error, first, e))
    return out


def _nested(top: float, bottom: float, left: Sequence[float]) -> bool:
    """Whether a label set on a row with other cells may be the merged cell
    of rows from ``top`` to ``bottom`` instead: a cell lies within one cell
    of the column to its left, so at most one block of that column is
    centred inside it.  (A label on a line of its own is merged over some
    rows in any case, and is placed without this test.)"""
    return sum(1 for m in left if top < m < bottom) <= 1


def _one_line(band: list[Block]) -> bool:
    return all(b.bottom - b.top <= 1.5 * b.em for b in band)


def _hidden_rows(bands: list[list[Block]], floating: list[Block]) -> list[list[Block]]:
    """Rows no cell of which is set on the row's own line: their only text is
    a label merged over them and the rows around, centred elsewhere.  Between
    two rows with numbers (which are set on their own line) and labels in
    the gap (and no other row set on its own line there: a heading row, a
    row holding a text that is no label), the room for whole one-line rows
    (a line and the gap one-line rows leave between them, as the table's
    rows show it: the closest two rows with numbers) holds that many rows:
    one empty band each."""
    ordered = sorted(bands, key=lambda band: _extent(band)[0])
    # rows holding a number are set on their own line (a label may sit between two rows)
    data = [band for band in ordered
            if len(band) > 1 and _one_line(band) and any(ch.isdigit() for b in band for ch in b.text)]
    heights = sorted(_extent(a)[1] - _extent(a)[0] for a in data)
    if len(data) < 2:
        return []
    line = heights[len(heights) // 2]
    gaps = [g for a, b in pairwise(data) if (g := _extent(b)[0] - _extent(a)[1]) > 0.1 * line]
    if not gaps:
        return []
    gap = min(gaps)  # the closest two rows are next to each other
    pitch = line + gap
    rows_with_numbers = {id(band) for band in data}
    labels = floating + [b for band in ordered if id(band) not in rows_with_numbers for b in band]
    columns = {b.column for band in bands for b in band} | {b.column for b in floating}
    # rows set on their own lines that are no data rows: a heading row, or a row holding a
    # text that is no label (a goal, a number on a row taller than a line)
    own = [_extent(band) for band in ordered if id(band) not in rows_with_numbers
           and (_heading_row(band) or any(not _is_label(b, columns) for b in band))]
    hidden: list[list[Block]] = []
    for a, b in pairwise(data):
        above, below = _extent(a)[1], _extent(b)[0]
        if not any(above < f.middle < below for f in labels):
            continue  # nothing between the rows: no row is hidden there
        if any(above < (top + bottom) / 2 < below for top, bottom in own):
            continue  # the room holds rows of its own: it is not whole rows of labels merged over them
        room = below - above - gap
        n = round(room / pitch)
        if n < 1 or abs(room - n * pitch) > 0.25 * line:
            continue
        first = above + gap + line / 2  # the middle of the first hidden row
        steps = [(f.middle - first) / (pitch / 2) for f in labels if above < f.middle < below]
        if any(abs(k - round(k)) * pitch / 2 > 0.25 * line for k in steps):
            continue  # a label off the rows' lines and the lines between them: not such rows
        em = min(o.em for o in a)
        for k in range(n):
            top = above + gap + k * pitch
            hidden.append([Block(-1, [], top, top + line, em, 0.0, hidden=True)])
    return hidden


def _heading_row(band: list[Block]) -> bool:
    """Column headings beside a label (four or more cells, no digit): the
    label heads its column too; it is not merged over the rows around."""
    return len(band) >= 4 and not any(ch.isdigit() for b in band for ch in b.text)


def _extent(band: list[Block]) -> tuple[float, float]:
    """Where a row is: its own blocks, not the labels moved onto it."""
    fixed = [b for b in band if not b.moved] or band
    return min(b.top for b in fixed), max(b.bottom for b in fixed)


def _starts_form(run: Run) -> bool:
    row = SourceRow((run.text,), 0)
    return is_title(row) or seq_of(row) is not None


def side_by_side(lines: Sequence[TextLine]) -> list[list[TextLine]]:
    """The lines of a page in strips, left to right, one per form where
    forms stand next to each other; ``[lines]`` when they do not.  A strip
    boundary is the widest gutter (an x-range no run of the page covers)
    between the left edges of two forms' title or 项目序号 runs that share a
    line."""
    side = [line for line in lines if len(line.runs) > 1 and sum(_starts_form(r) for r in line.runs) > 1]
    if not side:
        return [list(lines)]
    lefts = sorted(r.x0 for r in side[0].runs if _starts_form(r))
    spans = sorted((r.x0, _x1(r)) for line in lines for r in line.runs)
    cuts: list[float] = []
    for a, b in pairwise(lefts):
        best: tuple[float, float] | None = None  # (width, right end) of the widest gutter between a and b
        reach = a
        for x0, x1 in spans:
            if x1 <= a:
                continue
            if x0 > b:
                break
            if x0 > reach and (best is None or x0 - reach > best[0]):
                best = (x0 - reach, x0)
            reach = max(reach, x1)
        if best is None:
            return [list(lines)]  # no gutter: one form's runs reach into the other's
        cuts.append(best[1] - min(1.0, best[0] / 2))
    strips: list[list[TextLine]] = [[] for _ in range(len(cuts) + 1)]
    for line in lines:
        parts: list[list[Run]] = [[] for _ in strips]
        for r in line.runs:
            parts[bisect_right(cuts, r.x0)].append(r)
        for strip, runs in zip(strips, parts, strict=True):
            if runs:
                chars = [c for r in runs for c in r.chars]
                em = max(max(c["bottom"] - c["top"], 0.1) for c in chars)
                strip.append(TextLine(min(c["top"] for c in chars), max(c["bottom"] for c in chars), em, runs))
    return strips


def form_parts(lines: Sequence[TextLine]) -> list[list[TextLine]]:
    """The lines of a page cut where a form starts: at its title line, or
    at its 项目序号 line when no title is right above.  Forms printed one
    below another have columns of their own, so each part is read with its
    own column edges."""
    parts: list[list[TextLine]] = []
    titled = False  # the previous line started a part
    for line in lines:
        row = SourceRow(tuple(r.text for r in line.runs), 0)
        start = len(line.runs) == 1 and (is_title(row) or (seq_of(row) is not None and not titled))
        if start or not parts:
            parts.append([])
        parts[-1].append(line)
        titled = start and is_title(row)
    return parts


def unruled_rows(lines: Sequence[TextLine], anchors: Sequence[float],
                 continued: bool = False) -> list[tuple[float, list[str], bool]]:
    """Rows (top, cells, aligned) of a page without ruling lines: table rows
    with one position per column, and the other lines as they are;
    ``continued``: the lines continue the previous page's table."""
    blocks, marked = table_blocks(lines, anchors)
    out: list[_Row] = []
    for band in rows_of_blocks(blocks, continued=continued):
        cells = [""] * len(anchors)
        for b in sorted(band, key=lambda b: b.top):
            cells[b.column] = b.text if not cells[b.column] else cells[b.column] + b.text
        out.append(_Row(min(b.top for b in band), cells, True, band))
    for line, aligned in marked:
        if not aligned:
            out.append(_Row(line.top, [r.text for r in line.runs], False))
    out.sort(key=lambda r: r.top)
    return [(r.top, r.cells, r.aligned) for r in out]


def chars_to_baseline_lines(chars, tolerance_em: float = 0.2) -> list[list[dict]]:
    """Chars grouped into lines by their baseline (bottom edge): a label set
    between two rows is a line of its own, not a bridge joining them."""
    lines: list[list[dict]] = []
    last = None
    for c in sorted(chars, key=lambda c: (round(c["bottom"], 1), c["x0"])):
        size = max(c["bottom"] - c["top"], 0.1)
        if lines and last is not None and abs(c["bottom"] - last) <= tolerance_em * size:
            lines[-1].append(c)
        else:
            lines.append([c])
            last = c["bottom"]
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    return lines
