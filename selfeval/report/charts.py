"""The report's charts, as inline SVG strings with real text elements.

No plotting library: three bar charts are a few rectangles each, and text
elements (not paths) keep Chinese labels selectable and searchable.  Labels
use ``FONT_FAMILY``, which ends in the generic ``sans-serif`` so that any
CJK-capable system font (Noto Sans CJK from Debian's fonts-noto-cjk,
Microsoft YaHei, PingFang) renders them.

Each chart function takes the batch tables and returns one ``<svg>``.
"""

from __future__ import annotations

from html import escape

import pandas as pd

FONT_FAMILY = ("'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC',"
               "'Microsoft YaHei','WenQuanYi Micro Hei',sans-serif")
WIDTH = 760
LABEL_W = 230
ROW_H = 20
MAX_BARS = 40  # execution chart: at most this many projects, the lowest rates first
UNDER_EXECUTED = 0.9

COLOR = {"ok": "#3b7dd8", "low": "#e0a23b", "bad": "#c62828", "weight": "#d5dbe3",
         "met": "#2e7d32", "unmet": "#c62828", "na": "#9aa3ad", "grid": "#c9ced6", "text": "#1f2933"}


def _t(x: float, y: float, s: str, anchor: str = "start", size: int = 12, fill: str | None = None,
       weight: str | None = None) -> str:
    extra = f' fill="{fill}"' if fill else ""
    extra += f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{extra}>'
            f"{escape(s)}</text>")


def _svg(height: float, body: list[str], label: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
            f'role="img" aria-label="{escape(label)}" font-family="{escape(FONT_FAMILY)}" '
            f'fill="{COLOR["text"]}">' + "".join(body) + "</svg>")


def _empty(label: str, why: str) -> str:
    return _svg(40, [_t(10, 24, why, fill=COLOR["na"])], label)


def _short(s: str, n: int = 15) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _pct(v: float) -> str:
    return f"{v * 100:.1f}%"


def execution_rate_chart(forms: pd.DataFrame, funding: pd.DataFrame, findings: pd.DataFrame) -> str:
    """执行率 by project: bar = 全年执行数 / 全年预算数, diamond = the rate stated on the form."""
    label = "执行率（按项目）"
    total = funding[funding["source_key"] == "total"]
    if total.empty:
        return _empty(label, "没有年度资金总额行 / no funding totals")
    rows = total.merge(forms[["doc_id", "form_index", "form_seq", "project_name"]],
                       on=["doc_id", "form_index"], how="left", suffixes=("_f", ""))
    budget = pd.to_numeric(rows["budget_full_year"], errors="coerce")
    executed = pd.to_numeric(rows["executed"], errors="coerce")
    rows["computed"] = (executed / budget.where(budget > 0)).astype("float64")
    rows["stated"] = pd.to_numeric(rows["execution_rate"], errors="coerce").astype("float64")
    rows["shown"] = rows["computed"].fillna(rows["stated"])
    rows = rows[rows["shown"].notna()]
    if rows.empty:
        return _empty(label, "没有可计算的执行率 / no computable execution rate")
    flagged_keys = set(
        zip(*[findings.loc[findings["code"] == "execution_rate_mismatch", c] for c in ("doc_id", "form_index")],
            strict=True))
    n_all = len(rows)
    rows = rows.sort_values(["shown", "form_index"]).head(MAX_BARS)
    top = 40
    scale_max = min(1.5, max(1.1, float(rows[["shown", "stated"]].max().max())))
    x0, x1 = LABEL_W + 10, WIDTH - 150

    def x(v: float) -> float:
        return x0 + (x1 - x0) * max(0.0, min(v, scale_max)) / scale_max

    height = top + ROW_H * len(rows) + 26
    body = [_t(10, 14, "柱 = 全年执行数 ÷ 全年预算数；◆ = 表中填报的执行率；红框 = 二者矛盾；点击打开该表", size=11)]
    if n_all > len(rows):
        body.append(_t(WIDTH - 10, 16, f"执行率最低的 {len(rows)} 个 / 共 {n_all} 个", anchor="end", size=11))
    # 0% and 100% are labelled under the bars, the 90% line above them: side by side they overlap
    for v, dash, label_y in ((0.0, "", height - 8), (UNDER_EXECUTED, ' stroke-dasharray="4 3"', top - 8),
                             (1.0, "", height - 8)):
        body.append(f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{top - 6}" y2="{height - 22}" '
                    f'stroke="{COLOR["grid"]}"{dash}/>')
        body.append(_t(x(v), label_y, _pct(v), anchor="middle", size=10))
    several_docs = rows["doc_id"].nunique() > 1
    for i, r in enumerate(rows.itertuples(index=False)):
        y = top + i * ROW_H
        flagged = (r.doc_id, r.form_index) in flagged_keys
        fill = COLOR["low"] if r.shown < UNDER_EXECUTED else COLOR["ok"]
        stroke = f' stroke="{COLOR["bad"]}" stroke-width="2"' if flagged else ""
        name = f"{r.form_seq} {_short(r.project_name or '', 9 if several_docs else 15)}"
        if several_docs:  # the same project may be in several documents
            name = f"{_short(str(r.doc_id).rsplit('/', 1)[-1], 12)} · {name}"
        body.append(f'<g class="pick" data-form="{escape(f"{r.doc_id}#{r.form_index}")}" cursor="pointer">')
        body.append(_t(LABEL_W, y + 13, name, anchor="end", size=11))
        tip = f"{r.doc_id} {r.form_seq} {r.project_name}: 执行 {_pct(r.shown)}" + (
            f"，填报 {_pct(r.stated)}" if pd.notna(r.stated) else "")
        body.append(f'<rect x="{x0}" y="{y + 3}" width="{x(r.shown) - x0:.1f}" height="{ROW_H - 6}" '
                    f'fill="{fill}"{stroke}><title>{escape(tip)}</title></rect>')
        note = _pct(r.shown)
        if pd.notna(r.stated):
            sx, cy = x(r.stated), y + ROW_H / 2
            body.append(f'<path d="M{sx:.1f} {cy - 6:.1f} l5 6 l-5 6 l-5 -6 z" fill="{COLOR["text"]}"/>')
            if flagged:
                note += f" ≠ 填报 {_pct(r.stated)}"
        body.append(_t(x1 + 6, y + 14, note, size=10, fill=COLOR["bad"] if flagged else None))
        body.append("</g>")
    return _svg(height, body, label)


