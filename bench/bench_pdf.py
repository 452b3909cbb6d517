"""PDF path speed against pdfplumber's own table extraction, and memory.

On the seed's 27 forms rendered one per page (ruled, merged label cells,
the CID font), measured on the same bytes in one run:

plumber   ``pdfplumber.open`` and ``page.extract_tables()`` on every page
          (then ``page.close()``): the floor, table cells and nothing else;
reader    ``selfeval.extract.pdf.read_pdf``: the grid rows of every page,
          text outside the tables included;
pipeline  ``process_file`` (read, split, parse, validate) and the four
          tables: the whole job for that file.

Seconds per page are the best of a few repeats.  Target: pipeline / plumber
<= 1.3.  Also: the same for a form split across pages and for pages without
ruling lines (cells set at the top, centred in their rows, and several
centred forms per A3 page); ``run(workers=2)`` against ``workers=1`` on a folder of PDFs;
and peak RSS of reading a long PDF (the object caches emptied every range of
pages keep it flat) at two lengths, each in a fresh subprocess, with the
caches emptied every DEFAULT_PAGE_RANGE pages and never.
"""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

TARGET_RATIO = 1.3
REPEATS = 5
LONG_COPIES = (2, 10)  # the 27 forms repeated: 54 and 270 pages
WORKER_FILES = 4


