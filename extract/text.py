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
A line holding only spaces or tabs is a blank line: it separates no cells
(one cell per line with each empty cell kept as a line of one tab).
The document says so in ``Document.shape``; such rows are re-segmented
downstream by the token reader (``selfeval.normalize.tokens``), which knows
the vocabulary.

Markdown heading marks (``## ``) are decoration and are removed.  Lines
outside tables become one-cell rows.  Every non-blank line becomes a row or
is counted as decoration, so the pipeline can account for every line.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Iterable, Iterator

from selfeval.extract.cells import join_lines
from selfeval.extract.decode import (
    _BOMS,
    Decoded,
    _looks_binary,
    _utf8,
    _utf16_without_bom,
    decode_bytes,
)
from selfeval.extract.grid import Document, SourceRow
from selfeval.extract.readers import Source
from selfeval.findings import Finding, describe
from selfeval.settings import Settings

_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_SPACE_RUN = re.compile(r" {2,}")


def detect_shape(lines: Iterable[str]) -> str:
    """``pipe``, ``tab`` or ``spaces``: how this document separates cells."""
    pipe = tab = spaces = 0
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue  # a blank line (a lone tab or space included) says nothing of the shape
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
            if "\t" in line and line.strip():  # a line of a lone tab is a blank line, not a row of cells
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
    rows = list(_rows(_lines(text), shape, lost, counts))
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


def _rows(lines: Iterable[str], shape: str, lost: str | None, counts: list[int]) -> Iterator[SourceRow]:
    """The rows of a text's lines one at a time; ``counts`` gets the
    non-blank lines and the decoration lines once they are all read."""
    nonblank = decoration = 0
    pending: tuple[int, list[str]] | None = None  # a record whose quoted cell continues
    for number, raw in enumerate(lines, start=1):
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
    if source.partial:  # a huge file: decoded from disk line by line, as decode_bytes decodes it whole
        try:
            on_disk = FileText.open(source.path, source.data, source.utf8)
        except (ChangedWhileRead, OSError) as exc:
            return doc.refuse(changed_message(source.path, exc))
        if on_disk is None:  # an encoding only read whole (UTF-16, UTF-32)
            whole = Source(source.path, source.doc_id, _read_whole(source), source.sha256)
            return stream_text(whole, settings)
        decoded = on_disk.decoded
    else:
        on_disk = None
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
    if on_disk is not None:
        lines = on_disk.lines
    else:
        text = _newlines(text)

        def lines() -> Iterator[str]:
            return _lines(text)

    shape = detect_shape(lines())
    doc.shape = lost_boundaries(lines(), shape)
    doc.stream = _counted(doc, lines, shape, settings)
    return doc


def _counted(doc: Document, lines, shape: str, settings: Settings) -> Iterator[SourceRow]:
    counts = [0, 0]
    limit = settings.max_line_chars  # once: ``settings`` may be a read context, which looks it up
    for row in _rows(lines(), shape, doc.shape, counts):
        yield row if sum(map(len, row.cells)) <= limit else _limited(row, settings, doc)
    doc.lines, doc.decoration = counts


def _read_whole(source: Source) -> bytes:
    from selfeval.extract.limits import read_regular

    return read_regular(source.path, 0)


class ChangedWhileRead(Exception):
    """The file changed on disk between two passes over it, or could no longer be read."""

    def __init__(self, path, why: str = "") -> None:
        super().__init__(f"{path}: {why}" if why else str(path))
        self.why = why


def file_stamp(path) -> tuple:
    """The file's size, modification time and inode: equal stamps taken before
    and after a pass over it mean the pass read one version of the file."""
    info = os.stat(path)
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def changed_message(path, exc: Exception) -> str:
    if isinstance(exc, ChangedWhileRead) and not exc.why:
        return f"{path}: the file changed while it was read; none of its forms were kept; read it again"
    why = exc.why if isinstance(exc, ChangedWhileRead) else describe(exc)
    return f"{path}: the file could no longer be read ({why}); none of its forms were kept"


class FileText:
    """A huge text file decoded from disk a line at a time, exactly as
    :func:`selfeval.extract.decode.decode_bytes` decodes it whole (a UTF-8
    byte-order mark; strict UTF-8; else line by line, UTF-8 or GB18030), with
    its line breaks made ``\n`` as :func:`_newlines` makes them.  Each pass
    reads the file again (a few passes: the encoding, the shape, the rows);
    a file that changed in between raises :class:`ChangedWhileRead`."""

    CHUNK = 1 << 20

    def __init__(self, path, mode: str, order: tuple[str, ...], stamp: tuple) -> None:
        self.path, self.mode, self.order, self.stamp = path, mode, order, stamp
        self.decoded: Decoded | None = None

    @classmethod
    def open(cls, path, head: bytes, utf8: bool | None = None) -> FileText | None:
        """None for an encoding this reads only whole (UTF-16 or UTF-32, with or without a mark).
        ``utf8``: whether the file is strict UTF-8, when known (the pass that hashed it found out)."""
        stamp = file_stamp(path)
        if head.startswith(codecs.BOM_UTF8):
            reading = cls(path, "bom", ("utf-8",), stamp)
        elif any(head.startswith(bom) for bom, _ in _BOMS) or _utf16_without_bom(head):
            return None
        elif cls._valid_utf8(path, stamp) if utf8 is None else utf8:
            reading = cls(path, "utf-8", ("utf-8",), stamp)
        else:
            foreign = as_utf8 = 0
            for raw, _ in reading_lines(path, stamp):
                if not raw.isascii():
                    foreign += 1
                    as_utf8 += _utf8(raw)
            order = ("utf-8",) if as_utf8 > foreign - as_utf8 else ("gb18030", "utf-8")
            reading = cls(path, "lines", order, stamp)
        reading.decoded = reading._check()
        return reading

    @classmethod
    def _valid_utf8(cls, path, stamp: tuple) -> bool:
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        try:
            with open(path, "rb") as fh:
                if file_stamp(path) != stamp:
                    raise ChangedWhileRead(path)
                while chunk := fh.read(cls.CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True

    def _decoded_lines(self) -> Iterator[tuple[str, int, str]]:
        """(the line as decoded, replacement characters in it, the encoding used), ``\r`` kept."""
        first = True
        for raw, broken in reading_lines(self.path, self.stamp):
            if self.mode == "bom":
                text = raw.decode("utf-8-sig" if first else "utf-8", errors="replace")
                first = False
                yield text, text.count("\ufffd"), "utf-8-sig", broken
            elif self.mode == "utf-8" or raw.isascii():
                yield raw.decode("utf-8"), 0, "ascii" if raw.isascii() and self.mode == "lines" else "utf-8", broken
            else:
                yield (*_decode_line(raw, self.order), broken)

    def _check(self) -> Decoded:
        """What decode_bytes says of the whole: the encoding, the replacements, or binary data."""
        replaced = 0
        used: dict[str, None] = {}
        sample: list[str] = []
        size = 0
        for text, bad, encoding, _ in self._decoded_lines():
            replaced += bad
            if encoding != "ascii":
                used[encoding] = None
            if size < 8192:
                sample.append(text)
                size += len(text) + 1
            elif self.mode == "utf-8":  # nothing replaced, one encoding: the sample is all it needs
                break
        name = "utf-8-sig" if self.mode == "bom" else "utf-8" if self.mode == "utf-8" else "/".join(used) or "utf-8"
        if _looks_binary("\n".join(sample)):
            return Decoded(None, name, reason="the file holds binary data, not text")
        return Decoded("", name, replaced if self.mode != "utf-8" else 0)

    def lines(self) -> Iterator[str]:
        """The lines of ``_newlines(text).split("\n")``, one at a time."""
        for text, _, _, broken in self._decoded_lines():
            if broken and text.endswith("\r"):
                text = text[:-1]  # \r then the line break: one break
            yield from _newlines(text).split("\n")


def _decode_line(raw: bytes, order: tuple[str, ...]) -> tuple[str, int, str]:
    """A line of a file that is not UTF-8 as a whole, as decode._per_line decodes it."""
    for encoding in order:
        try:
            return raw.decode(encoding), 0, encoding
        except UnicodeDecodeError:
            continue
    text, encoding = min(((raw.decode(e, errors="replace"), e) for e in order), key=lambda pair: pair[0].count("\ufffd"))
    return text, text.count("\ufffd"), encoding


def reading_lines(path, stamp: tuple) -> Iterator[tuple[bytes, bool]]:
    """The file's lines as bytes (split on ``\n``, which is dropped), read a
    chunk at a time, each with whether a ``\n`` ended it (the last has none)."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; an error opening or reading is the file's
        with fh:
            if file_stamp(path) != stamp:
                raise ChangedWhileRead(path)
            rest = b""
            while chunk := fh.read(FileText.CHUNK):
                parts = (rest + chunk).split(b"\n")
                rest = parts.pop()
                for part in parts:
                    yield part, True
            if file_stamp(path) != stamp:  # it changed during this pass
                raise ChangedWhileRead(path)
            yield rest, False
    except OSError as exc:
        raise ChangedWhileRead(path, describe(exc)) from exc


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
