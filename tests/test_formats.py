"""The formats people open: a workbook, a SQLite database, a data package
beside the CSVs, CSV with a BOM, and the pandas loader; each checked with
the tool its users open it with, against the Parquet the same run wrote."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import selfeval
from selfeval.cli import app
from selfeval.output import tables, xlsx
from selfeval.output.datapackage import datapackage

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
FORMULAS = ROOT / "fixtures" / "bad" / "formula-cells.txt"
TABLES = tables.TABLE_NAMES


@pytest.fixture(scope="module")
def every_format(tmp_path_factory) -> Path:
    """The seed, the formula-like cells and a file without forms, in every format."""
    folder = tmp_path_factory.mktemp("in")
    for path in (SEED, FORMULAS):
        shutil.copy(path, folder / path.name)
    (folder / "notes.txt").write_text("no form here\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("every") / "out"
    result = runner.invoke(app, ["extract", str(folder), "--out", str(out), "--format", "csv,parquet,xlsx,sqlite", "-q"])
    assert result.exit_code == 1, result.output  # notes.txt has no form
    return out


def parquet_rows(out: Path, name: str) -> list[tuple]:
    table = pq.read_table(out / f"{name}.parquet")
    return list(zip(*(table.column(i).to_pylist() for i in range(table.num_columns)), strict=True))


# -- the workbook ---------------------------------------------------------------------------
def test_workbook_has_a_typed_sheet_per_table_with_a_frozen_header(every_format):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(every_format / xlsx.FILE_NAME)
    assert book.sheetnames == [*TABLES, "columns"]
    for name in TABLES:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == tuple(c.name for c in tables.SCHEMAS[name])
        assert all(cell.font.bold for cell in sheet[1])
        expected = [tuple(None if v == "" else v for v in row) for row in parquet_rows(every_format, name)]
        assert rows[1:] == expected  # every value, with its type: int, float, bool, text
    indicators = book["indicators"]
    header = [c.value for c in indicators[1]]
    first = {h: c for h, c in zip(header, indicators[2], strict=True)}
    assert (first["form_seq"].data_type, first["weight"].data_type, first["target_met"].data_type) == ("n", "n", "b")
    assert first["target_met"].value is True and first["level1"].data_type == "s"
    # formula-like text is text in the workbook (no ' added, and not run)
    text = [c for row in book["indicators"].iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    formulas = [c for c in text if c.value.startswith(("=", "+", "@"))]
    assert formulas and all(c.data_type == "s" for c in formulas)
    assert [r for r in book["columns"].iter_rows(values_only=True)][1] == ("forms", "doc_id", "text", tables.SCHEMAS["forms"][0].meaning)


def test_workbook_bytes_do_not_depend_on_when_it_was_written(tmp_path):
    for name in ("a", "b"):
        assert runner.invoke(app, ["extract", str(SEED), "--out", str(tmp_path / name), "--format", "xlsx", "-q"]).exit_code == 0
    assert (tmp_path / "a" / xlsx.FILE_NAME).read_bytes() == (tmp_path / "b" / xlsx.FILE_NAME).read_bytes()


def test_workbook_says_what_it_cannot_hold(tmp_path, monkeypatch):
    assert xlsx.cell_text("a\x01b") == "a\ufffdb"
    long = xlsx.cell_text("长" * 40_000)
    assert len(long) == xlsx.MAX_CELL_CHARS and long.endswith(xlsx.CUT_MARK)
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 41)  # 40 rows and the header per sheet
    assert runner.invoke(app, ["extract", str(SEED), "--out", str(tmp_path), "--format", "xlsx,parquet", "-q"]).exit_code == 0
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(tmp_path / xlsx.FILE_NAME)
    # 96 indicators: 40 + 40 + 16; 162 funding rows: 40 * 4 + 2
    assert [n for n in book.sheetnames if n.startswith("indicators")] == ["indicators", "indicators (2)", "indicators (3)"]
    assert [book[n].max_row for n in ("indicators", "indicators (2)", "indicators (3)")] == [41, 41, 17]
    assert len([n for n in book.sheetnames if n.startswith("funding")]) == 5
    rows = [r for n in book.sheetnames if n.startswith("indicators") for r in list(book[n].iter_rows(values_only=True))[1:]]
    assert rows == [tuple(None if v == "" else v for v in row) for row in parquet_rows(tmp_path, "indicators")]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: make install-office")
def test_workbook_opens_in_libreoffice(every_format, tmp_path):
    # sheet 3 (indicators) to CSV: LibreOffice read the workbook as we wrote it
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                           'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,3',
                           "--outdir", str(tmp_path), str(every_format / xlsx.FILE_NAME)],
                          capture_output=True, text=True, timeout=180)
    converted = list(tmp_path.glob("*indicators*.csv"))
    assert converted, done.stdout + done.stderr
    lines = converted[0].read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(c.name for c in tables.SCHEMAS["indicators"])
    assert len(lines) == 1 + len(parquet_rows(every_format, "indicators"))
    assert ",TRUE," in lines[1] or ",FALSE," in lines[1]  # a boolean cell, not the text "True"


# -- the database ---------------------------------------------------------------------------
def test_database_has_the_four_tables_typed_keyed_and_indexed(every_format):
    db = sqlite3.connect(every_format / "selfeval.db")
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    assert names == list(TABLES)
    for name in TABLES:
        info = db.execute(f"PRAGMA table_info({name})").fetchall()
        declared = {r[1]: r[2] for r in info}
        assert list(declared) == [c.name for c in tables.SCHEMAS[name]]
        assert declared["form_index"] == "INTEGER" and declared["doc_id"] == "TEXT"
        rows = db.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall()
        assert rows == [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in parquet_rows(every_format, name)]
    pk = lambda t: [r[1] for r in sorted(db.execute(f"PRAGMA table_info({t})").fetchall(), key=lambda r: r[5]) if r[5]]  # noqa: E731
    assert pk("forms") == ["doc_id", "form_index"] and pk("indicators") == ["doc_id", "form_index", "indicator_seq"]
    for name in ("funding", "indicators", "findings"):
        fks = db.execute(f"PRAGMA foreign_key_list({name})").fetchall()
        assert [(r[2], r[3], r[4]) for r in fks] == [("forms", "doc_id", "doc_id"), ("forms", "form_index", "form_index")]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []  # every row's form is there
    plan = " ".join(str(r) for r in db.execute("EXPLAIN QUERY PLAN SELECT * FROM findings WHERE doc_id = 'x' AND form_index = 1"))
    assert "USING INDEX findings_doc_id_form_index" in plan
    assert db.execute("SELECT count(*) FROM indicators WHERE target_met = 0").fetchone()[0] == \
        sum(1 for r in parquet_rows(every_format, "indicators") if r[17] is False)


def test_database_as_sqlite_utils_and_datasette_see_it(every_format):
    sqlite_utils = pytest.importorskip("sqlite_utils", reason="sqlite-utils is in the test extra")
    db = sqlite_utils.Database(every_format / "selfeval.db")
    assert db.table_names() == list(TABLES)
    assert db["indicators"].pks == ["doc_id", "form_index", "indicator_seq"]
    assert db["indicators"].columns_dict["page"] is int and db["indicators"].columns_dict["ocr_conf"] is float
    assert [fk.columns for fk in db["findings"].foreign_keys] == [("doc_id", "form_index")]
    assert db["forms"].count == 27 + 1  # the seed's 27 and the formula-cells form
    if shutil.which("datasette") or (Path(sys.executable).parent / "datasette").exists():
        exe = shutil.which("datasette") or str(Path(sys.executable).parent / "datasette")
        done = subprocess.run([exe, "inspect", str(every_format / "selfeval.db")], capture_output=True, text=True, timeout=120)
        counts = {t: v["count"] for t, v in json.loads(done.stdout)["selfeval"]["tables"].items()}
        assert counts == {name: len(parquet_rows(every_format, name)) for name in TABLES}


# -- the data package -----------------------------------------------------------------------
def test_datapackage_describes_every_column_from_the_data_dictionary(every_format):
    package = json.loads((every_format / "datapackage.json").read_text(encoding="utf-8"))
    assert package == datapackage()
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == list(TABLES)
    for name in TABLES:
        fields = resources[name]["schema"]["fields"]
        assert [(f["name"], f["description"]) for f in fields] == [(c.name, c.meaning) for c in tables.SCHEMAS[name]]
    types = {f["name"]: f["type"] for f in resources["indicators"]["schema"]["fields"]}
    assert (types["page"], types["ocr_conf"], types["level1_weight"], types["target_met"]) == ("integer", "number", "number", "boolean")
    assert resources["forms"]["schema"]["primaryKey"] == ["doc_id", "form_index"]
    assert resources["funding"]["schema"]["foreignKeys"][0]["reference"] == {"resource": "forms", "fields": ["doc_id", "form_index"]}


def _frictionless(path: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "frictionless"
    if not exe.exists():
        pytest.skip("frictionless is in the test extra: pip install -e '.[test]'")
    return subprocess.run([str(exe), "validate", "--json", str(path)], capture_output=True, text=True, timeout=300)


def test_frictionless_validates_the_package_and_catches_a_broken_table(every_format, tmp_path):
    done = _frictionless(every_format / "datapackage.json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["valid"], done.stdout[-3000:]
    assert {t["name"]: t["stats"]["rows"] for t in report["tasks"]} == {n: len(parquet_rows(every_format, n)) for n in TABLES}
    # the same package with a form repeated and a non-number in form_seq: the checks can fail
    broken = tmp_path / "broken"
    shutil.copytree(every_format, broken, ignore=shutil.ignore_patterns("*.db", "*.xlsx", "*.parquet"))
    lines = (broken / "forms.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[1].split(",")
    cells[1] = "x"
    (broken / "forms.csv").write_text("".join([*lines, ",".join(cells)]), encoding="utf-8")
    done = _frictionless(broken / "datapackage.json")
    errors = {e["type"] for t in json.loads(done.stdout)["tasks"] for e in t["errors"]}
    assert done.returncode == 1 and {"type-error", "primary-key"} <= errors, errors


# -- CSV with a BOM, and the loader -----------------------------------------------------------
def test_csv_bom_adds_the_mark_and_nothing_else(tmp_path):
    for name, extra in (("plain", []), ("bom", ["--csv-bom"])):
        assert runner.invoke(app, ["extract", str(SEED), "--out", str(tmp_path / name), "--format", "csv", "-q", *extra]).exit_code == 0
    for table in TABLES:
        plain = (tmp_path / "plain" / f"{table}.csv").read_bytes()
        assert (tmp_path / "bom" / f"{table}.csv").read_bytes() == b"\xef\xbb\xbf" + plain
        assert not plain.startswith(b"\xef\xbb\xbf")
    assert "utf-8-sig" in (tmp_path / "bom" / "datapackage.json").read_text(encoding="utf-8")
    assert _frictionless(tmp_path / "bom" / "datapackage.json").returncode == 0
    frames = selfeval.read_tables(tmp_path / "bom")  # CSV only, with the BOM
    assert frames["forms"].columns[0] == "doc_id" and len(frames["forms"]) == 27


def test_read_tables_gives_nullable_types(every_format):
    frames = selfeval.read_tables(every_format)
    ind = frames["indicators"]
    assert ind["target_met"].dtype == "boolean" and ind["page"].dtype == "Int64" and ind["level3"].dtype == "string"
    assert ind["form_seq"].dtype == "Int64" and ind["weight"].dtype == "float64"
    # ~ works, and a target that cannot be compared stays null
    raw = parquet_rows(every_format, "indicators")
    met = [r[17] for r in raw]
    assert (~ind["target_met"]).sum() == met.count(False) and ind["target_met"].isna().sum() == met.count(None)
    assert ind["page"].isna().all()  # text inputs: no page, and still an integer column
    assert frames["findings"]["form_index"].dtype == "Int64" and frames["findings"]["form_index"].isna().any()


def test_read_tables_from_csv_alone_matches_parquet(every_format, tmp_path):
    for name in TABLES:
        shutil.copy(every_format / f"{name}.csv", tmp_path)
    from_csv, from_parquet = selfeval.read_tables(tmp_path), selfeval.read_tables(every_format)
    for name in TABLES:
        pd.testing.assert_frame_equal(from_csv[name], from_parquet[name])
    # the ' put before formula-like text in the CSV is taken off again
    assert ",'+cmd|' /C calc'!A0," in (every_format / "indicators.csv").read_text(encoding="utf-8")
    assert "+cmd|' /C calc'!A0" in set(from_csv["indicators"]["level3"].dropna())
    with pytest.raises(FileNotFoundError, match="run `selfeval extract INPUT... --out"):
        selfeval.read_tables(tmp_path / "nothing")


def test_duckdb_reads_the_csv_typed_with_csv_types(every_format):
    duckdb = pytest.importorskip("duckdb")
    path = str(every_format / "indicators.csv")
    guessed = duckdb.read_csv(path)
    guessed_types = dict(zip(guessed.columns, map(str, guessed.types), strict=True))
    assert guessed_types["page"] == "VARCHAR"  # all empty: DuckDB cannot know (why csv_types exists)
    typed = duckdb.read_csv(path, dtype=selfeval.csv_types("indicators"))
    types = dict(zip(typed.columns, map(str, typed.types), strict=True))
    assert (types["page"], types["ocr_conf"], types["level1_weight"], types["target_met"]) == ("BIGINT", "DOUBLE", "DOUBLE", "BOOLEAN")
    assert typed.aggregate("count(*)").fetchall()[0][0] == len(parquet_rows(every_format, "indicators"))
