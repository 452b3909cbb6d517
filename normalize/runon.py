"""Run-on text: a form whose cells were printed one after another with
nothing between them (the text layer an OCR engine or a document-sharing
site gives: ``项目名称初中公用经费主管部门银川市教育局…``).

No separator is left, so the vocabulary is the only guide.  The text of the
document is one stream (a site's page marks, ``2、`` at the start of a line,
set aside and reported); the **anchors** are found in it by vocabulary: the
title (…绩效自评表), head fields (主管部门, 自评总分 …), block labels and
header words (部门预算执行情况, 年初预算数 … 执行率得分; 当年绩效目标, 年初绩效目标 …;
指标名称 … 是否核心指标), funding source labels, 总分/合计 and the closing
texts.  A label printed with one character misread (``年初预匏数``,
``实施第位``, or as one or two Latin letters: ``项Fl实施``) is an anchor too
(one substitution, labels of four characters or more), and a label printed after it with a mark (``(分)``, ``(B/A)``)
keeps the mark.  Between anchors:

* a head field's value is the text up to the next anchor; a numeric field
  (自评总分) takes its number only, and the rest is reported;
* a budget row's glued numbers (``O76%107.6``) are cut where the form's
  arithmetic holds: execution rate = executed ÷ full-year budget, score =
  rate × weight (:func:`cut_budget`);
* a whole-department form's flat list is cut into rows after each
  是/否 (是否核心指标 ends the row), and each row is read by what its parts
  are (:func:`department_row`): the name, the 计量单位 (the unit its values
  carry), the 指标性质 (定量指标 / 定性指标, also with its characters in another
  order, as OCR reads a vertical cell), the values, the 得分系数 (a rate),
  and 指标权重 and 指标得分 glued together, cut so that score = weight ×
  coefficient.  A header word printed past reading (``年成值全完值``) is
  reported, and its column keeps the vocabulary's name in the rebuilt
  header;
* a goal text printed right after its header word is that column's; goal
  texts printed after all the header words are shared out when the text
  decides it (the actual's first sentence says what was done, or the actual
  states the target again with its figures: :func:`share_goal_texts`), else
  reported;
* a project form's indicator rows are cut at the level labels and list
  marks, then each piece into rows of name, 分值, 指标值, 全年实际值 and 得分
  (:func:`project_rows`: a 指标值 equal to its actual is printed twice, a dash
  is an empty 指标值, the 得分 is no more than the 分值); a piece that does not
  cut so, or a row whose name is garbled (a level label may hide in it), is
  reported with the rest of its piece.

A label found with a character misread or its characters out of order is a
``label_repaired`` finding.

The result is rows of cells in the tab-separated shape, read by the ordinary
row reader.  Text no row took is an ``unparsed_line`` finding with its text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher
from functools import cache, lru_cache

from selfeval.extract.grid import Place, SourceRow
from selfeval.findings import Finding, finding_at
from selfeval.normalize.cells import clean
from selfeval.normalize.rows import DEPARTMENT_GROUP, LABEL_GROUPS, SEQ_LABEL, UNIT_LABEL
from selfeval.normalize.scorers import INDICATOR_KIND_LABELS
from selfeval.normalize.vocab import template_by_labels, template_for_year, templates, vocabulary

_PAGE_MARK = re.compile(r"^\s*(\d{1,3})、")  # a sharing site's page number: 2、 at the start of a line
_MARK_AFTER = re.compile(r"\s*[(（][^()（）]{0,6}[)）]")  # (分) (%) (B/A) (万元) after a label
# A title found inside a stream, from where it starts to its year note; the
# row classifier's split.is_title needs the title as a cell of its own.
_TITLE = re.compile(
    r"(?:(?:19|20)\d{2}\s*年度?)?[\u4e00-\u9fff]{0,30}绩效自评表(?:\s*[(（]\s*(?:19|20)\d{2}\s*年度?\s*[)）])?")
_SEQ_OR_UNIT = re.compile(  # the label with its value: the seq number, the unit and its note (万元(保留两位小数))
    rf"{SEQ_LABEL}\s*[:：]?\s*\d+|{UNIT_LABEL}\s*[:：]?\s*[^\d\s(（]{{1,4}}(?:\s*[(（][^()（）]{{0,10}}[)）])?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
RUNON_MIN_CHARS = 150  # a line this long with hardly a space may be run-on text
RUNON_MIN_ANCHORS = 5
# A label one character off (or its characters out of order) is found inside
# an uncut run here; the row classifier's fuzzy score needs a cell already cut.
FUZZY_MIN_LENGTH = 4
ANAGRAM_LENGTH = 4  # longer windows of running text too often hold a label's characters in another order


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    kind: str  # title, seq, field, trailer, block:<name>, head:<group>, funding (a source label), level
    label: str  # canonical slot or label
    text: str  # as printed, with its mark: 自评总分(分)
    word: str = ""  # the vocabulary's word it matched: 得分
    repaired: bool = False  # printed with a character misread or its characters out of order
    size: int = 0  # characters of the label as printed, without its mark

    @property
    def cell(self) -> str:
        """The text the rebuilt cell holds: the vocabulary's word for a repaired
        label (考值参分 → 参考分值, with its mark), else the text as printed."""
        return self.word + self.text[self.size:] if self.repaired else self.text


@cache
def _labels() -> tuple[dict[str, tuple[str, str]], dict[int, list[str]]]:
    """Every anchor label (as printed, without punctuation-free keys: the
    stream keeps its punctuation) -> (kind, canonical), and the labels by
    length; the groups and their kinds are the rows' (:data:`LABEL_GROUPS`),
    a block label's kind names its block and a column name's its group."""
    v = vocabulary()
    out: dict[str, tuple[str, str]] = {}

    def add(text: str, kind: str, label: str) -> None:
        for form in {text, text.replace("(", "（").replace(")", "）")}:
            out.setdefault(form, (kind, label))

    for group, kind, block in LABEL_GROUPS:
        if group == "block_labels":
            for name, texts in v[group].items():
                for t in texts:
                    add(t, f"block:{name}", t)
        elif group == "funding_sources":
            for source in v[group]:
                for t in (source["label"], *source["aliases"]):
                    if len(t) >= 3:  # 合计 and 总额 are too short to find inside running text (a cell is scored)
                        add(t, kind, source["key"])
        else:
            for slot, texts in v.get(group, {}).items():
                for t in texts:
                    add(t, f"head:{group}" if block else kind, slot)
    # Level labels: the templates' own, found so that no other label is read
    # into them (时效指标); not any …指标 as a cell is (rows.cell_kind), which
    # inside running text would cut the indicator names ending so.
    for template in templates():
        for label in (*template.level1, *template.level2_parents):
            add(label, "level", label)
    by_length: dict[int, list[str]] = {}
    for t in out:  # a header word of several blocks (得分): its block is decided by the words around it
        by_length.setdefault(len(t), []).append(t)
    return out, by_length


@cache
def _groups_of() -> dict[str, frozenset[str]]:
    """Each header word -> the blocks whose header it may be in (得分: funding
    and indicators)."""
    v = vocabulary()
    out: dict[str, set[str]] = {}
    for group in _HEAD_BLOCKS:
        for texts in v.get(group, {}).values():
            for t in texts:
                for form in {t, t.replace("(", "（").replace(")", "）")}:
                    out.setdefault(form, set()).add(_HEAD_BLOCKS[group])
    return {k: frozenset(v) for k, v in out.items()}


@cache
def _anagrams() -> dict[str, str]:
    """Labels of four characters by their sorted characters, when
    only one label has them: OCR reading a vertical cell prints a label's
    characters out of order (考值参分 for 参考分值, 性标定指 for 定性指标)."""
    labels, _ = _labels()
    seen: dict[str, set[str]] = {}
    for t, (kind, _label) in labels.items():  # header words only: a block label's characters occur in names
        if kind.startswith("head:") and len(t) == ANAGRAM_LENGTH and all("\u4e00" <= ch <= "\u9fff" for ch in t):
            seen.setdefault("".join(sorted(t)), set()).add(t)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


@cache
def _wildcards() -> dict[str, str]:
    """Each label of FUZZY_MIN_LENGTH characters or more with one character
    replaced by ``\\0`` -> the label, when only one label has that shape."""
    labels, _ = _labels()
    seen: dict[str, set[str]] = {}
    for t in labels:
        if len(t) < FUZZY_MIN_LENGTH or not all("\u4e00" <= ch <= "\u9fff" for ch in t):
            continue
        for i in range(len(t)):
            seen.setdefault(t[:i] + "\0" + t[i + 1:], set()).add(t)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


@cache
def _index() -> tuple[dict[str, tuple[int, ...]], dict[int, tuple[frozenset[str], frozenset[str]]], int]:
    """What lets :func:`find_anchors` skip an offset without looking: the
    lengths of the labels beginning with each character (longest first); for
    each length of :func:`_wildcards`, the labels' first two characters and
    their characters after the second (one character off, a label of four or
    more keeps one of the two: the misread one is among the first two, or
    after them); and the longest label."""
    labels, by_length = _labels()
    starting: dict[str, set[int]] = {}
    for t in labels:
        starting.setdefault(t[0], set()).add(len(t))
    heads: dict[int, set[str]] = {}
    tails: dict[int, set[str]] = {}
    for t in set(_wildcards().values()):
        heads.setdefault(len(t), set()).add(t[:2])
        tails.setdefault(len(t), set()).add(t[2:])
    return (
        {ch: tuple(sorted(ns, reverse=True)) for ch, ns in starting.items()},
        {n: (frozenset(heads[n]), frozenset(tails[n])) for n in heads},
        max(by_length, default=0),
    )


def find_anchors(text: str, starts: frozenset[int] | None = None) -> list[Anchor]:
    """The vocabulary's labels in ``text``, leftmost-longest, exact before
    one character off.  A title is one only where a line starts (``starts``,
    the offsets of the source lines' first characters; the text's start when
    not given): a form's name inside a sentence does not open a form."""
    return list(_anchors(text, starts if starts is not None else frozenset({0})))


