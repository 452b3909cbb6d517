"""How plausible a cell is in a slot: the content half of row repair.

Each scorer is a pure function of the cell text; cell texts repeat heavily
across a batch, so the answers are cached."""

from __future__ import annotations

from functools import lru_cache

from selfeval.normalize.cells import clean
from selfeval.normalize.values import (
    comparator_words,
    is_null,
    looks_like_value,
    parse_value,
    to_decimal,
)


@lru_cache(maxsize=65536)
def number_cell(text: str) -> float:
    """Weights and scores: plain numbers."""
    if is_null(text):
        return 0.0
    return 2.0 if to_decimal(text) is not None else -3.0


@lru_cache(maxsize=65536)
def amount_cell(text: str) -> float:
    """Funding amounts: plain numbers, never percentages."""
    if is_null(text):
        return 0.0
    return 1.0 if to_decimal(text) is not None else -3.0


@lru_cache(maxsize=65536)
def rate_cell(text: str) -> float:
    """Execution rates: percentages."""
    if is_null(text):
        return 0.0
    t = clean(text).replace(" ", "")
    if t.endswith("%") and to_decimal(t[:-1]) is not None:
        return 2.0
    return 0.0 if to_decimal(t) is not None else -3.0


@lru_cache(maxsize=65536)
def value_cell(text: str) -> float:
    """Targets and actuals: a number with comparator/unit, or a short grade."""
    if is_null(text):
        return 0.0
    return 1.0 if looks_like_value(text) else 0.3


@lru_cache(maxsize=65536)
def note_cell(text: str) -> float:
    """Deviation notes: free text, not numbers."""
    if is_null(text):
        return 0.0
    if to_decimal(text) is not None:
        return -2.0
    return -1.0 if parse_value(text).status == "numeric" else 0.5


@lru_cache(maxsize=65536)
def name_cell(text: str) -> bool:
    """An indicator name: text that does not read as a value, a number or a comparator."""
    t = clean(text)
    return bool(t) and not is_null(text) and not looks_like_value(text) and t.replace(" ", "") not in comparator_words()


@lru_cache(maxsize=4096)
def comparator_cell(text: str) -> float:
    """指标性质: a comparator on its own."""
    if is_null(text):
        return 0.0
    return 1.0 if clean(text).replace(" ", "") in comparator_words() else -2.0


@lru_cache(maxsize=4096)
def unit_cell(text: str) -> float:
    """度量单位: a short unit, never a number."""
    if is_null(text):
        return 0.0
    t = clean(text)
    if to_decimal(t) is not None or any(ch.isdigit() for ch in t):
        return -2.0
    return 0.5 if len(t) <= 6 else -1.0
