"""Fault injection: each hostile or broken input beside the seed's form 1,
read by ``selfeval extract`` in a child process under a 2 GiB address-space
limit and a timeout (:mod:`faults`).  Each case asserts the finding that
names the bad file, the exit status, that the good form is kept, no
traceback, and a peak resident memory under the target (1.5 GB)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import faults
import pytest

SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")
PEAK_RSS_TARGET_MB = 1500


def seed_form(index: int = 1) -> str:
    import make_bad_inputs

    return "\n".join(make_bad_inputs.form_lines(index)) + "\n"


def table(out: Path, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / f"{name}.csv").read_text(encoding="utf-8"))))


def run_case(tmp_path: Path, make: Callable[[Path], Path], *options: str,
             address_space: int = faults.ADDRESS_SPACE_LIMIT) -> tuple[faults.ChildRun, Path, str]:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(seed_form(1), encoding="utf-8")
    bad = make(folder)
    out = tmp_path / "out"
    run = faults.run_child(["extract", str(folder), "--out", str(out), "--format", "csv", *options],
                           address_space=address_space)
    assert not run.timed_out, f"killed by the watchdog after {run.seconds:.0f} s: {run.stderr[-2000:]}"
    assert "Traceback" not in run.stderr + run.stdout, run.stderr[-3000:]
    assert run.peak_rss_mb < PEAK_RSS_TARGET_MB, f"peak resident {run.peak_rss_mb:.0f} MB"
    forms = table(out, "forms")
    good = [f for f in forms if f["doc_id"] == "good.txt"]  # the good form is kept
    assert [f["project_name"] for f in good] == ["“鸿雁计划”专项资金"]
    doc_id = os.fsdecode(os.fsencode(bad.relative_to(folder)))
    return run, out, doc_id


def finding_of(out: Path, doc_id: str, code: str) -> dict:
    hits = [f for f in table(out, "findings") if f["doc_id"] == doc_id and f["code"] == code]
    assert hits, (doc_id, code, table(out, "findings"))
    return hits[0]


# case id -> (maker, the finding's code, words its message must hold, exit status)
BOMBS: dict[str, tuple[Callable[[Path], Path], str, tuple[str, ...], int]] = {
    "png-20000x20000": (lambda d: faults.png_bomb(d / "bomb.png"), "limit_exceeded",
                        ("20000×20000", "400.0 Mpx", "--max-image-mpx"), 1),
    "png-15000x15000-between-limit-and-twice-it": (lambda d: faults.png_bomb(d / "bomb.png", 15000, 15000),
                                                   "limit_exceeded", ("15000×15000", "100.0 Mpx limit"), 1),
    "jpeg-claims-20000x20000": (lambda d: faults.jpeg_bomb(d / "bomb.jpg"), "limit_exceeded", ("20000×20000",), 1),
    "xlsx-sheet-inflates-to-1GiB": (lambda d: faults.xlsx_inflation_bomb(d / "bomb.xlsx"), "limit_exceeded",
                                    ("xl/worksheets/sheet1.xml", "inflate", "--max-inflated-mb"), 1),
    "xlsx-merged-range-over-the-sheet": (lambda d: faults.xlsx_merge_bomb(d / "bomb.xlsx"), "limit_exceeded",
                                         ("merged ranges", "--max-sheet-cells"), 1),
    "xlsx-declared-dimension-whole-sheet": (lambda d: faults.xlsx_dimension_bomb(d / "bomb.xlsx"), "limit_exceeded",
                                            ("1,048,576 rows", "16,384 columns"), 1),
    "docx-gridspan-1e8": (lambda d: faults.docx_span_bomb(d / "bomb.docx"), "limit_exceeded",
                          ("100,000,000 columns", "1,000-column limit"), 1),  # the row is cut and the rest read;
    # the bomb's one form is its header alone, which is an empty_form (a failed input)
    "pdf-page-200x200-inches": (lambda d: faults.huge_page_pdf(d / "bomb.pdf"), "no_text_layer",
                                ("rendered at 17.32 dpi", "--max-ocr-mpx"), 1),
}


@pytest.mark.parametrize("case", list(BOMBS))
def test_a_bomb_is_refused_before_it_is_read(tmp_path, case):
    make, code, words, status = BOMBS[case]
    space = faults.ADDRESS_SPACE_LIMIT
    if code == "no_text_layer":
        pytest.importorskip("rapidocr")
        space = faults.OCR_ADDRESS_SPACE_LIMIT
    run, out, doc_id = run_case(tmp_path, make, address_space=space)
    assert run.status == status, run.stderr[-2000:]
    found = finding_of(out, doc_id, code)
    assert found["severity"] == "error"
    for word in words:
        assert word in found["message"], (word, found["message"])
    if status:
        assert doc_id in run.stderr  # the command line names the failed file


def test_a_link_to_dev_zero_named_txt_is_skipped(tmp_path):
    run, out, doc_id = run_case(tmp_path, lambda d: faults.dev_zero_link(d / "zero.txt"))
    assert run.status == 0, run.stderr  # nothing failed: the link is not a document
    found = finding_of(out, doc_id, "skipped_file")
    assert "character device" in found["message"] and "/dev/zero" in found["message"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [e["doc_id"] for e in manifest["inputs"]] == ["good.txt"]


def test_a_fifo_is_skipped_without_waiting_for_a_writer(tmp_path):
    run, out, doc_id = run_case(tmp_path, lambda d: faults.fifo(d / "pipe.txt"))
    assert run.status == 0, run.stderr
    assert "fifo, not a regular file" in finding_of(out, doc_id, "skipped_file")["message"]


def test_a_fifo_given_by_name_is_skipped_too(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(seed_form(1), encoding="utf-8")
    faults.fifo(folder / "pipe.txt")
    out = tmp_path / "out"
    run = faults.run_child(["extract", str(folder / "good.txt"), str(folder / "pipe.txt"), "--out", str(out),
                            "--format", "csv"], timeout=60)
    assert not run.timed_out and run.status == 0, run.stderr
    assert "fifo" in finding_of(out, "pipe.txt", "skipped_file")["message"]


def test_a_name_that_is_not_utf8_is_escaped_the_same_on_every_run(tmp_path):
    run, out, doc_id = run_case(tmp_path, lambda d: faults.non_utf8_name(d, seed_form(2).encode("utf-8")))
    assert run.status == 0, run.stderr[-2000:]
    ids = sorted({f["doc_id"] for f in table(out, "forms")})
    assert ids == ["bad-\\xff\\xd6\\xd0\\xce\\xc4.txt", "good.txt"]
    first = (out / "forms.csv").read_bytes()
    again = faults.run_child(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "again"), "--format", "csv"])
    assert again.status == 0 and (tmp_path / "again" / "forms.csv").read_bytes() == first
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "bad-\\xff\\xd6\\xd0\\xce\\xc4.txt" in [e["doc_id"] for e in manifest["inputs"]]


def test_a_link_to_a_regular_file_is_read_and_the_manifest_says_so(tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(seed_form(2), encoding="utf-8")
    run, out, doc_id = run_case(tmp_path, lambda d: (d / "linked.txt").symlink_to(outside) or d / "linked.txt")
    assert run.status == 0
    assert {f["doc_id"] for f in table(out, "forms")} == {"good.txt", "linked.txt"}
    entries = {e["doc_id"]: e for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]}
    assert entries["linked.txt"]["link"] == str(outside) and "link" not in entries["good.txt"]
