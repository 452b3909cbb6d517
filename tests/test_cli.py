"""The command line: exit codes, messages, outputs, determinism."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from selfeval.cli import app

runner = CliRunner()
SEED = "fixtures/forms/seed-2020-rongchang-27-forms.txt"


def test_extract_writes_the_four_tables_and_manifest(tmp_path):
    result = runner.invoke(app, ["extract", SEED, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))  # .generations, .selfeval.lock
    outputs = sorted([f"{t}.{x}" for t in ("forms", "funding", "indicators", "findings") for x in ("csv", "parquet")] + ["datapackage.json", "manifest.json"])
    assert names == sorted([*outputs, "current"])
    assert sorted(p.name for p in (tmp_path / "current").iterdir()) == outputs  # the generation the links read
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entry = manifest["inputs"][0]
    assert entry["forms"] == 27 and entry["lines"] == entry["lines_used"] and len(entry["sha256"]) == 64
    assert "27 forms" in result.output


def test_same_input_gives_byte_identical_csv(tmp_path):
    for out in ("a", "b"):
        assert runner.invoke(app, ["extract", "fixtures/forms", "--out", str(tmp_path / out), "--format", "csv"]).exit_code == 0
    for name in ("forms", "funding", "indicators", "findings"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()


def test_workers_give_the_same_tables(tmp_path):
    args = ["extract", "fixtures/variants", "--format", "csv"]
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "one")]).exit_code == 0
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "two"), "--workers", "2"]).exit_code == 0
    for name in ("forms", "funding", "indicators", "findings"):
        assert (tmp_path / "one" / f"{name}.csv").read_bytes() == (tmp_path / "two" / f"{name}.csv").read_bytes()


def test_unreadable_input_exits_1_names_the_file_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(Path(SEED).read_bytes())
    (folder / "image.txt").write_bytes(b"\x00\x01\x02\x03" * 500)
    (folder / "notes.csv").write_text("a,b\n")
    result = runner.invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "image.txt" in result.output and "Traceback" not in result.output
    findings = (tmp_path / "out" / "findings.csv").read_text(encoding="utf-8")
    assert "unreadable_input" in findings and "skipped_file" in findings
    assert (tmp_path / "out" / "forms.csv").read_text(encoding="utf-8").count("\n") == 28


def test_a_text_without_forms_exits_1(tmp_path):
    (tmp_path / "x.txt").write_text("hello\nworld\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(tmp_path / "x.txt"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "no_forms_found" in result.output


def test_usage_errors_exit_2_with_what_to_do(tmp_path):
    result = runner.invoke(app, ["extract", "no/such/file", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no such file or folder: no/such/file" in result.output
    result = runner.invoke(app, ["extract", SEED, "--out", str(tmp_path), "--format", "xml"])
    assert result.exit_code == 2 and "--format takes" in result.output
    result = runner.invoke(app, ["extract", SEED, "--out", str(tmp_path), "--template", "cn-1999"])
    assert result.exit_code == 2 and "known: cn-2020, cn-2021" in result.output
    assert runner.invoke(app, ["extract"]).exit_code == 2


def test_template_can_be_forced(tmp_path):
    assert runner.invoke(app, ["extract", SEED, "--out", str(tmp_path), "--template", "cn-2021", "--format", "csv"]).exit_code == 0
    assert "cn-2021" in (tmp_path / "forms.csv").read_text(encoding="utf-8")


def test_every_command_has_a_docstring_with_an_example():
    for command in app.registered_commands:
        doc = command.callback.__doc__ or ""
        assert "Example: selfeval" in doc, command.callback.__name__



# -- the command line as a user meets it ---------------------------------------------------
def test_version_option_and_command():
    from selfeval import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"selfeval {__version__}\n"
    assert runner.invoke(app, ["version"]).output == f"{__version__}\n"


def _flat(text: str) -> str:
    """Help text with click's line wrapping undone."""
    return " ".join(text.split()).replace("- ", "-")


