"""Documents where one part of many is a form: the parts that hold none.

A workbook's sheets, a PDF's pages, a web page's or Word file's tables and
the text between them are *parts* (consecutive rows with the same page and
sheet).  A part that holds no form (a project description sheet, a budget
table, a page of prose, a web page's navigation and footer) is reported
once, as ``no_form_in_part`` (info) with how many non-blank lines it had and
their text, instead of one ``unparsed_line`` per line: it was never a form.
Lines inside a form's parts that no record used stay ``unparsed_line``.

Which parts hold no form:

* in a document with parts (every kind but pasted text), the rows before
  the first form, one finding per part;
* the parts a form's rows run over (up to the next form's start) of which
  the form used no row: a sheet after the form's sheet, the footer below a
  web page's table.  The part holding the form's first row is always the
  form's.

Pasted text has one part; its lines before the first form stay
``unparsed_line`` each, as before.
"""

from __future__ import annotations

from selfeval.extract.grid import Document, Place, SourceRow
from selfeval.findings import Finding

MAX_TEXT_CHARS = 100_000  # the finding keeps the part's text up to this length


def runs(rows: list[SourceRow]) -> list[list[SourceRow]]:
    """Consecutive non-blank rows with the same page and sheet."""
    out: list[list[SourceRow]] = []
    key = None
    for row in rows:
        if row.is_blank():
            continue
        here = (row.page, row.sheet)
        if not out or here != key:
            out.append([])
            key = here
        out[-1].append(row)
    return out


def describe(rows: list[SourceRow]) -> str:
    first, last = rows[0], rows[-1]
    if first.sheet is not None:
        name = first.sheet if first.sheet.startswith("table ") else f"sheet {first.sheet}"
    elif first.page is not None:
        name = f"page {first.page}"
    else:
        name = f"the text outside tables, lines {first.line}-{last.line}" if last.line != first.line else (
            f"the text outside tables, line {first.line}")
    return name


def part_finding(doc: Document, rows: list[SourceRow], where: str) -> Finding:
    first = rows[0]
    text = "\n".join(r.text for r in rows)
    return Finding(
        "no_form_in_part",
        f"{doc.source_path}: {describe(rows)} ({where}) holds no self-evaluation form: "
        f"{len(rows)} non-blank line{'s' if len(rows) != 1 else ''}, not read; their text is kept here",
        doc_id=doc.doc_id,
        line=first.line,
        page=first.page,
        sheet=first.sheet,
        text=text[:MAX_TEXT_CHARS],
    )


def without_lines_at(findings: list[Finding], places: set[Place]) -> list[Finding]:
    """``findings`` without the ``unparsed_line`` ones at ``places``."""
    if not places:
        return findings
    return [f for f in findings if not (f.code == "unparsed_line" and Place(f.line or 0, f.page, f.sheet) in places)]


def empty_form_findings(doc: Document, forms: list) -> list[Finding]:
    """An ``empty_form`` finding for each form (not a look-alike) that has
    no indicator rows and no funding amounts: a header and labels only."""
    out = []
    for form in forms:
        amounts = any(
            getattr(f, name) is not None
            for f in form.funding
            for name in ("budget_initial", "budget_full_year", "executed")
        )
        if form.look_alike or form.indicators or amounts:
            continue
        place = Place(form.line_start, form.page, form.sheet)
        out.append(Finding(
            "empty_form",
            f"{place}: form {form.form_seq or form.form_index} has no indicator rows and no funding amounts: "
            "it is an empty form (its header and labels only); no indicators are reported for it",
            doc_id=doc.doc_id, line=place.line, page=place.page, sheet=place.sheet,
            form_seq=form.form_seq, form_index=form.form_index,
        ))
    return out
