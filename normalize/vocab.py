"""Controlled vocabularies: indicator templates, funding sources, headers.

Vocabularies are data (``selfeval/data``), loaded and validated once.  Labels
are matched in three steps, each recorded so a repair is never silent:

1. ``exact``      the cleaned text is the label (or a listed alias);
2. ``variant``    equal after traditional→simplified conversion (OpenCC
                  ``t2s``), punctuation removal or the known OCR-confusable
                  characters (``指杯``→``指标``, ``质最``→``质量``);
3. ``fuzzy``      one character away from exactly one label (any character:
                  ``社会效益措标`` → ``社会效益指标``), else the best rapidfuzz
                  ratio, at least the cutoff and clearly ahead of the
                  runner-up (a tie is no match).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import opencc
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Hamming

from selfeval.normalize import schema
from selfeval.normalize.cells import compact

_PUNCT = re.compile(r"[\s:：,，、.。;；()（）\[\]【】\"'“”‘’*＊]+")
_PREFIX = re.compile(r"^其中")
_LIST_NUMBER = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})[.、．](?=[\u4e00-\u9fff])")  # 1.项目年度目标…
_T2S = opencc.OpenCC("t2s")
SUBSTITUTION_MIN_LENGTH = 3  # shorter labels (得分, 分值) are too close to other words for one character to be a slip


def data_dir():
    """The package's data files (vocabularies, templates, units): every file
    the readings depend on besides the code.  The ``--resume`` cache key holds
    a digest of them all (:func:`selfeval.cache.data_digest`)."""
    return resources.files("selfeval.data")


def _data(name: str, spec=None) -> dict:
    """A data file of ``selfeval/data``, checked against its spec (:mod:`.schema`)."""
    data = json.loads(data_dir().joinpath(name).read_text(encoding="utf-8"))
    if spec is not None:
        schema.check(data, spec, f"selfeval/data/{name}")
    return data


@lru_cache(maxsize=65536)
def _simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC ``t2s``), once per text for every vocabulary."""
    return _T2S.convert(text)


@dataclass(frozen=True)
class Match:
    label: str
    score: float  # 100 for exact and variant matches
    how: str  # "exact", "variant" or "fuzzy"

    @property
    def repaired(self) -> bool:
        return self.how != "exact"


class Vocabulary:
    """A closed set of labels with aliases, matched as described above."""

    def __init__(self, labels: dict[str, str], cutoff: float, confusables: dict[str, str]):
        # labels: key form (without punctuation) -> canonical label
        self._labels = labels
        self._keys = list(labels)
        self._cutoff = cutoff
        self._digit_free = not any(ch.isdigit() for key in labels for ch in key)
        self._confusable = str.maketrans(confusables)
        self._by_length: dict[int, list[str]] = {}
        for k in self._keys:
            self._by_length.setdefault(len(k), []).append(k)
        self.match = lru_cache(maxsize=8192)(self._match)

    def _one_substitution(self, key: str) -> Match | None:
        """The label ``key`` differs from in exactly one character (社会效益措标 →
        社会效益指标, any character, not a list), when only one label is that close
        and the label has at least SUBSTITUTION_MIN_LENGTH characters."""
        if len(key) < SUBSTITUTION_MIN_LENGTH:
            return None
        near = {self._labels[k] for k in self._by_length.get(len(key), ()) if Hamming.distance(key, k) == 1}
        if len(near) != 1:
            return None  # none, or two labels as close: no match by this rule
        label = near.pop()
        best = max((k for k in self._by_length[len(key)] if self._labels[k] == label), key=lambda k: fuzz.ratio(key, k))
        return Match(label, round(fuzz.ratio(key, best), 1), "fuzzy")

    @staticmethod
    @lru_cache(maxsize=65536)
    def key(text: str) -> str:
        """Text without whitespace, punctuation, the 其中 ("of which") prefix and
        a list number before a label (``1.项目年度目标完成情况``): differences in
        these are layout, not a repair."""
        return _PREFIX.sub("", _PUNCT.sub("", _LIST_NUMBER.sub("", compact(text).lstrip())))

    def _match(self, text: str) -> Match | None:
        key = self.key(text)
        if not key:
            return None
        if key in self._labels:
            return Match(self._labels[key], 100.0, "exact")
        if self._digit_free and any(ch.isdigit() for ch in key):
            return None  # no label has a digit: a number or value cell is never a label
        simplified = _simplified(key)
        for variant in (simplified, simplified.translate(self._confusable)):
            if variant in self._labels:
                return Match(self._labels[variant], 100.0, "variant")
        single = self._one_substitution(simplified)
        if single is not None:
            return single
        best = process.extract(
            simplified, self._keys, scorer=fuzz.ratio, limit=2, score_cutoff=self._cutoff
        )
        if not best:
            return None
        if len(best) > 1 and best[1][1] >= best[0][1] - 5 and self._labels[best[1][0]] != self._labels[best[0][0]]:
            return None  # ambiguous: two labels fit about as well
        return Match(self._labels[best[0][0]], round(best[0][1], 1), "fuzzy")


