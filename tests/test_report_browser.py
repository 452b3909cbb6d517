"""The report in a real browser: headless Chromium from Debian (`make install-browser`).

Chromium runs from the command line (--dump-dom after the page script ran,
--screenshot), with a fresh profile and background networking off.  The
screenshots are kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from reportdata import forms_of

from selfeval.report import charts, write_report
from selfeval.report.sample import (
    SAMPLE_FLAGGED_CELLS,
    SAMPLE_FLAGS_BY_SEVERITY,
    write_sample_output,
)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
    "--disable-extensions", "--mute-audio", "--hide-scrollbars",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="chromium is not installed: run `make install-browser` (Debian packages chromium, fonts-noto-cjk)",
)


def chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{time.monotonic_ns()}"
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def dump_dom(tmp_path: Path, report: Path, fragment: str = "") -> str:
    return chromium(tmp_path, report.as_uri() + fragment, "--virtual-time-budget=10000", "--dump-dom").stdout


def screenshot(tmp_path: Path, report: Path, png: Path, fragment: str = "", size: str = "1400,3000",
               min_bytes: int = 20_000) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    chromium(tmp_path, report.as_uri() + fragment, f"--screenshot={png}", f"--window-size={size}")
    assert png.is_file() and png.stat().st_size > min_bytes
    return png


def shown(dom: str) -> dict[str, int]:
    """What the page shows after its script ran: forms on the page, and flagged values, counted twice:
    by the page (visible elements) and here (unmuted .flagged elements in the forms container)."""
    assert 'data-report-ready="1"' in dom, "the page script did not run"
    forms_box = dom[dom.index('<div id="forms">'):dom.index('<div id="form-templates"')]
    counted = sum(1 for cls in re.findall(r'class="([^"]*)"', forms_box)
                  if "flagged" in cls.split() and "muted" not in cls.split())
    return {
        "forms": int(re.search(r'data-forms-shown="(\d+)"', dom).group(1)),
        "matching": int(re.search(r'data-forms-matching="(\d+)"', dom).group(1)),
        "page_count": int(re.search(r'<output id="visible-flags">(\d+)</output>', dom).group(1)),
        "counted": counted,
        "sections": forms_box.count('<section class="form'),
    }


@pytest.fixture
def sample_report(tmp_path: Path) -> Path:
    return write_report(write_sample_output(tmp_path / "out"))


def test_every_flagged_value_is_visible(tmp_path: Path, sample_report: Path):
    seen = shown(dump_dom(tmp_path, sample_report))
    total = sum(SAMPLE_FLAGGED_CELLS.values())
    assert seen == {"forms": 4, "matching": 4, "page_count": total, "counted": total, "sections": 4}


@pytest.mark.parametrize("fragment, forms, flags", [
    ("#sev=warning", 4, sum(v.get("warning", 0) for v in SAMPLE_FLAGS_BY_SEVERITY.values())),
    ("#sev=info", 2, sum(v.get("info", 0) for v in SAMPLE_FLAGS_BY_SEVERITY.values())),
    ("#sev=error", 1, 0),  # form 3's stray line is flagged in the source, on no value
    ("#code=execution_rate_mismatch", 1, 1),
    ("#form=sample-2020.txt%234", 1, SAMPLE_FLAGGED_CELLS["D"]),
    ("#q=档案管理费", 1, SAMPLE_FLAGGED_CELLS["A"]),
    # past the last page: clamped to the last (and only) page, all 4 forms and their flags
    ("#size=10&page=2", 4, sum(SAMPLE_FLAGGED_CELLS.values())),
])
def test_filters_from_the_url(tmp_path: Path, sample_report: Path, fragment: str, forms: int, flags: int):
    seen = shown(dump_dom(tmp_path, sample_report, fragment))
    assert (seen["forms"], seen["page_count"], seen["counted"]) == (forms, flags, flags)


def test_screenshot_of_the_sample_report(tmp_path: Path, sample_report: Path):
    from PIL import Image

    png = screenshot(tmp_path, sample_report, ARTIFACTS / "report-sample.png", size="1400,4200")
    with Image.open(png) as image:
        assert image.size == (1400, 4200)
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 200  # not a blank page


def test_chinese_labels_render_as_glyphs_not_boxes(tmp_path: Path):
    """Two different Chinese words must not render alike: missing glyphs draw identical boxes."""
    from PIL import Image, ImageChops

    words = ["执行率", "满意度", "\U000f0001\U000f0002\U000f0003"]  # the last has no glyphs anywhere
    texts = "".join(f'<text x="10" y="{70 + 100 * i}" font-size="48">{w}</text>' for i, w in enumerate(words))
    page = tmp_path / "glyphs.html"
    page.write_text(f'<!DOCTYPE html><meta charset="utf-8"><body style="margin:0;background:#fff">'
                    f'<svg width="400" height="300" font-family="{charts.FONT_FAMILY}">{texts}</svg>',
                    encoding="utf-8")
    png = screenshot(tmp_path, page, tmp_path / "glyphs.png", size="400,300", min_bytes=1000)
    with Image.open(png) as image:
        gray = image.convert("L")
        rows = [gray.crop((0, 100 * i, 400, 100 * (i + 1))) for i in range(3)]
    assert all(r.getextrema()[0] < 100 for r in rows[:2]), "the Chinese words drew nothing"
    assert ImageChops.difference(rows[0], rows[1]).getbbox() is not None, "两个词画得一样：缺字形（方框）"
    assert ImageChops.difference(rows[0], rows[2]).getbbox() is not None


def test_a_thousand_forms_open_paginated(tmp_path: Path):
    report = write_report(write_sample_output(tmp_path / "big", n_forms=1000))
    assert report.stat().st_size < 30_000_000
    started = time.monotonic()
    seen = shown(dump_dom(tmp_path, report))
    assert time.monotonic() - started < 60
    # problems first: the 250 forms with an error (kind C) fill the first page of 20
    assert seen == {"forms": 20, "matching": 1000, "page_count": 20 * SAMPLE_FLAGGED_CELLS["C"],
                    "counted": 20 * SAMPLE_FLAGGED_CELLS["C"], "sections": 20}
    last = shown(dump_dom(tmp_path, report, "#sort=doc&size=100&page=10"))
    assert (last["forms"], last["sections"]) == (100, 100)
    assert last["page_count"] == 25 * sum(SAMPLE_FLAGGED_CELLS.values())


# --- the seed ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_report(seed_out: Path) -> Path:
    return write_report(seed_out)


def test_seed_report_shows_every_flagged_value(tmp_path: Path, seed_report: Path):
    templates = "".join(part for _, part in forms_of(seed_report.read_text(encoding="utf-8")))
    expected = sum(1 for cls in re.findall(r'class="([^"]*)"', templates) if "flagged" in cls.split())
    seen = shown(dump_dom(tmp_path, seed_report, "#size=100"))
    assert expected >= 7  # at least the contradictions: forms 15, 10, 2, 8, 19, 12, 20
    assert seen == {"forms": 27, "matching": 27, "page_count": expected, "counted": expected, "sections": 27}
    screenshot(tmp_path, seed_report, ARTIFACTS / "report-seed.png", size="1400,4000")


def test_seed_form_15_screenshot(tmp_path: Path, seed_report: Path):
    seen = shown(dump_dom(tmp_path, seed_report, "#code=execution_rate_mismatch"))
    assert seen["forms"] == 1 and seen["page_count"] >= 1
    screenshot(tmp_path, seed_report, ARTIFACTS / "report-seed-execution-rate.png",
               "#code=execution_rate_mismatch", size="1400,4200")
