"""The real OCR engine, end to end (skipped when the OCR extra is not installed).

A few pages only, to stay within CI's time: the engine reads with no
network; a stamped, turned 200-dpi JPEG and a 300-dpi TIFF come back as the
printed form's rows; and stamped, skewed scans of seed forms give, through the
whole pipeline, the same fields as the text path on the same forms, with
every field that differs reported by a finding.
"""

from __future__ import annotations

import io
import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

pytest.importorskip("rapidocr", reason="the OCR extra is not installed: pip install -e '.[ocr]'")
pytest.importorskip("onnxruntime", reason="the OCR extra is not installed: pip install -e '.[ocr]'")

from scangen import ScanSpec, canonical_rows, canonical_text, form_layout, make_scan, parse_seed  # noqa: E402
from scangen.compare import norm, same_field  # noqa: E402
from scangen.render import FONT  # noqa: E402

from selfeval.extract.context import ReadContext  # noqa: E402
from selfeval.extract.image import read_image  # noqa: E402
from selfeval.extract.ocr.rapid import RapidOcrEngine, packaged_models  # noqa: E402
from selfeval.extract.readers import Source  # noqa: E402
from selfeval.settings import Settings  # noqa: E402

FORMS = parse_seed()
NULLS = {"", "—", "——", "---"}


def test_engine_uses_the_models_inside_its_package_and_needs_no_network(monkeypatch):
    import rapidocr

    package = Path(rapidocr.__file__).resolve().parent
    for model in packaged_models():
        assert model.is_file() and package in model.parents

    def refuse(*args, **kwargs):
        raise OSError("network access attempted during OCR")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    engine = RapidOcrEngine()  # a fresh engine: models are loaded here
    img = Image.new("RGB", (900, 110), "white")
    ImageDraw.Draw(img).text((20, 30), "产出指标 ≥95% 13.04", font=ImageFont.truetype(str(FONT), 40), fill="black")
    boxes = engine.recognize(np.asarray(img))
    assert "".join(b.text for b in boxes).replace(" ", "") == "产出指标≥95%13.04"
    assert all(0.9 < b.confidence <= 1.0 for b in boxes)
    assert boxes[0].glyphs and boxes[0].glyphs[0].text == "产"


def test_reading_a_mark_alone_leaves_the_engine_reading_pages_with_detection():
    """The recognizer run alone on a mark (no detection) must not carry over to the
    next page: rapidocr keeps a call's settings for the calls after it, and a page
    read without detection came back empty, so every later page of a run read nothing."""
    engine = RapidOcrEngine()
    img = Image.new("RGB", (900, 110), "white")
    ImageDraw.Draw(img).text((20, 30), "产出指标 ≥95% 13.04", font=ImageFont.truetype(str(FONT), 40), fill="black")
    page = np.asarray(img)
    before = engine.recognize(page)
    (mark,) = engine.read_marks(page, [before[0].bbox])
    assert mark[0].replace(" ", "") == "产出指标≥95%13.04"  # the line, read alone
    after = engine.recognize(page)
    assert [b.text for b in after] == [b.text for b in before]
    assert "".join(b.text for b in after).replace(" ", "") == "产出指标≥95%13.04"
    assert after[0].glyphs and after[0].glyphs[0].text == "产"


def read_scan(data: bytes, name: str) -> list:
    doc = read_image(Source(Path(name), name, data, "0"), ReadContext.of(Settings()))
    assert doc.readable, doc.findings
    return doc


def cell_accuracy(rows, form_index: int) -> tuple[float, list]:
    want = canonical_rows(form_layout(FORMS[form_index]))
    assert [len(r.cells) for r in rows] == [len(w) for w in want]
    total, wrong = 0, []
    for row, w in zip(rows, want, strict=True):
        for c, (g, x) in enumerate(zip(row.cells, w, strict=True)):
            if g or x:
                total += 1
                if not (norm(g) == norm(x) or (g in NULLS and x in NULLS)):
                    wrong.append((row.line, c, g, x, row.confidence[c]))
    return 1 - len(wrong) / total, wrong


def test_stamped_turned_200dpi_jpeg_reads_as_the_printed_form():
    _, data = make_scan(FORMS[2], 200, ScanSpec(angle=0.9, seed=33))
    doc = read_scan(data, "form03.jpg")
    accuracy, wrong = cell_accuracy(doc.rows, 2)
    assert accuracy >= 0.98, wrong
    flagged = {(f.page, f.line) for f in doc.findings if f.code == "low_confidence"}
    assert all((1, w[0]) in flagged for w in wrong), wrong
    assert {r.page for r in doc.rows} == {1}
    assert doc.lines == len(doc.rows)


def test_300dpi_tiff_page():
    page, _ = make_scan(FORMS[20], 300, ScanSpec(angle=-0.5, seed=21))
    buf = io.BytesIO()
    page.image.save(buf, format="TIFF", compression="tiff_lzw", dpi=(300, 300))
    doc = read_scan(buf.getvalue(), "form21.tif")
    accuracy, wrong = cell_accuracy(doc.rows, 20)
    assert accuracy >= 0.98, wrong


