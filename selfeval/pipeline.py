"""The pipeline: input paths to the four tables.

Per file (:func:`read_into`, or :func:`read_file` for a whole result), all
under the file's time budget: its bytes and sha256 → the ``--resume`` cache,
or read (extract) → split into forms (extract) → parse each form (normalize)
→ validate → account for every line, one form at a time, each handed on
(:mod:`selfeval.formstream`) as soon as it is read.
Per batch (:func:`run`): discover → cached or read (here or in worker
processes) → write, in input order.  Nothing here raises for bad input; what
went wrong is in the findings.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Protocol

from selfeval.cache import EntryWriter, ResultCache, replay
from selfeval.cellmatch import boxed_rows, with_boxes
from selfeval.corrections import DocumentCorrections, unmatched
from selfeval.extract.context import OverBudget, ReadContext, time_budget
from selfeval.extract.grid import Document, Place, SourceRow
from selfeval.extract.ocr import Engines
from selfeval.extract.readers import (
    InputFile,
    discover,
    load_source,
    printable_name,
    read_source,
    sniff_suffix,
)
from selfeval.extract.split import FormCells, stream_forms
from selfeval.extract.text import ChangedWhileRead, changed_message
from selfeval.findings import Finding, finding_at
from selfeval.formstream import Collect, FormsOut, Tee, emit
from selfeval.normalize.form import cut_form_start, parse_form
from selfeval.normalize.ocr_check import doubt_places, low_confidence_doubts
from selfeval.normalize.ocr_suspect import ocr_suspects
from selfeval.normalize.records import FormRecord
from selfeval.normalize.runon import regrid_runon_document
from selfeval.normalize.tokens import regrid_document
from selfeval.normalize.validate import validate
from selfeval.output import tables
from selfeval.output.writers import new_tmp_file
from selfeval.parts import empty_form_findings, part_finding, runs, without_lines_at
from selfeval.results import (
    FILE_LEVEL_FAILURES,
    BatchResult,
    FileResult,
    FileSummary,
    Summaries,
    Tally,
    build_tables,
    file_rows,
)
from selfeval.settings import Settings
from selfeval.workers import WorkerDied, WorkerPool

__all__ = [
    "FILE_LEVEL_FAILURES", "BatchResult", "FileResult", "FileSummary", "Outcome", "build_tables", "file_rows",
    "process_file", "read_file", "run",
]


# -- one file -----------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What reading one file gives the batch: its result, the ``--resume``
    key it was found or is to be kept under, and whether it came from the cache."""

    result: FileResult
    key: str | None = None
    cached: bool = False


def process_file(item: InputFile, settings: Settings) -> FileResult:
    """Read and parse one file within ``settings.file_time_budget_s`` seconds (see :func:`read_file`)."""
    return read_file(item, settings).result


def read_file(item: InputFile, settings: Settings, cache: ResultCache | None = None,
              executor=None, engines: Engines | None = None) -> Outcome:
    """One file, everything under its time budget, as a whole
    :class:`FileResult` (see :func:`read_into`)."""
    collect = Collect()
    key, cached = read_into(item, settings, collect, cache, executor, engines=engines)
    assert collect.result is not None
    return Outcome(collect.result, key, cached)


