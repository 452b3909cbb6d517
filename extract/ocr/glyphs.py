"""Numbers under a black seal read again by the page's own printed glyphs.

A seal printed in the text's black (a 1-bit scan) is removed by its shape
(:func:`selfeval.extract.ocr.page.suppress_black_seal`), and where a digit's
stroke runs along the ring it goes with the ring: what is left reads as
another digit (a '0' whose left half lay on the ring reads '2').  The page
holds the same type printed clear elsewhere: every number the engine read
surely, away from any seal, whose ink parts into as many pieces as it has
characters.  Those pieces are the page's templates.

A number the seal's removal touched is read again as the one run of those
templates, set at the type's own spacing on one line, that best explains the
ink left there, the ink painted out counting as ink or paper alike.  The
reading replaces the engine's only where it holds without doubt: every
character shows enough of its ink on the page and beats every other template
in its place, no ink of the run is left unexplained, and no character can
hide under the seal at either end.  The box stays a doubt either way (its
confidence at most :data:`GLYPH_CONFIDENCE`): two readers disagreed.

::

    page_type       the page's clear numbers -> its digit templates
    read_under_seal boxes -> the numbers the seal's removal touched, read again
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import regex

from selfeval.extract.ocr import Glyph, TextBox

GLYPH_CONFIDENCE = 0.45  # a number read by the page's glyphs where the engine read another: a doubt
DEFAULT_SURE = 0.98  # a number read at this confidence or more, away from a seal, gives templates
DEFAULT_SPECK = 0.1  # ink pieces under this share of a character's height (squared) are specks
DEFAULT_SHOWN = 0.3  # a character read again shows at least this share of its ink on the page
DEFAULT_CUT_COST = 3.0  # a row of ink a slot's edge cuts through costs this (a character is ink bounded by paper)
DEFAULT_CHAR_COST = 2.0  # what setting a character costs: none is set where it explains no ink
DEFAULT_MISSING = 0.12  # ... and at most this share of its ink lies on paper
DEFAULT_MARGIN = 0.05  # ... and every other template in its place costs more by this share of its ink
DEFAULT_DOUBTED = 0.9  # only a box read under this (the engine unsure, or the seal's removal cut it) is read again
DEFAULT_LEFT_OVER = 0.15  # ink left unexplained beside the run, as a share of a digit's ink: the reading fails
MAX_EXEMPLARS = 4  # templates kept for each character

_NUMBER = regex.compile(r"[0-9]+(?:\.[0-9]+)?%?")
_READ_AGAIN = regex.compile(r"[0-9.,%]+")
_CROSS = np.ones((3, 3), np.uint8)


@dataclass(frozen=True)
class Template:
    """One character as printed on the page: its ink in its slot, the line's
    height by the character's width."""

    char: str
    ink: np.ndarray  # bool

    @property
    def width(self) -> int:
        return self.ink.shape[1]


@dataclass(frozen=True)
class Type:
    """The page's numbers at their common size: templates, the digits' height
    and the spacing between characters (narrowest, widest)."""

    templates: tuple[Template, ...]
    height: int
    gap: tuple[int, int]

    @property
    def chars(self) -> set[str]:
        return {t.char for t in self.templates}

    @property
    def digit_ink(self) -> float:
        return float(np.median([t.ink.sum() for t in self.templates if t.char.isdigit()]))

    @property
    def digit_width(self) -> int:
        return max(t.width for t in self.templates if t.char.isdigit())


