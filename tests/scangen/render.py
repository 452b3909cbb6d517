"""Render a table layout as a page image, and degrade it like a scan.

``render_page`` draws the printed form (ruled table, merged cells, wrapped
text) at a given resolution and returns the image with the ground-truth text
boxes it drew.  ``degrade`` then stamps a red seal over the cells, rotates the
page a little, blurs it, adds noise and saves it as a low-quality JPEG; the
ground-truth boxes are rotated with the page.  Everything is deterministic for
a given seed.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .layout import COL_MM, TableLayout

FONT = Path(__file__).resolve().parents[1] / "fonts" / "NotoSansSC-subset.ttf"
PAGE_MM = (210.0, 297.0)
MARGIN_MM = 15.0
BODY_PT = 9.0
TITLE_PT = 15.0
PAD_MM = 1.2
MIN_ROW_MM = 7.0
LINE_PT = 0.6


@dataclass(frozen=True)
class TruthBox:
    """A line of text the renderer drew: its text and pixel box (x0, y0, x1, y1)."""

    text: str
    bbox: tuple[float, float, float, float]


@dataclass
class Page:
    image: Image.Image  # RGB
    dpi: int
    boxes: list[TruthBox] = field(default_factory=list)
    angle: float = 0.0  # degrees the page was turned (counter-clockwise)
    stamp_center: tuple[float, float] | None = None


@lru_cache(maxsize=8)
def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), px)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and font.getlength(current + ch) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def render_page(
    layout: TableLayout, dpi: int = 200, ruled: bool = True, line_pt: float = LINE_PT, rule_gaps: float = 0.0, seed: int = 0
) -> Page:
    """Draw the form at ``dpi``; ``ruled=False`` draws the table without lines;
    ``line_pt`` is the ruling weight in points; ``rule_gaps`` breaks that share
    of every ruling away, in gaps of 1 to 4 mm (a worn or badly printed form)."""
    mm = dpi / 25.4
    pt = dpi / 72.0
    width, height = round(PAGE_MM[0] * mm), round(PAGE_MM[1] * mm)
    body = _font(round(BODY_PT * pt))
    title_font = _font(round(TITLE_PT * pt))
    line_h = BODY_PT * pt * 1.35
    pad = PAD_MM * mm
    xs = [MARGIN_MM * mm]
    for w in COL_MM:
        xs.append(xs[-1] + w * mm)

    wrapped: dict[int, list[str]] = {}
    for k, cell in enumerate(layout.cells):
        inner = xs[cell.col + cell.colspan] - xs[cell.col] - 2 * pad
        wrapped[k] = _wrap(cell.text, body, inner)
    heights = [MIN_ROW_MM * mm] * layout.nrows
    for k, cell in sorted(enumerate(layout.cells), key=lambda kc: kc[1].rowspan):
        need = len(wrapped[k]) * line_h + 2 * pad
        have = sum(heights[cell.row:cell.row + cell.rowspan])
        if need > have:  # a merged cell too tall for its rows grows its last row
            heights[cell.row + cell.rowspan - 1] += need - have

    page = Page(Image.new("RGB", (width, height), "white"), dpi)
    draw = ImageDraw.Draw(page.image)
    y = MARGIN_MM * mm
    cx = width / 2
    box = draw.textbbox((cx, y), layout.title, font=title_font, anchor="mt")
    draw.text((cx, y), layout.title, font=title_font, anchor="mt", fill="black")
    page.boxes.append(TruthBox(layout.title, box))
    y = box[3] + 5 * mm
    box = draw.textbbox((xs[0], y), layout.seq_line, font=body, anchor="lt")
    draw.text((xs[0], y), layout.seq_line, font=body, anchor="lt", fill="black")
    page.boxes.append(TruthBox(layout.seq_line, box))
    box = draw.textbbox((xs[-1], y), layout.unit_line, font=body, anchor="rt")
    draw.text((xs[-1], y), layout.unit_line, font=body, anchor="rt", fill="black")
    page.boxes.append(TruthBox(layout.unit_line, box))
    top = box[3] + 3 * mm
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)

    stroke = max(1, round(line_pt * pt))
    for k, cell in enumerate(layout.cells):
        x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
        y0, y1 = ys[cell.row], ys[cell.row + cell.rowspan]
        if ruled:
            draw.rectangle((round(x0), round(y0), round(x1), round(y1)), outline="black", width=stroke)
        lines = wrapped[k]
        ty = (y0 + y1) / 2 - len(lines) * line_h / 2 + line_h / 2
        for line in lines:
            at = ((x0 + x1) / 2, ty)
            page.boxes.append(TruthBox(line, draw.textbbox(at, line, font=body, anchor="mm")))
            draw.text(at, line, font=body, anchor="mm", fill="black")
            ty += line_h
    if ruled and rule_gaps:
        _break_rules(draw, xs, ys, stroke, mm, rule_gaps, random.Random(seed))
    return page


def _break_rules(draw, xs, ys, stroke, mm, share, rng) -> None:
    """White gaps along every ruling (the lines the table's cells share)."""
    half = stroke / 2 + 1
    lines = [(True, y, xs[0], xs[-1]) for y in ys] + [(False, x, ys[0], ys[-1]) for x in xs]
    for horizontal, at, a, b in lines:
        cut, length = 0.0, b - a
        while cut < share * length:
            gap = rng.uniform(1.0, 4.0) * mm
            start = rng.uniform(a, b - gap)
            box = (start, at - half, start + gap, at + half) if horizontal else (at - half, start, at + half, start + gap)
            draw.rectangle(box, fill="white")
            cut += gap


@dataclass(frozen=True)
class ScanSpec:
    """How to degrade a rendered page; defaults are a poor office scan.

    The defects beyond the office scan (each named in :mod:`.defects`, which
    applies them) are off by default: ``stamp_color`` (red, blue, black),
    ``line_pt`` (ruling weight), ``rule_gaps`` (share of each ruling broken
    away), ``photo`` (a phone photo: perspective, shadow, curvature),
    ``upside_down``, ``faint`` (a pale photocopy: 0 none .. 1 very pale) and
    ``output`` (how the file is saved: jpeg, png, png-palette, png-grey16,
    png-1bit, tiff).
    """

    angle: float = 0.6  # degrees, counter-clockwise
    stamp: bool = True
    blur: float = 0.7  # Gaussian radius in pixels
    noise: float = 8.0  # Gaussian noise sigma, 0..255 scale
    jpeg_quality: int = 60
    seed: int = 0
    stamp_color: str = "red"
    line_pt: float = LINE_PT
    rule_gaps: float = 0.0
    photo: bool = False
    upside_down: bool = False
    faint: float = 0.0
    output: str = "jpeg"


def degrade(page: Page, spec: ScanSpec, stamp_text: str = "") -> tuple[Page, bytes]:
    """Stamp, turn, blur, add noise and save a page (JPEG by default); returns it and the file's bytes."""
    from .defects import encode, faint, phone_photo, upside_down

    rng = random.Random(spec.seed)
    img = page.image.copy()
    out = replace(page, image=img, boxes=list(page.boxes))
    if spec.stamp:
        out.stamp_center = _stamp(img, page, stamp_text, rng, spec.stamp_color)
    if spec.angle:
        img = img.rotate(spec.angle, resample=Image.BICUBIC, expand=False, fillcolor="white")
        out.boxes = [TruthBox(b.text, _rotate_box(b.bbox, spec.angle, img.size)) for b in out.boxes]
        out.angle = spec.angle
    if spec.photo:
        img = phone_photo(img, spec.seed)
        out.boxes = []  # the warp moves text off any box worth keeping
    if spec.upside_down:
        img, out.boxes = upside_down(img, out.boxes)
    if spec.faint:
        img = faint(img, spec.faint)
    if spec.blur:
        img = img.filter(ImageFilter.GaussianBlur(spec.blur))
    if spec.noise:
        arr = np.asarray(img).astype(np.float32)
        noise = np.random.default_rng(spec.seed).normal(0.0, spec.noise, arr.shape[:2])[..., None]
        img = Image.fromarray(np.clip(arr + noise, 0, 255).astype(np.uint8))
    data = encode(img, spec.output, page.dpi, spec.jpeg_quality)
    out.image = Image.open(io.BytesIO(data)).convert("RGB")
    return out, data


def _rotate_box(bbox: tuple[float, float, float, float], angle: float, size: tuple[int, int]) -> tuple[float, float, float, float]:
    cx, cy = size[0] / 2, size[1] / 2
    a = math.radians(angle)
    pts = []
    for x, y in ((bbox[0], bbox[1]), (bbox[2], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[3])):
        dx, dy = x - cx, y - cy
        pts.append((cx + dx * math.cos(a) + dy * math.sin(a), cy - dx * math.sin(a) + dy * math.cos(a)))
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


SEAL_INK = {"red": (205.0, 30.0, 40.0), "blue": (35.0, 60.0, 185.0), "black": (45.0, 45.0, 50.0)}


def _stamp(img: Image.Image, page: Page, text: str, rng: random.Random, color: str = "red") -> tuple[float, float]:
    """A round seal (ring, star, text along the top arc) multiplied over the page, in ``color``'s ink."""
    mm = page.dpi / 25.4
    d = round(40 * mm)
    layer = Image.new("L", (d, d), 0)  # ink coverage
    draw = ImageDraw.Draw(layer)
    ring = max(2, round(1.1 * mm))
    draw.ellipse((ring, ring, d - ring, d - ring), outline=255, width=ring)
    r_star, c = 7 * mm, d / 2
    star = []
    for k in range(10):
        r = r_star if k % 2 == 0 else r_star * 0.4
        a = math.pi / 2 + k * math.pi / 5
        star.append((c + r * math.cos(a), c - r * math.sin(a)))
    draw.polygon(star, fill=255)
    text = text or "绩效自评专用章"
    font = _font(round(4.2 * mm))
    span = math.radians(230)
    for k, ch in enumerate(text):
        a = math.pi / 2 + span / 2 - span * (k + 0.5) / len(text)
        rr = d / 2 - ring - 3.2 * mm
        glyph = Image.new("L", (round(6 * mm), round(6 * mm)), 0)
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, anchor="mm", fill=255)
        glyph = glyph.rotate(math.degrees(a - math.pi / 2), resample=Image.BICUBIC)
        x = c + rr * math.cos(a) - glyph.width / 2
        y = c - rr * math.sin(a) - glyph.height / 2
        layer.paste(255, (round(x), round(y)), glyph)
    mottle = np.random.default_rng(rng.randrange(1 << 30)).uniform(0.65, 0.95, (d, d))
    alpha = np.asarray(layer, dtype=np.float32) / 255.0 * mottle
    # over the table's first rows or its funding block, like a real seal
    cx = rng.uniform(0.35, 0.65) * img.width
    cy = rng.uniform(0.16, 0.32) * img.height
    x0, y0 = round(cx - d / 2), round(cy - d / 2)
    region = np.asarray(img.crop((x0, y0, x0 + d, y0 + d)), dtype=np.float32)
    ink = np.array(SEAL_INK[color]) / 255.0
    mixed = region * (1.0 - alpha[..., None] * (1.0 - ink))
    img.paste(Image.fromarray(mixed.astype(np.uint8)), (x0, y0))
    return cx, cy