def read_into(item: InputFile, settings: Settings, out: FormsOut, cache: ResultCache | None = None,
              executor=None, store: bool = True, on_hit=None, pages=None,
              engines: Engines | None = None) -> tuple[str | None, bool]:
    """One file into ``out``, form by form as each is read, everything under
    its time budget (:func:`selfeval.extract.context.time_budget`): its bytes
    and sha256, its cache entry, the reading and the parsing.  A file over
    its budget keeps nothing: ``out`` discards its forms and gets one
    file-level ``limit_exceeded`` finding, and the batch goes on.  A budget
    of 0 means no budget.  ``executor`` is lent to the reader for parts of
    the file (a long PDF's pages).  Returns the ``--resume`` key and whether
    the result came from the cache.  A new result is kept in the cache as it
    is read (unless not ``store``: a worker's reply becomes the entry); with
    ``on_hit``, a cached result is not read here: ``on_hit(key)`` is called.
    ``pages`` is told of each page read (``ReadContext.pages``); ``engines``
    are the OCR engines to read with (``ReadContext.engines``; without it,
    an engine is built for this file alone)."""
    started = time.perf_counter()
    sha = ""
    key = None
    try:
        with time_budget(settings.file_time_budget_s) as deadline:
            ctx = ReadContext.of(settings, deadline, executor, pages, engines)
            source = load_source(item, ctx, stream=True)
            if isinstance(source, Document):  # missing, unreadable, over the size limit
                _parse(source, ctx, item, started, out)
                return None, False
            sha = source.sha256
            key = cache.key(item, sha, sniff_suffix(item.path, source.data)) if cache is not None else None
            if key is not None and on_hit is not None and cache.path(key).is_file():
                on_hit(key)  # the caller reads the entry itself
                return key, True
            if key is not None and cache.replay(key, out):
                return key, True
            ctx.check()
            doc = read_source(source, ctx, stream=True)
            del source  # the bytes are not needed past the reader
            entry = cache.writer(key) if key is not None and store else None
            try:
                _parse(doc, ctx, item, started, out if entry is None else Tee(out, entry))
            finally:
                if entry is not None:
                    entry.close()  # the temporary of an entry not finished
            return key, False
    except OverBudget:
        failed = _over_budget(item, settings, sha, started)
    except MemoryError:
        failed = _over_memory(item, settings, sha, started)
    out.discard()
    emit(failed, out)
    return key, False


def _parse(doc: Document, ctx: ReadContext, item: InputFile, started: float, out: FormsOut) -> None:
    """split → parse → validate → account, form by form into ``out``.  A bug
    here (not bad input: that is a finding) is reported as the file's
    ``internal_error``, naming the exception's class, and the batch goes on."""
    try:
        if doc.shape:  # text whose cell boundaries are lost: re-segmented by the vocabulary, as a whole
            if doc.stream is not None:
                doc.rows, doc.stream = list(doc.stream), None
            if not regrid_runon_document(doc):  # run-on text (no separator at all) first
                regrid_document(doc, ctx.settings)
        reading = _Reading(doc, ctx, out)
        for cells in stream_forms(doc.stream if doc.stream is not None else doc.rows, reading.stray):
            ctx.check()
            reading.form(cells)
        head, summary = reading.finish(started)
    except MemoryError:  # over the worker's memory limit: read_into reports it
        raise
    except ChangedWhileRead as exc:  # a huge text file or a PDF, read from disk as it is parsed
        out.discard()
        finding = Finding("unreadable_input", changed_message(item.path, exc), doc_id=item.doc_id)
        emit(FileResult(item.doc_id, str(item.path), "failed", doc.sha256, [], [finding], 0, 0, 0,
                        time.perf_counter() - started), out)
        return
    except Exception as exc:  # noqa: BLE001 - any other exception is a bug; it becomes a finding, never a crash
        out.discard()
        emit(internal_error(item, doc.sha256, f"parsing its forms raised {type(exc).__name__}", started), out)
        return
    out.finish(head, summary)


def internal_error(item: InputFile, sha: str, what: str, started: float) -> FileResult:
    """The result of a file whose processing failed with an unexpected exception (``what``)."""
    finding = Finding("internal_error", f"{item.path}: {what}; none of its forms were kept; please report this file",
                      doc_id=item.doc_id)
    return FileResult(item.doc_id, str(item.path), "failed", sha, [], [finding], 0, 0, 0, time.perf_counter() - started)


