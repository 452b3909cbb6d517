"""End to end: the seed's forms as PDF, .xlsx, .xls and .docx give the same
four tables as the seed's text for the same forms, except for provenance
(which file, page, sheet and line each value came from)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

pipeline = pytest.importorskip("selfeval.pipeline", reason="the end-to-end tables need selfeval.pipeline")

from fixturegen import load_seed, seed_text, select  # noqa: E402
from fixturegen.office import write_docx, write_xlsx  # noqa: E402
from fixturegen.pdf import A3_PORTRAIT, TTF_FONT, Paging, Style, render_pdf  # noqa: E402
from fixturegen.seed import ROOT  # noqa: E402

PROVENANCE = {"doc_id", "source_path", "line", "line_start", "line_end", "page", "page_end", "sheet", "bbox"}
# how a message names a place: "line 12" (text), "page 3, row 12" (PDF), "sheet 表1, row 12" (workbook)
PLACE = r"\b(?:line \d+|page \d+, row \d+|sheet [^,]+, row \d+|table \d+, row \d+)"
SUBSET = [1, 2, 9, 10, 14, 25]
BREAKS = {1: 14, 2: 5, 9: 20, 10: 12, 14: 17, 25: 9}
ALL = list(range(1, 28))
XLS = ROOT / "fixtures" / "structured" / "seed-forms-1-4.xls"


def pdf(style: Style | None = None, paging: Paging | None = None):
    return lambda forms, path: render_pdf(forms, path.with_suffix(".pdf"), style or Style(), paging or Paging())


def xlsx(per_sheet: int = 1, origin: tuple[int, int] = (1, 1)):
    return lambda forms, path: write_xlsx(forms, path.with_suffix(".xlsx"), per_sheet, origin)


def docx_file(forms, path):
    return write_docx(forms, path.with_suffix(".docx"))


def committed_xls(forms, path):
    return XLS


VARIANTS = {
    "pdf-all-forms-one-per-page": (ALL, pdf()),
    "pdf-embedded-ttf": (SUBSET, pdf(Style(font=TTF_FONT))),
    "pdf-several-forms-per-page": (SUBSET, pdf(Style(page=A3_PORTRAIT), Paging(new_page_per_form=False))),
    "pdf-forms-split-across-pages": (SUBSET, pdf(paging=Paging(break_before=BREAKS))),
    "pdf-split-with-repeated-headers": (
        SUBSET,
        pdf(paging=Paging(break_before=BREAKS, repeat_rows=1, repeat_block_header=True)),
    ),
    "pdf-no-ruling-lines": (SUBSET, pdf(Style(ruled=False, valign="top", pad=4))),
    "xlsx-one-form-per-sheet": (ALL, xlsx()),
    "xlsx-several-forms-per-sheet": (SUBSET, xlsx(per_sheet=4, origin=(2, 2))),
    "xls": ([1, 2, 3, 4], committed_xls),
    "docx": (ALL, docx_file),
}


def tables_of(path: Path) -> dict[str, pd.DataFrame]:
    batch = pipeline.run([path])
    return {name: table.to_pandas() for name, table in batch.tables.items()}


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    """A table without provenance.  Findings also lose the line their message
    names, and their order, which follows the line (rows of a PDF are
    numbered per page, so a split form's findings sort differently)."""
    out = df.drop(columns=[c for c in df.columns if c in PROVENANCE]).reset_index(drop=True)
    if "message" in out:
        out["message"] = out["message"].str.replace(PLACE, "<place>", regex=True)
        out = out.sort_values(list(out.columns), kind="stable", na_position="first").reset_index(drop=True)
    return out


@pytest.fixture(scope="module")
def seed_forms():
    return load_seed()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("structured")


@pytest.fixture(scope="module")
def text_tables(seed_forms, folder):
    """Tables of the seed's text, per subset of forms."""
    cache: dict[tuple[int, ...], dict[str, pd.DataFrame]] = {}

    def get(seqs: list[int]) -> dict[str, pd.DataFrame]:
        key = tuple(seqs)
        if key not in cache:
            path = folder / f"text-{len(cache)}.txt"
            path.write_text(seed_text(select(seed_forms, seqs)), encoding="utf-8")
            cache[key] = tables_of(path)
        return cache[key]

    return get


@pytest.fixture(scope="module")
def structured_tables(seed_forms, folder):
    cache: dict[str, dict[str, pd.DataFrame]] = {}

    def get(variant: str) -> dict[str, pd.DataFrame]:
        if variant not in cache:
            seqs, make = VARIANTS[variant]
            cache[variant] = tables_of(make(select(seed_forms, seqs), folder / variant))
        return cache[variant]

    return get


@pytest.mark.parametrize("variant", VARIANTS)
def test_structured_input_gives_the_text_tables(variant, text_tables, structured_tables):
    expected = text_tables(VARIANTS[variant][0])
    got = structured_tables(variant)
    assert len(got["forms"]) == len(VARIANTS[variant][0])
    for name in ("forms", "funding", "indicators", "findings"):
        pd.testing.assert_frame_equal(comparable(got[name]), comparable(expected[name]), obj=f"{variant}: {name}")


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.startswith("pdf")])
def test_every_pdf_record_names_its_page(variant, structured_tables):
    tables = structured_tables(variant)
    for name in ("forms", "funding", "indicators"):
        assert tables[name]["page"].notna().all(), name


