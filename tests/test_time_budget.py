"""The per-file time budget (--file-time-budget): a file over it is stopped and
reported as limit_exceeded, and the rest of the batch is still extracted."""

from __future__ import annotations

import csv
import re
import signal
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from selfeval.cli import app
from selfeval.extract.readers import InputFile
from selfeval.pipeline import process_file
from selfeval.settings import Settings

# An alarm that lands in a garbage-collector callback is reported by Python as
# "exception ignored"; the budget handles that case (see the last test).
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

runner = CliRunner()
SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")


def big_file(folder: Path, copies: int = 300) -> Path:
    """The seed repeated, every decimal of copy k prefixed with k (13.04 ->
    713.04), so no funding or weighted indicator row repeats and readings
    memoised by other tests cannot make the file fast."""
    seed = SEED.read_text(encoding="utf-8")
    copies_text = (re.sub(r"(\d+)\.(\d\d)", lambda m, k=k: f"{k}{m.group(1)}.{m.group(2)}", seed) for k in range(copies))
    path = folder / "big.txt"
    path.write_text("\n".join(copies_text), encoding="utf-8")
    return path


def test_a_file_over_its_budget_is_stopped_and_reported(tmp_path):
    previous = signal.getsignal(signal.SIGALRM)
    result = process_file(InputFile(big_file(tmp_path), "big.txt"), Settings(file_time_budget_s=0.01))
    assert result.failed and result.forms == []
    [finding] = result.findings
    assert finding.code == "limit_exceeded" and finding.line is None and finding.doc_id == "big.txt"
    assert "big.txt" in finding.message and "0.01-second" in finding.message and "--file-time-budget" in finding.message
    assert result.seconds < 5
    assert signal.getsignal(signal.SIGALRM) is previous  # the handler is put back
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # and no timer is left running


def test_within_its_budget_a_file_is_read_as_before():
    item = InputFile(SEED, SEED.name)
    timed, plain = process_file(item, Settings(file_time_budget_s=60)), process_file(item, Settings(file_time_budget_s=0))
    assert replace(timed, seconds=0) == replace(plain, seconds=0)


def test_off_the_main_thread_the_budget_is_checked_between_forms(tmp_path):
    """No alarm can be set off the main thread (a cluster's worker threads);
    the deadline is still checked between pages and forms."""
    item = InputFile(big_file(tmp_path), "big.txt")
    out = []
    thread = threading.Thread(target=lambda: out.append(process_file(item, Settings(file_time_budget_s=0.05))))
    thread.start()
    thread.join()
    assert out[0].forms == [] and [f.code for f in out[0].findings] == ["limit_exceeded"]
    assert out[0].seconds < 30


def test_the_resume_key_is_made_under_the_budget(tmp_path):
    """A file that blocks when opened (a FIFO) is stopped by the budget even
    with --resume, whose key needs the file's bytes."""
    import os

    fifo = tmp_path / "in" / "stuck.txt"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    (tmp_path / "in" / "seed.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(fifo.parent), "--out", str(out), "--resume", "--file-time-budget", "1", "-q"])
    assert result.exit_code == 1, result.output
    with open(out / "findings.csv", encoding="utf-8") as fh:
        over = [f for f in csv.DictReader(fh) if f["code"] == "limit_exceeded"]
    assert [f["doc_id"] for f in over] == ["stuck.txt"]
    with open(out / "forms.csv", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 27


def test_the_batch_goes_on_and_the_exit_status_is_1(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    big_file(folder, copies=1000)  # ~27,000 forms: far over 3 s; the 27-form seed far under it
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(folder), "--out", str(out), "--file-time-budget", "3", "-q"])
    assert result.exit_code == 1, result.output
    assert "limit_exceeded" in result.output
    with open(out / "findings.csv", encoding="utf-8") as fh:
        findings = list(csv.DictReader(fh))
    over = [f for f in findings if f["code"] == "limit_exceeded"]
    assert [f["doc_id"] for f in over] == ["big.txt"] and over[0]["line"] == ""
    with open(out / "forms.csv", encoding="utf-8") as fh:
        forms = list(csv.DictReader(fh))
    assert {f["doc_id"] for f in forms} == {"seed.txt"} and len(forms) == 27


def test_the_budget_must_not_be_negative(tmp_path):
    result = runner.invoke(app, ["extract", str(SEED), "--out", str(tmp_path), "--file-time-budget", "-1"])
    assert result.exit_code == 2


def test_an_alarm_whose_exception_is_lost_still_stops_the_file(tmp_path, monkeypatch):
    """A signal handler's exception is dropped when the signal lands in a
    garbage-collector callback or a __del__; the flag the alarm also sets
    must stop the file all the same.  Here the alarm only sets the flag."""
    import contextlib
    import time

    import selfeval.pipeline as pipeline
    from selfeval.extract.context import Deadline

    @contextlib.contextmanager
    def flag_only(seconds):
        deadline = Deadline(time.monotonic() + 3600)  # the clock alone would not stop it
        previous = signal.signal(signal.SIGALRM, lambda signum, frame: deadline.fired.set())
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield deadline
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    monkeypatch.setattr(pipeline, "time_budget", flag_only)
    result = process_file(InputFile(big_file(tmp_path), "big.txt"), Settings(file_time_budget_s=0.05))
    assert result.failed and result.forms == [] and [f.code for f in result.findings] == ["limit_exceeded"]
