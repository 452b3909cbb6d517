"""The grid: what every reader produces and the normalizer consumes.

A reader (pasted text, PDF, workbook, Word file, scan) turns one input file
into a :class:`Document`: an ordered list of :class:`SourceRow`, each a tuple
of cell strings with its provenance.  Nothing here knows what a form is; the
splitting into forms and every repair happen downstream, once, for all readers.

Cells are raw text as read (only decoded and stripped of line breaks at the
edges).  Empty cells are ``""``.  A merged cell appears once, in its first
(top-left) position, and the covered positions are ``""`` — exactly what a
pasted copy of the printed form looks like, so one repair serves every reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from selfeval.findings import Finding

Box = tuple[float, float, float, float]  # x0, top, x1, bottom as fractions of the page


def page_box(box, width: float, height: float) -> Box:
    """A box in page units (points, pixels) as fractions of the page, rounded to 1e-4."""
    x0, top, x1, bottom = box
    return (round(x0 / width, 4), round(top / height, 4), round(x1 / width, 4), round(bottom / height, 4))


SEAL_COVER_CONFIDENCE = 0.1  # an empty scanned cell in which a seal's lettering, painted out, may have covered a value


def empty_cell_doubt(confidence: float) -> str:
    """What a doubt on a scanned cell left empty says (``confidence`` set: ink was there)."""
    if confidence == SEAL_COVER_CONFIDENCE:
        return "a seal's lettering, painted out there, may have covered a value; the cell is left empty"
    return "ink there that OCR did not read; the cell is left empty"


@dataclass(frozen=True)
class Place:
    """Where a row is in its input: a text line, a page's row, a sheet's row.

    ``str(place)`` is how messages name it: ``line 12``, ``page 3, row 12``
    or ``sheet 表1, row 12``.  Places are hashable: the pipeline's line
    accounting counts distinct places, so rows of different pages never
    collide."""

    line: int
    page: int | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            return f"sheet {self.sheet}, row {self.line}"
        if self.page is not None:
            return f"page {self.page}, row {self.line}"
        return f"line {self.line}"


@dataclass(frozen=True)
class SourceRow:
    """One row of cells and where it came from.

    ``line`` is the 1-based line of a text input (for other inputs, the
    1-based row within the page, sheet or table).  ``page`` is the 1-based
    page of a PDF or image, ``sheet`` the worksheet name or ``table N`` of a
    Word file.  ``positional`` is False when the reader could not keep empty
    cells in place (then column positions are only a hint).  ``confidence``
    holds one OCR confidence (0..1) per cell, or is None when not OCR'd.
    ``boxes`` holds each cell's box on its page as fractions of the page's width
    and height, ``(x0, top, x1, bottom)``, where the reader knows it (ruled PDF
    tables, ruled scans); None otherwise, or for a cell without one.
    ``span`` lists the other lines whose text the row holds, when a row was
    put together from several lines (the token reader); a row used by a
    record uses them too.  ``starts`` gives the character column where each
    cell starts, for column-aligned text (``pdftotext -layout``).
    """

    cells: tuple[str, ...]
    line: int
    page: int | None = None
    sheet: str | None = None
    positional: bool = True
    confidence: tuple[float | None, ...] | None = None
    boxes: tuple[Box | None, ...] | None = None
    span: tuple[int, ...] = ()
    starts: tuple[int, ...] | None = None

    @property
    def place(self) -> Place:
        return Place(self.line, self.page, self.sheet)

    @property
    def text(self) -> str:
        """The row as one line of text (tab-joined), for messages and findings."""
        return "\t".join(self.cells).rstrip("\t")

    def is_blank(self) -> bool:
        return not any(c.strip() for c in self.cells)


@dataclass
class Document:
    """One input file, read into rows.

    ``doc_id`` is the path relative to the folder given (or the file name).
    ``lines`` counts the non-blank source lines (text) or rows (other kinds)
    the reader saw, for the manifest's accounting.  ``decoration`` counts the
    non-blank lines the reader consumed itself (markdown table separators,
    page furniture) so that every line stays accounted for.  ``shape`` is
    set by the text reader when the cell boundaries are lost.  Readers report
    what they could not read as findings and never raise for bad input.
    """

    doc_id: str
    source_path: str
    kind: str
    rows: list[SourceRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    lines: int = 0
    decoration: int = 0
    sha256: str = ""
    readable: bool = True
    shape: str | None = None  # "runs" or "words" when the text's cell boundaries are lost (extract.text)
    # the rows still to come, for a reader that gives them one at a time (``rows`` is then empty);
    # ``lines``, ``decoration`` and ``findings`` are complete once it is exhausted
    stream: Iterator[SourceRow] | None = field(default=None, compare=False, repr=False)

    def refuse(self, message: str | None) -> Document:
        """Mark the document unreadable, with one ``unreadable_input`` finding
        saying why (a reader returns it as its result)."""
        self.readable = False
        self.findings.append(Finding("unreadable_input", message or f"{self.source_path}: cannot be read"))
        return self
