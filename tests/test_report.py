"""The review report (selfeval.report): placement of findings, content, self-containment.

Most tests use the synthetic batch of selfeval.report.sample, whose defects are
known by construction.  The seed tests run the real extraction on the 27 seed
forms and check that the contradictions the issue names are flagged with their
source lines; they are skipped while the extraction pipeline is not in the tree.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from reportdata import decoded

from selfeval.pages import page_image_name
from selfeval.report import ReportInputError, charts, write_report
from selfeval.report.locate import target_cell
from selfeval.report.sample import SAMPLE_FLAGGED_CELLS, write_sample_output

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"


# --- a small HTML reader: the elements of each form template ----------------------------------

class _Elements(HTMLParser):
    """Collects (tag, attrs, form_key) for every start tag; form_key is the enclosing template's key."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, dict[str, str], str | None]] = []
        self._template: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "template" and "form-tpl" in a.get("class", ""):
            self._template = a.get("data-key")
        self.items.append((tag, a, self._template))

    def handle_endtag(self, tag):
        if tag == "template":
            self._template = None


def read_report(path: Path) -> str:
    return decoded(path.read_text(encoding="utf-8"))


def elements(html: str) -> list[tuple[str, dict[str, str], str | None]]:
    parser = _Elements()
    parser.feed(html)
    return parser.items


def classes(attrs: dict[str, str]) -> set[str]:
    return set(attrs.get("class", "").split())


def flagged_by_form(html: str) -> Counter:
    return Counter(key for _, a, key in elements(html) if key and "flagged" in classes(a))


def form_html(html: str, key: str) -> str:
    start = html.index(f'data-key="{key}"')
    return html[start: html.index("</template>", start)]


# --- fixtures -------------------------------------------------------------------------------------

@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_sample_output(tmp_path / "out")


@pytest.fixture
def sample_html(sample: Path) -> str:
    return read_report(write_report(sample))


@pytest.fixture(scope="module")
def seed_html(seed_out: Path) -> str:
    return read_report(write_report(seed_out))


# --- the report on the synthetic batch ------------------------------------------------------------

def test_report_is_written_into_the_output_folder(sample: Path):
    path = write_report(sample)
    assert path == sample / "report.html"
    assert path.stat().st_size > 10_000


def test_every_flagged_value_is_on_its_form(sample_html: str):
    counts = flagged_by_form(sample_html)
    expected = {f"sample-2020.txt#{i}": SAMPLE_FLAGGED_CELLS[k] for i, k in enumerate("ABCD", start=1)}
    assert dict(counts) == expected


def test_flagged_cells_are_the_values_the_findings_name(sample_html: str):
    # form 1 (kind A): the stated 执行率 of 年度资金总额, and the computed rate beside it
    a = form_html(sample_html, "sample-2020.txt#1")
    assert re.search(r'<td class="n flagged sev-warning" data-fids="1"[^>]*>100\.00%<small class="calc">'
                     r"执行数÷全年预算 = 16\.67%", a)
    # form 2 (kind B): the funding score, with rate × weight beside it
    b = form_html(sample_html, "sample-2020.txt#2")
    assert re.search(r'flagged sev-warning" data-fids="1"[^>]*>4\.00<small class="calc">执行率×分值 = 3\.26', b)
    # form 3 (kind C): the missing total weight, the unreadable comparator, the repaired label
    c = form_html(sample_html, "sample-2020.txt#3")
    assert re.search(r'<td class="n flagged sev-warning" data-fids="4"[^>]*><span class="null">—</span>', c)
    assert re.search(r'<td class="v flagged sev-warning" data-fids="2"[^>]*>（20日', c)
    assert re.search(r'<td class="lvl flagged sev-info" data-fids="3"[^>]*>时效指标', c)
    # form 4 (kind D): the repeated 项目序号 in the header, the total weight, the target whose unit was inferred
    d = form_html(sample_html, "sample-2020.txt#4")
    assert re.search(r'<span class="seq flagged sev-warning" data-fids="1"', d)
    assert re.search(r'<td class="v flagged sev-info" data-fids="2"[^>]*>≤3000', d)