def test_records_of_a_split_form_name_the_page_they_are_on(structured_tables):
    tables = structured_tables("pdf-forms-split-across-pages")
    indicators = tables["indicators"]
    form1 = indicators[indicators["form_seq"] == 1]
    assert set(form1["page"]) == {1, 2}  # form 1 breaks inside its indicator block
    assert form1[form1["level3"] == "引才企业满意度"]["page"].tolist() == [2]
    assert tables["forms"].set_index("form_seq")["page"].to_dict() == {1: 1, 2: 3, 9: 5, 10: 7, 14: 9, 25: 11}


def test_every_pdf_finding_about_a_line_names_its_page(structured_tables):
    findings = structured_tables("pdf-forms-split-across-pages")["findings"]
    located = findings[findings["line"].notna()]
    assert len(located) and located["page"].notna().all()


def test_workbook_records_name_their_sheet(structured_tables):
    tables = structured_tables("xlsx-one-form-per-sheet")
    if "sheet" not in tables["funding"]:
        pytest.skip("the tables have no sheet column yet (selfeval.output.tables)")
    funding = tables["funding"]
    assert (funding["sheet"] == "项目" + funding["form_seq"].astype(str)).all()


def test_a_folder_of_mixed_documents_reads_every_good_file_and_reports_the_bad(seed_forms, folder, text_tables):
    from typer.testing import CliRunner

    from selfeval.cli import app

    batch = folder / "batch"
    (batch / "pdf").mkdir(parents=True)
    forms = select(seed_forms, [1, 2])
    render_pdf(forms, batch / "pdf" / "forms.pdf")
    write_xlsx(forms, batch / "forms.xlsx")
    write_docx(forms, batch / "forms.docx")
    (batch / "pdf" / "encrypted.pdf").write_bytes(_encrypted_pdf())
    (batch / "report.xlsx").write_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>")
    result = pipeline.run([batch])
    assert sorted(result.failed_inputs) == ["pdf/encrypted.pdf", "report.xlsx"]
    tables = {name: t.to_pandas() for name, t in result.tables.items()}
    unreadable = tables["findings"][tables["findings"]["code"] == "unreadable_input"]
    assert sorted(unreadable["doc_id"]) == ["pdf/encrypted.pdf"]
    # a web page a reporting system saved as .xlsx is read as the web page it is: it holds no form
    no_forms = tables["findings"][tables["findings"]["code"] == "no_forms_found"]
    assert no_forms["doc_id"].tolist() == ["report.xlsx"]
    expected = comparable(text_tables([1, 2])["indicators"])
    for doc_id in ("forms.docx", "forms.xlsx", "pdf/forms.pdf"):
        got = tables["indicators"][tables["indicators"]["doc_id"] == doc_id]
        pd.testing.assert_frame_equal(comparable(got), expected, obj=doc_id)

    out = folder / "batch-out"
    run = CliRunner().invoke(app, ["extract", str(batch), "--out", str(out), "--format", "csv"])
    assert run.exit_code == 1, run.output
    assert "encrypted.pdf" in run.output and "report.xlsx" in run.output
    assert len(pd.read_csv(out / "forms.csv")) == 6


def _encrypted_pdf() -> bytes:
    import io

    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret"))
    c.drawString(100, 700, "项目序号：1")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_line_references_are_the_only_message_difference(text_tables, structured_tables):
    """The comparison above ignores line numbers in messages; make sure that
    is all it ignores (a message that differs otherwise must fail)."""
    got = structured_tables("pdf-all-forms-one-per-page")["findings"]
    expected = text_tables(ALL)["findings"]
    strip = re.compile(PLACE)
    assert [strip.sub("", m) for m in got["message"]] == [strip.sub("", m) for m in expected["message"]]
    assert list(got["message"]) != list(expected["message"])  # the lines do differ: page rows, not file lines
