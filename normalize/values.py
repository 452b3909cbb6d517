"""Cell text to numbers: amounts, percentages, and indicator values.

All arithmetic is done in :class:`decimal.Decimal` so that ``4.4万/人`` is
exactly 44000 元/人 and ``32.56%`` exactly 0.3256; floats are made only when
records are written.  Nothing here guesses: text that is not a number gives
``None`` and a reason, and the caller reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from selfeval.extract.cells import NUMBER
from selfeval.normalize.cells import clean
from selfeval.normalize.vocab import units, vocabulary


@cache
def comparators() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(prefix, suffix) comparator spellings -> the contract's comparator, longest
    spelling first: the one comparator vocabulary (``selfeval/data/vocabulary.json``)."""
    vocab = vocabulary()["comparators"]

    def longest_first(table: dict[str, str]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(table.items(), key=lambda item: -len(item[0])))

    return longest_first(vocab["prefix"]), longest_first(vocab["suffix"])


@cache
def _prefix_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """The prefix comparators as one pattern, tried in :func:`comparators`'s order
    (longest first), so its match is the first spelling the text starts with;
    and each spelling's comparator."""
    prefixes = comparators()[0]
    pattern = "|".join(re.escape(spelling) for spelling, _ in prefixes) if prefixes else r"(?!)"
    return re.compile(pattern), dict(prefixes)


@cache
def comparator_words() -> frozenset[str]:
    """Every spelling of a comparator on its own (a 指标性质 cell: ``≥``, ``不低于``)."""
    prefix, suffix = comparators()
    return frozenset(spelling for spelling, _ in prefix + suffix)


_NUMBER = r"[+-]?" + NUMBER  # the digits as every reader prints them (extract.cells.NUMBER)
_PLAIN_NUMBER = re.compile(rf"^{_NUMBER}$")
_VALUE = re.compile(rf"^(?P<prefix>\D*?)\s*(?P<num>{_NUMBER})\s*(?P<unit>\D*)$")


_UNITS = units()


@cache
def null_markers() -> frozenset[str]:
    return frozenset(vocabulary()["null_markers"])


@lru_cache(maxsize=65536)
def is_null(text: str) -> bool:
    t = clean(text)
    return not t or t in null_markers()


@lru_cache(maxsize=65536)
def to_decimal(text: str) -> Decimal | None:
    """A plain number (``1,234.50``, ``-0``), else None.  No exponents,
    infinities or NaN: a form never prints them, so they are not numbers here."""
    t = clean(text).replace(" ", "")
    if not _PLAIN_NUMBER.match(t):
        return None
    try:
        value = Decimal(t.replace(",", ""))
    except InvalidOperation:
        return None
    return value + 0 if value == 0 else value  # -0 -> 0


@dataclass(frozen=True)
class Amount:
    """A numeric cell: its value, or why it has none (``""`` when blank/null)."""

    value: Decimal | None
    problem: str = ""


@lru_cache(maxsize=65536)
def parse_amount(text: str) -> Amount:
    if is_null(text):
        return Amount(None)
    value = to_decimal(text)
    return Amount(value) if value is not None else Amount(None, f"not a number: {clean(text)!r}")


@lru_cache(maxsize=16384)
def parse_rate(text: str) -> Amount:
    """A percentage cell as a fraction: ``100.00%`` -> 1, ``32.56%`` -> 0.3256."""
    if is_null(text):
        return Amount(None)
    t = clean(text).replace(" ", "")
    number = to_decimal(t[:-1] if t.endswith("%") else t)
    if number is None:
        return Amount(None, f"not a percentage: {clean(text)!r}")
    return Amount(number / 100)


@dataclass(frozen=True)
class Value:
    """An indicator's target or actual value as written and as understood."""

    raw: str
    op: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    status: str = "empty"  # empty | numeric | qualitative | unrecognized_comparator


@lru_cache(maxsize=16384)
def parse_value(text: str) -> Value:
    raw = clean(text)
    if not raw or raw in null_markers():
        return Value(raw)
    body = raw.replace(" ", "")
    op = None
    suffixes = comparators()[1]
    pattern, spelled = _prefix_pattern()
    written = pattern.match(body)
    if written:
        op, body = spelled[written.group()], body[written.end():]
    match = _VALUE.match(body)
    if not match:
        return Value(raw, status="qualitative")
    prefix, unit = match.group("prefix"), match.group("unit")
    for spelling, canonical in suffixes:
        if op is None and unit.endswith(spelling):
            op, unit = canonical, unit[: -len(spelling)]
    if len(unit) > 8 or (prefix and len(prefix) > 2):
        return Value(raw, status="qualitative")  # a sentence with a number in it
    if prefix.endswith("."):
        return Value(raw, status="qualitative")  # M.8万元: a mark where a number's first digits were (OCR); no number
    number = Decimal(match.group("num").replace(",", ""))
    unit = _UNITS["aliases"].get(unit, unit) or None
    if prefix:  # "（20日": a number behind a mark that is no comparator
        return Value(raw, None, number, unit, "unrecognized_comparator")
    return Value(raw, op or "=", number, unit, "numeric")


_TRAILING_NUMBER = re.compile(rf"^(?P<head>.*?[^\W\d_%]|.*?%)(?P<tail>{_NUMBER}%?)$")


@lru_cache(maxsize=16384)
def trailing_number(text: str) -> str | None:
    """The second number of a value that holds one after its unit
    (``18.49亿元20.00``: ``20.00``), else None.  A value is one number with its
    comparator and unit; a number after the unit is another cell's (a weight
    or score) read into this one, and the value cannot be parsed."""
    raw = clean(text).replace(" ", "")
    if not raw or parse_value(raw).status != "qualitative":
        return None
    match = _TRAILING_NUMBER.match(raw)
    if not match:
        return None
    head = parse_value(match.group("head"))
    if head.status not in ("numeric", "unrecognized_comparator") or head.unit is None:
        return None
    return match.group("tail")


def looks_like_value(text: str) -> bool:
    """True for cells that read as a target/actual value (a number with a
    comparator or unit), as opposed to an indicator name."""
    return parse_value(text).status in ("numeric", "unrecognized_comparator")


@lru_cache(maxsize=4096)
def base_of(unit: str | None) -> tuple[str | None, Decimal]:
    """(base unit, factor) by the unit table: 万元 -> (元, 1e4), % -> (ratio,
    0.01), 万/人 -> (元/人, 1e4), 22.6万册 -> (册, 1e4), others unchanged."""
    if unit is None:
        return None, Decimal(1)
    if unit in _UNITS["units"]:
        base, factor = _UNITS["units"][unit]
        return base, Decimal(factor)
    for prefix in _UNITS["money_per_prefixes"]:
        if unit.startswith(prefix):
            scale = Decimal(_UNITS["scaled_prefixes"][prefix[0]])
            return "元/" + unit[len(prefix):], scale
    first, rest = unit[0], unit[1:]
    if first in _UNITS["scaled_prefixes"] and rest and not rest.startswith("元"):
        return rest, Decimal(_UNITS["scaled_prefixes"][first])
    return unit, Decimal(1)


def compare(actual: Decimal, op: str, target: Decimal) -> bool:
    return {
        "≥": actual >= target,
        "≤": actual <= target,
        ">": actual > target,
        "<": actual < target,
        "=": actual == target,
    }[op]
