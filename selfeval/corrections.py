"""A reviewer's corrections (corrections.csv), applied to the records before validation.

``corrections.csv`` (written by the review report's "download corrections.csv"
button, or by hand) has one row per corrected value::

    doc_id,form_index,table,key,field,old_value,new_value,note

``table`` is forms, funding or indicators; ``key`` is empty for forms, the
``source_key`` for funding and the ``indicator_seq`` for indicators;
``field`` is a column of that table.  ``old_value`` and ``new_value`` are
written as the tables' CSV writes them (``66.0``, ``True``, text with the
formula guard ``'``); an empty value means null.

A correction is applied when its ``old_value`` is the value extracted now:
the record takes ``new_value``, what follows from it is recomputed (an
indicator's comparator, number and unit from a corrected ``*_raw``, its base
values and ``target_met``; the form's sums and checks run after, in
validation), the row's ``repairs`` gain ``reviewer_corrected`` and an info
finding carries the note.  A correction whose old value no longer matches,
or whose row does not exist, is not applied: ``stale_correction``.  A row
that names no correctable value is ``unusable_correction``.  Rows apply in
file order, each to the value as it then stands, so the same file always
gives the same tables.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from selfeval.findings import Finding, finding_at
from selfeval.normalize.records import FormRecord, FundingRecord, IndicatorRecord
from selfeval.normalize.values import Value, base_of, compare, parse_value
from selfeval.output.tables import SCHEMAS, form_rows, funding_rows, indicator_rows
from selfeval.output.writers import csv_cell, csv_unsafe

COLUMNS = ("doc_id", "form_index", "table", "key", "field", "old_value", "new_value", "note")
REPAIR = "reviewer_corrected"

# Columns a reviewer may correct, per table.  Keys, provenance and values computed from
# other columns (computed_score, *_base, base_unit, target_met) are not: correct what they
# are computed from.
CORRECTABLE = {
    "forms": ("year", "title", "amount_unit", "budget_unit", "implementing_unit", "project_name", "goal_target",
              "goal_actual", "total_weight", "total_score", "department", "project_code", "budget_unit_code",
              "evaluation_conclusion", "problems", "improvements", "project_leader"),
    "funding": ("source_label", "budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score"),
    "indicators": ("level1", "level2", "level3", "target_raw", "target_op", "target_value", "target_unit",
                   "actual_raw", "actual_op", "actual_value", "actual_unit", "weight", "score", "deviation_note",
                   "level1_weight"),
}
_TYPES = {name: {c.name: str(c.type) for c in cols} for name, cols in SCHEMAS.items()}


class CorrectionsError(ValueError):
    """The corrections file cannot be used at all (missing, not CSV, wrong header)."""


@dataclass(frozen=True)
class Correction:
    """One row of corrections.csv; ``row`` is its 1-based data row, for messages."""

    row: int
    doc_id: str
    form_index: str
    table: str
    key: str
    field: str
    old_value: str
    new_value: str
    note: str

    def __str__(self) -> str:
        key = f" {self.key}" if self.key else ""
        return f"{self.table}{key} {self.field}"

    def problem(self) -> str | None:
        """Why the row names no correctable value, or None."""
        if not self.form_index.isdigit():
            return f"form_index {self.form_index!r} is not a number"
        if self.table not in CORRECTABLE:
            return f"table {self.table!r} is not one of {', '.join(CORRECTABLE)}"
        if self.field not in CORRECTABLE[self.table]:
            return f"{self.table}.{self.field} cannot be corrected (correctable: {', '.join(CORRECTABLE[self.table])})"
        if (self.table == "forms") != (self.key == ""):
            return "key must be empty for forms and given for funding and indicators"
        try:
            typed(self.table, self.field, self.new_value)
        except ValueError as exc:
            return str(exc)
        return None


def read_corrections(path: Path) -> tuple[Correction, ...]:
    """The rows of a corrections file; CorrectionsError says what is wrong with the file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CorrectionsError(f"--corrections {path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise CorrectionsError(f"--corrections {path}: not UTF-8 text; save it as UTF-8 CSV") from exc
    return parse_corrections(text, str(path))


def parse_corrections(text: str, name: str = "corrections.csv") -> tuple[Correction, ...]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise CorrectionsError(f"{name}: the header must be {','.join(COLUMNS)} (got {','.join(header or [])!r})")
    out = []
    for n, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue
        cells = (cells + [""] * len(COLUMNS))[: len(COLUMNS)]
        doc_id, index, table, key, field, old, new, note = cells
        out.append(Correction(n, doc_id, index.strip(), table.strip(), key.strip(), field.strip(), old, new, note))
    return tuple(out)


def write_corrections(rows: Iterable[Sequence[str]]) -> str:
    """corrections.csv text of ``rows`` (tuples in :data:`COLUMNS` order)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def typed(table: str, field: str, text: str):
    """A CSV cell of a column as the record holds it: Decimal, int, bool, text or None."""
    if text == "":
        return None
    kind = _TYPES[table][field]
    if kind == "double":
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise ValueError(f"{table}.{field} takes a number (got {text!r})") from None
        if not value.is_finite():
            raise ValueError(f"{table}.{field} takes a finite number (got {text!r})")
        return value
    if kind == "int64":
        if not text.strip().lstrip("-").isdigit():
            raise ValueError(f"{table}.{field} takes a whole number (got {text!r})")
        return int(text)
    return csv_unsafe(text)


# -- applying -------------------------------------------------------------------
class DocumentCorrections:
    """The corrections of one document, applied form by form as its forms are
    read (:meth:`apply`); :meth:`loose` then gives the findings about no form
    of it, in the corrections' order."""

    def __init__(self, doc_id: str, corrections: Sequence[Correction]) -> None:
        self.doc_id = doc_id
        self.mine = [c for c in corrections if c.doc_id == doc_id]
        self.usable = [c for c in self.mine if not c.problem()]
        self.kept: set[int] = set()  # form_index of the forms (not look-alikes) seen

    def apply(self, form: FormRecord) -> None:
        if not self.mine or form.look_alike:
            return
        self.kept.add(form.form_index)
        for c in self.usable:
            if int(c.form_index) == form.form_index:
                form.findings.append(_apply(form, c))

    def loose(self) -> list[Finding]:
        out: list[Finding] = []
        for c in self.mine:
            problem = c.problem()
            if problem:
                out.append(_finding(c, "unusable_correction", f"{problem}; not applied"))
            elif int(c.form_index) not in self.kept:
                out.append(_finding(c, "stale_correction", f"{self.doc_id} has no form {c.form_index}; not applied"))
        return out


def unmatched(corrections: Sequence[Correction], doc_ids: Iterable[str]) -> list[Finding]:
    """Corrections naming a document that is not in the batch: stale, or unusable."""
    known = set(doc_ids)
    out = []
    for c in corrections:
        if c.doc_id in known:
            continue
        problem = c.problem()
        out.append(_finding(c, "unusable_correction", f"{problem}; not applied") if problem else
                   _finding(c, "stale_correction", f"no input {c.doc_id!r} in this batch; not applied"))
    return out


def _finding(c: Correction, code: str, message: str, place=None) -> Finding:
    f = finding_at(code, f"corrections.csv row {c.row}, {c}: {message}", place)
    f = replace(f, doc_id=c.doc_id)
    return f.about(c.table, c.key or None, c.field) if c.table in CORRECTABLE else f


def _current(form: FormRecord, c: Correction) -> tuple[str | None, object]:
    """(the value's CSV text now, the record holding it), or (None, None) when the row is absent."""
    if c.table == "forms":
        return csv_cell(form_rows("", "", form)[0][c.field]), form
    records = form.funding if c.table == "funding" else form.indicators
    rows = funding_rows("", form) if c.table == "funding" else indicator_rows("", form)
    column = "source_key" if c.table == "funding" else "indicator_seq"
    for record, row in zip(records, rows, strict=True):
        if str(row[column]) == c.key:
            return csv_cell(row[c.field]), record
    return None, None


def _apply(form: FormRecord, c: Correction) -> Finding:
    now, record = _current(form, c)
    if record is None:
        where = "funding row" if c.table == "funding" else "indicator"
        return _finding(c, "stale_correction", f"form {c.form_index} has no {where} {c.key!r}; not applied",
                        _place(form, None))
    place = _place(form, record)
    if now != c.old_value:
        return _finding(c, "stale_correction", f"was {_shown(c.old_value)} when corrected, is now {_shown(now)}; "
                                               "not applied (review the value again)", place)
    value = typed(c.table, c.field, c.new_value)
    if c.table == "forms":
        setattr(form, c.field, value)
    elif c.table == "funding":
        index = form.funding.index(record)
        form.funding[index] = _with_repair(replace(record, **{c.field: value}))
    else:
        index = form.indicators.index(record)
        form.indicators[index] = _with_repair(corrected_indicator(record, c.field, value))
    note = f" ({c.note})" if c.note.strip() else ""
    return _finding(c, "reviewer_corrected", f"{_shown(c.old_value)} → {_shown(c.new_value)}{note}", place)


def _place(form: FormRecord, record):
    if isinstance(record, (FundingRecord, IndicatorRecord)):
        return record.place
    return form.total_place if form.total_place is not None else None


def _shown(text: str | None) -> str:
    return "empty" if not text else repr(text)


def _with_repair(record):
    return replace(record, repairs=tuple(dict.fromkeys((*record.repairs, REPAIR))))


def corrected_indicator(ind: IndicatorRecord, field: str, value) -> IndicatorRecord:
    """The indicator with one column corrected, and its comparison recomputed."""
    side, _, part = field.partition("_")
    if side in ("target", "actual") and part in ("raw", "op", "value", "unit"):
        old: Value = getattr(ind, side)
        if part == "raw":
            new = parse_value(value or "")
        else:
            new = replace(old, **{part: value})
        ind = replace(ind, **{side: new})
        return _compared(ind)
    return replace(ind, **{field: value})


def _compared(ind: IndicatorRecord) -> IndicatorRecord:
    """Base values and target_met from the target and actual (a value without unit takes
    the other side's unit, as in reading)."""
    target, actual = ind.target, ind.actual
    if target.value is not None and actual.value is not None and (target.unit is None) != (actual.unit is None):
        if target.unit is None:
            target = replace(target, unit=actual.unit)
        else:
            actual = replace(actual, unit=target.unit)
    t_unit, t_factor = base_of(target.unit)
    a_unit, a_factor = base_of(actual.unit)
    t_base = target.value * t_factor if target.value is not None else None
    a_base = actual.value * a_factor if actual.value is not None else None
    met = None
    if t_base is not None and a_base is not None and t_unit == a_unit and target.op:
        met = compare(a_base, target.op, t_base)
    base_unit = t_unit if t_base is not None else a_unit
    return replace(ind, target=target, actual=actual, base_unit=base_unit, target_base=t_base,
                   actual_base=a_base, target_met=met)