@lru_cache(maxsize=1)  # a document on one line: is_runon's look at its line is the reader's whole stream
def _anchors(text: str, starts: frozenset[int]) -> tuple[Anchor, ...]:
    labels, by_length = _labels()
    wild = _wildcards()
    anagrams = _anagrams()
    starting, shapes, longest = _index()
    lengths = sorted(by_length, reverse=True)
    out: list[Anchor] = []
    cjk = [0] * (len(text) + 1)  # how many Chinese characters run from each offset
    latin = [len(text)] * (len(text) + 1)  # where the next Latin letter is, from each offset
    for q in range(len(text) - 1, -1, -1):
        ch = text[q]
        cjk[q] = cjk[q + 1] + 1 if "\u4e00" <= ch <= "\u9fff" else 0
        latin[q] = q if ch.isascii() and ch.isalpha() else latin[q + 1]
    named = text.find("绩效自评表")  # a title ends so: tried only within its reach
    p = 0
    while p < len(text):
        while named != -1 and named < p - len("绩效自评表"):
            named = text.find("绩效自评表", named + 1)
        title = None
        if named != -1 and named - p <= _TITLE_REACH:
            marks = _MARKS.match(text, p)  # a Markdown heading's marks before a title (## 2020年度…)
            title = _TITLE.match(text, marks.end()) if marks else _TITLE.match(text, p)
        if title and (p in starts or (_after_heading(text, p, starts) and _opens_form(text, title.end()))) \
                and not _named_document(text, title.start(), title.end()):
            out.append(Anchor(p, title.end(), "title", "title", title.group()))
            p = title.end()
            continue
        if seq := _SEQ_OR_UNIT.match(text, p):  # 项目序号:1, 金额单位:万元(保留两位小数)
            out.append(Anchor(p, seq.end(), "seq", "seq", seq.group()))
            p = seq.end()
            continue
        hit, repaired = None, False
        for n in starting.get(text[p], ()):
            piece = text[p : p + n]
            if len(piece) == n and piece in labels:
                hit = (piece, labels[piece], piece)
                break
        if hit is None and cjk[p] >= FUZZY_MIN_LENGTH:
            for n in lengths:
                if n < FUZZY_MIN_LENGTH:
                    break
                if cjk[p] < n:
                    continue
                piece = text[p : p + n]
                found = set()
                if (shape := shapes.get(n)) and (piece[:2] in shape[0] or piece[2:] in shape[1]):
                    found = {wild[k] for i in range(n) if (k := piece[:i] + "\0" + piece[i + 1:]) in wild}
                if not found and n == ANAGRAM_LENGTH and (shuffled := anagrams.get("".join(sorted(piece)))):
                    found = {shuffled}
                if len(found) == 1:
                    label = found.pop()
                    hit = (label, labels[label], piece)
                    repaired = True
                    break
        if hit is None and latin[p] <= p + longest and (slip := _latin_for_one(text, p, lengths, wild)):
            label, printed = slip  # 项Fl实施: 目 read as Fl
            hit, repaired = (label, labels[label], printed), True
        if hit is None:
            p += 1
            continue
        word, (kind, canonical), printed = hit
        end = p + len(printed)
        if mark := _MARK_AFTER.match(text, end):
            end = mark.end()
        out.append(Anchor(p, end, kind, canonical, text[p:end], word, repaired, len(printed)))
        p = end
    return tuple(out)


_LATIN = re.compile(r"[A-Za-z]{1,2}")


def _latin_for_one(text: str, p: int, lengths: list[int], wild: dict[str, str]) -> tuple[str, str] | None:
    """A label of FUZZY_MIN_LENGTH characters or more printed at ``p`` with one
    character read as one or two Latin letters (OCR: 项Fl实施, 项Fl资金): (label,
    the text as printed), when only one label fits."""
    window = text[p : p + max(lengths, default=0) + 1]
    if not _LATIN.search(window):
        return None
    for n in lengths:
        if n < FUZZY_MIN_LENGTH:
            break
        for i in range(1, n):
            m = _LATIN.match(text, p + i)
            if m is None:
                continue
            for k in range(len(m.group()), 0, -1):
                printed = text[p : p + i] + text[p + i : p + i + k] + text[p + i + k : p + n - 1 + k]
                rest = printed[:i] + printed[i + k:]
                if len(rest) != n - 1 or not all("\u4e00" <= ch <= "\u9fff" for ch in rest):
                    continue
                label = wild.get(rest[:i] + "\0" + rest[i:])
                if label is not None:
                    return label, printed
    return None


_MARKS = re.compile(r"#{1,6}\s*")
_TITLE_REACH = 60  # characters from where a title may start to its 绩效自评表: marks, a year, 30 characters


def _after_heading(text: str, p: int, starts: frozenset[int]) -> bool:
    """A title inside a line of run-on text (the next form, printed after the
    one before): after text that is no word (a number, a mark), so that the
    title's first character is not the end of a word."""
    return p in starts or not _CJK_CHARS.match(text[p - 1:p] or "a")


@cache
def _head_words() -> tuple[str, ...]:
    return tuple(sorted({t for texts in vocabulary()["header_fields"].values() for t in texts}, key=len, reverse=True))


def _opens_form(text: str, end: int) -> bool:
    """A title followed by what opens a form (项目序号, 金额单位 or a head
    field's label): a form's name in running text is not followed so."""
    rest = text[end:end + 16].lstrip()
    return bool(_SEQ_OR_UNIT.match(rest)) or rest.startswith(_head_words())


def _named_document(text: str, start: int, end: int) -> bool:
    """A title inside 《…》 or followed by a file suffix names a document (a
    web page's line about the file), it does not open a form."""
    return (start > 0 and text[start - 1] == "《") or text[end:end + 1] in ("》", ".")


def is_runon(rows: list[SourceRow]) -> bool:
    """A document with a long line of hardly any spaces holding several anchors."""
    for row in rows:
        text = row.text
        if len(text) >= RUNON_MIN_CHARS and text.count(" ") < len(text) / 40 and "\t" not in text:
            if len(find_anchors(clean(text))) >= RUNON_MIN_ANCHORS:
                return True
    return False


# -- glued numbers ------------------------------------------------------------
_PLAIN = re.compile(r"(?:0|[1-9]\d*)(?:\.\d{1,2})?")


def _plain(text: str) -> bool:
    """A number as a form prints it: no leading zero (but 0 and 0.x)."""
    return _PLAIN.fullmatch(text) is not None


def cut_pair(digits: str, rate: Decimal | None) -> tuple[str, str] | None:
    """指标权重 and 指标得分 (or 执行率权重 and 执行率得分) printed together
    (``1010``, ``107.6``): the one cut where score = weight × rate (rate 1
    when none is known), the score no more than the weight."""
    fits = []
    for k in range(1, len(digits)):
        w, s = digits[:k], digits[k:]
        if not (_plain(w) and _plain(s)):
            continue
        wv, sv = Decimal(w), Decimal(s)
        if sv <= wv and abs(wv * (rate if rate is not None else 1) - sv) <= Decimal("0.05"):
            fits.append((w, s))
    return fits[0] if len(fits) == 1 else None


def _rate(text: str) -> Decimal | None:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", text)
    return Decimal(m.group(1)) / 100 if m else None


def atoms(text: str, unit: str | None) -> list[str]:
    """A run of glued values cut into values: each ends with ``%`` or the
    row's own unit (``到0次43次`` → ``到0次``, ``43次``; ``第O份20份`` → ``第O份``,
    ``20份``); what follows the last one is a value of its own (``3%0`` →
    ``3%``, ``0``)."""
    out: list[str] = []
    piece = ""
    for ch in text:
        piece += ch
        if ch == "%" or (unit and piece.endswith(unit) and len(piece) > len(unit)):
            out.append(piece)
            piece = ""
    if piece:
        out.append(piece)
    return out


def cut_budget(text: str, amounts: int) -> tuple[list[str], str] | None:
    """A budget row's glued values (``64.864.864.8100%``, ``O76%107.6``): up to
    ``amounts`` amounts and the rate (the number before ``%``), cut where
    each is a plain number and, with two amounts or more, executed ÷
    full-year budget is the rate (within half a point); then the weight and
    the score, cut so that score = rate × weight.  Text before the digits
    (an unreadable amount) is kept as a value of its own.  Returns the
    values and the text after them."""
    at = text.find("%")
    if at < 0:
        return None
    head = text[:at]
    run = re.search(r"[\d.]*$", head).group()
    prefix = head[: len(head) - len(run)]
    found = None
    for k in [*range(amounts, 1, -1), 0]:  # amounts only where the arithmetic confirms them
        fits = []
        for c in _cuts(run, k + 1):
            rate = Decimal(c[-1]) / 100
            error = Decimal(0)
            if k >= 2:
                full, done = Decimal(c[-3]), Decimal(c[-2])  # …, 全年预算数, 全年执行数, 执行率
                if full == 0 or (error := abs(done / full - rate)) > Decimal("0.005"):
                    continue
            fits.append((error, c))
        fits.sort()
        if len(fits) == 1 or (len(fits) > 1 and fits[0][0] * 10 < fits[1][0]):  # one cut, or one far closer
            found = fits[0][1]
            break
        if fits:
            return None  # two cuts fit about as well: not decided
    if found is None:
        return None
    values = ([prefix] if prefix.strip() else []) + found[:-1] + [found[-1] + "%"]
    rate = Decimal(found[-1]) / 100
    after = text[at + 1:]
    digits = re.match(r"[\d.]+", after)
    rest = after
    if digits:
        pair = cut_pair(digits.group(), rate)
        if pair is not None:
            values.extend(pair)
            rest = after[digits.end():]
    return values, rest