def test_a_full_stop_wrapped_alone_is_read_by_the_recognizer_on_its_mark():
    # form 10 at 300 dpi: 实际完成情况 ends '…政府津贴2.54万元' and its '。' wraps onto a line of its own,
    # where the detector finds no text; read on its mark alone, it ends the cell, which is no doubt
    _, data = make_scan(FORMS[9], 300, ScanSpec(seed=2003))
    doc = read_scan(data, "form10.jpg")
    (goal, conf), = [(c, k) for r in doc.rows for c, k in zip(r.cells, r.confidence, strict=True) if "政府津贴" in c]
    assert norm(goal) == norm("全部发放到我区学术（产业）技术带头人政府津贴2.54万元。") and conf >= 0.9


# -- the whole pipeline: scans against the text path on the same forms -----------

E2E_FORMS = (0, 4, 14, 19)  # seal over funding; funding arithmetic off; two satisfaction rows; odd comparator
FIELDS = {
    "forms": ("year", "title", "amount_unit", "budget_unit", "implementing_unit", "project_name", "goal_target",
              "goal_actual", "total_weight", "total_score", "computed_score"),
    "funding": ("source_label", "budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score"),
    "indicators": ("level1", "level2", "level3", "target_raw", "target_op", "target_value", "target_unit",
                   "actual_raw", "actual_op", "actual_value", "actual_unit", "target_met", "weight", "score",
                   "deviation_note"),
}
KEYS = {"forms": ("form_seq",), "funding": ("form_seq", "source_key"), "indicators": ("form_seq", "indicator_seq")}
FORM_LEVEL = {"execution_rate_mismatch", "funding_score_mismatch", "funding_sum_mismatch", "total_score_mismatch",
              "weight_sum_mismatch", "score_exceeds_weight", "missing_total_weight", "unparsed_number"}


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    from selfeval.pipeline import run

    root = tmp_path_factory.mktemp("e2e")
    (root / "scan").mkdir()
    (root / "text").mkdir()
    for i in E2E_FORMS:
        form = FORMS[i]
        _, data = make_scan(form, 200, ScanSpec(angle=0.3 + 0.7 * (i % 4) / 3, seed=100 + i))
        (root / "scan" / f"form{form.seq:02d}.jpg").write_bytes(data)
        (root / "text" / f"form{form.seq:02d}.txt").write_text(canonical_text(form_layout(form)), encoding="utf-8")
    scan = {k: v.to_pandas() for k, v in run([root / "scan"]).tables.items()}
    text = {k: v.to_pandas() for k, v in run([root / "text"]).tables.items()}
    return scan, text


def test_scans_give_the_text_paths_fields_and_every_difference_is_flagged(e2e):
    scan, text = e2e
    findings = scan["findings"]
    total, wrong, unflagged = 0, [], []
    for name, fields in FIELDS.items():
        s = scan[name].assign(stem=scan[name]["doc_id"].str.rsplit(".", n=1).str[0])
        t = text[name].assign(stem=text[name]["doc_id"].str.rsplit(".", n=1).str[0])
        keys = ["stem", *KEYS[name]]
        assert len(s) == len(t), name
        merged = t.merge(s, on=keys, how="left", suffixes=("_text", "_scan"), indicator=True)
        assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][keys]
        for _, row in merged.iterrows():
            for field in fields:
                total += 1
                if same_field(row[f"{field}_scan"], row[f"{field}_text"]):
                    continue
                wrong.append((name, row["stem"], row["form_seq"], field, row[f"{field}_scan"], row[f"{field}_text"]))
                doc = f"{row['stem']}.jpg"
                lines = (
                    range(int(row["line_start_scan"]), int(row["line_end_scan"]) + 1)
                    if name == "forms" else [int(row["line_scan"])]
                )
                mine = findings[findings["doc_id"] == doc]
                hit = mine[(mine["code"] == "low_confidence") & mine["line"].isin(list(lines))]
                hit_form = mine[mine["code"].isin(FORM_LEVEL) & (mine["form_seq"] == row["form_seq"])]
                if hit.empty and hit_form.empty:
                    unflagged.append(wrong[-1])
    accuracy = 1 - len(wrong) / total
    assert accuracy >= 0.98, f"field accuracy {accuracy:.4f} over {total} fields; wrong: {wrong}"
    assert not unflagged, f"fields read wrong with no finding: {unflagged}"


def test_scans_keep_the_text_paths_own_findings(e2e):
    """The forms' own contradictions are found from the scans as from the text."""
    scan, text = e2e
    codes = {"execution_rate_mismatch", "funding_score_mismatch", "total_score_mismatch", "missing_deviation_note"}
    pick = lambda df: {  # noqa: E731
        (d.rsplit(".", 1)[0], int(s), c) for d, s, c in zip(df["doc_id"], df["form_seq"], df["code"], strict=True)
        if c in codes
    }
    assert pick(text["findings"]) <= pick(scan["findings"])