def _over_budget(item: InputFile, settings: Settings, sha: str, started: float) -> FileResult:
    finding = Finding(
        "limit_exceeded",
        f"{item.path}: reading stopped after the {settings.file_time_budget_s:g}-second budget for one file; "
        "none of its forms were kept; raise --file-time-budget SECONDS (0: no limit) to read it",
        doc_id=item.doc_id,
    )
    return FileResult(item.doc_id, str(item.path), "timed_out", sha, [], [finding], 0, 0, 0,
                      time.perf_counter() - started)


def _over_memory(item: InputFile, settings: Settings, sha: str, started: float) -> FileResult:
    limit = f"the {settings.max_memory_mb} MB memory limit of a worker" if settings.max_memory_mb else "the memory available"
    finding = Finding(
        "limit_exceeded",
        f"{item.path}: reading it needed more than {limit}; none of its forms were kept; "
        "raise --max-memory-mb MB (0: no limit) to read it",
        doc_id=item.doc_id,
    )
    return FileResult(item.doc_id, str(item.path), "too_big", sha, [], [finding], 0, 0, 0, time.perf_counter() - started)


def _spans(rows: list[SourceRow], places: set[Place]) -> set[Place]:
    """The other lines of the rows at ``places`` (a row the token reader
    built from several lines, ``SourceRow.span``)."""
    return {Place(line, r.page, r.sheet) for r in rows if r.span and r.place in places for line in r.span}


