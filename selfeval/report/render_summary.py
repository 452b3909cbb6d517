"""The report's first screen: what went in, what came out, what the tool doubted."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from html import escape

import pandas as pd

from selfeval.findings import CODES
from selfeval.report.locate import SEVERITY_RANK, worst_rank
from selfeval.report.render_form import SEVERITY_WORD, FormView

REVIEW_LIST_MAX = 50  # forms listed on the first screen; the rest are reached with the filters


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return '<span class="null">—</span>'
    if isinstance(value, (dict, list)):
        return f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"
    text = str(value)
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):  # a sha256
        return f'<code title="{text}">{text[:12]}…</code>'
    return escape(text)


def inputs_table(manifest: dict) -> str:
    inputs = manifest.get("inputs")
    if isinstance(inputs, dict):
        inputs = [{"doc_id": k, **(v if isinstance(v, dict) else {"value": v})} for k, v in inputs.items()]
    scalars = {k: v for k, v in manifest.items() if not isinstance(v, (dict, list)) and not k.startswith("_")}
    parts = []
    if manifest.get("_error"):
        parts.append(f'<p class="problem">{escape(manifest["_error"])}</p>')
    if scalars:
        parts.append('<p class="meta">' + " · ".join(f"{escape(str(k))}: {_cell(v)}" for k, v in scalars.items())
                     + "</p>")
    if isinstance(inputs, list) and inputs:
        columns = list(dict.fromkeys(k for row in inputs if isinstance(row, dict) for k in row))
        head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>"
                       for row in inputs if isinstance(row, dict))
        parts.append(f'<div class="scroll"><table class="grid"><tr>{head}</tr>{body}</table></div>')
    if not parts:
        parts.append('<p class="problem">没有 manifest.json / no manifest.json in the output folder</p>')
    return "".join(parts)


def cards(n_inputs: int, forms: pd.DataFrame, indicators: pd.DataFrame, findings: pd.DataFrame) -> str:
    by_sev = Counter(findings["severity"].astype(str))
    sev = "".join(f'<span class="badge sev-{s}">{by_sev.get(s, 0)} {s}</span>' for s in SEVERITY_RANK)
    items = [("输入文件 inputs", n_inputs), ("表 forms", len(forms)), ("指标 indicators", len(indicators)),
             ("发现 findings", len(findings))]
    body = "".join(f'<div class="card"><div class="big">{n}</div><div>{label}</div></div>' for label, n in items)
    return f'<div class="cards">{body}<div class="card sevs">{sev}</div></div>'


def codes_table(findings: pd.DataFrame) -> str:
    if findings.empty:
        return '<p class="clean">没有发现 / no findings.</p>'
    frame = findings.assign(code=findings["code"].astype(str), severity=findings["severity"].astype(str))
    forms = frame.dropna(subset=["form_index"]).drop_duplicates(["code", "doc_id", "form_index"])
    n_forms = forms.groupby("code").size()
    grouped = frame.groupby(["severity", "code"]).size().reset_index(name="n")
    grouped["rank"] = grouped["severity"].map(SEVERITY_RANK).fillna(9)
    rows = []
    for r in grouped.sort_values(["rank", "n"], ascending=[True, False]).itertuples(index=False):
        title = CODES[r.code].title if r.code in CODES else ""
        rows.append(f'<tr class="pick sev-{escape(r.severity)}" data-code="{escape(r.code)}" '
                    f'title="只看这一类 / show only these"><td><span class="badge sev-{escape(r.severity)}">'
                    f'{escape(r.severity)}</span></td><td><code>{escape(r.code)}</code></td><td>{escape(title)}</td>'
                    f'<td class="n">{r.n}</td><td class="n">{int(n_forms.get(r.code, 0))}</td></tr>')
    head = "<tr><th>级别 severity</th><th>代码 code</th><th>含义</th><th>次数</th><th>涉及表数</th></tr>"
    return f'<table class="grid codes">{head}{"".join(rows)}</table>'


def review_list(views: Sequence[FormView]) -> str:
    """Forms with errors first, then warnings, then repairs; each opens the form below."""
    doubtful = [v for v in views if v.flags]
    if not doubtful:
        return '<p class="clean">所有表均无发现 / every form is clean.</p>'
    rows = []
    for v in doubtful[:REVIEW_LIST_MAX]:
        counts = Counter(f.severity for f in v.flags)
        codes = ", ".join(sorted({f.code for f in v.flags if f.severity != "info"})) or "—"
        f = v.form
        rows.append(
            f'<tr class="pick rank-{worst_rank(v.flags)}" data-form="{escape(v.key)}"><td>{escape(str(f.get("doc_id")))}'
            f'</td><td class="n">{escape(str(f.get("form_seq")))}</td><td>{escape(str(f.get("project_name") or ""))}</td>'
            + "".join(f'<td class="n">{counts.get(s, 0) or ""}</td>' for s in SEVERITY_RANK)
            + f"<td>{escape(codes)}</td></tr>")
    more = len(doubtful) - REVIEW_LIST_MAX
    tail = f'<p class="meta">另有 {more} 表有发现，用下方筛选查看 / {more} more below.</p>' if more > 0 else ""
    head = ("<tr><th>文档 doc</th><th>项目序号</th><th>项目名称</th><th>错误</th><th>警告</th><th>修复</th>"
            "<th>问题代码 codes</th></tr>")
    return f'<div class="scroll"><table class="grid review">{head}{"".join(rows)}</table></div>{tail}'


def file_findings(findings: pd.DataFrame) -> str:
    """Findings that belong to no form: unreadable inputs, stray lines outside any form."""
    if findings.empty:
        return ""
    rows = []
    for r in findings.sort_values(["doc_id", "line"], na_position="first").itertuples(index=False):
        sev = escape(str(r.severity))
        line = "" if pd.isna(r.line) else str(r.line)
        text = getattr(r, "text", None)
        quote = f'<q class="val">{escape(str(text))}</q>' if isinstance(text, str) and text else ""
        rows.append(f'<tr class="sev-{sev}"><td><span class="badge sev-{sev}">{sev}</span></td>'
                    f"<td>{escape(str(r.doc_id))}</td><td class=n>{line}</td><td><code>{escape(str(r.code))}</code>"
                    f"</td><td>{escape(str(r.message))} {quote}</td></tr>")
    head = "<tr><th>级别</th><th>文档 doc</th><th>行</th><th>代码</th><th>说明 / source text</th></tr>"
    return (f'<h2 id="file-findings">表外发现 / findings outside any form ({len(rows)})</h2>'
            f'<div class="scroll"><table class="grid">{head}{"".join(rows)}</table></div>')


def filter_bar(findings: pd.DataFrame) -> str:
    codes = sorted(set(findings["code"].dropna().astype(str)))
    sev_opts = "".join(f'<option value="{s}">{SEVERITY_WORD[s]}</option>' for s in SEVERITY_RANK)
    code_opts = "".join(f'<option value="{escape(c)}">{escape(c)}</option>' for c in codes)
    return (
        '<form id="filters" class="filters" autocomplete="off" onsubmit="return false">'
        f'<label>级别 <select id="f-sev"><option value="">全部 all</option>{sev_opts}'
        '<option value="clean">无发现 clean</option></select></label>'
        f'<label>代码 <select id="f-code"><option value="">全部 all</option>{code_opts}</select></label>'
        '<label>表 <input id="f-q" type="search" placeholder="项目序号 / 名称 / 文档"></label>'
        '<label>排序 <select id="f-sort"><option value="rank">问题优先 problems first</option>'
        '<option value="doc">文档顺序 document order</option></select></label>'
        '<label>每页 <select id="f-size"><option>10</option><option selected>20</option><option>50</option>'
        '<option>100</option></select></label>'
        '<button type="button" id="f-reset">清除 reset</button></form>'
        '<div class="pager"><button type="button" id="p-prev">‹ 上一页</button> <output id="p-info"></output> '
        '<button type="button" id="p-next">下一页 ›</button> · 本页标记数值 flagged values shown: '
        '<output id="visible-flags">0</output></div>'
    )
