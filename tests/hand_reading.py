"""The seed's hand reading (fixtures/expected/hand), field by field.

Used by the tests of the seed in other shapes: every field the hand reading
gives is looked up in the shape's tables by its key, and each difference is
returned, so a test can say exactly which values a shape lost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HAND = Path("fixtures/expected/hand")
KEYS = {"forms": ["form_seq"], "funding": ["form_seq", "source_key"], "indicators": ["form_seq", "indicator_seq"]}
LINE_COLUMNS = frozenset({"line", "line_start", "line_end"})


def hand(name: str) -> pd.DataFrame:
    return pd.read_csv(HAND / f"{name}.csv", dtype=str, keep_default_na=False)


def as_text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def normalised(text: str) -> str:
    try:
        return f"{float(text):.10g}"
    except ValueError:
        return text


def field_differences(tables: dict[str, pd.DataFrame], name: str, skip: frozenset[str] = frozenset()):
    """(fields compared, [(key, column, got, expected)]) of one table against the hand reading.
    A record the shape does not have counts every one of its fields as different."""
    keys = KEYS[name]
    expected_rows = hand(name)
    columns = [c for c in expected_rows.columns if c not in keys and c not in skip]
    got_by_key = {tuple(as_text(r[k]) for k in keys): r for _, r in tables[name].iterrows()}
    differences = []
    for _, expected in expected_rows.iterrows():
        key = tuple(normalised(expected[k]) for k in keys)
        got = got_by_key.get(key)
        for column in columns:
            a = None if got is None else normalised(as_text(got[column]))
            b = normalised(expected[column])
            if a != b:
                differences.append((key, column, a, b))
    extra = len(tables[name]) - len(expected_rows)
    if extra > 0:
        differences.append(("extra records", name, extra, 0))
    return len(expected_rows) * len(columns), differences
