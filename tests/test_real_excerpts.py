"""Real forms from other provinces (../shared/real-excerpts): every field a
careful reader sees is read, or its line is reported.  The expected values
are hand readings kept in tests/excerpts/*.toml (values and notes only, not
copies of the excerpts)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scangen.compare import same_field

from selfeval.pipeline import run

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

EXCERPTS = Path(__file__).parent / "excerpts"
NAMES = ["04_sichuan_qingshen_fagai_2023", "05_sichuan_daying_sifa_2023", "07_ningxia_yinchuan_liuzhong_2021_OCR",
         "08_chongqing_kexuecheng_rongmeiti_2021_dept_whole_OCR"]
# how many hand-read fields each excerpt's reading gets right (the others, marked reportable in the
# hand reading, are reported with their text)
READ = {"04_sichuan_qingshen_fagai_2023": 62, "05_sichuan_daying_sifa_2023": 63,
        "07_ningxia_yinchuan_liuzhong_2021_OCR": 181, "08_chongqing_kexuecheng_rongmeiti_2021_dept_whole_OCR": 292}
FUNDING_VALUES = ("budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score")
INDICATOR_VALUES = ("level1", "level2", "level3", "target_op", "target_value", "target_unit",
                    "actual_raw", "actual_value", "weight", "score")
def _null(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _check(shared_dir: Path, name: str) -> tuple[list, list, list]:
    """(read, reported, neither): each hand-read field with what the tool gave."""
    want = tomllib.loads((EXCERPTS / f"{name}.toml").read_text(encoding="utf-8"))
    batch = run([shared_dir / "real-excerpts" / f"{name}.txt"])
    tables = {k: v.to_pandas() for k, v in batch.tables.items()}
    reported_lines = set(tables["findings"].line.dropna().astype(int))
    forms = tables["forms"]
    start = want["form"]["title"]["line"]
    form = forms[(forms.line_start <= start) & (forms.line_end >= start)]
    assert len(form) == 1, f"no form read at line {start}: {forms[['line_start', 'line_end']]}"
    form = form.iloc[0]
    read, reported, neither = [], [], []

    findings = tables["findings"]

    def said(line: int) -> str:
        at = findings[findings.line == line]
        return " ".join(f"{t} {m}" for t, m in zip(at.text.fillna(""), at.message, strict=True))

    def judge(key: tuple, got, value, line: int, reportable: bool = False) -> None:
        """Read right; or, where the hand reading allows it, reported with its
        text (the value's first characters in a finding on its line)."""
        if same_field(got, value) or (_null(got) and _null(value)):
            read.append(key)
        elif line in reported_lines and (not reportable or _null(value) or str(value).removesuffix(".0")[:10] in said(line)):
            reported.append((*key, value, got, reportable))
        else:
            neither.append((*key, value, got))

    for field, spec in want["form"].items():
        value = None if spec.get("empty") else spec["value"]  # a cell printed with an empty-cell mark (无)
        judge(("forms", field), form[field], value, spec["line"], spec.get("reportable", False))
    funding = tables["funding"][tables["funding"].form_index == form.form_index].set_index("source_key", drop=False)
    for rec in want.get("funding", []):
        row = funding.loc[rec["source_key"]] if rec["source_key"] in funding.index else None
        for field in FUNDING_VALUES:
            judge(("funding", rec["source_key"], field), None if row is None else row[field], rec.get(field), rec["line"])
    indicators = tables["indicators"][tables["indicators"].form_index == form.form_index].set_index("level3", drop=False)
    for rec in want.get("indicators", []):
        row = indicators.loc[rec["level3"]] if rec["level3"] in indicators.index else None
        if row is None:  # a row not read: reported as a whole (its name in a finding on its line), or lost
            whole = rec.get("reportable", False) and rec["level3"][:10] in said(rec["line"])
            (reported if whole else neither).append(("indicators", rec["level3"], "row", True))
            continue
        fields = INDICATOR_VALUES + tuple(k for k in rec if k not in INDICATOR_VALUES and k not in ("line", "reportable"))
        for field in fields:
            judge(("indicators", rec["level3"], field), None if row is None else row[field], rec.get(field), rec["line"],
                  rec.get("reportable", False))
    for rec in want.get("report", []):  # text no column holds: a finding with its text, on its line or
        at = findings[findings.line.between(rec["line"] - 12, rec["line"])]  # the line its rebuilt row starts on
        said = " ".join(f"{t} {m}" for t, m in zip(at.text.fillna(""), at.message, strict=True))
        (reported if rec["text"] in said else neither).append(("report", rec["line"], rec["text"], said))
    tail = want.get("tail")
    if tail:  # a form cut at its top: read as one, field by field, or every line reported
        first = forms[(forms.line_start <= tail["lines"][0]) & (forms.line_end >= tail["lines"][-1])]
        if first.empty:
            for line in tail["lines"]:
                (reported if line in reported_lines else neither).append(("tail", line))
        else:
            cut = first.iloc[0]
            for field, spec in tail.items():
                if isinstance(spec, dict) and "value" in spec:
                    judge(("tail", field), cut[field], spec["value"], spec["line"])
            rec = tail["indicator"]
            rows = tables["indicators"][tables["indicators"].form_index == cut.form_index].set_index("level3", drop=False)
            row = rows.loc[rec["level3"]] if rec["level3"] in rows.index else None
            for field in INDICATOR_VALUES:
                judge(("tail", rec["level3"], field), None if row is None else row[field], rec.get(field), rec["line"])
    return read, reported, neither


@pytest.mark.parametrize("name", NAMES)
def test_every_field_present_is_read_or_reported(shared_dir, name):
    read, reported, neither = _check(shared_dir, name)
    assert not neither, f"read wrong or lost, and not reported: {neither}"
    # a field the hand reading does not mark reportable is read, not merely reported;
    # what no column holds, and a form cut at its top, are reported with their text
    assert not [r for r in reported if r[0] not in ("report", "tail") and not r[-1]], reported
    assert len(read) == READ[name], (len(read), [r for r in reported if r[0] not in ("report", "tail")])


@pytest.mark.parametrize("name", NAMES)
def test_every_line_is_used_or_reported(shared_dir, name):
    """The accounting holds on each excerpt: lines = lines used + lines reported
    (a line of blank cells, `` |``, counts as a blank line does)."""
    batch = run([shared_dir / "real-excerpts" / f"{name}.txt"])
    [entry] = batch.files
    assert entry.lines == entry.lines_used + entry.lines_reported, (entry.lines, entry.lines_used, entry.lines_reported)
