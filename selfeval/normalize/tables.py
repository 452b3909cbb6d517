"""Records to the four output tables, with the contract's columns and types.

:data:`SCHEMAS` is the single definition of every column (name, type,
meaning); the writers, the tests and the README's data dictionary all use it.
Contract columns come first, in the contract's order; columns this project
adds come after them (extend, never break).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa

from selfeval.findings import Finding
from selfeval.normalize.records import FormRecord

S, I, F, B = pa.string(), pa.int64(), pa.float64(), pa.bool_()


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str


def _cols(*items: tuple[str, pa.DataType, str]) -> tuple[Column, ...]:
    return tuple(Column(*item) for item in items)


_KEYS = (
    ("doc_id", S, "input file path relative to the folder given (its name when a file was given)"),
    ("form_seq", I, "项目序号, the form's sequence number as printed (numbered 1.. when absent)"),
)
_ADDED = (
    ("page", I, "1-based page of a PDF or image; empty for text"),
    ("form_index", I, "1-based position of the form in its document; unique with doc_id even if 项目序号 repeats"),
    ("sheet", S, "worksheet name of a workbook, or `table N` of a Word file; empty otherwise"),
)

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "forms": _cols(
        *_KEYS,
        ("year", I, "year from the title (e.g. 2020年度)"),
        ("title", S, "the title line"),
        ("amount_unit", S, "金额单位, e.g. 万元"),
        ("budget_unit", S, "预算单位"),
        ("implementing_unit", S, "实施单位"),
        ("project_name", S, "项目名称"),
        ("goal_target", S, "年初设定目标"),
        ("goal_actual", S, "实际完成情况"),
        ("total_weight", F, "总分's 分值; empty when the form states none"),
        ("total_score", F, "总分's 得分"),
        ("computed_score", F, "funding total score + indicator scores"),
        ("source_path", S, "path of the input file as given"),
        ("line_start", I, "first line (text) or row (other inputs) of the form"),
        ("line_end", I, "last line or row of the form"),
        *_ADDED,
        ("template", S, "indicator template applied (see the README's templates)"),
        ("page_end", I, "last page of a form that runs over several pages; empty for text"),
    ),
    "funding": _cols(
        *_KEYS,
        ("source_key", S, "total, central, municipal, district, carryover or other"),
        ("source_label", S, "canonical label: 年度资金总额 … 其他资金"),
        ("budget_initial", F, "年初预算数, in the form's amount unit"),
        ("budget_full_year", F, "全年预算数, in the form's amount unit"),
        ("executed", F, "全年执行数, in the form's amount unit"),
        ("weight", F, "分值"),
        ("execution_rate", F, "执行率 as a fraction (100.00% -> 1.0)"),
        ("score", F, "得分"),
        ("line", I, "line (text) or row of the funding row"),
        *_ADDED,
        ("repairs", S, ";-joined repair codes applied to this row"),
    ),
    "indicators": _cols(
        *_KEYS,
        ("indicator_seq", I, "1.. in form order"),
        ("level1", S, "一级指标, canonical label of the template"),
        ("level2", S, "二级指标, canonical label of the template"),
        ("level3", S, "三级指标: the indicator name as written, cleaned"),
        ("target_raw", S, "年度指标值 as written (width-normalised)"),
        ("target_op", S, "≥ ≤ > < =; = when a number has no comparator; empty when unreadable"),
        ("target_value", F, "the target's number"),
        ("target_unit", S, "the target's unit as written (or inferred: see repairs)"),
        ("actual_raw", S, "实际完成值 as written"),
        ("actual_op", S, "comparator of the actual value"),
        ("actual_value", F, "the actual's number"),
        ("actual_unit", S, "the actual's unit as written (or inferred)"),
        ("base_unit", S, "unit of the *_base columns: 元, 元/人, ratio, or the unit itself"),
        ("target_base", F, "target converted to base_unit"),
        ("actual_base", F, "actual converted to base_unit"),
        ("target_met", B, "actual meets target by the target's comparator; empty when not comparable"),
        ("weight", F, "分值"),
        ("score", F, "得分"),
        ("deviation_note", S, "偏差原因分析及改进措施"),
        ("repairs", S, ";-joined codes of the repairs applied to this row, empty when none"),
        ("line", I, "line (text) or row of the indicator"),
        *_ADDED,
        ("ocr_conf", F, "lowest OCR confidence (0..1) of the row's cells; empty when not OCR'd"),
    ),
    "findings": _cols(
        *_KEYS,
        ("severity", S, "error (data may be lost or wrong), warning (the source contradicts itself), info (a repair applied)"),
        ("code", S, "stable finding code (see the README)"),
        ("message", S, "what and where"),
        ("line", I, "line (text) or row the finding is about; empty for file-level findings"),
        *_ADDED,
        ("text", S, "the source text the finding is about (the whole line for unparsed lines)"),
    ),
}
TABLE_NAMES = tuple(SCHEMAS)


def arrow_schema(name: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.type) for c in SCHEMAS[name]])


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def form_rows(doc_id: str, source_path: str, form: FormRecord) -> list[dict]:
    return [{
        "doc_id": doc_id, "form_seq": form.form_seq, "year": form.year, "title": form.title,
        "amount_unit": form.amount_unit, "budget_unit": form.budget_unit,
        "implementing_unit": form.implementing_unit, "project_name": form.project_name,
        "goal_target": form.goal_target, "goal_actual": form.goal_actual,
        "total_weight": _f(form.total_weight), "total_score": _f(form.total_score),
        "computed_score": _f(form.computed_score), "source_path": source_path,
        "line_start": form.line_start, "line_end": form.line_end, "page": form.page,
        "form_index": form.form_index, "sheet": form.sheet, "template": form.template, "page_end": form.page_end,
    }]


def funding_rows(doc_id: str, form: FormRecord) -> list[dict]:
    return [{
        "doc_id": doc_id, "form_seq": form.form_seq, "source_key": r.source_key,
        "source_label": r.source_label, "budget_initial": _f(r.budget_initial),
        "budget_full_year": _f(r.budget_full_year), "executed": _f(r.executed),
        "weight": _f(r.weight), "execution_rate": _f(r.execution_rate), "score": _f(r.score),
        "line": r.line, "page": r.page, "form_index": form.form_index, "sheet": r.sheet,
        "repairs": ";".join(r.repairs),
    } for r in form.funding]


def indicator_rows(doc_id: str, form: FormRecord) -> list[dict]:
    return [{
        "doc_id": doc_id, "form_seq": form.form_seq, "indicator_seq": i.indicator_seq,
        "level1": i.level1, "level2": i.level2, "level3": i.level3,
        "target_raw": i.target.raw or None, "target_op": i.target.op, "target_value": _f(i.target.value),
        "target_unit": i.target.unit, "actual_raw": i.actual.raw or None, "actual_op": i.actual.op,
        "actual_value": _f(i.actual.value), "actual_unit": i.actual.unit, "base_unit": i.base_unit,
        "target_base": _f(i.target_base), "actual_base": _f(i.actual_base), "target_met": i.target_met,
        "weight": _f(i.weight), "score": _f(i.score), "deviation_note": i.deviation_note,
        "repairs": ";".join(i.repairs), "line": i.line, "page": i.page,
        "form_index": form.form_index, "sheet": i.sheet, "ocr_conf": i.ocr_conf,
    } for i in form.indicators]


def finding_rows(findings: Iterable[Finding]) -> list[dict]:
    return [{
        "doc_id": f.doc_id, "form_seq": f.form_seq, "severity": f.severity.value, "code": f.code,
        "message": f.message, "line": f.line, "page": f.page, "form_index": f.form_index, "sheet": f.sheet,
        "text": f.text,
    } for f in findings]


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    schema = arrow_schema(name)
    return pa.Table.from_pylist(rows, schema=schema)
