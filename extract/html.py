"""Web page reader (.html, .htm, and web archives .mht/.mhtml) with lxml.

The page is decoded (:mod:`selfeval.extract.webpage`: BOM, declared charset,
sniff; GB2312/GBK as GB18030) and parsed by lxml's HTML parser, which
recovers from the broken markup real pages have.  The body is then read in
order, as a browser shows it:

* text outside tables (site navigation, headings, the title, 项目序号 and
  金额单位 lines, footers) becomes one-cell rows, one per displayed line:
  block elements (``p``, ``div``, ``h1``…, ``li``…) and ``<br>`` end a line;
* a table becomes rows of the grid with ``rowspan``/``colspan`` expanded as
  merged cells are everywhere in the grid: the text in the first (top-left)
  position, the covered positions ``""`` (the pasted text's layout); a
  span larger than ``Settings.max_html_span`` is cut to it and reported;
* a table that holds tables (a page laid out with tables) is not a grid:
  its cells are read as blocks, so the inner tables become grids of their own.

Within a cell, paragraphs and line breaks are joined as wrapped text (no
space between CJK characters), whitespace is collapsed as a browser does,
and a line break of the markup (an editor's wrapping of its source) between
two CJK characters adds no space (the CSS rule for segment breaks).
Word's "save as web page" export (``<p class=MsoNormal>`` in every cell,
``<o:p>`` marks, ``mso-`` styles, hidden layout rows) needs nothing special.
Scripts, styles, ``<head>`` and hidden elements (``display:none``) are not
text.  Provenance: ``table N`` (1-based, in page order) and the row's
1-based line among the page's rows, as for Word files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import lxml.etree
import lxml.html

from selfeval.extract.cells import cell_text, join_lines, trim_row
from selfeval.extract.grid import Document, SourceRow
from selfeval.extract.readers import Source
from selfeval.extract.webpage import PageText, archive_html, decode_html, is_web_archive
from selfeval.findings import Finding
from selfeval.settings import Settings

BLOCKS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li main menu nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)
SKIPPED = frozenset("head script style noscript template title iframe object embed svg select option button".split())
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f\xa0]+")


def read_html(source: Source, settings: Settings) -> Document:
    doc = Document(source.doc_id, str(source.path), kind="html")
    data, charset = source.data, None
    if is_web_archive(data):
        part = archive_html(data)
        if part is None:
            return doc.refuse(f"{source.path}: a web archive (MHTML) without an HTML part; save the page again")
        data, charset = part
    page = decode_html(data, charset)
    if page.replaced:
        doc.findings.append(
            Finding(
                "encoding_repaired",
                f"{source.path}: {page.replaced} characters could not be decoded as {page.encoding} and were "
                "replaced by U+FFFD; save the page again as UTF-8 to recover them",
            )
        )
    root = parse(page)
    if root is None:
        return doc.refuse(f"{source.path}: the file holds no HTML to read; is it really a web page?")
    tables = 0
    for kind, item in blocks(root):
        if kind == "line":
            _append(doc, (item,), None)
            continue
        tables += 1
        name = f"table {tables}"
        cuts: list[tuple[int, int, str]] = []
        for r, cells in enumerate(table_grid(item, settings.max_html_span, cuts)):
            _append(doc, trim_row(cells), name)
            for _, span, what in (c for c in cuts if c[0] == r):
                _cut(doc, name, span, what, settings)
    return doc


def parse(page: PageText) -> lxml.html.HtmlElement | None:
    """The page's element tree (lxml's recovering HTML parser), or None for
    a file with no markup or text at all."""
    if not page.html.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(page.html.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


def _append(doc: Document, cells: tuple[str, ...], sheet: str | None) -> None:
    if not cells or not any(cells):
        return
    doc.lines += 1
    doc.rows.append(SourceRow(cells, line=doc.lines, sheet=sheet))


def _cut(doc: Document, table: str, span: int, what: str, settings: Settings) -> None:
    doc.findings.append(
        Finding(
            "limit_exceeded",
            f"{doc.source_path}: {table}: a {what} of {span} is over the {settings.max_html_span}-cell limit; "
            f"read as {settings.max_html_span} (raise max_html_span to read it whole)",
            line=doc.lines,
            sheet=table,
        )
    )


# --- the page's flow --------------------------------------------------------


class _Flow:
    """Text as displayed: pieces gathered until a block or line break ends
    the line."""

    def __init__(self) -> None:
        self.items: list[tuple[str, object]] = []
        self.pieces: list[str] = []

    def text(self, text: str | None) -> None:
        if text:
            self.pieces.append(text)

    def brk(self) -> None:
        line = collapse("".join(self.pieces))
        self.pieces = []
        if line:
            self.items.append(("line", line))


def collapse(text: str) -> str:
    """Whitespace as a browser shows it (CSS Text 3): a run of spaces is one
    space, and a run holding a line break of the markup (an editor wrapping
    its source) between two wide East Asian characters is none."""
    out: list[str] = []
    pos = 0
    for match in _SPACE.finditer(text):
        out.append(text[pos : match.start()])
        run = match.group()
        before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
        segment_break = "\n" in run or "\r" in run
        out.append("" if segment_break and _east_asian(before) and _east_asian(after) else " ")
        pos = match.end()
    out.append(text[pos:])
    return "".join(out).strip()


def _east_asian(ch: str) -> bool:
    """Wide, full-width or half-width and not Hangul: where CSS drops a
    segment break."""
    return bool(ch) and unicodedata.east_asian_width(ch) in ("W", "F", "H") and not (
        "\u1100" <= ch <= "\u11ff" or "\uac00" <= ch <= "\ud7af" or "\u3130" <= ch <= "\u318f")


def _hidden(el) -> bool:
    return el.get("hidden") is not None or bool(_HIDDEN.search(el.get("style") or ""))


def _tag(el) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def blocks(root) -> Iterator[tuple[str, object]]:
    """``("line", text)`` for the lines outside tables and ``("table", el)``
    for each data table (one holding no table), in page order."""
    flow = _Flow()
    body = root.find("body")
    _visit(body if body is not None else root, flow, tables=True)
    flow.brk()
    return iter(flow.items)


def _visit(el, flow: _Flow, tables: bool) -> None:
    tag = _tag(el)
    if tag is None or tag in SKIPPED or _hidden(el):
        return
    if tag == "br":
        flow.brk()
        return
    if tag == "table" and tables and el.find(".//table") is None:
        flow.brk()
        flow.items.append(("table", el))
        return
    block = tag in BLOCKS
    if block:
        flow.brk()
    flow.text(el.text)
    for child in el:
        _visit(child, flow, tables)
        flow.text(child.tail)
    if block:
        flow.brk()


def cell_content(cell) -> str:
    """A table cell's text: its displayed lines joined as wrapped text."""
    if not len(cell):  # text only, the common case
        return cell_text(collapse(cell.text or ""))
    flow = _Flow()
    flow.text(cell.text)
    for child in cell:
        _visit(child, flow, tables=False)
        flow.text(child.tail)
    flow.brk()
    return cell_text(join_lines(str(text) for _, text in flow.items))