def _pieces(ink: np.ndarray, speck: float) -> list[tuple[int, int, int, int, np.ndarray]]:
    """``ink``'s pieces, specks left out, those lying over each other in x joined
    (a '%''s rings and stroke): (x0, y0, x1, y1, their ink), left to right."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    found = sorted((int(stats[i, 0]), int(stats[i, 0] + stats[i, 2]), i) for i in range(1, n)
                   if stats[i, cv2.CC_STAT_AREA] >= speck)
    groups: list[list[int]] = []
    ends: list[int] = []
    for x0, x1, i in found:
        if groups and x0 < ends[-1] - 1:
            groups[-1].append(i)
            ends[-1] = max(ends[-1], x1)
        else:
            groups.append([i])
            ends.append(x1)
    out = []
    for group in groups:
        mask = np.isin(labels, group)
        ys, xs = np.nonzero(mask)
        x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
        out.append((x0, y0, x1, y1, mask[y0:y1, x0:x1]))
    return out


def _clip(box: tuple[float, float, float, float], pad: float, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    h, w = shape
    return (max(0, int(box[0] - pad)), max(0, int(box[1] - pad)), min(w, int(np.ceil(box[2] + pad))),
            min(h, int(np.ceil(box[3] + pad))))


def page_type(ink: np.ndarray, boxes: list[TextBox], removed: np.ndarray, unit: float) -> Type | None:
    """The page's digit templates (see the module's note), or None when the
    page shows too few clear numbers to read by."""
    speck = (DEFAULT_SPECK * unit) ** 2
    samples: list[tuple[int, str, np.ndarray]] = []  # (line's height, char, ink in its slot)
    gaps: list[tuple[int, int]] = []  # (digits' height, gap)
    for b in boxes:
        if b.confidence < DEFAULT_SURE or not _NUMBER.fullmatch(b.text):
            continue
        x0, y0, x1, y1 = _clip(b.bbox, 2, ink.shape)
        if removed[y0:y1, x0:x1].any():
            continue
        pieces = _pieces(ink[y0:y1, x0:x1], speck)
        if len(pieces) != len(b.text):
            continue
        top, bottom = min(p[1] for p in pieces), max(p[3] for p in pieces)
        height = bottom - top
        if height < 0.4 * unit:
            continue
        for (_, p0, _, p1, mask), c in zip(pieces, b.text, strict=True):
            slot = np.zeros((height, mask.shape[1]), bool)
            slot[p0 - top:p1 - top] = mask
            samples.append((height, c, slot))
        gaps.extend((height, q[0] - p[2]) for p, q in zip(pieces, pieces[1:], strict=False))
    if not samples:
        return None
    heights = [s[0] for s in samples]
    common = max(set(heights), key=lambda h: (heights.count(h), -h))
    chosen: dict[str, list[np.ndarray]] = {}
    for height, char, slot in samples:
        if height == common:
            chosen.setdefault(char, []).append(slot)
    spacing = sorted(g for h, g in gaps if h == common)
    if sum(c.isdigit() for c in chosen) < 3 or not spacing:
        return None
    templates = []
    for char in sorted(chosen):
        kept = chosen[char]
        widths = [m.shape[1] for m in kept]
        usual = max(set(widths), key=lambda w: (widths.count(w), w))
        templates.extend(Template(char, m) for m in [m for m in kept if abs(m.shape[1] - usual) <= 1][:MAX_EXEMPLARS])
    lo, hi = spacing[len(spacing) // 10], spacing[-1 - len(spacing) // 10]
    return Type(tuple(templates), common, (max(0, lo - 2), hi + 2))


def read_under_seal(boxes: list[TextBox], ink: np.ndarray, removed: np.ndarray | None, unit: float) -> list[TextBox]:
    """``boxes`` with each number the seal's removal touched read again by the
    page's glyphs (``ink``: the page the engine read, 255 ink; ``removed``: the
    seal's ink painted out, 255), where that reading holds (see the module's note)."""
    if removed is None:
        return boxes
    ink, removed = ink > 0, removed > 0
    kind = page_type(ink, boxes, removed, unit)
    if kind is None:
        return boxes
    out = []
    for b in boxes:
        # the page must print clear every character the engine read there, or it could not read them
        doubted = b.confidence < DEFAULT_DOUBTED and _READ_AGAIN.fullmatch(b.text) and set(b.text) <= kind.chars
        again = _read_again(b, ink, removed, kind) if doubted else None
        if again is None or again[0] == b.text:
            out.append(b)
            continue
        text, x0, x1 = again
        confidence = min(b.confidence, GLYPH_CONFIDENCE)
        out.append(TextBox(text, b.bbox, confidence, (Glyph(text, x0, x1, confidence),)))
    return out


def _read_again(b: TextBox, ink: np.ndarray, removed: np.ndarray, kind: Type) -> tuple[str, float, float] | None:
    """The number in ``b`` read by the templates: (text, left, right), or None
    when the seal left it alone or the reading is in doubt."""
    reach = kind.digit_width + kind.gap[1]
    x0, y0, x1, y1 = _clip((b.bbox[0] - reach, b.bbox[1] - 3, b.bbox[2] + reach, b.bbox[3] + 3), 0, ink.shape)
    seen, hidden = ink[y0:y1, x0:x1], removed[y0:y1, x0:x1]
    bx0, bx1 = max(0, round(b.bbox[0]) - x0), round(b.bbox[2]) - x0
    if hidden[:, bx0:bx1].sum() < 0.5 * kind.height:
        return None  # the seal's removal did not reach this box
    height, width = seen.shape
    if height < kind.height or any(t.width > width for t in kind.templates):
        return None
    near_ink = cv2.dilate(seen.astype(np.uint8), _CROSS)
    paper = ((near_ink | cv2.dilate(hidden.astype(np.uint8), _CROSS)) == 0).astype(np.float32)
    seen_f, near_ink = seen.astype(np.float32), near_ink.astype(np.float32)
    # per template, per line top, per x: the cost of setting it there: its ink on paper, and the
    # page's ink in its slot it does not explain (within a pixel), less the ink it explains
    column = np.vstack([np.zeros((1, width)), np.cumsum(seen_f, axis=0)])
    gap_ink = column[kind.height:] - column[:-kind.height]  # per line top, per x: ink in its column
    # per line top, per x: rows where ink runs on across the edge left of x (a slot's edge there cuts a character)
    across = np.zeros((height, width + 1), np.float32)
    across[:, 1:width] = seen[:, 1:] & seen[:, :-1]
    rows = np.vstack([np.zeros((1, width + 1)), np.cumsum(across, axis=0)])
    cuts = rows[kind.height:] - rows[:-kind.height]
    scores, shown, missing, counts = [], [], [], []
    for t in kind.templates:
        tf = t.ink.astype(np.float32)
        grown = cv2.dilate(t.ink.astype(np.uint8), _CROSS).astype(np.float32)
        explains = cv2.matchTemplate(seen_f, grown, cv2.TM_CCORR)
        in_slot = cv2.matchTemplate(seen_f, np.ones_like(tf), cv2.TM_CCORR)
        on_paper = cv2.matchTemplate(paper, tf, cv2.TM_CCORR)
        n = float(t.ink.sum())
        edges = cuts[:, :in_slot.shape[1]] + cuts[:, t.width:t.width + in_slot.shape[1]]
        scores.append(2.0 * on_paper + in_slot - 2.0 * explains + DEFAULT_CUT_COST * edges + DEFAULT_CHAR_COST)
        shown.append(cv2.matchTemplate(near_ink, tf, cv2.TM_CCORR) / n)
        missing.append(on_paper / n)
        counts.append(n)
    path = _best_run(scores, [t.width for t in kind.templates], kind.gap, gap_ink)
    if path is None:
        return None
    top, run = path
    chars = []
    for k, p in run:
        t = kind.templates[k]
        if shown[k][top, p] < DEFAULT_SHOWN or missing[k][top, p] > DEFAULT_MISSING:
            return None
        rivals = [scores[j][top, p] for j, u in enumerate(kind.templates)  # in the same place: as wide, near enough
                  if u.char != t.char and p < scores[j].shape[1] and abs(u.width - t.width) <= 2]
        if rivals and min(rivals) - scores[k][top, p] < DEFAULT_MARGIN * counts[k]:
            return None
        chars.append(t.char)
    text = "".join(chars)
    if not _NUMBER.fullmatch(text):
        return None
    # the engine read the same ink: where the seal's removal left a character whole, the
    # engine's reading holds it too (in order); only the characters it touched may differ
    whole = iter(b.text)
    for (k, p), char in zip(run, chars, strict=True):
        touched = hidden[top:top + kind.height, p:p + kind.templates[k].width].any()
        if not touched and char not in whole:
            return None
    # ink of the line the run leaves unexplained, and ink painted out at its ends
    explained = np.zeros(seen.shape, np.uint8)
    for k, p in run:
        t = kind.templates[k]
        explained[top:top + kind.height, p:p + t.width] |= cv2.dilate(t.ink.astype(np.uint8), _CROSS)
    band = slice(top, top + kind.height)
    start, end = run[0][1], run[-1][1] + kind.templates[run[-1][0]].width
    left_over = seen[band] & (cv2.dilate(explained, _CROSS)[band] == 0)
    if left_over[:, min(start, bx0):max(end, bx1)].sum() > DEFAULT_LEFT_OVER * kind.digit_ink:
        return None
    # a character could hide under the seal at either end: a template that would keep the
    # text a number, set there, puts (almost) none of its ink on paper and shows little of it
    lo, hi = kind.gap
    for k, t in enumerate(kind.templates):
        places = [*(range(start - hi - t.width, start - lo - t.width + 1) if _NUMBER.fullmatch(t.char + text) else ()),
                  *(range(end + lo, end + hi + 1) if _NUMBER.fullmatch(text + t.char) else ())]
        for p in places:
            if 0 <= p < missing[k].shape[1] and missing[k][top, p] <= DEFAULT_MISSING \
                    and shown[k][top, p] < DEFAULT_SHOWN:
                return None
    return text, float(x0 + start), float(x0 + end)


def _best_run(scores: list[np.ndarray], widths: list[int], gap: tuple[int, int], gap_ink: np.ndarray):
    """The run of templates, one after another ``gap`` apart on one line, of the
    lowest summed cost, the ink in the columns between them counted: (line top,
    [(template, x), ...]) or None when no run costs less than nothing.
    ``scores[k]`` is template k's cost at each line top and x; ``gap_ink`` the
    ink of each line top's columns."""
    lines, width = gap_ink.shape
    cum = np.hstack([np.zeros((lines, 1)), np.cumsum(gap_ink, axis=1)])  # ink of columns [0, x)
    # the templates of one width take the same room: the cheapest of them at each place
    groups = []
    for w in sorted(set(widths)):
        ks = [k for k, v in enumerate(widths) if v == w]
        stack = np.stack([scores[k][:lines] for k in ks])
        groups.append((w, np.array(ks)[stack.argmin(axis=0)], stack.min(axis=0)))
    best = np.full((lines, width + 1), np.inf)  # lowest cost of a run ending at x (its last slot's right edge)
    chosen = np.full((lines, width + 1), -1)  # ... the template it ends with
    before = np.full((lines, width + 1), -1)  # ... and the end of the run before it, -1 where it starts
    every = np.arange(lines)
    lo, hi = gap
    for p in range(width):
        first = max(0, p - hi)
        prev, prev_end = np.zeros(lines), np.full(lines, -1)
        if p - lo >= first:
            ends = best[:, first:p - lo + 1] + (cum[:, p:p + 1] - cum[:, first:p - lo + 1])
            joined = ends.min(axis=1) < 0.0
            prev = np.where(joined, ends.min(axis=1), 0.0)
            prev_end = np.where(joined, ends.argmin(axis=1) + first, -1)
        for w, which, cost in groups:
            if p >= cost.shape[1]:
                continue
            total = prev + cost[:, p]
            better = total < best[:, p + w]
            best[better, p + w] = total[better]
            chosen[better, p + w] = which[every[better], p]
            before[better, p + w] = prev_end[better]
    line, end = np.unravel_index(np.argmin(best), best.shape)
    if not best[line, end] < 0.0:
        return None
    run = []
    end = int(end)
    while end >= 0:
        k = int(chosen[line, end])
        run.append((k, end - widths[k]))
        end = int(before[line, end])
    return int(line), run[::-1]
