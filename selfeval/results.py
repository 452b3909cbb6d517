"""What a batch produces: one :class:`FileResult` per input file, kept whole
or as a :class:`FileSummary` once its rows are written, and the
:class:`BatchResult` of them all, with its manifest and tables.

These are data only: the pipeline makes them, the ``--resume`` cache
(:mod:`selfeval.cache`) stores and loads them, the writers take their rows.
None of those modules needs another to name these types.
"""

from __future__ import annotations

import json
import os
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

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

    @cached_property
    def failed(self) -> bool:  # counted once: the result does not change
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


class Summaries(Sequence[FileSummary]):
    """The :class:`FileSummary`s of a streamed batch, in input order, kept in
    an anonymous temporary file, one JSON line (the manifest entry) each, and
    read back as they are iterated: a batch of many files keeps no entry in
    memory.  A failed file's summary (its errors) is also held in memory;
    those are few."""

    def __init__(self) -> None:
        self._fh = tempfile.TemporaryFile(prefix="selfeval-summaries-")  # noqa: SIM115 - closed with the object
        self._ends = array("q")  # the end offset of each line (8 bytes a file)
        self._failed: dict[int, FileSummary] = {}

    def append(self, summary: FileSummary) -> None:
        if summary.failed:
            self._failed[len(self._ends)] = summary
        self._fh.write(json.dumps(summary.entry, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n")
        self._ends.append(self._fh.tell())

    def __len__(self) -> int:
        return len(self._ends)

    @property
    def failed(self) -> list[FileSummary]:
        """The failed files' summaries, in input order: those held in memory, nothing read back."""
        return list(self._failed.values())

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]
        start = self._ends[i - 1] if i else 0
        self._fh.flush()
        return self._summary(i, os.pread(self._fh.fileno(), self._ends[i] - start, start))

    def __iter__(self) -> Iterator[FileSummary]:
        self._fh.flush()
        fd, offset, i, rest = self._fh.fileno(), 0, 0, b""
        end = self._ends[-1] if self._ends else 0
        while offset < end:
            chunk = os.pread(fd, min(1 << 20, end - offset), offset)
            offset += len(chunk)
            *lines, rest = (rest + chunk).split(b"\n")
            for line in lines:
                yield self._summary(i, line)
                i += 1

    def _summary(self, i: int, line: bytes) -> FileSummary:
        if i in self._failed:
            return self._failed[i]
        entry = json.loads(line)
        return FileSummary(entry["doc_id"], entry, False, [])

    def close(self) -> None:
        self._fh.close()


class _Totals:
    """The manifest's totals, counted entry by entry."""

    def __init__(self) -> None:
        self.inputs = self.failed = self.forms = self.lines = self.used = self.reported = self.internal = 0

    def add(self, file: FileResult | FileSummary, entry: dict) -> None:
        self.inputs += 1
        self.failed += bool(file.failed)
        self.forms += entry["forms"]
        self.lines += file.lines
        self.used += file.lines_used
        self.reported += file.lines_reported
        self.internal += entry.get("internal_errors", 0)

    def of(self, batch_findings: list[Finding]) -> dict:
        return {
            "inputs": self.inputs,
            "failed_inputs": self.failed,
            "forms": self.forms,
            "lines": self.lines,
            "lines_used": self.used,
            "lines_reported": self.reported,
            # unexpected exceptions met (bugs): each is an internal_error finding naming its class
            "internal_errors": self.internal + sum(f.code == "internal_error" for f in batch_findings),
        }


@dataclass(frozen=True)
class BatchResult:
    """The files of a batch, in input order: whole :class:`FileResult`s, or
    only :class:`FileSummary`s when the rows went to a streaming writer
    (``run(..., sink=...)`` without ``Settings(keep_results=True)``)."""

    files: Sequence[FileResult] | Sequence[FileSummary]  # a streamed batch's: Summaries
    batch_findings: list[Finding] = field(default_factory=list)
    ignored: list[dict] = field(default_factory=list)  # paths a .selfevalignore skipped, with the pattern
    links: dict[str, str] = field(default_factory=dict)  # doc_id -> target, for inputs that are symbolic links

    @property
    def failed_files(self) -> list[FileResult] | list[FileSummary]:
        """The files that failed, in input order (a streamed batch's summaries are not read back for them)."""
        if isinstance(self.files, Summaries):
            return self.files.failed
        return [f for f in self.files if f.failed]

    @property
    def failed_inputs(self) -> list[str]:
        return [f.doc_id for f in self.failed_files]

    @property
    def tables(self) -> dict[str, pa.Table]:
        if isinstance(self.files, Summaries) or any(isinstance(f, FileSummary) for f in self.files):
            raise ValueError("this batch kept no rows (they were streamed to its writer); "
                             "run it with Settings(keep_results=True) to also keep the tables in memory")
        return build_tables(self)

    def _entries(self) -> Iterator[tuple[FileResult | FileSummary, dict]]:
        for file in self.files:
            entry = file.manifest_entry()
            if entry["doc_id"] in self.links:
                entry["link"] = self.links[entry["doc_id"]]
            yield file, entry

    def manifest(self) -> dict:
        totals = _Totals()
        entries = []
        for file, entry in self._entries():
            totals.add(file, entry)
            entries.append(entry)
        return {
            "tool": "selfeval",
            "version": __version__,
            "inputs": entries,
            "totals": totals.of(self.batch_findings),
            "ignored": list(self.ignored),
        }

    def manifest_text(self) -> Iterator[str]:
        """``manifest.json``'s text, piece by piece, an entry at a time: the
        same text as ``json.dumps(self.manifest(), ensure_ascii=False,
        indent=2) + "\\n"``, without holding every entry at once."""
        def dumps(value, depth: int) -> str:  # a value at this nesting depth, as json.dumps(indent=2) places it
            return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)

        yield f'{{\n  "tool": {dumps("selfeval", 1)},\n  "version": {dumps(__version__, 1)},\n  "inputs": ['
        totals = _Totals()
        for file, entry in self._entries():
            yield ("\n" if not totals.inputs else ",\n") + "    " + dumps(entry, 2)
            totals.add(file, entry)
        yield "\n  ]" if totals.inputs else "]"
        yield f',\n  "totals": {dumps(totals.of(self.batch_findings), 1)},\n  "ignored": {dumps(list(self.ignored), 1)}\n}}\n'


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
