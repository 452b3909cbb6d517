"""The whole report page: summary, charts, and every form's HTML, compressed.

Forms are rendered in Python and stored gzip-compressed in inert script
elements (see :func:`_chunks`); the page script decompresses and parses only
the forms it shows (one page of them), choosing them from a small index of
every form's severities, codes and search text.  So a batch of thousands of
forms is a page of a few megabytes that opens at once.  CSS, script and page
skeleton are package data in ``static/``.
"""

from __future__ import annotations

import base64
import datetime as _dt
import gzip
import hashlib
import json
from collections.abc import Sequence
from html import escape
from importlib.resources import files
from string import Template

import pandas as pd

from selfeval import __version__
from selfeval.corrections import CORRECTABLE
from selfeval.output.tables import SCHEMAS
from selfeval.report import charts
from selfeval.report import render_summary as summary
from selfeval.report.load import BatchTables
from selfeval.report.locate import review_key
from selfeval.report.render_form import FormView, render_form

TITLE = "绩效自评表审核报告 · selfeval review"


def static_text(name: str) -> str:
    return (files("selfeval.report") / "static" / name).read_text(encoding="utf-8")


FORMS_PER_CHUNK = 50  # forms compressed together: neighbours share most of their markup


def _chunks(views: Sequence[FormView]) -> str:
    """Every form's HTML, in chunks of FORMS_PER_CHUNK forms: each chunk a JSON array of
    [HTML, correctable values] pairs, gzip-compressed and base64-encoded into an inert script element.  The page
    script decompresses (DecompressionStream) only the chunks of the forms it shows, so the
    page stays small and opens at once however many forms the batch holds."""
    out = []
    for n in range(0, len(views), FORMS_PER_CHUNK):
        part = [[render_form(v), v.values()] for v in views[n:n + FORMS_PER_CHUNK]]
        data = gzip.compress(json.dumps(part, ensure_ascii=False).encode("utf-8"), compresslevel=6, mtime=0)
        out.append(f'<script type="application/gzip" class="form-chunk" id="c{n // FORMS_PER_CHUNK}">'
                   f'{base64.b64encode(data).decode("ascii")}</script>')
    return "".join(out)


def index_entry(view: FormView, order: int) -> list:
    """What the page script needs of a form before showing it: [key, order, rank, weight,
    severities, codes, search text, number of findings].  ``weight`` sorts the forms of one
    rank: the more findings of that severity (then the more distinct codes), the lower."""
    f = view.form
    sevs = sorted({flag.severity for flag in view.flags})
    codes = sorted({flag.code for flag in view.flags})
    search = " ".join(str(x) for x in (f.get("form_seq"), f.get("project_name"), f.get("doc_id"),
                                       f.get("budget_unit"), f.get("implementing_unit")) if x is not None)
    rank, minus_worst, minus_codes = review_key(view.flags)
    return [view.key, order, rank, minus_worst * 100 + minus_codes, sevs, codes, search.lower(), len(view.flags)]


