"""Page ranges of a long PDF read on a worker pool give the same document,
including a table continued across the boundary between two ranges."""

from __future__ import annotations

import hashlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from fixturegen import load_seed
from fixturegen.pdf import Paging, render_pdf
from typer.testing import CliRunner

from selfeval.cli import app
from selfeval.extract.context import ReadContext
from selfeval.extract.pdf import DEFAULT_PAGE_RANGE, page_count, read_pdf
from selfeval.extract.readers import Source
from selfeval.pipeline import LONG_PDF_PAGES
from selfeval.settings import Settings


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory) -> Path:
    """The 27 forms, each broken over two pages: 54 pages, three ranges; page
    25 ends the first range in the middle of form 13's table."""
    forms = load_seed()
    path = render_pdf(forms, tmp_path_factory.mktemp("pdf") / "long.pdf",
                      paging=Paging(break_before={f.seq: 14 for f in forms}))
    assert page_count(path) == 54 > LONG_PDF_PAGES and 54 > 2 * DEFAULT_PAGE_RANGE
    return path


def _read(path: Path, pool=None):
    data = path.read_bytes()
    return read_pdf(Source(path, path.name, data, hashlib.sha256(data).hexdigest()), ReadContext.of(Settings(), executor=pool))


def test_ranges_on_a_pool_give_the_same_document(long_pdf):
    alone = _read(long_pdf)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = _read(long_pdf, pool)
    assert pooled.rows == alone.rows and pooled.findings == alone.findings
    assert (pooled.lines, pooled.decoration) == (alone.lines, alone.decoration)
    assert {r.page for r in alone.rows} == set(range(1, 55))


def test_workers_give_the_same_tables_for_a_long_pdf(long_pdf, tmp_path, monkeypatch):
    import selfeval.pipeline as pipeline

    item = pipeline.InputFile(long_pdf, long_pdf.name)
    assert not pipeline._spread(item)  # text pages, under LONG_PDF_BYTES: read whole by one worker
    monkeypatch.setattr(pipeline, "LONG_PDF_BYTES", 0)  # the fixture is small in bytes: count its pages
    assert pipeline._spread(item)
    runner = CliRunner()
    outs = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        result = runner.invoke(app, ["extract", str(long_pdf), "--out", str(out), "--format", "csv", "--workers", str(workers), "-q"])
        assert result.exit_code == 0, result.output
        outs[workers] = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    assert outs[1] == outs[2]
    assert outs[1]["forms.csv"].decode("utf-8").count("\n") == 28  # 27 forms, none split at the range boundary