def test_source_lines_are_shown_with_the_findings_text_marked(sample_html: str):
    c = form_html(sample_html, "sample-2020.txt#3")
    lines = [int(n) for n in re.findall(r'<tr id="F3-L(\d+)"', c)]
    assert lines == list(range(41, 60))  # the form's line_start..line_end
    row57 = re.search(r'<tr id="F3-L57"[^>]*>(.*?)</tr>', c).group(0)
    assert "src-flagged sev-warning" in row57 and 'data-fids="2 3"' in row57
    assert '<mark class="sev-warning" data-fid="2">（20日</mark>' in row57
    assert '<mark class="sev-info" data-fid="3">時效指標</mark>' in row57
    # the stray line inside the form is an error on the source, and on no value
    assert re.search(r'<tr id="F3-L54" class="src-line src-flagged sev-error"', c)
    assert "not on a value" in c


def test_findings_outside_any_form_are_listed(sample_html: str):
    section = sample_html[sample_html.index('id="file-findings"'):sample_html.index('id="charts"')]
    assert "unparsed_line" in section and "附件1：2020年度项目支出绩效自评表（汇编）" in section


def test_summary_counts_and_errors_first(sample_html: str):
    cards = re.findall(r'<div class="big">(\d+)</div><div>([^<]+)</div>', sample_html)
    assert cards == [("1", "输入文件 inputs"), ("4", "表 forms"), ("12", "指标 indicators"), ("11", "发现 findings")]
    assert '<span class="badge sev-error">2 error</span>' in sample_html
    assert '<span class="badge sev-warning">7 warning</span>' in sample_html
    review = re.findall(r'<tr class="pick rank-(\d)" data-form="([^"]+)"', sample_html)
    assert review[0] == ("0", "sample-2020.txt#3")  # the only form with an error comes first
    assert [r for r, _ in review] == sorted(r for r, _ in review)
    codes = dict(re.findall(r'data-code="([a-z_]+)"[^>]*>.*?<td class="n">(\d+)</td>', sample_html))
    assert codes["unparsed_line"] == "2" and codes["execution_rate_mismatch"] == "1"


def test_repeated_form_seq_keeps_both_forms(sample_html: str):
    keys = re.findall(r'<template class="form-tpl" data-key="([^"]+)"', sample_html)
    assert keys == [f"sample-2020.txt#{i}" for i in range(1, 5)]
    headers = re.findall(r'<span class="seq( flagged sev-warning)?"[^>]*>项目序号 (\d+)<', sample_html)
    assert headers == [("", "1"), ("", "2"), ("", "3"), (" flagged sev-warning", "3")]


def test_report_is_self_contained(sample_html: str):
    assert not re.search(r"https?://|ftp://|//[a-z0-9.-]+\.[a-z]{2,}/", sample_html, re.I)
    for attr in re.findall(r'\b(?:src|href|action|poster|data)\s*=\s*"([^"]*)"', sample_html):
        assert attr.startswith(("#", "data:")), attr
    assert not re.search(r"<link\b|<script[^>]+src=|@import|url\((?!data:)", sample_html)
    assert "default-src 'none'" in sample_html  # and the page may fetch nothing, whatever its data says


def test_text_from_the_forms_is_escaped(sample: Path):
    forms = pd.read_parquet(sample / "forms.parquet")
    forms.loc[0, "project_name"] = '<img src="http://example.invalid/x.png">'
    forms.to_parquet(sample / "forms.parquet", index=False)
    html = read_report(write_report(sample))
    assert "<img src=" not in html
    assert "&lt;img src=&quot;http://example.invalid/x.png&quot;&gt;" in html


def test_missing_source_file_is_said_on_the_page(sample: Path):
    (sample / "source" / "sample-2020.txt").unlink()
    html = read_report(write_report(sample))
    assert html.count("source file not found") == 4
    assert sum(flagged_by_form(html).values()) == sum(SAMPLE_FLAGGED_CELLS.values())


def test_csv_tables_are_read_when_there_is_no_parquet(sample: Path, sample_html: str):
    for path in sample.glob("*.parquet"):
        path.unlink()
    html = read_report(write_report(sample))
    assert "forms.csv" in html
    assert flagged_by_form(html) == flagged_by_form(sample_html)


def test_a_folder_without_tables_says_what_to_do(tmp_path: Path):
    with pytest.raises(ReportInputError, match=r"selfeval extract"):
        write_report(tmp_path)


