"""The output folder: a batch commits as a whole, one writer at a time, and
the folder's errors are messages with exit status 2."""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from selfeval.cli import app
from selfeval.output.commit import CURRENT, GENERATIONS, OutputLock

runner = CliRunner()


class Killed(BaseException):
    """Stands for the run being killed: nothing of the run's own clean-up handles it."""


def seed_form(index: int) -> str:
    import make_bad_inputs

    return "\n".join(make_bad_inputs.form_lines(index)) + "\n"


def folder_of(tmp_path: Path, name: str, forms: range) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for i in forms:
        (folder / f"form{i:02d}.txt").write_text(seed_form(i), encoding="utf-8")
    return folder


def extract(*args: str):
    result = runner.invoke(app, ["extract", *args])
    assert "Traceback" not in result.output, result.output
    return result


def doc_ids(out: Path, table: str) -> set[str]:
    with open(out / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return {row["doc_id"] for row in csv.DictReader(fh)}


def visible_run(out: Path) -> set[str]:
    """The inputs of the run whose outputs a reader sees, checked to be one
    run's: every table and the manifest name the same inputs."""
    manifest = {e["doc_id"] for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]}
    for table in ("forms", "funding", "indicators", "findings"):
        assert doc_ids(out, table) <= manifest, table
    assert doc_ids(out, "forms") == manifest
    return manifest


def test_the_documented_paths_read_the_current_generation(tmp_path):
    out = tmp_path / "out"
    assert extract(str(folder_of(tmp_path, "a", range(1, 3))), "--out", str(out)).exit_code == 0
    assert os.readlink(out / "forms.csv") == f"{CURRENT}/forms.csv"
    assert os.readlink(out / CURRENT).startswith(f"{GENERATIONS}/")
    assert visible_run(out) == {"form01.txt", "form02.txt"}
    assert extract(str(folder_of(tmp_path, "b", range(3, 6))), "--out", str(out), "--format", "csv").exit_code == 0
    assert visible_run(out) == {"form03.txt", "form04.txt", "form05.txt"}
    assert not (out / "forms.parquet").exists() and not (out / "forms.parquet").is_symlink()  # no stale link
    assert len(list((out / GENERATIONS).iterdir())) == 1  # the older generation is gone


def test_a_run_killed_before_its_switch_leaves_the_previous_run_whole(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert extract(str(folder_of(tmp_path, "a", range(1, 3))), "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    import selfeval.output.commit as commit

    real = os.replace

    def dies_at_the_switch(src, dst):
        if Path(dst).name == CURRENT:
            raise Killed  # as a kill would stop it: after every table and the manifest were written
        return real(src, dst)

    monkeypatch.setattr(commit.os, "replace", dies_at_the_switch)
    with pytest.raises(Killed):
        runner.invoke(app, ["extract", str(folder_of(tmp_path, "b", range(3, 6))), "--out", str(out)],
                      catch_exceptions=False)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert visible_run(out) == {"form01.txt", "form02.txt"}


def test_a_run_killed_at_any_moment_shows_one_run_or_the_other(tmp_path):
    out = tmp_path / "out"
    old = folder_of(tmp_path, "old", range(1, 3))
    new = folder_of(tmp_path, "new", range(3, 20))
    assert extract(str(old), "--out", str(out), "--format", "csv").exit_code == 0
    seen = set()
    for delay in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0):
        child = subprocess.Popen([sys.executable, "-m", "selfeval.cli", "extract", str(new), "--out", str(out),
                                  "--format", "csv", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        run = visible_run(out)
        assert run in ({"form01.txt", "form02.txt"}, {f"form{i:02d}.txt" for i in range(3, 20)}), run
        seen.add(len(run))
        if len(run) > 2:
            break
    # the next run cleans up what the killed ones left
    assert extract(str(old), "--out", str(out), "--format", "csv").exit_code == 0
    assert len(list((out / GENERATIONS).iterdir())) == 1 and not list(out.glob(".*.tmp"))


def test_a_second_run_into_a_locked_folder_refuses_and_leaves_its_files(tmp_path):
    out = tmp_path / "out"
    folder = folder_of(tmp_path, "a", range(1, 2))
    with OutputLock(out):
        (out / ".forms.csv.running.tmp").write_text("the first run's temporary", encoding="utf-8")
        result = extract(str(folder), "--out", str(out))
        assert result.exit_code == 2
        assert "being written by another selfeval run" in result.output and f"process {os.getpid()}" in result.output
        assert (out / ".forms.csv.running.tmp").exists()  # the holder's temporaries are not touched
        assert not (out / "forms.csv").exists()
    result = extract(str(folder), "--out", str(out))  # the lock is free: the leftovers are stale now
    assert result.exit_code == 0 and not (out / ".forms.csv.running.tmp").exists()


def test_a_full_disk_is_a_message_and_leaves_no_partial_table(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert extract(str(folder_of(tmp_path, "a", range(1, 3))), "--out", str(out)).exit_code == 0
    from selfeval.output.stream import TableWriter

    def full(self, name, table, years, errors):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.out_dir / "forms.csv"))

    monkeypatch.setattr(TableWriter, "_put", full)
    result = extract(str(folder_of(tmp_path, "b", range(3, 5))), "--out", str(out))
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "the disk is full" in text and "free some space" in text and "nothing of this run was put in place" in text
    assert visible_run(out) == {"form01.txt", "form02.txt"}
    assert [p.name for p in (out / GENERATIONS).iterdir()] == [os.readlink(out / CURRENT).split("/")[-1]]


def test_a_read_only_output_folder_is_a_message(tmp_path, monkeypatch):
    import selfeval.output.commit as commit

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "out" / ".selfeval.lock"))

    monkeypatch.setattr(commit.os, "open", read_only)
    result = extract(str(folder_of(tmp_path, "a", range(1, 2))), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "read-only file system" in " ".join(result.output.split())


def test_an_output_path_too_long_is_a_message(tmp_path):
    out = tmp_path / ("x" * 300)  # longer than a file name may be (255 bytes)
    result = extract(str(folder_of(tmp_path, "a", range(1, 2))), "--out", str(out))
    assert result.exit_code == 2
    assert "a file name is too long" in " ".join(result.output.split())
    assert "Traceback" not in result.output and not result.exception or isinstance(result.exception, SystemExit)
