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

from selfeval.extract.ocr import Glyph, TextBox

DEFAULT_MAX_SKEW_DEG = 5.0  # the largest rotation deskew looks for
DEFAULT_UNIT_PX = 20.0  # the character height assumed when a page has no text to measure


@dataclass(frozen=True)
class PreparedPage:
    gray: np.ndarray  # deskewed grey page, red seal removed
    binary: np.ndarray  # ink = 255
    angle: float  # degrees the page was turned back (counter-clockwise positive)
    matrix: np.ndarray  # 2x3 affine map from the input image to ``gray``
    unit: float  # typical character height in pixels


def suppress_seal(rgb: np.ndarray) -> np.ndarray:
    """Grey page with red ink (seals, red stamps) removed and black ink kept.

    Near clearly red pixels (and the pale fringe JPEG leaves around them) the
    red channel is used as the grey value: red ink is bright there, while
    black text under the seal stays dark.
    """
    if rgb.ndim == 2:
        return rgb.copy()
    r = rgb[:, :, 0].astype(np.int16)
    gb = np.maximum(rgb[:, :, 1], rgb[:, :, 2]).astype(np.int16)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    red = ((r - gb > 40) & (r > 90)).astype(np.uint8)
    # JPEG smears the seal's colour: its pale fringe is reddish only near the ink
    red = cv2.dilate(red, np.ones((5, 5), np.uint8)).astype(bool)
    out = gray.copy()
    out[red] = np.where(r[red] > 150, 255, np.maximum(gray[red], r[red])).astype(np.uint8)
    return out


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink = 255 on 0, robust to uneven lighting."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def char_height(binary: np.ndarray) -> float:
    """The height of a typical character in pixels: the page's unit of length."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (h >= 6) & (h <= 200) & (w <= 3 * h) & (w >= 2)
    if n <= 1 or keep.sum() < 10:
        return DEFAULT_UNIT_PX
    # CJK glyphs break into strokes; the upper quartile is close to a full character
    return float(np.percentile(h[keep], 75))


def _profile_score(binary: np.ndarray, angle: float) -> float:
    """How sharply the rows of ink stand out after turning the page by ``angle``."""
    h, w = binary.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(binary, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    profile = rotated.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(profile)).sum())


def _downscale(binary: np.ndarray, side: float) -> np.ndarray:
    scale = min(1.0, side / max(binary.shape))
    return cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else binary


def estimate_skew(binary: np.ndarray, max_deg: float = DEFAULT_MAX_SKEW_DEG) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines and rulings level.

    A coarse search on a small copy of the page, then finer ones near the
    best angle on larger copies (a ruling's one-pixel steps decide the last).
    """
    best = 0.0
    for side, step, half in ((600.0, 0.5, max_deg), (900.0, 0.1, 0.5), (1600.0, 0.025, 0.1)):
        scaled = _downscale(binary, side)
        best = _plateau_center(scaled, np.arange(best - half, best + half + 1e-9, step))
    return 0.0 if abs(best) < 0.02 else round(best, 3)


def _plateau_center(binary: np.ndarray, angles: np.ndarray) -> float:
    """The middle of the angles that score (within rounding) as well as the best one."""
    scores = [_profile_score(binary, a) for a in angles]
    top = max(scores)
    good = [a for a, s in zip(angles, scores, strict=True) if s >= top * (1 - 1e-4)]
    return float((min(good) + max(good)) / 2)


def prepare_page(rgb: np.ndarray, max_skew: float = DEFAULT_MAX_SKEW_DEG) -> PreparedPage:
    """Remove the seal, measure the skew and turn the page level."""
    gray = suppress_seal(rgb)
    binary = binarize(gray)
    angle = estimate_skew(binary, max_skew)
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    if angle:
        gray = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
        binary = binarize(gray)
    return PreparedPage(gray, binary, angle, matrix, char_height(binary))


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


