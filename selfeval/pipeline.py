"""The pipeline: input paths to the four tables.

Per file:  read (extract) → split into forms (extract) → parse each form
(normalize) → validate → account for every line.  Per batch: discover the
files, process each (in this process or in workers), assemble the tables.
Nothing here raises for bad input; what went wrong is in the findings.
"""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from selfeval import __version__
from selfeval.extract.grid import Document, Place
from selfeval.extract.readers import InputFile, discover, read_document
from selfeval.extract.split import split_forms
from selfeval.findings import Finding, Severity, finding_at
from selfeval.normalize.form import parse_form
from selfeval.normalize.ocr_check import doubt_places, low_confidence_doubts
from selfeval.normalize.ocr_suspect import ocr_suspects
from selfeval.normalize.records import FormRecord
from selfeval.normalize.tokens import regrid_document
from selfeval.normalize.validate import validate
from selfeval.output import tables
from selfeval.output.writers import atomic_write, remove_stale_tmp
from selfeval.parts import empty_form_findings, quiet_parts, without_lines_at
from selfeval.settings import Settings

FILE_LEVEL_FAILURES = {"unreadable_input", "no_forms_found", "limit_exceeded"}


@dataclass
class FileResult:
    """Everything one input file produced, ready to become table rows."""

    doc_id: str
    source_path: str
    kind: str
    sha256: str
    forms: list[FormRecord]
    findings: list[Finding]
    lines: int
    lines_used: int
    lines_reported: int
    seconds: float

    @property
    def failed(self) -> bool:
        # a limit on one line (line set) cuts that line, not the file: the file still yields its forms
        return any(f.code in FILE_LEVEL_FAILURES and f.severity is Severity.ERROR and f.line is None
                   for f in self.findings) or (
            not self.forms and not any(f.code == "not_a_self_evaluation_form" for f in self.findings)
        )

    def manifest_entry(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "source_path": self.source_path,
            "kind": self.kind,
            "sha256": self.sha256,
            "lines": self.lines,
            "lines_used": self.lines_used,
            "lines_reported": self.lines_reported,
            "forms": len(self.forms),
            "findings": len(self.findings),
            "seconds": round(self.seconds, 4),
            "version": __version__,
        }

    @property
    def errors(self) -> list[Finding]:
        """The file-level errors (no form): what the command line prints for a failed input."""
        return [f for f in self.findings if f.severity is Severity.ERROR and f.form_seq is None]

    def summary(self) -> FileSummary:
        return FileSummary(self.doc_id, self.manifest_entry(), self.failed, self.errors if self.failed else [])


@dataclass
class FileSummary:
    """What a batch keeps of a file once its rows are written: the manifest
    entry, whether it failed and why.  Memory stays flat however many files."""

    doc_id: str
    entry: dict
    failed: bool
    errors: list[Finding]

    @property
    def lines(self) -> int:
        return self.entry["lines"]

    @property
    def lines_used(self) -> int:
        return self.entry["lines_used"]

    @property
    def lines_reported(self) -> int:
        return self.entry["lines_reported"]

    def manifest_entry(self) -> dict:
        return dict(self.entry)


@dataclass
class BatchResult:
    """The files of a batch, in input order: whole :class:`FileResult`s, or
    only :class:`FileSummary`s when the rows went to a streaming writer
    (``run(..., sink=...)``, without ``keep=True``)."""

    files: list[FileResult] | list[FileSummary]
    batch_findings: list[Finding] = field(default_factory=list)
    ignored: list[dict] = field(default_factory=list)  # paths a .selfevalignore skipped, with the pattern

    @property
    def failed_inputs(self) -> list[str]:
        return [f.doc_id for f in self.files if f.failed]

    @property
    def tables(self) -> dict[str, pa.Table]:
        if any(isinstance(f, FileSummary) for f in self.files):
            raise ValueError("this batch kept no rows (they were streamed to its writer); "
                             "call run(..., keep=True) to also keep the tables in memory")
        return build_tables(self)

    def manifest(self) -> dict:
        entries = [f.manifest_entry() for f in self.files]
        return {
            "tool": "selfeval",
            "version": __version__,
            "inputs": entries,
            "totals": {
                "inputs": len(self.files),
                "failed_inputs": len(self.failed_inputs),
                "forms": sum(e["forms"] for e in entries),
                "lines": sum(f.lines for f in self.files),
                "lines_used": sum(f.lines_used for f in self.files),
                "lines_reported": sum(f.lines_reported for f in self.files),
            },
            "ignored": list(self.ignored),
        }


