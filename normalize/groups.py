"""Indicator rows out of a token stream, and each row's level-2 group.

Between two anchors of an indicator block the tokens are one or more rows:
a name (text) and its values.  ``rows_of`` cuts them where the cost of the
fitted values (:func:`.fit.indicator_reading`) is least; a row right after a
label may have no name (seed form 22's ``服务对象满意度 ≥98% 95% 20.00
19.00``: the label's only text cell), and a name whose first word is a
level-2 label (``服务对象满意度 引才企业满意度 …``) gives that label.

``arrange`` gives each row its group.  Pasted text prints a group's label
on its first row.  A PDF viewer prints a merged label cell where its text
sits, in the middle of the cell, so the label comes after the first rows of
its group (and a level-1 label anywhere in its groups): when rows come
before the block's first level-2 label, the rows between two labels are
shared so that each group's rows lie as evenly as possible around its label,
a row printed on a label's own line going to that label.  Level-1 labels go
to the first group the template puts under them.
"""

from __future__ import annotations

from itertools import product

from selfeval.normalize import fit
from selfeval.normalize.vocab import Template, Vocabulary

ROW_COST = 1.0
NO_NAME_COST = 2.0
LEAD_BLANK_COST = 0.05  # a blank cell before a row's name rather than after the row above
MAX_LEAD_BLANKS = 4  # a row's trailing blank cells and the blank 绩效指标/一级/二级 cells before the next name
_ENDS = ("。", ".", "；", ";", "!", "！", ")", "）")


def _is_word(text: str) -> bool:
    return fit.kind_of(text) == "text"


def _segment(toks: list, value_slots: tuple[str, ...], after_label: bool,
             slot_xs: tuple[int | None, ...] = ()) -> list[tuple] | None:
    """The cheapest cut of a run of tokens into rows: [('row', name, values, cols)]."""
    n = len(toks)
    texts = [t.text for t in toks]
    best: list[tuple[float, list[tuple]] | None] = [None] * (n + 1)
    best[0] = (0.0, [])
    for i in range(n):
        if best[i] is None:
            continue
        base, rows = best[i]
        # a row's blank label cells (one cell per line: the empty 一级/二级指标
        # cells of a row under its group's first) come before its name
        blank = 0
        while i + blank < n and not texts[i + blank] and blank < MAX_LEAD_BLANKS:
            blank += 1
        for lead in range(blank + 1):
            for m in range(0 if not lead else 1, 4):
                start = i + lead
                if start + m > n or (m and not _is_word(texts[start + m - 1])):
                    break
                if m == 0 and not (i == 0 and after_label):
                    continue
                for k in range(start + m + 1 if m == 0 else start + m, min(n, start + m + len(value_slots)) + 1):
                    xs = tuple(t.x for t in toks[start + m:k]) if any(slot_xs) else ()
                    reading = (fit.indicator_reading(tuple(texts[start + m:k]), value_slots, xs, slot_xs)
                               if k > start + m else (0.6 * 4, ()))
                    if reading is None:
                        continue
                    cost = (base + reading[0] + ROW_COST + (NO_NAME_COST if m == 0 else 0.3 * (m - 1))
                            + LEAD_BLANK_COST * lead)
                    if best[k] is None or cost < best[k][0]:
                        slots = ("",) * lead + tuple(value_slots[c] for c in reading[1])
                        best[k] = (cost, [*rows, ("row", toks[start:start + m], toks[i:i + lead] + toks[start + m:k],
                                                  slots)])
    return best[n][1] if best[n] else None


def rows_of(items: list[tuple], value_slots: tuple[str, ...], level2: Vocabulary,
            slot_xs: tuple[int | None, ...] = ()) -> list[tuple]:
    """Block items (name, token, label) to entries: ('level', token, label),
    ('row', name tokens, value tokens, value columns) and ('lost', tokens)."""
    out: list[tuple] = []
    run: list = []
    after_label = False

    def flush() -> None:
        nonlocal run
        toks = list(run)
        if toks:
            rows = _segment(toks, value_slots, after_label, slot_xs)
            if rows is None:
                out.append(("lost", toks))
            for row in rows or []:
                name = row[1]
                if len(name) >= 2 and (m := level2.match(name[0].text)):
                    out.append(("level", name[0], m.label))
                    row = ("row", name[1:], row[2], row[3])
                out.append(row)
        run = []

    for kind, tok, label in items:
        if kind == "level":
            flush()
            out.append(("level", tok, label))
            after_label = True
        else:
            if not run:
                after_label = bool(out) and out[-1][0] == "level"
            run.append(tok)
    flush()
    return out


def leftovers(entries: list[tuple]) -> list:
    return [t for e in entries if e[0] == "lost" for t in e[1]]


