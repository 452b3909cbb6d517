"""Hostile inputs: peak resident memory and seconds of ``selfeval extract``
on each fault-injection case (tests/faults.py) beside the seed's form 1,
against the same command on form 1 alone, each in a fresh child process
under the tests' watchdog (2 GiB address space, 4 GiB for OCR, killed past
1.9 GB resident or 120 s).

Targets (issue 17): every case under 1.5 GB peak resident and 60 s.  The
ratio column is peak RSS over the good form alone's.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

TARGET_RSS_MB = 1500
TARGET_SECONDS = 60


def cases():
    import faults

    return {
        "png 20000x20000": (lambda d: faults.png_bomb(d / "bomb.png"), faults.ADDRESS_SPACE_LIMIT),
        "jpeg claims 20000x20000": (lambda d: faults.jpeg_bomb(d / "bomb.jpg"), faults.ADDRESS_SPACE_LIMIT),
        "pdf page 200x200 in (OCR)": (lambda d: faults.huge_page_pdf(d / "bomb.pdf"), faults.OCR_ADDRESS_SPACE_LIMIT),
        "xlsx sheet inflates to 1 GiB": (lambda d: faults.xlsx_inflation_bomb(d / "bomb.xlsx"), faults.ADDRESS_SPACE_LIMIT),
        "xlsx merged range A2:XFD1048576": (lambda d: faults.xlsx_merge_bomb(d / "bomb.xlsx"), faults.ADDRESS_SPACE_LIMIT),
        "xlsx cell at XFD1048576": (lambda d: faults.xlsx_dimension_bomb(d / "bomb.xlsx"), faults.ADDRESS_SPACE_LIMIT),
        "docx gridSpan 1e8": (lambda d: faults.docx_span_bomb(d / "bomb.docx"), faults.ADDRESS_SPACE_LIMIT),
        "link to /dev/zero as .txt": (lambda d: faults.dev_zero_link(d / "zero.txt"), faults.ADDRESS_SPACE_LIMIT),
        "fifo as .txt": (lambda d: faults.fifo(d / "pipe.txt"), faults.ADDRESS_SPACE_LIMIT),
    }


def main() -> list[dict]:
    import faults
    import make_bad_inputs

    form = "\n".join(make_bad_inputs.form_lines(1)) + "\n"
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "alone"
        base.mkdir()
        (base / "good.txt").write_text(form, encoding="utf-8")
        alone = faults.run_child(["extract", str(base), "--out", str(Path(tmp) / "alone-out"), "--format", "csv", "-q"])
        print(f"{'case':34} {'exit':>4} {'peak MB':>8} {'x alone':>8} {'seconds':>8}")
        print(f"{'good form alone':34} {alone.status:>4} {alone.peak_rss_mb:>8.0f} {1:>8.2f} {alone.seconds:>8.1f}")
        for i, (name, (make, space)) in enumerate(cases().items()):
            folder = Path(tmp) / f"case{i}"
            folder.mkdir()
            (folder / "good.txt").write_text(form, encoding="utf-8")
            make(folder)
            run = faults.run_child(["extract", str(folder), "--out", str(folder) + "-out", "--format", "csv", "-q"],
                                   address_space=space)
            ratio = run.peak_rss_mb / alone.peak_rss_mb
            met = run.peak_rss_mb < TARGET_RSS_MB and run.seconds < TARGET_SECONDS and not run.timed_out
            print(f"{name:34} {run.status:>4} {run.peak_rss_mb:>8.0f} {ratio:>8.2f} {run.seconds:>8.1f}"
                  f"{'' if met else '  OVER TARGET'}")
            rows.append({"case": name, "metric": "peak RSS MB / s / exit",
                         "value": f"{run.peak_rss_mb:.0f} / {run.seconds:.1f} / {run.status}"})
    return rows


if __name__ == "__main__":
    main()
