"""One form as HTML: its findings, the extracted record, and the source it came from.

The record is laid out like the printed form (funding block, indicator
hierarchy with merged level cells, 总分).  Every value a finding is about is
a ``.flagged`` element carrying the finding numbers (``data-fids``) and
markers; the source lines the findings name carry the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from selfeval.cellmatch import source_cell
from selfeval.corrections import CORRECTABLE
from selfeval.output.writers import csv_cell
from selfeval.report.load import split_cells
from selfeval.report.locate import SEVERITY_RANK, Flag, key_text, worst_rank
from selfeval.settings import DEFAULT_OCR_CONFIDENCE_THRESHOLD

SEVERITY_WORD = {"error": "错误 error", "warning": "警告 warning", "info": "修复 info"}
RATE_TOLERANCE = 0.005  # shows the computed rate beside a flagged stated rate only when they differ


@dataclass
class SourcePanel:
    """What the right-hand column shows: source lines, a page image, or why neither."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    images: list[tuple[str, str, int]] = field(default_factory=list)  # (data URI, caption, page), one per page
    shape: str = "tab"  # how the source separates cells: tab, pipe or spaces
    caption: str = ""
    problem: str | None = None


@dataclass
class FormView:
    anchor: str  # HTML id of the form's section
    key: str  # doc_id#form_index, unique in the batch
    form: dict
    funding: list[dict]
    indicators: list[dict]
    flags: list[Flag]
    source: SourcePanel
    ocr_threshold: float = DEFAULT_OCR_CONFIDENCE_THRESHOLD

    def __post_init__(self) -> None:
        self.by_target: dict[str, list[Flag]] = defaultdict(list)
        self.by_line: dict[int, list[Flag]] = defaultdict(list)
        for flag in self.flags:
            if flag.target:
                self.by_target[flag.target].append(flag)
            if flag.line is not None:
                self.by_line[flag.line].append(flag)

    def record(self, table: str | None, key: str | None) -> dict | None:
        """The form's row of ``table`` with ``key`` (the form itself for forms)."""
        if table == "forms":
            return self.form
        rows, column = (self.funding, "source_key") if table == "funding" else (self.indicators, "indicator_seq")
        if table not in ("funding", "indicators") or key is None:
            return None
        return next((r for r in rows if key_text(r.get(column)) == key), None)

    def values(self) -> dict[str, dict[str, str]]:
        """The correctable values of every record of the form, as the CSV writes them
        (``table|key`` -> field -> text): what corrections.csv compares."""
        out = {"forms|": {c: _csv(self.form.get(c)) for c in CORRECTABLE["forms"]}}
        for table, rows, column in (("funding", self.funding, "source_key"),
                                    ("indicators", self.indicators, "indicator_seq")):
            for r in rows:
                out[f"{table}|{key_text(r.get(column))}"] = {c: _csv(r.get(c)) for c in CORRECTABLE[table]}
        return out



def _csv(value: object) -> str:
    """A value as the tables' CSV writes it (floats by repr, text with its formula guard)."""
    if value is None or value != value:
        return ""
    if isinstance(value, float):
        return csv_cell(float(value))
    if isinstance(value, bool):
        return csv_cell(bool(value))
    if isinstance(value, int):
        return str(int(value))
    return csv_cell(str(value))


def _is_null(value: object) -> bool:
    return value is None or value != value or (isinstance(value, str) and not value.strip())


def _txt(value: object) -> str:
    return '<span class="null">—</span>' if _is_null(value) else escape(str(value))


def _num(value: object) -> str:
    if _is_null(value):
        return '<span class="null">—</span>'
    try:
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return escape(str(value))


def _rate(value: object) -> str:
    if _is_null(value):
        return '<span class="null">—</span>'
    return f"{float(value) * 100:.2f}%"  # type: ignore[arg-type]


def _worst(flags: Sequence[Flag]) -> str:
    return min(flags, key=lambda f: f.rank).severity


def markers(flags: Sequence[Flag]) -> str:
    return "".join(f'<span class="mk sev-{escape(f.severity)}" data-fid="{f.fid}">{f.fid}</span>' for f in flags)