# -- one file -----------------------------------------------------------------
def process_file(item: InputFile, settings: Settings) -> FileResult:
    """Read and parse one file within ``settings.file_time_budget_s`` seconds.

    The budget is enforced with SIGALRM, so only where that is possible: on
    the main thread of a process (the CLI's process and each worker process)
    on a system with ``signal.setitimer``, and when no other timer is already
    pending.  Elsewhere (a thread, Windows) the file is processed without a
    budget.  A file over its budget keeps nothing: it yields one file-level
    ``limit_exceeded`` finding and no forms, and the batch goes on.
    A budget of 0 means no budget."""
    started = time.perf_counter()
    budget = settings.file_time_budget_s
    if not budget or not _alarm_available():
        return _process_file(item, settings, started)
    try:
        with _time_budget(budget):
            return _process_file(item, settings, started)
    except _OverBudget:
        return _over_budget(item, settings, started)


class _OverBudget(BaseException):
    """Raised by the SIGALRM handler; a BaseException so that the readers'
    ``except Exception`` (which turns reader bugs into findings) lets it pass."""


def _alarm_available() -> bool:
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # someone else's timer is running: leave it alone
    )


_OVER_BUDGET = threading.Event()  # set by the alarm; checked between forms


def _check_budget() -> None:
    """Raise _OverBudget when the alarm has fired.  The alarm raises too, but
    an exception raised by a signal handler is lost when it lands in a
    garbage-collector callback or a __del__; this check catches it at the
    next form."""
    if _OVER_BUDGET.is_set():
        raise _OverBudget()


@contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    def on_alarm(signum, frame):
        _OVER_BUDGET.set()
        raise _OverBudget()

    _OVER_BUDGET.clear()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
        _OVER_BUDGET.clear()


def _over_budget(item: InputFile, settings: Settings, started: float) -> FileResult:
    try:
        sha = hashlib.sha256(item.path.read_bytes()).hexdigest()
    except OSError:
        sha = ""
    finding = Finding(
        "limit_exceeded",
        f"{item.path}: reading stopped after the {settings.file_time_budget_s:g}-second budget for one file; "
        "none of its forms were kept; raise --file-time-budget SECONDS (0: no limit) to read it",
        doc_id=item.doc_id,
    )
    return FileResult(item.doc_id, str(item.path), "timed_out", sha, [], [finding], 0, 0, 0,
                      time.perf_counter() - started)


def _process_file(item: InputFile, settings: Settings, started: float) -> FileResult:
    doc = read_document(item, settings)
    if doc.shape:  # text whose cell boundaries are lost: re-segmented by the vocabulary
        regrid_document(doc, settings)
    form_cells, stray = split_forms(doc.rows)
    forms = []
    for cells in form_cells:
        _check_budget()
        forms.append(parse_form(cells, settings))
    for form, cells in zip(forms, form_cells, strict=True):
        form.findings.extend(low_confidence_doubts(form, cells.rows, settings))
        if not form.look_alike:
            form.findings.extend(validate(form, settings))
            form.findings.extend(ocr_suspects(form, cells.rows, settings))
    in_forms = doubt_places(r for cells in form_cells for r in cells.rows)  # their doubts are now the forms'
    findings = [f for f in doc.findings if f.code != "low_confidence" or Place(f.line, f.page, f.sheet) not in in_forms]
    findings += document_findings(doc, forms, stray)
    findings += [_placed(f, doc.doc_id, form) for form in forms for f in form.findings]
    findings = [f if f.doc_id else replace(f, doc_id=doc.doc_id) for f in findings]
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


