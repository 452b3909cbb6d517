"""--scheduler: the same per-file function on a Dask cluster (a LocalCluster
here) gives byte-identical CSV and the same partitioned Parquet as a local
run; the partitioned dataset is readable by pandas (pyarrow) and DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from selfeval.cli import app

distributed = pytest.importorskip("distributed", reason='dask.distributed is not installed (pip install "selfeval[dask]")')

runner = CliRunner()
VARIANTS = "fixtures/variants"
TABLES = ("forms", "funding", "indicators", "findings")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def extract(*args: str) -> None:
    result = runner.invoke(app, ["extract", *args])
    assert result.exit_code == 0, result.output


def partition_files(out: Path) -> dict[str, bytes]:
    root = out / "parquet"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_cluster_run_gives_the_local_run_outputs(tmp_path, cluster):
    extract(VARIANTS, "--out", str(tmp_path / "local"), "--partitioned")
    extract(VARIANTS, "--out", str(tmp_path / "cluster"), "--partitioned", "--scheduler", cluster.scheduler_address)
    for name in TABLES:
        assert (tmp_path / "local" / f"{name}.csv").read_bytes() == (tmp_path / "cluster" / f"{name}.csv").read_bytes()
        assert (tmp_path / "local" / f"{name}.parquet").read_bytes() == (tmp_path / "cluster" / f"{name}.parquet").read_bytes()
    local = partition_files(tmp_path / "local")
    assert "forms/year=2020/part-0.parquet" in local
    assert partition_files(tmp_path / "cluster") == local
    # the streaming run gives the same CSV as the plain one (no --partitioned, one process)
    extract(VARIANTS, "--out", str(tmp_path / "plain"), "--format", "csv")
    for name in TABLES:
        assert (tmp_path / "plain" / f"{name}.csv").read_bytes() == (tmp_path / "local" / f"{name}.csv").read_bytes()


def test_partitioned_parquet_is_read_by_pandas_and_duckdb(tmp_path):
    import duckdb
    import pandas as pd

    out = tmp_path / "out"
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "seed.txt").write_bytes(Path(VARIANTS, "seed-spaces.txt").read_bytes())
    (bad / "empty.txt").write_text("hello\n", encoding="utf-8")  # a file-level finding: year=unknown
    result = runner.invoke(app, ["extract", str(bad), "--out", str(out), "--partitioned"])
    assert result.exit_code == 1
    flat = {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}
    for name in TABLES:
        parts = pd.read_parquet(out / "parquet" / name)
        assert len(parts) == len(flat[name]), name
        assert set(parts["year"].astype(str)) <= {"2020", "unknown"}
    forms = pd.read_parquet(out / "parquet" / "forms")
    assert sorted(forms["year"].astype(str).unique()) == ["2020"]
    findings = pd.read_parquet(out / "parquet" / "findings")
    assert (findings[findings.code == "no_forms_found"]["year"].astype(str) == "unknown").all()

    glob = str(out / "parquet" / "indicators" / "*" / "*.parquet")
    n, years = duckdb.sql(f"SELECT count(*), count(DISTINCT year) FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()[0]
    assert n == len(flat["indicators"]) and years == 1
    glob = str(out / "parquet" / "findings" / "*" / "*.parquet")
    rows = duckdb.sql(f"SELECT year, count(*) FROM read_parquet('{glob}', hive_partitioning = true) GROUP BY year ORDER BY year").fetchall()
    assert [str(y) for y, _ in rows] == ["2020", "unknown"] and sum(c for _, c in rows) == len(flat["findings"])


def test_library_run_keeps_tables_only_when_asked(tmp_path):
    from selfeval.output.stream import TableWriter
    from selfeval.pipeline import FileSummary, run
    from selfeval.settings import Settings

    with TableWriter(tmp_path, ("csv",)) as writer:
        batch = run([Path(VARIANTS)], sink=writer)
    assert all(isinstance(f, FileSummary) for f in batch.files)
    with pytest.raises(ValueError, match="keep_results=True"):
        _ = batch.tables
    forms = 27 * len(list(Path(VARIANTS).iterdir()))  # every variant is the seed's 27 forms
    assert batch.manifest()["totals"]["forms"] == writer.counts["forms"] == forms
    with TableWriter(tmp_path / "kept", ("csv",)) as writer:
        kept = run([Path(VARIANTS)], Settings(workers=2, keep_results=True), sink=writer)
    assert kept.tables["forms"].num_rows == forms
