"""Writing the tables as the rows come: memory stays flat however big the batch.

:class:`TableWriter` takes each input file's rows, in input order, and
appends them to the output files: Parquet row groups
(:class:`pyarrow.parquet.ParquetWriter`, with the tables' fixed schemas) and
CSV rows formatted exactly as :func:`selfeval.output.writers.csv_bytes`
formats a whole table, so the CSV bytes do not depend on how the rows were
written.  Rows are buffered only up to ``row_group_rows`` per table.

Everything is written to temporary names (``.NAME.*.tmp``) in the output
folder; :meth:`TableWriter.commit` renames every file into place at the end,
so a run killed midway leaves no partial table (the next run removes the
temporaries).

With ``partitioned=True`` the Parquet tables are also written as a Hive-style
partitioned dataset, ``OUT/parquet/<table>/year=YYYY/part-0.parquet``, which
pandas (pyarrow), DuckDB (``hive_partitioning``) and Spark read directly.  A
row takes its form's year; rows without a form or a year go to
``year=unknown``.  As usual for such datasets, the ``year`` column of
``forms`` is in the folder name, not in the files.

The other formats (a workbook, a database: :mod:`selfeval.output.formats`)
are handed the same chunks and committed with the rest; with CSV, the
``datapackage.json`` that describes the CSV files is written too.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from selfeval.output import tables
from selfeval.output.datapackage import write_datapackage
from selfeval.output.formats import SINKS, open_sink
from selfeval.output.writers import (
    csv_pieces,
    csv_text,
    new_tmp_file,
    new_tmp_folder,
    remove_stale_tmp,
)

SHOWN_ERRORS = 20  # error findings kept (in table order) for the command line to print
ROW_GROUP_ROWS = 4_096  # rows buffered per table (and per partition) before a row group is written: bounds memory
COMPACT_TABLES = 64  # pending tables of a row group joined into one past this many (a tiny table costs ~10 KB)
PARTITION_DIR = "parquet"
POOL = tables.POOL  # the row groups being gathered are joined and encoded in the tables' memory pool
UNKNOWN_YEAR = "unknown"


def _tmp_path(folder: Path, name: str) -> Path:
    fd, tmp = new_tmp_file(folder, name)
    os.close(fd)
    return tmp


class _ParquetSink:
    """One Parquet file written in row groups of about ``rows`` rows."""

    def __init__(self, path: Path, schema: pa.Schema, rows: int) -> None:
        self.path = path
        self.schema = schema
        self.rows = rows
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.writer = pq.ParquetWriter(str(path), schema, compression="zstd", memory_pool=POOL)

    def add(self, table: pa.Table) -> None:
        if table.num_rows:
            self.pending.append(table)
            self.pending_rows += table.num_rows
            if self.pending_rows >= self.rows:
                self.flush()
            elif len(self.pending) >= COMPACT_TABLES:  # many small files' rows: one table, not thousands of tiny ones
                self.pending = [pa.concat_tables(self.pending, memory_pool=POOL).combine_chunks(memory_pool=POOL)]

    def flush(self) -> None:
        if self.pending:
            self.writer.write_table(pa.concat_tables(self.pending, memory_pool=POOL), row_group_size=max(self.pending_rows, 1))
            self.pending, self.pending_rows = [], 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


class TableWriter:
    """Append each file's rows to the four tables; :meth:`commit` puts them in place.

    Use as a context manager: leaving the block with an exception removes the
    temporaries and leaves the output folder as it was.
    """

    def __init__(self, out_dir: Path, formats: Iterable[str] = ("csv", "parquet"), partitioned: bool = False,
                 row_group_rows: int = ROW_GROUP_ROWS, csv_bom: bool = False) -> None:
        self.out_dir = Path(out_dir)
        self.formats = tuple(formats)
        self.partitioned = partitioned
        self.row_group_rows = row_group_rows
        self.csv_bom = csv_bom  # CSV starts with a UTF-8 BOM (for Excel)
        self.counts = {name: 0 for name in tables.TABLE_NAMES}
        self.severities: dict[str, int] = {}
        self.first_errors: list[dict] = []  # the first SHOWN_ERRORS error findings' rows
        self._closed = False
        self.out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_tmp(self.out_dir)
        self._csv: dict[str, tuple[Path, io.TextIOWrapper]] = {}
        self._parquet: dict[str, _ParquetSink] = {}
        self._parts: dict[tuple[str, str], _ParquetSink] = {}
        self._part_root: Path | None = None
        self._sinks: dict = {}  # the other formats' writers (selfeval.output.formats)
        try:
            for name in tables.TABLE_NAMES:
                schema = tables.arrow_schema(name)
                if "csv" in self.formats:
                    path = _tmp_path(self.out_dir, f"{name}.csv")
                    fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in commit/abort
                    self._csv[name] = (path, fh)
                    fh.write(("\ufeff" if csv_bom else "") + csv_text(schema.empty_table(), header=True))
                if "parquet" in self.formats:
                    self._parquet[name] = _ParquetSink(_tmp_path(self.out_dir, f"{name}.parquet"), schema, row_group_rows)
            if partitioned:
                self._part_root = new_tmp_folder(self.out_dir, PARTITION_DIR)
            for fmt in self.formats:
                if fmt in SINKS:
                    self._sinks[fmt] = open_sink(fmt, self.out_dir)
        except BaseException:
            self.abort()
            raise

    # -- adding rows ---------------------------------------------------------
    def add_file(self, file) -> None:
        """Append the rows of one :class:`selfeval.pipeline.FileResult`, a few
        forms at a time, so not even a huge file's rows are all in memory at once."""
        years: dict[tuple[str, int | None], int | None] = {}
        rows: dict[str, list[dict]] = {name: [] for name in tables.TABLE_NAMES}
        pending = 0
        for form in file.forms:
            years[(file.doc_id, form.form_index)] = form.year
            for name, part in tables.rows_of_form(file.doc_id, file.source_path, form).items():
                rows[name] += part
            pending += 1 + len(form.funding) + len(form.indicators)
            if pending >= self.row_group_rows:
                self._write(rows, years)
                rows, pending = {name: [] for name in tables.TABLE_NAMES}, 0
        self._write(rows, years)
        findings = file.findings
        for i in range(0, len(findings), self.row_group_rows):
            self._write({"findings": tables.finding_rows(findings[i:i + self.row_group_rows])}, years)

    def add_rows(self, rows: dict[str, list[dict]]) -> None:
        """Append rows (table name -> row dicts) in the order given."""
        years: dict[tuple[str, int | None], int | None] = {}
        for form in rows.get("forms", ()):
            years[(form["doc_id"], form["form_index"])] = form["year"]
        self._write(rows, years)

    def _write(self, rows: dict[str, list[dict]], years: dict[tuple[str, int | None], int | None]) -> None:
        for name in tables.TABLE_NAMES:
            chunk = rows.get(name) or []
            if chunk:
                errors = [r for r in chunk if r["severity"] == "error"] if name == "findings" else []
                self._put(name, tables.to_arrow(name, chunk), years, errors)

    def _put(self, name: str, table: pa.Table, years: dict, errors: list[dict]) -> None:
        """Append ``table`` (rows of table ``name``) to every output; ``errors``: its error findings' rows."""
        self.counts[name] += table.num_rows
        if name == "findings":
            for severity in table.column("severity").to_pylist():
                self.severities[severity] = self.severities.get(severity, 0) + 1
            self._shown(errors)
        if name in self._csv:
            self._csv[name][1].writelines(csv_pieces(table))  # a few hundred rows at a time
        if name in self._parquet:
            self._parquet[name].add(table)
        for sink in self._sinks.values():
            sink.add(name, table)
        if self._part_root is not None:
            keys = zip(table.column("doc_id").to_pylist(), table.column("form_index").to_pylist(), strict=True)
            self._add_partitioned(name, table, [years.get(k) for k in keys])

    def _shown(self, errors: list[dict]) -> None:
        if len(self.first_errors) < SHOWN_ERRORS:
            self.first_errors += errors[:SHOWN_ERRORS - len(self.first_errors)]

    def open_file(self) -> FileRows:
        """A :class:`selfeval.formstream.FormsOut` for the next input file: its
        forms' rows are held (past a few row groups, in temporary files) until
        the file is done, then appended in table order."""
        return FileRows(self)

    def _add_partitioned(self, name: str, table: pa.Table, years: list[int | None]) -> None:
        keys = [UNKNOWN_YEAR if y is None else str(y) for y in years]
        if name == "forms":
            table = table.drop_columns(["year"])
        for key in dict.fromkeys(keys):  # first-seen order: deterministic
            part = table if len(set(keys)) == 1 else table.filter(pa.array([k == key for k in keys]))
            sink = self._parts.get((name, key))
            if sink is None:
                assert self._part_root is not None
                folder = self._part_root / name / f"year={key}"
                folder.mkdir(parents=True, exist_ok=True)
                sink = self._parts[(name, key)] = _ParquetSink(folder / "part-0.parquet", table.schema, self.row_group_rows)
            sink.add(part)

    # -- finishing -------------------------------------------------------------
    def commit(self) -> list[Path]:
        """Close every file and rename it into place; returns the final paths."""
        written: list[Path] = []
        for name in tables.TABLE_NAMES:
            if name in self._parquet:
                self._parquet[name].close()
            if name in self._csv:
                fh = self._csv[name][1]
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
        for sink in self._parts.values():
            sink.close()
        if self._part_root is not None:  # every table has a folder, even without rows
            for name in tables.TABLE_NAMES:
                (self._part_root / name).mkdir(exist_ok=True)
        for name in tables.TABLE_NAMES:
            for suffix, files in (("parquet", self._parquet), ("csv", self._csv)):
                if name in files:
                    tmp = files[name].path if suffix == "parquet" else files[name][0]
                    final = self.out_dir / f"{name}.{suffix}"
                    os.replace(tmp, final)
                    written.append(final)
        if self._part_root is not None:
            final = self.out_dir / PARTITION_DIR
            if final.exists():
                old = final.rename(final.with_name(f".{PARTITION_DIR}.old.tmp"))
                os.replace(self._part_root, final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(self._part_root, final)
            written.append(final)
        written += [sink.commit() for sink in self._sinks.values()]
        if self._csv:
            written.append(write_datapackage(self.out_dir, bom=self.csv_bom))
        self._closed = True
        return written

    def abort(self) -> None:
        """Remove every temporary; the output folder is left as it was."""
        if self._closed:
            return
        self._closed = True
        for sink in [*self._parquet.values(), *self._parts.values()]:
            try:
                sink.writer.close()
            except Exception:  # closing a broken writer must not hide the first error
                pass
            sink.path.unlink(missing_ok=True)
        for path, fh in self._csv.values():
            fh.close()
            path.unlink(missing_ok=True)
        if self._part_root is not None:
            shutil.rmtree(self._part_root, ignore_errors=True)
        for sink in self._sinks.values():
            sink.abort()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
        elif not self._closed:
            self.commit()


SPILL_ROWS = 4 * ROW_GROUP_ROWS  # a file's rows held in memory before they go to temporary files


class FileRows:
    """One input file's rows as its forms come (a FormsOut for :class:`TableWriter`).

    The rows wait until the file is done, because the findings of no form
    (known last) come first in the findings table and because a file over its
    time budget keeps none of its forms (:meth:`discard`).  Up to
    ``SPILL_ROWS`` rows wait in memory, as Arrow tables; past that they go to
    temporary Arrow IPC files in the output folder, read back in order at
    :meth:`finish`, so a file of any size takes a bounded amount of memory."""

    def __init__(self, writer: TableWriter) -> None:
        self.writer = writer
        self.doc_id = self.source_path = ""
        self._reset()

    def _reset(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in tables.TABLE_NAMES}
        self.pending = 0
        self.held: dict[str, list[pa.Table]] = {name: [] for name in tables.TABLE_NAMES}
        self.held_rows = 0
        self.spilled: dict[str, tuple[Path, pa.ipc.RecordBatchStreamWriter]] = {}
        self.years: dict[tuple[str, int | None], int | None] = {}
        self.errors: list[dict] = []  # the first SHOWN_ERRORS error findings' rows of the forms

    def begin(self, doc_id: str, source_path: str) -> None:
        self.doc_id, self.source_path = doc_id, source_path

    def add_form(self, form, findings) -> None:
        if form is not None:
            self.years[(self.doc_id, form.form_index)] = form.year
            for name, part in tables.rows_of_form(self.doc_id, self.source_path, form).items():
                self.rows[name] += part
            self.pending += 1 + len(form.funding) + len(form.indicators)
        if findings:
            rows = tables.finding_rows(findings)
            if len(self.errors) < SHOWN_ERRORS:
                self.errors += [r for r in rows if r["severity"] == "error"][:SHOWN_ERRORS - len(self.errors)]
            self.rows["findings"] += rows
            self.pending += len(rows)
        if self.pending >= self.writer.row_group_rows:
            self._hold()

    def _hold(self) -> None:
        for name in tables.TABLE_NAMES:
            if self.rows[name]:
                table = tables.to_arrow(name, self.rows[name])
                self.held_rows += table.num_rows
                if name in self.spilled:
                    self.spilled[name][1].write_table(table)
                else:
                    self.held[name].append(table)
        self.rows = {name: [] for name in tables.TABLE_NAMES}
        self.pending = 0
        if self.held_rows > SPILL_ROWS:
            self._spill()

    def _spill(self) -> None:
        for name in tables.TABLE_NAMES:
            if name not in self.spilled:
                path = _tmp_path(self.writer.out_dir, f"{name}.spill")
                self.spilled[name] = (path, pa.ipc.new_stream(str(path), tables.arrow_schema(name)))
            for table in self.held[name]:
                self.spilled[name][1].write_table(table)
            self.held[name] = []
        self.held_rows = 0

    def _tables(self, name: str):
        if name in self.spilled:
            path, stream = self.spilled[name]
            stream.close()
            # read, not memory-mapped: mapped pages would count as this process's memory
            with open(path, "rb") as fh, pa.ipc.open_stream(fh, memory_pool=POOL) as reader:
                for batch in reader:
                    yield pa.Table.from_batches([batch])
            path.unlink(missing_ok=True)
            del self.spilled[name]
        yield from self.held[name]
        self.held[name] = []

    def finish(self, head, summary) -> None:
        self._hold()
        writer = self.writer
        for name in (n for n in tables.TABLE_NAMES if n != "findings"):
            for table in self._tables(name):
                writer._put(name, table, self.years, [])
        first = head.findings
        for i in range(0, len(first), writer.row_group_rows):  # the findings of no form, then the forms'
            writer._write({"findings": tables.finding_rows(first[i:i + writer.row_group_rows])}, self.years)
        writer._shown(self.errors)
        for table in self._tables("findings"):
            writer._put("findings", table, self.years, [])
        self._reset()

    def discard(self) -> None:
        for path, stream in self.spilled.values():
            try:
                stream.close()
            except (OSError, pa.ArrowException):  # removing it is what matters
                pass
            path.unlink(missing_ok=True)
        self._reset()
