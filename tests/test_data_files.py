"""The repair model is data: selfeval/data is checked on load, and one comparator
vocabulary serves value parsing and the 指标性质 column alike."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from selfeval.normalize import schema, scorers
from selfeval.normalize.values import comparator_words, parse_value
from selfeval.normalize.vocab import templates, units, vocabulary
from selfeval.settings import DEFAULT_WEIGHTS, ScoringWeights, Settings


def _raw(name: str) -> dict:
    return json.loads(resources.files("selfeval.data").joinpath(name).read_text(encoding="utf-8"))


def test_the_shipped_data_files_fit_their_specs():
    assert vocabulary()["default_columns"]["indicators"]["level3"] == 3
    assert units()["units"]["%"] == ["ratio", "0.01"]
    assert {t.name for t in templates()} >= {"cn-2020", "cn-2021"}


@pytest.mark.parametrize(
    "path,bad,words",
    [
        (("funding_colums",), None, ["unknown key 'funding_colums'"]),
        (("indicator_columns", "targte"), ["年度指标值"], ["indicator_columns", "unknown key 'targte'"]),
        (("default_columns", "indicators", "level3"), "3", ["default_columns.indicators.level3", "must be int"]),
        (("comparators", "prefix", "不少于"), "≧", ["comparators.prefix.不少于", "not one of"]),
        (("null_markers",), "—", ["null_markers", "must be a list"]),
        (("done_phrases", "verbs"), ["完成", "done"], ["done_phrases.verbs[1]", "not a word of Chinese characters"]),
        (("done_phrases", "before"), ["已", "均", "已"], ["done_phrases.before[2]", "listed twice"]),
        (("done_phrases", "verb"), ["完成"], ["done_phrases", "unknown key 'verb'"]),
    ],
)
def test_a_misspelt_or_mistyped_vocabulary_key_is_an_error(path, bad, words):
    data = copy.deepcopy(_raw("vocabulary.json"))
    if path == ("funding_colums",):
        data["funding_colums"] = data.pop("funding_columns")
    else:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = bad
    with pytest.raises(schema.DataFileError) as caught:
        schema.check(data, schema.VOCABULARY, "selfeval/data/vocabulary.json")
    message = str(caught.value)
    assert message.startswith("selfeval/data/vocabulary.json: ")
    for word in words:
        assert word in message


def test_a_misspelt_template_key_is_an_error():
    data = _raw("templates/cn-2020.json")
    data["levl1"] = data.pop("level1")
    with pytest.raises(schema.DataFileError, match="unknown key 'levl1'"):
        schema.check(data, schema.TEMPLATE, "selfeval/data/templates/cn-2020.json")


@pytest.mark.parametrize("spelling,op", [("等于", "="), ("不少于", "≥"), ("不超过", "≤"), ("达到", "≥"), ("不低于", "≥")])
def test_one_comparator_vocabulary(spelling, op):
    """A spelling reads the same in a value (≥ before the number) and alone in 指标性质."""
    value = parse_value(f"{spelling}95%")
    assert (value.op, value.value, value.unit) == (op, 95, "%")
    assert spelling in comparator_words()
    assert scorers.cell_scorers()["comparator"](spelling) == DEFAULT_WEIGHTS.comparator_fits
    assert not scorers.name_cell(spelling)


def test_the_scoring_weights_are_settings():
    heavier = ScoringWeights(lost_cell=9.0)
    assert Settings(weights=heavier).weights.lost_cell == 9.0
    assert scorers.cell_scorers(ScoringWeights(number_fits=5.0))["number"]("20.00") == 5.0
    assert scorers.cell_scorers()["number"]("20.00") == DEFAULT_WEIGHTS.number_fits