def _cuts(text: str, k: int):
    """Every cut of ``text`` into ``k`` plain numbers."""
    for cut in _cut_tuples(text, k):
        yield list(cut)


@lru_cache(maxsize=4096)
def _cut_tuples(text: str, k: int) -> tuple[tuple[str, ...], ...]:
    """:func:`_cuts` as tuples, each tail cut once (a run's tails repeat)."""
    if k == 1:
        return ((text,),) if _plain(text) else ()
    out = []
    for i in range(1, len(text)):
        head = text[:i]
        if _plain(head):
            out.extend((head, *tail) for tail in _cut_tuples(text[i:], k - 1))
    return tuple(out)


# -- budget rows in any column order ----------------------------------------------
AMOUNT_SLOTS = ("budget_initial", "budget_full_year", "executed")
_BUDGET_TOKEN = re.compile(r"(?P<run>[\d.]+%?)|(?P<dash>[—–\-－]+|/)|(?P<text>[^\d.—–\-－/]+)")
MOST_POINTS = Decimal(100)  # a form's points: no weight or score is more
RATE_TOLERANCE = Decimal("0.005")  # executed ÷ full-year budget against the printed rate: half a point
SCORE_TOLERANCE = Decimal("0.05")  # rate × weight against the printed score


def _run_cuts(run: str, most: int) -> list[list[str]]:
    """A glued run of digits cut into 1 … ``most`` plain numbers (a run ending
    in ``%`` keeps it on its last number: a rate)."""
    rate = run.endswith("%")
    digits = run[:-1] if rate else run
    out = []
    for k in range(1, most + 1):
        for cut in _cuts(digits, k):
            out.append([*cut[:-1], cut[-1] + "%"] if rate else cut)
    return out


def _fits(kind: str, slot: str) -> bool:
    if kind == "rate":
        return slot == "execution_rate"
    if kind == "number":
        return slot != "execution_rate"
    if kind == "text":  # an amount OCR could not read (O for 0): kept in its column, reported
        return slot in AMOUNT_SLOTS
    return True  # a dash: any empty cell


def _placements(values: list[tuple[str, str]], columns: list[str]):
    """Every order-keeping placement of ``values`` (kind, text) in ``columns``."""
    n, m = len(values), len(columns)

    def go(i: int, j: int, taken: dict[str, tuple[str, str]]):
        if i == n:
            yield dict(taken)
            return
        for c in range(j, m - (n - i) + 1):
            if _fits(values[i][0], columns[c]):
                taken[columns[c]] = values[i]
                yield from go(i + 1, c + 1, taken)
                del taken[columns[c]]

    yield from go(0, 0, {})


def _arithmetic(cells: dict[str, tuple[str, str]]) -> tuple[int, int]:
    """(relations that hold, relations that fail) among executed ÷ full-year
    budget = rate and rate × weight = score, over the numbers placed."""
    def num(slot):
        kind, text = cells.get(slot, ("", ""))
        if kind == "number":
            return Decimal(text)
        if kind == "rate":
            return Decimal(text[:-1]) / 100
        return None

    holds = fails = 0
    full, done, rate, weight, score = (num(s) for s in ("budget_full_year", "executed", "execution_rate", "weight",
                                                      "score"))
    if full is not None and done is not None and rate is not None and full != 0:
        if abs(done / full - rate) <= RATE_TOLERANCE:
            holds += 1
        else:
            fails += 1
    if rate is not None and weight is not None and score is not None:
        if abs(rate * weight - score) <= SCORE_TOLERANCE:
            holds += 1
        else:
            fails += 1
    return holds, fails


def fit_budget_row(text: str, columns: list[str]) -> list[dict[str, str]]:
    """A budget row's values printed together with nothing between them
    (``13.0413.0410.00100.00%10``: 全年预算数, 全年执行数, 分值, 执行率, 得分), read
    in the header's own column order ``columns`` (slots): every cut of the
    glued digits into plain numbers and every order-keeping placement of the
    values in the columns (a number ending in ``%`` is the rate, a dash an
    empty cell), kept where the form's arithmetic holds best (execution rate
    = executed ÷ full-year budget, score = rate × weight), after the amounts
    printed alike (one count of decimals, as 保留两位小数 asks; a weight or a
    score is no more than 100 points).  Amounts fill the
    amount columns from the right (a budget prints its 全年执行数 first; an
    empty 年初预算数 is the usual gap), then the fewest numbers.  Returns the
    readings that fit best, each slot -> text (dashes left out), no two
    alike, the one with more amounts first (a lone number is an amount
    before it is a weight); empty when none fits the columns."""
    tokens = [(m.lastgroup, m.group()) for m in _BUDGET_TOKEN.finditer(text)]
    runs = [t for t in tokens if t[0] == "run"]
    if not tokens or len(tokens) > len(columns) + 4 or len(runs) > len(columns):
        return []
    # each token's readings as typed values: a run's cuts into numbers (its last a rate when it ends in %)
    choices = [[tuple(("rate" if v.endswith("%") else "number", v) for v in cut)
                for cut in _run_cuts(t, len(columns))] if kind == "run" else [((kind, t),)] for kind, t in tokens]
    amounts = [c for c in columns if c in AMOUNT_SLOTS]
    best: tuple | None = None
    found: list[dict[str, str]] = []

    from itertools import product

    for pieces in product(*choices):
        if sum(map(len, pieces)) > len(columns):
            continue
        values = [v for piece in pieces for v in piece]
        for cells in _placements(values, columns):
            filled = [s for s in amounts if cells.get(s, ("dash",))[0] != "dash"]
            if filled != amounts[len(amounts) - len(filled):]:
                continue  # amounts fill their columns from the right
            if any(cells.get(slot, ("",))[0] == "number" and Decimal(cells[slot][1]) > MOST_POINTS
                   for slot in ("weight", "score")):
                continue  # a weight or score is no more than the form's 100 points
            holds, fails = _arithmetic(cells)
            places = {len(v.partition(".")[2]) for s, (kind, v) in cells.items() if s in AMOUNT_SLOTS and kind == "number"}
            # a form prints its amounts alike (保留两位小数), then the arithmetic, then the fewest numbers
            key = (-(len(places) > 1), holds - fails, holds, -len(values))
            reading = {s: v for s, (kind, v) in cells.items() if kind != "dash"}
            if best is None or key > best:
                best, found = key, [reading]
            elif key == best and reading not in found:
                found.append(reading)
    return sorted(found, key=lambda r: -sum(s in r for s in AMOUNT_SLOTS))  # an amount before a weight


# -- department rows ----------------------------------------------------------
_CJK_CHARS = re.compile(r"[\u4e00-\u9fff]")


def _kind_at(text: str) -> tuple[int, int, str] | None:
    """Where 定量指标 / 定性指标 is in ``text``, also with its characters in
    another order (OCR reading a vertical cell): (start, end, kind)."""
    for kind in INDICATOR_KIND_LABELS:
        i = text.find(kind)
        if i >= 0:
            return i, i + len(kind), kind
    for i in range(len(text) - 3):
        piece = text[i : i + 4]
        for kind in INDICATOR_KIND_LABELS:
            if sorted(piece) == sorted(kind):
                return i, i + 4, kind
    return None


def department_row(text: str) -> dict[str, str] | None:
    """One row of a whole-department form's flat list, glued: its cells by
    slot (level3, measure_unit, indicator_kind, target, target_adjusted,
    actual, score_coefficient, weight, score, is_core), or None when it does
    not end as a row does (coefficient, weight and score, 是/否)."""
    m = re.search(r"((?:[1-9]\d*|0)(?:\.\d+)?%)(\d+(?:\.\d+)?)([是否])$", text)
    if not m:
        return None
    coef = _rate(m.group(1))
    pair = cut_pair(m.group(2), coef)
    if pair is None:
        return None
    cells = {"score_coefficient": m.group(1), "weight": pair[0], "score": pair[1], "is_core": m.group(3)}
    body = text[: m.start()]
    kind = _kind_at(body)
    if kind:
        cells["indicator_kind"] = kind[2]
        body = body[: kind[0]] + "\0" + body[kind[1]:]
    lead = re.match(r"[^\d%a-zA-Z\0≥≤<>=]+", body)
    name = lead.group() if lead else ""
    rest = body[len(name):]
    values_unit = None
    unit_in = re.search(r"\d+(?:\.\d+)?([\u4e00-\u9fff]{1,2})", rest)
    if unit_in:  # the unit the values carry (次, 人次; a one-character unit if the second is the next value's)
        two = unit_in.group(1)
        values_unit = two if len(two) == 2 and rest.count(two) >= 2 else two[0]
    prefix = ""
    if values_unit and values_unit in name[1:]:  # 党性教育培训次数次: the unit printed after the name
        at = name.rindex(values_unit)
        if len(name) - at - len(values_unit) <= 2:
            name, prefix = name[:at], name[at + len(values_unit):]
            cells["measure_unit"] = values_unit
    if "measure_unit" not in cells:
        unit_part = re.match(r"[^\d\0≥≤<>=]*", rest).group()
        if unit_part and len(unit_part) <= 4:  # the 计量单位 between the name and the values
            cells["measure_unit"] = unit_part
            rest = rest[len(unit_part):]
    rest = rest.replace("\0", "")
    values = atoms(prefix + rest, values_unit) if (prefix + rest) else []
    if "measure_unit" not in cells and not any(ch.isdigit() for ch in prefix + rest):
        # a qualitative row: the two grades printed together, after the 指标性质 or the name (高高, 好好)
        grades = rest or name
        for n in (1, 2, 3):
            if len(grades) >= 2 * n and grades[-n:] == grades[-2 * n : -n] and (rest or len(name) > 2 * n):
                values = [grades[-n:], grades[-n:]]
                if rest:
                    values = [grades[: -2 * n], *values] if grades[: -2 * n] else values
                else:
                    name = name[: -2 * n]
                break
    if len(values) == 1:
        cells["target"] = values[0]
    elif len(values) == 2:
        cells["target"], cells["actual"] = values
    elif len(values) == 3:
        cells["target"], cells["target_adjusted"], cells["actual"] = values
    elif values:
        return None
    cells["level3"] = name
    return cells


