"""The 项目资金 block: one record per funding source row.

Columns come from the block's header row (年初预算数 … 得分), matched by
vocabulary, never by fixed positions.  A source row's label tells how far the
row sits from the header's columns; its values are then placed by content
(amounts are numbers, the rate a percentage), so a row one or two columns off
is read correctly and recorded as realigned.
"""

from __future__ import annotations

from functools import cache, lru_cache

from selfeval.extract.grid import SourceRow
from selfeval.findings import Finding, finding_at
from selfeval.normalize import scorers
from selfeval.normalize.cells import clean
from selfeval.normalize.records import FundingRecord
from selfeval.normalize.schema import FUNDING_SLOTS
from selfeval.normalize.slots import Placement, fit
from selfeval.normalize.values import parse_amount, parse_rate
from selfeval.normalize.vocab import Match, source_keys, vocabulary
from selfeval.settings import DEFAULT_WEIGHTS, ScoringWeights

DEFAULT_COLUMNS = vocabulary()["default_columns"]["funding"]  # where a header names no column
SLOT_LOOKS = {  # which scorer each funding slot uses (normalize/scorers.py)
    "budget_initial": "amount",
    "budget_full_year": "amount",
    "executed": "amount",
    "weight": "number",
    "execution_rate": "rate",
    "score": "number",
}


@cache
def slot_scorers(weights: ScoringWeights) -> dict:
    looks = scorers.cell_scorers(weights)
    return {slot: looks[look] for slot, look in SLOT_LOOKS.items()}


@lru_cache(maxsize=16384)
def _place(
    cells: tuple[str, ...], positional: bool, label_col: int, slot_columns: tuple[int, ...], weights: ScoringWeights,
    ruled: bool = False,
) -> Placement:
    """The values' placement, memoised: sub-source rows such as
    ``其中：中央资金 — —`` repeat from form to form."""
    slots = list(zip(FUNDING_SLOTS, slot_columns, strict=True))
    return fit(cells, label_col + 1, slots, slot_scorers(weights), positional=positional, weights=weights, ruled=ruled)


def read_funding_row(
    row: SourceRow, label_col: int, match: Match, columns: dict[str, int], label_expected: int,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
) -> tuple[FundingRecord, list[Finding]]:
    findings: list[Finding] = []
    repairs: list[str] = []
    key = source_keys()[match.label]

    def note(code: str, message: str, field: str | None = None) -> None:
        findings.append(finding_at(code, message, row.place, row.text, table="funding", key=key, field=field))

    if match.repaired:
        repairs.append("label_repaired")
        note("label_repaired", f"funding source {clean(row.cells[label_col])!r} read as {match.label!r} ({match.how} match, score {match.score:g})",
             "source_label")
    shift = label_col - label_expected
    placement = _place(row.cells, row.positional, label_col, tuple(columns[s] + shift for s in FUNDING_SLOTS), weights,
                       row.boxes is not None)
    if shift or placement.offset:
        repairs.append("row_realigned")
        moves = f"{abs(shift)} column(s) {'right' if shift > 0 else 'left'} of the header" if shift else ""
        if placement.offset:
            moves += ("; " if moves else "") + f"values {placement.offset:+d} column(s) off"
        note("row_realigned", f"funding row {match.label}: cells sit {moves}; placed by content")
    for col, text in placement.lost:
        note("unparsed_line", f"cell {text!r} (column {col + 1}) fits no funding column; not used")
    values = {}
    for slot in FUNDING_SLOTS:
        text = placement.cells[slot][1] if slot in placement.cells else ""
        amount = parse_rate(text) if slot == "execution_rate" else parse_amount(text)
        if amount.problem:
            note("unparsed_number", f"{match.label} {slot}: {amount.problem}; left empty", slot)
        values[slot] = amount.value
    record = FundingRecord(
        source_key=key,
        source_label=match.label,
        line=row.line,
        page=row.page,
        sheet=row.sheet,
        repairs=tuple(dict.fromkeys(repairs)),
        **values,
    )
    return record, findings
