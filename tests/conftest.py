from __future__ import annotations

import sys
from pathlib import Path as _P

sys.path.insert(0, str(_P(__file__).parent))

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    """Run every test from the repository root, so paths in outputs are stable."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def seed_batch():
    from selfeval.pipeline import run

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return run([SEED])
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="session")
def seed_tables(seed_batch):
    return {name: table.to_pandas() for name, table in seed_batch.tables.items()}