def _flag_attrs(flags: Sequence[Flag], base: str = "", flag_class: str = "flagged") -> str:
    """Attributes of a flagged element: ``flagged`` for a record value, ``src-flagged`` for a source line."""
    if not flags:
        return f' class="{base}"' if base else ""
    fids = " ".join(str(f.fid) for f in flags)
    tip = "\n".join(f"{f.fid}. [{f.code}] {f.message}" for f in flags)
    cls = f"{base} {flag_class} sev-{_worst(flags)}".strip()
    return f' class="{escape(cls)}" data-fids="{fids}" title="{escape(tip)}"'


def _td(view: FormView, key: str, content: str, cls: str = "", extra: str = "") -> str:
    flags = view.by_target.get(key, [])
    return f"<td{_flag_attrs(flags, cls)}{extra}>{content}{markers(flags)}</td>"


def _header(view: FormView) -> str:
    f = view.form
    counts = defaultdict(int)
    for flag in view.flags:
        counts[flag.severity] += 1
    badges = "".join(f'<span class="badge sev-{s}">{counts[s]} {s}</span>'
                     for s in SEVERITY_RANK if counts.get(s))
    seq_flags = view.by_target.get("h.seq", [])
    seq = f"<span{_flag_attrs(seq_flags, 'seq')}>项目序号 {_txt(f.get('form_seq'))}{markers(seq_flags)}</span>"
    where = (f"第 {f['page']} 页" if not _is_null(f.get("page"))
             else f"行 {_txt(f.get('line_start'))}–{_txt(f.get('line_end'))}")
    meta = [escape(str(f.get("doc_id"))), f"文档内第 {_txt(f.get('form_index'))} 表", where]
    for label, name in (("预算单位", "budget_unit"), ("实施单位", "implementing_unit"),
                        ("年度", "year"), ("模板", "template"), ("金额单位", "amount_unit")):
        if not _is_null(f.get(name)):
            meta.append(f"{label} {escape(str(f.get(name)))}")
    return (f'<header><h3>{seq} · {_txt(f.get("project_name"))}</h3>{badges or "<span class=badge>无发现</span>"}'
            f'<p class="meta">{" · ".join(meta)}</p></header>')


def _findings(view: FormView) -> str:
    if not view.flags:
        return '<p class="clean">没有发现。 No findings for this form.</p>'
    items = []
    shown_lines = {n for n, _ in view.source.lines}
    for f in view.flags:
        where = ""
        if f.line is not None and f.line in shown_lines:
            where = f' <button type="button" class="goto" data-target="{view.anchor}-L{f.line}">行 {f.line}</button>'
        elif f.page is not None and view.source.images:
            row = f"，第 {f.line} 行" if f.line is not None else ""
            where = f' <button type="button" class="goto" data-target="{view.anchor}-P{f.page}">第 {f.page} 页{row}</button>'
        elif f.line is not None:
            where = f" 行 {f.line}"
        value = f' <q class="val">{escape(f.text)}</q>' if f.text else ""
        placed = "" if f.target else ' <span class="nocell">（无对应数值 / not on a value）</span>'
        box = ",".join(f"{v:.4f}" for v in f.bbox) if f.bbox and f.page is not None else None
        about = "".join(f' data-{name}="{escape(v)}"' for name, v in
                        (("table", f.table), ("key", f.key), ("field", f.field), ("cell", f.target),
                         ("bbox", box), ("page", str(f.page) if box else None)) if v)
        items.append(
            f'<li class="finding sev-{escape(f.severity)}" data-fid="{f.fid}" data-sev="{escape(f.severity)}" '
            f'data-code="{escape(f.code)}" data-line="{f.line if f.line is not None else ""}"{about}>{markers([f])}'
            f'<span class="sev">{SEVERITY_WORD.get(f.severity, f.severity)}</span> <code>{escape(f.code)}</code> '
            f'<span class="msg">{escape(f.message)}</span>{where}{value}{placed}</li>')
    return f'<ol class="findings">{"".join(items)}</ol>'


