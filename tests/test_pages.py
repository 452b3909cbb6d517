"""Page images for the report (selfeval.pages): `extract --report` renders each
PDF page that holds a form where the report looks for it, and the report embeds it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fixturegen import load_seed, select
from fixturegen.pdf import Paging, Style, render_pdf
from PIL import Image
from reportdata import decoded
from typer.testing import CliRunner

from selfeval.cli import app
from selfeval.pages import DPI, page_image_name, render_pages

runner = CliRunner()
BREAKS = {2: 5}  # form 2 runs over two pages


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    folder = root / "in" / "sub"
    folder.mkdir(parents=True)
    render_pdf(select(load_seed(), [1, 2]), folder / "forms.pdf", Style(), Paging(break_before=BREAKS))
    out = root / "out"
    result = runner.invoke(app, ["extract", str(root / "in"), "--out", str(out), "--report", "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_every_page_with_a_form_is_rendered_under_the_reports_name(extracted: Path):
    with open(extracted / "forms.csv", encoding="utf-8") as fh:
        forms = list(csv.DictReader(fh))
    assert [(f["doc_id"], f["page"], f["page_end"]) for f in forms] == [("sub/forms.pdf", "1", "1"), ("sub/forms.pdf", "2", "3")]
    names = sorted(p.name for p in (extracted / "pages").glob("*.png"))
    assert names == [page_image_name("sub/forms.pdf", n) for n in (1, 2, 3)] == [
        "forms.pdf-f55666a5fc37-p1.png", "forms.pdf-f55666a5fc37-p2.png", "forms.pdf-f55666a5fc37-p3.png"]
    with Image.open(extracted / "pages" / names[0]) as image:
        assert image.format == "PNG"
        assert abs(max(image.size) - 297 / 25.4 * DPI) < 3  # A4 (landscape) at 100 dpi
    assert not list((extracted / "pages").glob(".*.tmp"))


def test_the_report_embeds_the_page_images(extracted: Path):
    html = decoded((extracted / "report.html").read_text(encoding="utf-8"))
    assert html.count('<img src="data:image/') == 3  # form 1: page 1; form 2: pages 2 and 3
    assert "no page image" not in html


def test_a_second_run_renders_nothing_again_and_changed_sources_again(extracted: Path, tmp_path):
    pages = extracted / "pages"
    before = {p.name: p.stat().st_mtime_ns for p in pages.glob("*.png")}
    images, problems = render_pages(extracted)
    assert problems == [] and len(images) == 3
    assert {p.name: p.stat().st_mtime_ns for p in pages.glob("*.png")} == before
    index = json.loads((pages / "index.json").read_text(encoding="utf-8"))
    index[page_image_name("sub/forms.pdf", 2)] = "stale"
    (pages / "index.json").write_text(json.dumps(index), encoding="utf-8")
    render_pages(extracted)
    after = {p.name: p.stat().st_mtime_ns for p in pages.glob("*.png")}
    assert [n for n in before if after[n] != before[n]] == [page_image_name("sub/forms.pdf", 2)]


def test_text_inputs_get_no_page_images(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", "fixtures/bad/truncated-form.txt", "--out", str(out), "--report", "-q"])
    assert result.exit_code == 0, result.output
    assert not list(out.glob("pages/*.png"))


def test_an_image_input_is_copied_scaled_down(tmp_path):
    scan = tmp_path / "scan.png"
    Image.new("RGB", (3200, 4000), "white").save(scan)
    out = tmp_path / "out"
    out.mkdir()
    with open(out / "forms.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write(f"doc_id,form_seq,source_path,page,page_end\nscan.png,1,{scan},1,\n")
    images, problems = render_pages(out)
    assert problems == [] and [p.name for p in images] == ["scan.png-7ac1da2d54d2-p1.png"]
    with Image.open(images[0]) as image:
        assert max(image.size) == 1600 and image.size == (1280, 1600)


def test_page_image_names_stay_short_whatever_the_input_name():
    long_name = "目录" * 40 + "/" + "很长的文件名" * 30 + ".pdf"  # 80 + 180 characters
    name = page_image_name(long_name, 12)
    assert name.startswith("很长的文件名很长的文件名") and name.endswith("-p12.png")
    assert len(name.encode("utf-8")) < 120  # a file system allows 255 bytes
    assert name == page_image_name(long_name, 12) != page_image_name(long_name.replace("目录", "目", 1), 12)
    assert page_image_name("a/b c?.pdf", 1).startswith("b_c_.pdf-")
