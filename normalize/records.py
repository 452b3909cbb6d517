"""Typed records: what one form says, after repair, before validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from selfeval.extract.grid import Place
from selfeval.findings import Finding
from selfeval.normalize.values import Value


@dataclass(frozen=True)
class FundingRecord:
    source_key: str
    source_label: str
    budget_initial: Decimal | None
    budget_full_year: Decimal | None
    executed: Decimal | None
    weight: Decimal | None
    execution_rate: Decimal | None
    score: Decimal | None
    line: int
    page: int | None = None
    repairs: tuple[str, ...] = ()
    sheet: str | None = None

    @property
    def place(self) -> Place:
        return Place(self.line, self.page, self.sheet)


@dataclass(frozen=True)
class IndicatorRecord:
    indicator_seq: int
    level1: str | None
    level2: str | None
    level3: str | None
    target: Value
    actual: Value
    base_unit: str | None
    target_base: Decimal | None
    actual_base: Decimal | None
    target_met: bool | None
    weight: Decimal | None
    score: Decimal | None
    deviation_note: str | None
    line: int
    page: int | None = None
    repairs: tuple[str, ...] = ()
    ocr_conf: float | None = None
    sheet: str | None = None
    level1_weight: Decimal | None = None  # the level-1 group's score stated in its label
    # whole-department forms (部门整体支出绩效自评表)
    measure_unit: str | None = None  # 计量单位
    indicator_kind: str | None = None  # 指标性质: 定量指标 / 定性指标
    target_adjusted: Value | None = None  # 调整指标值
    score_coefficient: Decimal | None = None  # 得分系数 as a fraction
    is_core: bool | None = None  # 是否核心指标

    @property
    def place(self) -> Place:
        return Place(self.line, self.page, self.sheet)


@dataclass
class FormRecord:
    form_index: int
    form_seq: int | None
    line_start: int
    line_end: int
    page: int | None = None
    page_end: int | None = None
    sheet: str | None = None
    year: int | None = None
    title: str | None = None
    amount_unit: str | None = None
    budget_unit: str | None = None
    implementing_unit: str | None = None
    project_name: str | None = None
    goal_target: str | None = None
    goal_actual: str | None = None
    total_weight: Decimal | None = None
    total_score: Decimal | None = None
    total_place: Place | None = None
    template: str | None = None
    layout: str | None = None  # single-target (年度指标值) or split-target (指标性质|指标值|度量单位)
    department: str | None = None  # 主管部门
    project_code: str | None = None
    budget_unit_code: str | None = None
    evaluation_conclusion: str | None = None  # 评价结论
    problems: str | None = None  # 存在问题
    improvements: str | None = None  # 改进措施
    project_leader: str | None = None  # 项目负责人
    look_alike: str | None = None  # why this is not a self-evaluation form, when it is not
    form_kind: str = "project"  # project (项目支出) or department (部门整体支出)
    goal_adjusted: str | None = None  # 全年（调整）绩效目标
    contact_person: str | None = None  # 部门联系人
    contact_phone: str | None = None  # 联系电话
    finance_office: str | None = None  # 财政处室
    self_score: str | None = None  # 自评总分 as written in the head (read into total_score)
    funding: list[FundingRecord] = field(default_factory=list)
    indicators: list[IndicatorRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    used_lines: set[Place] = field(default_factory=set)  # places of the rows that became part of the record

    @property
    def total_line(self) -> int | None:
        return self.total_place.line if self.total_place else None

    @property
    def funding_total(self) -> FundingRecord | None:
        return next((f for f in self.funding if f.source_key == "total"), None)

    @property
    def computed_score(self) -> Decimal | None:
        total = self.funding_total
        parts = [i.score for i in self.indicators if i.score is not None]
        if total is not None and total.score is not None:
            parts.append(total.score)
        return sum(parts, Decimal(0)) if parts else None
