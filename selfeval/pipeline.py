"""The pipeline: input paths to the four tables.

Per file:  read (extract) → split into forms (extract) → parse each form
(normalize) → validate → account for every line.  Per batch: discover the
files, process each (in this process or in workers), assemble the tables.
Nothing here raises for bad input; what went wrong is in the findings.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa

from selfeval import __version__
from selfeval.extract.grid import Document, Place
from selfeval.extract.readers import InputFile, discover, read_document
from selfeval.extract.split import FormCells, split_forms
from selfeval.findings import Finding, Severity, finding_at
from selfeval.normalize import tables
from selfeval.normalize.form import parse_form
from selfeval.normalize.records import FormRecord
from selfeval.normalize.validate import validate
from selfeval.normalize.writers import atomic_write, remove_stale_tmp
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
        }


@dataclass
class BatchResult:
    files: list[FileResult]
    batch_findings: list[Finding] = field(default_factory=list)

    @property
    def failed_inputs(self) -> list[str]:
        return [f.doc_id for f in self.files if f.failed]

    @property
    def tables(self) -> dict[str, pa.Table]:
        return build_tables(self)

    def manifest(self) -> dict:
        return {
            "tool": "selfeval",
            "version": __version__,
            "inputs": [f.manifest_entry() for f in self.files],
            "totals": {
                "inputs": len(self.files),
                "failed_inputs": len(self.failed_inputs),
                "forms": sum(len(f.forms) for f in self.files),
                "lines": sum(f.lines for f in self.files),
                "lines_used": sum(f.lines_used for f in self.files),
                "lines_reported": sum(f.lines_reported for f in self.files),
            },
        }


# -- one file -----------------------------------------------------------------
def process_file(item: InputFile, settings: Settings) -> FileResult:
    started = time.perf_counter()
    doc = read_document(item, settings)
    form_cells, stray = split_forms(doc.rows)
    forms = [parse_form(cells, settings) for cells in form_cells]
    for form in forms:
        form.findings.extend(validate(form, settings))
    findings = list(doc.findings)
    findings += document_findings(doc, form_cells, forms, stray)
    findings += [_placed(f, doc.doc_id, form) for form in forms for f in form.findings]
    findings = [f if f.doc_id else replace(f, doc_id=doc.doc_id) for f in findings]
    findings.sort(key=lambda f: (f.form_index or 0, f.page or 0, f.sheet or "", f.line or 0))
    used_places = _used_places(forms)
    unparsed = {Place(f.line, f.page, f.sheet) for f in findings if f.code == "unparsed_line" and f.line is not None}
    used = doc.decoration + len(used_places)
    reported = len(unparsed - used_places)
    if not forms and doc.readable:
        reported = doc.lines - doc.decoration  # the whole file is the finding
    return FileResult(
        doc.doc_id, doc.source_path, doc.kind, doc.sha256, forms, findings,
        doc.lines, used, reported, time.perf_counter() - started,
    )


def _used_places(forms: list[FormRecord]) -> set[Place]:
    return set().union(*(f.used_lines for f in forms)) if forms else set()


def _start(form: FormRecord) -> Place:
    return Place(form.line_start, form.page, form.sheet)


def _placed(f: Finding, doc_id: str, form: FormRecord) -> Finding:
    return replace(f, doc_id=doc_id, form_seq=form.form_seq, form_index=form.form_index)


def document_findings(doc: Document, cells: list[FormCells], forms: list[FormRecord], stray) -> list[Finding]:
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
            out.append(_placed(finding_at("missing_form_seq", f"{_start(form)}: form without 项目序号; numbered {form.form_index} by its position",
                                          _start(form)), doc.doc_id, form))
        elif form.form_seq in seen:
            out.append(_placed(finding_at(
                "duplicate_form_seq",
                f"{_start(form)}: 项目序号 {form.form_seq} already used by the form at {_start(seen[form.form_seq])}; "
                "use form_index to tell them apart", _start(form)), doc.doc_id, form))
        else:
            seen[form.form_seq] = form
    for row in stray:
        out.append(replace(finding_at("unparsed_line", f"{row.place}: before the first form; kept here", row.place, row.text),
                           doc_id=doc.doc_id))
    return out


# -- a batch ------------------------------------------------------------------
Progress = Callable[[FileResult], None]


def run(inputs: Iterable[Path], settings: Settings | None = None, workers: int = 1,
        progress: Progress | None = None, cache_dir: Path | None = None) -> BatchResult:
    """Extract every form of every input.  ``workers`` > 1 processes files in
    separate processes; the result is identical to a single-process run.
    With ``cache_dir``, a file whose bytes, name, tool version and settings
    were processed before is taken from the cache, and each new result is
    stored there as soon as it is made (so an interrupted run can resume)."""
    settings = settings or Settings()
    files, batch_findings = discover([Path(p) for p in inputs])
    results: dict[int, FileResult] = {}
    keys: dict[int, str] = {}
    if cache_dir is not None:
        remove_stale_tmp(cache_dir)
        for i, item in enumerate(files):
            key = cache_key(item, settings)
            cached = _cache_load(cache_dir, key) if key else None
            if cached is not None:
                results[i] = cached
            elif key:
                keys[i] = key
    todo = [i for i in range(len(files)) if i not in results]

    def done(i: int, result: FileResult) -> None:
        results[i] = result
        if cache_dir is not None and i in keys and _cacheable(result):
            atomic_write(cache_dir / f"{keys[i]}.pickle", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        if progress:
            progress(result)

    for i in range(len(files)):
        if i in results and progress:
            progress(results[i])
    if workers > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, result in zip(todo, pool.map(process_file, [files[i] for i in todo], [settings] * len(todo)), strict=True):
                done(i, result)
    else:
        for i in todo:
            done(i, process_file(files[i], settings))
    return BatchResult([results[i] for i in range(len(files))], batch_findings)


# -- the --resume cache -------------------------------------------------------
CACHE_FORMAT = 2  # bump whenever FileResult or the records change shape
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
    path = cache_dir / f"{key}.pickle"
    try:
        result = pickle.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except Exception:  # a damaged cache entry is ignored and rewritten
        return None
    return result if isinstance(result, FileResult) else None


def build_tables(batch: BatchResult) -> dict[str, pa.Table]:
    rows: dict[str, list[dict]] = {name: [] for name in tables.TABLE_NAMES}
    for file in batch.files:
        for form in file.forms:
            rows["forms"] += tables.form_rows(file.doc_id, file.source_path, form)
            rows["funding"] += tables.funding_rows(file.doc_id, form)
            rows["indicators"] += tables.indicator_rows(file.doc_id, form)
        rows["findings"] += tables.finding_rows(file.findings)
    rows["findings"] += tables.finding_rows(batch.batch_findings)
    return {name: tables.to_arrow(name, r) for name, r in rows.items()}
