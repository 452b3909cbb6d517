"""Legacy Word and WPS files (.doc, .wps, .et, .dps) through LibreOffice:
real files made by LibreOffice from the .docx, .xlsx and presentation
fixtures at run time give the text path's tables; without LibreOffice each
is reported and the batch goes on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fixturegen import load_seed, seed_text, select
from fixturegen.office import write_docx, write_fodp, write_xlsx
from test_structured_equivalence import comparable

from selfeval import pipeline
from selfeval.extract import soffice
from selfeval.extract.readers import sniff_suffix
from selfeval.settings import Settings

needs_office = pytest.mark.skipif(soffice.soffice_path() is None, reason="LibreOffice is not installed: make install-office")
SEQS = [1, 2, 9, 12, 17, 20, 22, 27]  # the seed's judgement-call forms among them


def tables_of(path: Path) -> dict[str, pd.DataFrame]:
    return {name: table.to_pandas() for name, table in pipeline.run([path]).tables.items()}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A .doc and an .et (an Excel 97-2003 workbook, as WPS writes one) made
    by LibreOffice from the fixture generators' .docx and .xlsx, and the
    seed's text of the same forms."""
    if soffice.soffice_path() is None:
        pytest.skip("LibreOffice is not installed: make install-office")
    folder = tmp_path_factory.mktemp("legacy")
    forms = select(load_seed(), SEQS)
    (folder / "forms.txt").write_text(seed_text(forms), encoding="utf-8")
    docx = write_docx(forms, folder / "forms.docx")
    xlsx = write_xlsx(forms, folder / "forms.xlsx")
    doc = soffice.convert(docx.read_bytes(), ".docx", "doc", Settings())
    xls = soffice.convert(xlsx.read_bytes(), ".xlsx", "xls", Settings())
    assert doc.data and xls.data, (doc.problem, xls.problem)
    (folder / "forms.doc").write_bytes(doc.data)
    (folder / "forms.wps").write_bytes(doc.data)  # WPS's .wps is the Word 97-2003 format
    (folder / "forms.et").write_bytes(xls.data)
    return folder


@needs_office
@pytest.mark.parametrize("name", ["forms.doc", "forms.wps", "forms.et"])
def test_a_legacy_file_gives_the_text_tables(made, name):
    assert sniff_suffix(made / name, (made / name).read_bytes()) == Path(name).suffix
    got, expected = tables_of(made / name), tables_of(made / "forms.txt")
    assert got["forms"]["form_seq"].tolist() == SEQS
    for table in ("forms", "funding", "indicators", "findings"):
        pd.testing.assert_frame_equal(comparable(got[table]), comparable(expected[table]), obj=f"{name}: {table}")
    column = got["funding"]["sheet"]
    if name == "forms.et":
        assert (column == "项目" + got["funding"]["form_seq"].astype(str)).all()
    else:
        assert column.str.fullmatch(r"table \d").all()


def _has_impress() -> bool:
    program = soffice.soffice_path()
    if program is None:
        return False
    return (Path(program).resolve().parents[1] / "share" / "registry" / "impress.xcd").exists()


@pytest.mark.skipif(not _has_impress(), reason="LibreOffice Impress is not installed (libreoffice-impress-nogui): "
                    "make install-office")
def test_a_wps_presentation_holding_a_table_gives_the_text_tables(tmp_path, cjk_font):
    """A .dps (WPS Presentation: the PowerPoint 97-2003 container) made by
    LibreOffice from a presentation with one slide per form, each a table
    with merged cells: converted to PDF, its slides read as pages of a PDF
    without ruling lines (a presentation table prints no rules here)."""
    forms = select(load_seed(), [1, 2])
    (tmp_path / "forms.txt").write_text(seed_text(forms), encoding="utf-8")
    fodp = write_fodp(forms, tmp_path / "forms.fodp")
    ppt = soffice.convert(fodp.read_bytes(), ".fodp", "ppt", Settings())
    assert ppt.data, ppt.problem
    (tmp_path / "forms.dps").write_bytes(ppt.data)
    assert sniff_suffix(tmp_path / "forms.dps", ppt.data) == ".dps"
    got, expected = tables_of(tmp_path / "forms.dps"), tables_of(tmp_path / "forms.txt")
    assert got["forms"]["form_seq"].tolist() == [1, 2]
    assert got["forms"]["page"].tolist() == [1, 2]  # a slide is a page
    for table in ("forms", "funding", "indicators", "findings"):
        pd.testing.assert_frame_equal(comparable(got[table]), comparable(expected[table]), obj=f"forms.dps: {table}")
    # the PDF is read from a temporary file of its own; the rows and messages name the presentation
    assert got["forms"]["source_path"].tolist() == [str(tmp_path / "forms.dps")] * 2
    for table in ("forms", "funding", "indicators", "findings"):
        assert set(got[table]["doc_id"]) == {"forms.dps"}, table
        text = got[table].astype(str).to_csv()
        assert "converted" not in text and ".pdf" not in text, table


