"""--resume and interrupted runs: cached results give the same bytes as a
fresh run, and a run killed midway leaves no partial table."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

import selfeval.pipeline
from selfeval.cli import app

runner = CliRunner()
SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")
TABLES = [f"{t}.{x}" for t in ("forms", "funding", "indicators", "findings") for x in ("csv", "parquet")]


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


def extract(*args: str) -> None:
    result = runner.invoke(app, ["extract", *args])
    assert result.exit_code == 0, result.output


def make_inputs(folder: Path, copies: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    for n in range(copies):
        (folder / f"seed-{n:03d}.txt").write_text(text, encoding="utf-8")
    for variant in sorted(Path("fixtures/variants").iterdir())[:3]:
        (folder / variant.name).write_bytes(variant.read_bytes())
    return folder


def counting(monkeypatch) -> list[str]:
    """The doc_ids read afresh (not taken from the cache), in this process."""
    calls: list[str] = []
    real = selfeval.pipeline.read_source

    def read_source(source, ctx, **how):
        calls.append(source.doc_id)
        return real(source, ctx, **how)

    monkeypatch.setattr(selfeval.pipeline, "read_source", read_source)
    return calls


def test_resume_reuses_unchanged_files_and_gives_the_same_bytes(tmp_path, monkeypatch):
    inputs = make_inputs(tmp_path / "in", 3)
    extract(str(inputs), "--out", str(tmp_path / "fresh"))
    calls = counting(monkeypatch)
    out = tmp_path / "resumed"
    extract(str(inputs), "--out", str(out), "--resume")
    assert len(calls) == 6 and len(list((out / ".cache").glob("*.jsonl"))) == 6
    assert outputs(out) == outputs(tmp_path / "fresh")

    calls.clear()
    extract(str(inputs), "--out", str(out), "--resume")
    assert calls == []  # everything from the cache
    assert outputs(out) == outputs(tmp_path / "fresh")

    # a changed file, a damaged cache entry and other settings are processed again
    changed = inputs / "seed-001.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("99.00", "98.00", 1), encoding="utf-8")
    next(iter(sorted((out / ".cache").glob("*.jsonl")))).write_bytes(b"not a cache entry")
    calls.clear()
    extract(str(inputs), "--out", str(out), "--resume")
    assert "seed-001.txt" in calls and len(calls) <= 2
    extract(str(inputs), "--out", str(tmp_path / "fresh2"))
    assert outputs(out) == outputs(tmp_path / "fresh2")

    calls.clear()
    extract(str(inputs), "--out", str(out), "--resume", "--template", "cn-2021")
    assert len(calls) == 6


def test_resume_with_workers_gives_the_same_bytes(tmp_path):
    inputs = make_inputs(tmp_path / "in", 2)
    extract(str(inputs), "--out", str(tmp_path / "fresh"))
    extract(str(inputs), "--out", str(tmp_path / "r"), "--resume", "--workers", "2")
    extract(str(inputs), "--out", str(tmp_path / "r"), "--resume", "--workers", "2")
    assert outputs(tmp_path / "r") == outputs(tmp_path / "fresh")


def test_a_run_killed_midway_leaves_no_partial_table_and_resumes(tmp_path):
    inputs = make_inputs(tmp_path / "in", 40)
    out = tmp_path / "out"
    command = [str(Path(sys.executable).with_name("selfeval")), "extract", str(inputs), "--out", str(out), "--resume", "-q"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list((out / ".cache").glob("*.jsonl")):
        time.sleep(0.05)  # wait until some work is done
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    cached = len(list((out / ".cache").glob("*.jsonl")))
    assert 0 < cached < 43, "the run was not killed midway; make the input bigger"

    # no table is half-written: tables are complete or absent; only dot-named temporaries may be left
    extract(str(inputs), "--out", str(tmp_path / "clean"))
    clean = outputs(tmp_path / "clean")
    for path in out.iterdir():
        if path.name in TABLES:
            assert path.read_bytes() == clean[path.name]
        else:
            assert path.name in (".cache", "manifest.json", ".selfeval.lock", ".generations", "current") or (
                path.name.startswith(".") and path.name.endswith(".tmp")), path

    # a temporary left by a killed writer is removed by the next run, which gives the clean run's bytes
    (out / ".forms.csv.abc123.tmp").write_bytes(b"doc_id,form_seq\nhalf")
    (out / ".cache" / ".0123.json.abc123.tmp").write_bytes(b"half")
    extract(str(inputs), "--out", str(out), "--resume")
    assert outputs(out) == clean
    assert not list(out.glob(".*.tmp")) and not list((out / ".cache").glob(".*.tmp"))


def forget_readings() -> None:
    """Empty the memos of what the readings loaded from the data files."""
    import importlib

    for name in ("vocab", "values", "form", "funding", "indicators", "cells", "scorers", "slots"):
        module = importlib.import_module(f"selfeval.normalize.{name}")
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def test_a_changed_data_file_gives_a_fresh_reading_under_resume(tmp_path, monkeypatch):
    """A new vocabulary entry (a new year's framework is a new file) must not
    be hidden by results cached before it: the cache key holds every data file."""
    import shutil

    from selfeval.normalize import vocab

    data = tmp_path / "data"
    shutil.copytree(Path(str(vocab.data_dir().joinpath("vocabulary.json"))).parent, data)
    inputs = make_inputs(tmp_path / "in", 1)
    out = tmp_path / "out"
    try:
        monkeypatch.setattr(vocab, "data_dir", lambda: data)
        forget_readings()
        extract(str(inputs), "--out", str(out), "--resume")
        before = outputs(out)
        assert b",central," in before["funding.csv"]

        vocabulary = data / "vocabulary.json"
        text = vocabulary.read_text(encoding="utf-8")
        assert text.count('"key": "central"') == 1
        vocabulary.write_text(text.replace('"key": "central"', '"key": "central_government"'), encoding="utf-8")
        forget_readings()
        calls = counting(monkeypatch)
        extract(str(inputs), "--out", str(out), "--resume")
        assert sorted(calls) == sorted(p.name for p in inputs.iterdir())  # every file read again
        after = outputs(out)
        assert b",central," not in after["funding.csv"] and b",central_government," in after["funding.csv"]
        extract(str(inputs), "--out", str(tmp_path / "fresh"))
        assert after == outputs(tmp_path / "fresh")  # the resumed tables are a fresh run's
    finally:
        monkeypatch.undo()
        forget_readings()


def test_resume_removes_the_entries_of_other_cache_formats(tmp_path, monkeypatch):
    import json

    from selfeval import cache

    inputs = make_inputs(tmp_path / "in", 2)
    out = tmp_path / "out"
    extract(str(inputs), "--out", str(out), "--resume")
    folder = out / ".cache"
    current = sorted(folder.glob("*.jsonl"))
    assert len(current) == 5
    # what earlier versions left: a format-5 entry (one KEY.json holding the whole result, the format
    # formats 3 to 5 used), an entry of one line per form from another format, and files not the cache's
    entry = current[0].read_bytes().splitlines()
    old_result = json.loads(entry[-1])["end"]
    (folder / f"{'a' * 64}.json").write_text(json.dumps({"format": 5, "result": old_result}), encoding="ascii")
    (folder / f"{'b' * 64}.jsonl").write_bytes(b'{"format":60}\n' + b"\n".join(entry[1:]) + b"\n")
    (folder / "README.txt").write_text("kept", encoding="utf-8")
    outside = tmp_path / "outside.json"
    outside.write_text("{}", encoding="utf-8")
    (folder / f"{'c' * 64}.json").symlink_to(outside)  # a link: not followed, not removed
    calls = counting(monkeypatch)
    extract(str(inputs), "--out", str(out), "--resume")
    assert calls == []  # the current entries are kept and used
    assert sorted(folder.iterdir()) == sorted([*current, folder / "README.txt", folder / f"{'c' * 64}.json"])
    assert outside.read_text(encoding="utf-8") == "{}"
    assert cache.ResultCache(folder, selfeval.pipeline.Settings()).clean() == []  # nothing more to remove