def _funding(view: FormView) -> str:
    head = "<tr><th>项目资金</th><th>年初预算数</th><th>全年预算数</th><th>全年执行数</th><th>分值</th><th>执行率</th><th>得分</th></tr>"
    rows = []
    for i, r in enumerate(view.funding):
        k = f"f{i}"
        rate = _rate(r.get("execution_rate"))
        budget, executed = r.get("budget_full_year"), r.get("executed")
        if view.by_target.get(f"{k}.execution_rate") and not _is_null(budget) and not _is_null(executed) \
                and float(budget) > 0:
            computed = float(executed) / float(budget)
            if _is_null(r.get("execution_rate")) or abs(computed - float(r["execution_rate"])) > RATE_TOLERANCE:
                rate += f'<small class="calc">执行数÷全年预算 = {computed * 100:.2f}%</small>'
        score = _num(r.get("score"))
        weight, stated = r.get("weight"), r.get("execution_rate")
        if view.by_target.get(f"{k}.score") and not _is_null(weight) and not _is_null(stated):
            score += f'<small class="calc">执行率×分值 = {float(stated) * float(weight):.2f}</small>'
        row_flags = view.by_target.get(f"{k}.row", [])
        cells = [
            _td(view, f"{k}.source_label", _txt(r.get("source_label")) + _repairs(r) + _ocr(r, view.ocr_threshold),
                "lbl"),
            *(_td(view, f"{k}.{name}", _num(r.get(name)), "n")
              for name in ("budget_initial", "budget_full_year", "executed", "weight")),
            _td(view, f"{k}.execution_rate", rate, "n"),
            _td(view, f"{k}.score", score, "n"),
        ]
        cls = "total" if r.get("source_key") == "total" else ""
        first = cells[0] if not row_flags else cells[0].replace("</td>", markers(row_flags) + "</td>", 1)
        rows.append(f'<tr{_flag_attrs(row_flags, cls)} data-line="{_txt(r.get("line"))}">'
                    f'{first}{"".join(cells[1:])}</tr>')
    if not rows:
        rows.append('<tr><td colspan="7" class="null">没有资金行 / no funding rows</td></tr>')
    return f'<table class="rec-funding">{head}{"".join(rows)}</table>'


def _spans(view: FormView, field_name: str, parent: str | None = None) -> list[int]:
    """Rowspans for a merged level column: 0 for a covered cell.  A flagged cell starts its own span."""
    spans, start = [0] * len(view.indicators), None
    for i, r in enumerate(view.indicators):
        same = (start is not None and r.get(field_name) == view.indicators[start].get(field_name)
                and (parent is None or r.get(parent) == view.indicators[start].get(parent))
                and not view.by_target.get(f"i{i}.{field_name}"))
        if same:
            spans[start] += 1
        else:
            start, spans[i] = i, 1
    return spans


def _repairs(row: dict) -> str:
    return "".join(f'<span class="repair">{escape(x)}</span>'
                   for x in str(row.get("repairs") or "").split(";") if x.strip())


def _ocr(row: dict, threshold: float) -> str:
    """A tag on a row OCR read below the confidence threshold (``ocr_conf`` is its lowest cell)."""
    conf = row.get("ocr_conf")
    if _is_null(conf) or float(conf) >= threshold:
        return ""
    return f'<span class="ocr" title="OCR confidence below {threshold:.2f}">OCR {float(conf):.2f}</span>'


def _met(value: object) -> str:
    if _is_null(value):
        return '<span class="na" title="无法比较 / not comparable">–</span>'
    return '<span class="met">✓</span>' if bool(value) else '<span class="unmet">✗</span>'


def _value_tip(r: dict, side: str) -> str:
    parts = [str(r.get(f"{side}_{x}")) for x in ("op", "value", "unit") if not _is_null(r.get(f"{side}_{x}"))]
    return f' title="{escape(" ".join(parts))}"' if parts else ""


