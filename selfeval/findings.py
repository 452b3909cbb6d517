"""Findings: everything the pipeline repaired, doubted or could not place.

A finding is data, never an exception.  Every code has a stable slug, a
severity and a one-line title; the registry below is the single list of them,
rendered into the README's data dictionary and checked by the tests.

Severities (the contract's meaning):
  error    data may be lost or wrong
  warning  the source contradicts itself
  info     a repair that was applied
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class FindingCode:
    slug: str
    severity: Severity
    title: str


def _codes(*items: tuple[str, Severity, str]) -> dict[str, FindingCode]:
    return {slug: FindingCode(slug, sev, title) for slug, sev, title in items}


ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: dict[str, FindingCode] = _codes(
    # input level
    ("unreadable_input", ERR, "an input file could not be read at all"),
    ("encoding_repaired", ERR, "undecodable bytes were replaced; some characters may be wrong"),
    ("skipped_file", INFO, "a file in an input folder is not a supported document type"),
    ("no_forms_found", ERR, "a readable document contains no self-evaluation form"),
    ("limit_exceeded", ERR, "a file exceeded a configured size, page or time limit"),
    ("internal_error", ERR, "reading a file failed in a way the tool does not expect (a bug): please report the file"),
    ("no_text_layer", ERR, "a PDF page whose text is unusable"),
    ("low_confidence", WARN, "an OCR reading below the confidence threshold"),
    ("ocr_suspect", WARN, "a number read by OCR contradicts the form's arithmetic, and one OCR slip would fix it "
                          "(or a unit differs from the other value's by a lost '/', or a character makes no word where a "
                          "look-alike of it would)"),
    ("not_a_self_evaluation_form", WARN, "a look-alike document (e.g. a 绩效目标表), not a 自评表"),
    # line level
    ("unparsed_line", ERR, "a non-blank line that no record used; its text is kept here"),
    ("form_cut_at_top", WARN, "rows before the first form that hold a block of a form whose head is not in the document (a page starting mid-form): read as a form of their own"),
    ("empty_form", ERR, "a form whose rows gave no indicator and no funding amount: its header and labels only; the input counts as failed"),
    ("no_form_in_part", INFO, "a sheet, page, table or text of a document that holds no form; its lines are kept here"),
    ("label_repaired", INFO, "a label that was not an exact vocabulary match was mapped to one"),
    ("row_realigned", INFO, "cells sitting in the wrong columns were moved to their columns"),
    ("level_inferred", INFO, "a level-1 label was implied by the template from its level-2 label"),
    ("unit_inferred", INFO, "a value without unit took the unit of the other side"),
    ("unrecognized_comparator", WARN, "a target whose comparator cannot be read; the number is kept"),
    ("unparsed_number", WARN, "a cell that should hold a number holds something else; or a target/actual holding a second number after its unit (`18.49亿元20.00`: two cells read as one)"),
    ("missing_indicator_name", WARN, "an indicator row with values but no level-3 name"),
    ("uncertain_reading", WARN, "text without cell boundaries that two readings fit equally well; the one taken is named"),
    ("unknown_label", WARN, "a level label that matches no label of the template"),
    ("unit_mismatch", WARN, "target and actual have units that cannot be compared"),
    # form level
    ("missing_total_weight", WARN, "the 总分 row states no total weight"),
    ("missing_total_score", WARN, "the 总分 row states no total score"),
    ("missing_total_row", WARN, "the form has no 总分 row"),
    ("duplicate_total_row", WARN, "the form has more than one 总分 row; the first is used"),
    ("total_score_mismatch", WARN, "总分's score differs from funding score + indicator scores"),
    ("weight_sum_mismatch", WARN, "funding weight + indicator weights differ from 总分's weight"),
    ("level_weight_mismatch", WARN, "a level-1 group's indicator weights differ from the score in its label"),
    ("execution_rate_mismatch", WARN, "stated 执行率 differs from executed / full-year budget by > 0.5 points; or a rate is stated of a full-year budget and no executed amount was read"),
    ("funding_score_mismatch", WARN, "stated funding score differs from rate × weight by > 0.05"),
    ("funding_sum_mismatch", WARN, "funding sources do not add up to 年度资金总额"),
    ("score_exceeds_weight", WARN, "a score above its weight"),
    ("missing_deviation_note", WARN, "a target not met or funds under-executed, and no 偏差原因 given"),
    ("number_in_note", WARN, "a 偏差原因 holding only a number: a value placed in the wrong column"),
    ("duplicate_form_seq", WARN, "the same 项目序号 appears twice in one document"),
    ("missing_form_seq", INFO, "a form without 项目序号 was numbered by its position"),
    ("template_applied", INFO, "which indicator template was applied to the form"),
    # review (--corrections FILE)
    ("reviewer_corrected", INFO, "a value a reviewer corrected in corrections.csv; the note is in the message"),
    ("stale_correction", WARN, "a correction whose old value is no longer the extracted value, or whose row is gone; not applied"),
    ("unusable_correction", WARN, "a corrections.csv row that names no correctable value; not applied"),
)


RECORD_TABLES = ("forms", "funding", "indicators")


@dataclass(frozen=True)
class Finding:
    """One thing the pipeline wants a reviewer to know about.

    ``doc_id`` is filled in by the pipeline; stages that only see one
    document leave it empty.  ``form_seq`` is None for file-level findings.

    ``table``, ``key`` and ``field`` name the value the finding is about,
    when it is about one record: the table (forms, funding or indicators),
    the row's key within its form (None for forms, the ``source_key`` for
    funding, the ``indicator_seq`` as text for indicators: the keys of
    corrections.csv) and the column.  Set them with :meth:`about`.
    """

    code: str
    message: str
    line: int | None = None
    form_seq: int | None = None
    form_index: int | None = None
    page: int | None = None
    doc_id: str = ""
    text: str | None = None  # the source text the finding is about, when there is one
    sheet: str | None = None
    table: str | None = None  # forms, funding or indicators: the record the finding is about
    key: str | None = None  # the record's key in its form: source_key, indicator_seq; None for forms
    field: str | None = None  # the column of that record
    bbox: str | None = None  # "x0,top,x1,bottom" of the value's cell (else row) on its page, as page fractions

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}; add it to selfeval.findings.CODES")
        if self.table is not None and self.table not in RECORD_TABLES:
            raise ValueError(f"finding table {self.table!r} is not one of {', '.join(RECORD_TABLES)}")

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    def about(self, table: str | None, key: str | int | None = None, field: str | None = None) -> Finding:
        """This finding, naming the record and column it concerns
        (``f.about("funding", "total", "executed")``)."""
        if table is not None and table not in RECORD_TABLES:
            raise ValueError(f"finding table {table!r} is not one of {', '.join(RECORD_TABLES)}")
        return self.where(table=table, key=None if key is None else str(key), field=field)

    def where(self, **changes) -> Finding:
        """This finding with some of its place fields changed (``doc_id``,
        ``form_seq``, ``form_index``, ``table``, ``key``, ``field``, ``bbox``):
        :func:`dataclasses.replace` without building it again, which every
        finding of a batch goes through more than once.  The code and message
        stay, so the checks of ``__post_init__`` hold; :meth:`about` checks
        the table itself."""
        if not changes.keys() <= _PLACE_FIELDS:
            raise TypeError(f"where() changes only {', '.join(sorted(_PLACE_FIELDS))}, not {', '.join(sorted(changes))}")
        new = object.__new__(Finding)
        state = new.__dict__  # a frozen dataclass: its fields are set through __dict__, as its __init__ does
        state.update(self.__dict__)
        state.update(changes)
        return new


_PLACE_FIELDS = frozenset({"doc_id", "form_seq", "form_index", "table", "key", "field", "bbox"})


def finding_at(code: str, message: str, place, text: str | None = None, *, table: str | None = None,
               key: str | int | None = None, field: str | None = None) -> Finding:
    """A finding about one place of the input (a :class:`~selfeval.extract.grid.Place`
    or None).  The message is prefixed with the place as readers see it
    (``line 12: …``, ``page 3, row 12: …``), so callers write only what.
    ``table``, ``key`` and ``field`` are as for :meth:`Finding.about`."""
    key = None if key is None else str(key)
    if place is None:
        return Finding(code, message, text=text, table=table, key=key, field=field)
    return Finding(code, f"{place}: {message}", line=place.line, page=place.page, sheet=place.sheet, text=text,
                   table=table, key=key, field=field)


# what an exception's text may hold that differs from run to run
_OBJECT_REPR = re.compile(r"\s*<[^<>]* at 0x[0-9a-fA-F]+>")  # <_io.BytesIO object at 0x7f…>
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
_TEMP_PATH = re.compile(re.escape(tempfile.gettempdir().rstrip("/\\")) + r"[/\\][^\s'\"(),;]+")
_MAX_EXCEPTION_TEXT = 300


def describe(exc: BaseException) -> str:
    """An exception as a stable phrase for a message: the same failure gives
    the same words in every run.  An OS error is its reason (``Permission
    denied``; the message names the file already); any other is its kind and
    text on one line, without object reprs (``<_io.BytesIO object at
    0x7f…>``), memory addresses or temporary paths, and at most 300
    characters.  Every message that embeds an exception uses this."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    text = _OBJECT_REPR.sub("", text)
    text = _ADDRESS.sub("0x…", text)
    text = _TEMP_PATH.sub("<temporary file>", text).strip()
    if len(text) > _MAX_EXCEPTION_TEXT:
        text = text[: _MAX_EXCEPTION_TEXT - 1] + "…"
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
