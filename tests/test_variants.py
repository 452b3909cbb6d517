"""The seed's forms in other shapes give the seed's tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from make_text_variants import write_all

from selfeval.pipeline import run

VARIANTS = Path("fixtures/variants")
PROVENANCE = {"doc_id", "source_path", "repairs"}


def test_committed_variants_are_what_the_generator_writes(tmp_path):
    committed = {p.name: p.read_bytes() for p in VARIANTS.iterdir()}
    written = {p.name: p.read_bytes() for p in write_all(tmp_path).values()}
    assert written == committed


@pytest.mark.parametrize("name", sorted(p.name for p in VARIANTS.iterdir()))
def test_variant_gives_the_seed_tables(seed_tables, name):
    tables = {k: v.to_pandas() for k, v in run([VARIANTS / name]).tables.items()}
    for table in ("forms", "funding", "indicators"):
        a, b = seed_tables[table], tables[table]
        columns = [c for c in a.columns if c not in PROVENANCE]
        if name.endswith(".md"):  # separator lines shift the line numbers
            columns = [c for c in columns if c not in ("line", "line_start", "line_end")]
        assert a[columns].equals(b[columns]), (name, table)
    codes = set(tables["findings"].code)
    assert "unparsed_line" not in codes
    if "confused" in name or "unlisted" in name:
        assert (tables["findings"].code == "label_repaired").sum() > 100
