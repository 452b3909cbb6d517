"""The pages of one scanned document are OCR'd across ``--workers``.

A three-page TIFF of scans (seed forms 2, 5 and 9, rendered by
``tests/scangen`` at 200 dpi) and a three-page PDF of them (forms 3, 6 and
10) are read with one worker and with
two: the tables are byte-identical, and with two workers every page of
both documents is read in a worker process, the pages of each document by
both workers, each worker building its OCR engine once for all the pages it
reads.  The engine is replaced by one that hands each page the renderer's
own text boxes (a perfect reader), found by the picture the reader gives it,
and notes which process read the page."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from selfeval.cli import app
from selfeval.extract.context import ReadContext
from selfeval.extract.ocr import Engines, TextBox
from selfeval.extract.readers import InputFile, read_document
from selfeval.settings import Settings

SEQS = {"scans.tif": (2, 5, 9), "scans.pdf": (3, 6, 10)}  # 项目序号 of the forms on pages 1-3 (the seed's own)


def _digest(image) -> str:
    return hashlib.sha256(np.ascontiguousarray(image).tobytes() + repr(image.shape).encode()).hexdigest()


class _Capture:
    """Notes the picture of each page the reader hands the engine, in page order."""

    name = "capture"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def recognize(self, image):
        self.seen.append(_digest(image))
        return []


class _PageEngine:
    """The boxes of the page whose picture it is given; each reading noted (pid, file, page) in ``log``."""

    name = "replay"

    def __init__(self, pages: dict[str, tuple[str, int, list]], log: Path) -> None:
        self.pages, self.log = pages, log

    def recognize(self, image):
        name, number, boxes = self.pages[_digest(image)]
        with open(self.log, "a", encoding="ascii") as fh:
            fh.write(f"read {os.getpid()} {name} {number}\n")
        return list(boxes)


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """A folder with scans.tif and scans.pdf, and the boxes of every page by
    the picture the reader gives the engine."""
    from scangen import make_scan, parse_seed

    from selfeval.extract.ocr.page import map_boxes, prepare_page

    folder = tmp_path_factory.mktemp("scans")
    seed = parse_seed()
    boxes: dict[str, tuple[str, int, list]] = {}
    for name, seqs in SEQS.items():
        frames, truths = [], []
        for seq in seqs:
            page, data = make_scan(seed[seq - 1], 200)
            image = Image.open(io.BytesIO(data)).convert("L")
            frames.append(image)
            matrix = prepare_page(np.asarray(image.convert("RGB"))).matrix
            truths.append(map_boxes([TextBox(b.text, b.bbox, 0.99) for b in page.boxes], matrix))
        if name.endswith(".tif"):
            frames[0].save(folder / name, format="TIFF", save_all=True, append_images=frames[1:],
                           compression="tiff_deflate")
        else:
            frames[0].save(folder / name, format="PDF", save_all=True, append_images=frames[1:], resolution=200)
        capture = _Capture()
        read_document(InputFile(folder / name, name), ReadContext.of(Settings(), engines=Engines({"rapidocr": capture})))
        assert len(capture.seen) == len(seqs), name
        boxes.update({key: (name, n + 1, truths[n]) for n, key in enumerate(capture.seen)})
    return folder, boxes


def test_the_pages_of_a_scanned_document_are_read_across_the_workers(scans, tmp_path, monkeypatch):
    folder, boxes = scans
    assert {p.stat().st_size > 64 * 1024 for p in folder.iterdir()} == {True}  # looked at for scanned pages
    log = tmp_path / "engine.log"

    def build(self, name: str) -> _PageEngine:
        with open(log, "a", encoding="ascii") as fh:
            fh.write(f"build {os.getpid()}\n")
        return _PageEngine(boxes, log)

    monkeypatch.setattr(Engines, "build", build)
    runner = CliRunner()
    outs, readers = {}, {}
    for workers in (1, 2):
        log.write_text("", encoding="ascii")
        out = tmp_path / f"w{workers}"
        result = runner.invoke(app, ["extract", str(folder), "--out", str(out), "--format", "csv",
                                     "--workers", str(workers), "-q"])
        assert result.exit_code == 0, result.output
        outs[workers] = {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}
        readers[workers] = [line.split() for line in log.read_text(encoding="ascii").splitlines()]
    assert outs[1] == outs[2]
    with open(tmp_path / "w2" / "forms.csv", encoding="utf-8") as fh:
        forms = [(f["doc_id"], f["form_seq"], f["page"]) for f in csv.DictReader(fh)]
    assert forms == [(doc, str(seq), str(n)) for doc in ("scans.pdf", "scans.tif") for n, seq in enumerate(SEQS[doc], 1)]

    one, two = readers[1], readers[2]
    assert [w[0] for w in one] == ["build"] + ["read"] * 6 and {w[1] for w in one} == {str(os.getpid())}
    reads = [(pid, name, page) for what, pid, *(name, page) in (w for w in two if w[0] == "read")]
    builds = [pid for what, pid in (w for w in two if w[0] == "build")]
    assert sorted((name, page) for _, name, page in reads) == [(n, str(p)) for n in ("scans.pdf", "scans.tif")
                                                                for p in (1, 2, 3)]
    assert str(os.getpid()) not in {pid for pid, _, _ in reads}
    for name in SEQS:  # both workers read pages of each file
        assert len({pid for pid, file, _ in reads if file == name}) == 2, (name, reads)
    assert sorted(builds) == sorted({pid for pid, _, _ in reads})  # one engine per worker, for all its pages


def test_pictures_are_pages_of_their_own_on_a_pool(scans):
    from fixturegen import load_seed, select
    from fixturegen.pdf import render_pdf

    from selfeval.extract import pdf

    folder, _ = scans
    assert pdf._pictures(folder / "scans.pdf") == [True, True, True]
    text = render_pdf(select(load_seed(), [1, 2]), folder.parent / "text.pdf")
    assert pdf._pictures(text) == [False] * pdf.page_count(text)
    assert pdf._ranges(3, [True, True, True]) == [[1], [2], [3]]
    assert pdf._ranges(60, []) == [list(range(1, 26)), list(range(26, 51)), list(range(51, 61))]
    mixed = [False] * 30
    mixed[1] = mixed[27] = True
    assert pdf._ranges(30, mixed) == [[1], [2], list(range(3, 28)), [28], [29, 30]]


def test_which_files_are_shared_out(scans, tmp_path):
    from selfeval import pipeline

    folder, _ = scans
    single = tmp_path / "one.tif"
    Image.open(folder / "scans.tif").save(single, format="TIFF", compression="raw")  # the first frame, 3.7 MB
    text = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")
    spread = {p.name: pipeline._spread(InputFile(p, p.name)) for p in (folder / "scans.tif", folder / "scans.pdf",
                                                                       single, text)}
    assert spread == {"scans.tif": True, "scans.pdf": True, "one.tif": False, text.name: False}


def test_worth_sharing_looks_once_for_length_and_pictures(scans, tmp_path):
    from fixturegen import load_seed, select
    from fixturegen.pdf import render_pdf

    from selfeval.extract import pdf

    folder, _ = scans
    scanned = folder / "scans.pdf"  # three scanned pages: shared out whatever its length
    assert pdf.worth_sharing(scanned, 50, 0) and pdf.worth_sharing(scanned, 50, 10**9)
    text = render_pdf(select(load_seed(), [1, 2]), tmp_path / "text.pdf")  # no picture page
    pages, size = pdf.page_count(text), text.stat().st_size
    assert pdf.worth_sharing(text, pages - 1, size)  # longer than the limit, in a file long enough to count
    assert not pdf.worth_sharing(text, pages - 1, size + 1)  # too small a file to be counted
    assert not pdf.worth_sharing(text, pages, 0)  # not longer than the limit
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot a page tree")
    assert not pdf.worth_sharing(broken, 0, 0) and not pdf.worth_sharing(tmp_path / "missing.pdf", 0, 0)


def test_one_scanned_document_alone_is_read_by_every_worker(scans, tmp_path, monkeypatch):
    """A batch of a single three-page TIFF under ``--workers 2``: the pool has
    two workers, not one a file, and both read its pages."""
    folder, boxes = scans
    log = tmp_path / "engine.log"
    log.write_text("", encoding="ascii")
    monkeypatch.setattr(Engines, "build", lambda self, name: _PageEngine(boxes, log))
    result = CliRunner().invoke(app, ["extract", str(folder / "scans.tif"), "--out", str(tmp_path / "out"),
                                      "--format", "csv", "--workers", "2", "-q"])
    assert result.exit_code == 0, result.output
    reads = [line.split()[1:] for line in log.read_text(encoding="ascii").splitlines()]
    assert sorted(page for _, _, page in reads) == ["1", "2", "3"]
    assert len({pid for pid, _, _ in reads}) == 2 and str(os.getpid()) not in {pid for pid, _, _ in reads}
