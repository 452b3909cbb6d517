"""The shape of the data files in ``selfeval/data``, checked when they are loaded.

The repair model is data (vocabularies, default columns, placeholders, list
marks, comparators, frameworks); a misspelt key in one of those files is an
error naming the file and the key, never a stray entry that silently does
nothing.  A spec is a type (``str``, ``int``…), a list ``[spec]``, a dict of
fixed keys ``{"key": spec}`` (a key ending in ``?`` is optional), or
``Keys(names, spec)``: any of the listed names (all of them when ``required``)
mapping to ``spec``, or ``Words()``: a list of words of Chinese characters,
none twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FUNDING_SLOTS = ("budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score")
INDICATOR_SLOTS = (
    "level1", "level2", "level3", "target_op", "target", "target_unit", "actual", "weight", "score", "note",
    # whole-department forms (部门整体支出绩效自评表)
    "measure_unit", "indicator_kind", "target_adjusted", "score_coefficient", "is_core",
)
GOAL_SLOTS = ("target", "target_adjusted", "actual")
HEAD_FIELDS = ("budget_unit", "implementing_unit", "project_name", "department", "contact_person", "contact_phone",
               "finance_office", "self_score")
FORM_TEXTS = ("evaluation_conclusion", "problems", "improvements", "project_leader")
BLOCKS = ("funding", "goal", "indicators", "total")
COMPARATORS = ("≥", "≤", ">", "<", "=")


@dataclass(frozen=True)
class Keys:
    names: tuple[str, ...]
    spec: Any
    required: bool = False


@dataclass(frozen=True)
class OneOf:
    values: tuple[str, ...]


@dataclass(frozen=True)
class Words:
    """A list of words of Chinese characters, none listed twice."""


SOURCE = {"key": str, "label": str, "aliases": [str]}
VOCABULARY = {  # see selfeval/data/vocabulary.json
    "funding_sources": [SOURCE],
    "funding_columns": Keys(FUNDING_SLOTS, [str], required=True),
    "indicator_columns": Keys(INDICATOR_SLOTS, [str]),
    "department_indicator_columns?": Keys(INDICATOR_SLOTS, [str]),
    "goal_columns": Keys(GOAL_SLOTS, [str]),
    "header_fields": Keys(HEAD_FIELDS, [str]),
    "form_texts": Keys(FORM_TEXTS, [str]),
    "block_labels": Keys(BLOCKS, [str], required=True),
    "unread_sections?": [str],  # a form's sections no table has a column for: reported with their text
    "unread_head_fields?": [str],  # head fields no table has a column for (财政审核评分): reported with their text
    # a goal text saying what was done: a verb after a mark of the done (已完成, 均按时足额发放) or before one (完成了)
    "done_phrases?": {"verbs": Words(), "before": Words(), "after": Words()},
    "department_titles?": [str],
    "null_markers": [str],
    "list_marks": [str],
    "confusable_chars": Keys((), str),
    "look_alike_titles": [str],
    "comparators": {"prefix": Keys((), OneOf(COMPARATORS)), "suffix": Keys((), OneOf(COMPARATORS))},
    "default_columns": {
        "funding": Keys(FUNDING_SLOTS, int, required=True),
        "indicators": Keys(INDICATOR_SLOTS, int),
    },
}
UNITS = {
    "aliases": Keys((), str),
    "units": Keys((), [(str, type(None))]),
    "scaled_prefixes": Keys((), str),
    "money_per_prefixes": [str],
}
TEMPLATE = {
    "name": str,
    "title": str,
    "from_year": (int, type(None)),
    "to_year": (int, type(None)),
    "level1": [{"label": str, "level2": [str]}],
    "also_under": Keys((), [str]),
    "chosen_by_labels?": bool,
}


class DataFileError(ValueError):
    """A data file in selfeval/data that does not have the shape the code reads."""


def check(data: Any, spec: Any, where: str) -> None:
    """Raise :class:`DataFileError` naming ``where`` and the path of the first
    value that does not fit ``spec``."""
    _check(data, spec, where, "")


def _fail(where: str, path: str, what: str) -> None:
    raise DataFileError(f"{where}: {path or 'the top level'}: {what}")


def _check(data: Any, spec: Any, where: str, path: str) -> None:
    if isinstance(spec, Words):
        _check(data, [str], where, path)
        for i, word in enumerate(data):
            if not word or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
                _fail(where, f"{path}[{i}]", f"{word!r} is not a word of Chinese characters")
            if data.index(word) != i:
                _fail(where, f"{path}[{i}]", f"{word!r} is listed twice")
    elif isinstance(spec, OneOf):
        if data not in spec.values:
            _fail(where, path, f"{data!r} is not one of {', '.join(spec.values)}")
    elif isinstance(spec, Keys):
        if not isinstance(data, dict):
            _fail(where, path, "must be an object")
        unknown = [k for k in data if spec.names and k not in spec.names]
        if unknown:
            _fail(where, path, f"unknown key {unknown[0]!r}; known: {', '.join(spec.names)}")
        missing = [k for k in spec.names if spec.required and k not in data]
        if missing:
            _fail(where, path, f"missing key {missing[0]!r}")
        for key, value in data.items():
            _check(value, spec.spec, where, f"{path}.{key}" if path else key)
    elif isinstance(spec, dict):
        if not isinstance(data, dict):
            _fail(where, path, "must be an object")
        known = {k.rstrip("?"): k.endswith("?") for k in spec}
        unknown = [k for k in data if k not in known]
        if unknown:
            _fail(where, path, f"unknown key {unknown[0]!r}; known: {', '.join(known)}")
        missing = [k for k, optional in known.items() if not optional and k not in data]
        if missing:
            _fail(where, path, f"missing key {missing[0]!r}")
        for key, value in data.items():
            sub = spec[key] if key in spec else spec[key + "?"]
            _check(value, sub, where, f"{path}.{key}" if path else key)
    elif isinstance(spec, list):
        if not isinstance(data, list):
            _fail(where, path, "must be a list")
        for i, item in enumerate(data):
            _check(item, spec[0], where, f"{path}[{i}]")
    elif not isinstance(data, spec) or (spec is int and isinstance(data, bool)):
        names = spec.__name__ if isinstance(spec, type) else " or ".join(t.__name__ for t in spec)
        _fail(where, path, f"{data!r} must be {names}")