class _Reading:
    """One document's forms as they come: each parsed, validated, its
    findings placed and its lines accounted, then handed to ``out``.  What
    it keeps between forms is small: the 项目序号 seen (with where), the
    counts, and the findings of no form."""

    def __init__(self, doc: Document, ctx: ReadContext, out: FormsOut) -> None:
        self.doc, self.ctx, self.out, self.settings = doc, ctx, out, ctx.settings
        self.stray: list[SourceRow] = []  # the rows before the first form (stream_forms fills it)
        self.corrections = DocumentCorrections(doc.doc_id, self.settings.corrections)
        self.tally = Tally()
        self.parsed = 0  # forms read, look-alikes too
        self.seen: dict[int, Place] = {}  # 项目序号 -> where its first form starts
        self.doubts: set[Place] = set()  # places whose reader doubts the forms' own supersede
        self.head: list[Finding] = []  # the findings of no form: parts holding none, in order
        self.quiet: set[Place] = set()  # the places of the stray parts reported as a whole
        self.stray_places: set[Place] = set()
        self.stray_used: set[Place] = set()  # stray places (and places of the document's own unparsed_line
        # findings) a form still used: the accounting counts them once
        self.used: set[Place] = set()  # the places the forms used (a line two forms share counts once)
        self.reported: set[Place] = set()  # the places the forms reported and no form used
        self.cut_checked = False  # rows before the first form looked at for a form cut at its top
        self.shift = 0  # 1 when such a form was read: the document's own forms come after it
        # a materialised document (every reader but the streaming ones) boxes findings from all its rows
        self.boxed = boxed_rows(doc.rows) if doc.stream is None else None
        self.parts = doc.kind != "text"
        self.close_calls = _close_calls(doc) if doc.shape else {}
        # the token reader's unparsed_line findings (text no cell could hold) are the document's, at lines a
        # form may still use: such a line is used, not reported
        self.doc_unparsed = ({Place(f.line, f.page, f.sheet) for f in doc.findings if f.code == "unparsed_line"
                              and f.line is not None} if doc.shape else set())
        out.begin(doc.doc_id, doc.source_path)

    def _cut_form(self) -> None:
        """Before the first form: rows that hold a block of a form whose head
        is not in the document (a page starting mid-form) are read as a form
        of their own, numbered first (``form_cut_at_top``)."""
        self.cut_checked = True
        start = cut_form_start(self.stray, self.settings)
        if start is None:
            return
        rows, self.stray = self.stray[start:], self.stray[:start]
        self.form(FormCells(index=1, seq=None, rows=rows), cut=True)
        self.shift = 1

    def form(self, cells: FormCells, cut: bool = False) -> None:
        if not self.cut_checked:
            self._cut_form()
        if self.shift:
            cells = FormCells(index=cells.index + self.shift, seq=cells.seq, rows=cells.rows)
        doc, settings = self.doc, self.settings
        form = parse_form(cells, settings)
        if cut:
            form.findings.append(finding_at(
                "form_cut_at_top", f"the rows from line {cells.line_start} hold a form whose head is not in the "
                "document (no title or 项目序号 before them); read as a form of their own", cells.rows[0].place))
        if self.close_calls and not form.look_alike:
            self._close_calls(form, cells)
        self.corrections.apply(form)  # a reviewer's, before validation
        form.findings.extend(low_confidence_doubts(form, cells.rows, settings))
        if not form.look_alike:
            form.findings.extend(validate(form, settings))
            form.findings.extend(ocr_suspects(form, cells.rows, settings))
        self.doubts |= doubt_places(cells.rows)
        if self.parsed == 0:
            self.stray_places = {r.place for r in self.stray}
        if self.parsed == 0 and self.parts:  # the parts before the first form: one finding each
            for part in runs(self.stray):
                self.head.append(part_finding(doc, part, "before the first form"))
                self.quiet.update(r.place for r in part)
        self.parsed += 1
        findings = self._numbered(form)
        findings += [_placed(f, doc.doc_id, form) for f in form.findings]
        findings = [f if f.doc_id else f.where(doc_id=doc.doc_id) for f in findings]
        findings = with_boxes(findings, [form], self.boxed if self.boxed is not None else cells.rows)
        quiet: set[Place] = set()
        if self.parts and not form.look_alike:  # the parts of its rows it used none of
            for n, part in enumerate(runs(cells.rows)):
                if n == 0 or any(r.place in form.used_lines for r in part):
                    continue
                self.head.append(part_finding(doc, part, f"after form {form.form_seq or form.form_index}"))
                quiet.update(r.place for r in part)
        findings = without_lines_at(findings, quiet) + empty_form_findings(doc, [form])
        findings.sort(key=_order)
        used = set(form.used_lines)
        used |= _spans(cells.rows, used)
        unparsed = {Place(f.line, f.page, f.sheet) for f in findings if f.code == "unparsed_line" and f.line is not None}
        unparsed |= _spans(cells.rows, unparsed)  # a row reported whole: every line its cells came from
        self.used |= used
        self.reported |= (unparsed - used) | quiet
        if self.stray_places:
            self.stray_used |= used & self.stray_places
        if self.doc_unparsed:
            self.stray_used |= used & self.doc_unparsed
        kept = None if form.look_alike else form  # look-alikes: reported, lines read, no records
        self.tally.add(findings, 0 if kept is None else 1)
        self.out.add_form(kept, findings)

    def _close_calls(self, form: FormRecord, cells: FormCells) -> None:
        """The token reader's close calls on this form's rows become the
        form's findings, naming the indicator read from their row."""
        for row in cells.rows:
            for f in self.close_calls.pop(row.place, ()):
                if f.table == "indicators":
                    seq = next((i.indicator_seq for i in form.indicators if i.place == row.place), None)
                    f = f.about("indicators", seq, f.field) if seq is not None else f.about(None)
                form.findings.append(f)

    def _numbered(self, form: FormRecord) -> list[Finding]:
        """missing_form_seq and duplicate_form_seq for ``form``, from the 项目序号 of the forms before it."""
        start = _start(form)
        if form.form_seq is None:
            form.form_seq = form.form_index
            return [_placed(finding_at("missing_form_seq", f"form without 项目序号; numbered {form.form_index} by its "
                                       "position", start), self.doc.doc_id, form)]
        if form.form_seq in self.seen:
            return [_placed(finding_at(
                "duplicate_form_seq",
                f"项目序号 {form.form_seq} already used by the form at {self.seen[form.form_seq]}; "
                "use form_index to tell them apart", start), self.doc.doc_id, form)]
        self.seen[form.form_seq] = start
        return []

    def finish(self, started: float) -> tuple[FileResult, FileSummary]:
        """The file's own findings, counts and summary, once every form is handed on."""
        doc = self.doc
        findings = [f for f in doc.findings
                    if f.code != "low_confidence" or Place(f.line, f.page, f.sheet) not in self.doubts]
        findings += [f for calls in self.close_calls.values() for f in calls]  # on rows no form read
        if doc.readable and not self.parsed:
            findings.append(Finding("no_forms_found", f"{doc.source_path}: no 绩效自评表 found (no 项目序号 or title "
                                    "line); is this a self-evaluation form?", doc_id=doc.doc_id))
        else:
            findings += [replace(finding_at("unparsed_line", "before the first form; kept here", row.place, row.text),
                                 doc_id=doc.doc_id) for row in self.stray]
        findings += self.corrections.loose()
        findings = [f if f.doc_id else f.where(doc_id=doc.doc_id) for f in findings]
        findings = with_boxes(findings, [], self.boxed if self.boxed is not None else self.stray)
        findings = without_lines_at(findings, self.quiet) + self.head
        findings.sort(key=_order)
        unparsed = {Place(f.line, f.page, f.sheet) for f in findings if f.code == "unparsed_line" and f.line is not None}
        unparsed |= _spans(self.stray, unparsed)
        used = doc.decoration + len(self.used)
        # a line is used or reported, and counted once: the token reader's finding on a line and a form's on the
        # same line are one line
        reported = len((self.reported | (unparsed - self.stray_used) | self.quiet) - self.used)
        if not self.parsed and doc.readable:
            reported = doc.lines - doc.decoration  # the whole file is the finding
        head = FileResult(doc.doc_id, doc.source_path, doc.kind, doc.sha256, [], findings,
                          doc.lines, used, reported, time.perf_counter() - started)
        self.tally.add(findings)
        return head, self.tally.summary(head)


