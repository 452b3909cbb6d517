"""The command line: parse options, make one library call, render, exit.

Exit codes (the contract): 0 every input yielded its forms; 1 some input
could not be read (the others are still written; the failures are in
findings and printed); 2 wrong usage, or the output folder could not be
written (then nothing of the run is in place; the message says what to do).
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from selfeval import __version__
from selfeval.extract.readers import discover, printable_name
from selfeval.findings import describe
from selfeval.normalize.vocab import template_names
from selfeval.output.commit import Generation, OutputLock, OutputLocked
from selfeval.output.formats import DEFAULT_FORMATS, FORMATS
from selfeval.output.stream import SHOWN_ERRORS, TableWriter
from selfeval.output.writers import write_manifest
from selfeval.pipeline import BatchResult
from selfeval.pipeline import run as pipeline_run
from selfeval.progress import batch_progress
from selfeval.settings import (
    DEFAULT_FILE_TIME_BUDGET_S,
    DEFAULT_MAX_IMAGE_PIXELS,
    DEFAULT_MAX_INFLATED_BYTES,
    DEFAULT_MAX_OCR_PIXELS,
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_SHEET_CELLS,
    DEFAULT_MAX_TABLE_SPAN,
    DEFAULT_OFFICE_TIMEOUT_S,
    Settings,
)


class Exit(IntEnum):
    OK = 0
    SOME_INPUT_UNREADABLE = 1
    USAGE = 2
    CANNOT_WRITE = 2  # the same status: the run could not do what was asked


# Plain help (click's): flags shown as flags, every option's help in full.
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False)
# Messages are never wrapped: a path or a message stays on one line (piped, or on a terminal).
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _usage(message: str) -> typer.Exit:
    err.print(Text.assemble(("error:", "red"), " " + message))
    return typer.Exit(Exit.USAGE)


def _formats(value: str) -> list[str]:
    chosen = [v.strip().lower() for v in value.split(",") if v.strip()]
    bad = [v for v in chosen if v not in FORMATS]
    if bad or not chosen:
        raise _usage(f"--format takes a comma-separated list of {', '.join(FORMATS)} (got {value!r})")
    return chosen


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"selfeval {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Chinese performance self-evaluation forms (绩效自评表) to analysis tables."""


