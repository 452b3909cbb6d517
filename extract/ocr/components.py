"""Connected components of a mask, as ``cv2.connectedComponentsWithStats`` gives them, faster.

OpenCV labels into 16-bit integers about three times as fast as into 32-bit
ones on a page (a 300 dpi A4 page: about 20 ms against 55 ms), with the same
labels, statistics and centroids.  A mask with 65,535 components or more
does not fit: OpenCV refuses it, and it is labelled into 32-bit integers.
"""

from __future__ import annotations

import cv2
import numpy as np


def components(mask: np.ndarray, connectivity: int = 8) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """``(count, labels, stats, centroids)`` of ``mask``'s components, the background label 0."""
    try:
        return cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_16U)
    except cv2.error:  # more components than 16 bits can number
        return cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_32S)