def test_page_image_is_embedded_for_a_pdf_form(sample: Path):
    from PIL import Image

    forms = pd.read_parquet(sample / "forms.parquet")
    forms["source_path"] = forms["source_path"].str.replace(".txt", ".pdf")
    forms["page"] = pd.array([1, 1, 2, 3], dtype="Int64")
    forms.to_parquet(sample / "forms.parquet", index=False)
    (sample / "pages").mkdir()
    Image.new("RGB", (1240, 1754), "white").save(sample / "pages" / page_image_name("sample-2020.txt", 1))
    html = read_report(write_report(sample))
    assert html.count('<img src="data:image/jpeg;base64,') == 2  # forms 1 and 2 are on page 1
    assert html.count("no page image") == 2  # pages 2 and 3 were not rendered


def test_a_form_over_two_pages_shows_both_page_images(sample: Path):
    from PIL import Image

    forms = pd.read_parquet(sample / "forms.parquet")
    forms["source_path"] = forms["source_path"].str.replace(".txt", ".pdf")
    forms["page"] = pd.array([1, 3, 4, 5], dtype="Int64")
    forms.to_parquet(sample / "forms.parquet", index=False)
    indicators = pd.read_parquet(sample / "indicators.parquet")
    first = indicators["form_index"] == 1
    indicators["page"] = pd.array([1] * len(indicators), dtype="Int64")
    indicators.loc[first & (indicators["indicator_seq"] == 3), "page"] = 2  # the form's last row is on page 2
    indicators.to_parquet(sample / "indicators.parquet", index=False)
    (sample / "pages").mkdir()
    for page in (1, 2):
        Image.new("RGB", (600, 800), "white").save(sample / "pages" / page_image_name("sample-2020.txt", page, ".jpg"))
    html = read_report(write_report(sample))
    form1 = form_html(html, "sample-2020.txt#1")
    assert form1.count('<img src="data:image/jpeg;base64,') == 2
    assert "第 1 页" in form1 and "第 2 页" in form1


def test_rows_read_by_ocr_below_the_threshold_are_marked(sample: Path):
    indicators = pd.read_parquet(sample / "indicators.parquet")
    indicators["ocr_conf"] = 0.99
    indicators.loc[0, "ocr_conf"] = 0.62
    indicators.to_parquet(sample / "indicators.parquet", index=False)
    html = read_report(write_report(sample))
    assert html.count('<span class="ocr"') == 1 and ">OCR 0.62</span>" in html
    assert html.count('<tr class="lowconf"') == 1


# --- locating findings ----------------------------------------------------------------------------

def test_a_pdf_finding_is_placed_on_the_row_of_its_page():
    rows = [{"line": 5, "page": 1, "actual_raw": "90%"}, {"line": 5, "page": 2, "actual_raw": "95%"}]
    assert target_cell("low_confidence", 5, "95%", [], rows, page=2) == "i1.actual"
    assert target_cell("low_confidence", 5, "90%", [], rows, page=1) == "i0.actual"
    assert target_cell("low_confidence", 5, "90%", [], rows, page=3) is None


FUNDING = [{"source_key": "total", "line": 12, "execution_rate": 1.0}, {"source_key": "district", "line": 13}]
INDICATORS = [
    {"line": 17, "level1": "产出指标", "level2": "时效指标", "target_raw": "≤3000", "target_unit": "元/人",
     "actual_raw": "3000元/人", "actual_unit": "元/人", "score": 20.0},
    {"line": 18, "level1": "满意度指标", "level2": "服务对象满意度指标", "target_raw": "≥95%", "actual_raw": "90%"},
]


def test_a_repaired_label_is_the_one_the_message_names():
    message = "line 18: '满意度' read as '满意度指标' (fuzzy match, score 87.5)"
    assert target_cell("label_repaired", 18, "\t满意度\t服务对象满意度指标", FUNDING, INDICATORS, message) == "i1.level1"
    message = "line 18: '服务对象满意度' read as '服务对象满意度指标' (fuzzy match, score 87.5)"
    assert target_cell("label_repaired", 18, None, FUNDING, INDICATORS, message) == "i1.level2"


