"""What a batch produces: one :class:`FileResult` per input file, kept whole
or as a :class:`FileSummary` once its rows are written, and the
:class:`BatchResult` of them all, with its manifest and tables.

These are data only: the pipeline makes them, the ``--resume`` cache
(:mod:`selfeval.cache`) stores and loads them, the writers take their rows.
None of those modules needs another to name these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from selfeval import __version__
from selfeval.extract.readers import printable_name
from selfeval.findings import Finding, Severity
from selfeval.normalize.records import FormRecord
from selfeval.output import tables

FILE_LEVEL_FAILURES = {"unreadable_input", "no_forms_found", "limit_exceeded"}


@dataclass(frozen=True)
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
        tally = Tally()
        tally.add(self.findings, len(self.forms))
        return tally.failed

    def manifest_entry(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "source_path": printable_name(self.source_path),
            "kind": self.kind,
            "sha256": self.sha256,
            "lines": self.lines,
            "lines_used": self.lines_used,
            "lines_reported": self.lines_reported,
            "forms": len(self.forms),
            "findings": len(self.findings),
            "internal_errors": sum(f.code == "internal_error" for f in self.findings),
            "seconds": round(self.seconds, 4),
            "version": __version__,
        }

    @property
    def errors(self) -> list[Finding]:
        """The file-level errors (no form): what the command line prints for a failed input."""
        return [f for f in self.findings if f.severity is Severity.ERROR and f.form_seq is None]

    def summary(self) -> FileSummary:
        tally = Tally()
        tally.add(self.findings, len(self.forms))
        return tally.summary(self)


class Tally:
    """What a file's summary needs, counted as its forms and findings come
    (:mod:`selfeval.formstream`), so the forms need not be kept."""

    def __init__(self) -> None:
        self.forms = 0
        self.findings = 0
        self.internal_errors = 0  # bugs met reading the file: each is a finding, and counted in the manifest
        self.file_level_error = self.empty_form = self.look_alike = False
        self.errors: list[Finding] = []  # errors of no form, in table order

    def add(self, findings: list[Finding], forms: int = 0) -> None:
        self.forms += forms
        self.findings += len(findings)
        for f in findings:
            self.internal_errors += f.code == "internal_error"
            if f.severity is Severity.ERROR:
                # a limit on one line (line set) cuts that line, not the file: the file still yields its forms
                self.file_level_error = self.file_level_error or (f.code in FILE_LEVEL_FAILURES and f.line is None)
                if f.form_seq is None:
                    self.errors.append(f)
            self.empty_form = self.empty_form or f.code == "empty_form"
            self.look_alike = self.look_alike or f.code == "not_a_self_evaluation_form"

    @property
    def failed(self) -> bool:
        return self.file_level_error or self.empty_form or (not self.forms and not self.look_alike)

    def summary(self, head: FileResult) -> FileSummary:
        """The summary of the file ``head`` is the result of (its forms and findings counted here)."""
        entry = head.manifest_entry()
        entry["forms"], entry["findings"], entry["internal_errors"] = self.forms, self.findings, self.internal_errors
        return FileSummary(head.doc_id, entry, self.failed, list(self.errors) if self.failed else [])


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class BatchResult:
    """The files of a batch, in input order: whole :class:`FileResult`s, or
    only :class:`FileSummary`s when the rows went to a streaming writer
    (``run(..., sink=...)`` without ``Settings(keep_results=True)``)."""

    files: list[FileResult] | list[FileSummary]
    batch_findings: list[Finding] = field(default_factory=list)
    ignored: list[dict] = field(default_factory=list)  # paths a .selfevalignore skipped, with the pattern
    links: dict[str, str] = field(default_factory=dict)  # doc_id -> target, for inputs that are symbolic links

    @property
    def failed_inputs(self) -> list[str]:
        return [f.doc_id for f in self.files if f.failed]

    @property
    def tables(self) -> dict[str, pa.Table]:
        if any(isinstance(f, FileSummary) for f in self.files):
            raise ValueError("this batch kept no rows (they were streamed to its writer); "
                             "run it with Settings(keep_results=True) to also keep the tables in memory")
        return build_tables(self)

    def manifest(self) -> dict:
        entries = [f.manifest_entry() for f in self.files]
        for entry in entries:
            if entry["doc_id"] in self.links:
                entry["link"] = self.links[entry["doc_id"]]
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
                # unexpected exceptions met (bugs): each is an internal_error finding naming its class
                "internal_errors": sum(e.get("internal_errors", 0) for e in entries)
                + sum(f.code == "internal_error" for f in self.batch_findings),
            },
            "ignored": list(self.ignored),
        }


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
