"""The --resume cache is JSON (selfeval.cache): a FileResult survives the round trip
exactly, and an entry that is not one of ours is rejected, never executed.
Its key changes with everything that can change a reading, and only with that."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from selfeval import cache
from selfeval.cache import CACHE_FORMAT, ResultCache
from selfeval.extract.grid import Place
from selfeval.extract.readers import InputFile
from selfeval.normalize.values import Value
from selfeval.pipeline import process_file
from selfeval.settings import Settings

SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")


@pytest.fixture(scope="module")
def seed_result():
    return process_file(InputFile(SEED, SEED.name), Settings())


def test_a_seed_result_survives_json_and_back(seed_result):
    data = cache.dumps(seed_result, CACHE_FORMAT)
    back = cache.loads(data, CACHE_FORMAT)
    assert back == seed_result
    assert len(back.forms) == 27
    assert all(isinstance(i.target, Value) for f in back.forms for i in f.indicators)
    assert all(isinstance(p, Place) for f in back.forms for p in f.used_lines)
    assert cache.dumps(back, CACHE_FORMAT) == data  # the same bytes every time
    assert json.loads(data)["format"] == CACHE_FORMAT


def test_decimals_are_strings_and_read_back_exactly(seed_result):
    form = seed_result.forms[0]
    odd = replace(form.funding[0], budget_initial=Decimal("1234.500"), score=Decimal("1E+309"))
    form2 = replace(form, funding=[odd], total_place=None)
    result = replace(seed_result, forms=[form2])
    d = cache.to_dict(result)
    assert d["forms"][0]["funding"][0]["budget_initial"] == "1234.500"
    back = cache.from_dict(json.loads(json.dumps(d)))
    assert str(back.forms[0].funding[0].budget_initial) == "1234.500"
    assert back.forms[0].funding[0].score == Decimal("1E+309")
    assert back == result


@pytest.mark.parametrize("data", [
    b"",
    b"not json",
    pickle.dumps({"format": CACHE_FORMAT}),
    json.dumps({"format": CACHE_FORMAT - 1, "result": {}}).encode(),
    json.dumps({"format": CACHE_FORMAT, "result": {"doc_id": 1}}).encode(),
    b'{"format": 3, "result": NaN}',
    b"[" * 100_000 + b"]" * 100_000,
])
def test_anything_else_is_not_a_cache_entry(tmp_path, data):
    with pytest.raises(cache.CacheFormatError):  # rejected as such, not by crashing
        cache.loads(data, CACHE_FORMAT)
    ResultCache(tmp_path, Settings()).path("k").write_bytes(data)
    assert ResultCache(tmp_path, Settings()).load("k") is None


def test_a_changed_value_type_is_rejected(seed_result):
    d = cache.to_dict(seed_result)
    d["forms"][0]["funding"][0]["budget_initial"] = 1.5  # a float where a decimal string belongs
    with pytest.raises(cache.CacheFormatError):
        cache.from_dict(d)
    d = cache.to_dict(seed_result)
    d["findings"][0]["code"] = "no_such_code"
    with pytest.raises(cache.CacheFormatError):
        cache.from_dict(d)


def test_the_key_holds_everything_that_can_change_a_reading(tmp_path, monkeypatch):
    import shutil

    from selfeval.extract import readers
    from selfeval.normalize import vocab

    item, sha = InputFile(SEED, SEED.name), "0" * 64
    base = ResultCache(tmp_path, Settings()).key(item, sha, ".txt")
    assert ResultCache(tmp_path / "elsewhere", Settings()).key(item, sha, ".txt") == base  # where the cache is: no
    # the batch's own settings are not in it: more workers, a memory limit or a budget reuse the cache
    assert ResultCache(tmp_path, Settings(workers=4, max_memory_mb=900, file_time_budget_s=5)).key(item, sha, ".txt") == base
    changed = {
        "bytes": ResultCache(tmp_path, Settings()).key(item, "1" * 64, ".txt"),
        "doc_id": ResultCache(tmp_path, Settings()).key(InputFile(SEED, "other.txt"), sha, ".txt"),
        "a reading setting": ResultCache(tmp_path, Settings(score_tolerance=0.1)).key(item, sha, ".txt"),
        "the template": ResultCache(tmp_path, Settings(template="cn-2021")).key(item, sha, ".txt"),
    }
    # a data file of the package: the same bytes elsewhere give the same key, one changed byte another
    copy = tmp_path / "data"
    shutil.copytree(Path(str(vocab.data_dir().joinpath("units.json"))).parent, copy)
    monkeypatch.setattr(vocab, "data_dir", lambda: copy)
    assert ResultCache(tmp_path, Settings()).key(item, sha, ".txt") == base
    units = copy / "units.json"
    units.write_text(units.read_text(encoding="utf-8").replace("万元", "万 元", 1), encoding="utf-8")
    changed["a data file"] = ResultCache(tmp_path, Settings()).key(item, sha, ".txt")
    monkeypatch.undo()
    # an optional component's version: a reader that declares one has it in the key
    monkeypatch.setitem(readers.COMPONENTS, ".txt", ("test_cache:_component_v1",))
    readers.component_versions.cache_clear()
    changed["a component"] = ResultCache(tmp_path, Settings()).key(item, sha, ".txt")
    monkeypatch.setitem(readers.COMPONENTS, ".txt", ("test_cache:_component_v2",))
    readers.component_versions.cache_clear()
    changed["another component version"] = ResultCache(tmp_path, Settings()).key(item, sha, ".txt")
    monkeypatch.undo()
    readers.component_versions.cache_clear()
    assert ResultCache(tmp_path, Settings()).key(item, sha, ".txt") == base
    assert len(set(changed.values()) | {base}) == len(changed) + 1, changed


def _component_v1() -> str:
    return "engine 1.0"


def _component_v2() -> str:
    return "engine 1.1"