def _indicators(view: FormView) -> str:
    head = ("<tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th><th>实际完成值</th>"
            "<th>分值</th><th>得分</th><th>达成</th><th>偏差原因分析及改进措施</th></tr>")
    span1, span2 = _spans(view, "level1"), _spans(view, "level2", "level1")
    rows = []
    for i, r in enumerate(view.indicators):
        k = f"i{i}"
        repairs = _repairs(r) + _ocr(r, view.ocr_threshold)
        cells = []
        if span1[i]:
            cells.append(_td(view, f"{k}.level1", _txt(r.get("level1")), "lvl", f' rowspan="{span1[i]}"'))
        if span2[i]:
            cells.append(_td(view, f"{k}.level2", _txt(r.get("level2")), "lvl", f' rowspan="{span2[i]}"'))
        cells += [
            _td(view, f"{k}.level3", _txt(r.get("level3")) + repairs, "l3"),
            _td(view, f"{k}.target", _txt(r.get("target_raw")), "v", _value_tip(r, "target")),
            _td(view, f"{k}.actual", _txt(r.get("actual_raw")), "v", _value_tip(r, "actual")),
            _td(view, f"{k}.weight", _num(r.get("weight")), "n"),
            _td(view, f"{k}.score", _num(r.get("score")), "n"),
            f'<td class="c">{_met(r.get("target_met"))}</td>',
            _td(view, f"{k}.deviation_note", _txt(r.get("deviation_note")), "note"),
        ]
        row_flags = view.by_target.get(f"{k}.row", [])
        if row_flags:
            cells[-1] = cells[-1].replace("</td>", markers(row_flags) + "</td>", 1)
        low = " lowconf" if _ocr(r, view.ocr_threshold) else ""
        rows.append(f'<tr{_flag_attrs(row_flags, low.strip())} data-line="{_txt(r.get("line"))}">{"".join(cells)}</tr>')
    if not rows:
        rows.append('<tr><td colspan="9" class="null">没有指标 / no indicators</td></tr>')
    return f'<table class="rec-indicators">{head}{"".join(rows)}{_totals(view)}</table>'


def _sum(rows: Sequence[dict], name: str) -> float:
    return sum(float(r[name]) for r in rows if not _is_null(r.get(name)))


def _totals(view: FormView) -> str:
    f = view.form
    total = [r for r in view.funding if r.get("source_key") == "total"]
    weight_sum = _sum(total, "weight") + _sum(view.indicators, "weight")
    score_sum = _sum(total, "score") + _sum(view.indicators, "score")
    row_flags = view.by_target.get("t.row", [])
    return (
        f'<tr{_flag_attrs(row_flags, "total")}><td colspan="5" class="lbl">总分{markers(row_flags)}</td>'
        f'{_td(view, "t.weight", _num(f.get("total_weight")), "n")}'
        f'{_td(view, "t.score", _num(f.get("total_score")), "n")}<td colspan="2"></td></tr>'
        f'<tr class="sums"><td colspan="5" class="lbl">按行合计（资金 + 指标） / computed from the rows</td>'
        f'<td class="n">{weight_sum:.2f}</td><td class="n">{score_sum:.2f}</td>'
        f'<td colspan="2" class="meta">computed_score {_num(f.get("computed_score"))}</td></tr>')


def _goals(view: FormView) -> str:
    f = view.form
    return (f'<dl class="goals"><dt>年初设定目标</dt><dd>{_txt(f.get("goal_target"))}</dd>'
            f'<dt>实际完成情况</dt><dd>{_txt(f.get("goal_actual"))}</dd></dl>')


def _src_td(cell: str, flags: Sequence[Flag], colspan: int = 1, on_cell: Sequence[Flag] = ()) -> str:
    cls = ("w " if len(cell) > 10 else "") + (f"src-cell sev-{_worst(on_cell)}" if on_cell else "")
    attrs = f' class="{cls.strip()}"' if cls.strip() else ""
    attrs += f' title="{escape(cell)}"' if len(cell) > 10 else ""
    attrs += f' data-cfids="{" ".join(str(f.fid) for f in on_cell)}"' if on_cell else ""
    attrs += f' colspan="{colspan}"' if colspan > 1 else ""
    return f"<td{attrs}>{_mark(cell, flags)}</td>"


