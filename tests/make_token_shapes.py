"""Write the seed's 27 forms in the shapes that lose cell boundaries.

Each file is named after its defect (see fixtures/README.md, ``tokens/``)
and must give the seed's values field by field (``tests/test_token_shapes.py``):

``seed-space-runs.txt``        every tab became a run of 2-4 spaces (a web
                               copy), so the number of empty cells is unknown;
``seed-single-spaces.txt``     cells separated by one space, empty cells gone;
``seed-cell-per-line.txt``     one non-empty cell per line, rows lost;
``seed-cell-per-line-empty-lines.txt``  one cell per line, every empty cell
                               kept as an empty line;
``seed-cell-per-line-space-lines.txt``  the same, an empty cell a line of one
                               space;
``seed-cell-per-line-tab-lines.txt``    the same, an empty cell a line of one
                               tab (the tabs separate no cells);
``seed-form-per-line.txt``     each form's cells on one line, one space apart;
``seed-pdf-viewer-copy.txt``   the text a PDF viewer copies from the seed's
                               printed forms (pdfplumber ``extract_text``);
``seed-pdftotext-layout.txt``  ``pdftotext -layout`` of the same PDF;
``seed-pdftotext-layout-a4-portrait.txt``  ``pdftotext -layout`` of the seed
                               printed on A4 portrait: narrow columns, header
                               words and labels wrapped over two or three lines.

The first four are made from the seed's text alone; the last two need the
PDF written by ``tests/fixturegen`` (reportlab) and poppler's ``pdftotext``.
Run ``python tests/make_token_shapes.py`` after changing this file; the test
checks the committed files are what this script writes.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
OUT = ROOT / "fixtures" / "tokens"


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def space_runs(lines: list[str]) -> str:
    """Every tab a run of 2, 3 or 4 spaces (fixed pseudo-random choice)."""
    rng = random.Random(12)
    out = []
    for line in lines:
        out.append("".join(" " * rng.randint(2, 4) if ch == "\t" else ch for ch in line).rstrip())
    return "\n".join(out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t") if c.strip()]


def single_spaces(lines: list[str]) -> str:
    return "\n".join(" ".join(_cells(line)) if "\t" in line else line for line in lines)


def cell_per_line(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        out.extend(_cells(line) if "\t" in line else [line])
    return "\n".join(out)


def cell_per_line_kept(lines: list[str], empty: str) -> str:
    """One cell per line, every cell of a tab-separated line kept, an empty
    one as the line ``empty`` ("", " " or a tab)."""
    out: list[str] = []
    for line in lines:
        out.extend((c.strip() or empty for c in line.split("\t")) if "\t" in line else [line])
    return "\n".join(out)


def form_per_line(lines: list[str]) -> str:
    """Each form (from its ``##`` title) on one line; the title's ``## `` kept."""
    forms: list[list[str]] = []
    for line in lines:
        if line.startswith("#"):
            forms.append([])
        if forms:
            forms[-1].extend(_cells(line) if "\t" in line else [line.strip()] if line.strip() else [])
    return "\n\n".join(" ".join(cells) for cells in forms) + "\n"


def _seed_pdf(folder: Path, portrait: bool = False) -> Path:
    from fixturegen.pdf import TTF_FONT, Style, render_pdf
    from fixturegen.seed import load_seed
    from reportlab.lib.pagesizes import A4

    # the embedded TrueType font: poppler needs no CJK language pack to read it
    style = Style(font=TTF_FONT, page=A4) if portrait else Style(font=TTF_FONT)
    return render_pdf(load_seed(), folder / ("seed-portrait.pdf" if portrait else "seed.pdf"), style)


def viewer_copy(pdf: Path) -> str:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return "\n".join(page.extract_text() for page in doc.pages) + "\n"


def layout_copy(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def write_all(out: Path = OUT, pdf: bool = True) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    lines = seed_lines()
    files = {
        "space-runs": ("seed-space-runs.txt", space_runs(lines)),
        "single-spaces": ("seed-single-spaces.txt", single_spaces(lines)),
        "cell-per-line": ("seed-cell-per-line.txt", cell_per_line(lines)),
        "cell-per-line-empty-lines": ("seed-cell-per-line-empty-lines.txt", cell_per_line_kept(lines, "")),
        "cell-per-line-space-lines": ("seed-cell-per-line-space-lines.txt", cell_per_line_kept(lines, " ")),
        "cell-per-line-tab-lines": ("seed-cell-per-line-tab-lines.txt", cell_per_line_kept(lines, "\t")),
        "form-per-line": ("seed-form-per-line.txt", form_per_line(lines)),
    }
    if pdf:
        with tempfile.TemporaryDirectory() as tmp:
            path = _seed_pdf(Path(tmp))
            files["pdf-viewer-copy"] = ("seed-pdf-viewer-copy.txt", viewer_copy(path))
            if shutil.which("pdftotext"):
                files["pdftotext-layout"] = ("seed-pdftotext-layout.txt", layout_copy(path))
                files["pdftotext-layout-a4-portrait"] = ("seed-pdftotext-layout-a4-portrait.txt",
                                                         layout_copy(_seed_pdf(Path(tmp), portrait=True)))
    written = {}
    for key, (name, text) in files.items():
        path = out / name
        path.write_bytes(text.encode("utf-8"))
        written[key] = path
    return written


if __name__ == "__main__":
    for key, path in write_all().items():
        print(f"{key:26s} {path.relative_to(ROOT)}")
