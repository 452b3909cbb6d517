"""How plausible a cell is in a slot: the content half of row repair.

Each cell is first sorted into what it looks like (a number, a percentage, a
value with comparator or unit, text …) by a pure, memoised function of its
text; the points each look earns in each slot are the
:class:`~selfeval.settings.ScoringWeights` of the run.  :func:`cell_scorers`
gives the slot scorers for one set of weights."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

from selfeval.normalize.cells import clean
from selfeval.normalize.values import (
    comparator_words,
    is_null,
    looks_like_value,
    parse_value,
    to_decimal,
)
from selfeval.settings import DEFAULT_WEIGHTS, ScoringWeights

CellScorer = Callable[[str], float]
INDICATOR_KIND_LABELS = ("定量指标", "定性指标")  # 指标性质 of a department form, in the order they are looked for
INDICATOR_KINDS = frozenset({*INDICATOR_KIND_LABELS, *(k[:2] for k in INDICATOR_KIND_LABELS)})  # or 定量, 定性
FLAGS = frozenset({"是", "否"})  # 是否核心指标


@lru_cache(maxsize=65536)
def _number(text: str) -> str:
    if is_null(text):
        return "empty"
    return "number" if to_decimal(text) is not None else "other"


@lru_cache(maxsize=65536)
def _rate(text: str) -> str:
    if is_null(text):
        return "empty"
    t = clean(text).replace(" ", "")
    if t.endswith("%") and to_decimal(t[:-1]) is not None:
        return "rate"
    return "number" if to_decimal(t) is not None else "other"


@lru_cache(maxsize=65536)
def _value(text: str) -> str:
    if is_null(text):
        return "empty"
    return "value" if looks_like_value(text) else "text"


@lru_cache(maxsize=65536)
def _note(text: str) -> str:
    if is_null(text):
        return "empty"
    if to_decimal(text) is not None:
        return "number"
    return "value" if parse_value(text).status == "numeric" else "text"


@lru_cache(maxsize=4096)
def _comparator(text: str) -> str:
    if is_null(text):
        return "empty"
    return "comparator" if clean(text).replace(" ", "") in comparator_words() else "other"


@lru_cache(maxsize=4096)
def _unit(text: str) -> str:
    if is_null(text):
        return "empty"
    t = clean(text)
    if to_decimal(t) is not None or any(ch.isdigit() for ch in t):
        return "number"
    return "unit" if len(t) <= 6 else "long"


@lru_cache(maxsize=4096)
def _member(text: str, words: frozenset[str]) -> str:
    if is_null(text):
        return "empty"
    return "member" if clean(text).replace(" ", "") in words else "other"


def _scorer(look: Callable[[str], str], points: dict[str, float]) -> CellScorer:
    table = {"empty": 0.0, **points}

    @lru_cache(maxsize=65536)
    def score(text: str) -> float:
        return table[look(text)]

    score.best = max(table.values())  # the most any cell earns: a bound for the readings (indicators.py)
    return score


@cache
def cell_scorers(w: ScoringWeights = DEFAULT_WEIGHTS) -> dict[str, CellScorer]:
    """The scorer of each kind of slot, for the weights ``w``."""
    return {
        "number": _scorer(_number, {"number": w.number_fits, "other": w.number_misfits}),
        "amount": _scorer(_number, {"number": w.amount_fits, "other": w.amount_misfits}),
        "rate": _scorer(_rate, {"rate": w.rate_fits, "number": w.rate_plain_number, "other": w.rate_misfits}),
        "value": _scorer(_value, {"value": w.value_fits, "text": w.value_text}),
        "note": _scorer(_note, {"number": w.note_number, "value": w.note_value, "text": w.note_text}),
        "comparator": _scorer(_comparator, {"comparator": w.comparator_fits, "other": w.comparator_misfits}),
        "unit": _scorer(_unit, {"unit": w.unit_fits, "number": w.unit_number, "long": w.unit_long}),
        "kind": _scorer(lambda t: _member(t, INDICATOR_KINDS), {"member": w.kind_fits, "other": w.kind_misfits}),
        "flag": _scorer(lambda t: _member(t, FLAGS), {"member": w.flag_fits, "other": w.flag_misfits}),
    }


@lru_cache(maxsize=65536)
def name_cell(text: str) -> bool:
    """An indicator name: text that does not read as a value, a number or a comparator."""
    t = clean(text)
    return bool(t) and not is_null(text) and not looks_like_value(text) and t.replace(" ", "") not in comparator_words()