DEPARTMENT_ORDER = ("level3", "measure_unit", "indicator_kind", "target", "target_adjusted", "actual",
                    "score_coefficient", "weight", "score", "is_core")


# -- project indicator rows ------------------------------------------------------
_PLACEHOLDER = re.compile(r"(?:\s*指标\s*[0-9LlI]?\s*[:：]?\s*)*")  # 指标1: 指标2: (指标L: OCR)
_DASH = "一—–-"  # "-" last: a literal in a character class
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})
_SCORE = r"(?P<s>\d{1,2}(?:\.\d)?|[0-9OIl]{1,2})"
_ROW_SAME = re.compile(  # name, 分值, a dash, the same value twice (指标值 = 全年实际值), 得分
    r"(?P<name>[^\d" + _DASH + r"][^\d]*?)(?P<w>\d{1,2})(?P<dash>[" + _DASH + r"])?(?P<v>[^\d].*?|\d.*?[^\d.])(?P=v)"
    + _SCORE + r"(?=[^\d.%]|$)")
_ROW_ONE = re.compile(  # name, 分值, a dash (no 指标值), the 全年实际值, 得分
    r"(?P<name>[^\d" + _DASH + r"][^\d]*?)(?P<w>\d{1,2})(?P<dash>[" + _DASH + r"])?"
    r"(?P<v>[^\d]+?|\d+(?:\.\d+)?%)" + _SCORE + r"(?=[^\d.%]|$)")

_ROW_UNIT = re.compile(  # name, 分值, a dash, 指标值 and 全年实际值 differing but in one unit (3M.8万元14.8万元3), 得分
    r"(?P<name>[^\d" + _DASH + r"][^\d]*?)(?P<w>\d{1,2})(?P<dash>[" + _DASH + r"])?"
    r"(?P<t>[^\d]{0,2}\d+(?:\.\d+)?(?P<u>[^\d.%]{1,3}?))(?P<v>\d+(?:\.\d+)?(?P=u))" + _SCORE + r"(?=[^\d.%]|$)")
_ILLEGIBLE = re.compile(r"[A-Za-z]+\.?\d|^\.\d")  # a number with letters where its first digits were (M.8万元)


def _score(text: str) -> str | None:
    value = text.translate(_OCR_DIGITS)
    return value if re.fullmatch(r"\d{1,2}(?:\.\d)?", value) else None


def project_rows(piece: str):
    """Rows of a piece of a project form's indicator block run together
    (``相关性2一按照学校管理标准对学校进行管理2可行性2实际工作需求2``): each
    (start, end, cells) with the name, 分值, 指标值, 全年实际值 and 得分; a
    指标值 equal to the 全年实际值 is printed twice (``102370人2370人IO``), a dash
    is an empty 指标值, a single text is the 全年实际值.  得分 is a number no more
    than 分值 (``IO``, ``lO``: OCR for 10).  Stops (yields None) where no row cuts."""
    at = 0
    while at < len(piece):
        rest = piece[at:]
        lead = _PLACEHOLDER.match(rest)
        skip = lead.end() if lead else 0
        found = None
        for pattern in (_ROW_SAME, _ROW_ONE, _ROW_UNIT):
            m = pattern.match(rest, skip)
            if m is None:
                continue
            score = _score(m.group("s"))
            name = m.group("name").strip()
            if score is None or Decimal(score) > Decimal(m.group("w")):
                continue
            if re.search(r"[A-Za-z]", name):
                found = (at + m.start(), at + m.end(), None)
                break
            value = m.group("v")
            target = value if pattern is _ROW_SAME else m.group("t") if pattern is _ROW_UNIT else ""
            found = (at + m.start(), at + m.end(), {"level3": name, "weight": m.group("w"), "target": target,
                                                   "actual": value, "score": score})
            break
        if found is None:
            yield None
            return
        yield found
        at = found[1]


_W = r"(?P<w>100(?:\.0{1,2})?|[1-9]\d?(?:\.\d{1,2})?)"  # a weight: one point or more, no more than 100
_S = r"(?P<s>\d{1,3}(?:\.\d{1,2})?|[0-9OIl]{1,2})"
_END = r"(?=[^\d.%]|$)"


@cache
def _order_patterns(order: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The row patterns for a header's value columns in ``order`` (the seed's
    年度指标值 实际完成值 分值 得分, or any order of them with 分值 before 得分): a
    numeric target (a comparator of the vocabulary, a number, its unit) and
    a numeric actual; or one text printed twice (指标值 = 全年实际值)."""
    from selfeval.normalize.values import comparators

    spellings = sorted({s for s, _ in comparators()[0]}, key=len, reverse=True)
    cmp = "(?:" + "|".join(re.escape(s) for s in spellings) + ")"
    stop = r"[^\d≥≤><=＞＜%(（" + _DASH + r"]"
    name = r"(?P<name>" + stop + r"(?:[^\d≥≤><=＞＜%(（]|[(（][^\d()（）]*[)）])*?)"  # 投诉率(%)
    unit = r"[^\d≥≤><=＞＜.]*?"
    number = r"\d+(?:\.\d{1,2})?"
    mark = r"(?:" + cmp + r"|[(（])?"  # a comparator, or a mark that is none (（20日: reported by the row reader)
    same = {"target": r"(?P<t>" + mark + r"(?P<n>" + number + r")(?P<u>" + unit + r"))", "actual": r"(?P<a>(?P=n)(?P=u))",
            "weight": _W, "score": _S}  # one number printed as target and actual (≥62 62)
    numeric = {"target": r"(?P<t>" + mark + number + unit + r")", "actual": r"(?P<a>" + mark + number + unit + r")",
               "weight": _W, "score": _S}
    glued = {"target": r"(?P<t>" + mark + r"\d+)", "actual": r"(?P<a>" + number + r"[^\d≥≤><=＞＜.]+?)",
             "weight": _W, "score": _S}  # a target without a unit, its digits running into the actual's (≥500519元/人)
    twice = {"target": r"(?P<t>[^\d" + _DASH + r"][^\d]*?)", "actual": r"(?P=t)", "weight": _W, "score": _S}
    out = []
    for parts in (same, glued, numeric, twice):
        body = "".join(parts[slot] for slot in order)
        out.append(re.compile(name + body + _END))
    return tuple(out)


def _same_unit(target: str, actual: str) -> bool:
    """The actual carries the target's unit, or the target has none."""
    unit = re.sub(r"^\D*?\d+(?:\.\d+)?", "", target)
    return not unit or re.sub(r"^\D*?\d+(?:\.\d+)?", "", actual) == unit


def _split_glued_values(cells: dict[str, str]) -> dict[str, str]:
    """A target printed without a unit right before its actual's number
    (``≥500519元/人``: ≥500 and 519元/人, or ≥5005 and 19元/人 …): the cut where
    the two numbers are nearest each other (an actual is measured against
    its target), named in ``uncertain`` when another cut was possible."""
    target, actual = cells["target"], cells["actual"]
    head = re.fullmatch(r"(\D*?)(\d+(?:\.\d+)?)", target)
    tail = re.match(r"(\d+(?:\.\d+)?)(.*)", actual)
    if head is None or tail is None or target == actual:
        return cells
    digits = head.group(2) + tail.group(1)
    cuts = [(a, b) for a, b in (_c for _c in _cuts(digits, 2)) if Decimal(a) > 0 and Decimal(b) > 0]
    if len(cuts) < 2:
        return cells
    a, b = min(cuts, key=lambda c: abs(Decimal(c[1]).ln() - Decimal(c[0]).ln()))
    out = {**cells, "target": head.group(1) + a, "actual": b + tail.group(2)}
    others = ", ".join(f"{head.group(1)}{x} and {y}{tail.group(2)}" for x, y in cuts if (x, y) != (a, b))
    out["uncertain"] = (f"{target}{actual}: read as {out['target']} and {out['actual']} (the two numbers nearest each "
                        f"other); it also cuts as {others}")
    return out


