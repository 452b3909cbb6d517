from __future__ import annotations

from pathlib import Path

from selfeval.dictionary import BEGIN, END, render


def test_readme_data_dictionary_is_current():
    """Run `make docs` when this fails: the README documents every column,
    finding code and template from the code's own definitions."""
    text = Path("README.md").read_text(encoding="utf-8")
    section = text.split(BEGIN)[1].split(END)[0]
    assert section == "\n" + render()


def test_readme_gives_the_two_commands():
    text = Path("README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text


def test_every_fixture_is_listed_in_the_fixture_readme():
    listed = Path("fixtures/README.md").read_text(encoding="utf-8")
    files = [p for p in Path("fixtures").rglob("*") if p.is_file() and p.name != "README.md" and "expected" not in p.parts]
    missing = [str(p) for p in files if p.name not in listed and p.parent.name not in listed]
    assert missing == []
