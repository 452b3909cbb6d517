"""Batch tables to one view per form: its rows, its findings placed on cells, its source."""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from pathlib import Path

import pandas as pd

from selfeval.report.load import BatchTables, SourceReader, is_text_source, page_image
from selfeval.report.locate import locate
from selfeval.report.render_form import FormView, SourcePanel

PAGE_IMAGE_MAX_PX = (1100, 1600)  # page images are scaled down to this box before embedding
PAGE_IMAGE_QUALITY = 75


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for every kind of missing value."""
    if frame.empty:
        return []
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _key(doc_id: object, form_index: object) -> tuple[str, int | None]:
    return str(doc_id), (None if form_index is None else int(form_index))  # type: ignore[arg-type]


def _by_form(rows: list[dict], sort_by: str) -> dict[tuple[str, int | None], list[dict]]:
    grouped: dict[tuple[str, int | None], list[dict]] = defaultdict(list)
    for row in rows:
        grouped[_key(row.get("doc_id"), row.get("form_index"))].append(row)
    for group in grouped.values():
        group.sort(key=lambda r: (r.get(sort_by) is None, r.get(sort_by) or 0))
    return grouped


def image_data_uri(path: Path) -> str:
    """A page image as a data URI, scaled down so that a large batch stays openable."""
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with pdfplumber; without it the file is embedded as it is
        mime = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
        return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    with Image.open(path) as image:
        image = image.convert("RGB")
        image.thumbnail(PAGE_IMAGE_MAX_PX)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=PAGE_IMAGE_QUALITY)
    return f"data:image/jpeg;base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def source_panel(form: dict, reader: SourceReader, out_dir: Path, pages: set[int] | None = None) -> SourcePanel:
    """Source lines for a text input; for a PDF or scan, the images of the pages the form's rows are on."""
    path, page = form.get("source_path"), form.get("page")
    if is_text_source(path, page):
        start, end = form.get("line_start"), form.get("line_end")
        if start is None or end is None:
            return SourcePanel(problem="表没有行号 / the form has no line range")
        source = reader.lines(str(path))
        if source.lines is None:
            return SourcePanel(problem=f"源文件缺失，仅显示提取结果 / {source.problem}")
        return SourcePanel(lines=source.span(int(start), int(end)), shape=source.shape,
                           caption=f"{path} 第 {start}–{end} 行")
    if page is not None:
        images, missing = [], []
        for number in sorted({int(page), *(pages or ())}):
            image = page_image(out_dir, {**form, "page": number})
            if image is None:
                missing.append(number)
            else:
                images.append((image_data_uri(image), f"{path} 第 {number} 页", number))
        problem = None
        if missing:
            problem = (f"{path} 第 {', '.join(map(str, missing))} 页：没有页面图像 / no page image "
                       "(looked for pages/ in the output folder)")
        return SourcePanel(images=images, problem=problem)
    return SourcePanel(problem=f"{path}: 源不是文本或页面，见各发现的行号 / not a text or page source; "
                               "see the lines named in the findings")


def build_views(data: BatchTables) -> tuple[list[FormView], pd.DataFrame]:
    """One FormView per form, in table order, and the findings that belong to no form."""
    forms = records(data.forms)
    funding = _by_form(records(data.funding), "line")
    indicators = _by_form(records(data.indicators), "indicator_seq")
    keys = {_key(f.get("doc_id"), f.get("form_index")) for f in forms}
    by_seq: dict[tuple[str, object], tuple[str, int | None]] = {}
    for f in forms:
        by_seq.setdefault((str(f.get("doc_id")), f.get("form_seq")), _key(f.get("doc_id"), f.get("form_index")))

    findings: dict[tuple[str, int | None], list[dict]] = defaultdict(list)
    outside: list[int] = []
    for position, row in enumerate(records(data.findings)):
        key = _key(row.get("doc_id"), row.get("form_index"))
        if key not in keys and row.get("form_seq") is not None:
            key = by_seq.get((str(row.get("doc_id")), row.get("form_seq")), key)
        if key in keys:
            findings[key].append(row)
        else:
            outside.append(position)

    reader = SourceReader(data.out_dir)
    views = []
    for n, form in enumerate(forms):
        key = _key(form.get("doc_id"), form.get("form_index"))
        f_rows, i_rows = funding.get(key, []), indicators.get(key, [])
        pages = {int(r["page"]) for r in (*f_rows, *i_rows, *findings.get(key, [])) if r.get("page") is not None}
        views.append(FormView(
            anchor=f"F{n + 1}", key=f"{key[0]}#{key[1]}", form=form, funding=f_rows, indicators=i_rows,
            flags=locate(findings.get(key, []), f_rows, i_rows),
            source=source_panel(form, reader, data.out_dir, pages),
        ))
    return views, data.findings.iloc[outside]