def rows_in_order(piece: str, order: tuple[str, ...]):
    """Rows of a piece of an indicator block whose header prints its value
    columns in ``order`` (``补助引进人才企业数≥3家3家40.0040.00引进人才数≥3人…``:
    name, 年度指标值, 实际完成值, 分值, 得分): each (start, end, cells), the 得分 no
    more than the 分值; yields None where no row cuts (the rest is reported)."""
    at = 0
    while at < len(piece):
        lead = _PLACEHOLDER.match(piece, at)
        skip = lead.end() if lead else at
        found = None
        for n, pattern in enumerate(_order_patterns(order)):  # the shortest name: its values start first
            m = pattern.match(piece, skip)
            if m is None:
                continue
            score = m.group("s").translate(_OCR_DIGITS)
            if not _plain(score) or Decimal(score) > Decimal(m.group("w")):
                continue
            target = m.group("t")
            actual = m.group("a") if "a" in pattern.groupindex else target
            # then: one value printed twice; target and actual with one unit; a target whose digits run into
            # the actual's; an actual that lost the target's unit (its number may be the 分值's)
            rank = (m.end("name"), {0: 0, 1: 2, 2: 1 if _same_unit(target, actual) else 3, 3: 0}[n])
            if found is not None and rank >= found[3]:
                continue
            name = m.group("name").strip()
            if re.search(r"[A-Za-z，,。；;！？!?]", name):  # garbled, or a sentence: the row before's 偏差原因 note
                found = (m.start(), m.end(), None, rank)  # run into this name; the rest is reported
                continue
            found = (m.start(), m.end(), {"level3": name, "weight": m.group("w"), "target": target,
                                          "actual": actual, "score": score}, rank)
        if found is not None:
            found = found[:3]
            if found[2] is not None:
                found = (found[0], found[1], _split_glued_values(found[2]))
        if found is None:
            yield None
            return
        yield found
        at = found[1]


# -- the reader ---------------------------------------------------------------
_HEAD_BLOCKS = {  # each column group -> its block; a whole-department form's list is a block of its own here
    **{group: block for group, _, block in LABEL_GROUPS if block is not None}, DEPARTMENT_GROUP: "department"}
_BLOCK_LABELS = {"funding": "funding", "goal": "goal", "indicators": "indicator_label", "total": "total"}


def head_cells_of(label: list[Anchor]) -> list[str]:
    return [b.cell for b in label] or [""]


_SOURCE_PREFIX = re.compile(r"其中\s*[:：]?\s*$")


def split_heads(heads: list[Anchor], group: str) -> list[Anchor]:
    """A header word that is two of its block's words run together
    (``执行率得分``: 执行率 and 得分, as the seed prints 分值 执行率 得分), split in
    two when the block has no other word for the first one's column; a block
    that has it (执行率(%) … 执行率得分) keeps the word whole."""
    words = {t: slot for slot, texts in vocabulary()[group].items() for t in texts}
    slots = {h.label for h in heads}
    out = []
    for h in heads:
        split = None
        if not h.repaired:
            for n in range(2, len(h.word) - 1):
                a, b = h.word[:n], h.word[n:]
                if a in words and b in words and words[a] not in slots and words[b] == h.label:
                    split = a, b
                    break
        if split is None:
            out.append(h)
            continue
        a, b = split
        out.append(Anchor(h.start, h.start + len(a), h.kind, words[a], a, a, False, len(a)))
        out.append(Anchor(h.start + len(a), h.end, h.kind, h.label, h.text[len(a):], b, False, len(b)))
    return out


def _reading_text(reading: dict[str, str]) -> str:
    return ", ".join(f"{slot} {value}" for slot, value in reading.items()) or "no values"


def _by_block_sums(rows: list[tuple[Anchor | None, list[dict[str, str]]]]) -> list[int | None]:
    """For each funding row with several readings, the one under which the
    sources add up to the total row (年度资金总额) in the most amount columns,
    when only one combination does best; None where nothing decides (or the
    row has one reading, or none)."""
    from itertools import product

    out: list[int | None] = [None] * len(rows)
    total = next((n for n, (label, found) in enumerate(rows) if label is not None and label.label == "total"), None)
    open_rows = [n for n, (_, found) in enumerate(rows) if len(found) > 1 and n != total]
    if total is None or len(rows[total][1]) != 1 or not open_rows:
        return out
    combos = list(product(*(range(len(rows[n][1])) for n in open_rows)))
    if len(combos) > 256:
        return out
    want = rows[total][1][0]

    def fit(combo) -> int:
        pick = dict(zip(open_rows, combo, strict=True))
        score = 0
        for slot in AMOUNT_SLOTS:
            if slot not in want or not _plain(want[slot]):
                continue
            parts = []
            for n, (_, found) in enumerate(rows):
                if n == total or not found:
                    continue
                value = found[pick.get(n, 0)].get(slot)
                if value is not None and _plain(value):
                    parts.append(Decimal(value))
            if parts:
                score += 1 if abs(sum(parts) - Decimal(want[slot])) <= Decimal("0.005") else -1
        return score

    scored = sorted(((fit(c), c) for c in combos), key=lambda x: -x[0])
    if len(scored) == 1 or scored[0][0] > scored[1][0]:
        for n, choice in zip(open_rows, scored[0][1], strict=True):
            out[n] = choice
    return out


NAME_FIELDS = ("budget_unit", "implementing_unit", "department", "project_name")  # head fields holding a name


@cache
def _unread_heads() -> tuple[str, ...]:
    return tuple(vocabulary().get("unread_head_fields", ()))


