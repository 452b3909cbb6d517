"""PDF reader: pages of ruled (or unruled) forms to the grid.

Per page: pdfplumber finds the ruled tables (``vertical_strategy`` and
``horizontal_strategy`` "lines"); each char goes to the cell holding its
centre, a merged cell's text to its top-left grid position; the text outside
the tables (the title, 项目序号, 金额单位 lines) becomes rows of its own, in
reading order.  A page without ruling lines is read by text position
(:mod:`selfeval.extract.pdf_unruled`).

Across pages: a table that opens a page with no text above it continues the
table that ended the previous page, so it is put on that table's columns and
the header rows it repeats are dropped (counted as decoration).  Splitting
the rows into forms is not done here: the normalizer splits on 项目序号.

Bad input is reported, never raised: an encrypted, corrupt, truncated or
empty file is an ``unreadable_input`` finding naming the file (a page that
fails alone names its page, and the other pages are kept); a page whose text
layer is unusable ((cid:…) glyphs, U+FFFD, private-use code points, or a
scan with no text) is a ``no_text_layer`` finding with its page, and the
page is rendered and read by the OCR reader instead when OCR is installed.

The file is read from disk, its bytes are not held: it is opened once, its
page tree walked as the pages are read, each page closed once read, and
pdfminer's caches of the objects read so far emptied every
DEFAULT_PAGE_RANGE pages, so memory stays flat however long the file.  A
file that changes on disk while it is read keeps none of its forms
(:class:`selfeval.extract.text.ChangedWhileRead`).

Each page is read in two steps: :func:`extract_page` (parsing, char
cleaning, finding the ruled grids, or OCR) depends on the page alone and is
almost all of the time; :func:`apply_page` (placing the rows, continuing the
previous page's table) carries state from page to page and is cheap.  When
a pool is lent to the reader (``ctx.executor``, by the pipeline under
``--workers`` for long PDFs and for PDFs of several scanned pages), the
ranges are extracted in parallel and applied in order, giving the same
document as reading them one by one; a scanned page (no font: a picture)
is a range of its own, so the pages of a scanned document are OCR'd across
the pool.  The file's
deadline is checked after every page.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import resolve1
from pdfplumber.utils.exceptions import PdfminerException

from selfeval.extract import pdf_layout as lay
from selfeval.extract import pdf_unruled as unruled
from selfeval.extract.cells import trim_row
from selfeval.extract.context import ReadContext
from selfeval.extract.grid import Document, SourceRow, page_box
from selfeval.extract.limits import render_dpi
from selfeval.extract.ocr import Engines
from selfeval.extract.readers import Source
from selfeval.extract.text import ChangedWhileRead, file_stamp
from selfeval.findings import Finding, describe
from selfeval.settings import Settings

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
DEFAULT_PAGE_RANGE = 25  # pages read between two emptyings of the object caches; a lent pool's task
RANGES_AHEAD = 8  # page ranges handed to a lent pool before the first is taken
HEAD_ROWS = 3  # leading rows of a table that a continuation page may repeat
OCR_DPI = 200  # resolution a page without a text layer is rendered at for OCR


@dataclass
class PageExtract:
    """What one page says on its own: its cleaned chars and ruled grids, or,
    for a page without a usable text layer, the problem and the OCR result."""

    number: int
    chars: list[dict] = field(default_factory=list)
    grids: list = field(default_factory=list)
    problem: str | None = None
    ocr: tuple[list[SourceRow], list[Finding], str] | None = None
    size: tuple[float, float] | None = None  # the page's width and height in points


@dataclass
class PageRow:
    top: float
    cells: list[str]
    positional: bool = True
    grid: lay.Grid | None = None
    boxes: list | None = None  # each cell's box in page points, for ruled rows


@dataclass
class Carry:
    """What a page hands to the next: the columns of the table (ruled or not)
    it ended with, and the rows of that table a continuation may repeat: its
    leading rows (Word's and Excel's repeated header rows) and its header-like
    rows (a block's column headings)."""

    columns: list[float] | None = None
    ruled: bool = True
    head: list[tuple[str, ...]] = field(default_factory=list)
    headers: frozenset[tuple[str, ...]] = frozenset()

    def then(self, columns: list[float], ruled: bool, rows: list[PageRow], continued: bool) -> Carry:
        """The carry after a page whose last table has ``rows`` (on this page)."""
        kept = [trim_row(r.cells) for r in rows if not _blank(r)]
        headers = frozenset(r for r in kept if _header_like(r))
        if continued:
            return Carry(columns, ruled, self.head, self.headers | headers)
        return Carry(columns, ruled, kept[:HEAD_ROWS], headers)


def read_pdf(source: Source, ctx: ReadContext, on_disk: Path | None = None) -> Document:
    doc = stream_pdf(source, ctx, on_disk)
    if doc.stream is not None:
        rows = list(doc.stream)
        doc.rows, doc.stream = rows, None
    return doc


def stream_pdf(source: Source, ctx: ReadContext, on_disk: Path | None = None) -> Document:
    """The PDF's Document with its rows to come, page by page
    (``Document.stream``): only the pages being read are held.  ``lines``
    and the page findings are complete once the stream is exhausted.  The
    PDF is read from ``source.path``, or from ``on_disk`` when the source's
    bytes are not that file's (a presentation converted to PDF); messages
    name ``source.path``."""
    doc = Document(source.doc_id, str(source.path), kind="pdf")
    path = source.path
    disk = on_disk or path

    if b"%PDF-" not in source.data[:1024]:
        _unreadable(doc, f"{path}: not a PDF file (no %PDF- header); check that the file is what its name says")
        return doc
    try:
        stamp = file_stamp(disk)
        pictures = _pictures(disk)  # the page tree walked once: the count, and how to share pages out
    except OSError as exc:
        _unreadable(doc, f"{path}: cannot read the file ({describe(exc)}); check it exists and is readable")
        return doc
    except PdfminerException as exc:
        _unreadable(doc, _open_failure(path, exc))
        return doc
    count = len(pictures)
    if count == 0:
        _unreadable(doc, f"{path}: the PDF has no pages; export the form again")
        return doc
    last = count
    max_pages = ctx.limits.max_pages
    if count > max_pages:
        last = max_pages
        doc.findings.append(
            Finding(
                "limit_exceeded",
                f"{path}: {count} pages is over the {max_pages}-page limit; "
                f"pages {last + 1}-{count} were not read; raise --max-pages to read them",
            )
        )
    doc.stream = _page_rows(doc, _File(disk, stamp), last, pictures, ctx)
    return doc


@dataclass(frozen=True)
class _File:
    """The PDF being read: its path, and its size, modification time and
    inode when its reading began (checked at every opening and at the end)."""

    path: Path
    stamp: tuple

    def check(self) -> None:
        try:
            same = file_stamp(self.path) == self.stamp
        except OSError as exc:
            raise ChangedWhileRead(self.path, describe(exc)) from exc
        if not same:
            raise ChangedWhileRead(self.path)


@contextmanager
def _opened(path) -> Iterator[pdfplumber.PDF]:
    """The PDF at ``path``, read from disk as it is parsed.  Closed by
    closing the file: pdfplumber's ``PDF.close`` walks the whole page tree
    again (it rebuilds the page list it has just flushed, to close its
    pages); the pages read here are closed one by one as they are done."""
    with open(path, "rb") as fh:
        yield pdfplumber.PDF(fh, path=Path(path))


def _page_objects(pdf: pdfplumber.PDF) -> Iterator[PDFPage]:
    """The file's pages as its page tree is walked (a damaged tree raises
    PdfminerException, as pdfplumber's ``PDF.pages`` does)."""
    tree = PDFPage.create_pages(pdf.doc)
    while True:
        try:
            obj = next(tree, None)
        except Exception as exc:  # a damaged page tree raises whatever pdfminer met; it is reported
            raise PdfminerException(exc) from exc
        if obj is None:
            return
        yield obj


def _pages(pdf: pdfplumber.PDF, first: int, last: int) -> Iterator[pdfplumber.page.Page]:
    """Pages ``first``..``last`` of ``pdf``, each made as the page tree is
    walked to it (``PDF.pages`` makes every page of the file, walking the
    whole tree), numbered and placed (``doctop``) as ``pdfplumber.open(...,
    pages=range(first, last + 1)).pages`` places them."""
    doctop = 0
    for number, obj in enumerate(_page_objects(pdf), 1):
        if number > last:
            return
        if number >= first:
            page = pdfplumber.page.Page(pdf, obj, page_number=number, initial_doctop=doctop)
            doctop += page.height
            yield page


def _empty_caches(pdf: pdfplumber.PDF) -> None:
    """Forget the objects and fonts read so far from the open file:
    pdfminer keeps every object it has parsed (page dictionaries, content
    streams) for the document's life, and pdfplumber's resource manager
    every font.  Read again if a later page needs them."""
    for name in ("_cached_objs", "_parsed_objs"):  # PDFDocument's caches (pdfminer.six has no call to empty them)
        cache = getattr(pdf.doc, name, None)
        if isinstance(cache, dict):
            cache.clear()
    pdf.rsrcmgr = PDFResourceManager()


def _unreadable(doc: Document, message: str, page: int | None = None) -> None:
    doc.readable = False
    doc.findings.append(Finding("unreadable_input", message, page=page))


def _page_rows(doc: Document, file: _File, last: int, pictures: list[bool], ctx: ReadContext) -> Iterator[SourceRow]:
    carry = Carry()
    for number, extract in _extracts(file, last, pictures, ctx):
        ctx.check()
        if extract is None:
            _unreadable(doc, f"{doc.source_path}: page {number} cannot be read (damaged or truncated file); "
                        "re-export the PDF", number)
            carry = Carry()
            continue
        carry = apply_page(doc, extract, carry)
        ctx.page_done(doc.doc_id, number, last)
        rows, doc.rows = doc.rows, []
        yield from rows
    file.check()  # the rows came from the file that was hashed


def page_count(path) -> int:
    """Pages of the PDF at ``path`` (raises for a file that is not a readable PDF)."""
    return len(_pictures(path))  # counted from the page tree without parsing a page


def _pictures(path) -> list[bool]:
    """For each page of the file, whether it is a picture of a page (a
    scan): no font in its resources, so the OCR reader will read it.  Taken
    from the page tree, no page parsed.  A guess that only decides how pages
    are shared out on a lent pool (a picture alone, the others in ranges),
    never what is read: a page whose fonts are further down (a form
    XObject's own) counts as a picture, and is read as any other page."""
    with _opened(path) as pdf:
        return [not _has_fonts(page) for page in _page_objects(pdf)]


def _has_fonts(page: PDFPage) -> bool:
    try:
        resources = resolve1(page.resources) or {}
        return bool(resolve1(resources.get("Font"))) if isinstance(resources, dict) else True
    except Exception:  # noqa: BLE001 - a damaged resource dictionary: a text page, as far as sharing out goes
        return True


def worth_sharing(path, long_pages: int, long_bytes: int) -> bool:
    """Whether the pages of the PDF at ``path`` are worth sharing out on a
    pool: more than ``long_pages`` pages (counted only in a file of
    ``long_bytes`` or more), or two or more pictures (:func:`_pictures`);
    the file read and its page tree walked once.  False for anything that
    is not a readable PDF (it is reported when it is read)."""
    try:
        size = os.stat(path).st_size
        pictures = _pictures(path)
    except (OSError, PdfminerException):
        return False
    return (size >= long_bytes and len(pictures) > long_pages) or sum(pictures) > 1


def _open_failure(path: object, exc: PdfminerException) -> str:
    cause = exc.args[0] if exc.args else exc
    if isinstance(cause, PDFPasswordIncorrect):
        return f"{path}: the PDF is encrypted with a password; save an unprotected copy and read that"
    if isinstance(cause, PDFEncryptionError):
        return f"{path}: the PDF is encrypted in a way that cannot be opened ({describe(cause)}); save an unprotected copy"
    return f"{path}: the PDF is damaged or truncated ({describe(cause)}); re-export or re-download it"


def _extracts(file: _File, last: int, pictures: list[bool], ctx: ReadContext) -> Iterator[tuple[int, PageExtract | None]]:
    """(page number, its extract or None when the page cannot be parsed) for
    pages 1..last, in order: on the lent pool when there is one and the file
    has several ranges (``pictures``: :func:`_pictures` of the file), a
    range a task, else here, one page at a time in one opening of the file."""
    pool = ctx.executor
    ranges = _ranges(last, pictures if pool is not None else [])
    if pool is None or len(ranges) < 2:
        file.check()
        yield from _extract_pages(file.path, 1, last, ctx)
        return
    futures: deque = deque()
    ahead = iter(ranges)
    try:
        for numbers in ahead:  # at most RANGES_AHEAD ranges submitted and not taken: their pages wait in memory
            file.check()
            futures.append(pool.submit(extract_range, file.path, numbers, ctx.settings))
            if len(futures) >= RANGES_AHEAD:
                yield from futures.popleft().result()
        while futures:
            yield from futures.popleft().result()
    finally:
        for future in futures:
            future.cancel()


def _ranges(last: int, pictures: list[bool]) -> list[list[int]]:
    """Pages 1..last in the ranges shared out on a lent pool: at most
    DEFAULT_PAGE_RANGE pages each, a picture page (``pictures``, by page) a
    range of its own, so that the scans of a document are OCR'd across a
    lent pool."""
    ranges: list[list[int]] = []
    current: list[int] = []
    for number in range(1, last + 1):
        alone = number <= len(pictures) and pictures[number - 1]
        if current and (alone or len(current) == DEFAULT_PAGE_RANGE):
            ranges.append(current)
            current = []
        current.append(number)
        if alone:
            ranges.append(current)
            current = []
    if current:
        ranges.append(current)
    return ranges


def extract_range(path: Path, numbers: list[int], settings: Settings,
                  engines: Engines | None = None) -> list[tuple[int, PageExtract | None]]:
    """Extract pages ``numbers`` (consecutive) of the PDF at ``path`` (a
    process pool's task: arguments and result pickle).  ``engines``: the OCR engines of the process it runs in (a
    worker of :class:`selfeval.workers.WorkerPool` hands its own in, built
    once for all its tasks); without them, a registry for this range."""
    return list(_extract_pages(path, numbers[0], numbers[-1], ReadContext.of(settings, engines=engines)))


extract_range.takes_engines = True  # type: ignore[attr-defined]  # a worker passes its own registry


def _extract_pages(path: Path, first: int, last: int, ctx: ReadContext) -> Iterator[tuple[int, PageExtract | None]]:
    """Pages ``first``..``last`` in one opening of the file, each parsed
    (None when it cannot be), extracted and closed; the object caches
    emptied every DEFAULT_PAGE_RANGE pages, so that none grows with the file."""
    with _opened(path) as pdf:
        for page in _pages(pdf, first, last):
            try:
                page.objects  # noqa: B018 - parses the page; damage shows here
            except Exception:  # pdfminer raises many kinds for a damaged page; it is reported
                extract = None
            else:
                extract = extract_page(page, ctx)
            finally:
                page.close()
            number = page.page_number
            del page
            if (number - first + 1) % DEFAULT_PAGE_RANGE == 0:
                _empty_caches(pdf)
            yield number, extract


def extract_page(page: pdfplumber.page.Page, ctx: ReadContext) -> PageExtract:
    """The part of reading a page that depends on the page alone."""
    number = page.page_number
    chars = lay.dedupe_chars(page.chars)
    problem = lay.page_text_problem(chars, page.images, page.bbox)
    if problem:
        return PageExtract(number, problem=problem, ocr=ocr_page(page, ctx))
    return PageExtract(number, chars=chars, grids=_find_grids(page), size=(float(page.width), float(page.height)))


def apply_page(doc: Document, extract: PageExtract, carry: Carry) -> Carry:
    """Add one page's rows to ``doc``, continuing the previous page's table."""
    number = extract.number
    if extract.problem:
        assert extract.ocr is not None
        rows, findings, outcome = extract.ocr
        doc.findings.append(
            Finding("no_text_layer", f"{doc.source_path}: page {number}: {extract.problem}; {outcome}", page=number)
        )
        doc.rows.extend(rows)
        doc.findings.extend(findings)
        doc.lines += sum(1 for r in rows if not r.is_blank())
        return Carry()
    if extract.grids:
        rows, dropped, carry = _ruled_rows(extract.chars, extract.grids, carry)
    else:
        rows, dropped, carry = _unruled_rows(extract.chars, carry)
    _emit(doc, rows, dropped, number, extract.size)
    return carry


def ocr_page(page: pdfplumber.page.Page, ctx: ReadContext) -> tuple[list[SourceRow], list[Finding], str]:
    """A page without a usable text layer, rendered and read by the OCR
    reader: its rows, their low-confidence findings, and what happened (for
    the ``no_text_layer`` message)."""
    try:
        from selfeval.extract.image import low_confidence_findings, ocr_page_image
        from selfeval.extract.ocr import EngineUnavailable
    except ImportError as exc:
        return [], [], f"its text is lost: OCR is not installed ({describe(exc)}); install selfeval[ocr] and run again"
    dpi = render_dpi(float(page.width), float(page.height), OCR_DPI, ctx.max_ocr_pixels)
    try:
        image = page.to_image(resolution=dpi).original
    except Exception as exc:  # the renderer rejects a damaged page in its own ways; reported
        return [], [], f"its text is lost: the page cannot be rendered for OCR ({describe(exc)})"
    try:
        rows = ocr_page_image(image, page.page_number, ctx)
    except EngineUnavailable as exc:
        return [], [], f"its text is lost: OCR is not available ({describe(exc)})"
    outcome = "read by OCR instead (check its low_confidence findings)"
    if dpi < OCR_DPI:
        outcome += (f"; rendered at {dpi:g} dpi, not {OCR_DPI}, to stay within "
                    f"{ctx.max_ocr_pixels / 1e6:g} Mpx (--max-ocr-mpx)")
    return rows, low_confidence_findings(rows, ctx), outcome


def _find_grids(page: pdfplumber.page.Page) -> list[lay.Grid]:
    objects = page.objects
    if not (objects.get("rect") or objects.get("line") or objects.get("curve")):
        return []
    tables = page.find_tables(TABLE_SETTINGS)
    grids = [lay.cells_to_grid(t.cells) for t in tables if len(t.cells) > 1]
    return sorted(grids, key=lambda g: (g.bbox[1], g.bbox[0]))


def _ruled_rows(
    chars: list[dict], grids: list[lay.Grid], carry: Carry
) -> tuple[list[PageRow], set[int], Carry]:
    loose = lay.assign_chars(chars, grids)
    text_rows = [
        PageRow(line.top, [r.text for r in line.runs], len(line.runs) == 1)
        for line in lay.lines_to_text_lines(lay.chars_to_lines(loose))
    ]
    first = grids[0]
    continues = False
    if carry.ruled and carry.columns is not None and not any(t.top < first.bbox[1] for t in text_rows):
        continues = first.remap_columns(carry.columns)
    rows = sorted(
        text_rows + [PageRow(top, cells, True, g, boxes) for g in grids
                     for (top, cells), boxes in zip(lay.grid_to_rows(g), lay.grid_row_boxes(g), strict=True)],
        key=lambda r: r.top,
    )
    dropped = _repeated_rows(rows, carry) if continues else set()
    last_grid = next((r.grid for r in reversed(rows) if not _blank(r)), None)
    if last_grid is None:
        return rows, dropped, Carry()
    table = [r for i, r in enumerate(rows) if r.grid is last_grid and i not in dropped]
    return rows, dropped, carry.then(last_grid.columns, True, table, continues and last_grid is first)


def _unruled_rows(chars: list[dict], carry: Carry) -> tuple[list[PageRow], set[int], Carry]:
    lines = lay.lines_to_text_lines(unruled.chars_to_baseline_lines(chars))
    table: list[int] = []  # the aligned rows that end the page
    rows: list[PageRow] = []
    continues = False
    anchors: list[float] = []
    parts = [part for strip in unruled.side_by_side(lines) for part in unruled.form_parts(strip)]
    for k, part in enumerate(parts):  # each form on the page has its own columns
        anchors = lay.column_anchors(part)
        split = [unruled.split_at_columns(line, anchors) for line in part]
        if any(a is not b for a, b in zip(split, part, strict=True)):
            part = split
            anchors = lay.column_anchors(part)
        if k == 0:
            continues = (
                not carry.ruled
                and carry.columns is not None
                and bool(part)
                and all(lay.nearest_index(carry.columns, a) is not None for a in anchors)
                and all(lay.nearest_index(carry.columns, r.x0) is not None for r in part[0].runs)
            )
            if continues:
                anchors = list(carry.columns)  # type: ignore[arg-type]
        for top, cells, aligned in unruled.unruled_rows(part, anchors, continued=k == 0 and continues):
            table = table + [len(rows)] if aligned else []
            rows.append(PageRow(top, cells, aligned or len(cells) == 1))
    dropped = _repeated_rows(rows, carry) if continues else set()
    if not table:
        return rows, dropped, Carry(None, False)
    tail = [rows[i] for i in table if i not in dropped]
    return rows, dropped, carry.then(anchors, False, tail, continues and len(table) == len(rows))


def _repeated_rows(rows: list[PageRow], carry: Carry) -> set[int]:
    """Indexes of the leading rows of a continuation page that repeat rows of
    the continued table: its leading rows in order, or a header-like row of
    it (a block's headings).  Only rows with two or more cells count."""
    dropped: set[int] = set()
    k = 0
    for i, r in enumerate(rows):
        if _blank(r):
            continue
        cells = trim_row(r.cells)
        if sum(1 for c in cells if c) < 2:
            break
        if k < len(carry.head) and cells == carry.head[k]:
            k += 1
        elif cells not in carry.headers:
            break
        dropped.add(i)
    return dropped


def _header_like(cells: tuple[str, ...]) -> bool:
    """Column headings: three or more cells and no digit (data rows of a
    form carry numbers: weights, scores, amounts)."""
    return sum(1 for c in cells if c) >= 3 and not any(ch.isdigit() for c in cells for ch in c)


def _blank(row: PageRow) -> bool:
    return not any(row.cells)


def _emit(doc: Document, rows: list[PageRow], dropped: set[int], page: int,
          size: tuple[float, float] | None = None) -> None:
    for i, r in enumerate(rows):
        if _blank(r):
            continue
        doc.lines += 1
        if i in dropped:
            doc.decoration += 1
            continue
        cells = trim_row(r.cells)
        boxes = None
        if r.boxes is not None and size:
            boxes = tuple(None if b is None else page_box(b, *size) for b in r.boxes[:len(cells)])
        doc.rows.append(SourceRow(cells, line=i + 1, page=page, positional=r.positional, boxes=boxes))
