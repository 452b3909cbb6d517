from __future__ import annotations

from pathlib import Path

import pytest

from selfeval.dictionary import BEGIN, END, render


def test_readme_data_dictionary_is_current():
    """Run `make docs` when this fails: the README documents every column,
    finding code and template from the code's own definitions."""
    text = Path("README.md").read_text(encoding="utf-8")
    section = text.split(BEGIN)[1].split(END)[0]
    assert section == "\n" + render()


def test_readme_gives_the_two_commands():
    """The top of the README (up to the first section after its getting
    started) shows exactly `make run` and `make test`; the rest is under Development."""
    import re

    text = Path("README.md").read_text(encoding="utf-8")
    top = text.split("\n## ")[1]
    assert top.startswith("Two commands")
    blocks = re.findall(r"```sh\n(.*?)```", top, re.S)
    assert blocks == ["make run\nmake test\n"]
    assert "make install" not in top and "make batch" not in top
    development = text.split("\n## Development")[1]
    for target in ("make install", "make lint", "make golden", "make docs", "make notebook", "make batch"):
        assert target in development, target


def test_readme_documents_every_option_of_extract():
    import typer

    from selfeval.cli import app

    text = Path("README.md").read_text(encoding="utf-8")
    flags = [o for p in typer.main.get_command(app).commands["extract"].params for o in p.opts if o.startswith("--")]
    assert len(flags) >= 12
    for flag in flags:
        assert flag in text, flag


def test_every_fixture_is_listed_in_the_fixture_readme():
    listed = Path("fixtures/README.md").read_text(encoding="utf-8")
    files = [p for p in Path("fixtures").rglob("*") if p.is_file() and p.name != "README.md" and "expected" not in p.parts]
    missing = [str(p) for p in files if p.name not in listed and p.parent.name not in listed]
    assert missing == []


def test_the_readme_examples_for_opening_the_tables_run(tmp_path, monkeypatch):
    """Every Python block and every sqlite-utils line of "Opening the tables",
    run as a reader would, from a folder whose out/ is a real output."""
    import re
    import shlex
    import subprocess
    import sys

    pytest.importorskip("duckdb")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", "import sys; from selfeval.cli import main; sys.exit(main())",
                           "extract", str(Path.cwd() / "fixtures/forms"), "--out", str(out),
                           "--format", "csv,parquet,sqlite", "-q"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    section = Path("README.md").read_text(encoding="utf-8").split("## Opening the tables")[1].split("\n## ")[0]
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 3
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    namespace: dict = {}
    exec(compile(blocks[-1].replace("duckdb.read_csv(", "result = duckdb.read_csv("), "README.md", "exec"), namespace)
    types = dict(zip(namespace["result"].columns, map(str, namespace["result"].types), strict=True))
    assert types["page"] == "BIGINT" and types["level1_weight"] == "DOUBLE"
    commands = [line for block in re.findall(r"```sh\n(.*?)```", section, re.S) for line in block.splitlines()
                if line.startswith("sqlite-utils ")]
    assert len(commands) == 2
    for line in commands:
        argv = shlex.split(line.split("  #")[0])
        exe = Path(sys.executable).parent / argv[0]
        if not exe.exists():
            pytest.skip("sqlite-utils is in the test extra")
        done = subprocess.run([str(exe), *argv[1:]], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.strip(), line + done.stderr
