"""What the workbook and Word readers share: telling what a file really is
when it is not the document its name says, and showing a number as the
spreadsheet shows it.

Office files in archives are often something else under an Office name: a
web page saved as ``.xls``/``.xlsx`` by a reporting system, a password-
protected workbook (an encrypted package inside an OLE2 container), a
Word 97-2003 file renamed ``.docx``.  ``container_problem`` names the case
and what to do about it, for the ``unreadable_input`` finding.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from selfeval.extract.cells import trim_row
from selfeval.extract.grid import Document, SourceRow
from selfeval.extract.limits import extent_problem, inflated_problem, merged_problem, ref_area
from selfeval.findings import Finding, describe

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def has_stream(data: bytes, name: str) -> bool:
    """Whether an OLE2 container holds a stream of this name (directory
    entries store names in UTF-16LE)."""
    return name.encode("utf-16-le") in data


def container_problem(path: object, data: bytes, kind: str) -> str | None:
    """Why ``data`` is not a ``kind`` file ("xlsx", "xls" or "docx") this
    reader can open, as a finding message; None when it may be one."""
    resave = {
        "xlsx": "open it in Excel or WPS and save it as an .xlsx workbook",
        "xls": "open it in Excel or WPS and save it as an .xlsx workbook",
        "docx": "open it in Word or WPS and save it as a .docx document",
    }[kind]
    if not data:
        return f"{path}: the file is empty; obtain the document again"
    if data.startswith(OLE2_MAGIC):
        if has_stream(data, "EncryptedPackage") or has_stream(data, "EncryptionInfo"):
            return f"{path}: the file is password-protected (encrypted); remove the password and save an unprotected copy"
        if kind != "xls":
            if has_stream(data, "WordDocument"):
                return f"{path}: this is a Word 97-2003 (.doc) file, not a .docx; {resave}"
            if has_stream(data, "Workbook") or has_stream(data, "Book"):
                return f"{path}: this is an Excel 97-2003 (.xls) file, not a .{kind}; rename it to .xls or {resave}"
            return f"{path}: this is an OLE2 (Office 97-2003) file, not a .{kind}; {resave}"
        if has_stream(data, "WordDocument"):
            return f"{path}: this is a Word 97-2003 (.doc) file, not a workbook; save it as .docx"
        return None
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"mime-version") or b"multipart/related" in head:
        return f"{path}: this is a web archive (MHTML) saved under a .{kind} name, not a real .{kind}; {resave}"
    if re.search(rb"<(!doctype html|html|table|head|body)\b", head):
        return f"{path}: this is an HTML page saved under a .{kind} name, not a real .{kind}; {resave}"
    if kind == "xls":
        return None
    if not data.startswith(ZIP_MAGIC):
        return f"{path}: not a .{kind} file (no Office Open XML package inside); {resave}"
    return None


# --- numbers as shown -------------------------------------------------------

_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')


def damaged(path: object, noun: str, exc: Exception, program: str) -> str:
    """The message for a package or container that fails to open."""
    return (
        f"{path}: the {noun} cannot be opened ({describe(exc)}); "
        f"open it in {program} or WPS and save it again"
    )


def show_number(value: float | int, number_format: str | None) -> str:
    """A number as a spreadsheet displays it under ``number_format``: the
    text a person copying the cell would paste (``13.04``, ``100.00%``,
    ``1,250.00``, ``10``).  Covers the General, fixed-decimal, thousands and
    percent formats that forms use; other formats fall back to General."""
    fmt = (number_format or "General").split(";")[0]
    bare = _QUOTED.sub("", fmt)
    if fmt == "General" or fmt == "@" or not re.search(r"[0#?]", bare):
        return _general(value)
    decimals = 0
    if "." in bare:
        decimals = len(re.match(r"[0#?]*", bare.split(".", 1)[1]).group(0))  # type: ignore[union-attr]
    percent = bare.count("%")
    shown = value * 100**percent
    grouping = "," if re.search(r"[0#?],[0#?]", bare) else ""
    text = f"{shown:{grouping}.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text + "%" * percent


def _general(value: float | int) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.11g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}E{int(exp):+03d}"
    return text


def show_date(value: dt.datetime | dt.date | dt.time) -> str:
    """A date or time cell as ISO text (forms carry dates rarely; the
    normalizer reads ISO reliably); a midnight datetime is a date."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return value.isoformat()


def sheet_over_limit(doc: Document, sheet: str, problem: str) -> None:
    """Report a worksheet left unread because it is over a budget."""
    doc.findings.append(Finding(
        "limit_exceeded", f"{doc.source_path}: sheet {sheet}: {problem}; the sheet was not read; "
        "raise --max-sheet-cells to read it", sheet=sheet))


def emit_sheet(doc: Document, values: dict[tuple[int, int], str], sheet: str, limit: int = 0) -> None:
    """Append a worksheet's rows to ``doc`` from its non-empty cells, keyed by
    1-based (row, column): one grid row per non-blank worksheet row, cells
    from the sheet's leftmost used column.  Rows × columns laid out are
    bounded by ``limit`` cells (0: no limit): a sheet over it is reported."""
    if not values:
        return
    first = min(c for _, c in values)
    last = max(c for _, c in values)
    used_rows = sorted({r for r, _ in values})
    problem = extent_problem(len(used_rows), last - first + 1, limit, "its used cells")
    if problem:
        sheet_over_limit(doc, sheet, problem)
        return
    for r in used_rows:
        cells = trim_row([values.get((r, c), "") for c in range(first, last + 1)])
        doc.rows.append(SourceRow(cells, line=r, sheet=sheet))
        doc.lines += 1


# --- packages within budget -------------------------------------------------

_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=[\"']([^\"']{1,64})[\"']")
_SCAN_CHUNK = 1 << 20


def package_problem(data: bytes, inflated_limit: int, cells_limit: int) -> str | None:
    """Why an Office Open XML package is over a budget, before any of it is
    parsed: its parts inflate to more than ``inflated_limit`` bytes, or the
    merged ranges of one worksheet cover more than ``cells_limit`` cells (the
    workbook reader would expand them cell by cell).  None when within."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a readable package: the reader says so
    with package:
        problem = inflated_problem(package.infolist(), inflated_limit)
        if problem or not cells_limit:
            return problem
        for info in package.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                try:
                    problem = merged_problem(_merge_areas(package, info), cells_limit, f"worksheet {info.filename}")
                except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
                    return None  # a damaged part: the reader reports it
                if problem:
                    return problem
    return None


def _merge_areas(package: zipfile.ZipFile, info: zipfile.ZipInfo):
    """Areas of the ``<mergeCell ref=…>`` ranges of a worksheet part, read as a
    stream (a chunk at a time, never the whole part)."""
    tail = b""
    with package.open(info) as fh:
        while True:
            chunk = fh.read(_SCAN_CHUNK)
            if not chunk:
                return
            buffer = tail + chunk
            end = 0
            for match in _MERGE_REF.finditer(buffer):
                yield ref_area(match.group(1).decode("ascii", "replace"))
                end = match.end()
            tail = buffer[max(end, len(buffer) - 256):]
