"""Fitting a row's cells to the columns its block's header names.

Printed forms lose their merged cells on the way to text, so a row's cells
may sit one or two columns off.  Positions from the header are therefore a
hint: :func:`fit` tries the header's columns at small offsets, scores each
placement by what the cells look like (a score column holds a number, a rate
column a percentage …), never drops a non-empty cell, and returns the most
plausible placement.  The caller records any offset as a repair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from selfeval.normalize.values import is_null

CellScorer = Callable[[str], float]

LOST_CELL_PENALTY = 5.0  # a non-empty cell no slot takes
OFFSET_PENALTY = 0.6  # per column of offset, for rows whose positions are kept
LOOSE_OFFSET_PENALTY = 0.1  # per column, where the reader could not keep positions


@dataclass(frozen=True)
class Placement:
    cells: dict[str, tuple[int, str]]  # slot -> (column, text); only non-empty cells
    offset: int
    score: float
    lost: tuple[tuple[int, str], ...]


def fit(
    cells: Sequence[str],
    start: int,
    slots: Sequence[tuple[str, int]],
    scorers: dict[str, CellScorer],
    offsets: Sequence[int] = (0, 1, -1, 2, -2),
    positional: bool = True,
) -> Placement:
    """Place ``cells[start:]`` into ``slots`` (name, expected column).

    The first offset wins ties, so list the preferred one first.
    """
    available = {i: cells[i] for i in range(start, len(cells)) if cells[i].strip()}
    per_column = OFFSET_PENALTY if positional else LOOSE_OFFSET_PENALTY
    in_order = sorted(available.items())
    best: Placement | None = None
    for offset in offsets:
        taken: dict[str, tuple[int, str]] = {}
        score = -per_column * abs(offset)
        used: set[int] = set()
        for slot, column in slots:
            col = column + offset
            text = available.get(col, "")
            score += scorers[slot](text)
            if text:
                used.add(col)
                if not is_null(text):
                    taken[slot] = (col, text)
        lost = tuple((i, t) for i, t in in_order if i not in used)
        score -= LOST_CELL_PENALTY * len(lost)
        if best is None or score > best.score:
            best = Placement(taken, offset, score, lost)
    assert best is not None
    return best
