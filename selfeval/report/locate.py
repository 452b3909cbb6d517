"""Findings to the record values they are about.

A finding names a code and a source line; the report needs the cell of the
extracted record to highlight.  ``CELL_FOR_CODE`` says, per code, which row
kind and which field the finding is about; the row is the one extracted from
the finding's line.  A finding that points at no value (a stray line, a
template choice) stays a form-level finding: listed, and highlighted in the
source, but on no cell.

Cell keys: ``f<i>.<field>`` (funding row i of the form), ``i<i>.<field>``
(indicator row i), ``t.weight`` / ``t.score`` / ``t.row`` (the 总分 row),
``h.seq`` (项目序号); the field ``row`` means the whole row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
CLEAN_RANK = 3

# code -> (row kind, field).  Row kinds: funding, indicator, row (either, by line), total, header.
CELL_FOR_CODE: dict[str, tuple[str, str]] = {
    "execution_rate_mismatch": ("funding", "execution_rate"),
    "funding_score_mismatch": ("funding", "score"),
    "funding_sum_mismatch": ("funding", "row"),
    "score_exceeds_weight": ("row", "score"),
    "missing_deviation_note": ("row", "deviation_note"),
    "number_in_note": ("row", "deviation_note"),
    "unrecognized_comparator": ("indicator", "target"),
    "unit_inferred": ("indicator", "unit_side"),
    "unit_mismatch": ("indicator", "actual"),
    "label_repaired": ("row", "label"),
    "unknown_label": ("row", "label"),
    "level_inferred": ("indicator", "level1"),
    "missing_indicator_name": ("indicator", "level3"),
    "row_realigned": ("row", "row"),
    "unparsed_number": ("row", "text"),
    "low_confidence": ("row", "text"),
    "missing_total_weight": ("total", "weight"),
    "weight_sum_mismatch": ("total", "weight"),
    "missing_total_score": ("total", "score"),
    "total_score_mismatch": ("total", "score"),
    "missing_total_row": ("total", "row"),
    "duplicate_total_row": ("total", "row"),
    "duplicate_form_seq": ("header", "seq"),
    "missing_form_seq": ("header", "seq"),
}

FUNDING_TEXT_FIELDS = ("budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score")
INDICATOR_TEXT_FIELDS = ("level3", "target", "actual", "weight", "score", "deviation_note", "level2", "level1")


@dataclass(frozen=True)
class Flag:
    """A finding as the report shows it: numbered within its form, with its record cell."""

    fid: int
    severity: str
    code: str
    message: str
    line: int | None
    page: int | None
    text: str | None
    target: str | None
    table: str | None = None  # the record the finding is about (forms, funding, indicators) ...
    key: str | None = None  # ... its key in the form (source_key, indicator_seq; None for forms) ...
    field: str | None = None  # ... and the column, when the finding names them
    bbox: tuple[float, float, float, float] | None = None  # the value's cell on its page (PDF, scan)

    @property
    def rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, CLEAN_RANK)


def worst_rank(flags: Sequence[Flag]) -> int:
    return min((f.rank for f in flags), default=CLEAN_RANK)


def review_key(flags: Sequence[Flag]) -> tuple[int, int, int]:
    """Sort key putting the forms to look at first: worst severity, then most findings of that
    severity, then most distinct codes of that severity."""
    rank = worst_rank(flags)
    worst = [f for f in flags if f.rank == rank]
    return rank, -len(worst), -len({f.code for f in worst})


def _row_at(rows: Sequence[dict], line: int | None, page: int | None = None) -> int | None:
    """The row extracted from a line (for PDFs and scans, the row number within ``page``)."""
    if line is None:
        return None

    def same_page(row: dict) -> bool:
        return page is None or _opt_int(row.get("page")) in (None, page)

    return next((i for i, r in enumerate(rows) if r.get("line") == line and same_page(r)), None)


def _shared_chars(a: object, b: object) -> int:
    return len(set(str(a or "")) & set(str(b or "")))


def _field_by_text(row: dict, text: str | None, fields: Sequence[str]) -> str:
    """The field whose shown value contains the finding's text; the whole row when none does."""
    if not text:
        return "row"
    needle = text.strip()
    for name in fields:
        value = row.get(f"{name}_raw", row.get(name))
        shown = _shown(value)
        if shown and (needle == shown or (len(needle) > 1 and needle in shown)):
            return name
    return "row"


def _shown(value: object) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value).strip()


_QUOTED = re.compile(r"'([^']+)'|“([^”]+)”|\"([^\"]+)\"")


def _label_field(row: dict, text: str | None, message: str) -> str:
    """level1 or level2: the one the message names (e.g. "'X' read as '服务对象满意度指标'"), else the
    one the finding's text resembles most."""
    quoted = {next(g for g in m.groups() if g) for m in _QUOTED.finditer(message or "")}
    for name in ("level2", "level1"):
        if _shown(row.get(name)) and _shown(row.get(name)) in quoted:
            return name
    if not text:
        return "level2"

    def likeness(name: str) -> float:
        label = _shown(row.get(name))
        return _shared_chars(text, label) / len(set(label)) if label else 0.0

    return "level1" if likeness("level1") > likeness("level2") else "level2"


def _indicator_field(field: str, row: dict, text: str | None, message: str = "") -> str:
    if field == "label":
        return _label_field(row, text, message)
    if field == "unit_side":
        for side in ("target", "actual"):
            unit, raw = row.get(f"{side}_unit"), row.get(f"{side}_raw")
            if _shown(unit) and _shown(unit) not in _shown(raw):
                return side
        return "target"
    if field == "text":
        return _field_by_text(row, text, INDICATOR_TEXT_FIELDS)
    return field


