"""OCR doubts on the values they are about.

A scan's cells carry the engine's confidence (``SourceRow.confidence``).
:func:`low_confidence_doubts` turns every cell of a form read below
``settings.ocr_confidence_threshold`` into a ``low_confidence`` finding of
that form, naming the record and field the cell became (``funding 年度资金总额,
executed``), found by what the cell says, not by its column.  Cells outside
any form keep the reader's own page-level findings.

Nothing here changes a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from itertools import pairwise

from selfeval.extract.grid import Place, SourceRow, empty_cell_doubt
from selfeval.findings import Finding, finding_at
from selfeval.normalize.cells import compact
from selfeval.normalize.records import FormRecord, FundingRecord, IndicatorRecord
from selfeval.normalize.rows import cell_kind
from selfeval.normalize.values import is_null, parse_amount, parse_rate
from selfeval.settings import Settings

FUNDING_FIELDS = ("source_label", "budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score")
INDICATOR_FIELDS = ("level1", "level2", "level3", "target", "actual", "weight", "score", "deviation_note")
FORM_FIELDS = ("title", "budget_unit", "implementing_unit", "project_name", "goal_target", "goal_actual")


def low_confidence_doubts(form: FormRecord, rows: Iterable[SourceRow], settings: Settings) -> list[Finding]:
    """One ``low_confidence`` finding per cell of the form read below the threshold.

    An empty cell is a doubt only when the reader found ink in it that no
    text covered (its confidence is then set; an empty cell without ink has
    none)."""
    threshold = settings.ocr_confidence_threshold
    scanned = [row for row in rows if row.confidence is not None]
    if not scanned:
        return []
    funding = {r.place: r for r in form.funding}
    indicators = {i.place: i for i in form.indicators}
    out = []
    for row in scanned:
        low = [c for c, conf in enumerate(row.confidence) if conf is not None and conf < threshold]
        if not low:
            continue
        names = field_names(form, row, funding.get(row.place), indicators.get(row.place))
        columns = row_fields(form, row, funding.get(row.place), indicators.get(row.place))
        for col in low:
            text, conf = row.cells[col], row.confidence[col]
            what = (
                f"OCR read {text!r} with confidence {conf:.3f} (below {threshold:.3f})" if text
                else empty_cell_doubt(conf)
            )
            where = names.get(col, "no field")
            found = finding_at(
                "low_confidence", f"column {col + 1} ({where}): {what}; check it against the scan", row.place, text=text,
            )
            out.append(on_field(found, form, row, funding.get(row.place), indicators.get(row.place), columns.get(col)))
    return out


COLUMN = {"target": "target_raw", "actual": "actual_raw"}  # indicator fields whose column says raw
TOTAL_COLUMN = {"weight": "total_weight", "score": "total_score"}


def on_field(found: Finding, form: FormRecord, row: SourceRow, funding, indicator, field: str | None) -> Finding:
    """The finding naming its record (table, key) and column, when the cell became one."""
    if funding is not None:
        return found.about("funding", funding.source_key, field)
    if indicator is not None:
        return found.about("indicators", indicator.indicator_seq, COLUMN.get(field, field) if field else None)
    if form.total_place == row.place:
        return found.about("forms", None, TOTAL_COLUMN.get(field) if field else None)
    return found.about("forms", None, field) if field else found


def doubt_places(rows: Iterable[SourceRow]) -> set[Place]:
    """The places whose doubts :func:`low_confidence_doubts` reports (the reader's own
    findings at these places are then superseded)."""
    return {r.place for r in rows if r.confidence is not None}


# -- which field a cell became ------------------------------------------------------


def field_names(
    form: FormRecord, row: SourceRow, funding: FundingRecord | None, indicator: IndicatorRecord | None
) -> dict[int, str]:
    """Column -> what the cell became: ``funding <label>, <field>``, ``indicator <n> <name>, <field>``,
    ``form, <field>``, ``总分, weight|score`` or ``label``.

    Cells are matched to the record's fields left to right by content (a
    number by its value, text by its characters), so a cell shifted by a
    column is still named right."""
    found = row_fields(form, row, funding, indicator)
    if funding is not None:
        return {c: f"funding {funding.source_label}, {f}" for c, f in found.items()}
    if indicator is not None:
        name = indicator.level3 or f"#{indicator.indicator_seq}"
        return {c: f"indicator {indicator.indicator_seq} {name}, {f}" for c, f in found.items()}
    owner = "总分" if form.total_place == row.place else "form"
    return {c: f"{owner}, {found[c]}" if c in found else "label" for c, t in enumerate(row.cells) if t}


def cell_fields(form: FormRecord, row: SourceRow) -> dict[str, str]:
    """Field -> the text of the cell of ``row`` that became it (see :func:`field_names`)."""
    funding = next((f for f in form.funding if f.place == row.place), None)
    indicator = next((i for i in form.indicators if i.place == row.place), None)
    return {f: row.cells[c] for c, f in row_fields(form, row, funding, indicator).items()}


def row_fields(
    form: FormRecord, row: SourceRow, funding: FundingRecord | None, indicator: IndicatorRecord | None
) -> dict[int, str]:
    ruled = row.boxes is not None
    if funding is not None:
        return _align(row.cells, [(f, getattr(funding, f)) for f in FUNDING_FIELDS], ruled=ruled)
    if indicator is not None:
        values = [
            ("level1", indicator.level1), ("level2", indicator.level2), ("level3", indicator.level3),
            ("target", indicator.target.raw), ("actual", indicator.actual.raw), ("weight", indicator.weight),
            ("score", indicator.score), ("deviation_note", indicator.deviation_note),
        ]
        return _align(row.cells, values, ruled=ruled)
    if form.total_place == row.place:
        return _align(row.cells, [("weight", form.total_weight), ("score", form.total_score)], ruled=ruled)
    return _align(row.cells, [(f, getattr(form, f)) for f in FORM_FIELDS], contained=True, labelled=True)


def _align(cells: tuple[str, ...], values: list[tuple[str, object]], contained: bool = False,
           labelled: bool = False, ruled: bool = False) -> dict[int, str]:
    """Cells matched to fields in order: each cell takes the first field after the
    last one taken whose value it states.  A cell that states no field's value
    (a misread number the record could not use) then takes the field left
    free between its matched neighbours, when that gap holds as many fields
    as cells.  With ``labelled`` (a form's head rows: 预算单位 … 实施单位 …), a
    cell the vocabulary knows as a label (``预算单位（盖章）`` read with a doubt)
    takes no field so: it is the label, not the value before it.  With ``ruled``
    (cells the page's rulings placed, one column a field), a cell left over so
    takes the field as far after its left neighbour's as the cell is after
    that neighbour's cell (``100.00%0`` two columns after the matched 全年执行数,
    beside a '——' 分值: execution_rate), when that field is free."""
    out: dict[int, int] = {}
    at = 0
    for col, text in enumerate(cells):
        if not text or is_null(text):
            continue
        for k in range(at, len(values)):
            value = values[k][1]
            if value is not None and _states(text, value, contained):
                out[col] = k
                at = k + 1
                break
    anchors = [(-1, -1), *sorted(out.items()), (len(cells), len(values))]
    for (c0, f0), (c1, f1) in pairwise(anchors):
        loose = [c for c in range(c0 + 1, c1) if cells[c] and not is_null(cells[c]) and not (labelled and _label(cells[c]))]
        free = list(range(f0 + 1, f1))
        if loose and len(loose) == len(free):
            out.update(zip(loose, free, strict=True))
        elif loose and ruled and c0 >= 0:
            out.update((c, f0 + c - c0) for c in loose if f0 + c - c0 in free)
    return {c: values[k][0] for c, k in sorted(out.items())}


def _label(text: str) -> bool:
    kind = cell_kind(text)
    return kind is not None and kind.kind != "title"


def _states(text: str, value: object, contained: bool) -> bool:
    if isinstance(value, Decimal):
        amount = parse_amount(text).value
        if amount is not None and amount == value:
            return True
        rate = parse_rate(text).value
        return rate is not None and rate == value
    a, b = compact(text), compact(str(value))
    return bool(a) and (a == b or (contained and a in b))
