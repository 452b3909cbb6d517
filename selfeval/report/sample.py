"""A small synthetic batch output, to try the report and the notebook without an extraction.

``write_sample_output(out_dir)`` writes a pasted-text source file in the
seed's layout and the four contract tables (Parquet and CSV) plus
``manifest.json`` describing it, with the kinds of contradiction the real
forms contain: a stated 执行率 that the amounts contradict, a funding score
that is not rate × weight, indicator weights that do not add up to 总分, a
missing total weight, an unreadable comparator, a repaired label, an
inferred unit, a repeated 项目序号 and a stray line.

Forms cycle through four kinds (A, B, C, D).  ``SAMPLE_FLAGGED_CELLS`` and
``SAMPLE_FLAGS_BY_SEVERITY`` say how many record values each kind flags, so
tests can compute what a reviewer must see for any ``n_forms``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

TITLE = "2020年度预算资金项目支出绩效自评表"
UNIT = "重庆市荣昌区人力资源和社会保障局"
FUNDING_HEADER = "项目资金\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分"
INDICATOR_HEADER = (
    "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施"
)
SOURCE_LABELS = {"total": "年度资金总额", "district": "区级资金", "municipal": "市级资金"}

# Flagged record values per kind of form: all, then by severity.
SAMPLE_FLAGGED_CELLS = {"A": 2, "B": 1, "C": 3, "D": 3}
SAMPLE_FLAGS_BY_SEVERITY = {
    "A": {"warning": 2},
    "B": {"warning": 1},
    "C": {"warning": 2, "info": 1},
    "D": {"warning": 2, "info": 1},
}
KINDS = "ABCD"


@dataclass
class _Ind:
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    weight: float
    score: float
    note: str = ""
    level2_written: str | None = None  # the label as written, when it needed repair
    findings: list[tuple[str, str, str]] = field(default_factory=list)  # (code, field, message)


@dataclass
class _Spec:
    kind: str
    name: str
    funding: list[tuple[str, float | None, float, float, float | None, float | None, float | None]]
    goal: tuple[str, str]
    indicators: list[_Ind]
    total_weight: float | None
    total_score: float
    funding_findings: list[tuple[str, str, str]] = field(default_factory=list)
    total_findings: list[tuple[str, str]] = field(default_factory=list)
    stray_line: str | None = None


def _spec(kind: str, n: int) -> _Spec:
    """The n-th form of a kind; numbers vary a little with n so charts are not flat."""
    k = n % 7
    if kind == "A":
        ex = 10.0 + k
        return _Spec(
            "A", f"档案管理费{n}",
            [("total", 66.0, 66.0, ex, 10.0, 1.0, 10.0), ("district", 66.0, 66.0, ex, None, 1.0, None)],
            ("清理整理档案20万册，档案查询4000人次。", "清理整理档案22.6万册，档案查询4163人次。"),
            [
                _Ind("产出指标", "数量指标", "清理整理社保档案册数", "≥20万册", "22.6万册", 40, 40),
                _Ind("效益指标", "社会效益指标", "服务对象人数", "≥80000人", "82736人", 30, 30),
                _Ind("满意度指标", "服务对象满意度指标", "社保档案查询人员满意度", "≥95%", "90%", 20, 18,
                     findings=[("missing_deviation_note", "deviation_note",
                                "目标未达成（90% < 95%），偏差原因分析为空")]),
            ],
            100.0, 98.0,
            funding_findings=[("execution_rate_mismatch", "execution_rate",
                               f"执行率填报100.00%，但全年执行数/全年预算数 = {ex / 66:.2%}")],
        )
    if kind == "B":
        return _Spec(
            "B", f"学术（产业）技术带头人补贴{n}",
            [("total", 7.8, 7.8, 2.54, 10.0, 0.3256, 4.0), ("district", 7.8, 7.8, 2.54, None, 0.3256, None)],
            ("考核62名技术带头人，发放每人每年1200元补贴。", "发放技术带头人政府津贴2.54万元。"),
            [
                _Ind("产出指标", "数量指标", "参加考核人数", "≥62", "62", 40, 40),
                _Ind("产出指标", "数量指标", "学术论文发表篇数", "≥62", "62", 30, 30),
                _Ind("满意度指标", "服务对象满意度指标", "享受补贴人员满意度", "≥90%", f"{90 + k}%", 20, 20),
            ],
            100.0, 94.0,
            funding_findings=[("funding_score_mismatch", "score",
                               "资金得分填报4，但执行率×分值 = 32.56% × 10.00 = 3.26")],
        )
    if kind == "C":
        return _Spec(
            "C", f"创业就业档案管理工作经费{n}",
            [("total", 5.0, 5.0, 5.0, 10.0, 1.0, 10.0), ("district", 5.0, 5.0, 5.0, None, 1.0, None)],
            ("接收整理灵活就业社保补贴档案1500份。", "接收整理灵活就业社保补贴档案2135份。"),
            [
                _Ind("产出指标", "数量指标", "接收整理灵活就业补贴档案份数", f"≥{1500 + k}份", "2135份", 30, 30),
                _Ind("产出指标", "时效指标", "补助到位时间", "（20日", "18日", 40, 40,
                     level2_written="時效指標",
                     findings=[("unrecognized_comparator", "target", "年度指标值“（20日”的比较符无法识别，保留数值20"),
                               ("label_repaired", "level2", "二级指标“時效指標”修正为“时效指标”")]),
                _Ind("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥95%", "95%", 20, 18),
            ],
            None, 98.0,
            total_findings=[("missing_total_weight", "总分行未填分值（应为100.00）")],
            stray_line="注：本表数据以财政决算为准",
        )
    return _Spec(
        "D", f"公务员表彰奖励{n}",
        [("total", 70.0, 70.0, 60.97, 10.0, 0.8714, 8.7), ("district", 70.0, 70.0, 60.97, None, 0.8714, None)],
        ("对全区先进集体和个人进行表彰奖励。", "对全区200个先进集体和个人进行了表彰奖励。"),
        [
            _Ind("产出指标", "数量指标", "表彰公务员人数", "≥200人", f"{200 + k}人", 30, 30),
            _Ind("产出指标", "成本指标", "人均奖励标准", "≤3000", "3000元/人", 30, 30,
                 findings=[("unit_inferred", "target", "年度指标值“≤3000”无单位，按实际完成值取“元/人”")]),
            _Ind("满意度指标", "服务对象满意度指标", "奖励人员满意度", "≥98%", "95%", 20, 19),
        ],
        100.0, 87.7,
        total_findings=[("weight_sum_mismatch", "资金分值10.00 + 指标分值80.00 = 90.00，与总分分值100.00不符")],
    )


_SEVERITY = {
    "execution_rate_mismatch": "warning", "funding_score_mismatch": "warning",
    "missing_deviation_note": "warning", "unrecognized_comparator": "warning",
    "label_repaired": "info", "unit_inferred": "info", "missing_total_weight": "warning",
    "weight_sum_mismatch": "warning", "duplicate_form_seq": "warning", "unparsed_line": "error",
}
_VALUE = re.compile(r"^(?P<op>[≥≤><=])?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>.*)$")


def _parse(raw: str) -> tuple[str | None, float | None, str | None]:
    m = _VALUE.match(raw)
    if m is None:  # e.g. "（20日": the comparator is unreadable, the number is kept
        m2 = re.search(r"(\d+(?:\.\d+)?)\s*(.*)$", raw)
        return (None, float(m2.group(1)), m2.group(2) or None) if m2 else (None, None, None)
    return m.group("op") or "=", float(m.group("num")), m.group("unit") or None


def _met(op: str | None, target: float | None, actual: float | None) -> bool | None:
    if op is None or target is None or actual is None:
        return None
    return {"≥": actual >= target, "≤": actual <= target, ">": actual > target,
            "<": actual < target, "=": actual == target}[op]


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "—"
    return f"{v * 100:.2f}%" if pct else f"{v:.2f}"


def write_sample_output(out_dir: Path, n_forms: int = 4, doc_id: str = "sample-2020.txt") -> Path:
    """Write a synthetic source text and its batch output into ``out_dir``; return ``out_dir``.

    The source text goes to ``out_dir/source/<doc_id>`` and ``forms.source_path`` holds
    its absolute path, as an extraction run on that file would.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    src = out_dir / "source" / doc_id
    src.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = ["附件1：2020年度项目支出绩效自评表（汇编）"]
    forms, funding, indicators, findings = [], [], [], []

    def finding(seq, index, code, message, line, text):
        findings.append({"doc_id": doc_id, "form_seq": seq, "form_index": index, "severity": _SEVERITY[code],
                         "code": code, "message": message, "line": line, "text": text, "page": None})

    finding(None, None, "unparsed_line", "表外的一行未被任何记录使用", 1, lines[0])
    for index in range(1, n_forms + 1):
        kind = KINDS[(index - 1) % 4]
        spec = _spec(kind, index)
        seq = index - 1 if kind == "D" else index
        lines += ["", f"## {TITLE}", "", f"项目序号：{seq}", "", "金额单位：万元（保留两位小数）", ""]
        line_start = len(lines) - 5  # the title line
        lines.append(f"预算单位（盖章）\t\t{UNIT}\t\t实施单位\t{UNIT}")
        lines.append(f"项目名称\t\t{spec.name}")
        lines.append(FUNDING_HEADER)
        for key, bi, bf, ex, w, rate, score in spec.funding:
            label = SOURCE_LABELS[key] + ("：" if key == "total" else "")
            text = f"\t{label}\t{_fmt(bi)}\t{_fmt(bf)}\t{_fmt(ex)}\t{_fmt(w)}\t{_fmt(rate, True)}\t{_fmt(score)}"
            lines.append(text)
            funding.append({"doc_id": doc_id, "form_seq": seq, "form_index": index, "source_key": key,
                            "source_label": SOURCE_LABELS[key], "budget_initial": bi, "budget_full_year": bf,
                            "executed": ex, "weight": w, "execution_rate": rate, "score": score,
                            "line": len(lines)})
            if key == "total":
                for code, _field, message in spec.funding_findings:
                    finding(seq, index, code, message, len(lines), text.strip("\t"))
        lines += ["年度总体目标\t\t年初设定目标\t\t实际完成情况", f"\t\t{spec.goal[0]}\t\t{spec.goal[1]}"]
        if spec.stray_line:
            lines.append(spec.stray_line)
            finding(seq, index, "unparsed_line", "表内的一行未被任何记录使用", len(lines), spec.stray_line)
        lines.append(INDICATOR_HEADER)
        seen: set[str] = set()
        for i, ind in enumerate(spec.indicators, start=1):
            l1 = ind.level1 if ind.level1 not in seen else ""
            seen.add(ind.level1)
            text = (f"\t{l1}\t{ind.level2_written or ind.level2}\t{ind.level3}\t{ind.target}\t{ind.actual}"
                    f"\t{ind.weight:.2f}\t{ind.score:.2f}\t{ind.note}")
            lines.append(text)
            t_op, t_val, t_unit = _parse(ind.target)
            a_op, a_val, a_unit = _parse(ind.actual)
            repairs = []
            if t_unit is None and a_unit:
                t_unit = a_unit
                repairs.append("unit_inferred")
            if ind.level2_written:
                repairs.append("label_repaired")
            indicators.append({
                "doc_id": doc_id, "form_seq": seq, "form_index": index, "indicator_seq": i,
                "level1": ind.level1, "level2": ind.level2, "level3": ind.level3,
                "target_raw": ind.target, "target_op": t_op, "target_value": t_val, "target_unit": t_unit,
                "actual_raw": ind.actual, "actual_op": a_op, "actual_value": a_val, "actual_unit": a_unit,
                "base_unit": "ratio" if t_unit == "%" else t_unit,
                "target_base": t_val / 100 if t_unit == "%" and t_val is not None else t_val,
                "actual_base": a_val / 100 if a_unit == "%" and a_val is not None else a_val,
                "target_met": _met(t_op, t_val, a_val), "weight": float(ind.weight), "score": float(ind.score),
                "deviation_note": ind.note or None, "repairs": ";".join(repairs), "line": len(lines),
            })
            for code, _field, message in ind.findings:
                cell = {"label_repaired": ind.level2_written, "missing_deviation_note": text.strip("\t")}.get(
                    code, ind.target)
                finding(seq, index, code, message, len(lines), cell)
        lines.append(f"\t总分\t\t\t\t\t{_fmt(spec.total_weight) if spec.total_weight else ''}\t{spec.total_score:.2f}")
        total_line = len(lines)
        for code, message in spec.total_findings:
            finding(seq, index, code, message, total_line, lines[-1].strip("\t"))
        if kind == "D":
            finding(seq, index, "duplicate_form_seq", f"项目序号{seq}在本文档中出现两次", line_start + 2,
                    f"项目序号：{seq}")
        funding_score = spec.funding[0][6] or 0.0
        forms.append({
            "doc_id": doc_id, "form_seq": seq, "form_index": index, "year": 2020, "title": TITLE,
            "amount_unit": "万元", "budget_unit": UNIT, "implementing_unit": UNIT, "project_name": spec.name,
            "goal_target": spec.goal[0], "goal_actual": spec.goal[1], "total_weight": spec.total_weight,
            "total_score": spec.total_score,
            "computed_score": round(funding_score + sum(i.score for i in spec.indicators), 2),
            "source_path": str(src.resolve()), "line_start": line_start, "line_end": total_line,
            "page": None, "template": "2020",
        })
    data = ("\n".join(lines) + "\n").encode("utf-8")
    src.write_bytes(data)
    _write_tables(out_dir, forms, funding, indicators, findings)
    manifest = {
        "tool": "selfeval", "version": "0.1.0", "sample": True,
        "inputs": [{
            "doc_id": doc_id, "source_path": str(src.resolve()), "kind": "text",
            "lines": sum(1 for x in lines if x.strip()), "lines_used": sum(1 for x in lines if x.strip()) - 2,
            "lines_reported": 2, "forms": n_forms, "sha256": hashlib.sha256(data).hexdigest(), "seconds": 0.01,
        }],
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return out_dir


def _write_tables(out_dir: Path, forms, funding, indicators, findings) -> None:
    frames = {
        "forms": pd.DataFrame(forms).astype({"form_seq": "int64", "page": "Int64"}),
        "funding": pd.DataFrame(funding),
        "indicators": pd.DataFrame(indicators).astype({"target_met": "boolean"}),
        "findings": pd.DataFrame(findings).astype({"form_seq": "Int64", "form_index": "Int64",
                                                  "line": "Int64", "page": "Int64"}),
    }
    for name, frame in frames.items():
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)
        frame.to_csv(out_dir / f"{name}.csv", index=False)
