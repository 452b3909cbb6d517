"""How a scan's reading is compared with the printed form: one rule for the
accuracy tests and the OCR benchmark, so both count the same fields right."""

from __future__ import annotations

import math
import unicodedata


def norm(text: str) -> str:
    """Full NFKC without spaces: width and spacing are not OCR errors."""
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def same_field(a: object, b: object) -> bool:
    """Two table cells agree: both empty, equal numbers, or equal text by :func:`norm`."""
    a_null = a is None or (isinstance(a, float) and math.isnan(a))
    b_null = b is None or (isinstance(b, float) and math.isnan(b))
    if a_null or b_null:
        return a_null and b_null
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-9
    return norm(str(a)) == norm(str(b))