@pytest.mark.parametrize("code, line, text, cell", [
    ("execution_rate_mismatch", 12, None, "f0.execution_rate"),
    ("execution_rate_mismatch", None, None, "f0.execution_rate"),  # no line: the 年度资金总额 row
    ("funding_score_mismatch", 13, None, "f1.score"),
    ("missing_deviation_note", 13, None, "f1.execution_rate"),  # under-executed funds
    ("missing_deviation_note", 18, None, "i1.deviation_note"),
    ("unrecognized_comparator", 17, None, "i0.target"),
    ("unit_inferred", 17, None, "i0.target"),
    ("label_repaired", 18, "满意度指", "i1.level1"),
    ("label_repaired", 17, "時效指標", "i0.level2"),
    ("score_exceeds_weight", 17, None, "i0.score"),
    ("low_confidence", 17, "3000元/人", "i0.actual"),
    ("low_confidence", 17, "???", "i0.row"),
    ("row_realigned", 18, None, "i1.row"),
    ("missing_total_weight", 20, None, "t.weight"),
    ("weight_sum_mismatch", None, None, "t.weight"),
    ("total_score_mismatch", None, None, "t.score"),
    ("duplicate_form_seq", 5, None, "h.seq"),
    ("unparsed_line", 14, "注", None),  # a line no record used: on no value
    ("template_applied", None, None, None),
    ("a_code_added_later", 18, None, "i1.row"),
])
def test_target_cell(code, line, text, cell):
    assert target_cell(code, line, text, FUNDING, INDICATORS) == cell


# --- charts ---------------------------------------------------------------------------------------

def test_charts_are_svg_with_chinese_text(sample: Path):
    forms, funding = pd.read_parquet(sample / "forms.parquet"), pd.read_parquet(sample / "funding.parquet")
    indicators, findings = pd.read_parquet(sample / "indicators.parquet"), pd.read_parquet(sample / "findings.parquet")
    rate = charts.execution_rate_chart(forms, funding, findings)
    assert rate.startswith("<svg") and rate.count("<rect") == 4
    assert charts.FONT_FAMILY.endswith("sans-serif")
    assert rate.count(f'stroke="{charts.COLOR["bad"]}"') == 1  # only form 1's rate contradicts its amounts
    assert "≠ 填报 100.0%" in rate and "<text" in rate and "档案管理费1" in rate
    weights = charts.score_weight_chart(forms, funding, indicators)
    for label in ("预算执行", "产出指标", "效益指标", "满意度指标"):
        assert f">{label}</text>" in weights
    targets = charts.targets_chart(indicators)
    counts = {m.group(2): int(m.group(3)) for m in
              re.finditer(r"<title>(产出指标) (达成|未达成|无法比较) (\d+)</title>", targets)}
    assert counts == {"达成": 6, "无法比较": 1}


def test_execution_chart_shows_the_lowest_rates_of_a_large_batch(tmp_path: Path):
    out = write_sample_output(tmp_path / "big", n_forms=200)
    svg = charts.execution_rate_chart(pd.read_parquet(out / "forms.parquet"),
                                      pd.read_parquet(out / "funding.parquet"),
                                      pd.read_parquet(out / "findings.parquet"))
    assert svg.count("<rect") == charts.MAX_BARS
    assert f"执行率最低的 {charts.MAX_BARS} 个 / 共 200 个" in svg


# --- the seed ---------------------------------------------------------------------------------------

def _finding_fids(section: str, code: str) -> list[str]:
    return re.findall(rf'<li class="finding[^"]*" data-fid="(\d+)"[^>]*data-code="{code}"', section)


def _seed_form(html: str, seq: int) -> str:
    keys = re.findall(r'<template class="form-tpl" data-key="([^"]+#\d+)"[^>]*>\s*<section[^>]*>'
                      r'<header><h3><span[^>]*>项目序号 (\d+)<', html)
    key = next(k for k, s in keys if int(s) == seq)
    return form_html(html, key)


