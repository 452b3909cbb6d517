"""Page preparation before OCR: red seal removed, skew measured and undone.

::

    suppress_seal   RGB page -> grey page, red ink gone, black ink kept
    suppress_black_seal  grey page -> a round seal in the text's black removed by its shape
    binarize        grey -> ink mask
    char_height     ink mask -> the page's unit of length (a character's height)
    estimate_skew   ink mask -> the rotation that levels text lines and rulings
    prepare_page    all of the above, and the turned page
    cut_by_seal     boxes -> the characters that removal cut short scored as doubts
    map_boxes       boxes from the input image's pixels to the prepared page's
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from selfeval.extract.ocr import Glyph, ReplayEngine, TextBox, load_boxes
from selfeval.extract.ocr.components import components

DEFAULT_MAX_SKEW_DEG = 5.0  # the largest rotation deskew looks for
DEFAULT_UNIT_PX = 20.0  # the character height assumed when a page has no text to measure
DEFAULT_SEAL_CHROMA = 28  # channel spread (0..255) above which ink is coloured: a seal, not text
DEFAULT_SEAL_SIDE = 0.08  # a grey seal is at least this share of the page's shorter side across
DEFAULT_SEAL_MOST = 0.25  # ... and at most this share across (a seal 50 mm across on an A4 page)
DEFAULT_SEAL_APART = 0.25  # ... and at least this share of its light ink lies away from the text's strokes
DEFAULT_SEAL_PART = 0.2  # ... in clusters each holding at least this share of the largest one's such ink
DEFAULT_RING_COVER = 0.9  # a seal printed in the text's black: its ring is ink on at least this share of its circle
DEFAULT_RING_APART = 0.6  # ... and the circles a few ring widths inside and outside it on at most this share
DEFAULT_RING_PLAIN = 0.25  # ... and clear of crossing strokes on at least this share, to measure its centre on


@dataclass(frozen=True)
class PreparedPage:
    gray: np.ndarray  # deskewed grey page, red seal removed
    binary: np.ndarray  # ink = 255
    angle: float  # degrees the page was turned back (counter-clockwise positive)
    matrix: np.ndarray  # 2x3 affine map from the input image to ``gray``
    unit: float  # typical character height in pixels
    colour: np.ndarray | None = None  # channel spread (0..255) of the page as scanned, on ``gray``'s pixels
    seal: GreySeal | None = None  # a seal told from the text by its grey level, on ``gray``'s pixels
    black_seal: BlackSeal | None = None  # a seal in the text's black, told by its shape, on ``gray``'s pixels


@dataclass(frozen=True)
class GreySeal:
    """Where a grey seal was removed (see :func:`suppress_grey_seal`): the boxes
    of its patches (255 inside; the star and the ring's inside with them) and
    the grey level parting its ink (lighter) from the text's."""

    mask: np.ndarray
    level: float


def suppress_seal(rgb: np.ndarray) -> np.ndarray:
    """Grey page with coloured ink (seals, stamps: red, blue, any hue) removed
    and black ink kept.

    Near clearly coloured pixels (and the pale fringe JPEG leaves around them)
    the brightest channel is used as the grey value: coloured ink is bright in
    its own channel, while black text under the seal stays dark in all three.
    The colour test is relative (channel spread), so a pale seal on a faint
    photocopy is found too.
    """
    return _suppress(rgb)[0]


def _suppress(rgb: np.ndarray) -> tuple[np.ndarray, GreySeal | None]:
    """:func:`suppress_seal`, and the grey seal removed when there was one."""
    if rgb.ndim == 2:
        return _grey_seal(rgb)
    r, g, b = cv2.split(np.ascontiguousarray(rgb))
    hi = cv2.max(cv2.max(r, g), b)  # (numpy's reductions over the channel axis are slow)
    spread = cv2.subtract(hi, cv2.min(cv2.min(r, g), b))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    colour = ((spread > DEFAULT_SEAL_CHROMA) & (hi > 90)).astype(np.uint8)
    if not colour.any():
        return _grey_seal(gray)
    # JPEG smears the seal's colour: its pale fringe is coloured only near the ink
    colour = cv2.dilate(colour, np.ones((5, 5), np.uint8)).astype(bool)
    # ink against paper, measured on the page (a pale photocopy's ink is light grey)
    paper, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    out = gray.copy()
    out[colour] = np.where(hi[colour] > paper, 255, np.maximum(gray[colour], hi[colour])).astype(np.uint8)
    return out, None


def suppress_grey_seal(gray: np.ndarray) -> np.ndarray:
    """A seal printed or scanned in grey (a greyscale or palette scan of a red
    seal, a black seal) removed where it is lighter than the text.

    Ink falls in two levels: the text's near-black and the seal's mid grey.
    The seal is found as a large, thick patch of the lighter level (a ring
    and star some centimetres across; text has only thin light edges) and held
    to where its light ink lies away from the text's strokes (a palette scan's
    greys along the text's edges join the patch to the text beside it); inside
    it, the lighter level is painted white and the darker text kept.  A page
    whose ink has one level is returned unchanged."""
    return _grey_seal(gray)[0]


def _grey_seal(gray: np.ndarray) -> tuple[np.ndarray, GreySeal | None]:
    paper = float(np.median(gray[::4, ::4]))
    ink = gray < paper - 25
    if ink.sum() < 1000:
        return gray.copy(), None
    level, _ = cv2.threshold(gray[ink].reshape(1, -1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    light = (ink & (gray > level)).astype(np.uint8)
    light = cv2.morphologyEx(light, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    thick = cv2.morphologyEx(light, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    near = max(9, round(min(gray.shape) / 80))  # pieces of one ring, a few millimetres apart
    patches = cv2.dilate(thick, np.ones((near, near), np.uint8))
    n, _, stats, _ = components(patches)
    side = min(gray.shape) * DEFAULT_SEAL_SIDE
    cut = (float(np.percentile(gray[ink], 10)) + level) / 2  # between the text's strokes and the seal
    out = gray.copy()
    seal = np.zeros(gray.shape, np.uint8)
    body = None
    strokes = None
    for k in range(1, n):
        x, y, w, h = stats[k, :4]
        if w >= side and h >= side and w <= 3 * h and h <= 3 * w:
            if strokes is None:
                strokes = cv2.dilate((gray <= cut).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
            light_here = thick[y:y + h, x:x + w] > 0
            apart = light_here & ~strokes[y:y + h, x:x + w]
            if apart.sum() < DEFAULT_SEAL_APART * light_here.sum():
                continue  # light ink only along the text's strokes: blurred type, not a seal
            held = _seal_clusters(apart, near, side, min(gray.shape) * DEFAULT_SEAL_MOST)
            if held is None:
                continue
            x, y, w, h = x + held[0], y + held[1], held[2], held[3]
            if body is None:  # the seal's own level (the Otsu split falls on it): its ring as printed
                body = cv2.morphologyEx((ink & (gray >= level)).astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
            x, y, w, h = _seal_box((x, y, w, h), body, round(side))
            region = out[y:y + h, x:x + w]
            # the text's strokes and the pixels next to them stay; the seal's ink away from any stroke goes
            keep = cv2.dilate((region <= cut).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
            region[~keep & (region > cut)] = 255
            seal[y:y + h, x:x + w] = 255
    return out, (GreySeal(seal, float(level)) if seal.any() else None)


def _seal_clusters(apart: np.ndarray, near: int, side: float, most: float) -> tuple[int, int, int, int] | None:
    """The box, within a seal's patch, of its light ink away from the text's strokes (``apart``).

    The patch may have run on along the light edges of text beside the seal (a
    palette scan's greys): the seal is its largest cluster of such ink (pieces
    ``near`` apart joined) and the others, largest first, each holding at least
    ``DEFAULT_SEAL_PART`` of the largest one's ink, as far as a seal reaches
    across (``most``).  The whole patch when it holds one cluster; None when
    the seal so held is narrower than ``side``."""
    m, labels, parts, _ = components(cv2.dilate(apart.astype(np.uint8), np.ones((near, near), np.uint8)))
    if m <= 2:
        return 0, 0, apart.shape[1], apart.shape[0]
    held = np.bincount(labels[apart], minlength=m)  # the light ink away from strokes each holds
    order = 1 + np.argsort(-held[1:], kind="stable")
    x0, y0, w, h = (int(v) for v in parts[order[0], :4])
    x1, y1 = x0 + w, y0 + h
    for k in order[1:]:
        if held[k] < DEFAULT_SEAL_PART * held[order[0]]:
            break  # specks along the text's edges
        qx, qy, qw, qh = (int(v) for v in parts[k, :4])
        ux0, uy0, ux1, uy1 = min(x0, qx), min(y0, qy), max(x1, qx + qw), max(y1, qy + qh)
        if ux1 - ux0 <= most and uy1 - uy0 <= most:
            x0, y0, x1, y1 = ux0, uy0, ux1, uy1
    if x1 - x0 < side or y1 - y0 < side:
        return None
    return x0, y0, x1 - x0, y1 - y0


def _seal_box(box: tuple[int, int, int, int], body: np.ndarray, reach: int) -> tuple[int, int, int, int]:
    """A seal's patch box grown over the thick ink at the seal's level within ``reach`` of it:
    the part of the ring whose pixels are all at that level (no paler fringe to find it by)."""
    x, y, w, h = box
    ya, xa = max(0, y - reach), max(0, x - reach)
    near = body[ya:y + h + reach, xa:x + w + reach]
    ys, xs = np.nonzero(near)
    if not len(xs):
        return box
    x0, y0 = min(x, xa + int(xs.min())), min(y, ya + int(ys.min()))
    x1, y1 = max(x + w, xa + int(xs.max()) + 1), max(y + h, ya + int(ys.max()) + 1)
    return x0, y0, x1 - x0, y1 - y0


@dataclass(frozen=True)
class Ring:
    """A round seal's ring (see :func:`suppress_black_seal`): its centre, the
    radius of the ring's middle line and its width, in pixels."""

    cx: float
    cy: float
    radius: float
    width: float


@dataclass(frozen=True)
class BlackSeal:
    """Where seals in the text's black were removed (see :func:`suppress_black_seal`):
    their rings, and the ink painted out next to ink that stays (255): where the
    removal may have cut a character's stroke short; and the ink painted out as
    the seal's lettering (255): where a value printed under it may have gone whole;
    the band the lettering runs in (255); and all the ink painted out (255): where
    the page cannot tell whether text was printed too."""

    rings: tuple[Ring, ...]
    cut: np.ndarray
    letters: np.ndarray | None = None
    band: np.ndarray | None = None
    removed: np.ndarray | None = None


def suppress_black_seal(gray: np.ndarray) -> np.ndarray:
    """A round seal printed in the text's own black (a 1-bit scan, a black
    stamp) removed by its shape: no grey level or colour tells it.

    Its ring is found as a circle of ink some centimetres across (a Hough
    search on a small copy of the page, then measured on the page: ink on
    nearly all of the circle, little on the circles beside it).  The ring's
    pixels are painted white except where a stroke crosses it: ink that runs
    on across the ring, in one direction, on both sides of it (a digit's
    stroke, a ruling).  A page with no such circle is returned unchanged."""
    return _black_seal(gray)[0]


def _black_seal(gray: np.ndarray) -> tuple[np.ndarray, BlackSeal | None]:
    level, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    ink = gray <= level  # (Otsu gives the darker class's top: 0 on a 1-bit page)
    rings = _find_rings(ink)
    if not rings:
        return gray, None
    out = gray.copy()
    letters, band = np.zeros(ink.shape, bool), np.zeros(ink.shape, bool)
    for ring in rings:
        _paint_ring(out, ink, ring, level, letters, band)
    # painted-out ink touching ink that stays: a stroke the removal may have cut short
    left = (out <= level).astype(np.uint8)
    cut = ink & (out > level) & (cv2.dilate(left, np.ones((3, 3), np.uint8)) > 0)
    removed = ink & (out > level)
    return out, BlackSeal(tuple(rings), cut.astype(np.uint8) * 255, letters.astype(np.uint8) * 255,
                          band.astype(np.uint8) * 255, removed.astype(np.uint8) * 255)


def _find_rings(ink: np.ndarray) -> list[Ring]:
    short = min(ink.shape)
    scale = min(1.0, 600 / short)  # a seal's ring is still some pixels wide at this size
    small = cv2.resize(ink.astype(np.uint8) * 255, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 1.5)
    low, high = round(DEFAULT_SEAL_SIDE / 2 * short * scale), round(0.2 * short * scale)
    found = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT_ALT, 1.5, low, param1=300, param2=0.8,
                             minRadius=low, maxRadius=high)
    rings: list[Ring] = []
    for x, y, r in ([] if found is None else found[0][:4]):
        ring = _measure_ring(ink, x / scale, y / scale, r / scale)
        if ring is not None and all(np.hypot(ring.cx - o.cx, ring.cy - o.cy) > o.radius for o in rings):
            rings.append(ring)
    return rings


def _polar(ink: np.ndarray, cx: float, cy: float, reach: float, turns: int = 720) -> np.ndarray:
    """``ink`` around (cx, cy) unrolled: a row for each of ``turns`` angles, a column a pixel of radius."""
    return cv2.warpPolar(ink.astype(np.uint8), (round(reach), turns), (cx, cy), reach,
                         cv2.WARP_POLAR_LINEAR | cv2.INTER_NEAREST) > 0


def _measure_ring(ink: np.ndarray, cx: float, cy: float, r: float) -> Ring | None:
    """The ring near the circle (cx, cy, r) measured on the page, or None when
    that circle is not a seal's ring."""
    for _ in range(2):  # the centre found on the small copy, then the one the ring's own middle gives
        reach = 1.3 * r
        polar = _polar(ink, cx, cy, reach)
        cover = polar.mean(axis=0)
        lo, hi = max(1, round(0.85 * r)), min(polar.shape[1] - 1, round(1.15 * r))
        if hi <= lo:
            return None
        peak = lo + int(np.argmax(cover[lo:hi]))
        base = float(np.median(cover[lo:hi]))
        band = np.nonzero(cover[lo:hi] >= (cover[peak] + base) / 2)[0] + lo
        band = band[np.abs(band - peak) <= 0.1 * r]
        inner, outer = int(band.min()), int(band.max())
        width = outer - inner + 1.0
        # each angle's ring middle: its ink near the band (the centre found first may be some pixels
        # out), where no stroke crosses it (paper just beyond)
        slack = max(2, round(0.02 * r))
        a0, a1 = max(0, inner - slack), min(polar.shape[1] - 3, outer + slack)
        rows = polar[:, a0:a1 + 1]
        plain = (rows.sum(axis=1) >= 0.5 * width) & ~polar[:, max(0, a0 - 2)] & ~polar[:, a1 + 2]
        if plain.sum() < DEFAULT_RING_PLAIN * len(polar):
            return None
        cols = np.arange(a0, a1 + 1)
        middle = (rows * cols).sum(axis=1)[plain] / rows.sum(axis=1)[plain]
        angles = 2 * np.pi * np.nonzero(plain)[0] / len(polar)
        xs, ys = cx + middle * np.cos(angles), cy + middle * np.sin(angles)
        # the circle through those points (least squares: x^2 + y^2 + D x + E y + F = 0)
        a = np.column_stack([xs, ys, np.ones_like(xs)])
        d, e, f = np.linalg.lstsq(a, -(xs * xs + ys * ys), rcond=None)[0]
        cx, cy = -d / 2, -e / 2
        r = float(np.sqrt(max(cx * cx + cy * cy - f, 1.0)))
    polar = _polar(ink, cx, cy, 1.3 * r)
    half = width / 2 + 1
    on = polar[:, max(0, round(r - half)):round(r + half) + 1].any(axis=1).mean()
    beside = [polar[:, c].mean() for c in (round(r - half - 1.5 * width), round(r + half + 1.5 * width))
              if 0 <= c < polar.shape[1]]
    if on < DEFAULT_RING_COVER or len(beside) < 2 or max(beside) > DEFAULT_RING_APART:
        return None
    return Ring(float(cx), float(cy), r, width)


def _paint_ring(out: np.ndarray, ink: np.ndarray, ring: Ring, level: float,
                letters: np.ndarray, spans: np.ndarray) -> None:
    """Paint a seal white in ``out``: its ring but for the strokes crossing it, the
    solid star inside it, and its lettering but for text printed through it; the
    page's rulings stay.  The lettering's ink painted out is marked in
    ``letters``, its band in ``spans`` (see :class:`BlackSeal`)."""
    reach = round(1.5 * ring.width) + 2  # a stroke crossing the ring at 40 degrees or more is seen across it
    chord = 4 * np.sqrt(2 * ring.radius * ring.width)  # longer than any straight run along the ring
    grow = round(ring.radius + ring.width + chord)
    h, w = ink.shape
    x0, y0 = max(0, round(ring.cx) - grow), max(0, round(ring.cy) - grow)
    x1, y1 = min(w, round(ring.cx) + grow + 1), min(h, round(ring.cy) + grow + 1)
    near = ink[y0:y1, x0:x1].astype(np.uint8)
    k = round(chord)
    rulings = cv2.morphologyEx(near, cv2.MORPH_OPEN, np.ones((1, k), np.uint8)) | cv2.morphologyEx(
        near, cv2.MORPH_OPEN, np.ones((k, 1), np.uint8))
    rulings = cv2.dilate(rulings, np.ones((3, 3), np.uint8)) > 0
    yy, xx = np.mgrid[y0:y1, x0:x1]
    dist = np.hypot(xx - ring.cx, yy - ring.cy)
    half = ring.width / 2 + 1.5
    band = np.abs(dist - ring.radius) <= half
    inside = (near > 0) & (dist < ring.radius - half)
    outside = (near > 0) & (dist > ring.radius + half)
    run = 4  # a crossing stroke runs on for this many pixels in its direction beyond the ring
    keep = np.zeros(band.shape, bool)
    for k in range(16):
        a = np.pi * k / 16
        dx, dy = np.cos(a), np.sin(a)
        along = np.zeros((2 * run + 1, 2 * run + 1), np.uint8)
        cv2.line(along, (run - round(run / 2 * dx), run - round(run / 2 * dy)),
                 (run + round(run / 2 * dx), run + round(run / 2 * dy)), 1)
        ahead = np.zeros((2 * reach + 1, 2 * reach + 1), np.uint8)
        cv2.line(ahead, (reach, reach), (reach + round(reach * dx), reach + round(reach * dy)), 1)
        behind = ahead[::-1, ::-1].copy()
        ins = cv2.erode(inside.astype(np.uint8), along)
        outs = cv2.erode(outside.astype(np.uint8), along)
        keep |= (cv2.dilate(ins, ahead) & cv2.dilate(outs, behind)) > 0
        keep |= (cv2.dilate(outs, ahead) & cv2.dilate(ins, behind)) > 0
    keep = cv2.dilate((keep & band & (near > 0)).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    region = out[y0:y1, x0:x1]
    region[band & ~keep & ~rulings] = 255
    # the star (or emblem) in the middle: ink far thicker than any stroke of type
    core = np.ones((round(ring.width), round(ring.width)), np.uint8)
    solid = cv2.morphologyEx((inside & (dist < 0.6 * ring.radius)).astype(np.uint8), cv2.MORPH_OPEN, core)
    solid = cv2.dilate(solid, np.ones((5, 5), np.uint8)) > 0
    region[solid & ~rulings] = 255
    found = _lettering((near > 0) & ~rulings, xx - ring.cx, yy - ring.cy, dist, ring)
    if found is None:
        return
    lettering, depth = found
    # the lettering goes, but for a line of text printed through it: a character's slot beside a
    # character outside it (as high as it, a character's width on either side), then beside the
    # characters kept in those slots (a number's first digits)
    left = (region <= level) & ~rulings
    kept = left & ~lettering
    for _ in range(DEFAULT_LETTERING_SLOTS):
        slots = np.zeros(lettering.shape, bool)
        _, _, stats, _ = components(kept.astype(np.uint8))
        for x, y, sw, sh, _ in stats[1:]:
            if 5 <= sh <= 1.5 * depth and sw <= 3 * sh:
                wide = round(1.2 * sh)
                slots[max(0, y - 1):y + sh + 1, max(0, x - wide):x + sw + wide] = True
        more = kept | (left & lettering & slots)
        if (more == kept).all():
            break
        kept = more
    region[lettering & ~kept & ~rulings] = 255
    letters[y0:y1, x0:x1] |= lettering & (near > 0) & ~kept & ~rulings
    spans[y0:y1, x0:x1] |= lettering


DEFAULT_LETTERING_GAP = 9.0  # degrees: the widest gap between two characters of a seal's lettering
DEFAULT_LETTERING_INK = 0.05  # share of the lettering's band that is ink, at an angle a character covers
DEFAULT_LETTERING_SLOTS = 2  # characters of a line of text kept in the lettering's band, counted from outside it


def _lettering(ink: np.ndarray, dx: np.ndarray, dy: np.ndarray, dist: np.ndarray,
              ring: Ring) -> tuple[np.ndarray, float] | None:
    """Where a seal's lettering runs inside its ring, and how deep its band is:
    the outermost band of radii holding clearly more ink than the page around
    the seal, over the angles it covers, centred on the seal's top (or bottom,
    on a page upside down)."""
    radii = np.rint(dist).astype(np.int64).ravel()
    count = np.bincount(radii)
    cover = np.bincount(radii, weights=ink.ravel().astype(np.float64)) / np.maximum(count, 1)
    out_lo, out_hi = round(ring.radius + ring.width), min(len(cover), round(1.3 * ring.radius))
    if out_hi - out_lo < 5:
        return None
    bg = float(np.median(cover[out_lo:out_hi]))
    rich = max(1.6 * bg, bg + 0.05)
    top = round(ring.radius - ring.width / 2 - 1.5)
    hi = top
    while hi > ring.radius / 2 and cover[hi] <= rich:
        hi -= 1
    lo, gap = hi, 0
    while lo > ring.radius / 2 and gap <= 3:
        lo -= 1
        gap = 0 if cover[lo] > rich else gap + 1
    lo += gap
    if hi - lo < 0.05 * ring.radius or top - hi > 0.15 * ring.radius:
        return None
    band = (dist >= lo - 2) & (dist < ring.radius - ring.width / 2 - 1.5)
    # its angles, in 3-degree steps counter-clockwise from the right, 90 the top
    step = 3.0
    turn = (np.degrees(np.arctan2(-dy, dx)) % 360 // step).astype(np.int64)
    bins = round(360 / step)
    share = np.bincount(turn[band], weights=ink[band].astype(np.float64), minlength=bins) / np.maximum(
        np.bincount(turn[band], minlength=bins), 1)
    lettered = share > DEFAULT_LETTERING_INK
    # the longest run of lettered steps round the ring, the gaps between characters bridged
    gap_bins = round(DEFAULT_LETTERING_GAP / step)
    if lettered.all() or not lettered.any():
        return None
    # start at the longest blank stretch: no run of letters wraps past it
    blank_run, start, k0 = 0, 0, None
    for k in range(2 * bins):
        if lettered[k % bins]:
            k0 = None
        else:
            k0 = k if k0 is None else k0
            if k - k0 + 1 > blank_run:
                blank_run, start = k - k0 + 1, k0 % bins
    best, first, blank = (-1, 0), None, 0
    for k in range(bins):
        if lettered[(start + k) % bins]:
            if first is None or blank > gap_bins:
                first = k
            blank = 0
            if k - first > best[1] - best[0]:
                best = (first, k)
        else:
            blank += 1
    if best[1] < best[0]:
        return None
    # a seal's lettering is centred on its top: what a line of text printed across the ring
    # adds to one end of the run is trimmed to the other end's reach
    middle = (start + (best[0] + best[1]) / 2) * step % 360
    centre = (90 if abs((middle - 90 + 180) % 360 - 180) <= 90 else 270) / step
    ends = [((start + b) - centre + bins / 2) % bins - bins / 2 for b in best]
    if not ends[0] < 0 < ends[1]:
        return None
    reach = min(-ends[0], ends[1]) + 1
    if reach * 2 * step < 90:  # no run of letters a quarter round the ring
        return None
    off = (turn - centre + bins / 2) % bins - bins / 2
    return band & (np.abs(off) <= reach), float(hi - lo)


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink = 255 on 0, robust to uneven lighting."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def char_height(binary: np.ndarray) -> float:
    """The height of a typical character in pixels: the page's unit of length."""
    n, _, stats, _ = components(binary)
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (h >= 6) & (h <= 200) & (w <= 3 * h) & (w >= 2)
    if n <= 1 or keep.sum() < 10:
        return DEFAULT_UNIT_PX
    # CJK glyphs break into strokes; the upper quartile is close to a full character
    return float(np.percentile(h[keep], 75))


def _profile_score(points: tuple[np.ndarray, np.ndarray, float, float], angle: float) -> float:
    """How sharply the rows of ink stand out after turning the page by ``angle``.

    The ink pixels are projected onto the turned page's vertical axis (what a
    rotation and a row sum would give, without turning the image)."""
    xs, ys, cx, cy = points
    if not len(xs):
        return 0.0  # a blank page: every angle is as good
    a = np.deg2rad(angle)
    # cv2.getRotationMatrix2D's sense: counter-clockwise for a positive angle
    rows = np.rint(-np.sin(a) * (xs - cx) + np.cos(a) * (ys - cy)).astype(np.int64)
    profile = np.bincount(rows - rows.min()).astype(np.float64)
    return float(np.square(np.diff(profile)).sum())


def _downscale(binary: np.ndarray, side: float) -> np.ndarray:
    scale = min(1.0, side / max(binary.shape))
    return cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else binary


def _ink_points(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    ys, xs = np.nonzero(binary > 127)
    h, w = binary.shape
    return xs.astype(np.float64), ys.astype(np.float64), w / 2, h / 2


def estimate_skew(binary: np.ndarray, max_deg: float = DEFAULT_MAX_SKEW_DEG) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines and rulings level.

    A coarse search on a small copy of the page, then finer ones near the
    best angle on larger copies (a ruling's one-pixel steps decide the last).
    """
    best = 0.0
    for side, step, half in ((600.0, 0.5, max_deg), (900.0, 0.1, 0.5), (1600.0, 0.025, 0.1)):
        points = _ink_points(_downscale(binary, side))
        best = _plateau_center(points, np.arange(best - half, best + half + 1e-9, step))
    return 0.0 if abs(best) < 0.02 else round(best, 3)


def _plateau_center(points, angles: np.ndarray) -> float:
    """The middle of the angles that score (within rounding) as well as the best one."""
    scores = [_profile_score(points, a) for a in angles]
    top = max(scores)
    good = [a for a, s in zip(angles, scores, strict=True) if s >= top * (1 - 1e-4)]
    return float((min(good) + max(good)) / 2)


def prepare_page(rgb: np.ndarray, max_skew: float = DEFAULT_MAX_SKEW_DEG) -> PreparedPage:
    """Flatten a photographed page, remove the seal, measure the skew and turn the page level.

    ``matrix`` maps the (flattened) picture's pixels to the prepared page's."""
    from selfeval.extract.ocr.photo import rectify

    flat = rectify(rgb)
    gray, seal = _suppress(flat)
    colour = _spread(flat)
    binary = binarize(gray)
    angle = estimate_skew(binary, max_skew)
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    if angle:
        gray = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
        if colour is not None:
            colour = cv2.warpAffine(colour, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
        if seal is not None:
            seal = GreySeal(cv2.warpAffine(seal.mask, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0), seal.level)
    black = None
    if seal is None and colour is None:  # no seal told by its colour or grey level: one in the text's black?
        gray, black = _black_seal(gray)
    if angle or black is not None:  # the ink of the page as turned and cleaned, binarized once
        binary = binarize(gray)
    return PreparedPage(gray, binary, angle, matrix, char_height(binary), colour, seal, black)


def _spread(rgb: np.ndarray) -> np.ndarray | None:
    """Each pixel's channel spread (how coloured it is); None for a grey picture."""
    if rgb.ndim != 3:
        return None
    r, g, b = cv2.split(np.ascontiguousarray(rgb))
    spread = cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))
    return spread if spread.max() > DEFAULT_SEAL_CHROMA else None


def upside_down(binary: np.ndarray, table_top: float, table_bottom: float, unit: float) -> bool:
    """Whether a form page lies upside down: its heading (title, 项目序号, 金额单位,
    printed above the table) is found below it instead.  Decided only when
    the ink outside the table is clearly on one side."""
    band = round(4 * unit)  # the heading sits within a few lines of the table
    above = int(np.count_nonzero(binary[max(0, round(table_top) - band):max(0, round(table_top) - round(unit / 2))]))
    below = int(np.count_nonzero(binary[round(table_bottom) + round(unit / 2):round(table_bottom) + band]))
    return below > 3 * max(above, 1) and below > unit * unit


def turn_over(page: PreparedPage) -> PreparedPage:
    """The page turned by 180 degrees (its map from the input image with it)."""
    h, w = page.gray.shape
    flip = np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]])
    matrix = (flip @ np.vstack([page.matrix, [0.0, 0.0, 1.0]]))[:2]
    colour = None if page.colour is None else cv2.rotate(page.colour, cv2.ROTATE_180)
    seal = None if page.seal is None else GreySeal(cv2.rotate(page.seal.mask, cv2.ROTATE_180), page.seal.level)
    black = page.black_seal
    if black is not None:
        rings = tuple(Ring(w - 1 - r.cx, h - 1 - r.cy, r.radius, r.width) for r in black.rings)
        black = BlackSeal(rings, *(None if m is None else cv2.rotate(m, cv2.ROTATE_180)
                                   for m in (black.cut, black.letters, black.band, black.removed)))
    return PreparedPage(cv2.rotate(page.gray, cv2.ROTATE_180), cv2.rotate(page.binary, cv2.ROTATE_180),
                        page.angle + 180.0, matrix, page.unit, colour, seal, black)


DEFAULT_CUT_CONFIDENCE = 0.5  # the score of a character whose strokes a black seal's removal cut
DEFAULT_CUT_HEIGHTS = 0.5  # ... when the ink painted out at its strokes is this many of its box's heights (pixels) or more


def cut_by_seal(boxes: list[TextBox], seal: BlackSeal | None) -> list[TextBox]:
    """``boxes`` with the characters a black seal's removal cut scored
    ``DEFAULT_CUT_CONFIDENCE`` at most: where ink was painted out next to their
    strokes (a ring crossing a digit takes part of it with it, and what is left
    may read as another digit with confidence), so the cell is a doubt."""
    if seal is None:
        return boxes
    out = []
    for b in boxes:
        y0, y1 = max(0, round(b.bbox[1])), round(b.bbox[3]) + 1
        parts = b.glyphs or (Glyph(b.text, b.bbox[0], b.bbox[2], b.confidence),)
        glyphs, low = [], False
        for i, g in enumerate(parts):
            # the first and last characters reach to the box's ends: ink the engine saw but placed no
            # character on (the rest of a digit the ring cut) is counted with them
            x0 = max(0, round(min(g.x0, b.bbox[0]) if i == 0 else g.x0))
            x1 = round(max(g.x1, b.bbox[2]) if i == len(parts) - 1 else g.x1) + 1
            cut = np.count_nonzero(seal.cut[y0:y1, x0:x1])
            if cut and cut >= DEFAULT_CUT_HEIGHTS * (y1 - y0):
                g, low = Glyph(g.text, g.x0, g.x1, min(g.confidence, DEFAULT_CUT_CONFIDENCE)), True
            glyphs.append(g)
        if low:
            b = TextBox(b.text, b.bbox, min(b.confidence, DEFAULT_CUT_CONFIDENCE), tuple(glyphs) if b.glyphs else ())
        out.append(b)
    return out


def map_boxes(boxes: list[TextBox], matrix: np.ndarray) -> list[TextBox]:
    """Boxes from input-image pixels to prepared-page pixels (axis-aligned hull)."""
    out = []
    for b in boxes:
        x0, y0, x1, y1 = b.bbox
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=float) @ matrix.T
        glyphs = tuple(
            Glyph(g.text, *(np.array([[g.x0, b.cy, 1], [g.x1, b.cy, 1]], dtype=float) @ matrix.T)[:, 0], g.confidence)
            for g in b.glyphs
        )
        box = (pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max())
        out.append(TextBox(b.text, box, b.confidence, glyphs))
    return out


def recorded_boxes(rgb: np.ndarray, recorded: dict) -> list[TextBox]:
    """A recording's engine boxes (on its deskewed page) for ``rgb``: should
    this machine's deskew differ a little from the recording's (other image
    libraries), the boxes are turned by the difference."""
    boxes = load_boxes(recorded["boxes"])
    delta = prepare_page(rgb).angle - recorded["deskew_angle"]
    if delta:
        h, w = rgb.shape[:2]
        boxes = map_boxes(boxes, cv2.getRotationMatrix2D((w / 2, h / 2), delta, 1.0))
    return boxes


def recorded_engine(rgb: np.ndarray, recorded: dict) -> ReplayEngine:
    """A replay of a recording for ``rgb``: its boxes (see :func:`recorded_boxes`)
    and the recognizer's readings of the marks its detector left out, when
    recorded (``marks``: ``[x0, y0, x1, y1, text, score]`` each)."""
    marks = [(tuple(float(v) for v in m[:4]), str(m[4]), float(m[5])) for m in recorded.get("marks", ())]
    return ReplayEngine(recorded_boxes(rgb, recorded), marks)