@needs_office
def test_a_doc_under_a_docx_name_is_converted(made, tmp_path):
    (tmp_path / "renamed.docx").write_bytes((made / "forms.doc").read_bytes())
    assert tables_of(tmp_path / "renamed.docx")["forms"]["form_seq"].tolist() == SEQS


@needs_office
def test_a_conversion_over_its_time_limit_is_reported_and_stopped(made):
    result = pipeline.run([made / "forms.doc"], Settings(office_timeout_s=0.001))
    findings = result.tables["findings"].to_pandas()
    (message,) = findings[findings["code"] == "unreadable_input"]["message"]
    assert "forms.doc" in message and "office_timeout_s" in message
    assert result.failed_inputs == ["forms.doc"]


@needs_office
def test_the_conversion_time_limit_is_set_on_the_command_line(made, tmp_path):
    from typer.testing import CliRunner

    from selfeval.cli import app

    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["extract", str(made / "forms.doc"), "--out", str(out), "--format", "csv",
                                   "--office-timeout", "0.001"])
    assert run.exit_code == 1, run.output
    findings = pd.read_csv(out / "findings.csv")
    (message,) = findings[findings["code"] == "unreadable_input"]["message"]
    assert "within 0.001 s" in message and "--office-timeout" in message


def test_without_libreoffice_each_file_is_reported_with_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(soffice, "soffice_path", lambda: None)
    (tmp_path / "a.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"))
    (tmp_path / "b.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"))
    (tmp_path / "c.txt").write_text(seed_text(select(load_seed(), [1])), encoding="utf-8")
    result = pipeline.run([tmp_path])
    assert sorted(result.failed_inputs) == ["a.doc", "b.et"]
    findings = result.tables["findings"].to_pandas()
    unreadable = findings[findings["code"] == "unreadable_input"]
    messages = dict(zip(unreadable["doc_id"], unreadable["message"], strict=True))
    assert "make install-office" in messages["a.doc"] and "text document" in messages["a.doc"]
    assert "spreadsheet" in messages["b.et"] and ".xlsx" in messages["b.et"]
    assert result.tables["forms"].to_pandas()["doc_id"].tolist() == ["c.txt"]  # the batch went on


def test_an_empty_legacy_file_is_reported(tmp_path):
    (tmp_path / "empty.doc").write_bytes(b"")
    result = pipeline.run([tmp_path / "empty.doc"])
    assert result.failed_inputs == ["empty.doc"]


def _ofd_package() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>')
        z.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buf.getvalue()


def test_an_ofd_document_is_reported_with_the_way_to_read_it(tmp_path):
    (tmp_path / "a.ofd").write_bytes(_ofd_package())
    (tmp_path / "renamed.zip.bin").write_bytes(b"")  # not a supported kind: skipped
    (tmp_path / "b.ofd").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "c.txt").write_text(seed_text(select(load_seed(), [1])), encoding="utf-8")
    assert sniff_suffix(Path("x.dat"), _ofd_package()) == ".ofd"
    result = pipeline.run([tmp_path])
    assert sorted(result.failed_inputs) == ["a.ofd", "b.ofd"]
    findings = result.tables["findings"].to_pandas()
    unreadable = findings[findings["code"] == "unreadable_input"].set_index("doc_id")["message"]
    assert "GB/T 33190" in unreadable["a.ofd"] and "convert it to PDF" in unreadable["a.ofd"]
    assert "not an OFD document" in unreadable["b.ofd"]
    assert result.tables["forms"].to_pandas()["doc_id"].tolist() == ["c.txt"]
