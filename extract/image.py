"""Scanned pages (PNG, JPEG, TIFF; image-only PDF pages) to rows of cells by OCR.

Each page goes through :mod:`selfeval.extract.ocr.page` (seal removal,
deskew), :mod:`selfeval.extract.ocr.table` (ruling lines, cells) and one
OCR engine call.  The rows come out in
the shape of a pasted copy of the printed form: a merged cell's text in its
top-left position with the covered positions empty, and lines outside the
table (title, 项目序号, 金额单位) as one-cell rows.  Every cell carries its OCR
confidence (``SourceRow.confidence``: the lowest engine score of the text
pieces read into it, see :func:`~selfeval.extract.ocr.table.cell_confidence`).
An empty cell holding ink that no text box covers (a digit under the seal)
gets confidence 0; a read cell beside such ink at most 0.5; an empty cell
without ink none.  Each cell below ``settings.ocr_confidence_threshold``
(0.90 by default) is reported as a ``low_confidence`` finding with its page,
row, column and text (the pipeline moves those of a form's cells onto the
form, naming the field), so a reviewer checks only those.  Readings are never
changed here, with one exception: the printed '—' placeholder, which OCR
reads as 一, - or ー or misses (then it is recognised by its shape), is
written as '—'.

``ocr_page_image`` is the entry point for other readers (an image-only PDF
page rendered to a picture).
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections import deque

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from selfeval.extract.context import ReadContext
from selfeval.extract.grid import Document, SourceRow, empty_cell_doubt, page_box
from selfeval.extract.limits import downscale_size, pixels_problem
from selfeval.extract.ocr import Engines, EngineUnavailable, OcrEngine
from selfeval.extract.ocr.glyphs import read_under_seal
from selfeval.extract.ocr.page import binarize, cut_by_seal, prepare_page, turn_over, upside_down
from selfeval.extract.ocr.table import (
    RowOut,
    boxes_to_rows,
    credible_grid,
    erase_lines,
    faint_ink,
    find_lines,
    hold_broken_rules,
    join_texts_cut_apart,
    lines_to_tables,
    mark_rect,
    paper_level,
    ruling_width,
    seal_ink,
    text_position_rows,
    unread_marks,
    without_grey_seal,
)
from selfeval.extract.readers import Source
from selfeval.findings import Finding, describe
from selfeval.settings import Settings

_REDUCIBLE = frozenset({"L", "LA", "RGB", "RGBA", "CMYK", "I", "F"})  # modes resized as they are
_DASHES = re.compile(r"^[一—–―─‐\-－ー_＿~～]{1,3}$")
PLACEHOLDER = "—"
_PLACEHOLDERS = {"—", "——", "---"}  # as printed; the contract reads all of them as null


def read_image(source: Source, ctx: ReadContext) -> Document:
    """An image file (every frame of a multi-page TIFF) read by OCR.

    The image's size is taken from its header and checked against
    ``ctx.limits.max_image_pixels`` (``--max-image-mpx``) before anything is
    decoded.  Pillow's own (process-wide) bomb limit is never changed: its
    warning is silenced while the header is read, since the check here is
    the one that counts, and an image over its hard limit is measured from
    its header without it.  With a pool lent (``ctx.executor``: the pipeline
    lends its workers to a TIFF of several pages), each frame is read by a
    task of the pool (:func:`read_frame`, with the worker's own engines),
    the frames taken in order: the same document as reading them here."""
    doc = Document(source.doc_id, str(source.path), kind="image")
    limit = ctx.limits.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(source.data))
        frames = getattr(img, "n_frames", 1)
    except Image.DecompressionBombError as exc:
        size = _header_size(source.data)
        problem = pixels_problem(*size, limit) if size else None
        return _over_limit(doc, source, problem or f"its header declares an image over Pillow's limit ({describe(exc)})")
    except (UnidentifiedImageError, OSError) as exc:
        return doc.refuse(f"{source.path}: not a readable image ({describe(exc)}); re-export it as PNG or JPEG")
    if frames > ctx.max_pages:
        doc.findings.append(
            Finding(
                "limit_exceeded",
                f"{source.path}: {frames} pages, only the first {ctx.max_pages} are read; raise --max-pages to read all",
                doc_id=source.doc_id,
            )
        )
    too_big = pixels_problem(*img.size, limit)  # from the header: nothing decoded yet
    if too_big:
        return _over_limit(doc, source, too_big)
    pages = min(frames, ctx.max_pages)
    try:
        for number, rows, findings, read in _frames(img, source, pages, ctx):
            doc.rows.extend(rows)
            doc.findings.extend(findings)
            if read:
                ctx.page_done(source.doc_id, number, pages)
    except EngineUnavailable as exc:
        return doc.refuse(f"{source.path}: {describe(exc)}")
    doc.lines = sum(1 for r in doc.rows if not r.is_blank())
    return doc


FRAMES_AHEAD = 4  # frames handed to a lent pool before the first is taken


def _frames(img: Image.Image, source: Source, pages: int, ctx: ReadContext):
    """(page number, rows, findings, whether it was read) for frames 1..pages, in order: on the
    lent pool (``ctx.executor``) one frame a task when there are several,
    else here, with the context's engine (EngineUnavailable is raised before
    any frame is read here, from the first frame's task on a pool)."""
    pool = ctx.executor
    if pool is None or pages < 2:
        engine = ctx.engines.get()
        for index in range(pages):
            ctx.check()
            yield index + 1, *_frame(img, index, source.path, source.doc_id, ctx, engine)
        return
    futures: deque = deque()
    try:
        for index in range(pages):
            futures.append((index + 1, pool.submit(read_frame, source.data, index, str(source.path), source.doc_id,
                                                   ctx.settings)))
            if len(futures) >= FRAMES_AHEAD:
                ctx.check()
                number, future = futures.popleft()
                yield number, *future.result()
        while futures:
            ctx.check()
            number, future = futures.popleft()
            yield number, *future.result()
    finally:
        for _, future in futures:
            future.cancel()


def read_frame(data: bytes, index: int, path: str, doc_id: str, settings: Settings,
               engines: Engines | None = None) -> tuple[list[SourceRow], list[Finding], bool]:
    """Frame ``index`` of an image file read by OCR (a process pool's task:
    arguments and result pickle).  ``engines``: the OCR engines of the
    process it runs in (a worker of :class:`selfeval.workers.WorkerPool`
    hands its own in, built once for all its tasks)."""
    ctx = ReadContext.of(settings, engines=engines)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        img = Image.open(io.BytesIO(data))
    return _frame(img, index, path, doc_id, ctx, ctx.engines.get())


read_frame.takes_engines = True  # type: ignore[attr-defined]  # a worker passes its own registry


def _frame(img: Image.Image, index: int, path: object, doc_id: str, ctx: ReadContext,
           engine: OcrEngine) -> tuple[list[SourceRow], list[Finding], bool]:
    """One frame's rows, findings and whether it was read (a frame over the
    pixel limit is not: no rows, its finding)."""
    img.seek(index)
    too_big = pixels_problem(*img.size, ctx.limits.max_image_pixels)
    if too_big:
        return [], [Finding("limit_exceeded", f"{path}: page {index + 1}: {too_big}; not read; "
                            "raise --max-image-mpx to read it", page=index + 1, doc_id=doc_id)], False
    rows = ocr_page_image(img, index + 1, ctx, engine=engine)
    return rows, low_confidence_findings(rows, ctx, doc_id), True


def frame_count(path) -> int:
    """Frames (pages) of the image at ``path``, from its header; 0 for a file
    that is not a readable image (it is reported when it is read)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                return getattr(img, "n_frames", 1)
    except Exception:  # noqa: BLE001 - PIL raises many kinds for a damaged or huge image
        return 0


def _header_size(data: bytes) -> tuple[int, int] | None:
    """The size an image's header declares, read by Pillow's format plugins
    directly (no bomb check, nothing decoded); None when no plugin reads it."""
    Image.init()
    for fmt in Image.ID:
        factory, accept = Image.OPEN[fmt]
        if accept and not accept(data[:16]):
            continue
        try:
            return factory(io.BytesIO(data), None).size
        except Exception:  # noqa: BLE001 - a plugin that does not read this header: try the next
            continue
    return None


def _over_limit(doc: Document, source: Source, problem: str) -> Document:
    doc.readable = False
    doc.rows.clear()
    doc.findings.append(Finding(
        "limit_exceeded", f"{source.path}: {problem}; nothing of it was read; raise --max-image-mpx to read it",
        doc_id=source.doc_id))
    return doc


def ocr_page_image(image: Image.Image, page_no: int, settings: ReadContext | Settings,
                   engine: OcrEngine | None = None) -> list[SourceRow]:
    """One page picture to rows of cells with confidences (``line`` = row on the page).
    A picture over ``settings.max_ocr_pixels`` is scaled down to within it
    first (before any colour conversion)."""
    size = downscale_size(*image.size, settings.max_ocr_pixels)
    if size != image.size:
        if image.mode not in _REDUCIBLE:
            image = image.convert("L" if image.mode == "1" else "RGB")
        image = image.resize(size, Image.Resampling.BOX)
    rgb = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    out: list[SourceRow] = []
    height, width = rgb.shape[:2]
    if engine is None:
        engine = settings.engines.get() if isinstance(settings, ReadContext) else Engines().get()
    for row in read_page(rgb, engine):
        cells = tuple(_placeholder(c.text) for c in row.cells)
        if not any(cells) and all(c.confidence is None for c in row.cells):
            continue
        conf = tuple(None if c.confidence is None else round(c.confidence, 4) for c in row.cells)
        boxes = None  # on the deskewed page: within a few pixels of the scan for a skew of a few degrees
        if row.boxes is not None:
            boxes = tuple(None if b is None else page_box(b, width, height) for b in row.boxes)
        out.append(SourceRow(cells, line=len(out) + 1, page=page_no, confidence=conf, boxes=boxes))
    return out


def read_page(rgb: np.ndarray, engine: OcrEngine) -> list[RowOut]:
    """The stages for one page: prepare, find the tables, OCR once, place the text."""
    page = prepare_page(rgb)
    horizontal, vertical = find_lines(page.binary, page.unit)
    tables = lines_to_tables(horizontal, vertical, page.unit, page.binary)
    if tables and upside_down(page.binary, tables[0].ys[0], tables[-1].ys[-1], page.unit):
        page = turn_over(page)
        horizontal, vertical = find_lines(page.binary, page.unit)
        tables = lines_to_tables(horizontal, vertical, page.unit, page.binary)
    clean = erase_lines(page.gray, horizontal, vertical, tables)
    boxes = cut_by_seal(engine.recognize(clean), page.black_seal)
    if page.black_seal is not None:  # numbers the seal's removal cut, read again by the page's own type
        boxes = read_under_seal(boxes, binarize(clean), page.black_seal.removed, page.unit)
    if not tables:
        return text_position_rows(boxes, page.unit)
    tables = join_texts_cut_apart(hold_broken_rules(tables, page.binary, boxes, page.unit), page.binary, boxes, page.unit)
    if not credible_grid(tables, boxes, page.unit):  # rulings lost: the text's own positions place it
        return text_position_rows(boxes, page.unit, tables)
    # ink nothing read is looked for on the page with its lines painted in the paper's own
    # level: painted white on a grey (shadowed, photographed) page, their edges binarize as ink
    bare = erase_lines(page.gray, horizontal, vertical, tables, paper_level(page.gray, page.unit))
    ink = without_grey_seal(bare, binarize(bare), boxes, page.seal)
    faint = faint_ink(bare, ink, boxes)
    marks = [m for m in unread_marks(ink, boxes, page.unit) if not seal_ink(m, ink, page.colour) and not faint(m)]
    covered = None if page.black_seal is None else page.black_seal.letters
    return boxes_to_rows(tables, boxes, page.unit, marks, ruling_width(page.binary, horizontal, vertical), covered,
                         _mark_reader(engine, clean, page))


def _mark_reader(engine: OcrEngine, clean: np.ndarray, page):
    """mark -> (text, score): the recognizer alone on a mark the detector left out,
    on the image the engine read (see ``boxes_to_rows``); None for an engine that
    cannot read a rectangle alone.  Marks inside a seal's ring or a grey seal's
    patches are not read: what the seal's removal left there reads as '1' or '、'."""
    read = getattr(engine, "read_marks", None)
    if read is None:
        return None
    rings = page.black_seal.rings if page.black_seal is not None else ()

    def reader(mark: tuple[float, float, float, float]) -> tuple[str, float]:
        cx, cy = (mark[0] + mark[2]) / 2, (mark[1] + mark[3]) / 2
        if any(math.hypot(cx - r.cx, cy - r.cy) <= r.radius + r.width for r in rings):
            return "", 0.0
        if page.seal is not None and page.seal.mask[round(cy), round(cx)]:
            return "", 0.0
        return read(clean, [mark_rect(mark, page.unit)])[0]

    return reader


def _placeholder(text: str) -> str:
    text = text.strip()
    return PLACEHOLDER * len(text) if text not in _PLACEHOLDERS and _DASHES.match(text) else text


def low_confidence_findings(rows: list[SourceRow], settings: ReadContext | Settings, doc_id: str = "") -> list[Finding]:
    """One ``low_confidence`` finding per non-empty cell read below the threshold."""
    out = []
    threshold = settings.ocr_confidence_threshold
    for row in rows:
        for col, (text, conf) in enumerate(zip(row.cells, row.confidence or (None,) * len(row.cells), strict=True)):
            if conf is not None and conf < threshold:
                what = (
                    f"OCR read {text!r} with confidence {conf:.3f} (below {threshold:.3f})" if text
                    else empty_cell_doubt(conf)
                )
                out.append(
                    Finding(
                        "low_confidence",
                        f"page {row.page}, row {row.line}, column {col + 1}: {what}; check it against the scan",
                        line=row.line,
                        page=row.page,
                        doc_id=doc_id,
                        text=text,
                    )
                )
    return out
