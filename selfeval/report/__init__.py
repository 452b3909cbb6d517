"""The review report: one self-contained HTML file a reviewer opens without Python.

``write_report(out_dir)`` reads what ``selfeval extract --out OUT_DIR`` wrote
(the four tables and ``manifest.json``) and writes ``OUT_DIR/report.html``:
a summary, charts, and every form's extracted record beside its source lines
(or page image), with each value the tool repaired or doubted highlighted
and its finding next to it.  No network is needed to view it: CSS, script
and charts are inline, and a Content-Security-Policy forbids any fetch.

Stages, one module each: :mod:`.load` (tables, manifest, source text),
:mod:`.locate` (findings to record cells), :mod:`.views` (one view per form),
:mod:`.charts` (SVG), :mod:`.render_form` / :mod:`.render_summary` (HTML)
and :mod:`.page` (the document, with ``static/`` CSS and JS).
"""

from __future__ import annotations

from pathlib import Path

from selfeval.report.load import ReportInputError, load_batch
from selfeval.report.page import render_page
from selfeval.report.views import build_views

REPORT_NAME = "report.html"

__all__ = ["REPORT_NAME", "ReportInputError", "write_report"]


def write_report(out_dir: Path) -> Path:
    """Write ``out_dir/report.html`` from the batch output in ``out_dir``; return its path.

    Raises :class:`ReportInputError` (with what to do) when ``out_dir`` holds no batch output.
    """
    out_dir = Path(out_dir)
    data = load_batch(out_dir)
    views, outside = build_views(data)
    path = out_dir / REPORT_NAME
    path.write_text(render_page(data, views, outside), encoding="utf-8")
    return path
