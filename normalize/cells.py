"""Cleaning of cell text: width and punctuation only, never meaning.

The contract: text is NFKC-normalised where that changes only width or
punctuation (full-width ``：（）１２％`` and the ideographic space become their
ASCII forms; ``≥``, ``—``, ``。`` and all CJK characters stay as written),
and trimmed.  Traditional-to-simplified conversion is *not* done here: it is
applied only inside the controlled vocabularies (see :mod:`.vocab`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WS = re.compile(r"[ \t\u00a0\u3000]+")


def _width_map() -> dict[int, str]:
    table: dict[int, str] = {0x3000: " ", 0x00A0: " "}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII variants
        table[code] = unicodedata.normalize("NFKC", chr(code))
    for code in range(0xFE50, 0xFE6C):  # small form variants: ﹦ ﹤ ﹥ ﹐ …
        norm = unicodedata.normalize("NFKC", chr(code))
        if norm != chr(code):
            table[code] = norm
    return table


_WIDTH = _width_map()


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """Width/punctuation-normalised, whitespace-collapsed, trimmed text."""
    if not text:
        return ""
    out = text.translate(_WIDTH)
    out = out.replace("\r", " ").replace("\n", " ")
    return _WS.sub(" ", out).strip()


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Cleaned text without any whitespace, for keyword matching."""
    return clean(text).replace(" ", "")