@pytest.mark.parametrize("seq, code, cell_pattern, line", [
    (15, "execution_rate_mismatch", r'<td class="n flagged[^"]*" data-fids="[^"]*\b{fid}\b[^"]*"[^>]*>100\.00%', 425),
    (10, "funding_score_mismatch", r'<td class="n flagged[^"]*" data-fids="[^"]*\b{fid}\b[^"]*"[^>]*>4\.00', 278),
    (2, "weight_sum_mismatch", r'<td class="n flagged[^"]*" data-fids="[^"]*\b{fid}\b[^"]*"[^>]*>100\.00', None),
    (8, "weight_sum_mismatch", r'<td class="n flagged[^"]*" data-fids="[^"]*\b{fid}\b[^"]*"[^>]*>100\.00', None),
    (19, "weight_sum_mismatch", r'<td class="n flagged[^"]*" data-fids="[^"]*\b{fid}\b[^"]*"[^>]*>100\.00', None),
    (12, "missing_total_weight", r'<td class="n flagged[^"]*" data-fids="[^"]*\b{fid}\b[^"]*"[^>]*><span class="null">',
     None),
    (20, "unrecognized_comparator", r'<td class="v flagged[^"]*" data-fids="[^"]*\b{fid}\b[^"]*"[^>]*>[（(]20日', 584),
])
def test_seed_contradictions_are_flagged_with_their_source_lines(seed_html: str, seq, code, cell_pattern, line):
    section = _seed_form(seed_html, seq)
    fids = _finding_fids(section, code)
    assert fids, f"form {seq} has no {code} finding"
    assert any(re.search(cell_pattern.format(fid=fid), section) for fid in fids), f"form {seq}: {code} not on its value"
    assert re.search(r'<tr id="F\d+-L\d+"', section), f"form {seq}: no source lines"
    if line is not None:
        assert re.search(rf'<tr id="F\d+-L{line}" class="src-line src-flagged', section)


def test_seed_report_is_self_contained_and_complete(seed_html: str):
    html = seed_html
    assert len(re.findall(r'<template class="form-tpl"', html)) == 27
    assert not re.search(r"https?://", html)
    assert "source file not found" not in html


def test_csv_only_output_shows_formula_like_text_as_written(tmp_path):
    """The CSV guards formula-like text with a leading quote; the report, read
    from CSV alone, shows the text as the Parquet holds it."""
    from typer.testing import CliRunner

    from selfeval.cli import app
    from selfeval.output.writers import csv_safe, csv_unsafe
    from selfeval.report.load import load_batch

    for text in ("=HYPERLINK(\"x\")", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "-5万元", "'quoted", "=", "普通文本"):
        assert csv_unsafe(csv_safe(text)) == text
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", "fixtures/bad/formula-cells.txt", "--out", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    names = set(load_batch(out).forms.project_name) | set(load_batch(out).indicators.level3)
    assert not any(isinstance(n, str) and n.startswith("'") for n in names)
    assert any(isinstance(n, str) and n.startswith(("=", "+", "@")) for n in names)


def test_every_goto_button_has_its_target(seed_html: str, sample: Path):
    """行 N buttons lead to a source line (text) or page (PDF, scan) that the form shows."""
    forms = pd.read_parquet(sample / "forms.parquet")
    forms["source_path"] = forms["source_path"].str.replace(".txt", ".pdf")
    forms["page"] = pd.array([1, 1, 2, 3], dtype="Int64")
    forms.to_parquet(sample / "forms.parquet", index=False)
    findings = pd.read_parquet(sample / "findings.parquet")
    findings["page"] = findings["form_index"].map({1: 1, 2: 1, 3: 2, 4: 3}).astype("Int64")
    findings.to_parquet(sample / "findings.parquet", index=False)
    (sample / "pages").mkdir()
    from PIL import Image

    Image.new("RGB", (600, 800), "white").save(sample / "pages" / "sample-2020.txt-p1.png")
    pdf_html = read_report(write_report(sample))
    n = 0
    for html in (seed_html, pdf_html):
        for key in re.findall(r'<template class="form-tpl" data-key="([^"]+)"', html):
            part = form_html(html, key)
            for target in re.findall(r'<button type="button" class="goto" data-target="([^"]+)"', part):
                assert f'id="{target}"' in part, (key, target)
                n += 1
    assert n > 100
    assert "第 1 页" in form_html(pdf_html, "sample-2020.txt#1")


def test_chart_bars_open_their_form(seed_html: str):
    chart = seed_html[seed_html.index('<section id="charts"'):seed_html.index('<section id="review"')]
    keys = re.findall(r'<g class="pick" data-form="([^"]+)"', chart)
    assert len(keys) == 27 and len(set(keys)) == 27
    assert all(f'data-key="{k}"' in seed_html for k in keys)
