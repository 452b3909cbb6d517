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

from selfeval.extract.readers import printable_name
from selfeval.findings import Finding
from selfeval.normalize.records import FormRecord

STR, INT, FLT, BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str


def _cols(*items: tuple[str, pa.DataType, str]) -> tuple[Column, ...]:
    return tuple(Column(*item) for item in items)


_KEYS = (
    ("doc_id", STR, "input file path relative to the folder given (its name when a file was given; its path as given when two inputs would share one)"),
    ("form_seq", INT, "项目序号, the form's sequence number as printed (numbered 1.. when absent)"),
)
_ADDED = (
    ("page", INT, "1-based page of a PDF or image; empty for text"),
    ("form_index", INT, "1-based position of the form in its document; unique with doc_id even if 项目序号 repeats"),
    ("sheet", STR, "worksheet name of a workbook, or `table N` of a Word file or web page (its N-th table, in order); empty otherwise"),
)

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "forms": _cols(
        *_KEYS,
        ("year", INT, "year from the title (e.g. 2020年度)"),
        ("title", STR, "the title line"),
        ("amount_unit", STR, "金额单位, e.g. 万元"),
        ("budget_unit", STR, "预算单位"),
        ("implementing_unit", STR, "实施单位"),
        ("project_name", STR, "项目名称"),
        ("goal_target", STR, "年初设定目标"),
        ("goal_actual", STR, "实际完成情况"),
        ("total_weight", FLT, "总分's 分值; empty when the form states none"),
        ("total_score", FLT, "总分's 得分"),
        ("computed_score", FLT, "funding total score + indicator scores"),
        ("source_path", STR, "path of the input file as given"),
        ("line_start", INT, "first line (text) or row (other inputs) of the form"),
        ("line_end", INT, "last line or row of the form"),
        *_ADDED,
        ("template", STR, "indicator template applied (see the README's templates)"),
        ("page_end", INT, "last page of a form that runs over several pages; empty for text"),
        ("layout", STR, "single-target (one 年度指标值 cell) or split-target (指标性质 / 指标值 / 度量单位)"),
        ("department", STR, "主管部门 (national template)"),
        ("project_code", STR, "project code printed before the name (51092324T…-, 219001-); the name is kept without it"),
        ("budget_unit_code", STR, "unit code printed before the 预算单位 name"),
        ("evaluation_conclusion", STR, "评价结论, when the form has it"),
        ("problems", STR, "存在问题, when the form has it"),
        ("improvements", STR, "改进措施, when the form has it"),
        ("project_leader", STR, "项目负责人, when the form names one"),
        ("form_kind", STR, "project (项目支出绩效自评表) or department (部门整体支出绩效自评表: a flat indicator list)"),
        ("goal_adjusted", STR, "全年（调整）绩效目标, when the form has it (department forms)"),
        ("contact_person", STR, "部门联系人, when the form names one"),
        ("contact_phone", STR, "联系电话, when the form gives one"),
        ("finance_office", STR, "财政处室, when the form names one"),
    ),
    "funding": _cols(
        *_KEYS,
        ("source_key", STR, "total, central, municipal, district, carryover or other"),
        ("source_label", STR, "canonical label: 年度资金总额 … 其他资金"),
        ("budget_initial", FLT, "年初预算数, in the form's amount unit"),
        ("budget_full_year", FLT, "全年预算数, in the form's amount unit"),
        ("executed", FLT, "全年执行数, in the form's amount unit"),
        ("weight", FLT, "分值"),
        ("execution_rate", FLT, "执行率 as a fraction (100.00% -> 1.0)"),
        ("score", FLT, "得分"),
        ("line", INT, "line (text) or row of the funding row"),
        *_ADDED,
        ("repairs", STR, ";-joined repair codes applied to this row"),
    ),
    "indicators": _cols(
        *_KEYS,
        ("indicator_seq", INT, "1.. in form order"),
        ("level1", STR, "一级指标, canonical label of the template"),
        ("level2", STR, "二级指标, canonical label of the template; a label outside the template in the header's 二级指标 column as written (with an unknown_label finding)"),
        ("level3", STR, "三级指标: the indicator name as written, cleaned"),
        ("target_raw", STR, "年度指标值 as written (width-normalised)"),
        ("target_op", STR, "≥ ≤ > < =; = when a number has no comparator; empty when unreadable"),
        ("target_value", FLT, "the target's number"),
        ("target_unit", STR, "the target's unit as written (or inferred: see repairs)"),
        ("actual_raw", STR, "实际完成值 as written"),
        ("actual_op", STR, "comparator of the actual value"),
        ("actual_value", FLT, "the actual's number"),
        ("actual_unit", STR, "the actual's unit as written (or inferred)"),
        ("base_unit", STR, "unit of the *_base columns: 元, 元/人, ratio, or the unit itself"),
        ("target_base", FLT, "target converted to base_unit"),
        ("actual_base", FLT, "actual converted to base_unit"),
        ("target_met", BOOL, "actual meets target by the target's comparator; empty when not comparable"),
        ("weight", FLT, "分值"),
        ("score", FLT, "得分"),
        ("deviation_note", STR, "偏差原因分析及改进措施"),
        ("repairs", STR, ";-joined codes of the repairs applied to this row, empty when none"),
        ("line", INT, "line (text) or row of the indicator"),
        *_ADDED,
        ("ocr_conf", FLT, "lowest OCR confidence (0..1) of the row's cells; empty when not OCR'd"),
        ("level1_weight", FLT, "the level-1 group's score stated in its label, e.g. 产出指标（50分） -> 50"),
        ("measure_unit", STR, "计量单位 of a department form's indicator; a target or actual without unit takes it"),
        ("indicator_kind", STR, "指标性质 of a department form's indicator: 定量指标 or 定性指标 (a merged cell carries down)"),
        ("target_adjusted_raw", STR, "调整指标值 as written (department forms)"),
        ("score_coefficient", FLT, "得分系数 as a fraction (100% -> 1.0; department forms)"),
        ("is_core", BOOL, "是否核心指标: 是 -> true, 否 -> false (department forms)"),
    ),
    "findings": _cols(
        *_KEYS,
        ("severity", STR, "error (data may be lost or wrong), warning (the source contradicts itself), info (a repair applied)"),
        ("code", STR, "stable finding code (see the README)"),
        ("message", STR, "what and where"),
        ("line", INT, "line (text) or row the finding is about; empty for file-level findings"),
        *_ADDED,
        ("text", STR, "the source text the finding is about (the whole line for unparsed lines)"),
        ("table", STR, "forms, funding or indicators: the table of the record the finding is about; empty when it is about no one record"),
        ("key", STR, "that record's key in its form: source_key (funding), indicator_seq (indicators); empty for forms"),
        ("field", STR, "the column of that record the finding is about; empty when it is about the whole row"),
        ("bbox", STR, "PDF and scans: x0,top,x1,bottom of the finding's cell (else row) on its page, as fractions of the page's width and height"),
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
        "computed_score": _f(form.computed_score), "source_path": printable_name(source_path),
        "line_start": form.line_start, "line_end": form.line_end, "page": form.page,
        "form_index": form.form_index, "sheet": form.sheet, "template": form.template, "page_end": form.page_end,
        "layout": form.layout, "department": form.department, "project_code": form.project_code,
        "budget_unit_code": form.budget_unit_code, "evaluation_conclusion": form.evaluation_conclusion,
        "problems": form.problems, "improvements": form.improvements, "project_leader": form.project_leader,
        "form_kind": form.form_kind, "goal_adjusted": form.goal_adjusted, "contact_person": form.contact_person,
        "contact_phone": form.contact_phone, "finance_office": form.finance_office,
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
        "level1_weight": _f(i.level1_weight), "measure_unit": i.measure_unit, "indicator_kind": i.indicator_kind,
        "target_adjusted_raw": i.target_adjusted.raw or None if i.target_adjusted else None,
        "score_coefficient": _f(i.score_coefficient), "is_core": i.is_core,
    } for i in form.indicators]