def best_of(fn, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def plumber_tables(data: bytes) -> int:
    import pdfplumber

    tables = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            tables += len(page.extract_tables())
            page.close()
    return tables


def reader_rows(path: Path, data: bytes) -> int:
    from selfeval.extract.context import ReadContext
    from selfeval.extract.pdf import read_pdf
    from selfeval.extract.readers import Source
    from selfeval.settings import Settings

    return len(read_pdf(Source(path, path.name, data, ""), ReadContext.of(Settings())).rows)


def pipeline_tables(path: Path) -> int:
    from selfeval.extract.readers import InputFile
    from selfeval.pipeline import BatchResult, process_file
    from selfeval.settings import Settings

    result = process_file(InputFile(path, path.name), Settings())
    tables = BatchResult([result]).tables
    return tables["indicators"].num_rows


def pages_of(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def compare(name: str, path: Path, repeats: int = REPEATS) -> list[dict]:
    """Seconds per page of the three, best of ``repeats`` rounds; each round
    runs all three back to back, so a change in machine load hits all alike."""
    data = path.read_bytes()
    pages = pages_of(data)
    runs = {
        "plumber": lambda: plumber_tables(data),
        "reader": lambda: reader_rows(path, data),
        "pipeline": lambda: pipeline_tables(path),
    }
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for kind, fn in runs.items():
            best[kind] = min(best[kind], best_of(fn, 1) / pages)
    plumber, reader, whole = best["plumber"], best["reader"], best["pipeline"]
    ratio = whole / plumber
    print(
        f"{name}: {pages} pages; s/page plumber {plumber:.4f}, reader {reader:.4f}, pipeline {whole:.4f}; "
        f"pipeline/plumber {ratio:.2f} (target <= {TARGET_RATIO})"
    )
    return [
        {"case": name, "metric": "s/page pdfplumber extract_tables", "value": f"{plumber:.4f}"},
        {"case": name, "metric": "s/page reader", "value": f"{reader:.4f}"},
        {"case": name, "metric": "s/page pipeline", "value": f"{whole:.4f}"},
        {"case": name, "metric": "pipeline / pdfplumber", "value": f"{ratio:.2f} (target <= {TARGET_RATIO})"},
    ]


_RSS_SCRIPT = """
import json, sys, time
from pathlib import Path
from selfeval.extract import pdf
from selfeval.extract.readers import Source
from selfeval.extract.context import ReadContext
from selfeval.settings import Settings

def hwm_kb():  # the peak RSS of this process image (ru_maxrss would include the parent's, from before exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

path, page_range = Path(sys.argv[1]), int(sys.argv[2])
pdf.DEFAULT_PAGE_RANGE = page_range
data = path.read_bytes()
before = hwm_kb()
t0 = time.perf_counter()
doc = pdf.read_pdf(Source(path, path.name, data, ""), ReadContext.of(Settings()))
print(json.dumps({"rows": len(doc.rows), "before_kb": before, "peak_kb": hwm_kb(), "seconds": time.perf_counter() - t0}))
"""


def peak_rss(path: Path, page_range: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT, str(path), str(page_range)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory(forms, folder: Path) -> list[dict]:
    from fixturegen.pdf import render_pdf

    from selfeval.extract.pdf import DEFAULT_PAGE_RANGE

    rows = []
    for copies in LONG_COPIES:
        long_pdf = render_pdf(forms * copies, folder / f"long-{copies}.pdf")
        pages = len(forms) * copies
        for page_range, label in ((DEFAULT_PAGE_RANGE, f"ranges of {DEFAULT_PAGE_RANGE} pages"), (10**6, "caches never emptied")):
            stats = peak_rss(long_pdf, page_range)
            grown = (stats["peak_kb"] - stats["before_kb"]) / 1024
            print(
                f"{pages}-page PDF, {label}: {stats['rows']} rows in {stats['seconds']:.1f} s; "
                f"peak RSS {stats['peak_kb'] / 1024:.0f} MiB ({grown:+.1f} MiB while reading)"
            )
            rows.append({"case": f"{pages}-page PDF, {label}", "metric": "peak RSS growth while reading", "value": f"{grown:+.1f} MiB"})
    return rows


def workers(folder: Path) -> list[dict]:
    from selfeval.pipeline import run
    from selfeval.settings import Settings

    one = best_of(lambda: run([folder], Settings(workers=1)), 1)
    two = best_of(lambda: run([folder], Settings(workers=2)), 1)
    print(f"workers: {WORKER_FILES} files of 27 pages, workers=1 {one:.2f} s, workers=2 {two:.2f} s, speed-up {one / two:.2f}x")
    return [
        {"case": f"{WORKER_FILES} files x 27 pages", "metric": "workers=1 s", "value": f"{one:.2f}"},
        {"case": f"{WORKER_FILES} files x 27 pages", "metric": "workers=2 s", "value": f"{two:.2f}"},
        {"case": f"{WORKER_FILES} files x 27 pages", "metric": "speed-up", "value": f"{one / two:.2f}x"},
    ]


def unruled_cases() -> list[dict]:
    """The PDFs without ruling lines alone (``python -m bench.bench_pdf unruled``): cells at the
    top, centred, several per A3 page, two side by side per A3 landscape page, and the seed's
    workbook printed without borders by LibreOffice (when it is installed)."""
    from fixturegen import load_seed
    from fixturegen.office import write_xlsx
    from fixturegen.pdf import (
        A3_LANDSCAPE,
        A3_PORTRAIT,
        Paging,
        Style,
        render_pdf,
        render_side_by_side,
    )

    from selfeval.extract import soffice
    from selfeval.settings import Settings

    forms = load_seed()
    summary: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [
            ("27 forms, no ruling lines", render_pdf(forms, folder / "unruled.pdf", Style(ruled=False, valign="top", pad=4))),
            ("27 forms, no ruling lines, cells centred in their rows", render_pdf(forms, folder / "centred.pdf", Style(ruled=False))),
            ("27 forms, no ruling lines, centred, several per A3 page",
             render_pdf(forms, folder / "a3.pdf", Style(ruled=False, page=A3_PORTRAIT), Paging(new_page_per_form=False))),
            ("27 forms, no ruling lines, centred, two side by side per A3 landscape page",
             render_side_by_side(forms, folder / "side.pdf", Style(size=7.0, leading=9.0, ruled=False, page=A3_LANDSCAPE))),
        ]
        if soffice.soffice_path() is not None:
            import os

            from fixturegen.pdf import TTF_PATH

            conf = folder / "fonts.conf"  # LibreOffice finds the CJK test font (as tests/conftest.py's cjk_font)
            conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                            f"<dir>{TTF_PATH.parent}</dir><cachedir>{folder / 'fc'}</cachedir></fontconfig>")
            os.environ["FONTCONFIG_FILE"] = str(conf)
            book = write_xlsx(forms, folder / "forms.xlsx", printable=True)
            printed = soffice.convert(book.read_bytes(), ".xlsx", "pdf", Settings())
            if printed.data:
                (folder / "printed.pdf").write_bytes(printed.data)
                cases.append(("27 forms, a workbook printed without borders by LibreOffice", folder / "printed.pdf"))
        for name, path in cases:
            summary += compare(name, path)
    return summary


def main() -> list[dict]:
    from fixturegen import load_seed
    from fixturegen.pdf import A3_PORTRAIT, Paging, Style, render_pdf

    forms = load_seed()
    summary: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ruled = render_pdf(forms, folder / "ruled.pdf")
        split = render_pdf(forms, folder / "split.pdf", paging=Paging(break_before={f.seq: 14 for f in forms}))
        unruled = render_pdf(forms, folder / "unruled.pdf", Style(ruled=False, valign="top", pad=4))
        centred = render_pdf(forms, folder / "centred.pdf", Style(ruled=False))
        several = render_pdf(forms, folder / "a3.pdf", Style(ruled=False, page=A3_PORTRAIT), Paging(new_page_per_form=False))
        summary += compare("27 forms, one per page", ruled)
        summary += compare("27 forms, each split over 2 pages", split)
        summary += compare("27 forms, no ruling lines", unruled)
        summary += compare("27 forms, no ruling lines, cells centred in their rows", centred)
        summary += compare("27 forms, no ruling lines, centred, several per A3 page", several)

        batch = folder / "batch"
        batch.mkdir()
        for i in range(WORKER_FILES):
            render_pdf(forms, batch / f"copy-{i}.pdf")
        summary += workers(batch)

        summary += memory(forms, folder)
    return summary


if __name__ == "__main__":
    unruled_cases() if sys.argv[1:] == ["unruled"] else main()
