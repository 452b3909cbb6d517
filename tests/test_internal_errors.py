"""Errors that stay visible: a bug met while reading a file (an exception
the tool does not expect) is that file's ``internal_error`` finding naming
the exception's class, the batch goes on, and the manifest counts it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import selfeval.pipeline as pipeline
from selfeval.cli import app
from selfeval.pipeline import run
from selfeval.settings import Settings

SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt").resolve()


def two_files(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good.txt").write_bytes(SEED.read_bytes())
    (folder / "buggy.txt").write_bytes(SEED.read_bytes())
    return folder


_reading = {"buggy": False}


def bug_in_buggy(monkeypatch) -> None:
    """Parsing any form of buggy.txt raises an exception nothing expects."""
    real = pipeline.parse_form

    def parse_form(cells, settings):
        if _reading["buggy"]:
            raise ZeroDivisionError("a bug")
        return real(cells, settings)

    _reading["buggy"] = False
    real_read = pipeline.read_source

    def read_source(source, ctx, **how):
        _reading["buggy"] = source.doc_id == "buggy.txt"
        return real_read(source, ctx, **how)

    monkeypatch.setattr(pipeline, "parse_form", parse_form)
    monkeypatch.setattr(pipeline, "read_source", read_source)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bug_is_a_finding_and_the_manifest_counts_it(tmp_path, monkeypatch, workers):
    folder = two_files(tmp_path / "in")
    bug_in_buggy(monkeypatch)
    batch = run([folder], Settings(workers=workers))
    manifest = batch.manifest()
    entries = {e["doc_id"]: e for e in manifest["inputs"]}
    assert manifest["totals"]["internal_errors"] == 1
    assert entries["buggy.txt"]["internal_errors"] == 1 and entries["buggy.txt"]["forms"] == 0
    assert entries["good.txt"]["internal_errors"] == 0 and entries["good.txt"]["forms"] == 27
    found = [f for file in batch.files for f in file.findings if f.code == "internal_error"]
    assert len(found) == 1 and "ZeroDivisionError" in found[0].message and found[0].doc_id == "buggy.txt"
    assert batch.failed_inputs == ["buggy.txt"]


def test_the_written_manifest_counts_internal_errors(tmp_path, monkeypatch):
    folder = two_files(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    clean = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert clean["totals"]["internal_errors"] == 0
    bug_in_buggy(monkeypatch)
    result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out)])
    assert result.exit_code == 1 and "ZeroDivisionError" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["totals"]["internal_errors"] == 1
    assert [e["internal_errors"] for e in manifest["inputs"] if e["doc_id"] == "buggy.txt"] == [1]
