"""Web pages and legacy Word files against their raw engines, in one run.

HTML: the seed's 27 forms as a plain page (rowspan/colspan) and as Word's
web export, each repeated 1x and 10x in one file, measured three ways on
the same bytes:

lxml      ``lxml.html.document_fromstring`` alone (the parser, no walk);
reader    :func:`selfeval.extract.html.read_html` (decode, parse, walk the
          page, expand the spans into the grid);
pipeline  ``read_document`` and the normalizer (the file's records).

.doc: the seed's 27 forms as a .doc made by LibreOffice from the .docx
fixture; the LibreOffice conversion (``soffice --convert-to docx``, a fresh
private profile each time, process start included) is timed apart from the
.docx reader that follows it, and both against reading the original .docx.

Times are the best of a few repeats (``time.perf_counter``).
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

REPEATS = 3


def best_of(fn, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def html_cases(forms, folder: Path) -> list[dict]:
    import lxml.html
    from fixturegen.web import page_html, word_html

    from selfeval.extract.html import read_html
    from selfeval.extract.readers import InputFile, Source
    from selfeval.pipeline import _process_file
    from selfeval.settings import Settings

    settings = Settings()
    out: list[dict] = []
    for name, make, encoding in (("plain page", page_html, "utf-8"), ("Word web export", word_html, "gb18030")):
        for copies in (1, 10):
            data = make(list(forms) * copies).encode(encoding)
            path = folder / f"{name.replace(' ', '-')}-{copies}.html"
            path.write_bytes(data)
            source = Source(path, path.name, data, "")
            parser = lxml.html.HTMLParser(encoding="utf-8")
            text = data.decode(encoding).encode("utf-8")
            raw = best_of(lambda: lxml.html.document_fromstring(text, parser=parser))  # noqa: B023
            reader = best_of(lambda: read_html(source, settings))  # noqa: B023
            whole = best_of(lambda: _process_file(InputFile(path, path.name), settings, time.perf_counter()))  # noqa: B023
            case = f"{name}, {27 * copies} forms, {len(data) // 1024} KB"
            out += [
                {"case": case, "metric": "lxml parse alone", "value": f"{raw * 1000:.1f} ms"},
                {"case": case, "metric": "reader (grid)", "value": f"{reader * 1000:.1f} ms = {reader / raw:.1f}x lxml"},
                {"case": case, "metric": "pipeline (records)", "value": f"{whole * 1000:.1f} ms = {whole / raw:.1f}x lxml"},
            ]
    return out


def doc_cases(forms, folder: Path) -> list[dict]:
    from fixturegen.office import write_docx

    from selfeval.extract import soffice
    from selfeval.extract.docx import read_docx
    from selfeval.extract.readers import Source
    from selfeval.settings import Settings

    if soffice.soffice_path() is None:
        return [{"case": ".doc", "metric": "skipped", "value": "LibreOffice is not installed (make install-office)"}]
    settings = Settings()
    docx = write_docx(forms, folder / "forms.docx")
    made = soffice.convert(docx.read_bytes(), ".docx", "doc", settings)
    assert made.data is not None, made.problem
    doc_bytes = made.data
    conversions = [soffice.convert(doc_bytes, ".doc", "docx", settings) for _ in range(REPEATS)]
    convert_s = min(c.seconds for c in conversions)
    converted = conversions[0].data
    assert converted is not None
    source = Source(folder / "forms.docx", "forms.docx", converted, "")
    original = Source(docx, docx.name, docx.read_bytes(), "")
    read_s = best_of(lambda: read_docx(source, settings))
    native_s = best_of(lambda: read_docx(original, settings))
    case = f"27 forms, .doc {len(doc_bytes) // 1024} KB"
    return [
        {"case": case, "metric": "LibreOffice conversion", "value": f"{convert_s:.2f} s"},
        {"case": case, "metric": "then the .docx reader", "value": f"{read_s * 1000:.0f} ms"},
        {"case": case, "metric": "the original .docx read", "value": f"{native_s * 1000:.0f} ms"},
        {"case": case, "metric": "conversion / .docx read", "value": f"{convert_s / read_s:.0f}x"},
    ]


def main() -> list[dict]:
    from fixturegen import load_seed

    forms = load_seed()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        summary = html_cases(forms, folder) + doc_cases(forms, folder)
    for row in summary:
        print(f"{row['case']:<44} {row['metric']:<26} {row['value']}")
    return summary


if __name__ == "__main__":
    main()