def run(inputs: Iterable[Path], settings: Settings | None = None, workers: int = 1,
        progress: Progress | None = None, cache_dir: Path | None = None,
        sink: Sink | None = None, keep: bool | None = None,
        executor: Executor | None = None, window: int | None = None) -> BatchResult:
    """Extract every form of every input.  ``workers`` > 1 processes files in
    separate processes; the result is identical to a single-process run.
    With ``cache_dir``, a file whose bytes, name, tool version and settings
    were processed before is taken from the cache, and each new result is
    stored there as soon as it is made (so an interrupted run can resume).

    Results are handled in input order, one file at a time: ``progress`` is
    called with each, and with ``sink`` its rows are handed to
    ``sink.add_file`` (the batch's own findings last, to ``sink.add_rows``).  With a sink the batch
    keeps only a :class:`FileSummary` per file, so memory does not grow with
    the batch; ``keep=True`` keeps the whole results too (``.tables``).
    ``executor`` runs :func:`process_file` elsewhere (a process pool, a
    cluster); at most ``window`` files are in flight at once."""
    settings = settings or Settings()
    keep = sink is None if keep is None else keep
    ignored: list[dict] = []
    files, batch_findings = discover([Path(p) for p in inputs], ignored)
    keys: dict[int, str] = {}
    cached: set[int] = set()
    if cache_dir is not None:
        remove_stale_tmp(cache_dir)
        for i, item in enumerate(files):
            key = cache_key(item, settings)
            if key:
                keys[i] = key
                if (cache_dir / f"{key}.json").is_file():  # the entry _cache_load reads
                    cached.add(i)  # loaded when its turn comes
    todo = [i for i in range(len(files)) if i not in cached]
    kept: list[FileResult | FileSummary] = []

    def done(i: int, result: FileResult, store: bool) -> None:
        if store and cache_dir is not None and i in keys and _cacheable(result):
            _cache_store(cache_dir, keys[i], result)
        if progress:
            progress(result)
        if sink is not None:
            sink.add_file(result)
        kept.append(result if keep else result.summary())

    # a long PDF is read here, with the pool lent to it for its page ranges
    long_pdfs = {i for i in todo if _long_pdf(files[i], settings)} if executor is None and workers > 1 else set()
    pool = None
    if executor is None and workers > 1 and (len(todo) > 1 or long_pdfs):
        pool = executor = ProcessPoolExecutor(max_workers=workers)
    try:
        rest = [files[i] for i in todo if i not in long_pdfs]
        if executor is not None:
            computed = _in_order(executor, rest, settings, window or 4 * max(workers, 1))
        else:
            computed = (process_file(item, settings) for item in rest)
        for i in range(len(files)):
            if i in cached:
                result = _cache_load(cache_dir, keys[i]) if cache_dir is not None else None
                if result is not None:
                    done(i, result, store=False)
                    continue
                done(i, process_file(files[i], settings), store=True)  # a damaged entry: read again
            elif i in long_pdfs:
                done(i, _with_page_pool(pool, files[i], settings), store=True)
            else:
                done(i, next(computed), store=True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if sink is not None and batch_findings:
        sink.add_rows({"findings": tables.finding_rows(batch_findings)})
    return BatchResult(kept, batch_findings, ignored)


LONG_PDF_PAGES = 50  # a PDF with more pages has its page ranges read by the worker pool
LONG_PDF_BYTES = 256 * 1024  # smaller PDFs are not page-counted (about 100 pages of text; a few of scans)


def _long_pdf(item: InputFile, settings: Settings) -> bool:
    """A PDF long enough that reading its page ranges in parallel pays.  Only
    files over LONG_PDF_BYTES are opened to count their pages, so a batch of
    many small PDFs is not read twice before the work starts."""
    if item.path.suffix.lower() != ".pdf":
        return False
    try:
        if item.path.stat().st_size < LONG_PDF_BYTES:
            return False
        from selfeval.extract.pdf import page_count

        return page_count(item.path) > LONG_PDF_PAGES
    except Exception:  # unreadable or not a PDF after all: read the usual way, where it is reported
        return False


def _with_page_pool(pool: Executor | None, item: InputFile, settings: Settings) -> FileResult:
    from selfeval.extract.pdf import PAGE_POOL

    token = PAGE_POOL.set(pool)
    try:
        return process_file(item, settings)
    finally:
        PAGE_POOL.reset(token)


def _in_order(executor: Executor, items: list[InputFile], settings: Settings, window: int) -> Iterator[FileResult]:
    """``process_file`` over ``items`` on ``executor``, yielding results in
    input order with at most ``window`` submitted and not yet taken, so
    finished results do not pile up behind a slow file."""
    pending: deque = deque()
    for item in items:
        pending.append(executor.submit(process_file, item, settings))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


# -- the --resume cache -------------------------------------------------------
CACHE_FORMAT = 4  # bump whenever FileResult or the records change shape (3: JSON, selfeval.cache; 4: findings name their field)
def cache_key(item: InputFile, settings: Settings) -> str | None:
    """sha256 of the file's bytes, its doc_id and path, the tool version and
    the settings; None when the file cannot be read or is over the size limit
    (reading it again is cheap, and its result is not cached)."""
    try:
        if item.path.stat().st_size > settings.max_file_bytes:
            return None
        data = item.path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(data)
    digest.update(repr((CACHE_FORMAT, __version__, item.doc_id, str(item.path), settings)).encode("utf-8"))
    return digest.hexdigest()


def _cacheable(result: FileResult) -> bool:
    """Results that depend on the machine (a missing optional reader, a time
    budget) are not cached: the next run should try again."""
    return not any(f.code in ("unreadable_input", "limit_exceeded") and f.line is None for f in result.findings)


def _cache_load(cache_dir: Path, key: str) -> FileResult | None:
    """The cached result for ``key``, or None.  Cache entries are JSON read by
    selfeval.cache (never unpickled: the output folder is not trusted)."""
    from selfeval.cache import loads

    try:
        return loads((cache_dir / f"{key}.json").read_bytes(), CACHE_FORMAT)
    except Exception:  # missing or damaged (CacheFormatError, OSError, too deep): processed again and rewritten
        return None


def _cache_store(cache_dir: Path, key: str, result: FileResult) -> None:
    from selfeval.cache import CacheFormatError, dumps

    try:
        data = dumps(result, CACHE_FORMAT)
    except (CacheFormatError, ValueError, TypeError):  # a value JSON cannot hold: not cached, the run goes on
        return
    atomic_write(cache_dir / f"{key}.json", data)


def file_rows(file: FileResult) -> dict[str, list[dict]]:
    """One file's rows of the four tables (table name -> row dicts)."""
    rows: dict[str, list[dict]] = {name: [] for name in tables.TABLE_NAMES}
    for form in file.forms:
        for name, part in tables.rows_of_form(file.doc_id, file.source_path, form).items():
            rows[name] += part
    rows["findings"] += tables.finding_rows(file.findings)
    return rows


def build_tables(batch: BatchResult) -> dict[str, pa.Table]:
    rows: dict[str, list[dict]] = {name: [] for name in tables.TABLE_NAMES}
    for file in batch.files:
        for name, part in file_rows(file).items():
            rows[name] += part
    rows["findings"] += tables.finding_rows(batch.batch_findings)
    return {name: tables.to_arrow(name, r) for name, r in rows.items()}
