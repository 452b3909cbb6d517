"""Reading the tables back: pandas frames with nullable types, and the
column types for tools that read the CSV files (DuckDB).

:func:`read_tables` is exposed as ``selfeval.read_tables``: one call gives
the four tables of an output folder, each column with the pandas type that
keeps its nulls: ``Int64`` for integers (``page`` is not turned into
float), ``boolean`` for ``target_met`` (so ``~indicators.target_met``
works, and a null stays null), ``string`` for text, ``float64`` for
amounts, rates and scores (null is NaN).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from selfeval.output import tables
from selfeval.output.writers import csv_unsafe

PANDAS_TYPES = {tables.INT: pd.Int64Dtype(), tables.BOOL: pd.BooleanDtype(), tables.STR: pd.StringDtype()}
NEVER_NULL_TEXT = ("repairs",)  # ";"-joined codes, "" when none: CSV cannot tell "" from null, Parquet can
DUCKDB_TYPES = {tables.STR: "VARCHAR", tables.INT: "BIGINT", tables.FLT: "DOUBLE", tables.BOOL: "BOOLEAN"}


def read_tables(out_dir: str | Path, names: tuple[str, ...] = tables.TABLE_NAMES) -> dict[str, pd.DataFrame]:
    """The tables of ``out_dir`` (table name -> DataFrame), from the Parquet
    files, or from the CSV files when there is no Parquet (the ``'`` put
    before formula-like text in CSV is taken off again, and an empty text
    cell is null but in ``repairs``, where it is "" as in the Parquet).  Raises
    FileNotFoundError, saying what to run, when a table is in neither."""
    out = Path(out_dir)
    frames = {}
    for name in names:
        if name not in tables.SCHEMAS:
            raise KeyError(f"no table named {name!r}; the tables are {', '.join(tables.TABLE_NAMES)}")
        parquet, csv = out / f"{name}.parquet", out / f"{name}.csv"
        if parquet.is_file():
            table = pq.read_table(parquet, schema=tables.arrow_schema(name))
        elif csv.is_file():
            table = _read_csv(csv, name)
        else:
            raise FileNotFoundError(f"{out} has no {name}.parquet or {name}.csv: run "
                                    f"`selfeval extract INPUT... --out {out}` first")
        frames[name] = table.to_pandas(types_mapper=PANDAS_TYPES.get)
    return frames


def _read_csv(path: Path, name: str) -> pa.Table:
    schema = tables.arrow_schema(name)
    options = pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True, null_values=[""],
                                   true_values=["True"], false_values=["False"], include_columns=schema.names)
    table = pacsv.read_csv(path, convert_options=options)  # a UTF-8 BOM (--csv-bom) is skipped
    for i, field in enumerate(table.schema):
        if field.type == tables.STR:
            empty = "" if field.name in NEVER_NULL_TEXT else None
            values = [empty if v is None else csv_unsafe(v) for v in table.column(i).to_pylist()]
            table = table.set_column(i, field, pa.array(values, type=tables.STR))
    return table


def csv_types(name: str) -> dict[str, str]:
    """DuckDB's type for every column of table ``name``, for reading its CSV
    typed even where a column is all empty (DuckDB would guess VARCHAR)::

        duckdb.read_csv("out/indicators.csv", dtype=selfeval.csv_types("indicators"))
    """
    return {c.name: DUCKDB_TYPES[c.type] for c in tables.SCHEMAS[name]}
