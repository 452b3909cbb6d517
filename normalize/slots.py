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
from selfeval.settings import DEFAULT_WEIGHTS, ScoringWeights

CellScorer = Callable[[str], float]

EARLY_EXIT = True  # see fit(); False gives the exhaustive search


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
    weights: ScoringWeights = DEFAULT_WEIGHTS,
    ruled: bool = False,
) -> Placement:
    """Place ``cells[start:]`` into ``slots`` (name, expected column).

    The first offset wins ties, so list the preferred one first.  When the
    first offset is 0 and places every cell with no cell scoring against its
    slot, the row sits where its header says and no other offset is tried
    (``EARLY_EXIT``; the tests compare it with the exhaustive search).

    Each column of offset costs points: ``weights.loose_offset`` where the
    reader could not keep positions, ``weights.offset`` where it did, and
    ``weights.ruled_offset`` where the page's rulings placed the cells
    (``ruled``): there a value misread into something its column does not
    hold (``100.00%0`` under 执行率) stays in its column, unparsed, instead
    of moving its row's other values one column over.
    """
    available: dict[int, str] = {}
    nulls: set[int] = set()  # "—", "……": placeholders, not data
    for i in range(start, len(cells)):
        text = cells[i]
        if text.strip():
            available[i] = text
            if is_null(text):
                nulls.add(i)
    per_column = weights.ruled_offset if ruled else weights.offset if positional else weights.loose_offset
    lost_placeholder, lost_cell = weights.lost_placeholder, weights.lost_cell
    n_available, n_nulls = len(available), len(nulls)
    n_real = n_available - n_nulls
    try:
        pairs = [(column, scorers[slot], _EMPTY_SCORES[scorers[slot]]) for slot, column in slots]
    except TypeError:  # an unhashable callable
        pairs = [(column, scorers[slot], scorers[slot]("")) for slot, column in slots]
    get = available.get
    # Score every offset without building its placement; the arithmetic (and
    # so every tie) is the same as placing the cells at each offset in turn.
    best_offset, best_score = None, 0.0
    for offset in offsets:
        score = -per_column * abs(offset)
        used: set[int] = set()
        doubtful = False
        for column, scorer, nothing in pairs:
            col = column + offset
            text = get(col)
            if text is None:
                score += nothing
            else:
                cell_score = scorer(text)
                score += cell_score
                if cell_score < 0:
                    doubtful = True
                used.add(col)
        used_nulls = len(used & nulls) if n_nulls else 0
        score -= lost_placeholder * (n_nulls - used_nulls)
        score -= lost_cell * (n_real - (len(used) - used_nulls))
        if best_offset is None or score > best_score:
            best_offset, best_score = offset, score
        if EARLY_EXIT and offset == 0 and not doubtful and len(used) == n_available:
            break  # every cell in its own column and fitting it: nothing to realign
    assert best_offset is not None
    taken: dict[str, tuple[int, str]] = {}
    used = set()
    for slot, column in slots:
        col = column + best_offset
        text = get(col)
        if text is not None:
            used.add(col)
            if col not in nulls:
                taken[slot] = (col, text)
    if len(used) == n_available:  # every cell placed (used holds only cells of available)
        lost: tuple[tuple[int, str], ...] = ()
    else:
        lost = tuple((i, t) for i, t in sorted(available.items()) if i not in used and i not in nulls)
    return Placement(taken, best_offset, best_score, lost)


class _EmptyScores(dict):
    """What each scorer gives an empty cell (scorers are pure, so asked once)."""

    def __missing__(self, scorer: CellScorer) -> float:
        value = self[scorer] = scorer("")
        return value


_EMPTY_SCORES = _EmptyScores()
