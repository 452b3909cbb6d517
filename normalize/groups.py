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

from selfeval.normalize import fit
from selfeval.normalize.vocab import Template, Vocabulary

ROW_COST = 1.0
NO_NAME_COST = 2.0
_ENDS = ("。", ".", "；", ";", "!", "！", ")", "）")


def _is_word(text: str) -> bool:
    return fit.kind_of(text) == "text"


def _segment(toks: list, value_slots: tuple[str, ...], after_label: bool) -> list[tuple] | None:
    """The cheapest cut of a run of tokens into rows: [('row', name, values, cols)]."""
    n = len(toks)
    texts = [t.text for t in toks]
    best: list[tuple[float, list[tuple]] | None] = [None] * (n + 1)
    best[0] = (0.0, [])
    for i in range(n):
        if best[i] is None:
            continue
        base, rows = best[i]
        for m in range(0, 4):
            if i + m > n or (m and not _is_word(texts[i + m - 1])):
                break
            if m == 0 and not (i == 0 and after_label):
                continue
            for k in range(i + m + 1 if m == 0 else i + m, min(n, i + m + len(value_slots)) + 1):
                reading = fit.indicator_reading(tuple(texts[i + m:k]), value_slots) if k > i + m else (0.6 * 4, ())
                if reading is None:
                    continue
                cost = base + reading[0] + ROW_COST + (NO_NAME_COST if m == 0 else 0.3 * (m - 1))
                if best[k] is None or cost < best[k][0]:
                    slots = tuple(value_slots[c] for c in reading[1])
                    best[k] = (cost, [*rows, ("row", toks[i:i + m], toks[i + m:k], slots)])
    return best[n][1] if best[n] else None


def rows_of(items: list[tuple], value_slots: tuple[str, ...], level2: Vocabulary) -> list[tuple]:
    """Block items (name, token, label) to entries: ('level', token, label),
    ('row', name tokens, value tokens, value columns) and ('lost', tokens)."""
    out: list[tuple] = []
    run: list = []
    after_label = False

    def flush() -> None:
        nonlocal run
        toks = [t for t in run if t.text]
        if toks:
            rows = _segment(toks, value_slots, after_label)
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
    the last).  Ties go to the later label."""
    states: dict[int, tuple[int, tuple[int, ...]]] = {before: (0, ())}
    for k in gaps:
        nxt: dict[int, tuple[int, tuple[int, ...]]] = {}
        for ahead, (cost, picks) in states.items():
            for a in range(k + 1):
                cand = (cost + abs(ahead - a), (*picks, a))
                if k - a not in nxt or cand < nxt[k - a]:
                    nxt[k - a] = cand
        states = nxt
    return list(min((cost + abs(ahead - last), picks) for ahead, (cost, picks) in states.items())[1])


def arrange(entries: list[tuple], template: Template) -> list[tuple[dict[str, str], list]]:
    """Rows of the block as (cells by slot, tokens), groups labelled on their first row."""
    labels = [(i, e) for i, e in enumerate(entries) if e[0] == "level" and e[2] in template.level2_parents]
    level1 = [e for e in entries if e[0] == "level" and e[2] not in template.level2_parents]
    rows = [(i, e) for i, e in enumerate(entries) if e[0] == "row"]
    if not labels or not any(i < labels[0][0] for i, _ in rows):
        return _leading([(*e, e[2] in template.level2_parents) if e[0] == "level" else e for e in entries])
    group_of: dict[int, int] = {}
    _centred(rows, labels, group_of)
    out: list[tuple[dict[str, str], list]] = []
    used_l1: set[int] = set()
    current_l1: str | None = None
    ungrouped = [e for i, e in rows if i not in group_of]
    for e in ungrouped:
        out.append(_row_cells(e, {}))
    for g, (_, label) in enumerate(labels):
        parent = template.parent_of(label[2], current_l1)
        extra: dict[str, str] = {"level2": label[1].text}
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


def _centred(rows: list, labels: list, group_of: dict[int, int]) -> None:
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
        cells[slot] = tok.text
    return cells, [*name, *values]


def split_goal(texts: list) -> tuple[list, list]:
    """The goal block's text tokens: (target, actual)."""
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
