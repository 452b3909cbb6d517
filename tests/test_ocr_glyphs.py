"""Numbers under a black seal's ring read again by the page's own printed digits.

Hand-drawn lines: numbers printed in the test font (not the scan generator's
pages), 1-bit, then a ring's band laid over part of one number and painted out,
as the seal's removal leaves it.  What each number says is known from how it
was drawn; the engine's misreading is given by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

cv2 = pytest.importorskip("cv2", reason="opencv comes with the OCR extra: pip install -e '.[ocr]'")

from selfeval.extract.ocr import TextBox  # noqa: E402
from selfeval.extract.ocr.glyphs import GLYPH_CONFIDENCE, page_type, read_under_seal  # noqa: E402

FONT = ImageFont.truetype(str(Path(__file__).parent / "fonts" / "NotoSansSC-subset.ttf"), 26)
UNIT = 26.0
# clear numbers printed on the page, away from the seal: every digit at least twice
CLEAR = ["20.00", "100.00", "34.56", "98.71", "65.40", "7.89", "12.30", "0.00"]


def _page(target: str, band: tuple[float, float, float, float] | None):
    """A page of the clear numbers, one a line, and ``target`` last; ``band`` =
    (centre x, centre y, radius, width) of a ring laid over it and painted out.
    -> (ink, removed, clear boxes, the target's box)."""
    img = Image.new("L", (420, 40 * (len(CLEAR) + 1) + 20), 255)
    draw = ImageDraw.Draw(img)
    boxes = []
    for i, text in enumerate([*CLEAR, target]):
        x, y = 120, 10 + 40 * i
        draw.text((x, y), text, font=FONT, fill=0)
        x0, y0, x1, y1 = draw.textbbox((x, y), text, font=FONT)
        boxes.append(TextBox(text, (x0 - 4.0, y0 - 4.0, x1 + 4.0, y1 + 4.0), 0.999))
    ink = np.asarray(img) < 128
    removed = np.zeros_like(ink)
    if band is not None:
        cx, cy, r, w = band
        yy, xx = np.mgrid[:ink.shape[0], :ink.shape[1]]
        removed = np.abs(np.hypot(xx - cx, yy - cy) - r) <= w / 2
    kept = ink & ~removed
    return kept.astype(np.uint8) * 255, removed.astype(np.uint8) * 255, boxes[:-1], boxes[-1]


def _first_digit(box: TextBox) -> tuple[float, float]:
    """Left edge and middle height of the box's first character."""
    return box.bbox[0] + 4, (box.bbox[1] + box.bbox[3]) / 2


def _ring_over_left_half(box: TextBox, width: float = 6.0) -> tuple[float, float, float, float]:
    """A ring 150 px across whose band runs down through the first digit's left half."""
    x, y = _first_digit(box)
    r = 150.0
    return x + 3 + r, y, r, width


def test_the_page_gives_a_template_for_every_digit_it_prints_clear():
    ink, removed, clear, _ = _page("60.00", None)
    kind = page_type(ink > 0, clear, removed > 0, UNIT)
    assert kind is not None
    assert {t.char for t in kind.templates} == set("0123456789.")
    assert all(t.ink.shape[0] == kind.height for t in kind.templates)


@pytest.mark.parametrize("target, misread", [("60.00", "50.00"), ("45.00", "15.00"), ("0.00", "2.00")])
def test_a_digit_the_ring_cut_is_read_by_the_page_s_own_digits(target, misread):
    """The engine read the cut digit as another; its box was made a doubt (0.5)."""
    _, _, _, box = _page(target, None)
    ink, removed, clear, _ = _page(target, _ring_over_left_half(box))
    wrong = TextBox(misread, box.bbox, 0.5)
    out = read_under_seal([*clear, wrong], ink, removed, UNIT)
    assert out[:-1] == clear
    assert out[-1].text == target
    assert out[-1].confidence <= GLYPH_CONFIDENCE  # still a doubt: the two readings disagreed
    assert out[-1].bbox == box.bbox


@pytest.mark.parametrize("target, misread", [("80.00", "30.00"), ("38.00", "33.00")])
def test_a_digit_whose_cut_half_alone_tells_it_from_another_stays_as_read(target, misread):
    """An 8 whose left half lay on the ring shows a 3's right half: the page cannot tell them."""
    _, _, _, box = _page(target, None)
    ink, removed, clear, _ = _page(target, _ring_over_left_half(box))
    wrong = TextBox(misread, box.bbox, 0.5)
    assert read_under_seal([*clear, wrong], ink, removed, UNIT)[-1] == wrong


@pytest.mark.parametrize("misread", ["00.00%", "00.00"])
def test_a_character_the_page_prints_nowhere_clear_or_the_seal_left_whole_is_not_read_again(misread):
    """100.00% under the ring, no clear number on the page with a '%'.  Read '00.00%', the
    box holds a character the page prints nowhere clear; read '00.00', the '%' the ring did not
    touch is not read as the digits its rings look like ('96'): the engine's reading stays."""
    _, _, _, box = _page("100.00%", None)
    ink, removed, clear, _ = _page("100.00%", _ring_over_left_half(box))
    wrong = TextBox(misread, box.bbox, 0.5)
    assert read_under_seal([*clear, wrong], ink, removed, UNIT)[-1] == wrong


def test_a_box_read_surely_is_not_read_again():
    _, _, _, box = _page("60.00", None)
    ink, removed, clear, _ = _page("60.00", _ring_over_left_half(box))
    sure = TextBox("50.00", box.bbox, 0.97)
    assert read_under_seal([*clear, sure], ink, removed, UNIT)[-1] == sure


def test_a_box_the_seal_did_not_reach_is_left_as_read():
    _, _, _, box = _page("60.00", None)
    ink, removed, clear, _ = _page("60.00", (box.bbox[2] + 400, 0.0, 150.0, 6.0))
    doubted = TextBox("50.00", box.bbox, 0.5)
    assert read_under_seal([*clear, doubted], ink, removed, UNIT)[-1] == doubted


def test_a_digit_that_could_lie_wholly_under_the_ring_leaves_the_reading_alone():
    """160.00 with the ring's band, 14 px wide, over the '1': the page cannot tell
    60.00 from 160.00, so the engine's reading stays (a doubt)."""
    _, _, _, box = _page("160.00", None)
    x, y = _first_digit(box)
    ring = (x + 4 + 150.0, y, 150.0, 16.0)
    ink, removed, clear, _ = _page("160.00", ring)
    doubted = TextBox("60.00", box.bbox, 0.5)
    assert read_under_seal([*clear, doubted], ink, removed, UNIT)[-1] == doubted


def test_too_few_clear_numbers_give_no_templates_and_nothing_is_read_again():
    _, _, _, box = _page("60.00", None)
    ink, removed, clear, _ = _page("60.00", _ring_over_left_half(box))
    doubted = TextBox("50.00", box.bbox, 0.5)
    few = [TextBox(b.text, b.bbox, 0.6) for b in clear]  # none read surely
    assert page_type(ink > 0, few, removed > 0, UNIT) is None
    assert read_under_seal([*few, doubted], ink, removed, UNIT)[-1] == doubted