def _funding_field(field: str, row: dict, text: str | None) -> str:
    if field == "label":
        return "source_label"
    if field == "deviation_note":  # funds under-executed with no reason given: the rate is the value
        return "execution_rate"
    if field == "text":
        return _field_by_text(row, text, FUNDING_TEXT_FIELDS)
    if field in ("target", "actual", "level1", "level2", "level3", "unit_side"):
        return "row"
    return field


def target_cell(code: str, line: int | None, text: str | None, funding: Sequence[dict],
                indicators: Sequence[dict], message: str = "", page: int | None = None) -> str | None:
    """The record cell a finding is about, or None for a form-level finding."""
    kind, field = CELL_FOR_CODE.get(code, ("row", "row"))
    if kind == "total":
        return f"t.{field}"
    if kind == "header":
        return f"h.{field}"
    f_row, i_row = _row_at(funding, line, page), _row_at(indicators, line, page)
    if kind in ("funding", "row") and f_row is not None:
        return f"f{f_row}.{_funding_field(field, funding[f_row], text)}"
    if kind in ("indicator", "row") and i_row is not None:
        return f"i{i_row}.{_indicator_field(field, indicators[i_row], text, message)}"
    if kind == "funding":  # a funding check without a line is about the 年度资金总额 row
        total = next((i for i, r in enumerate(funding) if r.get("source_key") == "total"), None)
        if total is not None:
            return f"f{total}.{_funding_field(field, funding[total], text)}"
    return None


INDICATOR_CELL = {"target_raw": "target", "target_op": "target", "target_value": "target", "target_unit": "target",
                  "actual_raw": "actual", "actual_op": "actual", "actual_value": "actual", "actual_unit": "actual",
                  "level1_weight": "level1"}
FORM_CELL = {"total_weight": "t.weight", "total_score": "t.score"}


def named_cell(table: str, key: str | None, field: str | None, funding: Sequence[dict],
               indicators: Sequence[dict]) -> str | None:
    """The record cell of a finding that names its record and column (findings.table/key/field)."""
    if table == "forms":
        return FORM_CELL.get(field or "")
    rows, column = (funding, "source_key") if table == "funding" else (indicators, "indicator_seq")
    i = next((n for n, r in enumerate(rows) if key_text(r.get(column)) == key), None)
    if i is None:
        return None
    prefix = "f" if table == "funding" else "i"
    if not field:
        return f"{prefix}{i}.row"
    if table == "indicators":
        return f"i{i}.{INDICATOR_CELL.get(field, field)}"
    return f"f{i}.{field}"


def key_text(value: object) -> str | None:
    if value is None or value != value:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _opt_int(value: object) -> int | None:
    if value is None or value != value:
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _opt_str(value: object) -> str | None:
    if value is None or value != value:
        return None
    text = str(value)
    return text if text.strip() else None


def locate(findings: Sequence[dict], funding: Sequence[dict], indicators: Sequence[dict]) -> list[Flag]:
    """Number a form's findings (by line, then severity) and attach each to its record cell."""

    def order(f: dict) -> tuple:
        line = _opt_int(f.get("line"))
        page = _opt_int(f.get("page")) or 0
        return (page, line is None, line or 0, SEVERITY_RANK.get(str(f.get("severity")), CLEAN_RANK),
                str(f.get("code")))

    flags = []
    for fid, f in enumerate(sorted(findings, key=order), start=1):
        code, line, text = str(f.get("code")), _opt_int(f.get("line")), _opt_str(f.get("text"))
        message, page = _opt_str(f.get("message")) or "", _opt_int(f.get("page"))
        table, key, field = _opt_str(f.get("table")), key_text(f.get("key")), _opt_str(f.get("field"))
        if table:  # the finding names its value: no guessing
            target = named_cell(table, key, field, funding, indicators)
            if target is None and table == "forms" and code in ("row_realigned", "missing_total_row",
                                                                 "duplicate_total_row", "unparsed_number"):
                target = "t.row"
        else:
            target = target_cell(code, line, text, funding, indicators, message, page)
            table, key, field = record_of(target, funding, indicators)
        flags.append(Flag(
            fid=fid, severity=str(f.get("severity") or "info"), code=code, message=message, line=line,
            page=page, text=text, target=target, table=table, key=key, field=field, bbox=_bbox(f.get("bbox")),
        ))
    return flags


def _bbox(value: object) -> tuple[float, float, float, float] | None:
    text = _opt_str(value)
    try:
        parts = tuple(float(v) for v in text.split(",")) if text else ()
    except ValueError:
        return None
    return parts if len(parts) == 4 and all(0 <= v <= 1 for v in parts) else None  # type: ignore[return-value]


_CELL_FIELD = {"target": "target_raw", "actual": "actual_raw", "row": None}


def record_of(target: str | None, funding: Sequence[dict], indicators: Sequence[dict]):
    """(table, key, field) of a record cell, for findings written before they named their value."""
    if not target:
        return None, None, None
    where, _, cell = target.partition(".")
    if where == "t":
        return "forms", None, {"weight": "total_weight", "score": "total_score"}.get(cell)
    if where[:1] in ("f", "i") and where[1:].isdigit():
        i = int(where[1:])
        if where[0] == "f" and i < len(funding):
            return "funding", key_text(funding[i].get("source_key")), _CELL_FIELD.get(cell, cell)
        if where[0] == "i" and i < len(indicators):
            return "indicators", key_text(indicators[i].get("indicator_seq")), _CELL_FIELD.get(cell, cell)
    return None, None, None
