"""Loading a batch output folder: the four tables, the manifest and the source text.

Tables are read from ``NAME.parquet``, falling back to ``NAME.csv`` (an
extraction run with ``--format csv``).  Key and line columns are made
nullable integers whichever file they came from, so the rest of the report
never sees float form numbers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from selfeval.extract.decode import decode_bytes
from selfeval.extract.readers import TEXT_SUFFIXES  # the names the text reader reads
from selfeval.extract.text import detect_shape, split_pipe, split_spaces
from selfeval.findings import describe
from selfeval.output.writers import csv_unsafe
from selfeval.pages import page_image_name

TABLES = ("forms", "funding", "indicators", "findings")
INT_COLUMNS = ("form_seq", "form_index", "indicator_seq", "line", "line_start", "line_end", "page", "year")
PAGE_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


class ReportInputError(Exception):
    """The output folder cannot be reported on; the message says what to do."""


@dataclass
class BatchTables:
    out_dir: Path
    forms: pd.DataFrame
    funding: pd.DataFrame
    indicators: pd.DataFrame
    findings: pd.DataFrame
    manifest: dict
    formats: dict[str, str] = field(default_factory=dict)  # table name -> "parquet" | "csv"


def _read_table(out_dir: Path, name: str) -> tuple[pd.DataFrame, str]:
    parquet, csv = out_dir / f"{name}.parquet", out_dir / f"{name}.csv"
    if parquet.is_file():
        frame, fmt = pd.read_parquet(parquet), "parquet"
    elif csv.is_file():
        frame = pd.read_csv(csv, dtype={"doc_id": str, "code": str, "severity": str}, keep_default_na=True)
        for column in frame.columns:  # undo the CSV's formula guard on text columns
            if not pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
                frame[column] = frame[column].map(lambda v: csv_unsafe(v) if isinstance(v, str) else v)
        fmt = "csv"
    else:
        raise ReportInputError(
            f"{out_dir}: no {name}.parquet or {name}.csv; run `selfeval extract INPUT... --out {out_dir}` first"
        )
    for column in INT_COLUMNS:
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").round().astype("Int64")
    if "form_index" not in frame.columns and "form_seq" in frame.columns:
        frame["form_index"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    return frame, fmt


def _read_manifest(out_dir: Path) -> dict:
    path = out_dir / "manifest.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {"_error": f"manifest.json could not be read: {describe(exc)}"}
    return data if isinstance(data, dict) else {"inputs": data}


def load_batch(out_dir: Path) -> BatchTables:
    """Read the four tables and the manifest of one output folder."""
    if not out_dir.is_dir():
        raise ReportInputError(f"{out_dir} is not a folder; give the folder `selfeval extract --out` wrote")
    frames, formats = {}, {}
    for name in TABLES:
        frames[name], formats[name] = _read_table(out_dir, name)
    _fill_form_index(frames)
    return BatchTables(out_dir, manifest=_read_manifest(out_dir), formats=formats, **frames)


def _fill_form_index(frames: dict[str, pd.DataFrame]) -> None:
    """Tables written without form_index: number forms by their position in each document,
    and give the other tables the index of the first form with their (doc_id, form_seq)."""
    forms = frames["forms"]
    if forms["form_index"].notna().all():
        return
    forms["form_index"] = (forms.groupby("doc_id", sort=False).cumcount() + 1).astype("Int64")
    first = forms.drop_duplicates(["doc_id", "form_seq"]).set_index(["doc_id", "form_seq"])["form_index"]
    for name in ("funding", "indicators", "findings"):
        frame = frames[name]
        if frame["form_index"].isna().all() and len(frame):
            keys = list(zip(frame["doc_id"], frame["form_seq"], strict=True))
            frame["form_index"] = pd.array([first.get(k, pd.NA) for k in keys], dtype="Int64")


# --- source text -----------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SourceLines:
    """The lines of one text input, or why they are not available.

    ``shape`` is how the document separates cells (``tab``, ``pipe`` or ``spaces``), detected
    as the text reader does, so the report shows the cells the extraction saw.
    """

    path: str
    lines: tuple[str, ...] | None
    problem: str | None = None
    shape: str = "tab"

    def span(self, start: int, end: int) -> list[tuple[int, str]]:
        if self.lines is None:
            return []
        start, end = max(1, start), min(len(self.lines), end)
        return [(n, self.lines[n - 1]) for n in range(start, end + 1)]


def split_cells(line: str, shape: str) -> tuple[str, ...]:
    """A source line's cells, split as the text reader splits them."""
    if shape == "pipe":
        return split_pipe(line) or (line,)
    if shape == "spaces":
        return split_spaces(line)
    return tuple(line.split("\t"))


class SourceReader:
    """Reads each text input once; a missing or unreadable file is a stated problem, not an error."""

    def __init__(self, out_dir: Path) -> None:
        self._bases = [Path.cwd(), out_dir, out_dir.parent]
        self._cache: dict[str, SourceLines] = {}

    def resolve(self, source_path: str) -> Path | None:
        path = Path(source_path)
        candidates = [path] if path.is_absolute() else [base / path for base in self._bases]
        return next((c for c in candidates if c.is_file()), None)

    def lines(self, source_path: str) -> SourceLines:
        if source_path not in self._cache:
            self._cache[source_path] = self._read(source_path)
        return self._cache[source_path]

    def _read(self, source_path: str) -> SourceLines:
        path = self.resolve(source_path)
        if path is None:
            return SourceLines(source_path, None, f"source file not found: {source_path}")
        try:
            decoded = decode_bytes(path.read_bytes())
        except OSError as exc:
            return SourceLines(source_path, None, f"source file could not be read: {source_path} ({describe(exc)})")
        if decoded.text is None:
            return SourceLines(source_path, None, f"source file is not text: {source_path} ({decoded.reason})")
        lines = tuple(_LINE_BREAK.split(decoded.text))
        return SourceLines(source_path, lines, shape=detect_shape(list(lines)))


def is_text_source(source_path: str | None, page: object) -> bool:
    if not source_path:
        return False
    return Path(source_path).suffix.lower() in TEXT_SUFFIXES and pd.isna(page)


def page_image(out_dir: Path, form: dict) -> Path | None:
    """The page image rendered at extraction time for a PDF or scanned form, if there is one.

    Looked for as ``forms.page_image`` (a path relative to the output folder) or
    ``OUT_DIR/pages/`` + :func:`selfeval.pages.page_image_name` (``.png`` or ``.jpg``).
    """
    explicit = form.get("page_image")
    if isinstance(explicit, str) and explicit:
        path = out_dir / explicit
        return path if path.is_file() else None
    page = form.get("page")
    if page is None or pd.isna(page):
        return None
    for suffix in PAGE_IMAGE_SUFFIXES:
        path = out_dir / "pages" / page_image_name(str(form.get("doc_id", "")), int(page), suffix)
        if path.is_file():
            return path
    return None
