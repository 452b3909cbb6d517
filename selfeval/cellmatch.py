"""Which cell of a source row holds a record's value, for highlighting it in the source.

The record's values are matched to the row's cells in reading order (a
funding row's label, 年初预算数 … 得分; an indicator's labels, name, target,
actual, 分值, 得分, note), each to the first cell after the previous match
that holds it: read as a number for amounts and rates, as text otherwise.
Two equal values (10.00 executed, 10.00 分值) fall to their own cells by the
order.  A value no cell holds (null, or repaired beyond recognition) has no
cell, and the row is highlighted instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from selfeval.normalize.cells import clean
from selfeval.normalize.values import parse_amount, parse_rate

FUNDING_ORDER = ("source_label", "budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score")
INDICATOR_ORDER = ("level1", "level2", "level3", "target_raw", "actual_raw", "weight", "score", "deviation_note")
RATES = {"execution_rate"}
TEXTS = {"source_label", "level1", "level2", "level3", "target_raw", "actual_raw", "deviation_note"}
FIELD_OF = {"target_op": "target_raw", "target_value": "target_raw", "target_unit": "target_raw",
            "actual_op": "actual_raw", "actual_value": "actual_raw", "actual_unit": "actual_raw",
            "level1_weight": "level1"}


def _number(text: str, rate: bool) -> Decimal | None:
    parsed = parse_rate(text) if rate else parse_amount(text)
    return parsed.value


def _holds(cell: str, name: str, value: object) -> bool:
    if value is None or value != value or cell.strip() == "":
        return False
    if name in TEXTS:
        want, got = clean(str(value)).replace(" ", ""), clean(cell).replace(" ", "")
        if name == "source_label":  # 年度资金总额： / 其中：中央资金
            return bool(want) and want in got
        return bool(want) and (got == want or (len(want) > 1 and want in got))
    number = _number(cell, name in RATES)
    try:
        return number is not None and abs(float(number) - float(value)) < 1e-9  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def value_cells(table: str, record: dict, cells: Sequence[str]) -> dict[str, int]:
    """field -> 0-based index of the cell holding it, for the fields some cell holds."""
    order = FUNDING_ORDER if table == "funding" else INDICATOR_ORDER
    found: dict[str, int] = {}
    start = 0
    for name in order:
        value = record.get(name)
        at = next((i for i in range(start, len(cells)) if _holds(cells[i], name, value)), None)
        if at is not None:
            found[name] = at
            start = at + 1
    return found


def source_cell(table: str | None, field: str | None, record: dict | None, cells: Sequence[str]) -> int | None:
    """The 0-based index of the cell holding ``record[field]`` in the record's source row, or None."""
    if table not in ("funding", "indicators") or not field or record is None:
        return None
    return value_cells(table, record, cells).get(FIELD_OF.get(field, field))


# -- boxes on the page ---------------------------------------------------------------
def _union(boxes) -> tuple[float, float, float, float] | None:
    boxes = [b for b in boxes or () if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def boxed_rows(rows: Sequence) -> dict:
    """The rows with cell boxes by place, for :func:`with_boxes`."""
    return {(r.line, r.page, r.sheet): r for r in rows if r.boxes is not None}


def with_boxes(findings: list, forms: list, rows: Sequence | dict) -> list:
    """The findings, each about a value or row of a PDF or scan given ``bbox``: the value's
    cell (found as :func:`source_cell` finds it), else its row, where the reader knew the
    boxes (``SourceRow.boxes``; ``rows`` may be :func:`boxed_rows` of them, made once).
    Other findings are returned as they are."""
    from dataclasses import replace

    from selfeval.output.tables import funding_rows, indicator_rows

    by_place = rows if isinstance(rows, dict) else boxed_rows(rows)
    if not by_place:
        return findings
    forms_at = {f.form_index: f for f in forms}
    records: dict[tuple[int, str, str], dict] = {}
    out = []
    for f in findings:
        box = None
        form = forms_at.get(f.form_index)
        record = None
        if form is not None and f.table in ("funding", "indicators"):
            if (form.form_index, f.table, "") not in records:
                records[(form.form_index, f.table, "")] = {}
                made = funding_rows("", form) if f.table == "funding" else indicator_rows("", form)
                column = "source_key" if f.table == "funding" else "indicator_seq"
                for r in made:
                    records[(form.form_index, f.table, str(r[column]))] = r
            record = records.get((form.form_index, f.table, f.key or ""))
        if record is not None:
            row = by_place.get((record["line"], record["page"], record["sheet"]))
            if row is not None:
                at = source_cell(f.table, f.field, record, row.cells)
                box = row.boxes[at] if at is not None and at < len(row.boxes) else None
                box = box or _union(row.boxes)
        elif f.line is not None and f.page is not None:
            row = by_place.get((f.line, f.page, f.sheet))
            box = _union(row.boxes) if row is not None else None
        out.append(replace(f, bbox=",".join(f"{v:.4f}" for v in box)) if box else f)
    return out
