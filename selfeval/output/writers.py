"""Writing the tables: Parquet and CSV, atomically and deterministically.

Every file is written to a temporary name in the output folder and renamed
into place, so a run killed midway never leaves a half-written table.  CSV is
UTF-8 with a header row; a text cell that a spreadsheet would execute as a
formula (see :func:`csv_safe`) is prefixed with ``'`` in the CSV only — the
Parquet keeps the text as read.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

_FORMULA_START = ("=", "+", "@")
# a negative number, optionally with a non-ASCII unit (-5, -0.5%, -3万元/人): data, not a formula
_NEGATIVE_NUMBER = re.compile(r"-\.?\d[\d.,]*\s*(?:[%‰]|[^\x00-\x7f]+(?:/[^\x00-\x7f]+)?)?\s*")


def csv_safe(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula: after any
    leading tabs/spaces/CRs, ``=``, ``+``, ``@`` or a ``-`` followed by more
    text, unless the ``-`` text is just a negative number with an optional unit
    (``-2+3+cmd|…`` is a formula).  A lone ``=`` (the comparator) is data."""
    body = text.lstrip(" \t\r")
    if len(body) < 2:
        return text
    if body.startswith(_FORMULA_START) or (body[0] == "-" and not _NEGATIVE_NUMBER.fullmatch(body)):
        return "'" + text
    return text


def csv_unsafe(text: str) -> str:
    """The text :func:`csv_safe` was given: drop the ``'`` it added, and only that."""
    if text.startswith("'") and csv_safe(text[1:]) == text:
        return text[1:]
    return text


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value)
    if isinstance(value, str):
        return csv_safe(value)
    return str(value)


csv_cell = _csv_cell  # one value's text as the CSV writes it (corrections.csv compares by it)


def umask_mode(folder: bool = False) -> int:
    """The mode a new file (or folder) gets from the user's umask, as
    ``open()`` and ``mkdir()`` would give it: 0644 and 0755 under umask 022.
    Temporary files are made private (0600); each output is given this mode
    before it is renamed into place, so colleagues read what the umask lets them."""
    mask = os.umask(0)
    os.umask(mask)
    return (0o777 if folder else 0o666) & ~mask


def new_tmp_file(folder: Path, name: str) -> tuple[int, Path]:
    """A temporary file ``.NAME.*.tmp`` in ``folder`` (open descriptor and
    path), with the mode the umask gives new files."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.fchmod(fd, umask_mode())
    return fd, Path(tmp)


def new_tmp_folder(folder: Path, name: str) -> Path:
    """A temporary folder ``.NAME.*.tmp`` in ``folder``, with the mode the umask gives new folders."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=folder))
    tmp.chmod(umask_mode(folder=True))
    return tmp


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (or its pieces, in order) to ``path`` through a temporary name beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = new_tmp_file(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in [data] if isinstance(data, bytes) else data:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def csv_text(table: pa.Table, header: bool = True) -> str:
    """The CSV lines of ``table``, with its header row when asked.  The
    streaming writer (:mod:`selfeval.output.stream`) appends the lines of
    each file's rows with ``header=False``: the bytes are the same."""
    head = [_csv_lines([table.column_names])] if header else []
    return "".join([*head, *csv_pieces(table)])


CSV_PIECE_ROWS = 512  # rows made Python values and CSV text at a time: a large table's copies stay small


def csv_pieces(table: pa.Table) -> Iterator[str]:
    """The CSV lines of ``table``'s rows (no header), ``CSV_PIECE_ROWS`` rows a piece."""
    for start in range(0, table.num_rows, CSV_PIECE_ROWS):
        part = table.slice(start, CSV_PIECE_ROWS)
        columns = [part.column(i).to_pylist() for i in range(part.num_columns)]
        yield _csv_lines([_csv_cell(v) for v in row] for row in zip(*columns, strict=True))


def _csv_lines(rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def csv_bytes(table: pa.Table) -> bytes:
    return csv_text(table).encode("utf-8")


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def remove_stale_tmp(folder: Path) -> list[Path]:
    """Delete temporary files (``.NAME.*.tmp``) an interrupted run left in
    ``folder``; they are never complete outputs."""
    removed = []
    if folder.is_dir():
        for path in sorted(folder.glob(".*.tmp")):
            if path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
            elif path.is_dir() and not path.is_symlink():  # a partitioned dataset being written
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def write_tables(out_dir: Path, tables: dict[str, pa.Table], formats: Iterable[str]) -> list[Path]:
    remove_stale_tmp(out_dir)
    written = []
    for name, table in tables.items():
        if "parquet" in formats:
            path = out_dir / f"{name}.parquet"
            atomic_write(path, parquet_bytes(table))
            written.append(path)
        if "csv" in formats:
            path = out_dir / f"{name}.csv"
            atomic_write(path, csv_bytes(table))
            written.append(path)
    return written


def write_manifest(out_dir: Path, manifest: dict | Iterable[str]) -> Path:
    """``manifest.json``: a manifest, or its text piece by piece (:meth:`selfeval.results.BatchResult.manifest_text`)."""
    path = out_dir / "manifest.json"
    if isinstance(manifest, dict):
        manifest = [json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"]
    atomic_write(path, (piece.encode("utf-8") for piece in manifest))
    return path
