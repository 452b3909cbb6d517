"""``OUT/selfeval.db``: one SQLite database with the four tables, for
``datasette``, ``sqlite-utils`` and any SQL client.

Columns are declared with their types (``TEXT``, ``INTEGER``, ``REAL``; a
boolean is ``INTEGER`` 0/1, as SQLite has no other).  ``forms`` has the
primary key (doc_id, form_index) and ``indicators`` (doc_id, form_index,
indicator_seq); ``funding``, ``indicators`` and ``findings`` refer to their
form with a foreign key (doc_id, form_index), null for a finding about a
whole file, and each has an index on it; ``findings`` is also indexed by
code and severity.  Text is stored as read (no ``'`` before formula-like
text: that is for spreadsheets).

The database is filled as the rows come, in a temporary file renamed into
place at commit.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pyarrow as pa

from selfeval.output import tables
from selfeval.output.writers import new_tmp_file

FILE_NAME = "selfeval.db"
FORM_KEY = ("doc_id", "form_index")
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "forms": FORM_KEY,
    "indicators": (*FORM_KEY, "indicator_seq"),
}
SQL_TYPES = {tables.STR: "TEXT", tables.INT: "INTEGER", tables.FLT: "REAL", tables.BOOL: "INTEGER"}
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "funding": (FORM_KEY,),
    "indicators": (),  # the primary key starts with the form's key
    "findings": (FORM_KEY, ("code",), ("severity",)),
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_statements() -> list[str]:
    """The schema: a CREATE TABLE per table, then its indexes."""
    statements = []
    for name, columns in tables.SCHEMAS.items():
        parts = [f"{_quote(c.name)} {SQL_TYPES[c.type]}" for c in columns]
        if name in PRIMARY_KEYS:
            parts.append(f"PRIMARY KEY ({', '.join(map(_quote, PRIMARY_KEYS[name]))})")
        if name != "forms":
            keys = ", ".join(map(_quote, FORM_KEY))
            parts.append(f"FOREIGN KEY ({keys}) REFERENCES forms ({keys})")
        statements.append(f"CREATE TABLE {_quote(name)} (\n  " + ",\n  ".join(parts) + "\n)")
        for columns_ in INDEXES.get(name, ()):
            index = f"{name}_{'_'.join(columns_)}"
            statements.append(f"CREATE INDEX {_quote(index)} ON {_quote(name)} ({', '.join(map(_quote, columns_))})")
    return statements


class SqliteSink:
    """Rows of the four tables, as they come, to one database."""

    def __init__(self, out_dir: Path) -> None:
        self.final = Path(out_dir) / FILE_NAME
        fd, self.tmp = new_tmp_file(Path(out_dir), FILE_NAME)
        os.close(fd)
        self.db = sqlite3.connect(self.tmp)
        self.db.execute("PRAGMA journal_mode = OFF")  # a temporary file: a crash leaves only it, removed by the next run
        self.db.execute("PRAGMA synchronous = OFF")
        for statement in create_statements():
            self.db.execute(statement)
        self.inserts = {
            name: f"INSERT INTO {_quote(name)} VALUES ({', '.join('?' * len(columns))})"
            for name, columns in tables.SCHEMAS.items()
        }

    def add(self, name: str, table: pa.Table) -> None:
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        self.db.executemany(self.inserts[name], zip(*columns, strict=True))

    def commit(self) -> Path:
        self.db.commit()
        self.db.close()
        with open(self.tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(self.tmp, self.final)
        return self.final

    def abort(self) -> None:
        try:
            self.db.close()
        finally:
            self.tmp.unlink(missing_ok=True)
