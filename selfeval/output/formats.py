"""The output formats ``--format`` takes, and the writers of the ones that
are not the streaming writer's own (CSV and Parquet, :mod:`selfeval.output.stream`).

A writer here is a class taking the output folder, with ``add(name,
table)`` for each chunk of a table's rows (a :class:`pyarrow.Table`, in
order), ``commit() -> Path`` to put its file in place and ``abort()`` to
remove its temporaries.  It is imported only when its format is asked for.
"""

from __future__ import annotations

import importlib
from pathlib import Path

FORMATS = ("csv", "parquet", "xlsx", "sqlite")
DEFAULT_FORMATS = ("csv", "parquet")
SINKS = {
    "xlsx": "selfeval.output.xlsx:XlsxSink",  # OUT/selfeval.xlsx
    "sqlite": "selfeval.output.sqlite:SqliteSink",  # OUT/selfeval.db
}


def open_sink(fmt: str, out_dir: Path):
    module, _, name = SINKS[fmt].partition(":")
    return getattr(importlib.import_module(module), name)(out_dir)