def _unread_label(text: str) -> int | None:
    """Where a label of ``unread_head_fields`` printed at the start of ``text``
    ends: the label, or its characters with up to a third of them misread,
    split or missing (财政审1度评分 for 财政审核评分: 核 read as 1度), ending with
    the label's last character; the one label that close, else None."""
    from rapidfuzz.distance import Levenshtein

    hits = set()
    for label in _unread_heads():
        most = max(1, len(label) // 3)
        for n in range(max(2, len(label) - most), len(label) + most + 1):
            piece = text[:n]
            if len(piece) == n and piece.endswith(label[-1]) and Levenshtein.distance(piece, label) <= most:
                hits.add((label, n))
                break
    return next(iter(hits))[1] if len({label for label, _ in hits}) == 1 else None


def _block_of(a: Anchor) -> str | None:
    """The block an anchor opens or belongs to (funding, goal, department,
    indicators, total; indicator_label for 绩效指标, whose header words say
    which of the two), "source" for a funding source, else None."""
    if a.kind == "seq":
        return "seq"
    if a.kind.startswith("head:"):
        return _HEAD_BLOCKS[a.kind[5:]]
    if a.kind.startswith("block:"):
        return _BLOCK_LABELS[a.kind[6:]]
    return "source" if a.kind == "funding" else None


_SENTENCE_MARKS = "。！？；!?;"
_SENTENCE_END = re.compile(f"[{_SENTENCE_MARKS}]")
_NONE_WORDS = ("无偿", "无法", "无论", "无需", "无须", "无人", "无线", "无障碍", "无纸", "无害", "无缝", "无重大", "无安全",
               "无事故", "无投诉", "无违", "无差错", "无一")  # 无 beginning a word, not the empty-cell 无
DONE_GAP = 6  # characters a mark of the done may stand before its verb (均按时足额发放)


@cache
def _done() -> re.Pattern[str]:
    """A sentence saying what was done, from ``done_phrases`` in
    selfeval/data/vocabulary.json: one of its verbs after one of its marks
    (已, 均, 顺利 …; up to DONE_GAP characters of no punctuation between:
    均按时足额发放) or right before one (完成了).  The phrases are checked when
    the vocabulary is loaded (:class:`selfeval.normalize.schema.Words`): each
    a word of Chinese characters, none listed twice."""
    phrases = vocabulary().get("done_phrases", {"verbs": [], "before": [], "after": []})

    def alt(words):
        return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"

    if not phrases["verbs"]:
        return re.compile(r"(?!)")
    verbs = alt(phrases["verbs"])
    parts = []
    if phrases["before"]:
        parts.append(alt(phrases["before"]) + r"[^\d\s，,。；;！？!?]{0," + str(DONE_GAP) + "}?" + verbs)
    if phrases["after"]:
        parts.append(verbs + alt(phrases["after"]))
    return re.compile("|".join(parts) or r"(?!)")


def share_goal_texts(text: str, cells: int) -> list[str] | None:
    """Goal texts printed one after another after all ``cells`` header words
    (年初绩效目标 全年(调整)绩效目标 全年目标实际完成情况 …), shared out in the
    header's order when the text decides it, else None.  Two readings, each
    of which may decide: the actual starts at the first sentence saying what
    was done (:func:`_shared_by_done`), or, with two columns, where the text
    states the target again (:func:`restated_at`).  When both decide they
    must agree."""
    by_done = _shared_by_done(text, cells)
    at = restated_at(text) if cells == 2 else None
    by_restating = None if at is None else [text[:at].strip(), text[at:].strip()]
    if by_done is None or by_restating is None or by_done == by_restating:
        return by_done or by_restating
    return None  # the two readings cut in different places: nothing decides


def _shared_by_done(text: str, cells: int) -> list[str] | None:
    """The text cut into sentences and the empty-cell word 无 (at the start
    or after a sentence's end); the last column's text (the actual) starts
    at the first sentence saying what was done (a verb with a mark of the
    done, as ``done_phrases`` lists them: 完成了, 已按时足额发放 …:
    :func:`_done`), and what comes before it must give exactly one cell per
    other column: each 无 a cell of its own, each run of sentences between
    them one cell."""
    units: list[tuple[str, bool]] = []  # (text, is the empty-cell 无)
    rest = text
    while rest:
        if rest.startswith("无") and len(rest) > 1 and not rest.startswith(_NONE_WORDS) \
                and _CJK_CHARS.match(rest[1]):
            units.append(("无", True))
            rest = rest[1:]
            continue
        if rest == "无":
            units.append((rest, True))
            break
        m = _SENTENCE_END.search(rest)
        end = m.end() if m else len(rest)
        units.append((rest[:end], False))
        rest = rest[end:]
    done = next((n for n, (u, none) in enumerate(units) if not none and _done().search(u)), None)
    if done is None or done == 0 or any(none for _, none in units[done:]):
        return None
    out: list[str] = []
    after_none = True
    for u, none in units[:done]:
        if none or after_none:
            out.append(u)
        else:
            out[-1] += u  # a run of sentences: one cell
        after_none = none
    return [*out, "".join(u for u, _ in units[done:])] if len(out) == cells - 1 else None


_LIST_NUMBER = re.compile(r"(?:^|(?<=[。；;！？!?\s]))\d{1,2}[.．、](?!\d)")  # 1. 2、: a list's marks, no sentence end
_CLAUSE_MARK = re.compile(r"[，,、;；。！？!?:：.．]")
_NO_CUT_AFTER = "，,、:：“‘（(《【"  # a clause goes on after these
_CJK_PAIRS = re.compile(r"(?=([\u4e00-\u9fff]{2}))")  # every two Chinese characters in a row
RESTATED_WORDS = 4  # Chinese characters the actual's opening repeats at least (开展职业技能鉴定#批次 …)


def _outline(text: str) -> str:
    """The text without spaces, each number one ``#``: a target and the
    actual restating it with other figures have the same outline."""
    return _NUMBER.sub("#", "".join(text.split()))


def _sentence_ends(text: str) -> list[int]:
    """Where sentences end: 。！？； and a full stop that is neither a
    decimal point (2.54) nor a list's mark (1. 2.)."""
    marks = {m.end() - 1 for m in _LIST_NUMBER.finditer(text)}
    return [i for i, ch in enumerate(text)
            if ch in _SENTENCE_MARKS or (ch in ".．" and i not in marks
                                        and not (text[i - 1:i].isdigit() and text[i + 1:i + 2].isdigit()))]


def _common_opening(a: str, b: str) -> str:
    lo, hi = 0, min(len(a), len(b))  # a[:lo] == b[:lo]; found by halving (slices compare at C speed)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return a[:lo]


def _actual_start(text: str, k: int, ends: list[int]) -> bool:
    """Whether an actual may start at ``k``: a sentence's start (after 。；! ?
    or a full stop: ``ends``, in order), or, while the text before has no
    sentence end, anywhere but inside a number or after a clause mark."""
    last = len(text[:k].rstrip()) - 1  # the last character before the cut that is not a space
    if last < 0 or text[k] in " \t，,、;；。！？!?:：.．)）”’" or text[last] in _NO_CUT_AFTER:
        return False
    if text[last].isdigit() and (text[k].isdigit() or text[k] in ".．"):
        return False  # inside a number
    if text[k].isdigit() and text[last] in ".．" and text[last - 1:last].isdigit():
        return False  # a decimal point
    before = bisect_right(ends, last)  # the sentence ends up to the cut
    return before == 0 or ends[before - 1] == last  # a target with a sentence end ends on one


def restated_at(text: str) -> int | None:
    """Where the actual starts in a target and its actual printed one after
    the other, read from the actual stating the target again with the
    figures it reached (开展职业技能鉴定140批次,… / 开展职业技能鉴定162批次,…),
    else None.  The actual starts where an actual may (:func:`_actual_start`)
    and opens with the text's own opening, numbers aside.  Only one such
    place may open so (two Chinese characters in common: a list of like
    items, 资助学生… 资助教师…, decides nothing), and the restating must be
    plain: at least RESTATED_WORDS Chinese characters of the opening,
    running on past the target's first number, and the actual speaks of all
    the target says (:func:`_states_again`)."""
    whole = _outline(text)
    if not whole:
        return None
    ends = _sentence_ends(text)
    first = re.compile(r"\d" if whole[0] == "#" else re.escape(whole[0]))
    found = []
    for m in first.finditer(text, 1):  # the places with at least the first character in common
        k = m.start()
        if not _actual_start(text, k, ends):
            continue
        opening = _common_opening(whole, _outline(text[k:]))
        if len(_CJK_CHARS.findall(opening)) >= 2:
            found.append((k, opening))
    if len(found) != 1:
        return None
    k, opening = found[0]
    target = _outline(text[:k])
    if len(_CJK_CHARS.findall(opening)) < RESTATED_WORDS or "#" not in target \
            or target.index("#") + 1 >= len(opening):
        return None
    return k if _states_again(text[:k], text[k:], len(text[:k].rstrip()) - 1 in ends) else None


def _states_again(target: str, actual: str, ends: bool) -> bool:
    """The actual speaks of all the target says: the target holds a number,
    each of its numbers is stated again in the actual in the same order with
    the same unit (the character after it), half of the target's Chinese
    characters at least are said again in the actual, in order, and each
    clause of the target shares two of them in a row with it.  A target that
    ``ends`` on no sentence end ends as the actual goes on right after the
    number standing for its last (招聘大学生50人 / 实际招聘大学生60人, not
    招聘大学生50人实际 / 招聘大学生60人: 人实际 is not what follows 60)."""
    target, actual = _outline(target), _outline(actual)
    if "#" not in target:
        return False
    after = [m.end() for m in re.finditer("#", actual)]
    j, said = 0, 0
    for m in re.finditer("#", target):
        unit = target[m.end():m.end() + 1]
        while j < len(after) and actual[after[j]:after[j] + 1] != unit:
            j += 1
        if j == len(after):
            return False  # a figure of the target not stated again, in order, with its unit
        said, j = after[j], j + 1
    tail = target[target.rindex("#") + 1:]
    if not ends and actual[said:said + len(tail)] != tail:
        return False  # the cut may be in the actual's first words
    pairs = set(_CJK_PAIRS.findall(actual))
    for clause in _CLAUSE_MARK.split(target):
        grams = _CJK_PAIRS.findall(clause)
        if grams and pairs.isdisjoint(grams):
            return False  # a clause of the target the actual does not speak of
    blocks = SequenceMatcher(None, target, actual, autojunk=False).get_matching_blocks()
    if 2 * sum(len(_CJK_CHARS.findall(target[b.a:b.a + b.size])) for b in blocks) < len(_CJK_CHARS.findall(target)):
        return False  # less than half of the target's words said again, in order
    return True


@dataclass
class _Stream:
    text: str
    lines: list[int]  # the source line of each character

    def starts(self) -> frozenset[int]:
        """Where each source line's text begins in the stream."""
        return frozenset(n for n in range(len(self.lines)) if n == 0 or self.lines[n] != self.lines[n - 1])

    def line_of(self, start: int, end: int) -> list[int]:
        return sorted(set(self.lines[start:max(end, start + 1)]))


def _stream(rows: list[SourceRow]) -> tuple[_Stream, list[tuple[int, str]]]:
    text, lines, marks = [], [], []
    for row in rows:
        t = clean(row.text)
        if not t:
            continue
        if m := _PAGE_MARK.match(t):
            marks.append((row.line, m.group()))
            t = t[m.end():]
        text.append(t)
        lines.extend([row.line] * len(t))
    return _Stream("".join(text), lines), marks


class RunOnReader:
    def __init__(self, stream: _Stream):
        self.s = stream
        self.rows: list[tuple[list[str], list[int]]] = []
        self.unplaced: list[tuple[int, str]] = []
        self.repairs: list[tuple[int, str, str]] = []
        self.uncertain: list[tuple[int, str, str]] = []  # (line, text, message): two readings fit
        self.indicator_slots: list[str] | None = None  # the indicator header's columns, once read
        self.illegible: list[tuple[int, str, str]] = []  # (line, text, message): a value OCR printed past reading
        self.moved: list[tuple[int, str, str]] = []  # (line, text, message): a value printed out of place, placed
        self.year: int | None = None

    def emit(self, cells: list[str], start: int, end: int) -> None:
        self.rows.append((cells, self.s.line_of(start, end)))

    def leftover(self, start: int, end: int) -> None:
        """Text no row takes: reported, one finding per source line it spans."""
        lines = self.s.lines
        pos = start
        while pos < end:
            stop = pos
            while stop < end and lines[stop] == lines[pos]:
                stop += 1
            piece = self.s.text[pos:stop].strip()
            if piece:
                self.unplaced.append((lines[pos], piece))
            pos = stop

    def read(self) -> None:
        text = self.s.text
        anchors = find_anchors(text, self.s.starts())
        opening = next((a.start for a in anchors if a.kind == "title"), len(text))
        self.repairs = [(self.s.lines[a.start], a.text, a.cell) for a in anchors if a.repaired and a.start >= opening]
        # the first title opens the form; text before it is not part of it
        first = next((i for i, a in enumerate(anchors) if a.kind == "title"), None)
        if first is None:
            return
        self.leftover(0, anchors[first].start)
        i = first
        empty_fields: list[tuple[int, Anchor]] = []  # head fields printed with no value, this form's
        while i < len(anchors):
            a = anchors[i]
            nxt = anchors[i + 1].start if i + 1 < len(anchors) else len(text)
            if a.kind == "title":
                if year := re.search(r"((?:19|20)\d{2})\s*年", a.text):
                    self.year = int(year.group(1))
                self.emit([a.text], a.start, a.end)
                self.leftover(a.end, nxt)
                empty_fields = []
                i += 1
            elif a.kind == "field" or a.kind == "trailer":
                value = text[a.end:nxt].strip()
                if a.label == "self_score" and value:
                    num = _NUMBER.match(value)
                    if num:
                        self._after_score(a.end + num.end(), nxt, empty_fields)
                        value = num.group()
                    else:
                        self.leftover(a.end, nxt)
                        value = ""
                if not value and a.kind == "field" and a.label in NAME_FIELDS:
                    empty_fields.append((len(self.rows), a))
                self.emit([a.cell, value] if value else [a.cell], a.start, nxt)
                i += 1
            elif a.kind.startswith("head:") or a.kind.startswith("block:") or a.kind in ("funding", "seq"):
                i = self._block(anchors, i)
            else:
                self.leftover(a.start, nxt)
                i += 1

    def _after_score(self, start: int, stop: int, empty_fields: list[tuple[int, Anchor]]) -> None:
        """The text after a head score's number (自评得分 98 财政审1度评分 银川市第六中学):
        the label of a head field no table holds (``unread_head_fields``,
        also printed a character or two off) with no number after it, then a
        name.  OCR prints a two-line cell after its row: the name is the value
        of the one name field of the head printed empty (实施单位), moved there
        and said (``row_realigned``); the label is reported.  Anything else
        after the number is reported."""
        text = self.s.text
        rest = text[start:stop]
        found = _unread_label(rest.strip())
        lead = len(rest) - len(rest.lstrip())
        if found is None:
            self.leftover(start, stop)
            return
        cut = start + lead + found
        value = text[cut:stop].strip()
        if len(empty_fields) != 1 or not value or any(ch.isdigit() for ch in value) or len(_CJK_CHARS.findall(value)) < 2:
            self.leftover(start, stop)
            return
        row, field = empty_fields.pop()
        cells, lines = self.rows[row]
        self.rows[row] = ([*cells, value], sorted({*lines, *self.s.line_of(cut, stop)}))
        self.leftover(start, cut)
        self.moved.append((self.s.lines[cut], value, f"{value!r}, printed after {text[start:cut].strip()!r} (a field no "
                                                     f"table holds, with no value), read as the value of "
                                                     f"{field.text!r}, printed empty before it"))

    def _block(self, anchors: list[Anchor], i: int) -> int:
        """A block: its label and header words, then its values up to the next
        block.  Returns the index of the next anchor not taken."""
        text = self.s.text
        a = anchors[i]
        kind = _block_of(a)
        if kind == "total":
            self._total(a, anchors[i + 1].start if i + 1 < len(anchors) else len(text))
            return i + 1
        if kind == "source":
            kind = None
        if kind == "seq":
            self.emit([a.text], a.start, a.end)
            nxt = anchors[i + 1].start if i + 1 < len(anchors) else len(text)
            self.leftover(a.end, nxt)
            return i + 1
        label: list[Anchor] = []
        heads: list[Anchor] = []
        sources: list[Anchor] = []
        values_after: dict[int, tuple[int, int]] = {}  # a goal header word followed by its own text
        j = i
        while j < len(anchors):
            b = anchors[j]
            this = _block_of(b)
            if kind in (None, "indicator_label") and this not in (None, "total", "source", "indicator_label"):
                kind = this
            belongs = (j == i) or (this == kind) or (this == "source" and kind in (None, "funding") and not heads) \
                or (b.kind.startswith("head:") and kind in _groups_of().get(b.word, ()))
            if not belongs:
                break
            gap = (anchors[j - 1].end, b.start) if j > i else (b.start, b.start)
            if text[gap[0]:gap[1]].strip():
                if kind == "goal" and heads:
                    values_after[len(heads) - 1] = gap
                else:
                    self.leftover(*gap)  # an unreadable header word: reported
            (label if b.kind.startswith("block:") else sources if b.kind == "funding" else heads).append(b)
            j += 1
        end_heads = anchors[j - 1].end
        if kind == "funding":  # the source rows after the header: each label and the values after it
            return self._funding_rows(anchors, i, j, head_cells_of(label), split_heads(heads, "funding_columns"),
                                      sources)
        stop, k = len(text), j
        while k < len(anchors):  # the block's values run to the next anchor of another block
            b = anchors[k]
            if kind in ("department", "indicators") and b.kind not in ("title", "trailer") and _block_of(b) != "total":
                k += 1  # inside an indicator list only a closing text or 总分 ends it: names hold header words
                continue
            if kind == "goal" and (b.kind == "funding" or _block_of(b) == "funding") and b.kind != "block:funding":
                k += 1  # a goal text names the budget's words (执行率79.05%, 市级资金): they end no text
                continue
            stop = b.start
            break
        values = text[end_heads:stop]
        head_cells = [b.cell for b in label] or [""]
        start = a.start
        if kind == "department":
            self._department(head_cells, heads, values, start, end_heads, stop,
                             [b for b in anchors[j:k] if b.kind.startswith("block:")])
        elif kind == "goal":
            self._goal(head_cells, heads, values_after, start, end_heads, stop)
        else:
            self._indicators(heads, start, end_heads, stop, anchors[j:k])
        return k

    def _total(self, a: Anchor, stop: int) -> None:
        """总分 and its weight and score printed together (``总分100.0099.00``):
        the one cut into two plain numbers with the score no more than the
        weight, in the indicator header's 分值 and 得分 columns; one number
        alone (``总分98.00``) is the row reader's to place by the form's sums
        (funding + indicator scores, or weights); else reported."""
        text = self.s.text
        slots = self.indicator_slots
        digits = re.match(r"\s*([\d.]+)\s*$", text[a.end:stop])
        cuts = [c for c in _cuts(digits.group(1), 2) if Decimal(c[1]) <= Decimal(c[0])] if digits else []
        if digits and _plain(digits.group(1)):  # one number (98.00), unless two printed alike make it (1010)
            cuts = [c for c in cuts if len(c[0].partition(".")[2]) == len(c[1].partition(".")[2])] or \
                [(digits.group(1), "")]  # one number: weight or score, as the row reader's sums say
        if slots is None or "weight" not in slots or "score" not in slots or len(cuts) != 1:
            self.leftover(a.start, stop)
            return
        weight, score = cuts[0]
        row = [{"weight": weight, "score": score}.get(slot, "") for slot in slots]
        row[0] = a.cell
        self.emit(row, a.start, stop)

    def _indicators(self, heads, start, end_heads, stop, inside) -> None:
        """A project form's indicator rows run together: cut at the level
        labels (项目决策(10分), 数量指标(10分)) and list marks (指标2:), then each
        piece into rows of name, 分值, 指标值, 全年实际值 and 得分 (:func:`project_rows`);
        a piece that does not cut so is reported."""
        slots = [h.label for h in heads]
        self.emit([h.word or h.cell for h in heads], start, end_heads)
        values = tuple(x for x in slots if x not in ("level1", "level2", "level3", "note"))
        if values[:1] == ("weight",) and values[-1:] == ("score",):
            cutter = project_rows  # 分值 指标值 全年实际值 得分 (the four-dimension form)
        elif sorted(values) == sorted(("target", "actual", "weight", "score")) and \
                values.index("weight") < values.index("score"):
            def cutter(piece, order=values):  # the header's own order (the seed: 年度指标值 实际完成值 分值 得分)
                return rows_in_order(piece, order)
        else:
            cutter = None
        if not {"level1", "level2", "level3"} <= set(slots) or cutter is None:
            self.leftover(end_heads, stop)  # not an order the cutting knows: reported
            return
        self.indicator_slots = slots
        levels = []
        for b in inside:  # a level label printed right after the same label begins a name (财务管理财务管理制度有效性)
            if b.kind == "level" and not (levels and levels[-1].label == b.label and levels[-1].end == b.start):
                levels.append(b)
        template = template_by_labels(b.text for b in levels) or template_for_year(self.year)
        pos = end_heads
        level = {"level1": "", "level2": ""}
        children: tuple[str, ...] = ()
        for b in [*levels, None]:
            piece_end = b.start if b is not None else stop
            self._indicator_piece(pos, piece_end, slots, level, cutter, children)
            if b is None:
                break
            which = "level1" if b.label in template.level1 else "level2"
            level[which] = b.cell
            if which == "level1":
                level["level2"] = ""
                children = tuple(l2 for l2, parents in template.level2_parents.items() if b.label in parents)
            else:
                children = ()
            pos = b.end

    def _indicator_piece(self, pos, end, slots, level, cutter=None, children=()) -> None:
        text = self.s.text
        piece = text[pos:end]
        at = 0
        for found in (cutter or project_rows)(piece):
            if found is None:
                break
            row_start, row_end, cells = found
            if cells is None:  # a name OCR garbled (项Fl实施…) may hide a level label: the rest is reported
                break
            if piece[at:row_start].strip(" :：") and not _PLACEHOLDER.fullmatch(piece[at:row_start]):
                self.leftover(pos + at, pos + row_start)
            if level["level1"] and not level["level2"]:  # a level 2 printed without its 指标 (服务对象满意度)
                for child in children:
                    stem = child.removesuffix("指标")
                    if len(stem) >= FUZZY_MIN_LENGTH and stem != child and cells["level3"].startswith(stem) \
                            and len(cells["level3"]) > len(stem):
                        cells = {**cells, "level2": stem, "level3": cells["level3"][len(stem):]}
                        break
            if "uncertain" in cells:
                cells = dict(cells)
                self.uncertain.append((self.s.lines[pos + row_start], piece[row_start:row_end], cells.pop("uncertain")))
            for slot, what in (("target", "指标值"), ("actual", "全年实际值")):
                if _ILLEGIBLE.search(cells.get(slot, "")):  # kept as printed, no number read from it: said
                    self.illegible.append((self.s.lines[pos + row_start], piece[row_start:row_end].strip(),
                                           f"the {what} of {cells['level3']!r} is printed {cells[slot]!r}: letters "
                                           f"where digits should be (row {piece[row_start:row_end].strip()!r}); "
                                           "kept as printed, no number read from it"))
            cells = {**cells, **{k: v for k, v in level.items() if v}}
            level["level1"] = level["level2"] = ""  # printed once: the rows below inherit them
            self.emit([cells.get(x, "") for x in slots], pos + row_start, pos + row_end)
            at = row_end
        rest = piece[at:]
        if rest.strip() and not _PLACEHOLDER.fullmatch(rest):
            self.leftover(pos + at, end)

    def _goal(self, head_cells, heads, values_after, start, end_heads, stop) -> None:
        """Goal texts: a text printed right after its header word is that
        column's (年初设定目标 保障学校正常工作运行); texts run together after all
        the header words are shared out when the text decides it
        (:func:`share_goal_texts`), else reported."""
        text = self.s.text
        if text[end_heads:stop].strip():
            values_after[len(heads) - 1] = (end_heads, stop)
        row = ["", ""] + [""] * (2 * len(heads))
        head = [*head_cells, ""]
        last = values_after.get(len(heads) - 1)
        if len(heads) > 1 and list(values_after) == [len(heads) - 1] and last[0] == end_heads \
                and (cells := share_goal_texts(text[last[0]:last[1]].strip(), len(heads))) is not None:
            values_after = {}  # the texts after every header word, shared out in the header's order
            for n, cell in enumerate(cells):
                row[2 + 2 * n] = cell
        for n, h in enumerate(heads):
            head += [h.cell, ""]
            piece = values_after.get(n)
            if piece is None:
                continue
            value = text[piece[0]:piece[1]].strip()
            alone = n < len(heads) - 1 or len(heads) == 1 or piece[0] != end_heads
            if alone and len(_CJK_CHARS.findall(value)) >= 2:  # legible text (not an OCR speck like 公,4)
                row[2 + 2 * n] = value
                continue
            self.leftover(*piece)
        self.emit(head[:-1], start, end_heads)
        if any(row):
            self.emit(row, start, stop)

    def _funding_rows(self, anchors, i, j, head_cells, heads, sources) -> int:
        """The funding block's header, then one row per source label, each
        with the values printed after it (a label printed before the header
        words, as OCR reads a merged cell, is the first row's).  Each row's
        values are read in the header's column order (:func:`fit_budget_row`);
        a row two readings fit is decided by the block's own sum (the sources
        add up to 年度资金总额 in every amount column), else the reading with
        the amounts is taken and named (``uncertain_reading``)."""
        text = self.s.text
        self.emit([*head_cells, "", *(h.cell for h in heads)], anchors[i].start, anchors[j - 1].end)
        rows: list[tuple[Anchor | None, int, int]] = []
        pending = list(sources)
        pos, k = anchors[j - 1].end, j
        while True:
            nxt = anchors[k] if k < len(anchors) else None
            stop = nxt.start if nxt is not None else len(text)
            if text[pos:stop].strip() or pending:
                rows.append((pending.pop(0) if pending else None, pos, stop))
            if nxt is None or _block_of(nxt) != "source":
                break
            pending.append(nxt)
            pos, k = nxt.end, k + 1
        columns = [h.label for h in heads]
        readings = []
        for label, start, stop in rows:
            values = text[start:stop]
            lead = len(values) - len(values.lstrip(" :："))
            tail = _SOURCE_PREFIX.search(values)  # 其中: before the next source's label is that label's
            body = values[lead: tail.start() if tail else len(values)]
            readings.append((label, start + lead, start + lead + len(body), stop, fit_budget_row(body, columns)))
        chosen = _by_block_sums([(r[0], r[4]) for r in readings])
        for (label, start, end, stop, found), pick in zip(readings, chosen, strict=True):
            if not found:  # not the header's order: the cutting the reader knew before (rate, then weight and score)
                self._funding(heads, label, text[start:stop], start, stop)
                continue
            reading = found[pick if pick is not None else 0]
            if pick is None and len(found) > 1:
                others = "; ".join(_reading_text(r) for r in found[1:])
                self.uncertain.append((self.s.lines[start], text[start:end],
                                       f"funding row {text[start:end]!r} read as {_reading_text(reading)}; "
                                       f"it also reads as {others}, and neither the arithmetic nor the block's sums "
                                       "decide"))
            unread = [v for slot, v in reading.items() if slot in AMOUNT_SLOTS and not _plain(v)]
            row = ["", label.text if label else ""] + [
                reading.get(c, "") if reading.get(c, "") not in unread else "" for c in columns]
            if unread:
                self.unplaced.append((self.s.lines[start], " ".join(unread)))
            self.emit(row, label.start if label else start, stop)
        return k

    def _funding(self, heads, label, values, start, stop) -> None:
        columns = [h.label for h in heads]
        amount_slots = [c for c in columns if c in ("budget_initial", "budget_full_year", "executed")]
        cut = cut_budget(values.strip().lstrip(":："), len(amount_slots))
        if cut is None:  # values that do not cut: the row, its label with them, is reported
            self.leftover(label.start if label is not None else start, stop)
            return
        found, rest = cut
        rate_at = next(n for n, c in enumerate(found) if c.endswith("%"))
        before, after = found[:rate_at], found[rate_at + 1:]
        slots = {"execution_rate": found[rate_at]}
        unread = [v for v in before if not _plain(v)]
        before = [v for v in before if _plain(v)]
        for slot, value in zip(amount_slots[len(amount_slots) - len(before):], before, strict=False):
            slots[slot] = value
        for slot, value in zip([c for c in columns if c in ("weight", "score")], after, strict=False):
            slots[slot] = value
        row = ["", label.text if label else ""] + [slots.get(c, "") for c in columns]
        if unread:
            self.unplaced.append((self.s.lines[start], " ".join(unread)))
        if rest.strip():
            self.unplaced.append((self.s.lines[stop - 1], rest.strip()))
        self.emit(row, label.start if label else start, stop)

    def _department(self, head_cells, heads, values, start, end_heads, stop, inside) -> None:
        names = {"level3": "指标名称", "measure_unit": "计量单位", "indicator_kind": "指标性质", "target": "年初指标值",
                 "target_adjusted": "调整指标值", "actual": "全年完成值", "score_coefficient": "得分系数",
                 "weight": "指标权重", "score": "指标得分", "is_core": "是否核心指标"}
        printed = {h.label: h.cell for h in heads}
        self.emit([*head_cells, *(printed.get(s, names[s]) for s in DEPARTMENT_ORDER)], start, end_heads)
        text = self.s.text
        pos = end_heads
        labels = [(b.start, b.end) for b in inside]  # block labels printed inside the list (绩效指标)
        cut_points = [m.end() for m in re.finditer(r"\d[是否]", text[end_heads:stop])]
        for cp in cut_points:
            end = end_heads + cp
            piece = text[pos:end]
            for ls, le in labels:  # a label inside the list is structure: taken out of the row's text
                if pos <= ls < end:
                    piece = text[pos:ls] + text[le:end]
            cells = department_row(piece)
            if cells is None:
                self.leftover(pos, end)
            else:
                self.emit(["", *(cells.get(s, "") for s in DEPARTMENT_ORDER)], pos, end)
            pos = end
        self.leftover(pos, stop)


def regrid_runon(rows: list[SourceRow]) -> tuple[list[SourceRow], list[Finding]] | None:
    """Rows of cells rebuilt from run-on text, and the findings for what no
    row took; None when the document is not run-on text or holds no form."""
    if not is_runon(rows):
        return None
    stream, marks = _stream(rows)
    reader = RunOnReader(stream)
    reader.read()
    if not reader.rows:
        return None
    out = []
    for cells, lines in reader.rows:
        out.append(SourceRow(tuple(cells), lines[0], positional=True, span=tuple(lines[1:])))
    findings = [finding_at("unparsed_line", f"text that no cell of the form could hold: {text!r}", Place(line), text)
                for line, text in reader.unplaced]
    findings += [finding_at("unparsed_line", f"page mark {mark!r} at the start of the line; not part of the form",
                            Place(line), mark) for line, mark in marks]
    findings += [finding_at("label_repaired", f"{printed!r} read as {word!r} (a character misread, or its characters "
                            "out of order)", Place(line), printed) for line, printed, word in reader.repairs]
    findings += [finding_at("uncertain_reading", message, Place(line), text) for line, text, message in reader.uncertain]
    findings += [finding_at("unparsed_number", message, Place(line), text) for line, text, message in reader.illegible]
    findings += [finding_at("row_realigned", message, Place(line), text) for line, text, message in reader.moved]
    return out, findings


def regrid_runon_document(doc) -> bool:
    """Re-read a text document that is run-on text, in place; False (the
    document untouched) when it is not or holds no form."""
    from dataclasses import replace

    found = regrid_runon(doc.rows)
    if found is None:
        return False
    doc.rows, findings = found
    doc.findings.extend(replace(f, doc_id=doc.doc_id) for f in findings)
    return True
