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
import re

from selfeval.extract.cells import trim_row
from selfeval.extract.grid import Document, SourceRow
from selfeval.findings import describe

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


def emit_sheet(doc: Document, values: dict[tuple[int, int], str], sheet: str) -> None:
    """Append a worksheet's rows to ``doc`` from its non-empty cells, keyed by
    1-based (row, column): one grid row per non-blank worksheet row, cells
    from the sheet's leftmost used column."""
    if not values:
        return
    first = min(c for _, c in values)
    last = max(c for _, c in values)
    for r in sorted({r for r, _ in values}):
        cells = trim_row([values.get((r, c), "") for c in range(first, last + 1)])
        doc.rows.append(SourceRow(cells, line=r, sheet=sheet))
        doc.lines += 1
