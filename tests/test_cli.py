"""The command line: exit codes, messages, outputs, determinism."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from selfeval.cli import app

runner = CliRunner()
SEED = "fixtures/forms/seed-2020-rongchang-27-forms.txt"


def test_extract_writes_the_four_tables_and_manifest(tmp_path):
    result = runner.invoke(app, ["extract", SEED, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"{t}.{x}" for t in ("forms", "funding", "indicators", "findings") for x in ("csv", "parquet")] + ["manifest.json"])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entry = manifest["inputs"][0]
    assert entry["forms"] == 27 and entry["lines"] == entry["lines_used"] and len(entry["sha256"]) == 64
    assert "27 forms" in result.output


def test_same_input_gives_byte_identical_csv(tmp_path):
    for out in ("a", "b"):
        assert runner.invoke(app, ["extract", "fixtures/forms", "--out", str(tmp_path / out), "--format", "csv"]).exit_code == 0
    for name in ("forms", "funding", "indicators", "findings"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()


def test_workers_give_the_same_tables(tmp_path):
    args = ["extract", "fixtures/variants", "--format", "csv"]
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "one")]).exit_code == 0
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "two"), "--workers", "2"]).exit_code == 0
    for name in ("forms", "funding", "indicators", "findings"):
        assert (tmp_path / "one" / f"{name}.csv").read_bytes() == (tmp_path / "two" / f"{name}.csv").read_bytes()


def test_unreadable_input_exits_1_names_the_file_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(Path(SEED).read_bytes())
    (folder / "image.txt").write_bytes(b"\x00\x01\x02\x03" * 500)
    (folder / "notes.csv").write_text("a,b\n")
    result = runner.invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "image.txt" in result.output and "Traceback" not in result.output
    findings = (tmp_path / "out" / "findings.csv").read_text(encoding="utf-8")
    assert "unreadable_input" in findings and "skipped_file" in findings
    assert (tmp_path / "out" / "forms.csv").read_text(encoding="utf-8").count("\n") == 28


def test_a_text_without_forms_exits_1(tmp_path):
    (tmp_path / "x.txt").write_text("hello\nworld\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(tmp_path / "x.txt"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "no_forms_found" in result.output


def test_usage_errors_exit_2_with_what_to_do(tmp_path):
    result = runner.invoke(app, ["extract", "no/such/file", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no such file or folder: no/such/file" in result.output
    result = runner.invoke(app, ["extract", SEED, "--out", str(tmp_path), "--format", "xml"])
    assert result.exit_code == 2 and "--format takes" in result.output
    result = runner.invoke(app, ["extract", SEED, "--out", str(tmp_path), "--template", "cn-1999"])
    assert result.exit_code == 2 and "known: cn-2020, cn-2021" in result.output
    assert runner.invoke(app, ["extract"]).exit_code == 2


def test_template_can_be_forced(tmp_path):
    assert runner.invoke(app, ["extract", SEED, "--out", str(tmp_path), "--template", "cn-2021", "--format", "csv"]).exit_code == 0
    assert "cn-2021" in (tmp_path / "forms.csv").read_text(encoding="utf-8")


def test_every_command_has_a_docstring_with_an_example():
    for command in app.registered_commands:
        doc = command.callback.__doc__ or ""
        assert "Example: selfeval" in doc, command.callback.__name__

