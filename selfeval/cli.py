"""The command line: parse options, make one library call, render, exit.

Exit codes (the contract): 0 every input yielded its forms; 1 some input
could not be read (the others are still written; the failures are in
findings and printed); 2 wrong usage.
"""

from __future__ import annotations

import sys
from collections import Counter
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from selfeval import __version__
from selfeval.extract.readers import discover
from selfeval.normalize.vocab import template_names
from selfeval.normalize.writers import write_manifest, write_tables
from selfeval.pipeline import BatchResult, FileResult, run
from selfeval.settings import Settings


class Exit(IntEnum):
    OK = 0
    SOME_INPUT_UNREADABLE = 1
    USAGE = 2


app = typer.Typer(add_completion=False, no_args_is_help=True, help="Chinese performance self-evaluation forms (绩效自评表) to analysis tables.")
err = Console(stderr=True, highlight=False)
FORMATS = ("csv", "parquet")


def _usage(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(Exit.USAGE)


def _formats(value: str) -> list[str]:
    chosen = [v.strip().lower() for v in value.split(",") if v.strip()]
    bad = [v for v in chosen if v not in FORMATS]
    if bad or not chosen:
        raise _usage(f"--format takes a comma-separated list of {', '.join(FORMATS)} (got {value!r})")
    return chosen


@app.command()
def extract(
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the tables and manifest.json.")],
    format: Annotated[str, typer.Option("--format", help="Comma-separated: csv, parquet.")] = "csv,parquet",
    workers: Annotated[int, typer.Option(help="Processes to read files in parallel.", min=1)] = 1,
    template: Annotated[str | None, typer.Option(help="Force an indicator template instead of choosing by year.")] = None,
    report: Annotated[bool, typer.Option("--report", help="Also write report.html for reviewers.")] = False,
    max_file_mb: Annotated[float, typer.Option(help="Skip (and report) input files larger than this.", min=0)] = 200.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Reuse results cached in OUT/.cache by an earlier --resume run for unchanged files.")] = False,
) -> None:
    """Extract every form of the INPUTS into tables in OUT.

    Example: selfeval extract data/2020 --out out/2020
    """
    formats = _formats(format)
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise _usage(f"no such file or folder: {', '.join(missing)}")
    if out.exists() and not out.is_dir():
        raise _usage(f"--out {out} is a file; give a folder (it is created if missing)")
    if template is not None and template not in template_names():
        raise _usage(f"unknown template {template!r}; known: {', '.join(template_names())}")
    settings = Settings(template=template, max_file_bytes=int(max_file_mb * 1024 * 1024))
    batch = _run_with_progress(inputs, settings, workers, quiet, out / ".cache" if resume else None)
    write_tables(out, batch.tables, formats)
    write_manifest(out, batch.manifest())
    if report:
        _write_report(out)
    if not quiet:
        _summary(batch, out)
    _print_failures(batch)
    raise typer.Exit(Exit.SOME_INPUT_UNREADABLE if batch.failed_inputs else Exit.OK)


@app.command("report")
def report_command(out_dir: Annotated[Path, typer.Argument(help="A folder written by `selfeval extract`.")]) -> None:
    """Write OUT_DIR/report.html: what the extraction doubted, for a reviewer.

    Example: selfeval report out/2020
    """
    if not (out_dir / "manifest.json").exists():
        raise _usage(f"{out_dir} holds no manifest.json; run `selfeval extract … --out {out_dir}` first")
    _write_report(out_dir)


@app.command()
def templates() -> None:
    """List the indicator templates (one per framework, chosen by the form's year).

    Example: selfeval templates
    """
    from selfeval.normalize.vocab import templates as all_templates

    for t in all_templates():
        years = f"{t.from_year or '…'}–{t.to_year or '…'}"
        typer.echo(f"{t.name}\t{years}\t{t.title}")


@app.command()
def version() -> None:
    """Print the version.

    Example: selfeval version
    """
    typer.echo(__version__)


def _write_report(out_dir: Path) -> None:
    try:
        from selfeval.report import write_report
    except ImportError as exc:  # the report package is optional at run time
        raise _usage(f"the report writer is not available ({exc})") from exc
    path = write_report(out_dir)
    err.print(f"report: {path}")


def _run_with_progress(inputs: list[Path], settings: Settings, workers: int, quiet: bool,
                       cache_dir: Path | None = None) -> BatchResult:
    show = not quiet and sys.stderr.isatty()
    if not show:
        return run(inputs, settings, workers=workers, cache_dir=cache_dir)
    total = len(discover(inputs)[0])
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("reading", total=total)

        def advance(result: FileResult) -> None:
            bar.update(task, advance=1, description=result.doc_id[-40:])

        return run(inputs, settings, workers=workers, progress=advance, cache_dir=cache_dir)


def _summary(batch: BatchResult, out: Path) -> None:
    tables = batch.tables
    severities = Counter(tables["findings"].column("severity").to_pylist())
    err.print(
        f"{len(batch.files)} input(s), {tables['forms'].num_rows} forms, {tables['funding'].num_rows} funding rows, "
        f"{tables['indicators'].num_rows} indicators -> {out}/"
    )
    err.print(
        "findings: " + ", ".join(f"{severities.get(s, 0)} {s}" for s in ("error", "warning", "info"))
        + f"  (see {out}/findings.csv)"
    )


def _print_failures(batch: BatchResult) -> None:
    for file in batch.files:
        if file.failed:
            for f in file.findings:
                if f.severity.value == "error" and f.form_seq is None:
                    err.print(f"[red]{f.code}[/red]: {f.message}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
