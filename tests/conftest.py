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


@pytest.fixture(scope="session")
def seed_out(tmp_path_factory) -> Path:
    """The seed through ``selfeval extract`` (the console script's entry
    point) in a fresh process, once per session: the output folder the
    report and notebook tests read."""
    import subprocess

    out = tmp_path_factory.mktemp("seed") / "out"
    cmd = [sys.executable, "-c", "import sys; from selfeval.cli import main; sys.exit(main())",
           "extract", str(ROOT / SEED), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the clone (real material from other provinces and real
    files, see its REAL-INPUTS.md). CI has it; elsewhere the tests that need it skip."""
    if not (SHARED / "REAL-INPUTS.md").is_file():
        pytest.skip(f"{SHARED} is absent: the real-material tests need ../shared beside the clone")
    return SHARED


@pytest.fixture
def cjk_font(monkeypatch, tmp_path) -> None:
    """LibreOffice (a child process) finds the project's CJK test font as
    well as the system's fonts: without a CJK font it prints every hanzi as
    the fallback glyph of one character, so a print made by LibreOffice
    would depend on the machine's fonts."""
    from fixturegen.pdf import TTF_PATH

    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{TTF_PATH.parent}</dir><cachedir>{tmp_path / 'fontcache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
