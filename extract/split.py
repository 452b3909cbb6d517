"""A document's rows to forms: one :class:`FormCells` per 绩效自评表.

Documents hold many forms.  A form starts at its title line (``…绩效自评表``)
or, without one, at its ``项目序号`` line; the next start ends it.  When a
document has no ``项目序号`` at all, it is split on title lines and the forms
are numbered 1.. in order.  Rows before the first form are returned as
``stray`` rows for the caller to report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from selfeval.extract.grid import SourceRow

_SEQ = re.compile(r"项目序号\s*[:：]\s*([0-9０-９]+)")
_PROSE = re.compile(r"[。，；;]")
_AFTER = re.compile(r"[\s（）()〔〕\[\]【】0-9０-９年度:：]")
_TITLE = re.compile(r"绩效(?:自评|目标|评价|(?:目标执行|运行)?监控)表")  # 监控表: a look-alike, split off to be reported


@dataclass
class FormCells:
    """The rows of one form, in order, with the form's place in its document."""

    index: int  # 1-based position in the document
    seq: int | None  # 项目序号, None when the form has none
    rows: list[SourceRow] = field(default_factory=list)

    @property
    def line_start(self) -> int:
        return self.rows[0].line

    @property
    def line_end(self) -> int:
        return self.rows[-1].line


def _joined(row: SourceRow) -> str:
    return "".join(row.cells)


def seq_of(row: SourceRow) -> int | None:
    match = _SEQ.search(_joined(row))
    return int(unicodedata.normalize("NFKC", match.group(1))) if match else None


def is_title(row: SourceRow) -> bool:
    """A title line: one short text naming the form type, outside any table."""
    if "绩效" not in "\t".join(row.cells):
        return False
    filled = [c for c in row.cells if c.strip()]
    if len(filled) != 1 or len(filled[0]) > 60:
        return False
    match = _TITLE.search(filled[0])
    # a title ends with the form's name (and perhaps its year in brackets); prose goes on after it
    return match is not None and not _PROSE.search(filled[0]) and len(_AFTER.sub("", filled[0][match.end() :])) <= 2


LOOKBACK = 3  # a title at most this many rows above a 项目序号 line starts its form


def split_forms(rows: list[SourceRow]) -> tuple[list[FormCells], list[SourceRow]]:
    """Forms of a document, and the stray rows before the first one."""
    seq_rows = [i for i, row in enumerate(rows) if seq_of(row) is not None]
    title_rows = [i for i, row in enumerate(rows) if is_title(row)]
    starts: list[int] = []
    if seq_rows:
        previous_end = 0
        for i in seq_rows:
            start = i
            # the title belongs to this form when it stands between the
            # previous form's 项目序号 and this one, with only blank-ish rows
            for t in reversed(title_rows):
                if previous_end <= t < i and i - t <= LOOKBACK:
                    start = t
                    break
            starts.append(start)
            previous_end = i + 1
    else:
        starts = list(title_rows)
    if not starts:
        return [], list(rows)
    forms: list[FormCells] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(rows)
        chunk = rows[start:end]
        seq = next((s for s in map(seq_of, chunk) if s is not None), None)
        if forms and _print_title_repeat(forms[-1], seq, chunk[0]):
            forms[-1].rows.extend(chunk)  # the same form, continued on the next page
            continue
        forms.append(FormCells(index=len(forms) + 1, seq=seq, rows=chunk))
    return forms, rows[: starts[0]]


def _print_title_repeat(previous: FormCells, seq: int | None, first: SourceRow) -> bool:
    """A workbook printed with print titles repeats the title and 项目序号 at
    the top of every page: the same 项目序号 starting a later page continues
    the form.  (In text, without pages, a repeated 项目序号 stays a second
    form and is reported as duplicate_form_seq.)"""
    start_page = previous.rows[0].page
    return (
        seq is not None
        and seq == previous.seq
        and first.page is not None
        and start_page is not None
        and first.page > start_page
    )





def stream_forms(rows: Iterable[SourceRow], stray: list[SourceRow]) -> Iterator[FormCells]:
    """:func:`split_forms` over rows as they come: each form is yielded once
    the next form's start (or the end) is seen, so only one form's rows are
    held at a time.  ``stray`` receives the rows before the first form (all
    the rows when there is none) before the first form is yielded.

    The forms are exactly those :func:`split_forms` gives.  Until the first
    ``项目序号`` line the rows are held, since a document without one is
    split on its title lines instead (then all of it is held)."""
    held: list[SourceRow] = []  # the open chunk's rows (before the first 项目序号 line: every row so far)
    held_seq: int | None = None  # the 项目序号 of the open chunk
    titles: list[int] = []  # positions in ``held`` of the title rows since the last 项目序号 line
    pending: FormCells | None = None  # the last form made, not yielded: the next chunk may continue it
    seq_mode = False
    for row in rows:
        seq = seq_of(row)
        if seq is None:
            if is_title(row):
                titles.append(len(held))
            held.append(row)
            continue
        at = len(held)
        start = next((t for t in reversed(titles) if at - t <= LOOKBACK), at)
        if seq_mode:
            pending, done = _added(pending, held_seq, held[:start])
            if done is not None:
                yield done
        else:
            stray.extend(held[:start])
            seq_mode = True
        held, held_seq, titles = held[start:], seq, []
        held.append(row)
    if not seq_mode:
        forms, before = split_forms(held)
        stray.extend(before)
        yield from forms
        return
    pending, done = _added(pending, held_seq, held)
    if done is not None:
        yield done
    if pending is not None:
        yield pending


def _added(pending: FormCells | None, seq: int | None, chunk: list[SourceRow]) -> tuple[FormCells, FormCells | None]:
    """The chunk as the next form, or as the pending form continued (print
    titles); returns the pending form and the form now complete, if any."""
    if pending is not None and _print_title_repeat(pending, seq, chunk[0]):
        pending.rows.extend(chunk)
        return pending, None
    index = pending.index + 1 if pending is not None else 1
    return FormCells(index=index, seq=seq, rows=chunk), pending
