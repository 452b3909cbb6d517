"""A photographed page (taken by hand, on a table top) made flat like a scan.

``find_page`` looks for the sheet of paper: the large bright four-sided
region inside a darker surround.  ``rectify`` maps it onto an upright
rectangle (perspective undone).  A scan, whose paper fills the picture,
is returned unchanged; so is a picture in which no clear sheet is found.
"""

from __future__ import annotations

import cv2
import numpy as np

DEFAULT_MIN_PAGE_SHARE = 0.35  # the sheet covers at least this share of the photo
DEFAULT_MAX_PAGE_SHARE = 0.97  # ... and leaves a visible surround (else it is a scan)
DEFAULT_SIDE = 900.0  # pixels on the long side of the copy the sheet is looked for in


def find_page(gray: np.ndarray) -> np.ndarray | None:
    """The sheet's four corners (top-left, top-right, bottom-right, bottom-left) in
    the picture's pixels, or None when the picture is not a photo of a sheet."""
    h, w = gray.shape
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    paper, _ = cv2.threshold(gray[::4, ::4], 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if np.mean(border > paper) > 0.5:
        return None  # paper reaches the edges: a scan
    scale = min(1.0, DEFAULT_SIDE / max(h, w))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    mask = (small > paper).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(sheet) / (small.shape[0] * small.shape[1])
    if not DEFAULT_MIN_PAGE_SHARE <= share <= DEFAULT_MAX_PAGE_SHARE:
        return None
    quad = cv2.approxPolyDP(sheet, 0.02 * cv2.arcLength(sheet, True), True)
    if len(quad) != 4:
        return None
    pts = quad.reshape(4, 2).astype(np.float32) / scale
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def rectify(rgb: np.ndarray) -> np.ndarray:
    """The sheet of a photographed page, flat and upright; other pictures as they are."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    corners = find_page(gray)
    if corners is None:
        return rgb
    tl, tr, br, bl = corners
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    matrix = cv2.getPerspectiveTransform(corners, target)
    fill = (255, 255, 255) if rgb.ndim == 3 else 255
    return cv2.warpPerspective(rgb, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=fill)
