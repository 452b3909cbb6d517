"""Render seed forms to PDF with reportlab, in the printed layout.

The title, 项目序号 and 金额单位 lines sit above a ruled table whose label
cells are merged (see :func:`fixturegen.seed.derive_merges`); long cell text
wraps inside its cell.  Variants: one form per page or several, a forced
page break inside a form (with or without the table's first rows repeated
on the next page, as Word's "repeat header rows" does), no ruling lines, and
two fonts: the CID font STSong-Light (no font file) and the embedded
TrueType subset ``tests/fonts/NotoSansSC-subset.ttf``.

Wrapping breaks a line only where joining the pieces back (no space next to
a CJK character, one space between Latin words) gives the cell's text
exactly, so a correct reader returns the seed's rows unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from fixturegen.seed import ROOT, Form
from selfeval.extract.cells import join_pair

CID_FONT = "STSong-Light"
TTF_FONT = "NotoSansSC"
TTF_PATH = ROOT / "tests" / "fonts" / "NotoSansSC-subset.ttf"

A4_LANDSCAPE = landscape(A4)
A3_PORTRAIT = A3


def register_fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    if CID_FONT not in registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    if TTF_FONT not in registered:
        pdfmetrics.registerFont(TTFont(TTF_FONT, str(TTF_PATH)))


@dataclass(frozen=True)
class Style:
    font: str = CID_FONT
    size: float = 8.0
    leading: float = 10.0
    pad: float = 3.0
    ruled: bool = True
    valign: str = "middle"  # "middle" (centred in the cell, as Excel prints) or "top"
    page: tuple[float, float] = A4_LANDSCAPE
    margin: float = 36.0


@dataclass(frozen=True)
class Paging:
    new_page_per_form: bool = True
    break_before: dict[int, int] = field(default_factory=dict)  # form seq -> table row that starts a page
    repeat_rows: int = 0  # leading table rows repeated at the top of a continuation page
    repeat_block_header: bool = False  # repeat the heading row of the block (项目资金, 绩效指标) a break falls in


@dataclass
class _Cell:
    row: int
    col: int
    rows: int
    cols: int
    lines: list[str]


def wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` where a break can be undone."""
    if not text:
        return []
    lines: list[str] = []
    rest = text
    while pdfmetrics.stringWidth(rest, font, size) > width:
        best: tuple[str, str] | None = None
        for i in range(1, len(rest)):
            left, right = rest[:i].rstrip(), rest[i:].lstrip()
            if not left or not right:
                continue
            if pdfmetrics.stringWidth(left, font, size) > width:
                break
            if join_pair(left, right) == rest:
                best = (left, right)
        if best is None:
            break
        lines.append(best[0])
        rest = best[1]
    lines.append(rest)
    return lines


def _layout(form: Form, style: Style) -> tuple[list[float], list[float], list[_Cell]]:
    """Column widths, row heights and the drawable cells of a form's table."""
    usable = style.page[0] - 2 * style.margin
    natural = [28.0] * form.width
    for r, row in enumerate(form.rows):
        for c, text in enumerate(row):
            m = form.anchor(r, c)
            if text and (m is None or m.cols == 1):
                w = pdfmetrics.stringWidth(text, style.font, style.size) + 2 * style.pad
                natural[c] = max(natural[c], min(w, 150.0))
    scale = usable / sum(natural)
    widths = [w * scale for w in natural]
    cells: list[_Cell] = []
    for r, row in enumerate(form.rows):
        for c, text in enumerate(row):
            if form.covered(r, c):
                continue
            m = form.anchor(r, c)
            rows, cols = (m.rows, m.cols) if m else (1, 1)
            inner = sum(widths[c : c + cols]) - 2 * style.pad
            cells.append(_Cell(r, c, rows, cols, wrap(text, inner, style.font, style.size)))
    base = style.leading + 2 * style.pad
    heights = [base] * len(form.rows)
    for cell in sorted(cells, key=lambda x: x.rows):
        need = max(len(cell.lines), 1) * style.leading + 2 * style.pad
        have = sum(heights[cell.row : cell.row + cell.rows])
        if need > have:
            heights[cell.row + cell.rows - 1] += need - have
    return widths, heights, cells


class _Writer:
    def __init__(self, path: Path, style: Style):
        register_fonts()
        self.c = canvas.Canvas(str(path), pagesize=style.page)
        self.style = style
        self.y = style.page[1] - style.margin
        self.fresh = True

    def new_page(self) -> None:
        if not self.fresh:
            self.c.showPage()
        self.y = self.style.page[1] - self.style.margin
        self.fresh = True

    def room(self) -> float:
        return self.y - self.style.margin

    def text_line(self, text: str, size: float, centred: bool = False) -> None:
        s = self.style
        self.c.setFont(s.font, size)
        baseline = self.y - size
        if centred:
            self.c.drawCentredString(s.page[0] / 2, baseline, text)
        else:
            self.c.drawString(s.margin, baseline, text)
        self.y -= size * 1.6
        self.fresh = False

    def cell(self, x: float, top: float, w: float, h: float, lines: Sequence[str]) -> None:
        s = self.style
        if s.ruled:
            self.c.setLineWidth(0.5)
            self.c.rect(x, top - h, w, h, stroke=1, fill=0)
        if not lines:
            return
        self.c.setFont(s.font, s.size)
        block = len(lines) * s.leading
        first = top - (h - block) / 2 if s.valign == "middle" else top - s.pad
        for i, line in enumerate(lines):
            baseline = first - i * s.leading - (s.leading + s.size) / 2 + s.size * 0.12
            self.c.drawString(x + s.pad, baseline, line)
        self.fresh = False

    def save(self) -> None:
        self.c.showPage()
        self.c.save()