@app.command(short_help="Extract every form of the INPUTs into tables in OUT.")
def extract(
    inputs: Annotated[list[Path], typer.Argument(metavar="INPUT", help="Files or folders (searched recursively).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Output folder for the tables and manifest.json (created if missing).")],
    format: Annotated[str, typer.Option("--format", metavar="FORMATS", help="Comma-separated: csv, parquet, xlsx (one workbook, OUT/selfeval.xlsx), sqlite (one database, OUT/selfeval.db).")] = ",".join(DEFAULT_FORMATS),
    csv_bom: Annotated[bool, typer.Option("--csv-bom", help="Start each CSV file with a UTF-8 byte-order mark, so that Excel opens it as UTF-8.")] = False,
    workers: Annotated[int, typer.Option(metavar="N", help="Processes to read files in parallel.", min=1)] = 1,
    template: Annotated[str | None, typer.Option(metavar="NAME", help="Force an indicator template instead of choosing by year (see `selfeval templates`).")] = None,
    report: Annotated[bool, typer.Option("--report", help="Also write report.html for reviewers.")] = False,
    max_file_mb: Annotated[float, typer.Option(metavar="MB", help="Skip (and report) input files larger than this; 0: no limit.", min=0)] = 200.0,
    max_pages: Annotated[int, typer.Option(help="Read at most this many pages of a PDF or multi-page image.", min=1)] = DEFAULT_MAX_PAGES,
    max_image_mpx: Annotated[float, typer.Option(help="Refuse (and report) an image or frame of more decoded megapixels; 0: no limit.", min=0)] = DEFAULT_MAX_IMAGE_PIXELS / 1e6,
    max_ocr_mpx: Annotated[float, typer.Option(help="Downscale a page to at most this many megapixels before OCR; 0: no limit.", min=0)] = DEFAULT_MAX_OCR_PIXELS / 1e6,
    max_inflated_mb: Annotated[float, typer.Option(help="Refuse (and report) an .xlsx/.docx whose parts inflate to more; 0: no limit.", min=0)] = DEFAULT_MAX_INFLATED_BYTES / 2**20,
    max_sheet_cells: Annotated[int, typer.Option(help="Skip (and report) a worksheet spanning more cells, or whose merged ranges cover more; 0: no limit.", min=0)] = DEFAULT_MAX_SHEET_CELLS,
    max_table_span: Annotated[int, typer.Option(help="Cut (and report) a table cell spanning more columns; 0: no limit.", min=0)] = DEFAULT_MAX_TABLE_SPAN,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Reuse results cached in OUT/.cache by an earlier --resume run for unchanged files.")] = False,
    file_time_budget: Annotated[float, typer.Option("--file-time-budget", metavar="SECONDS", min=0, help="Stop (and report) a file whose reading takes longer than this; 0: no limit.")] = DEFAULT_FILE_TIME_BUDGET_S,
    scheduler: Annotated[str | None, typer.Option(metavar="ADDRESS", help="Process the files on a Dask cluster at this address (tcp://host:8786); needs the dask extra.")] = None,
    partitioned: Annotated[bool, typer.Option("--partitioned", help="Also write OUT/parquet/<table>/year=YYYY/ (Hive-partitioned Parquet).")] = False,
    corrections: Annotated[Path | None, typer.Option("--corrections", metavar="FILE", help="Apply a reviewer's corrections.csv (from the report) before validation.")] = None,
    max_memory_mb: Annotated[int, typer.Option("--max-memory-mb", metavar="MB", min=0, help="Read each file in a worker process that may take at most this much memory beyond its start (a file over it is reported); 0: no limit.")] = 0,
    office_timeout: Annotated[float, typer.Option("--office-timeout", metavar="SECONDS", min=0, help="Stop (and report) a LibreOffice conversion of a .doc/.wps/.et/.dps that takes longer than this; 0: no limit.")] = DEFAULT_OFFICE_TIMEOUT_S,
) -> None:
    """Extract every form of the INPUTs into tables in OUT.

    Example: selfeval extract data/2020 --out out/2020
    """
    formats = _formats(format)
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise _usage(f"no such file or folder: {', '.join(missing)}")
    with _output_errors(out):
        is_file = out.exists() and not out.is_dir()  # a name too long fails here already
    if is_file:
        raise _usage(f"--out {out} is a file; give a folder (it is created if missing)")
    if template is not None and template not in template_names():
        raise _usage(f"unknown template {template!r}; known: {', '.join(template_names())}")
    settings = Settings(
        template=template, max_file_bytes=int(max_file_mb * 2**20), file_time_budget_s=file_time_budget,
        max_pages=max_pages, max_image_pixels=int(max_image_mpx * 1e6), max_ocr_pixels=int(max_ocr_mpx * 1e6),
        max_inflated_bytes=int(max_inflated_mb * 2**20), max_sheet_cells=max_sheet_cells, max_table_span=max_table_span,
        workers=workers, max_memory_mb=max_memory_mb, cache_dir=out / ".cache" if resume else None,
        corrections=_corrections(corrections), office_timeout_s=office_timeout,
    )
    client = _connect(scheduler) if scheduler else None
    try:
        with _output_errors(out) as writing, OutputLock(out):
            generation = Generation(out)
            try:
                with TableWriter(generation.path, formats, partitioned=partitioned, csv_bom=csv_bom) as writer:
                    batch = _run_with_progress(inputs, settings, quiet, sink=writer, client=client)
                write_manifest(generation.path, batch.manifest_text())
                generation.commit()
                writing.committed = True
            finally:
                generation.abort()  # after the commit: nothing left to remove
            if report:
                _write_page_images(out, quiet)
                _write_report(out, quiet)
    finally:
        if client is not None:
            client.close()
    if not quiet:
        _summary(batch, writer, out)
    _print_errors(batch, writer, out)
    raise typer.Exit(Exit.SOME_INPUT_UNREADABLE if batch.failed_inputs else Exit.OK)


@app.command("report", short_help="Write OUT_DIR/report.html for a reviewer.")
def report_command(out_dir: Annotated[Path, typer.Argument(help="A folder written by `selfeval extract`.")]) -> None:
    """Write OUT_DIR/report.html: what the extraction doubted, for a reviewer.

    Example: selfeval report out/2020
    """
    if not (out_dir / "manifest.json").exists():
        raise _usage(f"{out_dir} holds no manifest.json; run `selfeval extract … --out {out_dir}` first")
    with _output_errors(out_dir) as writing, OutputLock(out_dir):
        writing.committed = True  # the tables are an earlier run's, in place
        _write_page_images(out_dir, quiet=False)
        _write_report(out_dir, quiet=False)


@app.command(short_help="List the indicator templates and their years.")
def templates() -> None:
    """List the indicator templates (one per framework, chosen by the form's year).

    Example: selfeval templates
    """
    from selfeval.normalize.vocab import templates as all_templates

    for t in all_templates():
        years = "by its labels" if t.chosen_by_labels else f"{t.from_year or '…'}–{t.to_year or '…'}"
        typer.echo(f"{t.name}\t{years}\t{t.title}")


@app.command(short_help="Print the version.")
def version() -> None:
    """Print the version.

    Example: selfeval version
    """
    typer.echo(__version__)


_WRITE_PROBLEMS = {
    errno.ENOSPC: "the disk is full; free some space, or give an --out on another disk, and run again",
    errno.EDQUOT: "the disk quota is used up; free some space, or give an --out on another disk, and run again",
    errno.EROFS: "the folder is on a read-only file system; give an --out you can write to",
    errno.EACCES: "permission denied; give an --out you can write to",
    errno.EPERM: "not permitted; give an --out you can write to",
    errno.ENAMETOOLONG: "a file name is too long for the file system; give a shorter --out path",
}


