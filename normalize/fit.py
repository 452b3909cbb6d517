"""Typed values fitted to a block's columns under the form's own arithmetic.

Where cell boundaries are lost, a row arrives as a label and a run of values
with its empty cells gone: ``年度资金总额： 13.04 13.04 10.00 100.00% 10`` for
six columns.  Each value has a type (amount, rate, plain number, target with
comparator, qualitative text, or an empty-cell marker such as ``—``), and
the values keep their order, so a reading is a choice of which columns the
values sit in.  Every order-preserving choice is scored:

* a value that cannot sit in a column (a rate in an amount column, text in a
  score column) rules the choice out;
* the form's arithmetic is rewarded where it can be checked: execution
  rate = executed ÷ full-year budget, funding score = rate × weight, an
  indicator's score no more than its weight;
* where nothing can be checked, the template's habits decide: a funding
  sub-row's ``—`` marks sit under 分值 and 得分, and a lone amount is the
  executed one (the seed's forms print them so; see fixtures/expected).

Across a funding block, the sub-rows' amounts should add up to the total
row's (``block_sums``): among a row's equally good readings, the one that
makes the columns add up wins.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from itertools import combinations

from selfeval.normalize.cells import clean
from selfeval.normalize.values import is_null, looks_like_value, to_decimal

RULED_OUT = float("inf")
_COMPARATOR = re.compile(r"^(≥|≤|>|<|=|>=|<=|≧|≦|﹦|大于|小于|不低于|不高于|等于|不少于|不超过|达到)$")

AMOUNTS = ("budget_initial", "budget_full_year", "executed")
# the template's habits where arithmetic cannot decide (cost added per value, lower is likelier)
_AMOUNT_PRIOR = {"budget_initial": 0.3, "budget_full_year": 0.2, "executed": 0.0}
_NULL_PRIOR = {"weight": -0.4, "score": -0.4, "execution_rate": 0.3}


@lru_cache(maxsize=65536)
def kind_of(text: str) -> str:
    """``empty`` (no text), ``null`` (a marker such as ``—``), ``rate``
    (a percentage), ``number``, ``comparator``, ``value`` (a number with a
    comparator or unit, ``≥3家``) or ``text``."""
    t = clean(text)
    if not t:
        return "empty"
    if is_null(t):
        return "null"
    if t.endswith("%") and to_decimal(t[:-1]) is not None:
        return "rate"
    if to_decimal(t) is not None:
        return "number"
    if _COMPARATOR.match(t):
        return "comparator"
    if looks_like_value(t):
        return "value"
    return "text"


def _rate(text: str) -> Decimal | None:
    t = clean(text)
    return to_decimal(t[:-1]) / 100 if t.endswith("%") and to_decimal(t[:-1]) is not None else None


# -- one value in one column ------------------------------------------------
_FUNDING_FITS = {
    "budget_initial": {"number": 0.0, "null": 0.2},
    "budget_full_year": {"number": 0.0, "null": 0.2},
    "executed": {"number": 0.0, "null": 0.2},
    "weight": {"number": 0.0, "null": 0.0},
    "execution_rate": {"rate": -0.5, "null": 0.0, "number": 3.0},  # a bare number is rarely a rate
    "score": {"number": 0.0, "null": 0.0},
}
_INDICATOR_FITS = {
    "target": {"value": -0.5, "rate": -0.5, "number": 0.0, "text": 0.5, "null": 0.5},
    "actual": {"value": -0.5, "rate": -0.5, "number": 0.0, "text": 0.5, "null": 0.5},
    "target_op": {"comparator": -1.0, "null": 0.5},
    "target_unit": {"text": 0.0, "rate": 1.0, "null": 0.5},
    "weight": {"number": -0.35, "null": 0.5},  # a lone number is the weight: an unscored form has 分值, not 得分
    "score": {"number": -0.3, "null": 0.5},
    "note": {"text": 0.0, "value": 0.5, "null": 0.3},
}
_TEXT_COLUMN = {"text": 0.0, "value": 0.2, "number": 0.5, "null": 0.2, "rate": 0.5}


def cell_cost(column: str, text: str, table: dict[str, dict[str, float]]) -> float:
    kind = kind_of(text)
    if kind == "empty":
        return 0.0
    fits = table.get(column, _TEXT_COLUMN)
    return fits.get(kind, RULED_OUT)


# -- a row's values over the columns ------------------------------------------
def placements(n_values: int, n_columns: int) -> list[tuple[int, ...]]:
    """Every order-preserving choice of columns for the values."""
    if n_values > n_columns:
        return []
    return list(combinations(range(n_columns), n_values))


def _funding_cost(values: tuple[str, ...], columns: tuple[str, ...], cols: tuple[int, ...]) -> float:
    cost = 0.0
    got: dict[str, str] = {}
    for text, col in zip(values, cols, strict=True):
        name = columns[col]
        c = cell_cost(name, text, _FUNDING_FITS)
        if c == RULED_OUT:
            return RULED_OUT
        cost += c
        kind = kind_of(text)
        if kind == "number":
            cost += _AMOUNT_PRIOR.get(name, 0.0)
        elif kind == "null":
            cost += _NULL_PRIOR.get(name, 0.0)
        got[name] = text
    full, executed = to_decimal(got.get("budget_full_year", "")), to_decimal(got.get("executed", ""))
    rate = _rate(got.get("execution_rate", ""))
    if full and executed is not None and rate is not None:
        cost += -3.0 if abs(executed / full - rate) <= Decimal("0.006") else 1.0
    weight, score = to_decimal(got.get("weight", "")), to_decimal(got.get("score", ""))
    if rate is not None and weight is not None and score is not None:
        cost += -2.0 if abs(min(rate, Decimal(1)) * weight - score) <= Decimal("0.06") else 0.5
    if weight is not None and score is not None and score > weight:
        cost += 1.0
    return cost


def position_cost(xs: tuple[int | None, ...], cols: tuple[int, ...], head_xs: tuple[int | None, ...]) -> float:
    """Column-aligned text: a value belongs under the header word whose
    start is nearest its own start.  A hint, not a rule: a form whose header
    row is printed a column off its values (seed forms 2, 3, 6) is put right
    by the arithmetic."""
    known = [(i, x) for i, x in enumerate(head_xs) if x is not None]
    if not known:
        return 0.0
    cost = 0.0
    for x, col in zip(xs, cols, strict=True):
        if x is None or head_xs[col] is None:
            continue
        nearest = min(known, key=lambda p: (abs(p[1] - x), p[0]))[0]
        cost += -0.1 if nearest == col else 0.4
    return cost


@lru_cache(maxsize=16384)
def funding_readings(values: tuple[str, ...], columns: tuple[str, ...], xs: tuple[int | None, ...] = (),
                     head_xs: tuple[int | None, ...] = ()) -> tuple[tuple[float, tuple[int, ...]], ...]:
    """The readings of a funding row's values, best first: (cost, columns).
    ``xs``/``head_xs``: where the values and the header words start, in
    column-aligned text."""
    scored = []
    for cols in placements(len(values), len(columns)):
        cost = _funding_cost(values, columns, cols)
        if cost != RULED_OUT and xs and head_xs:
            cost += position_cost(xs, cols, head_xs)
        scored.append((cost, cols))
    return tuple(sorted(s for s in scored if s[0] != RULED_OUT))


def _indicator_cost(values: tuple[str, ...], columns: tuple[str, ...], cols: tuple[int, ...]) -> float:
    cost = 0.0
    got: dict[str, str] = {}
    for text, col in zip(values, cols, strict=True):
        name = columns[col]
        c = cell_cost(name, text, _INDICATOR_FITS)
        if c == RULED_OUT:
            return RULED_OUT
        cost += c
        got[name] = text
    for needed in ("target", "actual", "weight", "score"):
        if needed in columns and needed not in got:
            cost += 0.6
    weight, score = to_decimal(got.get("weight", "")), to_decimal(got.get("score", ""))
    if weight is not None and score is not None and score > weight:
        cost += 1.5
    return cost


@lru_cache(maxsize=16384)
def indicator_reading(values: tuple[str, ...], columns: tuple[str, ...], xs: tuple[int | None, ...] = (),
                      head_xs: tuple[int | None, ...] = ()) -> tuple[float, tuple[int, ...]] | None:
    """The best reading of an indicator row's values (after its name), or None."""
    best: tuple[float, tuple[int, ...]] | None = None
    for cols in placements(len(values), len(columns)):
        cost = _indicator_cost(values, columns, cols)
        if cost != RULED_OUT and xs and head_xs:
            cost += position_cost(xs, cols, head_xs)
        if cost != RULED_OUT and (best is None or cost < best[0]):
            best = (cost, cols)
    return best