def _close_calls(doc: Document) -> dict[Place, list[Finding]]:
    """The token reader's close calls (``uncertain_reading``) that name the
    row they went to and its field, taken out of the document's findings, by
    the row's place: they go to the form read from that row."""
    calls: dict[Place, list[Finding]] = {}
    kept = []
    for f in doc.findings:
        if f.code == "uncertain_reading" and f.table is not None and f.line is not None:
            calls.setdefault(Place(f.line, f.page, f.sheet), []).append(f)
        else:
            kept.append(f)
    doc.findings[:] = kept
    return calls


def _order(f: Finding) -> tuple:
    return (f.form_index or 0, f.page or 0, f.sheet or "", f.line or 0)


def _start(form: FormRecord) -> Place:
    return Place(form.line_start, form.page, form.sheet)


def _placed(f: Finding, doc_id: str, form: FormRecord) -> Finding:
    return f.where(doc_id=doc_id, form_seq=form.form_seq, form_index=form.form_index)


# -- a batch ------------------------------------------------------------------
Progress = Callable[[FileResult], None]


class Sink(Protocol):
    """Where a streaming run hands each file's rows (e.g. :class:`selfeval.output.stream.TableWriter`,
    whose ``open_file()`` takes them form by form)."""

    def add_file(self, result: FileResult) -> None: ...

    def add_rows(self, rows: dict[str, list[dict]]) -> None: ...


class Executor(Protocol):
    """Anything with ``submit(fn, *args)`` returning a future with ``result()``:
    a :class:`concurrent.futures.Executor`, or a ``dask.distributed`` client
    (see :mod:`selfeval.distributed`)."""

    def submit(self, fn, *args): ...


