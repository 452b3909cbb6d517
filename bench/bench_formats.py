"""The output formats' writers against their raw engines, in one run.

The tables of the seed repeated COPIES times are written by each of
selfeval's writers (the workbook, the database, CSV and Parquet through the
streaming writer) and by the engine underneath doing only its own part on
the same rows: openpyxl's write-only workbook appending the values,
sqlite3's executemany into untyped tables, and pyarrow's own CSV and
Parquet writers.  The figure is raw time / selfeval time (1/2: selfeval
takes twice as long).  Best of REPEATS each.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

COPIES = 20
REPEATS = 3


def _tables(copies: int) -> dict[str, pa.Table]:
    from selfeval.pipeline import run

    seed = Path(__file__).resolve().parents[1] / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(copies):
            path = Path(tmp) / f"copy-{i:03d}.txt"
            path.write_bytes(seed.read_bytes())
            paths.append(path)
        return run(paths).tables


def _best(fn) -> float:
    times = []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            fn(Path(tmp))
            times.append(time.perf_counter() - t0)
    return min(times)


def _ours(fmt: str, tables: dict[str, pa.Table]):
    from selfeval.output.stream import TableWriter

    def write(out: Path) -> None:
        with TableWriter(out, (fmt,)) as writer:
            writer.add_rows({name: t.to_pylist() for name, t in tables.items()})
    return write


def _raw_xlsx(tables: dict[str, pa.Table]):
    from openpyxl import Workbook

    def write(out: Path) -> None:
        book = Workbook(write_only=True)
        for name, table in tables.items():
            sheet = book.create_sheet(name)
            sheet.append(table.column_names)
            for row in zip(*(c.to_pylist() for c in table.columns), strict=True):
                sheet.append(row)
        book.save(out / "raw.xlsx")
    return write


def _raw_sqlite(tables: dict[str, pa.Table]):
    def write(out: Path) -> None:
        db = sqlite3.connect(out / "raw.db")
        for name, table in tables.items():
            columns = ", ".join('"' + c + '"' for c in table.column_names)
            db.execute(f"CREATE TABLE {name} ({columns})")
            db.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * table.num_columns)})",
                           zip(*(c.to_pylist() for c in table.columns), strict=True))
        db.commit()
        db.close()
    return write


def _raw_arrow(fmt: str, tables: dict[str, pa.Table]):
    def write(out: Path) -> None:
        for name, table in tables.items():
            if fmt == "csv":
                pacsv.write_csv(table, out / f"{name}.csv")
            else:
                pq.write_table(table, out / f"{name}.parquet", compression="zstd")
    return write


def main() -> list[dict]:
    tables = _tables(COPIES)
    rows = sum(t.num_rows for t in tables.values())
    summary = []
    for fmt, raw in (("xlsx", _raw_xlsx(tables)), ("sqlite", _raw_sqlite(tables)),
                     ("csv", _raw_arrow("csv", tables)), ("parquet", _raw_arrow("parquet", tables))):
        ours, theirs = _best(_ours(fmt, tables)), _best(raw)
        print(f"{fmt:8s} {rows} rows: selfeval {ours * 1000:7.0f} ms, raw engine {theirs * 1000:7.0f} ms, "
              f"ratio 1/{ours / theirs:.1f}")
        summary.append({"case": f"{COPIES}x seed, {rows} rows", "metric": f"{fmt} raw/selfeval",
                        "value": f"1/{ours / theirs:.1f} ({ours * 1000:.0f} ms)"})
    return summary


if __name__ == "__main__":
    main()
