"""One folder mixing every kind of input: pasted text, a web page, a Word
97-2003 file, .docx, .xlsx, .xls, a text PDF and a PDF without ruling
lines, all holding the seed's forms 1-4, gives one set of tables through
``selfeval extract``, every file's records equal to the text's."""

from __future__ import annotations

import shutil

import pandas as pd
from fixturegen import load_seed, seed_text, select
from fixturegen.office import write_docx, write_xlsx
from fixturegen.pdf import Style, render_pdf
from fixturegen.seed import ROOT
from fixturegen.web import write_html
from test_structured_equivalence import comparable
from typer.testing import CliRunner

from selfeval.cli import app
from selfeval.extract import soffice
from selfeval.settings import Settings

SEQS = [1, 2, 3, 4]  # the forms of the committed .xls


def test_a_folder_of_every_kind_gives_one_set_of_tables(tmp_path):
    forms = select(load_seed(), SEQS)
    folder = tmp_path / "inbox"
    (folder / "web").mkdir(parents=True)
    (folder / "forms.txt").write_text(seed_text(forms), encoding="utf-8")
    write_html(forms, folder / "web" / "forms.html", "gb2312")
    docx = write_docx(forms, folder / "forms.docx")
    write_xlsx(forms, folder / "forms.xlsx")
    shutil.copy(ROOT / "fixtures" / "structured" / "seed-forms-1-4.xls", folder / "forms.xls")
    render_pdf(forms, folder / "ruled.pdf")
    render_pdf(forms, folder / "unruled.pdf", Style(ruled=False, valign="top", pad=4))
    kinds = ["forms.docx", "forms.txt", "forms.xls", "forms.xlsx", "ruled.pdf", "unruled.pdf", "web/forms.html"]
    if soffice.soffice_path() is not None:
        converted = soffice.convert(docx.read_bytes(), ".docx", "doc", Settings())
        assert converted.data is not None, converted.problem
        (folder / "forms.doc").write_bytes(converted.data)
        kinds.append("forms.doc")
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out), "--format", "csv"])
    assert run.exit_code == 0, run.output
    tables = {name: pd.read_csv(out / f"{name}.csv") for name in ("forms", "funding", "indicators")}
    assert sorted(set(tables["forms"]["doc_id"])) == sorted(kinds)
    for name, table in tables.items():
        expected = comparable(table[table["doc_id"] == "forms.txt"])
        for doc_id in kinds:
            got = comparable(table[table["doc_id"] == doc_id])
            pd.testing.assert_frame_equal(got, expected, obj=f"{doc_id}: {name}", check_dtype=False)
    assert tables["forms"].groupby("doc_id")["form_seq"].apply(list).map(lambda s: s == SEQS).all()