def rows_of_form(doc_id: str, source_path: str, form: FormRecord) -> dict[str, list[dict]]:
    """One form's rows of the forms, funding and indicators tables."""
    return {
        "forms": form_rows(doc_id, source_path, form),
        "funding": funding_rows(doc_id, form),
        "indicators": indicator_rows(doc_id, form),
    }


def finding_rows(findings: Iterable[Finding]) -> list[dict]:
    return [{
        "doc_id": printable_name(f.doc_id), "form_seq": f.form_seq, "severity": f.severity.value, "code": f.code,
        "message": printable_name(f.message), "line": f.line, "page": f.page, "form_index": f.form_index, "sheet": f.sheet,
        "text": f.text, "table": f.table, "key": f.key, "field": f.field, "bbox": f.bbox,
    } for f in findings]


# The tables' Arrow memory comes from the C library's allocator: Arrow's default pool (mimalloc) keeps
# the memory of the buffers it frees, so peak memory grew with the rows a batch wrote, although they are
# written a row group at a time (bench/RESULTS.md: a 1,000-page PDF, a folder of 10,000 files).
POOL = pa.system_memory_pool()


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    """The rows (dicts, a missing key a null) as a table of ``name``'s schema
    (what ``pa.Table.from_pylist(rows, schema=...)`` makes, in :data:`POOL`)."""
    schema = arrow_schema(name)
    columns = [pa.array([row.get(f.name) for row in rows], type=f.type, memory_pool=POOL) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)
