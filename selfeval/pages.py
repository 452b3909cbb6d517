"""Page images for the review report: each PDF or image page that holds a form.

``selfeval extract … --report`` calls :func:`render_pages` after the tables
are written.  It reads the ``forms`` table of the output folder (so it works
the same whether the batch kept its rows in memory or streamed them), and
for every form whose source is a PDF or an image writes
``OUT/pages/<doc_id with / replaced by __>-p<N>.png`` for each page from
``page`` to ``page_end``: a PDF page rendered at :data:`DPI` (pdfplumber's
``page.to_image``, i.e. pypdfium2), an image page (a TIFF frame) scaled down
to at most :data:`MAX_SIDE` pixels.  That is the name
:func:`selfeval.report.load.page_image` looks for.

Pages are rendered only for the report: rendering costs about as much as
reading a page and the PNGs take ~100-300 kB each, and nothing but the
report uses them.  Each image is written atomically; ``pages/index.json``
records the source's sha256 and the resolution of every image, so a second
run (e.g. with ``--resume``) renders only pages of new or changed files.
A page that cannot be rendered is returned as a problem (the report then
says "no page image"); it never fails the run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from selfeval.extract.readers import sniff_suffix
from selfeval.findings import describe
from selfeval.output.writers import atomic_write, remove_stale_tmp

DPI = 100
MAX_SIDE = 1600  # longest side of an image page's copy, in pixels
INDEX = "index.json"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})


@dataclass(frozen=True)
class FormPages:
    doc_id: str
    source_path: str
    pages: tuple[int, ...]


def page_image_name(doc_id: str, page: int, suffix: str = ".png") -> str:
    """The file name the report looks for: ``<doc_id, / → __>-p<page>.png``."""
    return f"{doc_id.replace('/', '__').replace(chr(92), '__')}-p{page}{suffix}"


def form_pages(out_dir: Path) -> list[FormPages]:
    """The pages that hold forms, per document, from OUT's forms table (Parquet, else CSV)."""
    rows = _forms_rows(out_dir)
    pages: dict[tuple[str, str], set[int]] = {}
    for row in rows:
        first, last = _int(row.get("page")), _int(row.get("page_end"))
        if first is None or not row.get("doc_id") or not row.get("source_path"):
            continue
        last = first if last is None or last < first else last
        pages.setdefault((str(row["doc_id"]), str(row["source_path"])), set()).update(range(first, last + 1))
    return [FormPages(doc_id, path, tuple(sorted(p))) for (doc_id, path), p in sorted(pages.items())]


def _forms_rows(out_dir: Path) -> list[dict]:
    parquet, csv_path = out_dir / "forms.parquet", out_dir / "forms.csv"
    if parquet.is_file():
        import pyarrow.parquet as pq

        columns = [c for c in ("doc_id", "source_path", "page", "page_end") if c in pq.read_schema(parquet).names]
        return pq.read_table(parquet, columns=columns).to_pylist()
    if csv_path.is_file():
        with open(csv_path, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    return []


def _int(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(float(value))  # CSV gives "3" or "3.0"
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def render_pages(out_dir: Path, dpi: int = DPI) -> tuple[list[Path], list[str]]:
    """Write the page images of OUT's PDF and image forms; returns the images
    (written now or still current) and the problems met, one line each."""
    folder = out_dir / "pages"
    remove_stale_tmp(folder)
    index = _read_index(folder)
    images: list[Path] = []
    problems: list[str] = []
    for doc in form_pages(out_dir):
        source = Path(doc.source_path)
        try:
            data = source.read_bytes()
        except OSError as exc:
            problems.append(f"{doc.source_path}: cannot read the source to render its pages ({describe(exc)})")
            continue
        stamp = f"{hashlib.sha256(data).hexdigest()}:{dpi}:{MAX_SIDE}"
        wanted = {p: folder / page_image_name(doc.doc_id, p) for p in doc.pages}
        todo = [p for p, path in wanted.items() if index.get(path.name) != stamp or not path.is_file()]
        kind = sniff_suffix(Path(doc.source_path), data)
        if kind == ".pdf":
            render = _render_pdf
        elif kind in IMAGE_SUFFIXES:
            render = _render_image
        else:
            continue  # not a paged source (text, workbook, Word file)
        for page, png in render(data, todo, dpi, doc.source_path, problems):
            atomic_write(wanted[page], png)
            index[wanted[page].name] = stamp
        images += [path for path in wanted.values() if path.is_file() and index.get(path.name) == stamp]
    if images or index:
        atomic_write(folder / INDEX, json.dumps(index, sort_keys=True, indent=0).encode("utf-8"))
    return images, problems


def _read_index(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _render_pdf(data: bytes, pages: list[int], dpi: int, name: str, problems: list[str]) -> Iterable[tuple[int, bytes]]:
    if not pages:
        return
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
            for number in pages:
                if number > count:
                    problems.append(f"{name}: page {number} is not in the file ({count} pages); not rendered")
                    continue
                page = pdf.pages[number - 1]
                try:
                    image = page.to_image(resolution=dpi).original
                    yield number, _png(image.convert("RGB"))
                except Exception as exc:  # the renderer rejects a damaged page in its own ways
                    problems.append(f"{name}: page {number} cannot be rendered ({describe(exc)})")
                finally:
                    page.close()
    except Exception as exc:  # an unreadable file: its forms came from elsewhere (OCR) or not at all
        problems.append(f"{name}: the PDF cannot be opened to render its pages ({describe(exc)})")


def _render_image(data: bytes, pages: list[int], dpi: int, name: str, problems: list[str]) -> Iterable[tuple[int, bytes]]:
    if not pages:
        return
    from PIL import Image, ImageOps

    try:
        img = Image.open(io.BytesIO(data))
        frames = getattr(img, "n_frames", 1)
        for number in pages:
            if number > frames:
                problems.append(f"{name}: page {number} is not in the image ({frames} pages); not rendered")
                continue
            img.seek(number - 1)
            frame = ImageOps.exif_transpose(img).convert("RGB")
            frame.thumbnail((MAX_SIDE, MAX_SIDE))  # only ever scales down
            yield number, _png(frame)
    except Exception as exc:  # PIL raises many kinds for a damaged image
        problems.append(f"{name}: the image cannot be copied for the report ({describe(exc)})")
