"""Slot fitting: the early exit never changes a reading of the real fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

import selfeval.normalize.funding as funding
import selfeval.normalize.indicators as indicators
import selfeval.normalize.slots as slots
from selfeval.pipeline import run


@pytest.fixture()
def recorded_calls(monkeypatch):
    calls = []
    real = slots.fit

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(indicators, "fit", spy)
    monkeypatch.setattr(funding, "fit", spy)
    indicators._read_cells.cache_clear()
    funding._place.cache_clear()
    run([Path("fixtures/forms"), Path("fixtures/variants"), Path("fixtures/templates")])
    indicators._read_cells.cache_clear()
    funding._place.cache_clear()
    return real, calls


def test_early_exit_agrees_with_the_exhaustive_search(recorded_calls, monkeypatch):
    fit, calls = recorded_calls
    assert len(calls) > 500  # distinct rows: repeated rows are read once
    for args, kwargs in calls:
        monkeypatch.setattr(slots, "EARLY_EXIT", True)
        early = fit(*args, **kwargs)
        monkeypatch.setattr(slots, "EARLY_EXIT", False)
        full = fit(*args, **kwargs)
        assert (early.cells, early.offset, early.lost) == (full.cells, full.offset, full.lost)
        assert early.score == pytest.approx(full.score)


def test_a_clean_row_stays_in_place_and_a_shifted_one_moves():
    def number(text: str) -> float:
        return 2.0 if text.replace(".", "").isdigit() else (-3.0 if text else 0.0)

    scorers = {"weight": number, "score": number}
    layout = [("weight", 1), ("score", 2)]
    clean = slots.fit(("x", "10", "20"), 1, layout, scorers)
    assert clean.offset == 0 and not clean.lost and clean.cells == {"weight": (1, "10"), "score": (2, "20")}
    shifted = slots.fit(("x", "", "10", "20"), 1, layout, scorers)
    assert shifted.offset == 1 and shifted.cells == {"weight": (2, "10"), "score": (3, "20")}