def test_help_shows_flags_as_flags_and_every_text_in_full():
    import re

    import typer

    result = runner.invoke(app, ["extract", "--help"])
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "…" not in result.output
    for flag in ("--report", "--quiet", "--resume", "--partitioned", "--csv-bom"):
        assert re.search(rf"^\s+(-q, )?{flag}\s{{2,}}[A-Z]", result.output, re.M), flag
    # every option's help as written, in full
    params = typer.main.get_command(app).commands["extract"].params
    helps = [p.help for p in params if getattr(p, "help", None)]
    assert len(helps) == len(params) >= 13
    for text in helps:
        assert _flat(text) in _flat(result.output), text
    top = runner.invoke(app, ["--help"]).output
    assert "--version" in top and "…" not in top and "..." not in top.split("Commands:")[1]


def test_quiet_prints_nothing_on_success_even_with_the_report(tmp_path):
    result = runner.invoke(app, ["extract", SEED, "--out", str(tmp_path), "--report", "-q"])
    assert result.exit_code == 0 and result.output == ""
    assert (tmp_path / "report.html").is_file()


def test_quiet_still_prints_the_errors(tmp_path):
    (tmp_path / "x.txt").write_text("hello\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(tmp_path / "x.txt"), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 1
    assert result.output == (f"no_forms_found: {tmp_path / 'x.txt'}: no 绩效自评表 found (no 项目序号 or title line); "
                             "is this a self-evaluation form?\n")


def test_every_error_finding_is_printed_or_counted_with_where_to_look(tmp_path):
    seed = Path(SEED).read_text(encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "stray.txt").write_text("".join(f"stray note {i}\n" for i in range(1, 26)) + seed, encoding="utf-8")
    (tmp_path / "in" / "x.txt").write_text("hello\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(tmp_path / "in"), "--out", str(out)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "findings: 26 error," in result.output  # 25 stray lines and the file without forms
    errors = [line for line in lines if line.startswith(("no_forms_found:", "unparsed_line:"))]
    assert errors[0].startswith(f"no_forms_found: {tmp_path / 'in' / 'x.txt'}: ")  # why the failed input failed, first
    assert errors[1] == "unparsed_line: stray.txt: line 1: before the first form; kept here"
    assert len(errors) == 20
    assert lines[-1] == f"… and 6 more error finding(s): see {out / 'findings.csv'} (severity error)"


def test_messages_are_not_wrapped_when_piped(tmp_path):
    import subprocess
    import sys

    deep = tmp_path / ("a-long-folder-name-" * 4) / ("another-long-one-" * 3)
    deep.mkdir(parents=True)
    (deep / "notes-without-any-form.txt").write_text("hello\n", encoding="utf-8")
    cmd = [sys.executable, "-c", "import sys; from selfeval.cli import main; sys.exit(main())",
           "extract", str(deep), "--out", str(tmp_path / "out"), "--format", "csv"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "60"})
    assert done.returncode == 1 and done.stdout == ""
    assert f"no_forms_found: {deep / 'notes-without-any-form.txt'}: no 绩效自评表 found" in done.stderr.splitlines()[-1]
    assert "\x1b[" not in done.stderr  # no colours either
    usage = subprocess.run([*cmd[:4], "extract", str(deep), "--out", str(tmp_path / "o2"), "--format", "xml"],
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2
    assert usage.stderr == "error: --format takes a comma-separated list of csv, parquet, xlsx, sqlite (got 'xml')\n"


def test_the_progress_bar_counts_the_pages_of_a_long_pdf(tmp_path):
    import io

    from fixturegen import load_seed, select
    from fixturegen.pdf import render_pdf
    from rich.console import Console

    from selfeval import progress as progress_module
    from selfeval.pipeline import run

    pdf = render_pdf(select(load_seed(), [1, 2, 3]), tmp_path / "three.pdf")  # one form per page
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    seen = []
    with progress_module.batch_progress(console, files=2) as bar:
        original = bar.page_done

        def page_done(doc_id, number, pages):
            original(doc_id, number, pages)
            seen.append((doc_id, number, pages, bar.bar.tasks[-1].completed, bar.bar.tasks[-1].total))

        bar.page_done = page_done  # the run takes the bar's listener: record through the bar's own
        run([pdf, Path(SEED)], progress=bar)
        assert bar.bar.tasks[0].completed == 2 and bar.pages is None  # the pages bar goes with its file
    assert [s[:3] for s in seen] == [("three.pdf", n, 3) for n in (1, 2, 3)]
    assert [s[3:] for s in seen] == [(1, 3), (2, 3), (3, 3)]
    assert "left" in console.file.getvalue()