def block_sums(rows: list[tuple[tuple[str, ...], tuple[tuple[float, tuple[int, ...]], ...]]],
               columns: tuple[str, ...]) -> list[tuple[int, ...] | None]:
    """One reading per funding row (the first is the total): each row's best,
    except that among a sub-row's readings within 0.5 of its best, the one
    that makes the amount columns add up to the total's is taken."""
    chosen = [readings[0][1] if readings else None for _, readings in rows]
    if len(rows) < 2 or chosen[0] is None:
        return chosen

    def totals(choice: list[tuple[int, ...] | None]) -> tuple[int, Decimal]:
        ok, off = 0, Decimal(0)
        for name in AMOUNTS:
            if name not in columns:
                continue
            col = columns.index(name)
            head = _value_at(rows[0][0], choice[0], col)
            if head is None:
                continue
            parts = [_value_at(values, c, col) for (values, _), c in zip(rows[1:], choice[1:], strict=True)]
            gap = abs(sum((p for p in parts if p is not None), Decimal(0)) - head)
            ok += gap <= Decimal("0.011")
            off -= gap
        return ok, off

    best = totals(chosen)
    for _ in range(2):
        for i in range(1, len(rows)):
            readings = rows[i][1]
            if not readings:
                continue
            for cost, cols in readings[1:]:
                if cost > readings[0][0] + 0.5:
                    break
                trial = chosen[:i] + [cols] + chosen[i + 1:]
                score = totals(trial)
                if score > best:
                    best, chosen = score, trial
    return chosen


def _value_at(values: tuple[str, ...], cols: tuple[int, ...] | None, col: int) -> Decimal | None:
    if cols is None or col not in cols:
        return None
    return to_decimal(values[cols.index(col)])