def _shares(before: int, gaps: list[int], last: int) -> list[int]:
    """How many rows of each gap between two labels stay with the earlier
    label, so that each group's rows lie as evenly as possible around its
    label (``before``: rows ahead of the first label; ``last``: rows after
    the last); see :func:`_off_centre`.  Ties go to the later label."""
    states: dict[int, tuple[int, tuple[int, ...]]] = {before: (0, ())}
    for k in gaps:
        nxt: dict[int, tuple[int, tuple[int, ...]]] = {}
        for ahead, (cost, picks) in states.items():
            for a in range(k + 1):
                cand = (cost + _off_centre(ahead, a), (*picks, a))
                if k - a not in nxt or cand < nxt[k - a]:
                    nxt[k - a] = cand
        states = nxt
    return list(min((cost + _off_centre(ahead, last), picks) for ahead, (cost, picks) in states.items())[1])


def _off_centre(before: int, after: int) -> int:
    """How far a label sits from the centre of its group's rows.  A merged
    label cell also runs down over the blank cells below its rows, so a label
    sits lower than the centre more often than higher: that costs less."""
    return before - after if before >= after else 2 * (after - before)


def _tied_gaps(before: int, gaps: list[int], last: int) -> set[int]:
    """The gaps whose share another reading of equal cost gives differently
    (the readings are few: every gap holds a row or two)."""
    if not gaps or any(k > 6 for k in gaps) or len(gaps) > 12:
        return set()
    def cost(picks: tuple[int, ...]) -> int:
        total, ahead = 0, before
        for k, a in zip(gaps, picks, strict=True):
            total, ahead = total + _off_centre(ahead, a), k - a
        return total + _off_centre(ahead, last)
    best = _shares(before, gaps, last)
    target = cost(tuple(best))
    tied: set[int] = set()
    for picks in product(*(range(k + 1) for k in gaps)):
        if cost(picks) == target:
            tied |= {g for g, (a, b) in enumerate(zip(picks, best, strict=True)) if a != b}
    return tied


def arrange(entries: list[tuple], template: Template, centred: bool = False,
            uncertain: list | None = None) -> list[tuple[dict[str, str], list]]:
    """Rows of the block as (cells by slot, tokens), groups labelled on their
    first row.  Close calls are added to ``uncertain`` as (token, message)."""
    uncertain = [] if uncertain is None else uncertain
    level2 = template.level2_parents
    labels = [(i, e) for i, e in enumerate(entries) if e[0] == "level" and e[2] in level2]
    level1 = [e for e in entries if e[0] == "level" and e[2] not in level2]
    rows = [(i, e) for i, e in enumerate(entries) if e[0] == "row"]
    if not labels or not (centred or any(i < labels[0][0] for i, _ in rows)):
        return _leading([(*e, e[2] in level2) if e[0] == "level" else e for e in entries])
    # a level-1 label with no level-2 label of its own in the block heads its
    # rows itself (its only level 2 follows from the template)
    parents = {level2[e[2]][0] for _, e in labels}
    alone = [(i, e) for i, e in enumerate(entries)
             if e[0] == "level" and e[2] not in level2 and e[2] not in parents and template.only_child(e[2])]
    labels = _in_template_order(sorted(labels + alone, key=lambda p: p[0]), {i for i, _ in rows}, template)
    group_of: dict[int, int] = {}
    doubts: list[tuple[int, str, str]] = []
    _centred(rows, labels, group_of, doubts)
    entry_at = dict(rows)
    for i, first, second in doubts:
        e = entry_at[i]
        taken = first if group_of[i] == next(g for g, (_, lab) in enumerate(labels) if lab[1].text == first) else second
        uncertain.append(((e[1] or e[2])[0], f"indicator {' '.join(t.text for t in e[1]) or '(no name)'!r} lies between "
                          f"the labels {first} and {second}, printed at the centres of their groups; either group fits "
                          f"as well; read under {taken}"))
    out: list[tuple[dict[str, str], list]] = []
    used_l1: set[int] = set()
    current_l1: str | None = None
    ungrouped = [e for i, e in rows if i not in group_of]
    for e in ungrouped:
        out.append(_row_cells(e, {}))
    for g, (_, label) in enumerate(labels):
        if label[2] not in level2:  # a level-1 label heading its own rows
            extra, toks = {"level1": label[1].text}, [label[1]]
            level1 = [e for e in level1 if e is not label]
            members = [e for i, e in rows if group_of.get(i) == g]
            out.extend(_row_cells(e, extra if n == 0 else {}) for n, e in enumerate(members))
            if not members:
                out.append((extra, toks))
            else:
                out[-len(members)] = (out[-len(members)][0], out[-len(members)][1] + toks)
            continue
        parent = template.parent_of(label[2], current_l1)
        extra = {"level2": label[1].text}
        toks = [label[1]]
        for n, l1 in enumerate(level1):
            if n not in used_l1 and l1[2] == parent:
                used_l1.add(n)
                extra["level1"] = l1[1].text
                toks.append(l1[1])
                current_l1 = parent
                break
        members = [e for i, e in rows if group_of.get(i) == g]
        if not members:
            out.append((extra, toks))
            continue
        for n, e in enumerate(members):
            cells, mt = _row_cells(e, extra if n == 0 else {})
            out.append((cells, mt + (toks if n == 0 else [])))
    for n, l1 in enumerate(level1):
        if n not in used_l1:
            out.append(({"level1": l1[1].text}, [l1[1]]))
    return out


