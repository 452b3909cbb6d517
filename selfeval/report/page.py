"""The whole report page: summary, charts, and one inert ``<template>`` per form.

Forms are rendered in Python but parked in ``<template>`` elements, which
the browser parses without laying out; the page script shows one page of
them at a time, so a batch of thousands of forms opens without freezing.
CSS, script and page skeleton are package data in ``static/``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from html import escape
from importlib.resources import files
from string import Template

import pandas as pd

from selfeval import __version__
from selfeval.report import charts
from selfeval.report import render_summary as summary
from selfeval.report.load import BatchTables
from selfeval.report.locate import review_key
from selfeval.report.render_form import FormView, render_form

TITLE = "绩效自评表审核报告 · selfeval review"


def static_text(name: str) -> str:
    return (files("selfeval.report") / "static" / name).read_text(encoding="utf-8")


def _template(view: FormView, order: int) -> str:
    f = view.form
    sevs = sorted({flag.severity for flag in view.flags})
    codes = sorted({flag.code for flag in view.flags})
    search = " ".join(str(x) for x in (f.get("form_seq"), f.get("project_name"), f.get("doc_id"),
                                       f.get("budget_unit"), f.get("implementing_unit")) if x is not None)
    rank, n_worst, n_codes = review_key(view.flags)
    return (f'<template class="form-tpl" data-key="{escape(view.key)}" data-order="{order}" '
            f'data-rank="{rank}" data-weight="{-n_worst * 100 - n_codes}" data-sevs="{" ".join(sevs)}" data-codes="{escape(" ".join(codes))}" '
            f'data-search="{escape(search.lower())}">{render_form(view)}</template>')


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
        f'<p id="single-form" hidden></p><div id="forms"></div></section>'
    )
    templates = "".join(_template(v, i) for i, v in enumerate(views))
    return Template(static_text("report.html")).substitute(
        title=escape(TITLE), meta=meta, css=static_text("report.css"), body=body, templates=templates,
        js=static_text("report.js"), version=escape(__version__))
