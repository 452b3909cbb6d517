"""Field-by-field comparison of a reading with the seed's reviewed tables.

One rule for the token-shape tests and the benchmark: every field of every
form, funding row and indicator the seed has is one field; a row missing
from the reading counts all its fields wrong, and a row the seed does not
have counts as wrong too.  Cells compare as in ``scangen.compare``: both
empty, equal numbers, or equal text up to width and spaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from scangen.compare import same_field

EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "expected"

FIELDS = {
    "forms": ("year", "title", "amount_unit", "budget_unit", "implementing_unit", "project_name", "goal_target",
              "goal_actual", "total_weight", "total_score"),
    "funding": ("source_label", "budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score"),
    "indicators": ("level1", "level2", "level3", "target_raw", "target_op", "target_value", "target_unit",
                   "actual_raw", "actual_op", "actual_value", "actual_unit", "weight", "score", "deviation_note"),
}
KEYS = {"forms": ("form_seq",), "funding": ("form_seq", "source_key"), "indicators": ("form_seq", "indicator_seq")}


@dataclass
class Score:
    total: int = 0
    wrong: list[tuple] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return 1 - len(self.wrong) / self.total if self.total else 0.0


def expected_tables() -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(EXPECTED / f"{name}.csv") for name in FIELDS}


def score(tables: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame] | None = None) -> Score:
    expected = expected or expected_tables()
    out = Score()
    for name, fields in FIELDS.items():
        keys = list(KEYS[name])
        want = expected[name]
        got = tables[name]
        merged = want.merge(got, on=keys, how="outer", suffixes=("_want", "_got"), indicator=True)
        for _, row in merged.iterrows():
            for f in fields:
                out.total += 1
                a, b = row[f"{f}_want"], row[f"{f}_got"]
                if row["_merge"] == "right_only":
                    out.wrong.append((name, *(row[k] for k in keys), f, "(extra row)", b))
                elif row["_merge"] == "left_only" or not same_field(a, b):
                    out.wrong.append((name, *(row[k] for k in keys), f, a, None if row["_merge"] == "left_only" else b))
    return out