def run(inputs: Iterable[Path], settings: Settings | None = None, progress: Progress | None = None,
        sink: Sink | None = None, executor: Executor | None = None) -> BatchResult:
    """Extract every form of every input, in stages: discover → cached or
    read → write.  Everything about how is in ``settings``: ``workers`` (> 1:
    files are read in worker processes; the result is identical),
    ``cache_dir`` (the ``--resume`` cache: a file read before with the same
    bytes, name, settings, data files and components is taken from it, and
    each new result is kept there as soon as it is made), ``keep_results``.

    Results are handled in input order, one file at a time: ``progress`` is
    called with each (and its ``page_done``, if it has one, hears the pages of
    the files read here), and with ``sink`` each file's forms are handed to
    ``sink.open_file()`` form by form as they are read (a
    :class:`selfeval.formstream.FormsOut`; a sink without ``open_file`` gets
    each file whole, ``sink.add_file``), the batch's own findings last, to
    ``sink.add_rows``.
    With a sink the batch keeps only a :class:`FileSummary` per file, so
    memory does not grow with the batch (``keep_results`` keeps the whole
    results too, for ``.tables``).  ``executor`` runs :func:`read_file`
    elsewhere (a cluster); at most ``settings.window`` files are in flight."""
    settings = settings or Settings()
    files, batch_findings, ignored = _discover(inputs)
    batch_findings += unmatched(settings.corrections, (f.doc_id for f in files))
    cache = _open_cache(settings)
    keep = sink is None or settings.keep_results
    kept: list[FileResult] | Summaries = [] if keep else Summaries()  # a streamed batch's summaries wait on disk
    pages = getattr(progress, "page_done", None)  # a progress bar that shows the pages of a long file
    with _readers(settings, executor, files) as read_all:
        for deliver in read_all(files, cache, pages):
            collect, summary = Collect() if keep else None, _Summary()
            outs = [out for out in (collect, _sink_out(sink), summary) if out is not None]
            deliver(Tee(*outs))
            done = collect.result if collect is not None else summary.summary
            assert done is not None
            if progress:
                progress(done)
            kept.append(done)
    if sink is not None and batch_findings:
        sink.add_rows({"findings": tables.finding_rows(batch_findings)})
    links = {item.doc_id: printable_name(item.link) for item in files if item.link}
    return BatchResult(kept, batch_findings, ignored, links)


def _discover(inputs: Iterable[Path]) -> tuple[list[InputFile], list[Finding], list[dict]]:
    ignored: list[dict] = []
    files, findings = discover([Path(p) for p in inputs], ignored)
    return files, findings, ignored


def _open_cache(settings: Settings) -> ResultCache | None:
    if settings.cache_dir is None:
        return None
    cache = ResultCache(settings.cache_dir, settings)
    cache.clean()
    return cache


class _Summary:
    """A FormsOut keeping only the file's summary."""

    summary: FileSummary | None = None

    def begin(self, doc_id: str, source_path: str) -> None:
        pass

    def add_form(self, form, findings) -> None:
        pass

    def finish(self, head: FileResult, summary: FileSummary) -> None:
        self.summary = summary

    def discard(self) -> None:
        self.summary = None


class _WholeFile(Collect):
    """A sink without ``open_file`` gets each file whole (``add_file``)."""

    def __init__(self, sink: Sink) -> None:
        super().__init__()
        self.sink = sink

    def finish(self, head: FileResult, summary: FileSummary) -> None:
        super().finish(head, summary)
        self.sink.add_file(self.result)


def _sink_out(sink: Sink | None) -> FormsOut | None:
    if sink is None:
        return None
    open_file = getattr(sink, "open_file", None)
    return open_file() if open_file is not None else _WholeFile(sink)


Deliver = Callable[[FormsOut], None]  # hands one file's result to a FormsOut
ReadAll = Callable[[list[InputFile], ResultCache | None, Callable | None], Iterator[Deliver]]


