"""The seed end to end: reviewed golden CSVs, the hand reading, invariants."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hand_reading import as_text, normalised
from hand_reading import hand as read_hand

from selfeval.normalize.vocab import template_named
from selfeval.output.tables import TABLE_NAMES
from selfeval.output.writers import csv_bytes

EXPECTED = Path("fixtures/expected")


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_seed_matches_reviewed_golden_csv(seed_batch, name):
    """Byte-identical to the golden reviewed against the source
    (see fixtures/README.md: regenerate with `make golden`, then review)."""
    produced = csv_bytes(seed_batch.tables[name]).decode("utf-8").splitlines()
    golden = (EXPECTED / f"{name}.csv").read_text(encoding="utf-8").splitlines()
    assert produced[0] == golden[0], "columns changed"
    diff = [(i, a, b) for i, (a, b) in enumerate(zip(produced, golden, strict=False)) if a != b]
    assert not diff[:5] and len(produced) == len(golden)



@pytest.mark.parametrize(
    "name,keys",
    [("forms", ["form_seq"]), ("funding", ["form_seq", "source_key"]), ("indicators", ["form_seq", "indicator_seq"])],
)
def test_seed_agrees_with_the_hand_reading(seed_tables, name, keys):
    """Every field the independent hand reading gives, the pipeline gives."""
    hand = read_hand(name)
    mine = seed_tables[name]
    assert len(mine) == len(hand)
    mine_by_key = {tuple(as_text(r[k]) for k in keys): r for _, r in mine.iterrows()}
    mismatches = []
    for _, expected in hand.iterrows():
        key = tuple(normalised(expected[k]) for k in keys)
        got = mine_by_key[key]
        for column in hand.columns:
            if column in keys:
                continue
            a, b = normalised(as_text(got[column])), normalised(expected[column])
            if a != b:
                mismatches.append((key, column, a, b))
    assert mismatches == []


def test_seed_findings_agree_with_the_hand_reading(seed_tables):
    """Each contradiction the hand reading flags is flagged, at the same line."""
    hand = read_hand("findings")
    mine = seed_tables["findings"]
    expected = Counter(zip(hand.form_seq.astype(int), hand.code, hand.line.astype(int), strict=True))
    got = Counter(zip(mine.form_seq.astype(int), mine.code, mine.line.astype(int), strict=True))
    assert got == expected


@pytest.mark.parametrize("table", ["funding", "indicators"])
def test_seed_repairs_are_the_repairs_the_hand_reading_found(seed_tables, table):
    """Each row's repairs column names the repairs the hand reading lists for its line."""
    repair_codes = {"row_realigned", "label_repaired", "unit_inferred", "level_inferred"}
    hand = read_hand("findings")
    by_line: dict[int, set[str]] = {}
    for code, line in zip(hand.code, hand.line.astype(int), strict=True):
        if code in repair_codes:
            by_line.setdefault(line, set()).add(code)
    for _, row in seed_tables[table].iterrows():
        assert set(filter(None, row.repairs.split(";"))) == by_line.get(int(row.line), set()), row.line


def test_seed_forms_are_numbered_in_document_order(seed_tables):
    for table in ("forms", "funding", "indicators"):
        frame = seed_tables[table]
        assert (frame.form_index == frame.form_seq).all()  # the seed's 项目序号 run 1..27 in order


def test_seed_has_no_unparsed_line_and_accounts_for_every_line(seed_batch):
    result = seed_batch.files[0]
    assert result.lines == 682
    assert result.lines_used == result.lines and result.lines_reported == 0
    assert not [f for f in result.findings if f.code == "unparsed_line"]


def test_every_label_is_in_the_template(seed_tables):
    template = template_named("cn-2020")
    ind = seed_tables["indicators"]
    assert set(ind.level1) <= set(template.level1)
    for l1, l2 in zip(ind.level1, ind.level2, strict=True):
        assert l1 in template.level2_parents[l2]


def test_source_contradictions_are_reported(seed_tables):
    """The contradictions the forms really contain (issue 2's list)."""
    f = seed_tables["findings"]
    where = {(c, int(s)) for c, s in zip(f.code, f.form_seq, strict=True)}
    assert ("execution_rate_mismatch", 15) in where
    assert ("funding_score_mismatch", 10) in where
    assert ("missing_total_weight", 12) in where
    assert ("unrecognized_comparator", 20) in where
    assert {s for c, s in where if c == "weight_sum_mismatch"} == {2, 8, 19}


def test_funding_sources_add_up_where_the_form_has_no_contradiction(seed_tables):
    """Column sums of the sources equal the 年度资金总额 row (no funding_sum_mismatch)."""
    fund = seed_tables["funding"]
    for (_, seq), group in fund.groupby(["doc_id", "form_seq"]):
        total = group[group.source_key == "total"].iloc[0]
        parts = group[group.source_key != "total"]
        for column in ("budget_full_year", "executed"):
            if pd.notna(total[column]) and parts[column].notna().any():
                assert abs(parts[column].sum() - total[column]) < 0.005, (seq, column)
