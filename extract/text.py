"""Pasted text to rows of cells.

The same forms arrive in three shapes, detected per document:

``tab``     cells separated by tabs (copied from a spreadsheet or an HTML
            table in most browsers): the main shape, empty cells kept;
``pipe``    markdown pipe tables (``| a |  | b |``), empty cells kept, the
            ``|---|---|`` separator lines are decoration;
``spaces``  cells separated by runs of two or more spaces (copied from a web
            page or a text dump).  A run of 2k spaces between two cells is
            read as k-1 empty cells between them (2k at the start of a line:
            k empty cells), so a table whose empty cells were padded keeps its
            columns; where the padding was lost, positions are only a hint
            (``SourceRow.positional`` is False) and the row repair places the
            cells by their content.

Some text has lost its cell boundaries (:func:`lost_boundaries`): runs of
2–4 spaces where one tab was (``runs``: odd-length runs, so the padding rule
above does not hold), or no separator at all (``words``: cells one space
apart, one cell per line, a whole form on one line, a PDF viewer's copy).
The document says so in ``Document.shape``; such rows are re-segmented
downstream by the token reader (``selfeval.normalize.tokens``), which knows
the vocabulary.

Markdown heading marks (``## ``) are decoration and are removed.  Lines
outside tables become one-cell rows.  Every non-blank line becomes a row or
is counted as decoration, so the pipeline can account for every line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

from selfeval.extract.cells import join_lines
from selfeval.extract.decode import decode_bytes
from selfeval.extract.grid import Document, SourceRow
from selfeval.extract.readers import Source
from selfeval.findings import Finding
from selfeval.settings import Settings

_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_SPACE_RUN = re.compile(r" {2,}")


def detect_shape(lines: Iterable[str]) -> str:
    """``pipe``, ``tab`` or ``spaces``: how this document separates cells."""
    pipe = tab = spaces = 0
    for line in lines:
        stripped = line.strip()
        if stripped.endswith("|") and stripped.count("|") >= (3 if stripped.startswith("|") else 2):
            pipe += 1  # | a | b |, or a | b | (a web page's rendering without the leading bar)
        if "\t" in line:
            tab += 1
        elif _SPACE_RUN.search(stripped):
            spaces += 1
    if pipe >= 3 and pipe >= tab:
        return "pipe"
    if tab:
        return "tab"
    if spaces:
        return "spaces"
    return "tab"


def lost_boundaries(lines: Iterable[str], shape: str) -> str | None:
    """``runs`` or ``words`` when the document's cell boundaries are lost
    (see the module docstring), else None."""
    if shape == "pipe":
        return None
    if shape == "tab":  # one pass: ``lines`` may be an iterator
        tabs = filled = False
        for line in lines:
            if "\t" in line:
                tabs = True
                break
            filled = filled or bool(line.strip())
        return "words" if not tabs and filled else None
    odd = sum(1 for line in lines for m in _SPACE_RUN.finditer(line.strip()) if len(m.group()) % 2)
    return "runs" if odd else None


def split_pipe(line: str) -> tuple[str, ...] | None:
    """Cells of a markdown table row, or None for a line that is not one."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        inner = stripped[1:-1] if stripped.endswith("|") else stripped[1:]
    elif stripped.endswith("|") and stripped.count("|") >= 2:
        inner = stripped[:-1]
    else:
        return None
    parts = re.split(r"(?<!\\)\|", inner)
    return tuple(p.replace("\\|", "|").strip() for p in parts)