def _json_script(element_id: str, value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


REVIEW_BAR = (
    '<div id="review-bar" role="region" aria-label="审核 review">'
    '<button type="button" id="rv-prev" title="上一个疑点 (k)">‹ k</button>'
    '<button type="button" id="rv-next" title="下一个疑点 (j)">j ›</button>'
    '<span id="rv-what"></span>'
    '<button type="button" id="rv-accept" title="接受这个值 (a)">接受 accept (a)</button>'
    '<button type="button" id="rv-correct" title="更正这个值 (c)">更正 correct (c)</button>'
    '<button type="button" id="rv-undo" title="撤销这个决定 (u)">撤销 (u)</button>'
    '<span id="rv-count"></span>'
    '<button type="button" id="rv-download">下载 corrections.csv</button>'
    '<span id="rv-status" role="status"></span>'
    '<span id="rv-editor"><label>字段 <select id="rv-field"></select></label> '
    '<span class="meta">原值 <code id="rv-old"></code></span> '
    '<label>更正为 <input id="rv-new" type="text" size="14"></label> '
    '<label>说明 <input id="rv-note" type="text" size="24" placeholder="为什么 / why"></label> '
    '<button type="button" id="rv-save">保存 (Enter)</button><button type="button" id="rv-cancel">取消 (Esc)</button>'
    '</span></div>'
)
_KINDS = {"double": "float", "int64": "int"}


def _types() -> dict[str, dict[str, str]]:
    """float, int or text for each correctable column: how the page writes a corrected value."""
    types = {name: {c.name: _KINDS.get(str(c.type), "text") for c in cols} for name, cols in SCHEMAS.items()}
    return {table: {f: types[table][f] for f in fields} for table, fields in CORRECTABLE.items()}


def batch_id(data: BatchTables) -> str:
    """The key the review decisions are kept under in the browser: the inputs (names and
    sha256), so a re-extraction of the same files finds the decisions made before."""
    inputs = data.manifest.get("inputs")
    if isinstance(inputs, list) and inputs:
        parts = sorted(f"{e.get('doc_id')}:{e.get('sha256')}" for e in inputs if isinstance(e, dict))
    else:
        parts = sorted(set(data.forms["doc_id"].astype(str)))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _n_inputs(data: BatchTables) -> int:
    inputs = data.manifest.get("inputs")
    if isinstance(inputs, (list, dict)) and inputs:
        return len(inputs)
    return len(set(data.forms["doc_id"].astype(str)) | set(data.findings["doc_id"].dropna().astype(str)))


def _charts(data: BatchTables) -> str:
    items = [
        ("执行率（按项目） / execution rate by project",
         charts.execution_rate_chart(data.forms, data.funding, data.findings)),
        ("分值与得分（按一级指标） / score vs weight by level-1 indicator",
         charts.score_weight_chart(data.forms, data.funding, data.indicators)),
        ("目标完成情况 / targets met vs not met", charts.targets_chart(data.indicators)),
    ]
    return "".join(f'<figure class="chartbox"><figcaption>{escape(title)}</figcaption>{svg}</figure>'
                   for title, svg in items)


def render_page(data: BatchTables, views: Sequence[FormView], outside: pd.DataFrame) -> str:
    ranked = sorted(views, key=lambda v: review_key(v.flags))
    created = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    formats = ", ".join(f"{k}.{v}" for k, v in data.formats.items())
    meta = f"{escape(str(data.out_dir))} · {escape(formats)} · 生成于 {created} · selfeval {escape(__version__)}"
    body = (
        f'<section id="summary"><h2>概览 / summary</h2>'
        f"{summary.cards(_n_inputs(data), data.forms, data.indicators, data.findings)}"
        f'<h3>输入 / inputs</h3>{summary.inputs_table(data.manifest)}'
        f'<h3>发现（按级别与代码） / findings by severity and code</h3>{summary.codes_table(data.findings)}'
        f'<h3>待审核的表（错误优先） / forms to review, errors first</h3>{summary.review_list(ranked)}'
        f"{summary.file_findings(outside)}</section>"
        f'<section id="charts"><h2>图表 / charts</h2><div class="charts">{_charts(data)}</div></section>'
        f'<section id="review"><h2 id="forms-top">逐表审核 / forms</h2>{summary.filter_bar(data.findings)}'
        f'<p id="single-form" hidden></p><div id="forms"></div></section>{REVIEW_BAR}'
    )
    templates = _chunks(views)
    templates += _json_script("form-index", [index_entry(v, i) for i, v in enumerate(views)])
    templates += _json_script("batch", {"id": batch_id(data), "types": _types(), "chunk": FORMS_PER_CHUNK})
    return Template(static_text("report.html")).substitute(
        title=escape(TITLE), meta=meta, css=static_text("report.css"), body=body, templates=templates,
        js=static_text("report.js") + static_text("review.js"), version=escape(__version__))
