"""The pipeline: input paths to the four tables.

Per file (:func:`read_file`), all under the file's time budget: its bytes
and sha256 → the ``--resume`` cache, or read (extract) → split into forms
(extract) → parse each form (normalize) → validate → account for every line.
Per batch (:func:`run`): discover → cached or read (here or in worker
processes) → write, in input order.  Nothing here raises for bad input; what
went wrong is in the findings.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from selfeval.cache import ResultCache
from selfeval.cellmatch import with_boxes
from selfeval.corrections import apply_corrections, unmatched
from selfeval.extract.context import OverBudget, ReadContext, time_budget
from selfeval.extract.grid import Document, Place
from selfeval.extract.readers import (
    InputFile,
    discover,
    load_source,
    printable_name,
    read_source,
    sniff_suffix,
)
from selfeval.extract.split import split_forms
from selfeval.findings import Finding, finding_at
from selfeval.normalize.form import parse_form
from selfeval.normalize.ocr_check import doubt_places, low_confidence_doubts
from selfeval.normalize.ocr_suspect import ocr_suspects
from selfeval.normalize.records import FormRecord
from selfeval.normalize.runon import regrid_runon_document
from selfeval.normalize.tokens import regrid_document
from selfeval.normalize.validate import validate
from selfeval.output import tables
from selfeval.parts import empty_form_findings, quiet_parts, without_lines_at
from selfeval.results import (
    FILE_LEVEL_FAILURES,
    BatchResult,
    FileResult,
    FileSummary,
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
              executor=None) -> Outcome:
    """One file, everything under its time budget
    (:func:`selfeval.extract.context.time_budget`): its bytes and sha256,
    its cache entry, the reading and the parsing.  A file over its budget
    keeps nothing: it yields one file-level ``limit_exceeded`` finding and no
    forms, and the batch goes on.  A budget of 0 means no budget.
    ``executor`` is lent to the reader for parts of the file (a long PDF's pages)."""
    started = time.perf_counter()
    sha = ""
    try:
        with time_budget(settings.file_time_budget_s) as deadline:
            ctx = ReadContext.of(settings, deadline, executor)
            source = load_source(item, ctx)
            if isinstance(source, Document):  # missing, unreadable, over the size limit
                return Outcome(_account(source, [], [], [], started))
            sha = source.sha256
            key = cache.key(item, sha, sniff_suffix(item.path, source.data)) if cache is not None else None
            hit = cache.load(key) if key is not None else None
            if hit is not None:
                return Outcome(hit, key, cached=True)
            ctx.check()
            doc = read_source(source, ctx)
            del source  # the bytes are not needed past the reader
            return Outcome(_parse(doc, ctx, item, started), key)
    except OverBudget:
        return Outcome(_over_budget(item, settings, sha, started))
    except MemoryError:
        return Outcome(_over_memory(item, settings, sha, started))


def _parse(doc: Document, ctx: ReadContext, item: InputFile, started: float) -> FileResult:
    """split → parse → validate → account.  A bug here (not bad input: that
    is a finding) is reported as the file's ``internal_error``, naming the
    exception's class, and the batch goes on."""
    try:
        if doc.shape and not regrid_runon_document(doc):  # cell boundaries lost: re-segmented by the vocabulary
            regrid_document(doc, ctx.settings)
        form_cells, stray = split_forms(doc.rows)
        forms = []
        for cells in form_cells:
            ctx.check()
            forms.append(parse_form(cells, ctx.settings))
        corrected = apply_corrections(doc.doc_id, forms, ctx.settings.corrections)  # a reviewer's, before validation
        for form, cells in zip(forms, form_cells, strict=True):
            form.findings.extend(low_confidence_doubts(form, cells.rows, ctx.settings))
            if not form.look_alike:
                form.findings.extend(validate(form, ctx.settings))
                form.findings.extend(ocr_suspects(form, cells.rows, ctx.settings))
    except MemoryError:  # over the worker's memory limit: read_file reports it
        raise
    except Exception as exc:  # noqa: BLE001 - any other exception is a bug; it becomes a finding, never a crash
        return internal_error(item, doc.sha256, f"parsing its forms raised {type(exc).__name__}", started)
    return _account(doc, form_cells, forms, stray, started, corrected)


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


def _account(doc: Document, form_cells: list, forms: list[FormRecord], stray, started: float,
             corrected: list[Finding] | None = None) -> FileResult:
    """The file's result: its forms, every finding placed, and the lines used and reported."""
    in_forms = doubt_places(r for cells in form_cells for r in cells.rows)  # their doubts are now the forms'
    findings = [f for f in doc.findings if f.code != "low_confidence" or Place(f.line, f.page, f.sheet) not in in_forms]
    findings += document_findings(doc, forms, stray)
    findings += corrected or []
    findings += [_placed(f, doc.doc_id, form) for form in forms for f in form.findings]
    findings = [f if f.doc_id else replace(f, doc_id=doc.doc_id) for f in findings]
    findings = with_boxes(findings, forms, doc.rows)  # where a PDF or scan shows each value
    part_findings, quiet = quiet_parts(doc, [c.rows for c in form_cells], forms, stray)
    findings = without_lines_at(findings, quiet) + part_findings + empty_form_findings(doc, forms)
    findings.sort(key=lambda f: (f.form_index or 0, f.page or 0, f.sheet or "", f.line or 0))
    used_places = _used_places(forms)
    used_places |= {Place(line, r.page, r.sheet) for r in doc.rows if r.span and r.place in used_places for line in r.span}
    unparsed = {Place(f.line, f.page, f.sheet) for f in findings if f.code == "unparsed_line" and f.line is not None}
    used = doc.decoration + len(used_places)
    reported = len(unparsed - used_places) + len(quiet)
    if not forms and doc.readable:
        reported = doc.lines - doc.decoration  # the whole file is the finding
    kept = [form for form in forms if not form.look_alike]  # look-alikes: reported, lines read, no records
    return FileResult(
        doc.doc_id, doc.source_path, doc.kind, doc.sha256, kept, findings,
        doc.lines, used, reported, time.perf_counter() - started,
    )


def _used_places(forms: list[FormRecord]) -> set[Place]:
    return set().union(*(f.used_lines for f in forms)) if forms else set()


def _start(form: FormRecord) -> Place:
    return Place(form.line_start, form.page, form.sheet)


def _placed(f: Finding, doc_id: str, form: FormRecord) -> Finding:
    return replace(f, doc_id=doc_id, form_seq=form.form_seq, form_index=form.form_index)


def document_findings(doc: Document, forms: list[FormRecord], stray) -> list[Finding]:
    """Findings about the document as a whole: no forms, duplicate 项目序号,
    forms numbered by position, and rows before the first form."""
    out: list[Finding] = []
    if doc.readable and not forms:
        out.append(Finding("no_forms_found", f"{doc.source_path}: no 绩效自评表 found (no 项目序号 or title line); "
                           "is this a self-evaluation form?", doc_id=doc.doc_id))
        return out
    seen: dict[int, FormRecord] = {}
    for form in forms:
        if form.form_seq is None:
            form.form_seq = form.form_index
            out.append(_placed(finding_at("missing_form_seq", f"form without 项目序号; numbered {form.form_index} by its position",
                                          _start(form)), doc.doc_id, form))
        elif form.form_seq in seen:
            out.append(_placed(finding_at(
                "duplicate_form_seq",
                f"项目序号 {form.form_seq} already used by the form at {_start(seen[form.form_seq])}; "
                "use form_index to tell them apart", _start(form)), doc.doc_id, form))
        else:
            seen[form.form_seq] = form
    for row in stray:
        out.append(replace(finding_at("unparsed_line", "before the first form; kept here", row.place, row.text),
                           doc_id=doc.doc_id))
    return out


# -- a batch ------------------------------------------------------------------
Progress = Callable[[FileResult], None]


class Sink(Protocol):
    """Where a streaming run hands each file's rows (e.g. :class:`selfeval.output.stream.TableWriter`)."""

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
    called with each, and with ``sink`` its rows are handed to
    ``sink.add_file`` (the batch's own findings last, to ``sink.add_rows``).
    With a sink the batch keeps only a :class:`FileSummary` per file, so
    memory does not grow with the batch (``keep_results`` keeps the whole
    results too, for ``.tables``).  ``executor`` runs :func:`read_file`
    elsewhere (a cluster); at most ``settings.window`` files are in flight."""
    settings = settings or Settings()
    files, batch_findings, ignored = _discover(inputs)
    batch_findings += unmatched(settings.corrections, (f.doc_id for f in files))
    cache = _open_cache(settings)
    keep = sink is None or settings.keep_results
    kept: list[FileResult | FileSummary] = []
    with _readers(settings, executor, files) as read_all:
        for outcome in read_all(files, cache):
            _write(outcome, cache, progress, sink)
            kept.append(outcome.result if keep else outcome.result.summary())
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


def _write(outcome: Outcome, cache: ResultCache | None, progress: Progress | None, sink: Sink | None) -> None:
    if cache is not None and outcome.key is not None and not outcome.cached:
        cache.store(outcome.key, outcome.result)
    if progress:
        progress(outcome.result)
    if sink is not None:
        sink.add_file(outcome.result)


ReadAll = Callable[[list[InputFile], ResultCache | None], Iterator[Outcome]]


@contextmanager
def _readers(settings: Settings, executor: Executor | None, files: list[InputFile]) -> Iterator[ReadAll]:
    """Where the files are read: on ``executor``, in worker processes
    (``settings.isolated``: more than one worker, or a memory limit), or here."""
    if executor is not None:
        yield lambda items, cache: _in_order(executor, items, settings, cache)
        return
    if not settings.isolated:
        yield lambda items, cache: (read_file(item, settings, cache) for item in items)
        return
    with WorkerPool(min(settings.workers, max(len(files), 1)), settings.max_memory_mb) as pool:
        yield lambda items, cache: _pooled(pool, items, settings, cache)


def _pooled(pool: WorkerPool, items: list[InputFile], settings: Settings, cache: ResultCache | None) -> Iterator[Outcome]:
    """The files on the pool in input order.  Without a memory limit, a long
    PDF is read here, with the pool lent to it for its page ranges."""
    lend = settings.workers > 1 and not settings.max_memory_mb
    long_pdfs = {i for i, item in enumerate(items) if lend and _long_pdf(item)}
    rest = _in_order(pool, [item for i, item in enumerate(items) if i not in long_pdfs], settings, cache)
    for i, item in enumerate(items):
        yield read_file(item, settings, cache, executor=pool) if i in long_pdfs else next(rest)


def _in_order(executor: Executor, items: list[InputFile], settings: Settings,
              cache: ResultCache | None) -> Iterator[Outcome]:
    """:func:`read_file` over ``items`` on ``executor``, in input order, with
    at most ``settings.window`` submitted and not yet taken, so finished
    results do not pile up behind a slow file.  A file whose worker died is
    that file's ``unreadable_input``; the batch goes on."""
    pending: deque = deque()
    for item in items:
        pending.append((item, executor.submit(read_file, item, settings, cache)))
        if len(pending) >= settings.window:
            yield _taken(*pending.popleft())
    while pending:
        yield _taken(*pending.popleft())


def _taken(item: InputFile, future) -> Outcome:
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
LONG_PDF_BYTES = 256 * 1024  # smaller PDFs are not page-counted (about 100 pages of text; a few of scans)


def _long_pdf(item: InputFile) -> bool:
    """A PDF long enough that reading its page ranges in parallel pays.  Only
    files over LONG_PDF_BYTES are opened to count their pages, so a batch of
    many small PDFs is not read twice before the work starts."""
    if item.path.suffix.lower() != ".pdf":
        return False
    try:
        if item.path.stat().st_size < LONG_PDF_BYTES:
            return False
    except OSError:  # missing or unreadable: read the usual way, where it is reported
        return False
    from selfeval.extract.pdf import has_more_pages

    return has_more_pages(item.path, LONG_PDF_PAGES)
