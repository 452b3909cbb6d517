"""Word reader (.docx) with python-docx.

The body is read in order.  A paragraph outside a table is a row of its
own (its tab stops split it into cells, its line breaks into rows): the
title, 项目序号 and 金额单位 lines.  A table row is a grid row with one
position per column of the table grid: a cell spanning columns
(``w:gridSpan``) keeps its text in its first position and blanks the rest;
a cell continuing a vertical merge (``w:vMerge`` without ``restart``) is
blank, its text being in the merge's first row — the pasted text's layout.
Paragraphs inside a cell are joined as wrapped text.  Provenance: ``table
N`` (1-based, in body order) and the row's 1-based line in the document.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import docx
from docx.oxml.ns import qn

from selfeval.extract.cells import cell_text, join_lines, trim_row
from selfeval.extract.grid import Document, SourceRow
from selfeval.extract.limits import bounded_span
from selfeval.extract.office import container_problem, damaged, package_problem
from selfeval.extract.readers import Source
from selfeval.findings import Finding
from selfeval.settings import Settings

P, TBL, TR, TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
T, TAB, BR, CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
SDT, SDT_CONTENT = qn("w:sdt"), qn("w:sdtContent")
VAL = qn("w:val")


def read_docx(source: Source, settings: Settings) -> Document:
    doc = Document(source.doc_id, str(source.path), kind="docx")
    problem = container_problem(source.path, source.data, "docx")
    body = None
    if problem is None:
        over = package_problem(source.data, settings.max_inflated_bytes, 0)
        if over:
            doc.findings.append(Finding("limit_exceeded", f"{source.path}: {over}; nothing of it was read; "
                                        "raise --max-inflated-mb to read it", doc_id=source.doc_id))
            doc.readable = False
            return doc
        try:
            body = docx.Document(io.BytesIO(source.data)).element.body
        except Exception as exc:  # a damaged package fails in many ways (zip, XML, missing parts); reported
            problem = damaged(source.path, "document", exc, "Word")
    if problem is not None or body is None:
        return doc.refuse(problem)
    tables = 0
    for block in _blocks(body):
        if block.tag == P:
            for line in paragraph_text(block).split("\n"):
                cells = trim_row([cell_text(c) for c in line.split("\t")])
                _append(doc, cells, None, positional=len(cells) <= 1)
        else:
            tables += 1
            for number, (cells, problem) in enumerate(bounded_table_rows(block, settings.max_table_span), start=1):
                if problem:
                    doc.findings.append(Finding("limit_exceeded", f"{source.path}: table {tables}, row {number}: {problem}",
                                                line=doc.lines + 1, sheet=f"table {tables}"))
                _append(doc, trim_row(cells), f"table {tables}")
    return doc


def _append(doc: Document, cells: tuple[str, ...], sheet: str | None, positional: bool = True) -> None:
    if not cells:
        return
    doc.lines += 1
    doc.rows.append(SourceRow(cells, line=doc.lines, sheet=sheet, positional=positional))


def _blocks(parent) -> Iterator:
    """Paragraphs and tables of the body in order, content controls opened."""
    for child in parent.iterchildren():
        if child.tag in (P, TBL):
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)


def table_rows(tbl, max_span: int = 0) -> list[list[str]]:
    """A table's rows, one position per grid column, merges laid out as
    pasted text lays them out (spans cut at ``max_span`` columns, 0: no limit)."""
    return [cells for cells, _ in bounded_table_rows(tbl, max_span)]


def bounded_table_rows(tbl, max_span: int = 0) -> Iterator[tuple[list[str], str | None]]:
    """A table's rows, one position per grid column, merges laid out as
    pasted text lays them out; each with the problem when a span
    (``gridSpan``, ``gridBefore``) or the row's width was over ``max_span``
    columns and was cut to it (0: no limit)."""
    for tr in tbl.iterchildren(TR):
        before, problem = bounded_span(_int(tr, "w:trPr/w:gridBefore") + 1, max_span)
        cells: list[str] = [""] * (before - 1)
        for tc in _row_cells(tr):
            if max_span and len(cells) >= max_span:
                problem = problem or f"the row is over the {max_span:,}-column limit; its cells beyond it were not read"
                break
            span, cut = bounded_span(_int(tc, "w:tcPr/w:gridSpan", 1), max_span)
            problem = problem or cut
            merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            continued = merge is not None and merge.get(VAL, "continue") != "restart"
            cells.append("" if continued else cell_text(join_lines(paragraph_text(p) for p in tc.iter(P))))
            cells.extend([""] * (span - 1))
        yield (cells[:max_span] if max_span else cells), problem


def _row_cells(tr) -> Iterator:
    for child in tr.iterchildren():
        if child.tag == TC:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from content.iterchildren(TC)


def paragraph_text(p) -> str:
    """A paragraph's text; tabs as ``\\t``, line breaks as ``\\n``; text of
    nested paragraphs (text boxes) is left to those paragraphs."""
    parts: list[str] = []
    for el in p.iter(T, TAB, BR, CR):
        if _paragraph_of(el) is not p:
            continue
        if el.tag == T:
            parts.append(el.text or "")
        elif el.tag == TAB:
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _paragraph_of(el):
    node = el.getparent()
    while node is not None and node.tag != P:
        node = node.getparent()
    return node


def _int(el, path: str, default: int = 0) -> int:
    found = el.find("/".join(qn(part) for part in path.split("/")))
    if found is None:
        return default
    try:
        return int(found.get(VAL, default))
    except ValueError:
        return default
