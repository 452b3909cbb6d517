"""Page preparation before OCR: red seal removed, skew measured and undone.

::

    suppress_seal   RGB page -> grey page, red ink gone, black ink kept
    binarize        grey -> ink mask
    char_height     ink mask -> the page's unit of length (a character's height)
    estimate_skew   ink mask -> the rotation that levels text lines and rulings
    prepare_page    all of the above, and the turned page
    map_boxes       boxes from the input image's pixels to the prepared page's
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from selfeval.extract.ocr import Glyph, TextBox, load_boxes
from selfeval.extract.ocr.components import components

DEFAULT_MAX_SKEW_DEG = 5.0  # the largest rotation deskew looks for
DEFAULT_UNIT_PX = 20.0  # the character height assumed when a page has no text to measure
DEFAULT_SEAL_CHROMA = 28  # channel spread (0..255) above which ink is coloured: a seal, not text
DEFAULT_SEAL_SIDE = 0.08  # a grey seal is at least this share of the page's shorter side across
DEFAULT_SEAL_APART = 0.25  # ... and at least this share of its light ink lies away from the text's strokes


@dataclass(frozen=True)
class PreparedPage:
    gray: np.ndarray  # deskewed grey page, red seal removed
    binary: np.ndarray  # ink = 255
    angle: float  # degrees the page was turned back (counter-clockwise positive)
    matrix: np.ndarray  # 2x3 affine map from the input image to ``gray``
    unit: float  # typical character height in pixels
    colour: np.ndarray | None = None  # channel spread (0..255) of the page as scanned, on ``gray``'s pixels
    seal: GreySeal | None = None  # a seal told from the text by its grey level, on ``gray``'s pixels


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
    and star some centimetres across; text has only thin light edges); inside
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
            if (light_here & ~strokes[y:y + h, x:x + w]).sum() < DEFAULT_SEAL_APART * light_here.sum():
                continue  # light ink only along the text's strokes: blurred type, not a seal
            if body is None:  # the seal's own level (the Otsu split falls on it): its ring as printed
                body = cv2.morphologyEx((ink & (gray >= level)).astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
            x, y, w, h = _seal_box((x, y, w, h), body, round(side))
            region = out[y:y + h, x:x + w]
            # the text's strokes and the pixels next to them stay; the seal's ink away from any stroke goes
            keep = cv2.dilate((region <= cut).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
            region[~keep & (region > cut)] = 255
            seal[y:y + h, x:x + w] = 255
    return out, (GreySeal(seal, float(level)) if seal.any() else None)


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
        binary = binarize(gray)
        if colour is not None:
            colour = cv2.warpAffine(colour, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
        if seal is not None:
            seal = GreySeal(cv2.warpAffine(seal.mask, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0), seal.level)
    return PreparedPage(gray, binary, angle, matrix, char_height(binary), colour, seal)


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
    return PreparedPage(cv2.rotate(page.gray, cv2.ROTATE_180), cv2.rotate(page.binary, cv2.ROTATE_180),
                        page.angle + 180.0, matrix, page.unit, colour, seal)


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