def _in_template_order(labels: list[tuple[int, tuple]], rows: set[int], template: Template) -> list[tuple[int, tuple]]:
    """Labels printed one after another with no row between them, put in the
    template's order (their places kept).  A merged label is printed at the
    middle of its cell, so a label of an empty group (a row of its own) can be
    printed before the label of the group above it (seed form 15:
    ``质量指标`` a line above the merged ``数量指标``), and two labels of one
    printed row come in the order of their columns (form 25: ``生态效益指标``
    in the first column, ``社会效益指标`` in the second); the groups of a
    form follow the template."""
    order = {label: n for n, label in enumerate(template.level2_parents)}

    def rank(entry: tuple) -> int:
        label = entry[2] if entry[2] in order else template.only_child(entry[2])
        return order.get(label, len(order))

    out: list[tuple[int, tuple]] = []
    run: list[tuple[int, tuple]] = []
    for i, entry in labels:
        if run and any(run[-1][0] < r < i for r in rows):
            out.extend(_ranked(run, rank))
            run = []
        run.append((i, entry))
    out.extend(_ranked(run, rank))
    return out


def _ranked(run: list[tuple[int, tuple]], rank) -> list[tuple[int, tuple]]:
    entries = sorted((e for _, e in run), key=rank)  # stable: equal ranks keep their printed order
    return [(i, e) for (i, _), e in zip(run, entries, strict=True)]


def _leading(entries: list[tuple]) -> list[tuple[dict[str, str], list]]:
    """Labels printed on their group's first row, as pasted text has them:
    the rows in order, each label on the next row after it."""
    out: list[tuple[dict[str, str], list]] = []
    pending: dict[str, str] = {}
    toks: list = []
    for e in entries:
        if e[0] == "level":
            slot = "level2" if e[3] else "level1"
            if slot in pending or (slot == "level1" and "level2" in pending):
                out.append((pending, toks))
                pending, toks = {}, []
            pending[slot] = e[1].text
            toks.append(e[1])
        elif e[0] == "row":
            cells, row_toks = _row_cells(e, pending)
            out.append((cells, row_toks + toks))
            pending, toks = {}, []
    if pending:
        out.append((pending, toks))
    return out


def _centred(rows: list, labels: list, group_of: dict[int, int], doubts: list) -> None:
    positions = [i for i, _ in labels]
    on_line = {lab[1].line: g for g, (_, lab) in enumerate(labels)}
    free = []
    for i, e in rows:
        line = (e[1] or e[2])[0].line
        if line in on_line:
            group_of[i] = on_line[line]  # printed on its label's line
        else:
            free.append(i)
    before = [i for i in free if i < positions[0]]
    gaps = [[i for i in free if positions[g] < i < (positions[g + 1] if g + 1 < len(positions) else 1 << 30)]
            for g in range(len(positions))]
    shares = _shares(len(before), [len(gap) for gap in gaps[:-1]], len(gaps[-1]))
    for g in _tied_gaps(len(before), [len(gap) for gap in gaps[:-1]], len(gaps[-1])):
        doubts.extend((i, labels[g][1][1].text, labels[g + 1][1][1].text) for i in gaps[g])
    for i in before:
        group_of[i] = 0
    for g, gap in enumerate(gaps[:-1]):
        for n, i in enumerate(gap):
            group_of[i] = g if n < shares[g] else g + 1
    for i in gaps[-1]:
        group_of[i] = len(positions) - 1


def _row_cells(entry: tuple, extra: dict[str, str]) -> tuple[dict[str, str], list]:
    _, name, values, slots = entry
    cells = dict(extra)
    if name:
        cells["level3"] = " ".join(t.text for t in name)
    for tok, slot in zip(values, slots, strict=True):
        if slot:  # "": a blank label cell before the name
            cells[slot] = tok.text
    return cells, [*name, *values]


