"""Checks of a form against its own arithmetic.  They report, never change.

Each check is a function ``(form, settings) -> Iterator[Finding]``; the list
:data:`CHECKS` is what :func:`validate` runs, in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from selfeval.findings import Finding, finding_at
from selfeval.normalize.records import FormRecord, FundingRecord
from selfeval.settings import Settings

Check = Callable[[FormRecord, Settings], Iterator[Finding]]
AMOUNT_COLUMNS = {"budget_initial": "年初预算数", "budget_full_year": "全年预算数", "executed": "全年执行数"}


def _d(x: float) -> Decimal:
    return Decimal(str(x))


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def check_total_score(form: FormRecord, settings: Settings) -> Iterator[Finding]:
    computed = form.computed_score
    if form.total_score is None or computed is None:
        return
    if abs(form.total_score - computed) > _d(settings.score_tolerance):
        yield finding_at(
            "total_score_mismatch",
            f"总分 score {_fmt(form.total_score)} but funding score + indicator "
            f"scores = {_fmt(computed)}",
            form.total_place,
            table="forms", field="total_score",
        )


def check_weight_sum(form: FormRecord, settings: Settings) -> Iterator[Finding]:
    total = form.funding_total
    weights = [i.weight for i in form.indicators if i.weight is not None]
    if total is not None and total.weight is not None:
        weights.append(total.weight)
    if form.total_weight is None or not weights:
        return
    summed = sum(weights, Decimal(0))
    if abs(summed - form.total_weight) > _d(settings.score_tolerance):
        yield finding_at(
            "weight_sum_mismatch",
            f"总分 weight {_fmt(form.total_weight)} but funding weight + indicator "
            f"weights = {_fmt(summed)}",
            form.total_place,
            table="forms", field="total_weight",
        )


def check_level_weights(form: FormRecord, settings: Settings) -> Iterator[Finding]:
    """产出指标（50分）: the group's indicator weights add up to 50."""
    groups: dict[str, list] = {}
    for ind in form.indicators:
        if ind.level1 and ind.level1_weight is not None:
            groups.setdefault(ind.level1, []).append(ind)
    for level1, members in groups.items():
        stated = members[0].level1_weight
        summed = sum((i.weight for i in members if i.weight is not None), Decimal(0))
        if abs(summed - stated) > _d(settings.score_tolerance):
            yield finding_at(
                "level_weight_mismatch",
                f"{level1} states {_fmt(stated)} points but its indicators weigh {_fmt(summed)}",
                members[0].place,
                table="indicators", key=members[0].indicator_seq, field="level1_weight",
            )


def check_execution_rates(form: FormRecord, settings: Settings) -> Iterator[Finding]:
    points = _d(settings.rate_tolerance_points) / 100
    for row in form.funding:
        if row.execution_rate is None or row.executed is None or not row.budget_full_year:
            continue
        actual = row.executed / row.budget_full_year
        if abs(actual - row.execution_rate) > points:
            yield finding_at(
                "execution_rate_mismatch",
                f"{row.source_label} states 执行率 {_fmt(row.execution_rate * 100)}% but "
                f"{_fmt(row.executed)} / {_fmt(row.budget_full_year)} = {actual * 100:.2f}%",
                row.place,
                table="funding", key=row.source_key, field="execution_rate",
            )


def check_funding_scores(form: FormRecord, settings: Settings) -> Iterator[Finding]:
    for row in form.funding:
        if row.score is None or row.weight is None or row.execution_rate is None:
            continue
        expected = row.execution_rate * row.weight
        if abs(expected - row.score) > _d(settings.score_tolerance):
            yield finding_at(
                "funding_score_mismatch",
                f"{row.source_label} score {_fmt(row.score)} but 执行率 × 分值 = "
                f"{_fmt(row.execution_rate * 100)}% × {_fmt(row.weight)} = {expected:.2f}",
                row.place,
                table="funding", key=row.source_key, field="score",
            )


def check_funding_sums(form: FormRecord, settings: Settings) -> Iterator[Finding]:
    total = form.funding_total
    if total is None:
        return
    parts = [r for r in form.funding if r.source_key != "total"]
    for column, title in AMOUNT_COLUMNS.items():
        stated = getattr(total, column)
        values = [getattr(r, column) for r in parts if getattr(r, column) is not None]
        if stated is None or not values:
            continue
        summed = sum(values, Decimal(0))
        if abs(summed - stated) > _d(settings.amount_tolerance):
            yield finding_at(
                "funding_sum_mismatch",
                f"{title}: 年度资金总额 {_fmt(stated)} but the sources add up to {_fmt(summed)}",
                total.place,
                table="funding", key=total.source_key, field=column,
            )


def check_scores_within_weights(form: FormRecord, settings: Settings) -> Iterator[Finding]:
    tolerance = _d(settings.score_tolerance)
    for record in (*form.funding, *form.indicators):
        weight, score = record.weight, record.score
        if weight is not None and score is not None and score > weight + tolerance:
            if isinstance(record, FundingRecord):
                what, table, key = record.source_label, "funding", record.source_key
            else:
                what, table, key = record.level3 or f"indicator {record.indicator_seq}", "indicators", record.indicator_seq
            yield finding_at("score_exceeds_weight", f"{what}: score {_fmt(score)} above its weight {_fmt(weight)}",
                             record.place, table=table, key=key, field="score")


def check_deviation_notes(form: FormRecord, settings: Settings) -> Iterator[Finding]:
    for ind in form.indicators:
        if ind.target_met is False and not ind.deviation_note:
            yield finding_at(
                "missing_deviation_note",
                f"{ind.level3 or 'indicator'}: target {ind.target.raw} not met "
                f"(actual {ind.actual.raw}) and 偏差原因 is empty",
                ind.place,
                table="indicators", key=ind.indicator_seq, field="deviation_note",
            )
    total = form.funding_total
    if total is None or total.executed is None or not total.budget_full_year:
        return
    if total.executed < total.budget_full_year and not any(i.deviation_note for i in form.indicators):
        yield finding_at(
            "missing_deviation_note",
            f"funds under-executed ({_fmt(total.executed)} of {_fmt(total.budget_full_year)}) "
            "and no 偏差原因 is given anywhere in the form",
            total.place,
            table="funding", key=total.source_key, field="executed",
        )


_BARE_NUMBER = re.compile(r"[0-9０-９]+(?:[.,][0-9０-９]+)*[%％]?")


def check_note_values(form: FormRecord, settings: Settings) -> Iterator[Finding]:
    """A 偏差原因 holding a bare number (``40.00``): the reasons are words, so the
    number is a value placed in the wrong column (a score, when the 得分 and
    偏差原因 columns were read as one; a scan whose rulings were lost)."""
    for ind in form.indicators:
        note = (ind.deviation_note or "").strip()
        if note and _BARE_NUMBER.fullmatch(note):
            yield finding_at(
                "number_in_note",
                f"{ind.level3 or 'indicator'}: 偏差原因 holds only the number {note!r}: "
                "a value in the wrong column? check it against the source",
                ind.place,
                table="indicators", key=ind.indicator_seq, field="deviation_note",
            )


CHECKS: list[Check] = [
    check_total_score,
    check_weight_sum,
    check_level_weights,
    check_execution_rates,
    check_funding_scores,
    check_funding_sums,
    check_scores_within_weights,
    check_deviation_notes,
    check_note_values,
]


def validate(form: FormRecord, settings: Settings) -> list[Finding]:
    return [f for check in CHECKS for f in check(form, settings)]