# --- tables -----------------------------------------------------------------


def _span(value: str | None) -> int:
    if value is None:
        return 1
    match = re.match(r"\s*(\d+)", value or "")
    return int(match.group(1)) if match else 1


def _rows(table) -> list:
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot") and not _hidden(child):
            rows.extend(tr for tr in child if _tag(tr) == "tr")
    return [tr for tr in rows if not _hidden(tr)]


def table_grid(table, max_span: int, cuts: list[tuple[int, int, str]] | None = None) -> list[list[str]]:
    """A table's rows, one position per grid column, each spanned cell's text
    in its top-left position and the positions it covers blank.  A
    ``rowspan`` of 0 runs to the end of the table (as HTML says), and no span
    runs past it; spans over ``max_span`` are cut to it, each cut appended to
    ``cuts`` as (row index, span, ``"colspan"``|``"rowspan"``)."""
    cuts = [] if cuts is None else cuts
    trs = _rows(table)
    covered: set[tuple[int, int]] = set()
    grid: list[list[str]] = []
    for r, tr in enumerate(trs):
        row: list[str] = []
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th") or _hidden(td):
                continue
            while (r, c) in covered:
                c += 1
            colspan, rowspan = _span(td.get("colspan")), _span(td.get("rowspan"))
            rowspan = len(trs) - r if rowspan == 0 else min(rowspan, len(trs) - r)
            for span, what in ((colspan, "colspan"), (rowspan, "rowspan")):
                if span > max_span:
                    cuts.append((r, span, what))
            colspan, rowspan = max(min(colspan, max_span), 1), max(min(rowspan, max_span), 1)
            if len(row) <= c:
                row.extend([""] * (c + 1 - len(row)))
            row[c] = cell_content(td)
            for dr in range(rowspan):
                for dc in range(colspan):
                    if dr or dc:
                        covered.add((r + dr, c + dc))
            c += colspan
        grid.append(row)
    return grid