def _level1_order(indicators: pd.DataFrame) -> list[str]:
    ordered = indicators.sort_values(["doc_id", "form_index", "indicator_seq"])["level1"].dropna()
    return list(dict.fromkeys(str(v) for v in ordered))


def score_weight_chart(forms: pd.DataFrame, funding: pd.DataFrame, indicators: pd.DataFrame) -> str:
    """Average 分值 and 得分 per form for the funding block and each level-1 indicator."""
    label = "分值与得分（按一级指标）"
    n_forms = max(1, len(forms))
    groups: list[tuple[str, float, float]] = []
    total = funding[funding["source_key"] == "total"]
    if not total.empty:
        groups.append(("预算执行", pd.to_numeric(total["weight"], errors="coerce").sum(),
                       pd.to_numeric(total["score"], errors="coerce").sum()))
    for level1 in _level1_order(indicators):
        part = indicators[indicators["level1"] == level1]
        groups.append((level1, pd.to_numeric(part["weight"], errors="coerce").sum(),
                       pd.to_numeric(part["score"], errors="coerce").sum()))
    if not groups:
        return _empty(label, "没有指标 / no indicators")
    top, row_h = 34, 30
    biggest = max(max(w, s) for _, w, s in groups) / n_forms or 1.0
    x0, x1 = 130, WIDTH - 200

    def x(v: float) -> float:
        return x0 + (x1 - x0) * max(0.0, v) / biggest

    body = [_t(10, 16, f"每表平均（共 {len(forms)} 表）：灰 = 分值，蓝 = 得分", size=11)]
    for i, (name, weight, score) in enumerate(groups):
        w, s, y = weight / n_forms, score / n_forms, top + i * row_h
        rate = f"（{s / w * 100:.1f}%）" if w else ""
        body.append(_t(x0 - 8, y + 18, name, anchor="end"))
        body.append(f'<rect x="{x0}" y="{y + 4}" width="{x(w) - x0:.1f}" height="{row_h - 8}" '
                    f'fill="{COLOR["weight"]}"><title>{escape(name)} 平均分值 {w:.2f}</title></rect>')
        body.append(f'<rect x="{x0}" y="{y + 9}" width="{x(s) - x0:.1f}" height="{row_h - 18}" '
                    f'fill="{COLOR["ok"]}"><title>{escape(name)} 平均得分 {s:.2f}</title></rect>')
        body.append(_t(x(max(w, s)) + 6, y + 18, f"得分 {s:.2f} / 分值 {w:.2f}{rate}", size=11))
    return _svg(top + row_h * len(groups) + 8, body, label)


def targets_chart(indicators: pd.DataFrame) -> str:
    """Indicators whose target was met, not met, or not comparable, per level-1 indicator."""
    label = "目标完成情况（按一级指标）"
    levels = _level1_order(indicators)
    if not levels:
        return _empty(label, "没有指标 / no indicators")
    top, row_h = 34, 26
    x0, x1 = 130, WIDTH - 20
    body = [_t(10, 16, "绿 = 达成，红 = 未达成，灰 = 无法比较（定性值或比较符无法识别）", size=11)]
    for i, level1 in enumerate(levels):
        met = indicators.loc[indicators["level1"] == level1, "target_met"]
        counts = [("met", int((met == True).sum())), ("unmet", int((met == False).sum())),  # noqa: E712
                  ("na", int(met.isna().sum()))]
        n, y, cursor = sum(c for _, c in counts) or 1, top + i * row_h, float(x0)
        body.append(_t(x0 - 8, y + 16, level1, anchor="end"))
        for kind, count in counts:
            width = (x1 - x0) * count / n
            if count:
                word = {"met": "达成", "unmet": "未达成", "na": "无法比较"}[kind]
                body.append(f'<rect x="{cursor:.1f}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}" '
                            f'fill="{COLOR[kind]}"><title>{escape(level1)} {word} {count}</title></rect>')
                if width > 26:
                    body.append(_t(cursor + width / 2, y + 17, str(count), anchor="middle", size=11,
                                   fill="#ffffff", weight="bold"))
            cursor += width
    return _svg(top + row_h * len(levels) + 8, body, label)