def render_pdf(forms: Sequence[Form], path: Path, style: Style = Style(), paging: Paging = Paging()) -> Path:
    """Write the forms to ``path``; returns ``path``."""
    w = _Writer(path, style)
    s = style
    for k, form in enumerate(forms):
        widths, heights, cells = _layout(form, style)
        preamble = (s.size + 4) * 1.6 + 2 * s.size * 1.6 + 4
        if k and (paging.new_page_per_form or w.room() < preamble + sum(heights[:4])):
            w.new_page()
        elif k:
            w.y -= 3 * s.size
        for i, line in enumerate(form.preamble):
            w.text_line(line, s.size + 4 if i == 0 else s.size, centred=i == 0)
        w.y -= 4
        xs = [s.margin + sum(widths[:c]) for c in range(form.width + 1)]
        pages: list[list[int]] = [[]]  # table rows per page
        y = w.y
        for r, h in enumerate(heights):
            forced = paging.break_before.get(form.seq) == r
            if (forced or y - h < s.margin) and pages[-1]:
                pages.append([])
                repeated = sum(heights[: paging.repeat_rows]) + (max(heights) if paging.repeat_block_header else 0)
                y = s.page[1] - s.margin - repeated
            pages[-1].append(r)
            y -= h
        for p, rows in enumerate(pages):
            if p:
                w.new_page()
                repeated = list(range(paging.repeat_rows))
                if paging.repeat_block_header:
                    repeated += [r for r in [_block_header(form, rows[0])] if r is not None]
                for r in repeated:
                    _draw_rows(w, form, cells, widths, heights, xs, [r], repeat=True)
            _draw_rows(w, form, cells, widths, heights, xs, rows)
    w.save()
    return path


def _block_header(form: Form, row: int) -> int | None:
    """The heading row (项目资金 or 绩效指标) of the block that ``row`` is in."""
    for r in range(row - 1, -1, -1):
        first = next((c for c in form.rows[r] if c), "")
        if first in ("项目资金", "绩效指标"):
            return r
        if first == "年度总体目标":
            return None
    return None


def _draw_rows(
    w: _Writer,
    form: Form,
    cells: list[_Cell],
    widths: list[float],
    heights: list[float],
    xs: list[float],
    rows: list[int],
    repeat: bool = False,
) -> None:
    """Draw the part of the table in ``rows`` (consecutive) at the cursor. A
    merged cell cut by a page break is drawn in each part, its text in the
    first part only."""
    top = w.y
    tops = {r: top - sum(heights[rows[0] : r]) for r in rows}
    first, last = rows[0], rows[-1]
    for cell in cells:
        lo, hi = cell.row, cell.row + cell.rows - 1
        if repeat:
            if cell.row not in rows:
                continue
            lo = hi = cell.row
        elif hi < first or lo > last:
            continue
        part_lo, part_hi = max(lo, first), min(hi, last)
        h = sum(heights[part_lo : part_hi + 1])
        x = xs[cell.col]
        width = sum(widths[cell.col : cell.col + cell.cols])
        text = cell.lines if part_lo == cell.row else []
        w.cell(x, tops[part_lo], width, h, text)
    w.y = top - sum(heights[first : last + 1])


A3_LANDSCAPE = landscape(A3)


def render_side_by_side(forms: Sequence[Form], path: Path, style: Style = Style(size=7.0, leading=9.0, ruled=False, page=A3_LANDSCAPE),
                        gutter: float = 24.0) -> Path:
    """Two forms next to each other on each page (the last page holds one
    when their number is odd), each in its half of the page with columns of
    its own, its title centred over its half; no form is broken."""
    w = _Writer(path, style)
    s = style
    half = (s.page[0] - 2 * s.margin - gutter) / 2
    for k in range(0, len(forms), 2):
        if k:
            w.new_page()
        for j, form in enumerate(forms[k : k + 2]):
            left = s.margin + j * (half + gutter)
            own = Style(s.font, s.size, s.leading, s.pad, s.ruled, s.valign, (2 * left + half, s.page[1]), left)
            w.style = own
            w.y = s.page[1] - s.margin
            widths, heights, cells = _layout(form, own)
            for i, line in enumerate(form.preamble):
                w.text_line(line, s.size + 4 if i == 0 else s.size, centred=i == 0)
            w.y -= 4
            if w.y - sum(heights) < s.margin:
                raise ValueError(f"form {form.seq} does not fit in its half of the page")
            xs = [left + sum(widths[:c]) for c in range(form.width + 1)]
            _draw_rows(w, form, cells, widths, heights, xs, list(range(len(heights))))
        w.style = s
    w.save()
    return path