def split_spaces(line: str) -> tuple[str, ...]:
    """Cells separated by runs of 2+ spaces; a run of 2k spaces stands for
    k-1 empty cells between two cells (k at the start of the line)."""
    cells: list[str] = []
    pos = 0
    body = line.rstrip()
    for match in _SPACE_RUN.finditer(body):
        run = len(match.group())
        if match.start() == 0:
            cells.extend([""] * (run // 2))
        else:
            cells.append(body[pos : match.start()].strip())
            cells.extend([""] * max(run // 2 - 1, 0))
        pos = match.end()
    cells.append(body[pos:].strip())
    return tuple(cells)


_CELL = re.compile(r"\S+(?: \S+)*")


def aligned_cells(line: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Cells separated by runs of 2+ spaces, and the character column where
    each starts (column-aligned text such as ``pdftotext -layout``: the
    columns are where the header's words start)."""
    found = [(m.group(), m.start()) for m in _CELL.finditer(line.rstrip())]
    return tuple(c for c, _ in found), tuple(x for _, x in found)


def _open_quote(line: str) -> bool:
    """True when a tab-separated line ends inside a quoted cell: a spreadsheet
    copies a cell holding a line break as ``"可持续影<newline>响指标"``."""
    inside = False
    at_cell_start = True
    for ch in line:
        if ch == "\t" and not inside:
            at_cell_start = True
            continue
        if ch == '"' and (inside or at_cell_start):
            inside = not inside
        at_cell_start = False
    return inside


def split_tabs(record: str) -> tuple[str, ...]:
    """Cells of a tab-separated record; quoted cells may hold line breaks,
    whose parts are joined as wrapped text (no space between CJK characters)."""
    if '"' not in record:
        return tuple(map(str.strip, record.split("\t")))
    cells = next(csv.reader([record], delimiter="\t", quotechar='"'))
    return tuple(join_lines(c.split("\n")).strip() if "\n" in c else c.strip() for c in cells)


def text_to_rows(text: str, shape: str | None = None) -> tuple[list[SourceRow], int, int]:
    """Rows of a decoded text, the number of non-blank lines, and how many of
    them were decoration (including the continuation lines of quoted cells)."""
    rows, nonblank, decoration, _ = _text_to_rows(text, shape)
    return rows, nonblank, decoration


def _text_to_rows(text: str, shape: str | None = None) -> tuple[list[SourceRow], int, int, str | None]:
    text = _newlines(text)
    shape = shape or detect_shape(_lines(text))
    lost = lost_boundaries(_lines(text), shape)
    counts = [0, 0]
    rows = list(_rows(text, shape, lost, counts))
    return rows, counts[0], counts[1], lost


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _lines(text: str) -> Iterator[str]:
    """``text.split("\n")``, one line at a time (a huge text is not copied into a list of lines)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _rows(text: str, shape: str, lost: str | None, counts: list[int]) -> Iterator[SourceRow]:
    """The rows of a text (newlines already ``\n``) one at a time; ``counts``
    gets the non-blank lines and the decoration lines seen so far."""
    nonblank = decoration = 0
    pending: tuple[int, list[str]] | None = None  # a record whose quoted cell continues
    for number, raw in enumerate(_lines(text), start=1):
        if pending is not None:
            if raw.strip():
                nonblank += 1
                decoration += 1
            pending[1].append(raw)
            record = "\n".join(pending[1])
            if not _open_quote(record) or number - pending[0] >= 20:
                yield SourceRow(split_tabs(record), pending[0])
                pending = None
            continue
        if not raw.strip():
            continue
        nonblank += 1
        line = _HEADING.sub("", raw, count=1) if "#" in raw else raw  # a markdown heading's marks
        if not line.strip() or (shape == "pipe" and _PIPE_SEPARATOR.match(line.strip())):
            decoration += 1
            continue
        if shape == "pipe":
            cells = split_pipe(line) or (line.strip(),)
            yield SourceRow(cells, number)
        elif lost == "runs":
            cells, starts = aligned_cells(line)
            yield SourceRow(cells, number, positional=False, starts=starts)
        elif shape == "spaces":
            yield SourceRow(split_spaces(line), number, positional=False)
        elif '"' in line and _open_quote(line):
            pending = (number, [line])
        else:
            yield SourceRow(split_tabs(line), number)
    if pending is not None:  # an unclosed quote at the end: keep the lines as they are
        yield SourceRow(tuple(c.strip() for c in "\n".join(pending[1]).split("\t")), pending[0])
    counts[0], counts[1] = nonblank, decoration


def read_text(source: Source, settings: Settings) -> Document:
    doc = stream_text(source, settings)
    if doc.stream is not None:
        doc.rows = list(doc.stream)
        doc.stream = None
    return doc


def stream_text(source: Source, settings: Settings) -> Document:
    """The text's Document with its rows to come (``Document.stream``), one
    line at a time: only the decoded text and the row being made are held.
    ``lines``, ``decoration`` and the line findings are complete once the
    stream is exhausted."""
    doc = Document(source.doc_id, str(source.path), kind="text")
    decoded = decode_bytes(source.data)
    if decoded.text is None:
        doc.readable = False
        doc.findings.append(
            Finding(
                "unreadable_input",
                f"{source.path}: {decoded.reason}; is it really a text file? "
                "(images and PDFs are read by content, whatever their name)",
                doc_id=source.doc_id,
            )
        )
        return doc
    text = decoded.text
    if decoded.replaced:
        doc.findings.append(
            Finding(
                "encoding_repaired",
                f"{source.path}: {decoded.replaced} characters could not be decoded as {decoded.encoding} and were "
                "replaced by U+FFFD; re-export the file as UTF-8 to recover them",
                doc_id=source.doc_id,
            )
        )
    del decoded
    text = _newlines(text)
    shape = detect_shape(_lines(text))
    doc.shape = lost_boundaries(_lines(text), shape)
    doc.stream = _counted(doc, text, shape, settings)
    return doc


def _counted(doc: Document, text: str, shape: str, settings: Settings) -> Iterator[SourceRow]:
    counts = [0, 0]
    limit = settings.max_line_chars  # once: ``settings`` may be a read context, which looks it up
    for row in _rows(text, shape, doc.shape, counts):
        yield row if sum(map(len, row.cells)) <= limit else _limited(row, settings, doc)
    doc.lines, doc.decoration = counts


def _limited(row: SourceRow, settings: Settings, doc: Document) -> SourceRow:
    """Cut a pathologically long line to the configured limit, and say so."""
    total = sum(map(len, row.cells))
    if total <= settings.max_line_chars:
        return row
    doc.findings.append(
        Finding(
            "limit_exceeded",
            f"{doc.source_path}:{row.line}: a line of {total} characters is over the "
            f"{settings.max_line_chars}-character limit; only its start was read",
            line=row.line,
            doc_id=doc.doc_id,
            text=row.text[:1000],
        )
    )
    budget = settings.max_line_chars
    cells = []
    for cell in row.cells:
        cells.append(cell[:budget])
        budget = max(budget - len(cell), 0)
    return SourceRow(tuple(cells), row.line, row.page, row.sheet, row.positional, starts=row.starts)
