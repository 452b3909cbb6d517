"""A file's result form by form: what a reading hands on as it goes.

The pipeline reads a file into a :class:`FormsOut`: :meth:`~FormsOut.begin`, one :meth:`~FormsOut.add_form`
per form as soon as the form is read (its record, or None for a look-alike,
which is reported but yields no rows, with the form's findings in table
order), then one :meth:`~FormsOut.finish` with the file's own findings (those
of no form, which come first in the findings table) and its summary.  So no
stage holds all of a file's records: the writer (:class:`selfeval.output.stream.TableWriter`),
the ``--resume`` cache entry and a worker's reply (:mod:`selfeval.cache`: one
JSON line per form) each take the forms as they come.

:meth:`~FormsOut.discard` forgets what a file handed on so far (its reading
ran over its time budget, or failed): the file's result is then given again
(from :meth:`~FormsOut.begin`), with none of its forms.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from selfeval.findings import Finding
from selfeval.normalize.records import FormRecord
from selfeval.results import FileResult, FileSummary


class FormsOut(Protocol):
    def begin(self, doc_id: str, source_path: str) -> None:
        """The file's forms come next (its names, for their rows)."""

    def add_form(self, form: FormRecord | None, findings: list[Finding]) -> None:
        """One form's record (None: a look-alike, no rows) and its findings, in table order."""

    def finish(self, head: FileResult, summary: FileSummary) -> None:
        """The file is done: ``head`` is its result without forms, holding only
        the findings of no form (in table order); ``summary`` counts every form."""

    def discard(self) -> None:
        """Forget every form handed on for this file."""


class Collect:
    """A FormsOut that keeps everything: the whole :class:`FileResult` (``result``)."""

    def __init__(self) -> None:
        self.forms: list[FormRecord] = []
        self.findings: list[Finding] = []
        self.result: FileResult | None = None

    def begin(self, doc_id: str, source_path: str) -> None:
        pass

    def add_form(self, form: FormRecord | None, findings: list[Finding]) -> None:
        if form is not None:
            self.forms.append(form)
        self.findings += findings

    def finish(self, head: FileResult, summary: FileSummary) -> None:
        self.result = replace(head, forms=self.forms, findings=head.findings + self.findings)

    def discard(self) -> None:
        self.forms, self.findings, self.result = [], [], None


class Tee:
    """Hand everything to each of ``outs``."""

    def __init__(self, *outs: FormsOut) -> None:
        self.outs = outs

    def begin(self, doc_id: str, source_path: str) -> None:
        for out in self.outs:
            out.begin(doc_id, source_path)

    def add_form(self, form: FormRecord | None, findings: list[Finding]) -> None:
        for out in self.outs:
            out.add_form(form, findings)

    def finish(self, head: FileResult, summary: FileSummary) -> None:
        for out in self.outs:
            out.finish(head, summary)

    def discard(self) -> None:
        for out in self.outs:
            out.discard()


def emit(result: FileResult, out: FormsOut) -> None:
    """Hand a whole result to ``out`` form by form.  Its findings are in table
    order: those of no form first, then each form's."""
    by_form: dict[int, list[Finding]] = {}
    head: list[Finding] = []
    for f in result.findings:
        if f.form_index:
            by_form.setdefault(f.form_index, []).append(f)
        else:
            head.append(f)
    out.begin(result.doc_id, result.source_path)
    forms = {form.form_index: form for form in result.forms}
    for index in sorted(set(by_form) | set(forms)):  # a look-alike has findings and no record
        out.add_form(forms.get(index), by_form.get(index, []))
    out.finish(replace(result, forms=[], findings=head), result.summary())
