"""Indicator headers as other archives print them give the seed's values.

The shapes are written by tests/make_header_variants.py from the seed; each is
compared field by field with the hand reading (fixtures/expected/hand), not
with the tool's own reading of the seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hand_reading import LINE_COLUMNS, field_differences
from make_header_variants import SHAPES, write_all

from selfeval.pipeline import run

HEADERS = Path("fixtures/headers")


def test_committed_header_variants_are_what_the_generator_writes(tmp_path):
    committed = {p.name: p.read_bytes() for p in HEADERS.iterdir()}
    written = {p.name: p.read_bytes() for p in write_all(tmp_path).values()}
    assert written == committed


@pytest.fixture(scope="module")
def batches():
    return {name: run([HEADERS / name]) for name in SHAPES}


@pytest.mark.parametrize("name", sorted(SHAPES))
@pytest.mark.parametrize("table", ["forms", "funding", "indicators"])
def test_header_shape_gives_the_hand_reading(batches, name, table):
    tables = {k: v.to_pandas() for k, v in batches[name].tables.items()}
    fields, differences = field_differences(tables, table, skip=LINE_COLUMNS)
    assert fields > 0
    assert differences == []


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_header_shape_uses_every_line(batches, name):
    result = batches[name].files[0]
    assert [f.message for f in result.findings if f.code == "unparsed_line"] == []
    assert result.lines_used == result.lines and result.lines_reported == 0


def test_a_repeated_header_keeps_every_indicator(batches):
    """A page break reprints the header: the block goes on (96 indicators, as in the seed)."""
    tables = batches["seed-repeated-indicator-header.txt"].tables
    assert tables["indicators"].num_rows == 96
    assert tables["forms"].num_rows == 27


def test_split_target_under_a_two_row_header_keeps_each_comparator(batches):
    """Today's failure was every target read as its comparator alone (``≥``)."""
    ind = batches["seed-two-row-split-target.txt"].tables["indicators"].to_pandas()
    assert (ind.target_raw == "≥").sum() == 0
    assert ind.target_value.notna().sum() == 96
    forms = batches["seed-two-row-split-target.txt"].tables["forms"].to_pandas()
    assert set(forms.layout) == {"split-target"}