@contextmanager
def _readers(settings: Settings, executor: Executor | None, files: list[InputFile]) -> Iterator[ReadAll]:
    """Where the files are read: on ``executor`` (whole results), in worker
    processes (``settings.isolated``: more than one worker, or a memory
    limit; each result comes back as an entry file, form by form), or here."""
    if executor is not None:
        yield lambda items, cache, pages: _on_executor(executor, items, settings, cache)  # pages: read elsewhere
        return
    engines = Engines()  # the run's OCR engines, built on first use (each worker process has its own)
    if not settings.isolated:
        yield lambda items, cache, pages: (partial(read_into, item, settings, cache=cache, pages=pages, engines=engines)
                                           for item in items)
        return
    lend = settings.workers > 1 and not settings.max_memory_mb
    shared = frozenset(i for i, item in enumerate(files) if lend and _spread(item))
    with WorkerPool(_pool_size(settings, files, shared), settings.max_memory_mb) as pool, \
            tempfile.TemporaryDirectory(prefix="selfeval-replies-") as replies:
        yield lambda items, cache, pages: _pooled(pool, items, settings, cache, Path(replies), shared, pages, engines)


def _pool_size(settings: Settings, files: list[InputFile], shared: frozenset[int]) -> int:
    """Worker processes for ``files``: one a file up to ``settings.workers``,
    and all of them when a document's pages are shared out (``shared``: one
    multi-page scan read with ``--workers 2`` is read by two workers, not one)."""
    return settings.workers if shared else min(settings.workers, max(len(files), 1))


def _on_executor(executor: Executor, items: list[InputFile], settings: Settings,
                 cache: ResultCache | None) -> Iterator[Deliver]:
    """:func:`read_file` on ``executor`` (a cluster: the results come back whole)."""
    def deliver(item: InputFile, future, out: FormsOut) -> None:
        outcome = _taken(item, future)
        if cache is not None and outcome.key is not None and not outcome.cached:
            cache.store(outcome.key, outcome.result)
        emit(outcome.result, out)

    for item, future in _in_order(executor, items, settings, _read_on_executor, cache):
        yield partial(deliver, item, future)


@functools.cache
def _executor_engines() -> Engines:
    """The OCR engines of a process an executor reads in (a cluster's
    worker): built there on first use and kept for the files it reads next,
    so the models load once per process, as in the worker pool."""
    return Engines()


def _read_on_executor(item: InputFile, settings: Settings, cache: ResultCache | None) -> Outcome:
    """:func:`read_file` in an executor's process, with that process's engines."""
    return read_file(item, settings, cache, engines=_executor_engines())


def _pooled(pool: WorkerPool, items: list[InputFile], settings: Settings, cache: ResultCache | None,
            replies: Path, shared: frozenset[int], pages=None,
            engines: Engines | None = None) -> Iterator[Deliver]:
    """The files on the pool in input order, each worker writing its result
    as an entry file (one line per form) that is read back here form by
    form.  The documents worth sharing out (``shared``, their indexes in
    ``items``: found by :func:`_spread` when there is no memory limit, a
    long PDF or a PDF or TIFF of several scanned pages) are read here, with
    the pool lent to them for their pages."""
    folder = cache.folder if cache is not None else replies
    folder.mkdir(parents=True, exist_ok=True)
    rest = _in_order(pool, [item for i, item in enumerate(items) if i not in shared], settings, read_to_entry,
                     cache, folder)

    def deliver(item: InputFile, future, out: FormsOut) -> None:
        reply = _taken(item, future)
        if isinstance(reply, Outcome):  # the worker died, or gave nothing
            emit(reply.result, out)
            return
        path = Path(reply.path)
        if not replay(path, out):  # a damaged cache entry: read it here
            read_into(item, settings, out, cache, engines=engines)
            return
        if reply.cached:
            return
        if cache is not None and reply.key is not None and reply.cacheable:
            os.replace(path, cache.path(reply.key))
        else:
            path.unlink(missing_ok=True)

    for i, item in enumerate(items):
        if i in shared:
            yield partial(read_into, item, settings, cache=cache, executor=pool, pages=pages, engines=engines)
        else:
            yield partial(deliver, *next(rest))


@dataclass(frozen=True)
class Reply:
    """What a worker gives back for one file: the entry file holding its
    result (:func:`selfeval.cache.replay` reads it), its ``--resume`` key,
    whether it is the cache's own entry, and whether it may be cached."""

    path: str
    key: str | None
    cached: bool
    cacheable: bool