@dataclass(frozen=True)
class Template:
    """One year's indicator framework: level-1 labels and their level-2 labels."""

    name: str
    title: str
    from_year: int | None
    to_year: int | None
    level1: tuple[str, ...]
    level2_parents: dict[str, tuple[str, ...]]  # level-2 -> allowed level-1s, canonical first
    chosen_by_labels: bool = False  # applied when a form's level-1 labels are its own, never by year

    def parent_of(self, level2: str, current_level1: str | None) -> str:
        allowed = self.level2_parents[level2]
        return current_level1 if current_level1 in allowed else allowed[0]

    def only_child(self, level1: str) -> str | None:
        children = [l2 for l2, parents in self.level2_parents.items() if parents[0] == level1]
        return children[0] if len(children) == 1 else None

    def applies_to(self, year: int | None) -> bool:
        if year is None or self.chosen_by_labels:
            return False
        return (self.from_year is None or year >= self.from_year) and (
            self.to_year is None or year <= self.to_year
        )


def _load_template(name: str) -> Template:
    raw = _data(f"templates/{name}.json", schema.TEMPLATE)
    level1 = tuple(entry["label"] for entry in raw["level1"])
    parents: dict[str, list[str]] = {}
    for entry in raw["level1"]:
        for l2 in entry["level2"]:
            if l2 in parents:
                raise ValueError(f"template {name}: level-2 label {l2} listed under two level-1 labels")
            parents[l2] = [entry["label"]]
    for l2, extra in raw.get("also_under", {}).items():
        if l2 not in parents or any(p not in level1 for p in extra):
            raise ValueError(f"template {name}: also_under names unknown label {l2} or {extra}")
        parents[l2].extend(extra)
    overlap = set(level1) & set(parents)
    if overlap:
        raise ValueError(f"template {name}: labels at both levels: {sorted(overlap)}")
    return Template(
        raw["name"], raw["title"], raw.get("from_year"), raw.get("to_year"), level1,
        {k: tuple(v) for k, v in parents.items()}, raw.get("chosen_by_labels", False),
    )


def template_names() -> list[str]:
    folder = data_dir().joinpath("templates")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


@cache
def templates() -> tuple[Template, ...]:
    return tuple(_load_template(n) for n in template_names())


def template_named(name: str) -> Template:
    for t in templates():
        if t.name == name:
            return t
    raise KeyError(f"no template named {name!r}; known: {', '.join(template_names())}")


def template_for_year(year: int | None) -> Template:
    """The template whose years include ``year``; the latest one when unknown."""
    by_year = [t for t in templates() if not t.chosen_by_labels]
    for t in by_year:
        if t.applies_to(year):
            return t
    return by_year[-1]


@cache
def _own_level1_labels() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """For each template chosen by its labels, the level-1 labels no year template has."""
    common = {label for t in templates() if not t.chosen_by_labels for label in t.level1}
    return tuple((t.name, tuple(x for x in t.level1 if x not in common)) for t in templates() if t.chosen_by_labels)


def template_by_labels(cells: Iterable[str]) -> Template | None:
    """The template chosen by its labels at least two of whose own level-1
    labels (项目决策, 项目管理 …, with or without a score) some cell begins with."""
    cells = [c for c in cells if c]
    raw = "".join(cells)
    # cleaning changes no CJK character: a label some cell begins with has each of its CJK characters in the raw text
    maybe = [(name, own) for name, own in _own_level1_labels()
             if sum(1 for label in own if all(ch in raw for ch in label if ch >= "\u2e80")) >= 2]
    if not maybe:
        return None
    text = "\n" + "\n".join(compact(c) for c in cells)
    for name, own in maybe:
        if sum(1 for label in own if "\n" + label in text) >= 2:
            return template_named(name)
    return None


@cache
def vocabulary() -> dict:
    return _data("vocabulary.json", schema.VOCABULARY)


@cache
def unread_sections() -> frozenset[str]:
    """Keys of the labels of a form's sections that no table has a column for
    (项目实施内容及过程概述): a row they open is reported with its text."""
    return frozenset(Vocabulary.key(t) for t in vocabulary().get("unread_sections", ()))


@cache
def units() -> dict:
    return _data("units.json", schema.UNITS)


def _vocab(labels: dict[str, str], cutoff: float) -> Vocabulary:
    return Vocabulary({Vocabulary.key(k): v for k, v in labels.items()}, cutoff, vocabulary()["confusable_chars"])


@cache
def level_vocabulary(template_name: str, cutoff: float) -> tuple[Vocabulary, Vocabulary]:
    """(level-1, level-2) label matchers of a template."""
    t = template_named(template_name)
    return _vocab({x: x for x in t.level1}, cutoff), _vocab({x: x for x in t.level2_parents}, cutoff)


@cache
def source_vocabulary(cutoff: float) -> Vocabulary:
    labels: dict[str, str] = {}
    for src in vocabulary()["funding_sources"]:
        for text in [src["label"], *src["aliases"]]:
            labels[text] = src["label"]
    return _vocab(labels, cutoff)


@cache
def total_source() -> Match:
    """The funding source a budget row without a label is: the form's total."""
    label = next(src["label"] for src in vocabulary()["funding_sources"] if src["key"] == "total")
    return Match(label, 100.0, "exact")


@cache
def source_keys() -> dict[str, str]:
    return {src["label"]: src["key"] for src in vocabulary()["funding_sources"]}


@cache
def column_vocabulary(group: str, cutoff: float) -> Vocabulary:
    """Header-cell matcher for a block: the labels map to column names."""
    labels = {text: column for column, texts in vocabulary()[group].items() for text in texts}
    return _vocab(labels, cutoff)