def split_goal(texts: list, centred: bool = False, head_xs: tuple[int | None, ...] = (),
               uncertain: list | None = None) -> tuple[list, list]:
    """The goal block's text tokens: (target, actual).  In column-aligned
    text each token is under the header word (年初设定目标, 实际完成情况) it
    starts nearest to.  In a PDF's text (``centred``) the two cells' wrapped
    lines interleave: see :func:`_centred_goal`."""
    if len(head_xs) == 2 and None not in head_xs and texts and all(t.x is not None for t in texts):
        near = [abs(t.x - head_xs[0]) <= abs(t.x - head_xs[1]) for t in texts]
        return [t for t, n in zip(texts, near, strict=True) if n], [t for t, n in zip(texts, near, strict=True) if not n]
    if centred and (lines := _centred_goal(texts, uncertain)) is not None:
        return lines
    if len(texts) <= 1:
        return texts, []
    if len(texts) == 2:
        return texts[:1], texts[1:]
    best, best_cost = 1, None
    for s in range(1, len(texts)):
        cost = 0.0 if texts[s - 1].text.endswith(_ENDS) else 2.0
        common = 0
        for a, b in zip(texts[0].text, texts[s].text, strict=False):
            if a != b:
                break
            common += 1
        cost -= min(common, 6) * 0.5
        cost += abs(sum(len(t.text) for t in texts[:s]) - sum(len(t.text) for t in texts[s:])) / 200
        if best_cost is None or cost < best_cost:
            best, best_cost = s, cost
    return texts[:best], texts[best:]


def _cell_lines(m: int, n: int) -> list[str]:
    """The printed lines of a target cell of ``m`` lines beside an actual
    cell of ``n``, both centred in their row: ``T``, ``A`` or ``TA`` (both on
    one line, target first), top to bottom."""
    ys = [(i - (m - 1) / 2, "T") for i in range(m)] + [(j - (n - 1) / 2, "A") for j in range(n)]
    out: list[tuple[float, str]] = []
    for y, side in sorted(ys, key=lambda p: (p[0], p[1] != "T")):
        if out and abs(out[-1][0] - y) < 0.25:
            out[-1] = (y, out[-1][1] + side)
        else:
            out.append((y, side))
    return [side for _, side in out]


def _centred_goal(texts: list, uncertain: list | None = None) -> tuple[list, list] | None:
    """Target and actual of a goal row whose wrapped cells were printed side
    by side, each centred in the row, so that their lines interleave.  Each
    line is the target's, the actual's or both (target first); every such
    reading is scored: the fragments of a cell end mid-sentence but the last
    (``_fragment_cost``), the lines should fall as two centred cells of that
    many lines would (``_cell_lines``), and the actual's column is the wider
    one (it spans the value columns in the templates in use)."""
    lines: list[list] = []
    for tok in texts:
        if lines and lines[-1][0].line == tok.line:
            lines[-1].append(tok)
        else:
            lines.append([tok])
    if not lines or len(lines) > 9:
        return None
    best: tuple[float, tuple[list, list]] | None = None
    runner: tuple[float, tuple[list, list]] | None = None
    for pattern in product(("T", "A", "TA"), repeat=len(lines)):
        if any(p == "TA" and len(ln) < 2 for p, ln in zip(pattern, lines, strict=True)):
            continue
        target: list[list] = []
        actual: list[list] = []
        for p, ln in zip(pattern, lines, strict=True):
            if p == "TA":
                cut = _split_line(ln)
                target.append(ln[:cut])
                actual.append(ln[cut:])
            else:
                (target if p == "T" else actual).append(ln)
        ideal = _cell_lines(len(target), len(actual))
        cost = _fragment_cost(target) + _fragment_cost(actual)
        cost += 0.0 if list(pattern) == ideal else 0.6 + 0.2 * abs(len(ideal) - len(lines))
        if target and actual and _widest(target) > 1.2 * _widest(actual):
            cost += 0.3
        cost += 0.1 if len(actual) > len(target) else 0.0
        reading = ([t for ln in target for t in ln], [t for ln in actual for t in ln])
        if best is None or cost < best[0]:
            best, runner = (cost, reading), best
        elif runner is None or cost < runner[0]:
            runner = (cost, reading)
    if best and runner and runner[0] - best[0] < 0.15 and runner[1] != best[1] and uncertain is not None:
        uncertain.append((texts[0], "the goal's lines could be shared between 年初设定目标 and 实际完成情况 in two ways "
                          "that fit about as well; check the target and the actual"))
    return best[1] if best else None


def _widest(fragments: list[list]) -> int:
    return max(sum(len(t.text) for t in f) for f in fragments)


def _split_line(tokens: list) -> int:
    for i in range(1, len(tokens)):
        if tokens[i - 1].text.endswith(_ENDS):
            return i
    return 1


def _fragment_cost(fragments: list[list]) -> float:
    """A wrapped cell's lines end mid-sentence but its last one."""
    if not fragments:
        return 1.0  # a goal row with text has both cells, as a rule
    cost = 0.0 if fragments[-1][-1].text.endswith(_ENDS) else 0.5
    return cost + sum(1.0 for f in fragments[:-1] if f[-1].text.endswith(_ENDS))