def read_to_entry(item: InputFile, settings: Settings, cache: ResultCache | None, folder: Path,
                  engines: Engines | None = None) -> Reply:
    """In a worker: read one file into an entry file in ``folder`` (a cached
    result: the cache's entry itself, read back by the caller).  ``engines``:
    the worker process's OCR engines (the worker hands them in)."""
    fd, path = new_tmp_file(folder, "reply")
    os.close(fd)
    entry = EntryWriter(Path(path))
    hits: list[str] = []
    try:
        key, _ = read_into(item, settings, entry, cache, store=False, on_hit=hits.append, engines=engines)
    finally:
        entry.close()
    if hits:
        Path(path).unlink(missing_ok=True)
        return Reply(str(cache.path(hits[0])), hits[0], True, False)
    return Reply(str(path), key, False, entry.cacheable)


read_to_entry.takes_engines = True  # type: ignore[attr-defined]  # the worker passes its own registry


def _in_order(executor: Executor, items: list[InputFile], settings: Settings, fn, *args) -> Iterator[tuple]:
    """``fn(item, settings, *args)`` for each of ``items`` on ``executor``: (item,
    future) in input order, with at most ``settings.window`` submitted and not
    yet taken, so finished results do not pile up behind a slow file."""
    pending: deque = deque()
    for item in items:
        pending.append((item, executor.submit(fn, item, settings, *args)))
        if len(pending) >= settings.window:
            yield pending.popleft()
    while pending:
        yield pending.popleft()


def _taken(item: InputFile, future):
    """The future's value; a file whose worker died is that file's
    ``unreadable_input`` (an Outcome), and the batch goes on."""
    started = time.perf_counter()
    try:
        return future.result()
    except WorkerDied as died:
        finding = Finding("unreadable_input", f"{item.path}: {died.reason}; none of its forms were kept; "
                          "if it was out of memory, raise --max-memory-mb or read the file alone", doc_id=item.doc_id)
        return Outcome(FileResult(item.doc_id, str(item.path), "worker_died", "", [], [finding], 0, 0, 0,
                                  time.perf_counter() - started))
    except (OSError, EOFError, RuntimeError, ValueError, TypeError) as exc:  # the executor failed to run or return it
        return Outcome(internal_error(item, "", f"the worker gave no result ({type(exc).__name__})", started))


LONG_PDF_PAGES = 50  # a PDF with more pages has its page ranges read by the worker pool
LONG_PDF_BYTES = 256 * 1024  # smaller PDFs are not long, whatever their pages (about 100 pages of text; a few of scans)
SCANS_BYTES = 64 * 1024  # smaller PDFs and TIFFs are not looked at for scanned pages (one is 100 kB or more)
TIFF_SUFFIXES = frozenset({".tif", ".tiff"})


def _spread(item: InputFile) -> bool:
    """Whether the pages of a file are worth sharing out on the worker pool:
    a long PDF (over LONG_PDF_BYTES and more than LONG_PDF_PAGES pages, so
    that reading its page ranges in parallel pays), or a PDF or TIFF holding
    two or more scanned pages (each is seconds of OCR).  Only files over
    SCANS_BYTES are opened to look, so a batch of many small files is not
    read twice before the work starts; the look reads the PDF's page tree
    once, or the image's header."""
    suffix = item.path.suffix.lower()
    if suffix != ".pdf" and suffix not in TIFF_SUFFIXES:
        return False
    try:
        size = item.path.stat().st_size
    except OSError:  # missing or unreadable: read the usual way, where it is reported
        return False
    if size < SCANS_BYTES:
        return False
    if suffix in TIFF_SUFFIXES:
        from selfeval.extract.image import frame_count

        return frame_count(item.path) > 1
    from selfeval.extract.pdf import worth_sharing

    return worth_sharing(item.path, LONG_PDF_PAGES, LONG_PDF_BYTES)
