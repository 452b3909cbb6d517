"""Cell text as the structured readers (PDF, workbook, Word) hand it on.

A printed cell wraps its text over several lines; a workbook or Word cell may
hold explicit line breaks.  Either way the grid wants one string per cell,
so lines are joined the way the text was written: without a space where
either side is a CJK character or full-width sign (``补助引进`` + ``人才``),
with one space between Latin words (``APP`` + ``download``).  Nothing else
is changed: no width folding, no traditional-to-simplified, no label
repair; those happen downstream, once, for every reader.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache


@lru_cache(maxsize=4096)
def is_wide(ch: str) -> bool:
    """True for characters that are set without spaces around them in
    Chinese text: ideographs, kana, full-width forms and CJK punctuation, and
    the East-Asian-ambiguous signs (``“”≥—…``) that are full width there.
    Ambiguous letters (Greek, Cyrillic) stay narrow."""
    width = unicodedata.east_asian_width(ch)
    if width in ("W", "F"):
        return True
    return width == "A" and not unicodedata.category(ch).startswith("L")


def join_pair(left: str, right: str) -> str:
    """Join two pieces of one cell that a line break separated."""
    if not left:
        return right
    if not right:
        return left
    if is_wide(left[-1]) or is_wide(right[0]):
        return left + right
    return left + " " + right


def join_lines(lines: Iterable[str]) -> str:
    """Join the wrapped or broken lines of one cell into one string."""
    text = ""
    for line in lines:
        text = join_pair(text, line.strip())
    return text


# The shapes of a number as a cell prints it, for every reader of printed
# cells (PDF text, PDF without rulings, OCR'd tables), defined here once.
_PLUS_MINUS = r"[+\-−]"
_SIGN = rf"(?:[≥≤<>=＞＜]=?|{_PLUS_MINUS})?"  # a comparison (a target) or a sign before the number
_PERCENT = "%‰％"
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"  # 13.04, 1,234.50: a number's digits (values.py parses by it too)
_NUMBER_PART = re.compile(_SIGN + rf"[0-9.,{_PERCENT}]+$")
_ONE_NUMBER = re.compile(_SIGN + NUMBER + rf"[{_PERCENT}]?$")
_PLAIN_NUMBER = re.compile(rf"^{_PLUS_MINUS}?[0-9][0-9.,]*%?$")


def plain_number(text: str) -> bool:
    """One plain number, or a piece of one (``13.04``, ``100.00%``, ``6.``):
    no comparison before it, so a target (``≥95%``) is text, not a number."""
    return bool(_PLAIN_NUMBER.match(text))


def one_number(left: str, right: str) -> bool:
    """Whether two lines of a cell are the parts of one wrapped number
    (``100.0`` + ``0%``, ``100.00`` + ``%``, ``≥95`` + ``%``): see :func:`join_wrapped_pair`."""
    if not (left and right and _NUMBER_PART.match(left) and _NUMBER_PART.match(right)):
        return False
    joined = left + right
    return bool(_ONE_NUMBER.match(joined)) and any(ch in joined for ch in ".," + _PERCENT)


def join_wrapped_pair(left: str, right: str) -> str:
    """Join two lines of one printed cell that wrapping broke apart: as
    :func:`join_pair`, except that the two parts of one number wrapped
    inside a narrow cell (``100.0`` + ``0%``, ``≥9`` + ``5%``) join without a
    space.  Both parts must be only digits and number signs, together one
    number (perhaps after ≥, ≤ or a sign) with a decimal point, a thousands
    comma or a percent sign (two bare integers may be two numbers)."""
    if one_number(left, right):
        return left + right
    return join_pair(left, right)


def join_wrapped(lines: Iterable[str]) -> str:
    """Join the lines a printed cell wrapped into (:func:`join_wrapped_pair`)."""
    text = ""
    for line in lines:
        text = join_wrapped_pair(text, line.strip())
    return text


def cell_text(value: str) -> str:
    """A cell's text: its lines joined, tabs (which would split the grid
    row) turned into spaces, stripped."""
    if "\n" in value or "\r" in value:
        value = join_lines(value.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    if "\t" in value:
        value = value.replace("\t", " ")
    return value.strip()


def trim_row(cells: Sequence[str]) -> tuple[str, ...]:
    """A row without its trailing empty cells, as a tab-split line of pasted
    text reads once the trailing tabs are dropped; positions are kept."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return tuple(cells[:end])