def _page_boxes(view: FormView, page: int) -> str:
    """The boxes of the findings on one page image, numbered as the findings."""
    out = []
    for f in view.flags:
        if f.bbox is None or f.page != page:
            continue
        x0, top, x1, bottom = f.bbox
        out.append(f'<span class="cellbox sev-{escape(f.severity)}" data-cfids="{f.fid}" style="left:{x0 * 100:.2f}%;'
                   f'top:{top * 100:.2f}%;width:{(x1 - x0) * 100:.2f}%;height:{(bottom - top) * 100:.2f}%"></span>')
    return "".join(out)


def _cells_of_line(view: FormView, line: int, cells: Sequence[str]) -> dict[int, list[Flag]]:
    """Cell index -> the findings about the value that cell holds, on one source line."""
    out: dict[int, list[Flag]] = defaultdict(list)
    for flag in view.by_line.get(line, []):
        record = view.record(flag.table, flag.key)
        if record is None or record.get("line") != line:
            continue
        at = source_cell(flag.table, flag.field, record, cells)
        if at is not None:
            out[at].append(flag)
    return out


def _mark(cell: str, flags: Sequence[Flag]) -> str:
    """A source cell, with the text of the findings on its line marked."""
    for f in flags:
        needle = (f.text or "").strip()
        if needle and "\t" not in needle and needle in cell:
            before, _, after = cell.partition(needle)
            return (f'{escape(before)}<mark class="sev-{escape(f.severity)}" data-fid="{f.fid}">'
                    f'{escape(needle)}</mark>{escape(after)}')
    return escape(cell)


def _source(view: FormView) -> str:
    src = view.source
    problem = f'<p class="problem">{escape(src.problem)}</p>' if src.problem else ""
    if src.images:
        return problem + '<div class="crop-slot"></div>' + "".join(
            f'<figure class="page" id="{view.anchor}-P{page}"><div class="page-img"><img src="{uri}" '
            f'alt="{escape(caption)}">{_page_boxes(view, page)}</div><figcaption>{escape(caption)}</figcaption></figure>'
            for uri, caption, page in src.images)
    if not src.lines:
        return problem or '<p class="problem">没有源文本 / no source text</p>'
    split = [(n, split_cells(text, src.shape)) for n, text in src.lines]
    width = max(len(cells) for _, cells in split)
    rows = []
    for n, cells in split:
        flags = view.by_line.get(n, [])
        on = _cells_of_line(view, n, cells) if flags else {}
        last = len(cells) - 1
        tds = "".join(_src_td(c, flags, 1, on.get(i, ())) for i, c in enumerate(cells[:-1]))
        tds += _src_td(cells[-1], flags, width - len(cells) + 1, on.get(last, ()))
        rows.append(f'<tr id="{view.anchor}-L{n}"{_flag_attrs(flags, "src-line", "src-flagged")}>'
                    f'<th>{n}{markers(flags)}</th>{tds}</tr>')
    caption = f'<p class="meta">{escape(src.caption)}</p>' if src.caption else ""
    return f'{caption}<div class="src-scroll"><table class="src">{"".join(rows)}</table></div>'


def render_form(view: FormView) -> str:
    """The form's HTML; its correctable values (:meth:`FormView.values`) travel beside it."""
    return (f'<section class="form rank-{worst_rank(view.flags)}" id="{view.anchor}" data-key="{escape(view.key)}" '
            f'data-doc="{escape(str(view.form.get("doc_id")))}" data-index="{escape(str(view.form.get("form_index")))}">'
            f'{_header(view)}'
            f'{_findings(view)}<div class="cols"><div class="rec"><h4>提取结果 / extracted record</h4>'
            f'{_funding(view)}{_goals(view)}{_indicators(view)}</div><div class="srcpanel">'
            f'<h4>源文件 / source</h4>{_source(view)}</div></div></section>')