class _Writing:
    committed = False  # the tables and manifest are in place (the report is written after them)


@contextmanager
def _output_errors(out: Path) -> Iterator[_Writing]:
    """The output folder's errors (disk full, read-only, a name too long,
    another run writing into it) as a message and exit status 2.  Until the
    commit nothing of the run is in place: its tables go in only as a whole."""
    writing = _Writing()
    try:
        yield writing
    except OutputLocked as locked:
        err.print(Text.assemble(("error:", "red"), " " + str(locked)))  # our own message, not a library's
        raise typer.Exit(Exit.CANNOT_WRITE) from None
    except OSError as exc:
        what = _WRITE_PROBLEMS.get(exc.errno, f"{exc.strerror or exc}; check that you can write there")
        where = f" ({printable_name(str(exc.filename))})" if exc.filename else ""
        kept = ("the tables and manifest.json of this run are in place; the report is not complete"
                if writing.committed else
                "nothing of this run was put in place; the outputs of an earlier run there are unchanged")
        err.print(Text.assemble(("error:", "red"), f" cannot write the output in {out}{where}: {what}. {kept}."))
        raise typer.Exit(Exit.CANNOT_WRITE) from None


def _write_page_images(out_dir: Path, quiet: bool) -> None:
    """OUT/pages/*.png for the report: the PDF and image pages that hold forms (only with --report)."""
    from selfeval.pages import render_pages

    images, problems = render_pages(out_dir)
    for problem in problems:
        err.print(Text.assemble(("page image:", "yellow"), " " + problem))
    if images and not quiet:
        err.print(f"page images: {len(images)} in {out_dir / 'pages'}/")


def _write_report(out_dir: Path, quiet: bool) -> None:
    try:
        from selfeval.report import write_report
    except ImportError as exc:  # the report package is optional at run time
        raise _usage(f"the report writer is not available ({describe(exc)})") from exc
    path = write_report(out_dir)
    if not quiet:
        err.print(f"report: {path}")


def _corrections(path: Path | None) -> tuple:
    if path is None:
        return ()
    from selfeval.corrections import CorrectionsError, read_corrections

    try:
        return read_corrections(path)
    except CorrectionsError as exc:
        raise _usage(str(exc)) from exc


def _connect(scheduler: str):
    try:
        from selfeval.distributed import connect

        return connect(scheduler)
    except ImportError as exc:
        raise _usage(str(exc)) from exc
    except (OSError, TimeoutError, ValueError) as exc:
        raise _usage(f"cannot reach the Dask scheduler at {scheduler} ({describe(exc)}); start it with `dask scheduler` "
                     "and give its address, e.g. tcp://host:8786") from exc


def _run_with_progress(inputs: list[Path], settings: Settings, quiet: bool, sink: TableWriter | None = None,
                       client=None) -> BatchResult:
    def run(progress=None):
        if client is not None:
            from selfeval.distributed import run_on_cluster

            return run_on_cluster(inputs, client, settings, progress, sink)
        return pipeline_run(inputs, settings, progress, sink)

    if quiet or not err.is_terminal:
        return run()
    with batch_progress(err, len(discover(inputs)[0])) as bar:
        return run(bar)


def _summary(batch: BatchResult, writer: TableWriter, out: Path) -> None:
    counts, severities = writer.counts, writer.severities
    err.print(
        f"{len(batch.files)} input(s), {counts['forms']} forms, {counts['funding']} funding rows, "
        f"{counts['indicators']} indicators -> {out}/"
    )
    err.print(
        "findings: " + ", ".join(f"{severities.get(s, 0)} {s}" for s in ("error", "warning", "info"))
        + f"  (see {_findings_file(out, writer.formats)})"
    )


def _findings_file(out: Path, formats) -> Path:
    return out / f"findings.{'csv' if 'csv' in formats else formats[0]}"


def _print_errors(batch: BatchResult, writer: TableWriter, out: Path) -> None:
    """Every error finding, or the first ones and how many more are where:
    first why each failed input failed, then the other errors in table order."""
    shown: list[tuple[str, str, str]] = []
    for file in batch.failed_files:
        shown += [(file.doc_id, f.code, f.message) for f in file.errors]
    seen = set(shown)
    for row in writer.first_errors:
        if len(shown) >= SHOWN_ERRORS:
            break
        key = (row["doc_id"] or "", row["code"], row["message"])
        if key not in seen:
            shown.append(key)
            seen.add(key)
    for doc_id, code, message in shown:
        where = "" if not doc_id or message.startswith(doc_id) or "/" in message.split(":")[0] else f"{doc_id}: "
        err.print(Text.assemble((code, "red"), f": {where}{message}"))
    more = writer.severities.get("error", 0) - len(shown)
    if more > 0:
        err.print(f"… and {more} more error finding(s): see {_findings_file(out, writer.formats)} (severity error)")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
